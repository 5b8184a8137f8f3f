"""Sphinx configuration for the godl site.

Run through tools/site/build.py, which stages this folder and the notebooks into build/site-src/
and builds from there; the notebooks arrive already executed (nb_execution_mode = "off").
Nothing here fetches from the network: MathJax is served from _static/mathjax/ when build.py
found a local copy, and otherwise formulas stay as readable TeX.
"""

from __future__ import annotations

from pathlib import Path

from docutils import nodes
from pygments.lexer import inherit
from pygments.lexers.go import GoLexer
from pygments.token import Comment, Text

HERE = Path(__file__).resolve().parent

project = "godl"
html_title = "godl — Deep Learning in Go"
author = "the godl authors"
copyright = "the godl authors"
language = "en"

extensions = ["myst_nb"]

root_doc = "index"
exclude_patterns = ["_build", "**/.ipynb_checkpoints", "README.md", "plan.md"]
source_suffix = {".md": "myst-nb", ".ipynb": "myst-nb"}

# --- notebooks -------------------------------------------------------------------------------
nb_execution_mode = "off"  # pages come pre-executed from build/executed/
nb_output_stderr = "show"  # fallbacks and warnings (a plugin passed over, a failed check) go to stderr
nb_merge_streams = True
nb_ipywidgets_js = {}  # the default loads require.js from a CDN; GoNB has no ipywidgets
nb_mime_priority_overrides = [
    # Prefer vector images to raster ones when a cell offers both.
    ("html", "image/svg+xml", 5),
]
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "attrs_inline", "deflist"]
myst_heading_anchors = 3

# --- highlighting ----------------------------------------------------------------------------
highlight_language = "go"
pygments_style = "tango"


class GoNBLexer(GoLexer):
    """GoLexer that also accepts GoNB's cell magics.

    GoNB cells may start with `%%`, `%main`, `%goflags ...` or shell lines `!go get ...`, which are
    not Go; plain GoLexer turns their odd characters into error tokens, and Sphinx then warns and
    drops the highlighting of the whole cell. Here such lines read as preprocessor comments, and
    any character Go cannot lex is plain text, so a cell is never left unhighlighted.
    """

    name = "Go (GoNB)"
    aliases: list[str] = []  # registered with Sphinx only, as "go"
    tokens = {
        "root": [
            (r"^[%!](?:[^\n]*\\\n)*[^\n]*\n?", Comment.Preproc),
            inherit,
            (r".", Text),
        ],
    }


# --- math ------------------------------------------------------------------------------------
MATHJAX_DIR = HERE / "_static" / "mathjax"
if (MATHJAX_DIR / "MathJax.js").is_file():
    # MathJax 2 (the copy build.py found locally); the configuration goes inline because Sphinx
    # refuses local asset paths with a "?config=" query.
    html_math_renderer = "mathjax"
    myst_update_mathjax = False  # it writes a MathJax 3 `window.MathJax`, which breaks MathJax 2
    mathjax_path = "mathjax/MathJax.js"
    mathjax2_config = {
        # The combined configuration: jupyter-server-mathjax ships the TeX input and HTML-CSS
        # output only inside it, not as separate jax files.
        "config": ["TeX-AMS-MML_HTMLorMML-full.js"],
        "tex2jax": {
            "inlineMath": [["\\(", "\\)"]],
            "displayMath": [["\\[", "\\]"]],
            "processEscapes": True,
            # myst-nb marks notebook pages "tex2jax_ignore mathjax_ignore" and the formulas
            # "math", as MathJax 3 expects; MathJax 2 needs the same rule spelled out.
            "ignoreClass": "tex2jax_ignore|mathjax_ignore",
            "processClass": "math|tex2jax_process|mathjax_process|output_area",
        },
        # STIX-Web is the one web font jupyter-server-mathjax ships.
        "HTML-CSS": {"availableFonts": [], "preferredFont": None, "webFont": "STIX-Web",
                     "imageFont": None},
        "showMathMenu": False,
        "messageStyle": "none",
    }
    mathjax_options = {"async": "async"}
else:
    html_math_renderer = "godl-tex"


def _tex_inline(self, node: nodes.math) -> None:
    self.body.append(self.starttag(node, "span", "", CLASS="math notranslate godl-tex"))
    self.body.append(self.encode(node.astext()) + "</span>")
    raise nodes.SkipNode


def _tex_block(self, node: nodes.math_block) -> None:
    self.body.append(self.starttag(node, "div", CLASS="math notranslate godl-tex"))
    self.body.append(self.encode(node.astext()) + "</div>\n")
    raise nodes.SkipNode


# --- theme -----------------------------------------------------------------------------------
html_theme = "sphinx_book_theme"
html_static_path = ["_static"]
html_css_files = ["godl.css"]
html_show_sourcelink = False
html_copy_source = True  # the theme's download button offers _sources/<page>.ipynb
html_last_updated_fmt = None
html_theme_options = {
    "repository_url": "https://github.com/godl-book/godl",
    "repository_branch": "main",
    "path_to_docs": "book",
    "use_repository_button": True,
    "use_download_button": True,
    "use_fullscreen_button": False,
    "home_page_in_toc": True,
    "show_navbar_depth": 1,
    "show_toc_level": 2,
    "navigation_with_keys": False,
    "launch_buttons": {},
    # pydata-sphinx-theme 0.20 puts a second search field in a top bar unless this is set;
    # sphinx-book-theme already has one in the sidebar.
    "navbar_persistent": [],
}


def setup(app):
    app.add_lexer("go", GoNBLexer)
    app.add_html_math_renderer(
        "godl-tex", inline_renderers=(_tex_inline, None), block_renderers=(_tex_block, None)
    )
    return {"parallel_read_safe": True}

