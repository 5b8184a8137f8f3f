"""Sample GoNB notebooks for developing and testing the site without the real chapters.

    .venv/bin/python tools/site/samples.py /tmp/godl-samples

writes /tmp/godl-samples/notebooks/ (clean copies, as committed), /tmp/godl-samples/executed/
(quick-mode copies with outputs, as `make test` leaves them in build/executed/) and
/tmp/godl-samples/full/ (full-mode copies, as `make notebooks` leaves them in build/full/).
Chapter 00 and 01 have executed copies, 00 with text, SVG and PNG outputs and 01 with formulas.
01 also has a current full-mode copy, so its page shows that one; 00's full copy is stale (its
key is not the notebook's), so its page shows the quick one. Chapter 02 has only its clean copy,
so its page shows the "not executed" note.
"""

from __future__ import annotations

import argparse
import base64
import copy
import importlib.util
import json
import struct
import zlib
from pathlib import Path

KERNELSPEC = {"name": "gonb", "display_name": "Go (gonb)", "language": "go"}
LANGUAGE_INFO = {"name": "go", "file_extension": ".go", "mimetype": "text/x-go"}

SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="240" height="120" viewBox="0 0 240 120">'
    '<rect x="1" y="1" width="238" height="118" fill="#f4f8fb" stroke="#456"/>'
    '<polyline fill="none" stroke="#c0392b" stroke-width="3" '
    'points="10,20 50,60 90,80 130,92 170,100 210,104"/>'
    '<text x="120" y="20" text-anchor="middle" font-size="12" id="godl-sample-svg">loss</text>'
    "</svg>"
)


def _png(width: int = 32, height: int = 16) -> str:
    """A small gradient PNG, base64-encoded, made without any imaging library."""
    rows = b"".join(
        b"\x00" + bytes(v for x in range(width) for v in (x * 8, y * 16, 160))
        for y in range(height)
    )

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    png = (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )
    return base64.b64encode(png).decode()


def _md(text: str) -> dict:
    return {"cell_type": "markdown", "metadata": {}, "source": text}


def _code(text: str, outputs: list | None = None, count: int | None = None) -> dict:
    return {
        "cell_type": "code",
        "execution_count": count,
        "metadata": {},
        "outputs": outputs or [],
        "source": text,
    }


def _stream(text: str, name: str = "stdout") -> dict:
    return {"output_type": "stream", "name": name, "text": text}


def _display(data: dict) -> dict:
    return {"output_type": "display_data", "data": data, "metadata": {}}


def _notebook(cells: list[dict], executed: bool) -> dict:
    for i, cell in enumerate(cells):
        cell["id"] = f"cell-{i}"
    meta = {"kernelspec": dict(KERNELSPEC)}
    if executed:
        meta["language_info"] = dict(LANGUAGE_INFO)
    return {"cells": cells, "metadata": meta, "nbformat": 4, "nbformat_minor": 5}


def _clean(nb: dict) -> dict:
    out = copy.deepcopy(nb)
    out["metadata"].pop("language_info", None)
    out["metadata"].pop("godl", None)
    for cell in out["cells"]:
        if cell["cell_type"] == "code":
            cell["outputs"], cell["execution_count"] = [], None
    return out


def samples() -> dict[str, tuple[dict, bool]]:
    """Returns {file name: (executed notebook, whether an executed copy is written)}."""
    setup = _notebook(
        [
            _md(
                "# 00 · Setup: GoNB, backends and how to switch\n\n"
                "After this chapter you can run Go in a notebook and pick the backend it runs on."
            ),
            _code(
                "!*go get github.com/godl-book/godl@latest\n"
                "%goflags -tags=sample\n",
                [_stream("go: added github.com/godl-book/godl v0.0.0\n")],
                1,
            ),
            _md("## Hello, tensors\n\nThe smallest program that prints something."),
            _code(
                'import "fmt"\n\n'
                "%%\n"
                "x := []float32{1, 2, 3}\n"
                'fmt.Printf("sum of %v is %g\\n", x, x[0]+x[1]+x[2])  // a comment\n',
                [
                    _stream("sum of [1 2 3] is 6\n"),
                    _stream("godl: backend: using pure Go (sample warning)\n", name="stderr"),
                ],
                2,
            ),
            _md("## A plot\n\nA loss curve, drawn as SVG, and a small image as PNG."),
            _code(
                "%%\nrun.Plot()\n",
                [
                    _display({"image/svg+xml": SVG, "text/plain": "<svg plot>"}),
                    _display({"image/png": _png(), "text/plain": "<png image>"}),
                ],
                3,
            ),
            _md("## Summary\n\n- GoNB runs Go cells.\n\n## Exercises\n\n1. Switch the backend."),
        ],
        executed=True,
    )
    tensors = _notebook(
        [
            _md(
                "# 01 · Tensors\n\n"
                "A tensor $x \\in \\mathbb{R}^{2 \\times 3}$ and a product\n\n"
                "$$\ny = W x + b\n$$\n"
            ),
            _code(
                "%%\n"
                "t := tensors.FromValue([][]float32{{1, 2, 3}, {4, 5, 6}})\n"
                "fmt.Println(t)\n",
                [_stream("[2][3]float32{{1, 2, 3}, {4, 5, 6}}\n")],
                1,
            ),
        ],
        executed=True,
    )
    tensors["metadata"]["godl"] = {"mode": "quick"}
    autograd = _notebook(
        [
            _md("# 02 · Autograd\n\nGradients, computed for you."),
            _code("%%\ngrad := graph.Gradient(loss, x)\n", [], None),
        ],
        executed=False,
    )
    return {
        "00-setup.ipynb": (setup, True),
        "01-tensors.ipynb": (tensors, True),
        "02-autograd.ipynb": (autograd, False),
    }


FULL_RUN_TEXT = "[2][3]float32{{1, 2, 3}, {4, 5, 6}} (full run)\n"


def _nbcache():
    path = Path(__file__).resolve().parents[1] / "nbharness" / "nbcache.py"
    spec = importlib.util.spec_from_file_location("nbcache", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def write(root: Path) -> tuple[Path, Path, Path]:
    """Writes the samples under root; returns (notebooks dir, executed dir, full dir)."""
    notebooks, executed, full = root / "notebooks", root / "executed", root / "full"
    for d in (notebooks, executed, full):
        d.mkdir(parents=True, exist_ok=True)
    for name, (nb, has_executed) in samples().items():
        (notebooks / name).write_text(json.dumps(_clean(nb), indent=1, ensure_ascii=False) + "\n")
        if has_executed:
            (executed / name).write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n")
    key = _nbcache().key
    for name, current in [("00-setup.ipynb", False), ("01-tensors.ipynb", True)]:
        nb = copy.deepcopy(samples()[name][0])
        last = [c for c in nb["cells"] if c["cell_type"] == "code"][-1]
        last["outputs"] = [_stream(FULL_RUN_TEXT)]
        nb["metadata"]["godl"] = {"mode": "full", "passed": True,
                                  "key": key(notebooks / name) if current else "stale"}
        (full / name).write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n")
    return notebooks, executed, full


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", type=Path, help="folder to write notebooks/, executed/ and full/ into")
    args = parser.parse_args()
    notebooks, executed, full = write(args.root)
    print(f"--notebooks {notebooks} --executed {executed} --full {full}")


if __name__ == "__main__":
    main()
