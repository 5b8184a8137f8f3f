"""Cache keys for executed notebooks, so that an unchanged chapter is not run again.

A notebook's key is a SHA-256 over the notebook file, go.mod, go.sum and every file of the
module's Go packages it imports, directly or through other packages of this module (a package's
files: everything in its folder except *_test.go; its tests and testdata cannot change what the
notebook computes). Editing any of those gives a new key; editing a package the notebook does not
reach does not.
"""
from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def module_path(repo: Path) -> str:
    """The module line of repo/go.mod."""
    gomod = repo / "go.mod"
    m = re.search(r"^module\s+(\S+)", gomod.read_text(encoding="utf-8"), re.M)
    if not m:
        raise ValueError(f"nbcache: {gomod}: no module line")
    return m[1]


def imports_in(text: str, module: str) -> set[str]:
    """Import paths of this module quoted anywhere in text (Go source or a notebook's cells)."""
    return set(re.findall(rf'"({re.escape(module)}(?:/[^"\s]+)?)"', text))


def notebook_code(path: Path) -> str:
    nb = json.loads(path.read_text(encoding="utf-8"))
    return "\n".join("".join(c["source"]) if isinstance(c["source"], list) else c["source"]
                     for c in nb.get("cells", []) if c.get("cell_type") == "code")


def package_files(repo: Path, module: str, importpath: str) -> list[Path]:
    folder = repo / importpath[len(module):].lstrip("/")
    if not folder.is_dir():
        return []
    return sorted(f for f in folder.iterdir() if f.is_file() and not f.name.endswith("_test.go"))


def packages(repo: Path, roots: set[str]) -> list[str]:
    """The module's packages reached from roots (import paths), roots included, sorted."""
    module = module_path(repo)
    seen, todo = set(), [r for r in roots if r.startswith(module)]
    while todo:
        pkg = todo.pop()
        if pkg in seen:
            continue
        seen.add(pkg)
        for f in package_files(repo, module, pkg):
            if f.suffix == ".go":
                todo.extend(imports_in(f.read_text(encoding="utf-8", errors="replace"), module))
    return sorted(seen)


def key(notebook: Path, repo: Path = REPO) -> str:
    """The notebook's cache key (hex SHA-256), as the module docstring describes."""
    h = hashlib.sha256()

    def add(label: str, data: bytes) -> None:
        h.update(f"{label}\0{len(data)}\0".encode())
        h.update(data)

    add("notebook", notebook.read_bytes())
    for name in ("go.mod", "go.sum"):
        if (repo / name).is_file():
            add(name, (repo / name).read_bytes())
    module = module_path(repo)
    for pkg in packages(repo, imports_in(notebook_code(notebook), module)):
        for f in package_files(repo, module, pkg):
            add(str(f.relative_to(repo)), f.read_bytes())
    return h.hexdigest()
