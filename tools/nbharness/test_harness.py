"""Tests of the notebook harness: it passes a good notebook, fails a broken one, and lints."""
import json
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


def test_cell_failure_leaves_figures_out():
    cell = nbformat.v4.new_code_cell("x")
    figure = {"text/html": "<svg><text>epoch axis</text></svg>", "image/svg+xml": "<svg/>"}
    error_page = {"text/html": "<pre>undefined: foo</pre>"}
    cell.outputs = [nbformat.v4.new_output("display_data", data=figure),
                    nbformat.v4.new_output("display_data", data=error_page),
                    nbformat.v4.new_output("stream", name="stderr", text="exit status 1\n")]
    text = h.cell_failure(cell)
    assert "undefined: foo" in text and "epoch axis" not in text, text


def test_lint_limits_line_width():
    wide = 'check.True("x", true) // ' + "w" * 70  # 95 columns: a warning
    too_wide = wide + "w" * 10  # 105 columns: a failure
    nb = notebook(h.SETUP_CELL, wide)
    assert h.lint(nb, "x") == []
    assert h.warnings(nb) == ["cell 2 line 1: 95 columns (aim for 90)"]
    nb = notebook(h.SETUP_CELL, "x := 1\n" + too_wide)
    assert any("cell 2 line 2: 105 columns, at most 100" in p for p in h.lint(nb, "x"))
    assert h.warnings(notebook(h.SETUP_CELL, 'check.True("x", true)')) == [], "setup cell is exempt"


def unreadable(tmp_path):
    """A notebook that is not JSON, one that is JSON but no notebook, and a missing one."""
    (tmp_path / "not-json.ipynb").write_text('{"cells": [', encoding="utf-8")
    (tmp_path / "not-notebook.ipynb").write_text(json.dumps({"cells": 3}), encoding="utf-8")
    return [tmp_path / "not-json.ipynb", tmp_path / "not-notebook.ipynb", tmp_path / "missing.ipynb"]


def test_lint_only_names_unreadable_notebooks(tmp_path, capsys):
    bad = unreadable(tmp_path)
    rc = h.main([*map(str, bad), str(DATA / "good.ipynb"), "--lint-only"])
    out = capsys.readouterr().out
    assert rc == 1
    assert f"FAIL {bad[0]}: not valid JSON" in out
    assert f"FAIL {bad[1]}: not a valid notebook" in out
    assert f"FAIL {bad[2]}: no such file" in out
    assert out.strip().splitlines()[-1] == "1 passed, 3 failed"


def test_good_passes_and_broken_fails(tmp_path, capfd):
    bad = unreadable(tmp_path)
    out_dir = tmp_path / "out"
    args = [str(bad[0]), str(DATA / "good.ipynb"), str(bad[2]), str(DATA / "broken.ipynb")]
    rc = h.main(args + ["--out", str(out_dir)])
    out, err = capfd.readouterr()
    assert rc == 1
    assert out.strip().splitlines()[-1] == "1 passed, 3 failed", "unreadable notebooks fail, the rest run"
    assert f"FAIL {bad[0]}: not valid JSON" in out and f"FAIL {bad[2]}: no such file" in out
    assert "FAIL" in out and "broken.ipynb" in out and "✗ deliberately broken" in out
    # The kernel's log goes to a file; only the failing notebook's tail is printed.
    assert (out_dir / "logs" / "good.log").read_text().count("jpyexec.go") > 0
    assert "kernel's log" in out and (out + err).count("jpyexec.go") <= h.LOG_TAIL
    assert "good.log" not in out
    broken = nbformat.read(out_dir / "broken.ipynb", as_version=4)
    assert broken.cells[-1].outputs == [], "the harness must stop at the first failing cell"
    assert broken.metadata["godl"]["passed"] is False
    executed = nbformat.read(out_dir / "good.ipynb", as_version=4)
    assert executed.metadata["godl"]["mode"] in ("quick", "full")
    assert executed.metadata["godl"]["key"] == h.nbcache.key(DATA / "good.ipynb")
    assert executed.metadata["godl"]["passed"] is True
    assert "remove-output" in executed.cells[1].metadata["tags"], "the setup cell's output is hidden on the site"
    texts = "".join(o.get("text", "") for c in executed.cells if c.cell_type == "code" for o in c.outputs)
    assert "✓ two plus two: 4 == 4" in texts
    # Run again: the good copy is current and is not rerun; the broken one runs again.
    assert h.is_current(DATA / "good.ipynb", out_dir) and not h.is_current(DATA / "broken.ipynb", out_dir)
    rc = h.main([str(DATA / "good.ipynb"), "--out", str(out_dir), "--skip-current"])
    assert rc == 0 and "is current, not run again" in capfd.readouterr().out


def test_compile_error_fails(tmp_path, capsys):
    rc = h.main([str(DATA / "compile_error.ipynb"), "--out", ""])
    out = capsys.readouterr().out
    assert rc == 1 and "0 passed, 1 failed" in out and "undefined" in out
