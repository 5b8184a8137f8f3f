"""Tests of the notebook harness: it passes a good notebook, fails a broken one, and lints."""
import pathlib

import nbformat
import pytest

import run_notebooks as h

HERE = pathlib.Path(__file__).parent
DATA = HERE / "testdata"


def notebook(*cells):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "gonb", "display_name": "Go (gonb)", "language": "go"}
    nb.cells = [nbformat.v4.new_markdown_cell("# 99 · Test")] + [nbformat.v4.new_code_cell(c) for c in cells]
    return nb


def test_lint_accepts_conventional_notebook():
    assert h.lint(notebook(h.SETUP_CELL, 'check.True("x", true)'), "x") == []


@pytest.mark.parametrize("nb,problem", [
    (notebook('check.True("x", true)'), "standard setup cell"),
    (notebook(h.SETUP_CELL, "\n".join(["x := 1"] * 16) + "\ncheck.True(\"x\", true)"), "at most 15"),
    (notebook(h.SETUP_CELL, 'fmt.Println("no assertion")'), "no `check.`"),
])
def test_lint_rejects(nb, problem):
    assert any(problem in p for p in h.lint(nb, "x")), h.lint(nb, "x")


def test_lint_rejects_outputs():
    nb = notebook(h.SETUP_CELL, 'check.True("x", true)')
    nb.cells[2].outputs = [nbformat.v4.new_output("stream", name="stdout", text="hi")]
    assert any("committed with outputs" in p for p in h.lint(nb, "x"))


def test_cell_failure_reads_exit_status():
    cell = nbformat.v4.new_code_cell("x")
    cell.outputs = [nbformat.v4.new_output("stream", name="stderr", text="✗ acc: 0.1 ≥ 0.9\nexit status 1\n")]
    assert "exit status 1" in h.cell_failure(cell)
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="exit status 1 is fine in stdout\n")]
    assert h.cell_failure(cell) is None


def test_good_passes_and_broken_fails(tmp_path, capsys):
    rc = h.main([str(DATA / "good.ipynb"), str(DATA / "broken.ipynb"), "--out", str(tmp_path)])
    out = capsys.readouterr().out
    assert rc == 1
    assert out.strip().splitlines()[-1] == "1 passed, 1 failed"
    assert "FAIL" in out and "broken.ipynb" in out and "✗ deliberately broken" in out
    broken = nbformat.read(tmp_path / "broken.ipynb", as_version=4)
    assert broken.cells[-1].outputs == [], "the harness must stop at the first failing cell"
    executed = nbformat.read(tmp_path / "good.ipynb", as_version=4)
    assert executed.metadata["godl"]["mode"] in ("quick", "full")
    assert "remove-output" in executed.cells[1].metadata["tags"], "the setup cell's output is hidden on the site"
    texts = "".join(o.get("text", "") for c in executed.cells if c.cell_type == "code" for o in c.outputs)
    assert "✓ two plus two: 4 == 4" in texts


def test_compile_error_fails(tmp_path, capsys):
    rc = h.main([str(DATA / "compile_error.ipynb"), "--out", ""])
    out = capsys.readouterr().out
    assert rc == 1 and "0 passed, 1 failed" in out and "undefined" in out
