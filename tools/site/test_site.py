"""Tests of the static site: built with tools/site/build.py, then read in headless Chromium.

Two sites are built into a temporary folder: one from tools/site/samples.py (always, so the
machinery is tested before any chapter exists) and one from the repository's notebooks/ and
build/full/ and build/executed/ (or $GODL_EXECUTED), as `make book` does. Screenshots of the front page and a
chapter go to build/site-screenshots/ for a person to look at.

    .venv/bin/python -m pytest tools/site -q
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import zlib
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
SCREENSHOTS = REPO / "build" / "site-screenshots"


def _load(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod  # dataclasses look their module up by name
    spec.loader.exec_module(mod)
    return mod


build = _load("godl_site_build", HERE / "build.py")
samples = _load("godl_site_samples", HERE / "samples.py")
plan_module = _load("godl_site_plan", HERE / "plan.py")

CHROMIUM = (
    os.environ.get("CHROMIUM")
    or shutil.which("chromium")
    or shutil.which("chromium-browser")
    or shutil.which("google-chrome")
)
needs_chromium = pytest.mark.usefixtures("chromium_installed")


@pytest.fixture(scope="session")
def chromium_installed():
    assert CHROMIUM, "no chromium: `make setup` installs it from Debian (package chromium)"


# --- a small DOM -----------------------------------------------------------------------------

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}


@dataclass
class Node:
    tag: str
    attrs: dict
    children: list = field(default_factory=list)
    parent: "Node | None" = None

    @property
    def classes(self) -> set[str]:
        return set((self.attrs.get("class") or "").split())

    def text(self) -> str:
        parts = [c if isinstance(c, str) else c.text() for c in self.children]
        return "".join(parts)

    def norm_text(self) -> str:
        return " ".join(self.text().split())

    def iter(self, tag: str | None = None, cls: str | None = None):
        for c in self.children:
            if isinstance(c, Node):
                if (tag is None or c.tag == tag) and (cls is None or cls in c.classes):
                    yield c
                yield from c.iter(tag, cls)


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {})
        self.cur = self.root

    def handle_starttag(self, tag, attrs):
        node = Node(tag, {k: v or "" for k, v in attrs}, parent=self.cur)
        self.cur.children.append(node)
        if tag not in VOID:
            self.cur = node

    def handle_startendtag(self, tag, attrs):
        self.cur.children.append(Node(tag, {k: v or "" for k, v in attrs}, parent=self.cur))

    def handle_endtag(self, tag):
        n = self.cur
        while n is not None and n.tag != tag:
            n = n.parent
        if n is not None and n.parent is not None:
            self.cur = n.parent

    def handle_data(self, data):
        self.cur.children.append(data)


def parse_html(html: str) -> Node:
    b = _TreeBuilder()
    b.feed(html)
    return b.root


# --- Chromium --------------------------------------------------------------------------------

def chromium(url: str, *flags: str, timeout: int = 120) -> subprocess.CompletedProcess:
    with tempfile.TemporaryDirectory(prefix="godl-chromium-") as profile:
        cmd = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               "--no-first-run", "--disable-dev-shm-usage", "--hide-scrollbars",
               # Any page that reached for the network would find nothing there.
               "--host-resolver-rules=MAP * ~NOTFOUND",
               f"--user-data-dir={profile}", *flags, url]
        return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)


_doms: dict[Path, Node] = {}


def dom(page: Path) -> Node:
    """The page's DOM after its scripts ran (MathJax included), as Chromium serializes it."""
    page = page.resolve()
    if page not in _doms:
        r = chromium(page.as_uri(), "--virtual-time-budget=8000", "--dump-dom")
        assert r.returncode == 0 and "<html" in r.stdout, f"chromium failed on {page}:\n{r.stderr[-2000:]}"
        _doms[page] = parse_html(r.stdout)
    return _doms[page]


def screenshot(page: Path, dest: Path, size: str = "1400,1600") -> bytes:
    dest.parent.mkdir(parents=True, exist_ok=True)
    r = chromium(page.resolve().as_uri(), "--virtual-time-budget=8000",
                 f"--window-size={size}", f"--screenshot={dest}")
    assert r.returncode == 0 and dest.is_file(), f"no screenshot of {page}:\n{r.stderr[-2000:]}"
    return dest.read_bytes()


