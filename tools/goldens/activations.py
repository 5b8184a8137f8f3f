#!/usr/bin/python3
"""Golden values for pkg/activations, computed with PyTorch.

Pinned to torch 1.13 (Debian's CPU build: run with /usr/bin/python3). The torch version used
is recorded in the JSON.

For each activation of chapter 07 — with PyTorch's defaults and with other parameters — the
JSON holds the inputs, torch's values and torch's gradients (of sum(f(x)) with respect to x,
element by element). The inputs are float32-representable and torch computes in float64, so
the goldens are (nearly) exact for the float32 inputs the Go tests feed. The inputs include
the kinks (0 and the float32 numbers next to it) and large magnitudes (±20, ±100), where a
careless formula overflows or loses its gradient.

    /usr/bin/python3 tools/goldens/activations.py   # writes pkg/activations/testdata/activations_golden.json
"""

import json
import os

import torch
import torch.nn.functional as F

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                   "pkg", "activations", "testdata", "activations_golden.json")

CASES = [
    ("ReLU", {}, F.relu),
    ("Sigmoid", {}, torch.sigmoid),
    ("Tanh", {}, torch.tanh),
    ("LeakyReLU", {}, F.leaky_relu),
    ("LeakyReLU", {"negative_slope": 0.2}, lambda x: F.leaky_relu(x, 0.2)),
    ("ELU", {}, F.elu),
    ("ELU", {"alpha": 0.5}, lambda x: F.elu(x, 0.5)),
    ("GELU", {}, F.gelu),
]


def inputs():
    """float32 inputs, as a float64 tensor."""
    tiny = torch.finfo(torch.float32).tiny  # smallest normal float32
    eps = torch.finfo(torch.float32).eps
    special = torch.tensor([0.0, tiny, -tiny, eps, -eps, 1e-3, -1e-3, 20.0, -20.0, 100.0, -100.0])
    grid = torch.linspace(-6, 6, 49)
    rnd = torch.randn(32, generator=torch.Generator().manual_seed(7)) * 3
    return torch.cat([special, grid, rnd]).to(torch.float32).to(torch.float64)


def main():
    xs = inputs()
    cases = []
    for name, params, fn in CASES:
        x = xs.clone().requires_grad_(True)
        y = fn(x)
        (grad,) = torch.autograd.grad(y.sum(), x)
        cases.append({"name": name, "params": params,
                      "value": y.detach().tolist(), "grad": grad.tolist()})
    doc = {"torch_version": torch.__version__, "script": "tools/goldens/activations.py",
           "x": xs.tolist(), "cases": cases}
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    print(f"wrote {len(cases)} cases × {len(xs)} points to {os.path.relpath(OUT)}")


if __name__ == "__main__":
    main()
