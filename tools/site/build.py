"""Builds the book's static site, offline: book/ + the notebooks -> build/site/.

    .venv/bin/python tools/site/build.py                      # what `make book` runs
    .venv/bin/python tools/site/build.py --notebooks DIR --executed DIR --out DIR

It stages book/ and the notebooks into build/site-src/, each as the best copy there is: the
full-mode run in build/full/ (`make notebooks`) when it passed and is current — its cache key,
tools/nbharness/nbcache.py, matches the notebook and the library code it imports — else the
quick-mode run in build/executed/ (`make test`), else the clean notebook; a note at the top of
each page says which of the three it shows. It writes
the chapter index from book/chapters.yml into the front page, and runs
`sphinx-build -W --keep-going`, so any warning fails the build. Last it checks that no page loads
a script, style sheet, image or frame from another host.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
BOOK = REPO / "book"
_spec = importlib.util.spec_from_file_location("nbcache", REPO / "tools" / "nbharness" / "nbcache.py")
nbcache = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(nbcache)
MARKER = "<!-- godl:chapters -->"
STAGED = ".godl-site-src"  # marks a staging folder that build.py may empty
NOTEBOOK_NAME = re.compile(r"^(?P<number>\d\d|A\d)-(?P<slug>[a-z0-9][a-z0-9-]*)\.ipynb$")
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp"}
GONB_KERNELS = {"gonb"}


@dataclass
class Chapter:
    part: str
    part_title: str
    number: str
    slug: str
    title: str
    notebook: Path | None = None  # the file staged for this chapter, if it exists
    origin: Path | None = None  # the notebook it was staged from (executed copy or clean one)
    mode: str = ""  # "full", "quick" or "" (no outputs): the run the page shows

    @property
    def executed(self) -> bool:
        return bool(self.mode)

    @property
    def docname(self) -> str:
        return f"notebooks/{self.notebook.stem}" if self.notebook else ""


def part_label(part: str, title: str) -> str:
    """'Part I · Getting started', or just 'Appendix' for the appendix."""
    return title if part == "A" else f"Part {part} · {title}"


def load_chapters(path: Path) -> list[Chapter]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    chapters = []
    for part in data["parts"]:
        for ch in part["chapters"]:
            chapters.append(
                Chapter(str(part["part"]), part["title"], str(ch["number"]), ch["slug"], ch["title"])
            )
    numbers = [c.number for c in chapters]
    dup = {n for n in numbers if numbers.count(n) > 1}
    if dup:
        raise SystemExit(f"{path}: chapter numbers repeat: {sorted(dup)}")
    return chapters


def notebook_title(nb: dict) -> str:
    """The first '# ' heading of the first markdown cell: the chapter's title."""
    for cell in nb.get("cells", []):
        if cell.get("cell_type") == "markdown":
            for line in _source(cell).splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
            break
    return ""


def _source(cell: dict) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def _note_cell(text: str) -> dict:
    return {"cell_type": "markdown", "id": "godl-site-note", "metadata": {}, "source": text}


NOT_EXECUTED = """:::{{note}}
:class: godl-not-executed
This page shows the notebook without its outputs: no executed copy of `{name}` was found when
the site was built. Run it in JupyterLab to see them (see [how to read the book](../index.md)).
:::
"""

QUICK_MODE = """:::{note}
:class: godl-quick-mode
The outputs on this page come from a run in quick mode (`GODL_QUICK=1`: less data, fewer
steps); run the notebook yourself for the full results.
:::
"""

FULL_MODE = """:::{note}
:class: godl-full-mode
The outputs on this page come from a full run (`make notebooks`), the results you get when you
run the notebook yourself.
:::
"""


def godl_meta(path: Path) -> dict:
    """metadata.godl of an executed copy ({} when it has none or cannot be read)."""
    try:
        meta = json.loads(path.read_text(encoding="utf-8")).get("metadata", {}).get("godl")
    except (OSError, ValueError, AttributeError):
        return {}
    return meta if isinstance(meta, dict) else {}