def png_pixels(png: bytes) -> tuple[int, int, bytes]:
    """Width, height and the inflated (still filtered) pixel rows of a PNG."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, width, height = 8, b"", 0, 0
    while pos < len(png):
        (length,) = struct.unpack(">I", png[pos:pos + 4])
        kind, data = png[pos + 4:pos + 8], png[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height = struct.unpack(">II", data[:8])
        elif kind == b"IDAT":
            idat += data
        pos += 12 + length
    return width, height, zlib.decompress(idat)


# --- the sites -------------------------------------------------------------------------------

@dataclass
class Chapter:
    number: str
    title: str
    notebook: dict  # the copy the site shows
    executed: bool


@dataclass
class Site:
    name: str
    out: Path
    chapters: list[Chapter]
    log: str

    @property
    def index(self) -> Path:
        return self.out / "index.html"


def _build(name: str, tmp: Path, notebooks: Path, executed: Path, full: Path | None) -> Site:
    out = tmp / "site"
    r = subprocess.run(
        [sys.executable, str(HERE / "build.py"), "-q", "--notebooks", str(notebooks),
         "--executed", str(executed), "--full", str(full or ""), "--out", str(out),
         "--src", str(tmp / "src")],
        capture_output=True, text=True, timeout=600,
    )
    assert r.returncode == 0, f"build.py failed for the {name} site:\n{r.stdout}\n{r.stderr}"
    chapters = []
    for nb_path in sorted(notebooks.glob("*.ipynb")):
        m = build.NOTEBOOK_NAME.match(nb_path.name)
        if not m:
            continue
        chosen, mode = build.choose(nb_path, executed, full)
        nb = json.loads(chosen.read_text(encoding="utf-8"))
        chapters.append(Chapter(m["number"], build.notebook_title(nb), nb, bool(mode)))
    return Site(name, out, chapters, r.stdout + r.stderr)


@pytest.fixture(scope="session")
def samples_site(tmp_path_factory) -> Site:
    tmp = tmp_path_factory.mktemp("site-samples")
    notebooks, executed, full = samples.write(tmp / "notebooks-in")
    return _build("samples", tmp, notebooks, executed, full)


@pytest.fixture(scope="session")
def repo_site(tmp_path_factory) -> Site:
    """The site `make book` builds: full-mode copies where current, else quick-mode ones."""
    notebooks = REPO / "notebooks"
    assert any(build.NOTEBOOK_NAME.match(p.name) for p in notebooks.glob("*.ipynb")), "notebooks/ has no chapters"
    tmp = tmp_path_factory.mktemp("site-repo")
    executed = Path(os.environ.get("GODL_EXECUTED") or REPO / "build" / "executed")
    return _build("repo", tmp, notebooks, executed, REPO / "build" / "full")


@pytest.fixture(params=["samples", "repo"])
def site(request) -> Site:
    return request.getfixturevalue(f"{request.param}_site")


def yml_chapters() -> list:
    return build.load_chapters(REPO / "book" / "chapters.yml")


def chapter_items(index: Node) -> dict[str, Node]:
    """The front page's chapter list: number -> its <li>."""
    items = {}
    for container in index.iter(cls="godl-chapters"):
        for li in container.iter("li"):
            num = next(li.iter(cls="godl-num"), None)
            if num is not None:
                items[num.norm_text()] = li
    return items


def resolve(page: Path, href: str) -> Path:
    return (page.parent / unquote(urlsplit(href).path)).resolve()


# --- tests that need no browser --------------------------------------------------------------

def test_chapters_yml_follows_the_plan_in_the_repository():
    ours = [(c.part, c.number, c.title.lower()) for c in yml_chapters()]
    theirs = [(p, n, t.lower()) for p, n, t in plan_module.plan_rows()]
    assert ours == theirs, "book/chapters.yml and book/plan.md disagree"


def test_readme_chapter_table_follows_chapters_yml():
    assert plan_module.differences() == []
    table = (REPO / "README.md").read_text(encoding="utf-8")
    for c in yml_chapters():
        assert f"| {c.number} | {c.title} |" in table, c.number


def test_plan_check_names_what_differs(tmp_path, monkeypatch):
    changed = tmp_path / "plan.md"
    changed.write_text(plan_module.PLAN.read_text(encoding="utf-8").replace("| 07 | activations",
                                                                     "| 07 | activation maps"))
    monkeypatch.setattr(plan_module, "PLAN", changed)
    assert any("'07', 'activation maps" in d for d in plan_module.differences())
    changed.write_text("# no table\n")
    with pytest.raises(SystemExit, match="no chapter table"):
        plan_module.plan_rows(changed)


def test_site_index_lists_chapters_yml():
    chapters = yml_chapters()
    index = build.chapter_index(chapters)
    for c in chapters:
        assert f"[{c.number}]{{.godl-num}} [{c.title}]" in index, c.number


def test_chapters_yml_is_complete_and_ordered():
    chapters = yml_chapters()
    numbers = [c.number for c in chapters]
    assert numbers == [f"{i:02d}" for i in range(31)] + ["A1"]
    assert [c.part for c in chapters if c.number in {"00", "05", "13", "19", "28", "30", "A1"}] == [
        "I", "II", "III", "IV", "V", "VI", "A"]
    for c in chapters:
        assert re.fullmatch(r"[a-z0-9][a-z0-9-]*", c.slug), c.slug


