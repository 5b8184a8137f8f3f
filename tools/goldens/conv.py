#!/usr/bin/python3
"""Golden values for pkg/layers' Conv2D and ConvTranspose2D, computed with PyTorch.

Pinned to torch 1.13 (Debian's CPU build: run with /usr/bin/python3). The torch version used is
recorded in the JSON.

Each case is one torch.nn.functional.conv2d or conv_transpose2d with its options (stride,
padding, dilation, groups, output_padding) on a small float32 input from a fixed seed. The JSON
stores everything in godl's layout — images [batch, height, width, channels], Conv2D weights
[kh, kw, in/groups, out] (torch's [out, in/groups, kh, kw] permuted by (2, 3, 1, 0)),
ConvTranspose2D weights [kh, kw, in, out] (torch's [in, out, kh, kw] permuted by (2, 3, 0, 1))
— all flattened in row-major order: the input, the weight, the bias (or none), the output, and
the gradients of Σ y·r with respect to the input, the weight and the bias, where r[i] =
sin(0.37·i) over the flattened [batch, height, width, channels] output (the weighting
pkg/layers' tests use). Inputs are float32 values; torch computes in float64.

    /usr/bin/python3 tools/goldens/conv.py   # writes pkg/layers/testdata/conv_golden.json
"""

import json
import math
import os

import torch
import torch.nn.functional as F

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                   "pkg", "layers", "testdata", "conv_golden.json")

# name, transposed, [batch, height, width, in], out channels, (kh, kw), bias, options
CASES = [
    ("grey 1→2 3×3", False, [2, 6, 7, 1], 2, (3, 3), True, {}),
    ("RGB 3→4 3×3 stride 2 padding 1", False, [2, 7, 7, 3], 4, (3, 3), True,
     {"stride": 2, "padding": 1}),
    ("RGBA 4→2 5×3 padding 1", False, [1, 8, 7, 4], 2, (5, 3), True, {"padding": 1}),
    ("2→3 3×3 dilation 2", False, [2, 8, 9, 2], 3, (3, 3), True, {"dilation": 2}),
    ("2→2 3×3 dilation 2 padding 2 (same)", False, [1, 7, 8, 2], 2, (3, 3), False,
     {"dilation": 2, "padding": 2}),
    ("3→2 2×2 dilation 3", False, [1, 7, 8, 3], 2, (2, 2), True, {"dilation": 3}),
    ("2→3 3×3 stride 2 dilation 2 padding 1", False, [2, 9, 10, 2], 3, (3, 3), True,
     {"stride": 2, "dilation": 2, "padding": 1}),
    ("4→4 3×3 groups 2", False, [2, 6, 6, 4], 4, (3, 3), True, {"groups": 2}),
    ("4→4 3×3 groups 4 (depthwise) padding 1", False, [2, 5, 6, 4], 4, (3, 3), True,
     {"groups": 4, "padding": 1}),
    ("6→4 3×3 groups 2 stride 2 dilation 2 padding 2", False, [1, 9, 9, 6], 4, (3, 3), True,
     {"groups": 2, "stride": 2, "dilation": 2, "padding": 2}),
    ("4→6 1×1 groups 2", False, [2, 4, 5, 4], 6, (1, 1), False, {"groups": 2}),
    ("3→6 3×3 groups 3 dilation 2", False, [1, 8, 8, 3], 6, (3, 3), True,
     {"groups": 3, "dilation": 2}),
    ("T 1→1 3×3", True, [1, 4, 5, 1], 1, (3, 3), True, {}),
    ("T 2→3 3×3 stride 2", True, [2, 4, 4, 2], 3, (3, 3), True, {"stride": 2}),
    ("T 2→3 3×3 stride 2 padding 1 output_padding 1", True, [2, 4, 5, 2], 3, (3, 3), True,
     {"stride": 2, "padding": 1, "output_padding": 1}),
    ("T 3→2 4×4 stride 2 padding 1 (DCGAN)", True, [2, 4, 4, 3], 2, (4, 4), True,
     {"stride": 2, "padding": 1}),
    ("T 2→2 2×2 stride 2 (U-Net), no bias", True, [1, 3, 4, 2], 2, (2, 2), False,
     {"stride": 2}),
    ("T 2→2 3×3 dilation 2 padding 1", True, [1, 4, 4, 2], 2, (3, 3), True,
     {"dilation": 2, "padding": 1}),
    ("T 2→3 3×3 stride 3 padding 2 output_padding 2", True, [1, 3, 4, 2], 3, (3, 3), True,
     {"stride": 3, "padding": 2, "output_padding": 2}),
    ("T 2→2 3×3 stride 1 padding 3 (crops)", True, [1, 6, 7, 2], 2, (3, 3), True,
     {"padding": 3}),
]


def flat(t):
    return [float(v) for v in t.detach().reshape(-1).tolist()]


def case(gen, name, transposed, dims, out, kernel, bias, opts):
    b, h, w, cin = dims
    groups = opts.get("groups", 1)
    kh, kw = kernel
    x = torch.randn(b, h, w, cin, generator=gen).to(torch.float32).to(torch.float64)
    if transposed:
        weight = torch.randn(kh, kw, cin, out, generator=gen)  # godl's layout
        torch_w = weight.permute(2, 3, 0, 1)  # → [in, out, kh, kw]
    else:
        weight = torch.randn(kh, kw, cin // groups, out, generator=gen)
        torch_w = weight.permute(3, 2, 0, 1)  # → [out, in/groups, kh, kw]
    weight = weight.to(torch.float32).to(torch.float64).requires_grad_(True)
    torch_w = (weight.permute(2, 3, 0, 1) if transposed else weight.permute(3, 2, 0, 1))
    bvec = None
    if bias:
        bvec = torch.randn(out, generator=gen).to(torch.float32).to(torch.float64).requires_grad_(True)
    x.requires_grad_(True)
    xin = x.permute(0, 3, 1, 2)
    fn = F.conv_transpose2d if transposed else F.conv2d
    y = fn(xin, torch_w, bvec, **opts).permute(0, 2, 3, 1).contiguous()
    r = torch.sin(0.37 * torch.arange(y.numel(), dtype=torch.float64)).reshape(y.shape)
    wrt = [x, weight] + ([bvec] if bias else [])
    grads = torch.autograd.grad((y * r).sum(), wrt)
    c = {"name": name, "transposed": transposed, "options": opts,
         "x_dims": dims, "x": flat(x), "w_dims": list(weight.shape), "w": flat(weight),
         "bias": flat(bvec) if bias else None,
         "y_dims": list(y.shape), "y": flat(y),
         "dx": flat(grads[0]), "dw": flat(grads[1]), "dbias": flat(grads[2]) if bias else None}
    return c


def main():
    gen = torch.Generator().manual_seed(10)
    cases = [case(gen, *c) for c in CASES]
    doc = {"torch_version": torch.__version__, "script": "tools/goldens/conv.py", "cases": cases}
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        json.dump(doc, f)
        f.write("\n")
    print(f"wrote {len(cases)} cases to {os.path.relpath(OUT)}")


if __name__ == "__main__":
    main()