def choose(clean: Path, executed_dir: Path, full_dir: Path | None) -> tuple[Path, str]:
    """The copy of a chapter the site shows and its mode: a passing full-mode copy in full_dir
    whose cache key is current, else the copy in executed_dir (quick unless its metadata says
    otherwise), else the clean notebook with mode ""."""
    full = full_dir / clean.name if full_dir else None
    if full and full.is_file():
        meta = godl_meta(full)
        if (meta.get("mode") == "full" and meta.get("passed") is True
                and meta.get("key") == nbcache.key(clean, REPO)):
            return full, "full"
        print(f"note: {full} is not current (failed, or the notebook or the library code it imports "
              "changed since): `make notebooks` runs it again")
    executed = executed_dir / clean.name
    if executed.is_file():
        return executed, "full" if godl_meta(executed).get("mode") == "full" else "quick"
    return clean, ""


def stage_notebook(clean: Path, chosen: Path, mode: str, dest: Path) -> None:
    """Copies a chapter, as chosen (see choose), into the site source with a note on its mode."""
    nb = json.loads(chosen.read_text(encoding="utf-8"))
    if chosen != clean:
        original = json.loads(clean.read_text(encoding="utf-8"))
        if [_source(c) for c in original.get("cells", [])] != [_source(c) for c in nb["cells"]]:
            print(f"note: {chosen} differs from {clean} in its cells; the site shows the executed copy")
    meta = nb.setdefault("metadata", {})
    meta.pop("widgets", None)  # widget state would make myst-nb load require.js from a CDN
    kernel = (meta.get("kernelspec") or {}).get("name", "")
    if kernel in GONB_KERNELS or (meta.get("kernelspec") or {}).get("language") == "go":
        info = meta.setdefault("language_info", {})
        info.setdefault("name", "go")
        info["pygments_lexer"] = "go"  # GoNB does not name one; conf.py maps "go" to GoNBLexer
    note = {"full": FULL_MODE, "quick": QUICK_MODE}.get(mode) or NOT_EXECUTED.format(name=clean.name)
    if note:
        cells = nb.setdefault("cells", [])
        at = 1 if cells and cells[0].get("cell_type") == "markdown" else 0
        cell = _note_cell(note)
        if (nb.get("nbformat"), nb.get("nbformat_minor", 0)) < (4, 5):
            del cell["id"]  # cell ids came with nbformat 4.5
        cells.insert(at, cell)
    dest.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def chapter_index(chapters: list[Chapter]) -> str:
    """MyST for the front page: each part with its chapters, then the sidebar's toctrees."""
    out = []
    parts: dict[str, list[Chapter]] = {}
    for ch in chapters:
        parts.setdefault(ch.part, []).append(ch)
    for part, chs in parts.items():
        out.append(f"### {part_label(part, chs[0].part_title)}\n")
        out.append(":::{container} godl-chapters")
        for ch in chs:
            num = f"[{ch.number}]{{.godl-num}}"
            if ch.notebook:
                out.append(f"- {num} {{doc}}`{ch.title} <{ch.docname}>`")
            else:
                out.append(f"- {num} [{ch.title}]{{.godl-coming}} [coming]{{.godl-badge}}")
        out.append(":::\n")
    for part, chs in parts.items():
        existing = [ch for ch in chs if ch.notebook]
        if not existing:
            continue
        out.append("```{toctree}")
        out.append(":hidden:")
        out.append(f":caption: {part_label(part, chs[0].part_title)}\n")
        out.extend(ch.docname for ch in existing)
        out.append("```\n")
    return "\n".join(out)


MATHJAX_FILES = ("MathJax.js", "config/TeX-AMS-MML_HTMLorMML-full.js", "fonts/HTML-CSS/STIX-Web")


