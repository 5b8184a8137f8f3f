"""Checks of the workshop image's Dockerfile that need no Docker engine.

It cannot be built here, so these tests check what can be: the instructions parse, every COPY
source exists and is not excluded by .dockerignore, the image runs the README's set-up
command (`make setup`) and installs Makefile's APT_PACKAGES, the Go version is new enough for
go.mod, the entrypoint is an executable bash script that parses, it listens on the EXPOSEd port,
and, run here against this checkout, it starts JupyterLab with the GoNB kernel on notebooks/.
"""

from __future__ import annotations

import fnmatch
import json
import os
import re
import shlex
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DOCKERFILE = REPO / "Dockerfile"
ENTRYPOINT = REPO / "docker" / "entrypoint.sh"
IMAGE_HOME = "/opt/godl"


def instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    out, buf = [], ""
    for line in DOCKERFILE.read_text(encoding="utf-8").splitlines():
        if not buf and (not line.strip() or line.lstrip().startswith("#")):
            continue
        if buf and line.lstrip().startswith("#"):
            continue  # comments inside a continued instruction
        if line.rstrip().endswith("\\"):
            buf += line.rstrip()[:-1] + " "
            continue
        buf += line
        word, _, rest = buf.strip().partition(" ")
        out.append((word.upper(), rest.strip()))
        buf = ""
    assert not buf, "Dockerfile ends inside a continued line"
    return out


def args_of(rest: str) -> list[str]:
    """Arguments in exec (JSON) or shell form."""
    if rest.startswith("["):
        return json.loads(rest)
    return shlex.split(rest)


def build_args() -> dict[str, str]:
    return {k: v for word, rest in instructions() if word == "ARG"
            for k, _, v in [rest.partition("=")]}


def expand(text: str) -> str:
    args = build_args()
    return re.sub(r"\$\{?(\w+)\}?", lambda m: args.get(m[1], m[0]), text)


def run_commands() -> list[str]:
    return [rest for word, rest in instructions() if word == "RUN"]


def makefile_var(name: str) -> list[str]:
    m = re.search(rf"^{name}\s*:?=\s*(.*)$", (REPO / "Makefile").read_text(), re.M)
    assert m, f"Makefile has no {name}"
    return m[1].split()


def dockerignore() -> list[str]:
    path = REPO / ".dockerignore"
    return [line.strip() for line in path.read_text().splitlines()
            if line.strip() and not line.startswith("#")]


def ignored(rel: str) -> bool:
    rel = rel.strip("/")
    excluded = False
    for pat in dockerignore():
        neg = pat.startswith("!")
        pat = pat.lstrip("!").strip("/")
        parts = rel.split("/")
        # A pattern matches the path or any folder above it.
        hit = any(fnmatch.fnmatch("/".join(parts[:i]), pat) or
                  fnmatch.fnmatch("/".join(parts[:i]), pat.replace("**/", ""))
                  for i in range(1, len(parts) + 1))
        if hit:
            excluded = not neg
    return excluded


def test_dockerfile_parses_and_starts_from_official_go_image():
    ins = instructions()
    froms = [expand(rest) for word, rest in ins if word == "FROM"]
    assert len(froms) == 1 and froms[0].startswith("golang:"), froms
    image_go = re.match(r"golang:(\d+\.\d+(?:\.\d+)?)", froms[0])
    mod_go = re.search(r"^go (\d+\.\d+(?:\.\d+)?)$", (REPO / "go.mod").read_text(), re.M)
    assert image_go and mod_go

    def version(v):
        return tuple(int(x) for x in v.split(".")) + (0,) * (3 - v.count(".") - 1)

    assert version(image_go[1]) >= version(mod_go[1]), (
        f"{froms[0]} is older than go.mod's go {mod_go[1]} (the image sets GOTOOLCHAIN=local)")
    assert ("WORKDIR", IMAGE_HOME) in ins


def test_copy_sources_exist_and_are_not_ignored():
    copies = [(w, args_of(rest)) for w, rest in instructions() if w in {"COPY", "ADD"}]
    assert copies
    for word, args in copies:
        assert not any(a.startswith("--from") for a in args), "no multi-stage copies expected"
        srcs = [a for a in args[:-1] if not a.startswith("--")]
        for src in srcs:
            assert not re.match(r"^[a-z]+://", src), f"{word} {src}: downloads are not reproducible"
            if src == ".":
                continue
            assert (REPO / src).exists(), f"{word} {src}: no such file in the repository"
            assert not ignored(src), f"{word} {src}: excluded by .dockerignore"
    whole = [args for _, args in copies if args[:-1] == ["."]]
    assert whole and whole[-1][-1] in {".", "./", IMAGE_HOME, IMAGE_HOME + "/"}


