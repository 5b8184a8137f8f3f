# godl for workshops: Go, GoNB, the data packages and JupyterLab in one image.
#
#   docker build -t godl .
#   docker run --rm -p 8888:8888 godl                        # open http://localhost:8888
#   docker run --rm -p 8888:8888 -e JUPYTER_TOKEN=secret godl # with a token, on a shared network
#   docker run --rm -it godl bash                            # a shell instead of JupyterLab
#
# The image runs the README's set-up (`make setup`) at build time, so nothing is downloaded when
# the container runs. tools/site/test_docker.py checks this file without a Docker engine.

# Go version: at least the `go` line of go.mod (the official image sets GOTOOLCHAIN=local).
ARG GO_VERSION=1.26.8
FROM golang:${GO_VERSION}-bookworm

# Python for the venv, plus the Debian packages `make setup` installs (Makefile's APT_PACKAGES).
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      python3 python3-venv \
      dataset-fashion-mnist fonts-wqy-zenhei chromium \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /opt/godl
ENV PATH=/opt/godl/.bin:$PATH

# Dependencies first (Go tools, Go modules, the Python venv), so that editing a notebook or the
# library does not redo them.
COPY Makefile go.mod go.sum requirements.txt requirements-pjrt.txt ./
RUN make .bin/gonb .venv/.installed && go mod download

COPY . .
# `go build` fills the build cache, so the first notebook cell does not compile GoMLX from scratch.
RUN make setup \
 && go build ./...

EXPOSE 8888
ENTRYPOINT ["/opt/godl/docker/entrypoint.sh"]