def test_gonb_lexer_never_errors():
    conf = _load("godl_book_conf", REPO / "book" / "conf.py")
    from pygments.token import Error, Keyword

    cell = ('!*go get -u github.com/x/y@latest && echo $HOME `pwd` \\\n  ok?\n%goflags -tags=x\n'
            'import "fmt"\n\n%%\nx := 1 @ 2 # ?\nfmt.Println(x)\nif a &&\n\t!b {\n}\n')
    tokens = list(conf.GoNBLexer().get_tokens(cell))
    assert not [t for t in tokens if t[0] is Error]
    assert any(t[0] in Keyword and t[1] == "import" for t in tokens)


def test_site_builds_without_warnings(site):
    assert "WARNING" not in site.log and "ERROR" not in site.log, site.log
    assert site.index.is_file()


def test_pages_load_nothing_from_other_hosts(site):
    assert build.external_loads(site.out) == []


def test_each_page_says_which_run_it_shows(samples_site):
    pages = samples_site.out / "notebooks"
    html = {n: (pages / f"{n}.html").read_text(encoding="utf-8")
            for n in ("00-setup", "01-tensors", "02-autograd")}
    notes = {n: {c for c in ("godl-full-mode", "godl-quick-mode", "godl-not-executed") if c in h}
             for n, h in html.items()}
    # 00's full copy is stale: the quick one is shown. 01's is current. 02 has no executed copy.
    assert notes == {"00-setup": {"godl-quick-mode"}, "01-tensors": {"godl-full-mode"},
                     "02-autograd": {"godl-not-executed"}}
    assert "(full run)" in html["01-tensors"] and "(full run)" not in html["00-setup"]
    assert "is not current" in samples_site.log and "00-setup.ipynb" in samples_site.log


def test_choose_takes_full_copies_only_while_current(tmp_path):
    notebooks, executed, full = samples.write(tmp_path)
    tensors = notebooks / "01-tensors.ipynb"
    assert build.choose(tensors, executed, full) == (full / tensors.name, "full")
    assert build.choose(tensors, executed, None) == (executed / tensors.name, "quick")
    # Any edit to the notebook makes the full copy stale: back to the quick one.
    tensors.write_text(tensors.read_text(encoding="utf-8").replace("Tensors", "Tensors!"))
    assert build.choose(tensors, executed, full) == (executed / tensors.name, "quick")
    # A full run that failed is never shown as the book's result.
    autograd = notebooks / "02-autograd.ipynb"
    failed = {"cells": [], "metadata": {"godl": {"mode": "full", "passed": False,
                                                 "key": build.nbcache.key(autograd)}}}
    (full / autograd.name).write_text(json.dumps(failed))
    assert build.choose(autograd, executed, full) == (autograd, "")


# --- tests in the browser --------------------------------------------------------------------

@needs_chromium
def test_front_page_lists_every_chapter(site):
    index = dom(site.index)
    items = chapter_items(index)
    plan = plan_module.plan_rows()
    assert len(plan) == 32
    existing = {c.number for c in site.chapters}
    for part, number, title in plan:
        assert number in items, f"chapter {number} is not on the front page"
        text = items[number].norm_text()
        assert title.lower() in text.lower(), f"{number}: {text!r} lacks {title!r}"
        links = list(items[number].iter("a"))
        if number in existing:
            assert links, f"chapter {number} exists but is not linked"
        else:
            assert not links and "coming" in text, f"chapter {number} should be marked coming"
    headings = [h.norm_text() for h in index.iter("h3")]
    for part in ["Part I ·", "Part II ·", "Part III ·", "Part IV ·", "Part V ·", "Part VI ·",
                 "Appendix"]:
        assert any(h.startswith(part) for h in headings), f"no {part} heading in {headings}"
    body = index.norm_text()
    for how in ["make setup", "make lab", "docker run", "GOMLX_BACKEND"]:
        assert how in body


@needs_chromium
def test_every_notebook_has_a_page_from_the_index(site):
    items = chapter_items(dom(site.index))
    assert site.chapters, "no chapters"
    for ch in site.chapters:
        assert ch.title, f"chapter {ch.number}: no '# NN · Title' heading in its first cell"
        link = next(items[ch.number].iter("a"))
        page = resolve(site.index, link.attrs["href"])
        assert page.is_file(), f"{ch.number}: link {link.attrs['href']} leads nowhere"
        h1 = [h.norm_text() for h in dom(page).iter("h1")]
        assert any(ch.title in h for h in h1), f"{page}: title {ch.title!r} not in {h1}"
        # Sidebar: the page's navigation lists the chapter too.
        nav = " ".join(n.norm_text() for n in dom(page).iter("nav"))
        assert ch.title in nav


