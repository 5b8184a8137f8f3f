#!/usr/bin/env python3
"""Executes the book's notebooks through the GoNB kernel and checks them.

Each notebook is first linted against the book's conventions (see notebooks/CONVENTIONS.md):
committed clean, GoNB kernel, the standard first cell, a "# NN · Title" heading, code cells of at
most MAX_CELL_LINES lines, and at least one `check.` assertion. Then it runs top to bottom with
nbclient; a cell fails when the kernel reports an error (e.g. a compile error) or when the cell's
program exits non-zero — GoNB v0.11 reports that only as an "exit status N" line on stderr, so the
harness reads the outputs for it. Executed copies (with outputs) go to --out for the static site.

The last line printed is "N passed, N failed"; the exit status is 1 if anything failed.
"""
import argparse
import html
import os
import pathlib
import re
import sys
import time

import nbclient
import nbformat

MAX_CELL_LINES = 15
SETUP_CELL = '!*rm -f go.work && go work init && go work use . "$(cd "${GONB_DIR}" && dirname "$(go env GOMOD)")"\n%goworkfix\n%noautoget'
TITLE = re.compile(r"^# (\d\d|A\d) · \S")
EXIT_LINE = re.compile(r"^(exit status \d+|signal: \w+.*)$", re.M)


def lint(nb, name):
    """Returns a list of problems with a notebook's committed form."""
    problems = []
    if nb.metadata.get("kernelspec", {}).get("name") != "gonb":
        problems.append("kernelspec is not gonb")
    code = [c for c in nb.cells if c.cell_type == "code"]
    md = [c for c in nb.cells if c.cell_type == "markdown"]
    if not md or not TITLE.match(md[0].source):
        problems.append('first markdown cell must start with "# NN · Title"')
    if not code or code[0].source.strip() != SETUP_CELL:
        problems.append("first code cell must be the standard setup cell (see notebooks/CONVENTIONS.md)")
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        if cell.get("outputs") or cell.get("execution_count"):
            problems.append(f"cell {i}: committed with outputs (run `make clean-notebooks`)")
        n = len(cell.source.strip().splitlines())
        if n > MAX_CELL_LINES:
            problems.append(f"cell {i}: {n} lines, at most {MAX_CELL_LINES} (move code to pkg/)")
    if not any("check." in c.source for c in code):
        problems.append("no `check.` assertion: a notebook must check its results in code")
    return problems


def cell_failure(cell):
    """Returns the failure text of an executed cell (its stderr, errors and error pages), or None."""
    failed, texts = False, []
    for out in cell.get("outputs", []):
        if out.output_type == "error":
            failed = True
            texts.append(f"{out.get('ename', '')}: {out.get('evalue', '')}")
        elif out.output_type == "stream" and out.name == "stderr":
            failed = failed or bool(EXIT_LINE.search(out.text))
            texts.append(out.text)
        elif "text/html" in out.get("data", {}):  # GoNB shows compile errors as HTML
            texts.append(html.unescape(re.sub(r"<style>.*?</style>|<[^>]+>", "", out.data["text/html"], flags=re.S)))
    if not failed:
        return None
    text = "\n".join(line for t in texts for line in t.splitlines() if line.strip())
    return text[-3000:]


class CellFailed(Exception):
    """Raised from nbclient's cell hook to stop a notebook at its first failing cell."""


def stop_on_failure(cell, **_):
    if cell_failure(cell):
        raise CellFailed()


def quick_mode():
    """Whether $GODL_QUICK turns quick mode on, read as pkg/quick reads it."""
    return os.environ.get("GODL_QUICK", "").strip().lower() in ("1", "true", "yes", "on")


def mark_executed(nb):
    """Records the mode of the run for the site, and hides the setup cell's output there."""
    nb.metadata["godl"] = {"mode": "quick" if quick_mode() else "full"}
    setup = next(c for c in nb.cells if c.cell_type == "code")
    tags = setup.metadata.setdefault("tags", [])
    if "remove-output" not in tags:
        tags.append("remove-output")
    return nb


def run(path, out_dir, timeout):
    """Executes one notebook; returns (ok, message, seconds, executed notebook)."""
    nb = nbformat.read(path, as_version=4)
    problems = lint(nb, path.name)
    if problems:
        return False, "lint: " + "; ".join(problems), 0.0, None
    client = nbclient.NotebookClient(
        nb, timeout=timeout, kernel_name="gonb", allow_errors=True, on_cell_executed=stop_on_failure,
        resources={"metadata": {"path": str(path.parent.resolve())}})
    start = time.time()
    try:
        client.execute()
    except CellFailed:
        pass
    except Exception as e:  # the kernel died or a cell timed out
        return False, f"{type(e).__name__}: {str(e)[-2000:]}", time.time() - start, nb
    finally:
        if out_dir:
            out_dir.mkdir(parents=True, exist_ok=True)
            nbformat.write(mark_executed(nb), out_dir / path.name)
    seconds = time.time() - start
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            failure = cell_failure(cell)
            if failure:
                first = cell.source.strip().splitlines()[0] if cell.source.strip() else ""
                return False, f"cell {i} ({first[:60]}):\n{failure}", seconds, nb
    return True, "", seconds, nb


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("notebooks", nargs="*", help="notebook files (default: notebooks/*.ipynb)")
    p.add_argument("--nb", default="", help="run only notebooks whose name starts with this, e.g. 01")
    p.add_argument("--out", default="build/executed", help="folder for executed copies ('' for none)")
    p.add_argument("--timeout", type=int, default=1200, help="seconds per cell")
    p.add_argument("--lint-only", action="store_true", help="check conventions without executing")
    args = p.parse_args(argv)

    paths = [pathlib.Path(n) for n in args.notebooks] or sorted(pathlib.Path("notebooks").glob("*.ipynb"))
    paths = [x for x in paths if x.name.startswith(args.nb)]
    if not paths:
        print(f"no notebooks match {args.nb!r}")
        return 1
    out_dir = pathlib.Path(args.out) if args.out else None
    results = []
    for path in paths:
        if args.lint_only:
            problems = lint(nbformat.read(path, as_version=4), path.name)
            ok, msg, secs = not problems, "; ".join(problems), 0.0
        else:
            print(f"▶ {path} ({'quick' if quick_mode() else 'full'} mode)", flush=True)
            ok, msg, secs, _ = run(path, out_dir, args.timeout)
        if not ok:
            print(f"FAIL {path}: {msg}", flush=True)
        results.append((path.name, ok, secs))

    width = max(len(n) for n, _, _ in results)
    print(f"\n{'notebook':<{width}}  result  seconds")
    for name, ok, secs in results:
        print(f"{name:<{width}}  {'pass' if ok else 'FAIL':<6}  {secs:7.1f}")
    passed = sum(ok for _, ok, _ in results)
    print(f"{passed} passed, {len(results) - passed} failed")
    return 0 if passed == len(results) else 1


if __name__ == "__main__":
    sys.exit(main())
