#!/usr/bin/python3
"""Golden values for chapter 08's dropout, computed with PyTorch.

Pinned to torch 1.13 (Debian's CPU build: run with /usr/bin/python3). The torch version used
is recorded in the JSON.

Torch's random numbers cannot be reproduced in Go, so the goldens are what does not depend on
them: for each rate p, the value torch's F.dropout gives a kept x (float32, so the Go tests can
compare GoMLX's rounding of x/(1-p) with torch's), whether evaluation mode returns x
unchanged, and the share of zeros, mean and variance of each output over DRAWS draws from
torch's generator (seeded with 0) — which the Go tests hold to the same sampling-error
tolerances as GoMLX's own draws.

    /usr/bin/python3 tools/goldens/dropout.py   # writes pkg/book/testdata/dropout_golden.json
"""

import json
import os

import torch
import torch.nn.functional as F

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                   "pkg", "book", "testdata", "dropout_golden.json")

X = [-2.0, -0.5, 0.3, 1.0, 3.0]
RATES = [0.1, 0.2, 0.3, 0.5, 0.7, 0.9]
DRAWS = 20000


def case(p):
    x = torch.tensor(X, dtype=torch.float32)
    rows = x.repeat(DRAWS, 1)
    out = F.dropout(rows, p, training=True)
    kept = []
    for i in range(len(X)):
        col = out[:, i]
        values = torch.unique(col[col != 0])
        assert len(values) == 1, (p, i, values)  # every kept value is the same float32
        kept.append(float(values[0]))
    o = out.double()
    return {
        "p": p,
        "kept": kept,
        "eval_is_identity": bool(torch.equal(F.dropout(x, p, training=False), x)),
        "zeros": float((out == 0).double().mean()),
        "mean": o.mean(0).tolist(),
        "var": o.var(0, unbiased=False).tolist(),
    }


def main():
    torch.manual_seed(0)
    golden = {"torch_version": torch.__version__, "x": X, "draws": DRAWS,
              "cases": [case(p) for p in RATES]}
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        json.dump(golden, f, indent=1)
        f.write("\n")
    print(f"wrote {OUT} (torch {torch.__version__})")


if __name__ == "__main__":
    main()
