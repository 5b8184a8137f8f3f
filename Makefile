# godl — Deep Learning in Go, from tensors to YOLOv3.
# `make setup` once, then `make test`. See README.md.

SHELL := /bin/bash
export PATH := $(CURDIR)/.bin:$(PATH)
VENV := .venv
PY := $(VENV)/bin/python
NB ?=
APT_PACKAGES := dataset-fashion-mnist fonts-wqy-zenhei espeak-ng
# Only the site's and the browser tests need these (Node only where npm is missing); the
# workshop image leaves them out (Dockerfile's TEST_TOOLS).
APT_TEST_PACKAGES := chromium $(if $(shell command -v npm),,nodejs npm)
GO_TOOLS := github.com/janpfeifer/gonb golang.org/x/tools/cmd/goimports golang.org/x/tools/gopls
KERNEL_JSON := $(HOME)/.local/share/jupyter/kernels/gonb/kernel.json

.PHONY: setup kernel apt-packages test test-go test-tools notebooks lint-notebooks clean-notebooks lab book \
	plan plan-refresh prebuild bench clean

## setup: everything the book needs: Debian packages, Go modules and tools, the GoNB kernel,
## the Python venv (JupyterLab, nbclient, Sphinx) and the XLA CPU plugin. Idempotent.
setup: apt-packages .bin/gonb $(VENV)/.installed kernel
	go mod download
	@echo "setup done: $$(go run ./cmd/backend 2>&1 | tail -n 1)"

apt-packages:
	@missing=$$(for p in $(APT_PACKAGES) $(APT_TEST_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages: $$missing"; \
	  sudo=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$sudo apt-get update -q && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -q $$missing; \
	fi

.bin/gonb: go.mod go.sum
	go build -o .bin/ $(GO_TOOLS)
	@touch .bin/gonb

$(VENV)/.installed: requirements.txt requirements-pjrt.txt
	[ -x $(PY) ] || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.txt
	$(PY) -m pip install -q --require-hashes --no-deps -r requirements-pjrt.txt
	@touch $@

# kernel: (re)registers GoNB for this checkout every time: another clone may have registered its own.
kernel: .bin/gonb $(VENV)/.installed
	.bin/gonb --install --logtostderr=false
	$(PY) tools/kernel_env.py $(KERNEL_JSON) "$(CURDIR)/.bin:$$(dirname $$(command -v go)):$$PATH"

## test: go vet, Go tests, the tools' tests, every notebook in quick mode, the site and its test,
## and chapter 04 in JupyterLab in a browser.
test: test-go test-tools
	GODL_QUICK=1 $(PY) tools/nbharness/run_notebooks.py --out build/executed
	$(MAKE) book
	$(PY) -m pytest -q tools/site
	$(MAKE) lab-test

test-go:
	go vet ./...
	go test ./...

test-tools:
	$(PY) -m pytest -q tools/nbharness tools/kernel_env_test.py

## notebooks: run all notebooks in full mode into build/full/, the cache `make book` shows; a
## notebook whose copy there is current (same notebook and library code) is not run again.
## NB=01 for one; QUICK=1 for quick mode, into build/executed/ as `make test` does.
notebooks:
ifeq ($(QUICK),)
	GODL_QUICK= $(PY) tools/nbharness/run_notebooks.py --nb "$(NB)" --out build/full --skip-current
else
	GODL_QUICK=1 $(PY) tools/nbharness/run_notebooks.py --nb "$(NB)" --out build/executed
endif

lint-notebooks:
	$(PY) tools/nbharness/run_notebooks.py --lint-only

## clean-notebooks: strip outputs from the committed notebooks (they are committed clean).
clean-notebooks:
	$(PY) -m jupyter nbconvert --clear-output --inplace notebooks/*.ipynb

## prebuild: compile the library and the packages the notebooks import into Go's build cache,
## so that a notebook's first cell does not (the workshop image runs it).
prebuild:
	go build ./... github.com/janpfeifer/must github.com/janpfeifer/gonb/gonbui \
	  github.com/gomlx/gomlx/pkg/ml/train/...

## lab: JupyterLab with the GoNB kernel, on the notebooks.
lab:
	$(PY) -m jupyter lab --notebook-dir=notebooks $$( [ "$$(id -u)" = 0 ] && echo --allow-root )

## book: the static HTML site in build/site, from the executed notebooks in build/executed.
book:
	$(PY) tools/site/build.py

## plan: check that book/plan.md, book/chapters.yml and README.md's chapter table agree.
plan:
	$(PY) tools/site/plan.py

## plan-refresh: copy a newer plan in (PLAN=path, default ../shared/BOOK_PLAN.md) and rewrite
## README.md's table; edit book/chapters.yml by hand if the chapters changed.
PLAN ?= ../shared/BOOK_PLAN.md
plan-refresh:
	$(PY) tools/site/plan.py --refresh "$(PLAN)" --write

## bench: LeNet-5 training throughput and a 1024³ matmul on every available backend, and in
## PyTorch on CPU when Debian's python3-torch is installed.
TORCH_PYTHON := $(shell /usr/bin/python3 -c 'import torch' 2>/dev/null && echo /usr/bin/python3)
bench:
	go run ./cmd/bench $(if $(TORCH_PYTHON),-pytorch $(TORCH_PYTHON))

clean:
	rm -rf build

## lab-test: chapter 04 (NB=... for another) run in JupyterLab in headless Chromium, checked as a
## reader sees it: no failed cell or stderr box, figures that fit, outputs in program order.
## Screenshots go to build/lab/.
.PHONY: lab-test
lab-test: tools/lab/node_modules/.package-lock.json
	node tools/lab/lab_test.mjs --nb "$(or $(NB),04)"

tools/lab/node_modules/.package-lock.json: tools/lab/package.json tools/lab/package-lock.json
	cd tools/lab && npm ci --no-audit --no-fund

## bench-peers: `make bench` next to PyTorch (eager and torch.compile) and JAX with optax, from
## PyPI into .venv-peers (about 6 GB: torch's Linux wheel brings the CUDA libraries, unused here).
## PEAK_GFLOPS=157 adds ResNet-18's share of the CPU's float32 peak; see bench/README.md.
PEERS_VENV := .venv-peers
PEAK_GFLOPS ?= 0
.PHONY: bench-peers
bench-peers: $(PEERS_VENV)/.installed
	go run ./cmd/bench -peers $(PEERS_VENV)/bin/python -peak $(PEAK_GFLOPS)

$(PEERS_VENV)/.installed: bench/requirements-peers.txt
	python3 -m venv $(PEERS_VENV)
	$(PEERS_VENV)/bin/pip install --quiet -r bench/requirements-peers.txt
	touch $@