def test_download_button_gives_the_notebook(site):
    for ch in site.chapters:
        page = next((site.out / "notebooks").glob(f"{ch.number}-*.html"))
        hrefs = re.findall(r'href="([^"]*_sources/[^"]*)"', page.read_text(encoding="utf-8"))
        assert hrefs, f"{page}: no download link"
        nb = json.loads(resolve(page, hrefs[0]).read_text(encoding="utf-8"))
        assert build.notebook_title(nb) == ch.title
        assert nb == ch.notebook, "the download differs from the notebook (the site's note?)"


@needs_chromium
def test_executed_outputs_are_rendered(site):
    executed = [c for c in site.chapters if c.executed]
    if not executed and site.name == "repo":
        pytest.skip("build/ has no executed notebooks (a fresh clone): `make test` runs them first")
    assert executed, "no executed notebooks"
    seen_text = False
    for ch in executed:
        page = site.out / "notebooks" / next(
            p.name for p in (site.out / "notebooks").glob(f"{ch.number}-*.html"))
        outputs = list(dom(page).iter(cls="cell_output"))
        texts = [o for out in outputs for o in out.iter(cls="output")
                 if {"stream", "text_plain"} & o.classes and o.norm_text()]
        seen_text |= bool(texts)
        kinds = {k for c in ch.notebook["cells"] for o in c.get("outputs", [])
                 for k in o.get("data", {}) if k in ("image/svg+xml", "image/png")}
        if kinds:
            imgs = [resolve(page, i.attrs["src"]) for out in outputs for i in out.iter("img")]
            assert imgs, f"{page}: the notebook has {kinds} outputs but the page shows no image"
            for img in imgs:
                data = img.read_bytes()
                assert data.startswith((b"\x89PNG", b"GIF8")) or b"<svg" in data[:2000], img
            assert {p.suffix for p in imgs} >= {
                {"image/svg+xml": ".svg", "image/png": ".png"}[k] for k in kinds}
    assert seen_text, "no chapter page shows a text output"
    if site.name == "samples":
        page = dom(site.out / "notebooks" / "00-setup.html")
        assert "sum of [1 2 3] is 6" in page.norm_text()


@needs_chromium
def test_code_is_highlighted_as_go(site):
    keywords = []
    for ch in site.chapters:
        page = next((site.out / "notebooks").glob(f"{ch.number}-*.html"))
        blocks = [n for n in dom(page).iter(cls="cell_input")]
        if not blocks:
            continue
        for b in blocks:
            assert next(b.iter(cls="highlight-go"), None) is not None, f"{page}: not Go"
            assert next(b.iter(cls="err"), None) is None, f"{page}: lexer error tokens"
        keywords += [n for b in blocks for n in b.iter("span") if n.classes & {"kn", "kd", "k", "kt"}]
    assert keywords, "no Go keyword highlighted on any chapter page"


@needs_chromium
def test_math(samples_site):
    site = samples_site
    page = dom(site.out / "notebooks" / "01-tensors.html")
    if (site.out / "_static" / "mathjax" / "MathJax.js").is_file():
        assert "Math Processing Error" not in page.norm_text()
        assert list(page.iter(cls="MathJax")), "MathJax did not typeset the formulas"
    else:
        tex = " ".join(n.norm_text() for n in page.iter(cls="godl-tex"))
        assert "\\mathbb{R}" in tex and "y = W x + b" in tex


@needs_chromium
def test_dom_loads_nothing_from_other_hosts(site):
    for page in [site.index] + sorted((site.out / "notebooks").glob("*.html")):
        for n in dom(page).iter():
            url = n.attrs.get("src") if n.tag in {"script", "img", "iframe"} else (
                n.attrs.get("href") if n.tag == "link" and "stylesheet" in n.attrs.get("rel", "")
                else None)
            assert not (url and re.match(r"^(https?:)?//", url)), f"{page}: {n.tag} loads {url}"


@needs_chromium
def test_screenshots(site):
    """Screenshots for a person to look at, in build/site-screenshots/; here only sanity."""
    chapter = next((site.out / "notebooks").glob("00-*.html"), None) or next(
        (site.out / "notebooks").glob("*.html"))
    for page, name in [(site.index, "front"), (chapter, "chapter")]:
        dest = SCREENSHOTS / f"{site.name}-{name}.png"
        width, height, pixels = png_pixels(screenshot(page, dest))
        assert (width, height) == (1400, 1600)
        assert len(set(pixels[:: max(1, len(pixels) // 5000)])) > 20, f"{dest} looks blank"
