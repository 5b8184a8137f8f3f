#!/usr/bin/env python3
"""Adds a PATH to GoNB's kernel.json so the kernel finds go, goimports and gopls.

GoNB's `--install` writes an empty "env"; Jupyter started outside `make` would then miss the
tools in .bin/. Usage: kernel_env.py KERNEL_JSON PATH
"""
import json
import sys


def set_path(kernel_json, path):
    with open(kernel_json) as f:
        spec = json.load(f)
    spec.setdefault("env", {})["PATH"] = path
    with open(kernel_json, "w") as f:
        json.dump(spec, f, indent=1)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    set_path(sys.argv[1], sys.argv[2])
