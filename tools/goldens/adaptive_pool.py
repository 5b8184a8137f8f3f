#!/usr/bin/python3
"""Golden values for layers.AdaptiveAvgPool2D, computed with PyTorch.

Pinned to torch 1.13 (Debian's CPU build: run with /usr/bin/python3). The torch version used
is recorded in the JSON.

Each case is F.adaptive_avg_pool2d(x, (out_h, out_w)) on a float32-representable input that
torch evaluates in float64, with the gradient of sum(upstream * y) with respect to x for a
fixed random upstream tensor (also stored). Sizes cover shrinking with windows that overlap and
differ in size, the identity, growing (1×1 → 7×7, as VGG's pool on 32×32 images) and global
pooling. Tensors are stored channels last ([N, H, W, C], godl's layout), flattened.

    /usr/bin/python3 tools/goldens/adaptive_pool.py   # writes pkg/layers/testdata/adaptive_pool_golden.json
"""

import json
import os

import numpy as np
import torch
import torch.nn.functional as F

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                   "pkg", "layers", "testdata", "adaptive_pool_golden.json")

# torch input shape [N, C, H, W], output size (H, W)
CASES = [
    ([2, 3, 5, 7], (3, 2)),
    ([1, 2, 7, 5], (4, 4)),
    ([1, 4, 13, 13], (6, 6)),
    ([2, 2, 6, 6], (6, 6)),
    ([2, 3, 1, 1], (7, 7)),
    ([1, 2, 2, 3], (5, 4)),
    ([3, 2, 4, 4], (1, 1)),
]


def nhwc(t):
    return t.permute(0, 2, 3, 1).reshape(-1).tolist()


def main():
    gen = np.random.default_rng(11)
    cases = []
    for shape, out in CASES:
        x = torch.from_numpy(gen.standard_normal(shape).astype(np.float32).astype(np.float64)).requires_grad_(True)
        y = F.adaptive_avg_pool2d(x, out)
        up = torch.from_numpy(gen.standard_normal(list(y.shape)).astype(np.float32).astype(np.float64))
        (grad,) = torch.autograd.grad((y * up).sum(), x)
        n, c, h, w = shape
        cases.append({"shape": [n, h, w, c], "out": list(out), "x": nhwc(x.detach()),
                      "upstream": nhwc(up), "value": nhwc(y.detach()), "grad": nhwc(grad)})
    doc = {"torch_version": torch.__version__, "script": "tools/goldens/adaptive_pool.py", "cases": cases}
    with open(OUT, "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    print(f"wrote {len(cases)} cases to {os.path.relpath(OUT)}")


if __name__ == "__main__":
    main()
