"""The book's plan, kept in the repository: book/plan.md, book/chapters.yml and README.md agree.

book/plan.md is the plan (chapters in order, with the library each grows and its data);
book/chapters.yml adds the slugs and is what build.py reads for the site's index; README.md's
chapter table is written from chapters.yml between two markers. tools/site/test_site.py checks
that the three agree, from the repository alone.

    .venv/bin/python tools/site/plan.py            # check; exit 1 naming what differs
    .venv/bin/python tools/site/plan.py --write    # rewrite README.md's chapter table
    .venv/bin/python tools/site/plan.py --refresh ../shared/BOOK_PLAN.md   # copy a newer plan in
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
PLAN = REPO / "book" / "plan.md"
CHAPTERS = REPO / "book" / "chapters.yml"
README = REPO / "README.md"
README_BEGIN = "<!-- godl:chapter-table (written by tools/site/plan.py --write) -->"
README_END = "<!-- /godl:chapter-table -->"


def plan_rows(path: Path | None = None) -> list[tuple[str, str, str]]:
    """(part, number, title) for each chapter row of the plan's table (book/plan.md by default)."""
    path = path or PLAN
    if not path.is_file():
        raise SystemExit(f"plan: {path} not found")
    rows, part = [], None
    for line in path.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 2:
            continue
        if m := re.fullmatch(r"\*\*([IVX]+|A)\*\*", cells[0]):
            part = m[1]
        elif re.fullmatch(r"\d\d|A\d", cells[0]):
            if part is None:
                raise SystemExit(f"plan: {path}: chapter {cells[0]} comes before any part row")
            rows.append((part, cells[0], cells[1]))
    if not rows:
        raise SystemExit(f"plan: {path}: no chapter table (rows like '| 01 | tensors | … |')")
    return rows


def yml_rows() -> list[tuple[str, str, str, str]]:
    """(part, part title, number, title) for each chapter of book/chapters.yml."""
    data = yaml.safe_load(CHAPTERS.read_text(encoding="utf-8"))
    return [(str(p["part"]), p["title"], str(c["number"]), c["title"])
            for p in data["parts"] for c in p["chapters"]]


def readme_table(rows: list[tuple[str, str, str, str]]) -> str:
    """The README's chapter table, part rows in bold, from chapters.yml's rows."""
    out, part = ["| # | chapter |", "|---|---|"], None
    for p, part_title, number, title in rows:
        if p != part:
            out.append(f"| **{p}** | **{part_title}** |")
            part = p
        out.append(f"| {number} | {title} |")
    return "\n".join(out)


def readme_with_table(text: str, table: str) -> str:
    begin, end = text.find(README_BEGIN), text.find(README_END)
    if begin < 0 or end < begin:
        raise SystemExit(f"plan: {README}: the markers {README_BEGIN} … {README_END} are missing")
    return text[:begin + len(README_BEGIN)] + "\n" + table + "\n" + text[end:]


def differences() -> list[str]:
    """What disagrees between plan.md, chapters.yml and README.md; empty when all agree."""
    problems = []
    plan = [(p, n, t.lower()) for p, n, t in plan_rows()]
    yml = yml_rows()
    ours = [(p, n, t.lower()) for p, _, n, t in yml]
    for a, b in zip(plan, ours):
        if a != b:
            problems.append(f"{PLAN.name} has {a}, {CHAPTERS.name} has {b}")
            break
    if len(plan) != len(ours):
        problems.append(f"{PLAN.name} has {len(plan)} chapters, {CHAPTERS.name} {len(ours)}")
    text = README.read_text(encoding="utf-8")
    if readme_with_table(text, readme_table(yml)) != text:
        problems.append(f"{README.name}'s chapter table differs from {CHAPTERS.name} "
                        "(run tools/site/plan.py --write)")
    return problems


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="Check (or refresh) the book's plan; see the docstring.")
    p.add_argument("--refresh", type=Path, metavar="BOOK_PLAN.md",
                   help="copy this plan over book/plan.md first")
    p.add_argument("--write", action="store_true", help="rewrite README.md's chapter table")
    args = p.parse_args(argv)
    if args.refresh:
        plan_rows(args.refresh)  # refuse a file without a chapter table
        shutil.copyfile(args.refresh, PLAN)
        print(f"plan: copied {args.refresh} to {PLAN}")
    if args.write:
        text = README.read_text(encoding="utf-8")
        README.write_text(readme_with_table(text, readme_table(yml_rows())), encoding="utf-8")
    problems = differences()
    for line in problems:
        print(f"plan: {line}", file=sys.stderr)
    if not problems:
        print(f"plan: {PLAN.name}, {CHAPTERS.name} and {README.name} agree "
              f"({len(yml_rows())} entries)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
