"""Checks of the workshop image's Dockerfile that need no Docker engine.

It cannot be built here, so these tests check what can be: the instructions parse, every COPY
source exists and is not excluded by .dockerignore, the image runs the README's set-up
command (`make setup`) and installs Makefile's APT_PACKAGES but not the test-only ones, runs as
a user other than root, the Go version is new enough for go.mod, the README and the site publish
the port on 127.0.0.1 only, and the entrypoint is an executable bash script that parses and
listens on the EXPOSEd port. Its behaviour is tested with a fake `jupyter` that records its
arguments (a token is made when none is given, a given one is used, running without one is
refused unless asked for, terminals are off), and, run here against this checkout, it starts
JupyterLab with the GoNB kernel on notebooks/, asking for the token.
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
import urllib.error
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
    whole = [args for _, args in copies if [a for a in args[:-1] if not a.startswith("--")] == ["."]]
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
        for m in re.finditer(r"\bmake\s+([^&;|]*)", cmd):
            for word in m[1].split():
                if word.startswith("-") or "=" in word or word.startswith('"'):
                    continue  # options and variable settings (make setup X="...")
                assert word in targets, f"`make {word}`: no such target in Makefile"


def test_installs_make_setups_apt_packages_but_not_the_test_tools():
    words = set()
    for cmd in run_commands():
        for m in re.finditer(r"apt-get install ([^&;|]*)", cmd):
            words |= {w for w in m[1].split() if not w.startswith("-")}
    missing = set(makefile_var("APT_PACKAGES")) - words
    assert not missing, f"Dockerfile does not install {sorted(missing)}"
    test_only = set(makefile_var("APT_TEST_PACKAGES"))
    assert test_only and not test_only & words, f"the workshop image installs {test_only & words}"
    assert build_args().get("TEST_TOOLS") == '""' and "${TEST_TOOLS}" in words, (
        "test-only packages come in through the build argument TEST_TOOLS, empty by default")
    assert any('APT_TEST_PACKAGES="${TEST_TOOLS}"' in cmd for cmd in run_commands())


def test_runs_as_a_user_other_than_root():
    users = [rest for word, rest in instructions() if word == "USER"]
    assert users and users[-1].split(":")[0] not in {"root", "0"}, users
    assert any(f"chown {users[-1]}" in cmd for cmd in run_commands()), "the user owns /opt/godl"


def test_docs_publish_the_port_on_localhost_only():
    for path in [REPO / "README.md", REPO / "book" / "index.md", DOCKERFILE, ENTRYPOINT]:
        text = path.read_text(encoding="utf-8")
        runs = re.findall(r"docker run[^\n`]*", text)
        published = [r for r in runs if " -p " in r]
        assert all("-p 127.0.0.1:" in r for r in published), f"{path.name}: {published}"
        if path in (REPO / "README.md", REPO / "book" / "index.md"):
            assert published, f"{path.name} does not show how to run the image"


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


FAKE_JUPYTER = """#!/usr/bin/env bash
# A stand-in for jupyter: records its arguments and the token variables it was given.
{ printf '%s\\n' "$@"; echo "ENV JUPYTER_TOKEN=${JUPYTER_TOKEN-unset}"; } > "$FAKE_JUPYTER_LOG"
"""


def run_entrypoint(tmp_path, env: dict, *args) -> tuple[subprocess.CompletedProcess, list[str]]:
    """Runs docker/entrypoint.sh with a fake jupyter first on PATH; returns the result and the
    arguments jupyter got ([] if it did not start)."""
    home, fake = tmp_path / "home", tmp_path / "bin"
    (home / "notebooks").mkdir(parents=True, exist_ok=True)
    fake.mkdir(exist_ok=True)
    (fake / "jupyter").write_text(FAKE_JUPYTER)
    (fake / "jupyter").chmod(0o755)
    # The venv's python, which hashes JUPYTER_PASSWORD with jupyter_server.
    (fake / "python3").write_text(f'#!/bin/sh\nexec "{REPO}/.venv/bin/python" "$@"\n')
    (fake / "python3").chmod(0o755)
    log = tmp_path / "jupyter-args"
    log.unlink(missing_ok=True)
    base = {k: v for k, v in os.environ.items()
            if k not in {"JUPYTER_TOKEN", "JUPYTER_PASSWORD", "GODL_NO_TOKEN", "GODL_TERMINALS"}}
    full_env = dict(base, PATH=f"{fake}:{base['PATH']}", GODL_HOME=str(home),
                    FAKE_JUPYTER_LOG=str(log), **env)
    r = subprocess.run([str(ENTRYPOINT), *args], env=full_env, capture_output=True, text=True,
                       timeout=60)
    return r, log.read_text().splitlines() if log.exists() else []


def option(args: list[str], name: str) -> str | None:
    values = [a.split("=", 1)[1] for a in args if a.startswith(name + "=")]
    assert len(values) <= 1, f"{name} given twice: {values}"
    return values[0] if values else None


def test_entrypoint_makes_a_random_token_and_prints_its_url(tmp_path):
    tokens = []
    for _ in range(2):
        r, args = run_entrypoint(tmp_path, {})
        assert r.returncode == 0, r.stderr
        token = option(args, "--IdentityProvider.token")
        assert token and re.fullmatch(r"[0-9a-f]{48}", token), args
        assert f"http://127.0.0.1:8888/lab?token={token}" in r.stderr
        assert "ENV JUPYTER_TOKEN=unset" in args, "the token is passed once, on the command line"
        tokens.append(token)
    assert tokens[0] != tokens[1], "a new token at every start"
    assert option(args, "--ServerApp.terminals_enabled") == "False"
    assert "--allow-root" in args if os.getuid() == 0 else "--allow-root" not in args
    assert option(args, "--ServerApp.root_dir") == str(tmp_path / "home" / "notebooks")
    assert option(args, "--MappingKernelManager.default_kernel_name") == "gonb"
    assert args[0] == "lab" and "--no-browser" in args


def test_entrypoint_uses_the_token_or_password_given(tmp_path):
    r, args = run_entrypoint(tmp_path, {"JUPYTER_TOKEN": "s3cret"}, "--ServerApp.base_url=/godl/")
    assert r.returncode == 0, r.stderr
    assert option(args, "--IdentityProvider.token") == "s3cret"
    assert "http://127.0.0.1:8888/lab?token=s3cret" in r.stderr
    assert args[-2] == "--ServerApp.base_url=/godl/", "options after the image name go to jupyter"
    r, args = run_entrypoint(tmp_path, {"JUPYTER_PASSWORD": "correct-horse-battery", "GODL_TERMINALS": "1"})
    assert r.returncode == 0, r.stderr
    hashed = option(args, "--PasswordIdentityProvider.hashed_password")
    assert hashed and "correct-horse-battery" not in hashed and option(args, "--IdentityProvider.token") == ""
    assert option(args, "--ServerApp.terminals_enabled") == "True"


@pytest.mark.parametrize("env", [{"JUPYTER_TOKEN": ""}, {"JUPYTER_TOKEN": "", "GODL_NO_TOKEN": "yes"}])
def test_entrypoint_refuses_to_run_without_a_token(tmp_path, env):
    r, args = run_entrypoint(tmp_path, env)
    assert r.returncode == 2 and args == [], "jupyter must not start"
    assert "JUPYTER_TOKEN is empty" in r.stderr and "GODL_NO_TOKEN=1" in r.stderr


def test_entrypoint_runs_without_a_token_when_asked(tmp_path):
    for env in [{"GODL_NO_TOKEN": "1"}, {"JUPYTER_TOKEN": "", "GODL_NO_TOKEN": "1"}]:
        r, args = run_entrypoint(tmp_path, env)
        assert r.returncode == 0, r.stderr
        assert option(args, "--IdentityProvider.token") == ""
        assert "asks for no token" in r.stderr


def test_entrypoint_runs_other_commands_instead(tmp_path):
    r, args = run_entrypoint(tmp_path, {}, "bash", "-c", "echo in $PWD")
    assert r.returncode == 0 and args == []
    assert r.stdout.strip() == f"in {tmp_path / 'home'}"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str):
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, b""


def test_entrypoint_starts_jupyterlab_on_the_notebooks(tmp_path):
    """Runs docker/entrypoint.sh against this checkout, as the container would against /opt/godl."""
    assert (REPO / ".venv" / "bin" / "jupyter").exists(), "no .venv: run `make setup` first"
    port = _free_port()
    env = dict(os.environ, GODL_HOME=str(REPO), GODL_PORT=str(port), JUPYTER_TOKEN="t0ken",
               JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"))
    log = (tmp_path / "jupyter.log").open("w")
    proc = subprocess.Popen([str(ENTRYPOINT)], env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(120):
            try:
                if _get(base + "/api/status?token=t0ken")[0] == 200:
                    break
            except OSError:
                pass
            assert proc.poll() is None, (tmp_path / "jupyter.log").read_text()
            time.sleep(0.5)
        else:
            pytest.fail("JupyterLab did not answer in 60 s:\n" + (tmp_path / "jupyter.log").read_text())
        assert _get(base + "/api/contents")[0] == 403, "the API answers without the token"
        status, body = _get(base + "/lab?token=t0ken")
        assert status == 200 and b"JupyterLab" in body
        assert _get(base + "/api/terminals?token=t0ken")[0] == 404, "terminals are on"
        specs = json.loads(_get(base + "/api/kernelspecs?token=t0ken")[1])
        assert "gonb" in specs["kernelspecs"], "GoNB kernel not registered: run `make setup` first"
        assert specs["default"] == "gonb"
        names = {c["name"] for c in json.loads(_get(base + "/api/contents?token=t0ken")[1])["content"]}
        expected = {p.name for p in (REPO / "notebooks").glob("*.ipynb")}
        assert expected <= names, f"JupyterLab does not open notebooks/: {names}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def test_make_lab_allows_root_only_as_root():
    """JupyterLab refuses to run as root without --allow-root (a container, a cloud VM)."""
    r = subprocess.run(["make", "-s", "lab", "PY=echo"], cwd=REPO, capture_output=True, text=True,
                       timeout=60)
    assert r.returncode == 0, r.stderr
    assert ("--allow-root" in r.stdout.split()) == (os.getuid() == 0), r.stdout
