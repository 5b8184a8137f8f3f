#!/usr/bin/python3
"""Golden values for layers.LocalResponseNorm, computed with PyTorch.

Pinned to torch 1.13 (Debian's CPU build: run with /usr/bin/python3). The torch version used
is recorded in the JSON.

Each case is F.local_response_norm(x, size, alpha, beta, k) on a float32-representable input
that torch evaluates in float64, with the gradient of sum(upstream * y) with respect to x for a
fixed random upstream tensor (also stored). Torch's layout is [N, C, ...]; the JSON stores x,
upstream, value and gradient in godl's layout, channels last ([N, ..., C]), flattened.

    /usr/bin/python3 tools/goldens/lrn.py   # writes pkg/layers/testdata/lrn_golden.json
"""

import json
import os

import numpy as np
import torch
import torch.nn.functional as F

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                   "pkg", "layers", "testdata", "lrn_golden.json")

# name, torch input shape [N, C, ...], input scale, options (torch's defaults where absent:
# alpha 1e-4, beta 0.75, k 1).
CASES = [
    ("AlexNet setting", [2, 8, 3, 3], 1.0, {"size": 5, "alpha": 1e-4, "beta": 0.75, "k": 2.0}),
    ("AlexNet setting, large inputs", [1, 7, 2, 3], 30.0, {"size": 5, "alpha": 1e-4, "beta": 0.75, "k": 2.0}),
    ("torch defaults, even size", [2, 6, 2, 2], 1.0, {"size": 2}),
    ("strong normalization", [2, 5, 2, 3], 2.0, {"size": 3, "alpha": 1.0, "beta": 0.5, "k": 1.0}),
    ("window wider than the channels", [1, 4, 3, 2], 1.5, {"size": 9, "alpha": 0.5, "beta": 1.0, "k": 0.5}),
    ("size 1: each channel alone", [1, 3, 2, 2], 1.0, {"size": 1, "alpha": 2.0, "beta": 0.75, "k": 1.0}),
    ("one channel", [3, 1, 2, 2], 1.0, {"size": 3, "alpha": 1.0, "beta": 0.75, "k": 1.0}),
    ("rank 3 input [N, C, L]", [2, 6, 4], 1.0, {"size": 4, "alpha": 0.1, "beta": 0.6, "k": 1.5}),
]


def to_last(t):
    """[N, C, ...] → [N, ..., C], flattened to a list."""
    return t.permute(0, *range(2, t.dim()), 1).reshape(-1).tolist()


def main():
    gen = np.random.default_rng(8)
    cases = []
    for name, shape, scale, opts in CASES:
        x32 = (gen.standard_normal(shape) * scale).astype(np.float32)
        up32 = gen.standard_normal(shape).astype(np.float32)
        x = torch.from_numpy(x32.astype(np.float64)).requires_grad_(True)
        up = torch.from_numpy(up32.astype(np.float64))
        y = F.local_response_norm(x, **opts)
        (grad,) = torch.autograd.grad((y * up).sum(), x)
        cases.append({
            "name": name, "options": opts,
            "shape": [shape[0], *shape[2:], shape[1]],
            "x": to_last(x.detach()), "upstream": to_last(up),
            "value": to_last(y.detach()), "grad": to_last(grad),
        })
    doc = {"torch_version": torch.__version__, "script": "tools/goldens/lrn.py", "cases": cases}
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    print(f"wrote {len(cases)} cases to {os.path.relpath(OUT)}")


if __name__ == "__main__":
    main()