def find_mathjax(option: str | None) -> Path | None:
    """A local MathJax 2 laid out like the jupyter-server-mathjax package (MathJax.js, the
    combined TeX-AMS-MML_HTMLorMML-full config, STIX-Web fonts): --mathjax DIR, else that
    package if it is installed. None means formulas are shown as TeX."""
    if option == "none":
        return None
    if option:
        folder = Path(option)
    else:
        spec = importlib.util.find_spec("jupyter_server_mathjax")
        if not (spec and spec.origin):
            return None
        folder = Path(spec.origin).parent / "static"
    missing = [f for f in MATHJAX_FILES if not (folder / f).exists()]
    if missing:
        raise SystemExit(f"MathJax in {folder}: missing {', '.join(missing)}")
    return folder


def _mathjax_ignore(folder: str, names: list[str]) -> set[str]:
    """Leaves out MathJax's sources and its translations other than English (about 3 MB)."""
    skip = {n for n in names if n in {"unpacked", "docs", "test"} or n.endswith(".md")}
    if Path(folder).name == "localization":
        skip |= {n for n in names if n != "en"}
    return skip


def reset_dir(path: Path, mark: str | None) -> None:
    """Empties a folder this script made before; refuses to empty anything else."""
    if path.exists():
        made_here = (mark and (path / mark).exists()) or (path / ".buildinfo").exists()
        if any(path.iterdir()) and not made_here:
            raise SystemExit(f"{path} is not empty and was not made by build.py; not removing it")
        shutil.rmtree(path)
    path.mkdir(parents=True)
    if mark:
        (path / mark).write_text("staged by tools/site/build.py; emptied on every build\n")


class _Assets(HTMLParser):
    """Collects the URLs a page loads (not the links a reader may follow)."""

    LOADS = {"script": "src", "img": "src", "iframe": "src", "source": "src", "embed": "src",
             "audio": "src", "video": "src", "object": "data"}

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "link" and a.get("href"):
            rel = (a.get("rel") or "").lower()
            if any(r in rel for r in ("stylesheet", "preload", "icon", "modulepreload", "prefetch")):
                self.urls.append(a["href"])
        elif tag in self.LOADS and a.get(self.LOADS[tag]):
            self.urls.append(a[self.LOADS[tag]])


def external_loads(site: Path) -> list[str]:
    """'page: url' for every script, style sheet, image or frame loaded from another host."""
    bad = []
    for page in sorted(site.rglob("*.html")):
        parser = _Assets()
        parser.feed(page.read_text(encoding="utf-8", errors="replace"))
        for url in parser.urls:
            if re.match(r"^([a-z][a-z0-9+.-]*:)?//", url, re.I) and not url.startswith("file:"):
                bad.append(f"{page.relative_to(site)}: {url}")
    return bad


