#!/usr/bin/env bash
# Entrypoint of the godl image: JupyterLab with the GoNB kernel on the notebooks, on port 8888.
#
# Secure by default, as Jupyter's docker-stacks are:
#   - a random token is made at every start and printed as a URL to open, unless JUPYTER_TOKEN
#     (or JUPYTER_PASSWORD, a password to type in the login page) is given;
#   - an empty JUPYTER_TOKEN, or no token at all, is refused unless GODL_NO_TOKEN=1 says so;
#   - JupyterLab's terminals are off (GODL_TERMINALS=1 turns them on);
#   - the image runs as the user godl; as root (docker run --user root) JupyterLab gets
#     --allow-root, with a warning.
# Publish the port on this machine only: docker run --rm -p 127.0.0.1:8888:8888 godl
# Arguments starting with "-" go to JupyterLab (e.g. --ServerApp.base_url=/godl/); any other
# command runs instead of it (docker run -it godl bash, docker run godl make test).
set -euo pipefail

GODL_HOME="${GODL_HOME:-/opt/godl}"
GODL_PORT="${GODL_PORT:-8888}"

cd "$GODL_HOME"
export PATH="$GODL_HOME/.venv/bin:$GODL_HOME/.bin:$PATH"

if [ $# -gt 0 ] && [ "${1#-}" = "$1" ]; then
  exec "$@"
fi

fail() {
  echo "godl: $*" >&2
  exit 2
}

if ! [[ "$GODL_PORT" =~ ^[0-9]+$ ]]; then
  fail "GODL_PORT=$GODL_PORT: not a port number"
fi

auth=()
shown_url=""
if [ -n "${JUPYTER_PASSWORD:-}" ]; then
  hashed=$(python3 -c 'import os; from jupyter_server.auth import passwd
print(passwd(os.environ["JUPYTER_PASSWORD"]))') || fail "JUPYTER_PASSWORD: could not hash it"
  auth=(--IdentityProvider.token= --PasswordIdentityProvider.hashed_password="$hashed")
  shown_url="http://127.0.0.1:$GODL_PORT/lab (log in with JUPYTER_PASSWORD)"
  unset JUPYTER_PASSWORD
elif [ -n "${JUPYTER_TOKEN:-}" ]; then
  auth=(--IdentityProvider.token="$JUPYTER_TOKEN")
  shown_url="http://127.0.0.1:$GODL_PORT/lab?token=$JUPYTER_TOKEN"
elif [ "${JUPYTER_TOKEN+set}" = set ] || [ "${GODL_NO_TOKEN:-}" = 1 ]; then
  # An empty JUPYTER_TOKEN asks for no authentication at all: only when said twice.
  if [ "${GODL_NO_TOKEN:-}" != 1 ]; then
    fail "JUPYTER_TOKEN is empty: anyone who reaches port $GODL_PORT could run code here." \
      "Set a token, or GODL_NO_TOKEN=1 to run without one (only with -p 127.0.0.1:...)."
  fi
  echo "godl: GODL_NO_TOKEN=1: JupyterLab asks for no token; publish its port on 127.0.0.1 only" >&2
  auth=(--IdentityProvider.token=)
  shown_url="http://127.0.0.1:$GODL_PORT/lab"
else
  JUPYTER_TOKEN=$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n')
  [ ${#JUPYTER_TOKEN} -eq 48 ] || fail "could not read a random token from /dev/urandom"
  auth=(--IdentityProvider.token="$JUPYTER_TOKEN")
  shown_url="http://127.0.0.1:$GODL_PORT/lab?token=$JUPYTER_TOKEN"
fi
unset JUPYTER_TOKEN  # passed on the command line; jupyter_server would read it too

terminals=False
[ "${GODL_TERMINALS:-}" = 1 ] && terminals=True

root=()
if [ "$(id -u)" = 0 ]; then
  echo "godl: running as root; the image's user is godl (docker run without --user root)" >&2
  root=(--allow-root)
fi

echo "godl: JupyterLab is starting; open ${shown_url}" >&2

# --ip=0.0.0.0: inside the container, so that the published port reaches it; which host
# addresses reach it is decided by `docker run -p` (127.0.0.1 in the README).
exec jupyter lab \
  --ip=0.0.0.0 \
  --port="$GODL_PORT" \
  --no-browser \
  "${root[@]}" \
  --ServerApp.root_dir="$GODL_HOME/notebooks" \
  --ServerApp.terminals_enabled="$terminals" \
  --MappingKernelManager.default_kernel_name=gonb \
  "${auth[@]}" \
  "$@"
