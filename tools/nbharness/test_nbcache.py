"""Tests of the notebooks' cache keys: what changes a key, and what does not."""
import json

import pytest

import nbcache

MODULE = "example.com/book"


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


@pytest.fixture
def repo(tmp_path):
    """A module whose pkg/a imports pkg/b; pkg/c is imported by nothing; a notebook imports a."""
    write(tmp_path / "go.mod", f"module {MODULE}\n\ngo 1.26\n")
    write(tmp_path / "go.sum", "")
    write(tmp_path / "pkg/a/a.go", f'package a\n\nimport (\n\t"fmt"\n\t"{MODULE}/pkg/b"\n)\n')
    write(tmp_path / "pkg/a/a_test.go", "package a\n")
    write(tmp_path / "pkg/b/b.go", "package b\n\nconst B = 1\n")
    write(tmp_path / "pkg/b/table.csv", "1,2\n")  # an embedded file, say
    write(tmp_path / "pkg/c/c.go", "package c\n")
    nb = {"cells": [{"cell_type": "markdown", "source": f'"{MODULE}/pkg/c" in prose'},
                    {"cell_type": "code", "source": ["import (\n", f'\t"{MODULE}/pkg/a"\n', ")\n"]}],
          "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    write(tmp_path / "notebooks/01-x.ipynb", json.dumps(nb))
    return tmp_path


def test_packages_reached_from_the_notebook(repo):
    code = nbcache.notebook_code(repo / "notebooks/01-x.ipynb")
    assert nbcache.imports_in(code, MODULE) == {f"{MODULE}/pkg/a"}
    assert nbcache.packages(repo, {f"{MODULE}/pkg/a"}) == [f"{MODULE}/pkg/a", f"{MODULE}/pkg/b"]


@pytest.mark.parametrize("changed,changes_key", [
    ("pkg/a/a.go", True),
    ("pkg/b/b.go", True),  # imported through pkg/a
    ("pkg/b/table.csv", True),
    ("go.mod", True),
    ("go.sum", True),
    ("notebooks/01-x.ipynb", True),
    ("pkg/c/c.go", False),  # named only in a markdown cell
    ("pkg/a/a_test.go", False),
    ("pkg/b/testdata/golden.json", False),
    ("README.md", False),
])
def test_key_changes_with_what_the_notebook_imports(repo, changed, changes_key):
    nb = repo / "notebooks/01-x.ipynb"
    before = nbcache.key(nb, repo)
    assert nbcache.key(nb, repo) == before, "the key is deterministic"
    path = repo / changed
    if changed.endswith(".ipynb"):
        write(path, path.read_text().replace("prose", "text"))
    else:
        write(path, (path.read_text() if path.exists() else "") + "// edited\n")
    assert (nbcache.key(nb, repo) != before) == changes_key


def test_real_notebooks_reach_the_library():
    module = nbcache.module_path(nbcache.REPO)
    nb = nbcache.REPO / "notebooks" / "04-training-a-classifier.ipynb"
    pkgs = nbcache.packages(nbcache.REPO, nbcache.imports_in(nbcache.notebook_code(nb), module))
    assert f"{module}/pkg/training" in pkgs and f"{module}/pkg/backend" in pkgs, pkgs