def test_dockerignore_leaves_out_build_outputs():
    for p in [".venv", ".bin", "build"]:
        assert ignored(p) and ignored(p + "/some/file"), p
    for p in ["Makefile", "go.mod", "notebooks/01-tensors.ipynb", "pkg/backend/backend.go",
              "docker/entrypoint.sh", "tools/kernel_env.py", "requirements.txt"]:
        assert not ignored(p), p


def test_runs_the_readme_setup_command():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert re.search(r"^make setup\b", readme, re.M), "README.md no longer says `make setup`"
    assert any(re.search(r"(^|&&|;)\s*make setup\b", cmd) for cmd in run_commands())


def test_make_targets_exist():
    makefile = (REPO / "Makefile").read_text()
    targets = set(re.findall(r"^([^\s:#=][^:=]*?)\s*:(?!=)", makefile, re.M))
    targets = {t for line in targets for t in line.split()}
    targets |= {t.replace("$(VENV)", ".venv") for t in targets}
    for cmd in run_commands():
        for m in re.finditer(r"\bmake((?:\s+[\w./-]+)+)", cmd):
            for target in m[1].split():
                if target.startswith("-") or target in {"&&"}:
                    break
                assert target in targets, f"`make {target}`: no such target in Makefile"


def test_installs_the_same_apt_packages_as_make_setup():
    words = set()
    for cmd in run_commands():
        for m in re.finditer(r"apt-get install ([^&;|]*)", cmd):
            words |= {w for w in m[1].split() if not w.startswith("-")}
    missing = set(makefile_var("APT_PACKAGES")) - words
    assert not missing, f"Dockerfile does not install {sorted(missing)}"


def entrypoint_port() -> str:
    m = re.search(r'GODL_PORT="\$\{GODL_PORT:-(\d+)\}"', ENTRYPOINT.read_text())
    assert m, "entrypoint.sh: no default GODL_PORT"
    return m[1]


def test_entrypoint_is_executable_bash_and_matches_expose():
    ep = [args_of(rest) for w, rest in instructions() if w == "ENTRYPOINT"]
    assert ep and ep[-1][0] == f"{IMAGE_HOME}/docker/entrypoint.sh", ep
    assert ENTRYPOINT.is_file() and os.access(ENTRYPOINT, os.X_OK)
    assert ENTRYPOINT.read_text().startswith("#!/usr/bin/env bash")
    r = subprocess.run(["bash", "-n", str(ENTRYPOINT)], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    exposed = [p.split("/")[0] for w, rest in instructions() if w == "EXPOSE" for p in rest.split()]
    assert exposed == [entrypoint_port()]
    text = ENTRYPOINT.read_text()
    assert "--ip=0.0.0.0" in text and "JUPYTER_TOKEN" in text


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str):
    with urllib.request.urlopen(url, timeout=5) as r:
        return r.status, r.read()


def test_entrypoint_starts_jupyterlab_on_the_notebooks(tmp_path):
    """Runs docker/entrypoint.sh against this checkout, as the container would against /opt/godl."""
    assert (REPO / ".venv" / "bin" / "jupyter").exists(), "no .venv: run `make setup` first"
    port = _free_port()
    env = dict(os.environ, GODL_HOME=str(REPO), GODL_PORT=str(port),
               JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"))
    env.pop("JUPYTER_TOKEN", None)
    log = (tmp_path / "jupyter.log").open("w")
    proc = subprocess.Popen([str(ENTRYPOINT)], env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(120):
            try:
                if _get(base + "/api/status")[0] == 200:
                    break
            except OSError:
                pass
            assert proc.poll() is None, (tmp_path / "jupyter.log").read_text()
            time.sleep(0.5)
        else:
            pytest.fail("JupyterLab did not answer in 60 s:\n" + (tmp_path / "jupyter.log").read_text())
        status, body = _get(base + "/lab")  # no token asked
        assert status == 200 and b"JupyterLab" in body
        specs = json.loads(_get(base + "/api/kernelspecs")[1])
        assert "gonb" in specs["kernelspecs"], "GoNB kernel not registered: run `make setup` first"
        assert specs["default"] == "gonb"
        names = {c["name"] for c in json.loads(_get(base + "/api/contents")[1])["content"]}
        expected = {p.name for p in (REPO / "notebooks").glob("*.ipynb")}
        assert expected <= names, f"JupyterLab does not open notebooks/: {names}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