def build(args: argparse.Namespace) -> int:
    t0 = time.monotonic()
    src, out = args.src.resolve(), args.out.resolve()
    chapters = load_chapters(BOOK / "chapters.yml")
    by_number = {c.number: c for c in chapters}

    reset_dir(src, STAGED)
    shutil.copytree(BOOK, src, dirs_exist_ok=True, ignore=shutil.ignore_patterns("__pycache__"))
    (src / "notebooks").mkdir()

    notebooks = sorted(args.notebooks.glob("*.ipynb")) if args.notebooks.is_dir() else []
    problems = []
    for nb_path in notebooks:
        m = NOTEBOOK_NAME.match(nb_path.name)
        if not m:
            problems.append(f"{nb_path}: name is not NN-slug.ipynb")
            continue
        ch = by_number.get(m["number"])
        if ch is None:
            problems.append(f"{nb_path}: chapter {m['number']} is not in book/chapters.yml")
            continue
        if ch.notebook:
            problems.append(f"{nb_path}: chapter {ch.number} already has {ch.notebook.name}")
            continue
        ch.notebook = src / "notebooks" / nb_path.name
        ch.origin, ch.mode = choose(nb_path, args.executed, args.full)
        stage_notebook(nb_path, ch.origin, ch.mode, ch.notebook)
    if problems:
        print("\n".join(problems), file=sys.stderr)
        return 2
    if args.executed.is_dir():
        for stray in sorted(args.executed.glob("*.ipynb")):
            if not (args.notebooks / stray.name).is_file():
                print(f"note: {stray} has no {args.notebooks / stray.name}; left out of the site")
    # Figures next to the notebooks (e.g. notebooks/img/x.png) keep their relative paths.
    if args.notebooks.is_dir():
        for f in args.notebooks.rglob("*"):
            rel = f.relative_to(args.notebooks)
            if f.is_file() and f.suffix.lower() in IMAGE_SUFFIXES and not any(
                p.startswith(".") for p in rel.parts
            ):
                (src / "notebooks" / rel).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(f, src / "notebooks" / rel)

    index = (src / "index.md").read_text(encoding="utf-8")
    if MARKER not in index:
        raise SystemExit(f"book/index.md: the marker {MARKER} is missing")
    (src / "index.md").write_text(index.replace(MARKER, chapter_index(chapters)), encoding="utf-8")

    mathjax = find_mathjax(args.mathjax)
    if mathjax:
        shutil.copytree(mathjax, src / "_static" / "mathjax", ignore=_mathjax_ignore)

    present = [c for c in chapters if c.notebook]
    print(f"staged {len(present)} of {len(chapters)} chapters into {src} "
          f"({sum(c.mode == 'full' for c in present)} full mode, "
          f"{sum(c.mode not in ('', 'full') for c in present)} quick mode, "
          f"{sum(not c.executed for c in present)} without outputs); "
          f"math: {mathjax or 'shown as TeX (pip install jupyter-server-mathjax to render it)'}")

    work = src / "_build"
    cmd = [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-b", "html",
           "-d", str(work / "doctrees"), str(src), str(work / "html")]
    if args.quiet:
        cmd.insert(3, "-q")
    rc = subprocess.call(cmd, cwd=src)
    if rc != 0:
        print(f"sphinx-build failed (exit {rc})", file=sys.stderr)
        return rc

    # The download button serves _sources/: give readers the notebook itself, not the staged
    # copy with the site's note in it.
    for ch in present:
        shutil.copy2(ch.origin, work / "html" / "_sources" / "notebooks" / ch.notebook.name)

    reset_dir(out, None)
    out.rmdir()
    shutil.move(str(work / "html"), str(out))

    bad = external_loads(out)
    if bad:
        print("pages load files from other hosts, the site would not work offline:\n  "
              + "\n  ".join(bad), file=sys.stderr)
        return 3
    print(f"site: {out / 'index.html'} ({time.monotonic() - t0:.1f}s)")
    return 0


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="Build the godl site offline (see the module docstring).")
    p.add_argument("--notebooks", type=Path, default=REPO / "notebooks",
                   help="clean notebooks, NN-slug.ipynb (default: notebooks/)")
    p.add_argument("--executed", type=Path, default=REPO / "build" / "executed",
                   help="executed copies with outputs, same names (default: build/executed/)")
    p.add_argument("--full", type=lambda s: Path(s) if s else None, default=REPO / "build" / "full",
                   help="full-mode copies from `make notebooks`, shown where current "
                        "(default: build/full/; '' for none, as CI builds)")
    p.add_argument("--out", type=Path, default=REPO / "build" / "site",
                   help="where the HTML goes (default: build/site/)")
    p.add_argument("--src", type=Path, default=REPO / "build" / "site-src",
                   help="staging folder for Sphinx (default: build/site-src/)")
    p.add_argument("--mathjax", default=os.environ.get("GODL_MATHJAX") or None,
                   help="a MathJax 2 folder laid out like jupyter-server-mathjax's static/, or "
                        "'none' to show formulas as TeX (default: the jupyter-server-mathjax "
                        "package when installed, else TeX; $GODL_MATHJAX sets it too)")
    p.add_argument("-q", "--quiet", action="store_true", help="only warnings and errors from Sphinx")
    return build(p.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
