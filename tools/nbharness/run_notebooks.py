#!/usr/bin/env python3
"""Executes the book's notebooks through the GoNB kernel and checks them.

Each notebook is first linted against the book's conventions (see notebooks/CONVENTIONS.md):
committed clean, GoNB kernel, the standard first cell, a "# NN · Title" heading, code cells of at
most MAX_CELL_LINES lines, and at least one `check.` assertion. Then it runs top to bottom with
nbclient; a cell fails when the kernel reports an error (e.g. a compile error) or when the cell's
program exits non-zero — GoNB v0.11 reports that only as an "exit status N" line on stderr, so the
harness reads the outputs for it. Executed copies (with outputs) go to --out for the static site,
with metadata.godl = {mode, key, passed}: the key (tools/nbharness/nbcache.py) lets `make book`
tell a current full-mode copy from a stale one, and --skip-current skip notebooks whose copy in
--out is current and passed. The kernel's own log goes to --out/logs/NAME.log (a temporary file
with --out ''), and its tail is printed only when the notebook fails.

A notebook that cannot be read (missing, not JSON, not a notebook) fails with that reason, and
the harness goes on with the others. The last line printed is "N passed, N failed"; the exit
status is 1 if anything failed.
"""
import argparse
import html
import os
import pathlib
import re
import sys
import tempfile
import time

import nbclient
import nbformat

import nbcache

MAX_CELL_LINES = 15
MAX_COLUMNS = 100  # a longer code line fails the lint
AIM_COLUMNS = 90  # a longer one is reported as a warning
LOG_TAIL = 40  # lines of the kernel's log printed when a notebook fails
SETUP_CELL = '!*rm -f go.work && go work init && go work use . "$(cd "${GONB_DIR}" && dirname "$(go env GOMOD)")"\n%goworkfix\n%noautoget'
TITLE = re.compile(r"^# (\d\d|A\d) · \S")
ANSI = re.compile(r"\x1b\[[0-9;]*m")
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
        for j, cols in long_lines(code_source(cell), MAX_COLUMNS):
            problems.append(f"cell {i} line {j}: {cols} columns, at most {MAX_COLUMNS} (aim for {AIM_COLUMNS})")
    if not any("check." in c.source for c in code):
        problems.append("no `check.` assertion: a notebook must check its results in code")
    return problems


def code_source(cell):
    """A code cell's source for the width lint; the standard setup cell (99 columns) is exempt."""
    return "" if cell.source.strip() == SETUP_CELL else cell.source


def long_lines(source, limit):
    """(line number, columns) of each line longer than limit columns, tabs counted as 4."""
    widths = (len(line.expandtabs(4)) for line in source.splitlines())
    return [(j, w) for j, w in enumerate(widths, 1) if w > limit]


def warnings(nb):
    """Lines between AIM_COLUMNS and MAX_COLUMNS wide: allowed, but they scroll on the site."""
    return [f"cell {i} line {j}: {cols} columns (aim for {AIM_COLUMNS})"
            for i, cell in enumerate(nb.cells) if cell.cell_type == "code"
            for j, cols in long_lines(code_source(cell), AIM_COLUMNS) if cols <= MAX_COLUMNS]


def read(path):
    """Returns (notebook, None), or (None, why it cannot be read)."""
    try:
        nb = nbformat.read(path, as_version=4)
        nbformat.validate(nb)
    except FileNotFoundError:
        return None, "no such file"
    except OSError as e:
        return None, f"cannot read it: {e.strerror or e}"
    except nbformat.reader.NotJSONError:
        return None, "not valid JSON"
    except Exception as e:  # nbformat's schema errors, or its converters choking on odd JSON
        first = (str(e).splitlines() or [type(e).__name__])[0]
        return None, f"not a valid notebook: {first[:200]}"
    return nb, None


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
        elif "text/html" in out.get("data", {}) and "image/svg+xml" not in out.data:
            # GoNB shows compile errors as HTML; figures carry HTML too, beside their SVG
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


def mark_executed(nb, key, passed):
    """Records the mode, cache key and result of the run for the site, and hides the setup
    cell's output there."""
    nb.metadata["godl"] = {"mode": "quick" if quick_mode() else "full", "key": key, "passed": passed}
    setup = next(c for c in nb.cells if c.cell_type == "code")
    tags = setup.metadata.setdefault("tags", [])
    if "remove-output" not in tags:
        tags.append("remove-output")
    return nb


