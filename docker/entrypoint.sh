#!/usr/bin/env bash
# Entrypoint of the godl image: JupyterLab with the GoNB kernel on the notebooks, on port 8888.
#
# No token by default, for a workshop where each laptop runs its own container. On a shared
# network set one: docker run -p 8888:8888 -e JUPYTER_TOKEN=secret godl
# Arguments starting with "-" go to JupyterLab (e.g. --ServerApp.base_url=/godl/); any other
# command runs instead of it (docker run -it godl bash, docker run godl make test).
set -euo pipefail

GODL_HOME="${GODL_HOME:-/opt/godl}"
GODL_PORT="${GODL_PORT:-8888}"

cd "$GODL_HOME"
export PATH="$GODL_HOME/.bin:$PATH"

if [ $# -gt 0 ] && [ "${1#-}" = "$1" ]; then
  exec "$@"
fi

# --allow-root: the image runs as root, where `make setup` registered the kernel.
exec "$GODL_HOME/.venv/bin/jupyter" lab \
  --ip=0.0.0.0 \
  --port="$GODL_PORT" \
  --no-browser \
  --allow-root \
  --ServerApp.root_dir="$GODL_HOME/notebooks" \
  --MappingKernelManager.default_kernel_name=gonb \
  --IdentityProvider.token="${JUPYTER_TOKEN:-}" \
  "$@"
