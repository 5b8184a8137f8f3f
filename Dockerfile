# godl for workshops: Go, GoNB, the data packages and JupyterLab in one image.
#
#   docker build -t godl .
#   docker run --rm -p 127.0.0.1:8888:8888 godl     # open the URL it prints (with a fresh token)
#   docker run --rm -p 127.0.0.1:8888:8888 -e JUPYTER_TOKEN=secret godl   # a token of your own
#   docker run --rm -it godl bash                                          # a shell instead
#
# JupyterLab runs as the user godl, asks for a token (docker/entrypoint.sh: made at start unless
# given; running without one takes GODL_NO_TOKEN=1), and has its terminals off. Publish the port
# on 127.0.0.1 as above, so that nobody else on a workshop's network reaches it.
#
# The image runs the README's set-up (`make setup`) at build time, so nothing is downloaded when
# the container runs. The tools only the tests need (Chromium, for the site's tests) stay out:
#   docker build --build-arg TEST_TOOLS="chromium nodejs npm" -t godl-test .   # an image that runs make test
# tools/site/test_docker.py checks this file without a Docker engine.

# Go version: at least the `go` line of go.mod (the official image sets GOTOOLCHAIN=local).
ARG GO_VERSION=1.26.8
FROM golang:${GO_VERSION}-bookworm

# Makefile's APT_TEST_PACKAGES, for an image that runs the tests; none in the workshop image.
ARG TEST_TOOLS=""

# Python for the venv, plus the Debian packages `make setup` installs (Makefile's APT_PACKAGES).
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      python3 python3-venv \
      dataset-fashion-mnist fonts-wqy-zenhei espeak-ng ${TEST_TOOLS} \
 && rm -rf /var/lib/apt/lists/*

# The user JupyterLab runs as; it owns the checkout, its Go caches and its kernel registration.
RUN useradd --create-home --uid 1000 --shell /bin/bash godl \
 && mkdir -p /opt/godl && chown godl:godl /opt/godl
USER godl
ENV GOPATH=/home/godl/go GOCACHE=/home/godl/.cache/go-build
WORKDIR /opt/godl
ENV PATH=/opt/godl/.venv/bin:/opt/godl/.bin:$PATH

# Dependencies first (Go tools, Go modules, the Python venv), so that editing a notebook or the
# library does not redo them. The build cache of the Go tools is not needed once they are built.
ENV PIP_NO_CACHE_DIR=1
COPY --chown=godl:godl Makefile go.mod go.sum requirements.txt requirements-pjrt.txt ./
RUN make .bin/gonb .venv/.installed && go mod download && go clean -cache

COPY --chown=godl:godl . .
# The Debian packages are in already, so `make setup` needs no root. `make prebuild` compiles the
# library and what the notebooks import into the Go build cache, so the first notebook cell
# does not compile GoMLX from scratch.
RUN make setup APT_TEST_PACKAGES="${TEST_TOOLS}" \
 && make prebuild

EXPOSE 8888
ENTRYPOINT ["/opt/godl/docker/entrypoint.sh"]