def is_current(path, out_dir):
    """Whether out_dir has a passing copy of path run in this mode from the same sources."""
    copy = out_dir / path.name if out_dir else None
    if not (copy and copy.is_file()):
        return False
    done, problem = read(copy)
    if problem:
        return False
    godl = done.metadata.get("godl", {})
    mode = "quick" if quick_mode() else "full"
    return godl.get("passed") is True and godl.get("mode") == mode and godl.get("key") == nbcache.key(path)


def log_tail(log_path):
    lines = log_path.read_text(encoding="utf-8", errors="replace").splitlines()
    return f"last {min(len(lines), LOG_TAIL)} lines of the kernel's log {log_path}:\n" + "\n".join(
        "    " + ANSI.sub("", line) for line in lines[-LOG_TAIL:])


def execute(nb, path, timeout, log):
    """Runs nb in a GoNB kernel whose output goes to log; returns (failure or "", seconds)."""
    client = nbclient.NotebookClient(
        nb, timeout=timeout, kernel_name="gonb", allow_errors=True, on_cell_executed=stop_on_failure,
        resources={"metadata": {"path": str(path.parent.resolve())}})
    start = time.time()
    try:
        client.execute(stdout=log, stderr=log)
    except CellFailed:
        pass
    except Exception as e:  # the kernel died or a cell timed out
        return f"{type(e).__name__}: {str(e)[-2000:]}", time.time() - start
    seconds = time.time() - start
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            failure = cell_failure(cell)
            if failure:
                first = cell.source.strip().splitlines()[0] if cell.source.strip() else ""
                return f"cell {i} ({first[:60]}):\n{failure}", seconds
    return "", seconds


def run(path, out_dir, timeout):
    """Executes one notebook; returns (ok, message, seconds, executed notebook)."""
    nb, problem = read(path)
    if problem:
        return False, problem, 0.0, None
    for w in warnings(nb):
        print(f"warning: {path}: {w}", flush=True)
    problems = lint(nb, path.name)
    if problems:
        return False, "lint: " + "; ".join(problems), 0.0, None
    key = nbcache.key(path)
    if out_dir:
        (out_dir / "logs").mkdir(parents=True, exist_ok=True)
        log_path = out_dir / "logs" / (path.stem + ".log")
    else:
        fd, name = tempfile.mkstemp(prefix=f"godl-{path.stem}-", suffix=".log")
        os.close(fd)
        log_path = pathlib.Path(name)
    with log_path.open("w", encoding="utf-8") as log:
        failure, seconds = execute(nb, path, timeout, log)
    if out_dir:
        nbformat.write(mark_executed(nb, key, not failure), out_dir / path.name)
    if failure:
        return False, f"{failure}\n{log_tail(log_path)}", seconds, nb
    if not out_dir:
        log_path.unlink()
    return True, "", seconds, nb


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("notebooks", nargs="*", help="notebook files (default: notebooks/*.ipynb)")
    p.add_argument("--nb", default="", help="run only notebooks whose name starts with this, e.g. 01")
    p.add_argument("--out", default="build/executed", help="folder for executed copies ('' for none)")
    p.add_argument("--timeout", type=int, default=1200, help="seconds per cell")
    p.add_argument("--lint-only", action="store_true", help="check conventions without executing")
    p.add_argument("--skip-current", action="store_true",
                   help="skip notebooks whose copy in --out passed in this mode from the same sources")
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
            nb, problem = read(path)
            problems = [problem] if problem else lint(nb, path.name)
            for w in warnings(nb) if nb else []:
                print(f"warning: {path}: {w}", flush=True)
            ok, msg, secs = not problems, "; ".join(problems), 0.0
        elif args.skip_current and is_current(path, out_dir):
            print(f"✓ {path}: {out_dir / path.name} is current, not run again", flush=True)
            ok, msg, secs = True, "", 0.0
        else:
            print(f"▶ {path} ({'quick' if quick_mode() else 'full'} mode)", flush=True)
            try:
                ok, msg, secs, _ = run(path, out_dir, args.timeout)
            except Exception as e:  # a bug here must not hide the other notebooks' results
                ok, msg, secs = False, f"harness error: {type(e).__name__}: {e}", 0.0
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
