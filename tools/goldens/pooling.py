#!/usr/bin/python3
"""Golden values for max and average pooling (chapter 09), computed with PyTorch.

Pinned to torch 1.13 (Debian's CPU build: run with /usr/bin/python3). The torch version used
is recorded in the JSON.

Each case calls F.max_pool2d or F.avg_pool2d with a kernel (2, 3 or 4), a stride, a padding
(0 up to half the kernel, PyTorch's limit), ceil_mode False and True, and for the average
count_include_pad True and False, on a batch of 2 images of 2 channels whose size rotates among
7×7, 6×5 and 5×8, so that some windows hang over the edge in ceil mode and some ceil-mode
windows are dropped because they would start in the padding. The JSON holds the input, torch's
output and the gradient of sum(upstream · output) with respect to the input, for a fixed
upstream tensor — for max pooling that routes each upstream value to the position of its
window's maximum.

Tensors are stored in godl's layout, [batch, height, width, channels] (NHWC), flattened; the
script transposes to and from torch's NCHW. Inputs are distinct multiples of 1/16 (no ties for
the maximum: torch and the portable GoMLX form send a tied gradient to different places) and
upstream values multiples of 1/8, so both are exact in float32 and in the JSON's text. torch
computes in float64, so the goldens are exact answers for the float32 inputs the Go tests feed.

    /usr/bin/python3 tools/goldens/pooling.py   # writes pkg/layers/testdata/pooling_golden.json
"""

import json
import os

import torch
import torch.nn.functional as F

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                   "pkg", "layers", "testdata", "pooling_golden.json")

KERNELS = [(2, [1, 2]), (3, [1, 2, 3]), (4, [3])]
SIZES = [(7, 7), (6, 5), (5, 8)]
N, C = 2, 2


def nchw(x):
    return x.permute(0, 3, 1, 2)


def nhwc(x):
    return x.permute(0, 2, 3, 1)


def main():
    gen = torch.Generator().manual_seed(9)
    cases = []
    for op in ["max_pool2d", "avg_pool2d"]:
        for kernel, strides in KERNELS:
            for stride in strides:
                for padding in range(kernel // 2 + 1):
                    for ceil_mode in [False, True]:
                        for include in ([None] if op == "max_pool2d" else [True, False]):
                            h, w = SIZES[len(cases) % len(SIZES)]
                            n = N * h * w * C
                            perm = torch.randperm(n, generator=gen).to(torch.float64)
                            x = ((perm - n // 2) / 16).reshape(N, h, w, C)
                            opts = {"kernel_size": kernel, "stride": stride, "padding": padding,
                                    "ceil_mode": ceil_mode}
                            if include is not None:
                                opts["count_include_pad"] = include
                            xt = nchw(x).clone().requires_grad_(True)
                            y = getattr(F, op)(xt, **opts)
                            up = torch.randint(-8, 9, y.shape, generator=gen).to(torch.float64) / 8
                            (g,) = torch.autograd.grad((y * up).sum(), xt)
                            y, up, g = nhwc(y.detach()), nhwc(up), nhwc(g)
                            name = f"{op}/k{kernel}s{stride}p{padding}" + ("/ceil" if ceil_mode else "")
                            if include is False:
                                name += "/exclude_pad"
                            cases.append({
                                "name": name, "op": op, "options": opts,
                                "input_shape": list(x.shape), "input": x.flatten().tolist(),
                                "output_shape": list(y.shape), "output": y.flatten().tolist(),
                                "upstream": up.flatten().tolist(), "grad": g.flatten().tolist(),
                            })
    doc = {"torch_version": torch.__version__, "script": "tools/goldens/pooling.py",
           "layout": "NHWC", "cases": cases}
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        json.dump(doc, f, separators=(",", ":"))
        f.write("\n")
    print(f"{len(cases)} cases, torch {torch.__version__} -> {os.path.relpath(OUT)}")


if __name__ == "__main__":
    main()
