#!/usr/bin/python3
"""Golden values for pkg/losses, computed with PyTorch.

Pinned to torch 1.13 (Debian's CPU build: run with /usr/bin/python3). The torch version
used is recorded in the JSON.

Precision: every input is a float32-representable number (drawn in float32 with fixed
seeds), and torch computes in float64. So the goldens are (nearly) the exact values for the
float32 inputs the Go tests feed; the Go tests run each case in float32 and in float64.

For every case the JSON holds the loss value and its gradient with respect to the listed
inputs. For reduction "none" the gradient is that of sum(upstream * loss), with a fixed
random upstream tensor stored in the case.

    /usr/bin/python3 tools/goldens/losses.py   # writes pkg/losses/losses_golden.json
"""

import json
import math
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                   "pkg", "losses", "losses_golden.json")

CASES = []


def f32(a):
    """float32-representable values, as a float64 tensor."""
    return torch.from_numpy(np.asarray(a, dtype=np.float32).astype(np.float64))


def i64(a):
    return torch.tensor(np.asarray(a, dtype=np.int64))


def rng(seed):
    return np.random.default_rng(seed)


def randn(seed, *shape, scale=1.0):
    return f32(rng(seed).standard_normal(shape) * scale)


def uniform(seed, *shape, lo=0.0, hi=1.0):
    return f32(rng(seed).uniform(lo, hi, shape))


def signs(seed, *shape):
    return f32(rng(seed).choice([-1.0, 1.0], size=shape))


def softmax_rows(seed, *shape, dim=-1):
    return f32(torch.softmax(randn(seed, *shape), dim=dim).numpy())


def log_softmax_rows(seed, *shape, dim=-1):
    return f32(torch.log_softmax(randn(seed, *shape), dim=dim).numpy())


def enc_float(v, digits):
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    if digits == 32:
        return float(repr(np.float32(v)))  # shortest text that parses back to the float32
    return v


def enc(t, digits=64):
    t = t.detach()
    if t.dtype in (torch.int64, torch.int32):
        return {"dtype": "int64", "shape": list(t.shape), "data": [int(v) for v in t.reshape(-1).tolist()]}
    return {"dtype": "float", "shape": list(t.shape),
            "data": [enc_float(v, digits) for v in t.reshape(-1).tolist()]}


def case(loss, name, fn, inputs, options=None, grads=(), weights=()):
    """Runs fn(**inputs, **torch_options) and records value and gradients.

    inputs: name -> tensor (float64 holding float32 values, or int64).
    options: the Go builder options (reduction, margin, ...); "weight"/"pos_weight" are inputs.
    grads: names of inputs to differentiate with respect to.
    """
    options = dict(options or {})
    reduction = options.get("reduction", "mean")
    ins = {k: v.clone().requires_grad_(k in grads) for k, v in inputs.items()}
    out = fn(**ins)
    c = {"loss": loss, "name": f"{loss}/{name}", "options": options,
         "inputs": {k: enc(v, 32) for k, v in inputs.items()},
         "output": enc(out)}
    if grads:
        if out.dim() > 0 or reduction == "none":
            seed = len(CASES) + 1000
            up = randn(seed, *out.shape)
            c["upstream"] = enc(up, 32)
            total = (out * up).sum()
        else:
            total = out
        gs = torch.autograd.grad(total, [ins[g] for g in grads], allow_unused=False)
        c["grads"] = {g: enc(v) for g, v in zip(grads, gs)}
    CASES.append(c)


REDUCTIONS = ("none", "mean", "sum")


def torch_opts(options, drop=()):
    """The torch keyword arguments for a case's options."""
    return {k: v for k, v in options.items() if k not in drop}


# ---------------------------------------------------------------- elementwise regression
def regression():
    for loss, fn in (("l1_loss", F.l1_loss), ("mse_loss", F.mse_loss)):
        for r in REDUCTIONS:
            case(loss, f"basic/{r}", lambda input, target, r=r: fn(input, target, reduction=r),
                 {"input": randn(1, 4, 5), "target": randn(2, 4, 5)}, {"reduction": r}, grads=("input", "target"))
        x = randn(3, 3, 4)
        t = x.clone()
        t[0, :] = randn(4, 4)
        case(loss, "zeros/equal-entries", lambda input, target: fn(input, target),
             {"input": x, "target": t}, {}, grads=("input", "target"))
        case(loss, "zeros/all", lambda input, target: fn(input, target, reduction="sum"),
             {"input": f32(np.zeros((2, 3))), "target": f32(np.zeros((2, 3)))}, {"reduction": "sum"},
             grads=("input", "target"))
        case(loss, "rank3/sum", lambda input, target: fn(input, target, reduction="sum"),
             {"input": randn(5, 2, 3, 4), "target": randn(6, 2, 3, 4)}, {"reduction": "sum"},
             grads=("input", "target"))
        case(loss, "rank1/mean", lambda input, target: fn(input, target),
             {"input": randn(7, 6), "target": randn(8, 6)}, {}, grads=("input", "target"))
        case(loss, "scalar/none", lambda input, target: fn(input, target, reduction="none"),
             {"input": f32(1.5), "target": f32(-0.25)}, {"reduction": "none"}, grads=("input", "target"))

    for beta in (1.0, 0.5, 2.0, 0.0):
        for r in REDUCTIONS:
            case("smooth_l1_loss", f"beta{beta}/{r}",
                 lambda input, target, r=r, beta=beta: F.smooth_l1_loss(input, target, reduction=r, beta=beta),
                 {"input": randn(10, 4, 5, scale=1.5), "target": randn(11, 4, 5)}, {"reduction": r, "beta": beta},
                 grads=("input", "target"))
    x = randn(12, 3, 4)
    case("smooth_l1_loss", "zeros/equal-entries", lambda input, target: F.smooth_l1_loss(input, target),
         {"input": x, "target": torch.where(x > 0, x, torch.zeros_like(x))}, {}, grads=("input", "target"))
    # Not a golden: with beta=0 torch 1.13's backward gives -1 at x == y, to the input and to
    # the target alike (its kernel picks the sign with x > 0). godl gives 0 there, as torch's
    # l1_loss does; pkg/losses tests that on its own.

    # Poisson NLL: log-rate inputs, or rates with log_input=False; counts as targets.
    counts = f32(rng(20).poisson(2.0, (4, 5)))
    for log_input in (True, False):
        for full in (False, True):
            for r in REDUCTIONS:
                x = randn(21, 4, 5) if log_input else uniform(22, 4, 5, lo=0.05, hi=4.0)
                case("poisson_nll_loss", f"log_input={log_input}/full={full}/{r}",
                     lambda input, target, r=r, li=log_input, fu=full:
                     F.poisson_nll_loss(input, target, log_input=li, full=fu, reduction=r),
                     {"input": x, "target": counts}, {"reduction": r, "log_input": log_input, "full": full},
                     grads=("input",))
    xr = uniform(23, 4, 5, lo=0.0, hi=3.0)
    xr[0, :2] = 0.0
    case("poisson_nll_loss", "rate-zero/eps1e-3",
         lambda input, target: F.poisson_nll_loss(input, target, log_input=False, eps=1e-3),
         {"input": xr, "target": counts}, {"log_input": False, "eps": 1e-3}, grads=("input",))
    case("poisson_nll_loss", "rate-zero/eps-default",
         lambda input, target: F.poisson_nll_loss(input, target, log_input=False, full=True, reduction="sum"),
         {"input": xr, "target": counts}, {"log_input": False, "full": True, "reduction": "sum"}, grads=("input",))

    # KL divergence: log-probabilities as input, probabilities (or log-probabilities) as target.
    lp = log_softmax_rows(30, 4, 5)
    p = softmax_rows(31, 4, 5)
    for r in REDUCTIONS + ("batchmean",):
        case("kl_div", f"probs/{r}", lambda input, target, r=r: F.kl_div(input, target, reduction=r),
             {"input": lp, "target": p}, {"reduction": r}, grads=("input", "target"))
        case("kl_div", f"log_target/{r}",
             lambda input, target, r=r: F.kl_div(input, target, reduction=r, log_target=True),
             {"input": lp, "target": log_softmax_rows(32, 4, 5)}, {"reduction": r, "log_target": True},
             grads=("input", "target"))
    pz = p.clone()
    pz[0, 1] = 0.0
    pz[2, :] = 0.0
    case("kl_div", "zero-targets/batchmean", lambda input, target: F.kl_div(input, target, reduction="batchmean"),
         {"input": lp, "target": pz}, {"reduction": "batchmean"}, grads=("input",))
    case("kl_div", "rank3/batchmean", lambda input, target: F.kl_div(input, target, reduction="batchmean"),
         {"input": log_softmax_rows(33, 2, 3, 4), "target": softmax_rows(34, 2, 3, 4)}, {"reduction": "batchmean"},
         grads=("input", "target"))


# ---------------------------------------------------------------- binary
def binary():
    probs = f32(torch.sigmoid(randn(40, 4, 5, scale=2.0)).numpy())
    hard = f32(rng(41).integers(0, 2, (4, 5)))
    soft = uniform(42, 4, 5)
    for r in REDUCTIONS:
        case("binary_cross_entropy", f"hard/{r}", lambda input, target, r=r: F.binary_cross_entropy(input, target, reduction=r),
             {"input": probs, "target": hard}, {"reduction": r}, grads=("input",))
    case("binary_cross_entropy", "soft/mean", lambda input, target: F.binary_cross_entropy(input, target),
         {"input": probs, "target": soft}, {}, grads=("input",))
    w_row = uniform(43, 5, lo=0.1, hi=2.0)
    for r in REDUCTIONS:
        case("binary_cross_entropy", f"weight-row/{r}",
             lambda input, target, weight, r=r: F.binary_cross_entropy(input, target, weight=weight, reduction=r),
             {"input": probs, "target": hard, "weight": w_row}, {"reduction": r}, grads=("input",))
    case("binary_cross_entropy", "weight-full/mean",
         lambda input, target, weight: F.binary_cross_entropy(input, target, weight=weight),
         {"input": probs, "target": soft, "weight": uniform(44, 4, 5)}, {}, grads=("input",))
    # log clamped at -100; torch's backward divides by max(x(1-x), 1e-12).
    edge_x = f32([0.0, 1.0, 0.0, 1.0, 0.0, 1.0, 1e-30, 1.0 - 2 ** -24])
    edge_y = f32([0.0, 1.0, 1.0, 0.0, 0.5, 0.5, 1.0, 0.0])
    for r in REDUCTIONS:
        case("binary_cross_entropy", f"clamp/{r}", lambda input, target, r=r: F.binary_cross_entropy(input, target, reduction=r),
             {"input": edge_x, "target": edge_y}, {"reduction": r}, grads=("input",))

    logits = randn(45, 4, 5, scale=3.0)
    for r in REDUCTIONS:
        case("binary_cross_entropy_with_logits", f"hard/{r}",
             lambda input, target, r=r: F.binary_cross_entropy_with_logits(input, target, reduction=r),
             {"input": logits, "target": hard}, {"reduction": r}, grads=("input",))
    case("binary_cross_entropy_with_logits", "soft/mean",
         lambda input, target: F.binary_cross_entropy_with_logits(input, target),
         {"input": logits, "target": soft}, {}, grads=("input",))
    pw = uniform(46, 5, lo=0.5, hi=3.0)
    for r in REDUCTIONS:
        case("binary_cross_entropy_with_logits", f"pos_weight/{r}",
             lambda input, target, pos_weight, r=r:
             F.binary_cross_entropy_with_logits(input, target, pos_weight=pos_weight, reduction=r),
             {"input": logits, "target": soft, "pos_weight": pw}, {"reduction": r}, grads=("input",))
    case("binary_cross_entropy_with_logits", "weight+pos_weight/mean",
         lambda input, target, weight, pos_weight:
         F.binary_cross_entropy_with_logits(input, target, weight=weight, pos_weight=pos_weight),
         {"input": logits, "target": hard, "weight": w_row, "pos_weight": pw}, {}, grads=("input",))
    case("binary_cross_entropy_with_logits", "weight-column/sum",
         lambda input, target, weight: F.binary_cross_entropy_with_logits(input, target, weight=weight, reduction="sum"),
         {"input": logits, "target": hard, "weight": uniform(47, 4, 1)}, {"reduction": "sum"}, grads=("input",))
    ext_x = f32([100.0, -100.0, 100.0, -100.0, 100.0, -100.0, 0.0, 0.0, 30.0, -30.0])
    ext_y = f32([1.0, 0.0, 0.0, 1.0, 0.5, 0.5, 0.0, 1.0, 1.0, 1.0])
    for r in REDUCTIONS:
        case("binary_cross_entropy_with_logits", f"extreme/{r}",
             lambda input, target, r=r: F.binary_cross_entropy_with_logits(input, target, reduction=r),
             {"input": ext_x, "target": ext_y}, {"reduction": r}, grads=("input",))
    case("binary_cross_entropy_with_logits", "extreme/pos_weight/sum",
         lambda input, target, pos_weight:
         F.binary_cross_entropy_with_logits(input, target, pos_weight=pos_weight, reduction="sum"),
         {"input": ext_x, "target": ext_y, "pos_weight": f32([3.0])}, {"reduction": "sum"}, grads=("input",))

    x = randn(50, 4, 5, scale=3.0)
    y = signs(51, 4, 5)
    for r in REDUCTIONS:
        case("soft_margin_loss", f"basic/{r}", lambda input, target, r=r: F.soft_margin_loss(input, target, reduction=r),
             {"input": x, "target": y}, {"reduction": r}, grads=("input",))
    case("soft_margin_loss", "extreme/none", lambda input, target: F.soft_margin_loss(input, target, reduction="none"),
         {"input": f32([100.0, -100.0, 100.0, -100.0, 0.0]), "target": f32([1.0, 1.0, -1.0, -1.0, 1.0])},
         {"reduction": "none"}, grads=("input",))

    for r in REDUCTIONS:
        case("multilabel_soft_margin_loss", f"hard/{r}",
             lambda input, target, r=r: F.multilabel_soft_margin_loss(input, target, reduction=r),
             {"input": x, "target": hard}, {"reduction": r}, grads=("input",))
    case("multilabel_soft_margin_loss", "soft+weight/mean",
         lambda input, target, weight: F.multilabel_soft_margin_loss(input, target, weight=weight),
         {"input": x, "target": soft, "weight": w_row}, {}, grads=("input",))
    case("multilabel_soft_margin_loss", "weight/none",
         lambda input, target, weight: F.multilabel_soft_margin_loss(input, target, weight=weight, reduction="none"),
         {"input": x, "target": hard, "weight": w_row}, {"reduction": "none"}, grads=("input",))
    case("multilabel_soft_margin_loss", "extreme/sum",
         lambda input, target: F.multilabel_soft_margin_loss(input, target, reduction="sum"),
         {"input": f32([[100.0, -100.0, 100.0], [-100.0, 0.0, 50.0]]), "target": f32([[1, 0, 0], [1, 1, 0]])},
         {"reduction": "sum"}, grads=("input",))
    case("multilabel_soft_margin_loss", "rank1/mean",
         lambda input, target: F.multilabel_soft_margin_loss(input, target),
         {"input": randn(52, 6), "target": f32(rng(53).integers(0, 2, 6))}, {}, grads=("input",))


# ---------------------------------------------------------------- classification
def classification():
    N, C = 6, 5
    logits = randn(60, N, C, scale=2.0)
    labels = i64(rng(61).integers(0, C, N))
    with_ignored = labels.clone()
    with_ignored[1] = -100
    with_ignored[4] = -100
    weight = uniform(62, C, lo=0.2, hi=2.0)
    ignored_all = i64([-100] * N)

    def ce(input, target, weight=None, r="mean", ii=-100, ls=0.0):
        return F.cross_entropy(input, target, weight=weight, reduction=r, ignore_index=ii, label_smoothing=ls)

    for r in REDUCTIONS:
        case("cross_entropy", f"index/{r}", lambda input, target, r=r: ce(input, target, r=r),
             {"input": logits, "target": labels}, {"reduction": r}, grads=("input",))
        case("cross_entropy", f"index/weight/{r}", lambda input, target, weight, r=r: ce(input, target, weight, r),
             {"input": logits, "target": labels, "weight": weight}, {"reduction": r}, grads=("input",))
        case("cross_entropy", f"index/ignore/weight/{r}", lambda input, target, weight, r=r: ce(input, target, weight, r),
             {"input": logits, "target": with_ignored, "weight": weight}, {"reduction": r}, grads=("input",))
        case("cross_entropy", f"index/smoothing0.1/ignore/weight/{r}",
             lambda input, target, weight, r=r: ce(input, target, weight, r, ls=0.1),
             {"input": logits, "target": with_ignored, "weight": weight}, {"reduction": r, "label_smoothing": 0.1},
             grads=("input",))
        case("cross_entropy", f"index/all-ignored/{r}", lambda input, target, r=r: ce(input, target, r=r),
             {"input": logits, "target": ignored_all}, {"reduction": r}, grads=("input",))
    case("cross_entropy", "index/ignore/mean", lambda input, target: ce(input, target),
         {"input": logits, "target": with_ignored}, {}, grads=("input",))
    case("cross_entropy", "index/ignore_index=2/mean", lambda input, target: ce(input, target, ii=2),
         {"input": logits, "target": i64([2, 0, 2, 4, 1, 3])}, {"ignore_index": 2}, grads=("input",))
    case("cross_entropy", "index/smoothing0.25/mean", lambda input, target: ce(input, target, ls=0.25),
         {"input": logits, "target": labels}, {"label_smoothing": 0.25}, grads=("input",))
    case("cross_entropy", "index/all-ignored/weight/smoothing/mean",
         lambda input, target, weight: ce(input, target, weight, ls=0.1),
         {"input": logits, "target": ignored_all, "weight": weight}, {"label_smoothing": 0.1}, grads=("input",))
    case("cross_entropy", "index/rank1", lambda input, target: ce(input, target),
         {"input": randn(63, C), "target": i64(3)}, {}, grads=("input",))
    case("cross_entropy", "index/rank1/none", lambda input, target: ce(input, target, r="none"),
         {"input": randn(63, C), "target": i64(0)}, {"reduction": "none"}, grads=("input",))
    lg3 = randn(64, 2, 4, 3)  # (N, C, d1)
    lb3 = i64([[0, 3, -100], [2, 1, 1]])
    for r in REDUCTIONS:
        case("cross_entropy", f"index/rank3/ignore/weight/smoothing/{r}",
             lambda input, target, weight, r=r: ce(input, target, weight, r, ls=0.2),
             {"input": lg3, "target": lb3, "weight": uniform(65, 4, lo=0.5, hi=1.5)},
             {"reduction": r, "label_smoothing": 0.2}, grads=("input",))
    ext = f32([[100.0, -100.0, 0.0], [-100.0, 100.0, -100.0], [1000.0, 0.0, -1000.0], [100.0, 100.0, 100.0]])
    for r in ("none", "mean"):
        case("cross_entropy", f"index/extreme/{r}", lambda input, target, r=r: ce(input, target, r=r, ls=0.1),
             {"input": ext, "target": i64([1, 1, 0, 2])}, {"reduction": r, "label_smoothing": 0.1}, grads=("input",))

    probs = softmax_rows(66, N, C)
    for r in REDUCTIONS:
        case("cross_entropy", f"probs/{r}", lambda input, target, r=r: ce(input, target, r=r),
             {"input": logits, "target": probs}, {"reduction": r}, grads=("input", "target"))
        case("cross_entropy", f"probs/weight/smoothing0.1/{r}",
             lambda input, target, weight, r=r: ce(input, target, weight, r, ls=0.1),
             {"input": logits, "target": probs, "weight": weight}, {"reduction": r, "label_smoothing": 0.1},
             grads=("input", "target"))
    case("cross_entropy", "probs/rank3/mean", lambda input, target: ce(input, target),
         {"input": lg3, "target": softmax_rows(67, 2, 4, 3, dim=1)}, {}, grads=("input", "target"))
    case("cross_entropy", "probs/extreme/sum", lambda input, target: ce(input, target, r="sum"),
         {"input": ext, "target": softmax_rows(68, 4, 3)}, {"reduction": "sum"}, grads=("input", "target"))

    logp = log_softmax_rows(70, N, C)
    for r in REDUCTIONS:
        case("nll_loss", f"basic/{r}", lambda input, target, r=r: F.nll_loss(input, target, reduction=r),
             {"input": logp, "target": labels}, {"reduction": r}, grads=("input",))
        case("nll_loss", f"ignore/weight/{r}", lambda input, target, weight, r=r: F.nll_loss(input, target, weight=weight, reduction=r),
             {"input": logp, "target": with_ignored, "weight": weight}, {"reduction": r}, grads=("input",))
        case("nll_loss", f"all-ignored/{r}", lambda input, target, r=r: F.nll_loss(input, target, reduction=r),
             {"input": logp, "target": ignored_all}, {"reduction": r}, grads=("input",))
    case("nll_loss", "ignore/mean", lambda input, target: F.nll_loss(input, target),
         {"input": logp, "target": with_ignored}, {}, grads=("input",))
    case("nll_loss", "ignore_index=0/weight/mean",
         lambda input, target, weight: F.nll_loss(input, target, weight=weight, ignore_index=0),
         {"input": logp, "target": i64([0, 1, 0, 4, 3, 2]), "weight": weight}, {"ignore_index": 0}, grads=("input",))
    case("nll_loss", "weight/mean", lambda input, target, weight: F.nll_loss(input, target, weight=weight),
         {"input": logp, "target": labels, "weight": weight}, {}, grads=("input",))
    case("nll_loss", "rank1", lambda input, target: F.nll_loss(input, target),
         {"input": log_softmax_rows(71, C), "target": i64(2)}, {}, grads=("input",))
    case("nll_loss", "rank3/weight/sum", lambda input, target, weight: F.nll_loss(input, target, weight=weight, reduction="sum"),
         {"input": log_softmax_rows(72, 2, 4, 3, dim=1), "target": lb3, "weight": uniform(73, 4)},
         {"reduction": "sum"}, grads=("input",))
    case("nll_loss", "rank4/mean", lambda input, target: F.nll_loss(input, target),
         {"input": log_softmax_rows(74, 2, 3, 2, 2, dim=1), "target": i64(rng(75).integers(0, 3, (2, 2, 2)))},
         {}, grads=("input",))

    for p in (1, 2):
        for r in REDUCTIONS:
            case("multi_margin_loss", f"p{p}/{r}", lambda input, target, r=r, p=p: F.multi_margin_loss(input, target, p=p, reduction=r),
                 {"input": logits, "target": labels}, {"reduction": r, "p": p}, grads=("input",))
        case("multi_margin_loss", f"p{p}/margin0.5/weight/mean",
             lambda input, target, weight, p=p: F.multi_margin_loss(input, target, p=p, margin=0.5, weight=weight),
             {"input": logits, "target": labels, "weight": weight}, {"p": p, "margin": 0.5}, grads=("input",))
        case("multi_margin_loss", f"p{p}/weight/none",
             lambda input, target, weight, p=p: F.multi_margin_loss(input, target, p=p, weight=weight, reduction="none"),
             {"input": logits, "target": labels, "weight": weight}, {"p": p, "reduction": "none"}, grads=("input",))
    case("multi_margin_loss", "rank1/margin2", lambda input, target: F.multi_margin_loss(input, target, margin=2.0),
         {"input": randn(76, C), "target": i64(1)}, {"margin": 2.0}, grads=("input",))
    case("multi_margin_loss", "zeros/sum", lambda input, target: F.multi_margin_loss(input, target, reduction="sum"),
         {"input": f32(np.zeros((3, 4))), "target": i64([0, 3, 1])}, {"reduction": "sum"}, grads=("input",))

    ml_x = randn(80, 4, 5)
    ml_y = i64([[3, 0, -1, 1, 2],  # targets 3, 0; what follows -1 is ignored
                [1, 1, 4, -1, -1],  # duplicate target 1 counts twice
                [-1, 2, 3, 0, 0],  # no targets: loss 0
                [0, 1, 2, 3, 4]])  # every class a target: loss 0
    for r in REDUCTIONS:
        case("multilabel_margin_loss", f"basic/{r}",
             lambda input, target, r=r: F.multilabel_margin_loss(input, target, reduction=r),
             {"input": ml_x, "target": ml_y}, {"reduction": r}, grads=("input",))
    case("multilabel_margin_loss", "rank1", lambda input, target: F.multilabel_margin_loss(input, target),
         {"input": randn(81, 4), "target": i64([2, 1, -1, 3])}, {}, grads=("input",))
    case("multilabel_margin_loss", "wide/sum", lambda input, target: F.multilabel_margin_loss(input, target, reduction="sum"),
         {"input": randn(82, 3, 7, scale=0.3), "target": i64([[6, -1, 0, 0, 0, 0, 0], [0, 2, 4, 6, -1, 1, 1], [5, 3, 5, -1, 0, 0, 0]])},
         {"reduction": "sum"}, grads=("input",))


# ---------------------------------------------------------------- embeddings and ranking
def embedding():
    x1 = randn(90, 5, 6)
    x2 = randn(91, 5, 6)
    y = i64([1, -1, -1, 1, -1])
    for margin in (0.0, 0.5, -0.2):
        for r in REDUCTIONS:
            case("cosine_embedding_loss", f"margin{margin}/{r}",
                 lambda input1, input2, target, r=r, m=margin: F.cosine_embedding_loss(input1, input2, target, margin=m, reduction=r),
                 {"input1": x1, "input2": x2, "target": y}, {"reduction": r, "margin": margin}, grads=("input1", "input2"))
    case("cosine_embedding_loss", "float-target/mean",
         lambda input1, input2, target: F.cosine_embedding_loss(input1, input2, target),
         {"input1": x1, "input2": x2, "target": f32([1, -1, 1, 1, -1])}, {}, grads=("input1", "input2"))
    case("cosine_embedding_loss", "rank1/target0d",
         lambda input1, input2, target: F.cosine_embedding_loss(input1, input2, target, margin=0.1),
         {"input1": randn(92, 6), "input2": randn(93, 6), "target": i64(-1)}, {"margin": 0.1}, grads=("input1", "input2"))
    z = x1.clone()
    z[0, :] = 0.0
    case("cosine_embedding_loss", "zero-vector/positive/none",
         lambda input1, input2, target: F.cosine_embedding_loss(input1, input2, target, reduction="none"),
         {"input1": z, "input2": x2, "target": i64([1, 1, -1, 1, -1])}, {"reduction": "none"}, grads=("input1", "input2"))
    case("cosine_embedding_loss", "target-not-pm1/none",
         lambda input1, input2, target: F.cosine_embedding_loss(input1, input2, target, reduction="none"),
         {"input1": x1, "input2": x2, "target": i64([0, 2, -1, 1, 1])}, {"reduction": "none"}, grads=("input1", "input2"))

    d = f32(np.abs(rng(94).standard_normal((4, 5)) * 1.5))
    yh = signs(95, 4, 5)
    for margin in (1.0, 2.0):
        for r in REDUCTIONS:
            case("hinge_embedding_loss", f"margin{margin}/{r}",
                 lambda input, target, r=r, m=margin: F.hinge_embedding_loss(input, target, margin=m, reduction=r),
                 {"input": d, "target": yh}, {"reduction": r, "margin": margin}, grads=("input",))
    case("hinge_embedding_loss", "target-not-pm1/none",
         lambda input, target: F.hinge_embedding_loss(input, target, reduction="none"),
         {"input": randn(96, 6), "target": f32([1, -1, 0, 2, -1, 1])}, {"reduction": "none"}, grads=("input",))

    a = randn(97, 8)
    b = randn(98, 8)
    yr = signs(99, 8)
    for margin in (0.0, 0.5):
        for r in REDUCTIONS:
            case("margin_ranking_loss", f"margin{margin}/{r}",
                 lambda input1, input2, target, r=r, m=margin: F.margin_ranking_loss(input1, input2, target, margin=m, reduction=r),
                 {"input1": a, "input2": b, "target": yr}, {"reduction": r, "margin": margin}, grads=("input1", "input2"))
    case("margin_ranking_loss", "rank2/mean",
         lambda input1, input2, target: F.margin_ranking_loss(input1, input2, target, margin=0.3),
         {"input1": randn(100, 3, 4), "input2": randn(101, 3, 4), "target": signs(102, 3, 4)}, {"margin": 0.3},
         grads=("input1", "input2"))

    an = randn(110, 5, 6)
    po = randn(111, 5, 6)
    ne = randn(112, 5, 6)
    for r in REDUCTIONS:
        case("triplet_margin_loss", f"default/{r}",
             lambda anchor, positive, negative, r=r: F.triplet_margin_loss(anchor, positive, negative, reduction=r),
             {"anchor": an, "positive": po, "negative": ne}, {"reduction": r}, grads=("anchor", "positive", "negative"))
    for p in (1.0, 3.0, 1.5):
        case("triplet_margin_loss", f"p{p}/mean",
             lambda anchor, positive, negative, p=p: F.triplet_margin_loss(anchor, positive, negative, p=p, margin=2.0),
             {"anchor": an, "positive": po, "negative": ne}, {"p": p, "margin": 2.0}, grads=("anchor", "positive", "negative"))
    for r in REDUCTIONS:
        case("triplet_margin_loss", f"swap/margin2/{r}",
             lambda anchor, positive, negative, r=r: F.triplet_margin_loss(anchor, positive, negative, margin=2.0, swap=True, reduction=r),
             {"anchor": an, "positive": po, "negative": ne}, {"reduction": r, "margin": 2.0, "swap": True},
             grads=("anchor", "positive", "negative"))
    case("triplet_margin_loss", "eps1e-3/margin0.5/sum",
         lambda anchor, positive, negative: F.triplet_margin_loss(anchor, positive, negative, margin=0.5, eps=1e-3, reduction="sum"),
         {"anchor": an, "positive": po, "negative": ne}, {"margin": 0.5, "eps": 1e-3, "reduction": "sum"},
         grads=("anchor", "positive", "negative"))
    case("triplet_margin_loss", "rank1/margin3",
         lambda anchor, positive, negative: F.triplet_margin_loss(anchor, positive, negative, margin=3.0),
         {"anchor": randn(113, 6), "positive": randn(114, 6), "negative": randn(115, 6)}, {"margin": 3.0},
         grads=("anchor", "positive", "negative"))
    case("triplet_margin_loss", "anchor-equals-positive/none",
         lambda anchor, positive, negative: F.triplet_margin_loss(anchor, positive, negative, margin=4.0, reduction="none"),
         {"anchor": an, "positive": an, "negative": ne}, {"margin": 4.0, "reduction": "none"},
         grads=("anchor", "negative"))


# ---------------------------------------------------------------- the four losses the reading list's 17 lack
def sq_euclidean(u, v):
    """A distance for triplet_margin_with_distance_loss; the Go test passes the same one."""
    return ((u - v) ** 2).sum(-1)


def extra():
    for delta in (1.0, 0.5, 2.0):
        for r in REDUCTIONS:
            case("huber_loss", f"delta{delta}/{r}",
                 lambda input, target, r=r, d=delta: F.huber_loss(input, target, reduction=r, delta=d),
                 {"input": randn(120, 4, 5, scale=1.5), "target": randn(121, 4, 5)}, {"reduction": r, "delta": delta},
                 grads=("input", "target"))
    x = randn(122, 3, 4)
    case("huber_loss", "zeros/equal-entries", lambda input, target: F.huber_loss(input, target),
         {"input": x, "target": torch.where(x > 0, x, torch.zeros_like(x))}, {}, grads=("input", "target"))

    mu, t = randn(123, 4, 3), randn(124, 4, 3)
    var_full = uniform(125, 4, 3, lo=0.1, hi=2.0)
    for r in REDUCTIONS:
        for full in (False, True):
            case("gaussian_nll_loss", f"var-full/full={full}/{r}",
                 lambda input, target, var, r=r, fu=full: F.gaussian_nll_loss(input, target, var, full=fu, reduction=r),
                 {"input": mu, "target": t, "var": var_full}, {"reduction": r, "full": full},
                 grads=("input", "target", "var"))
    case("gaussian_nll_loss", "var-per-row/mean", lambda input, target, var: F.gaussian_nll_loss(input, target, var),
         {"input": mu, "target": t, "var": uniform(126, 4, lo=0.1, hi=2.0)}, {}, grads=("input", "target", "var"))
    case("gaussian_nll_loss", "var-column/sum",
         lambda input, target, var: F.gaussian_nll_loss(input, target, var, reduction="sum"),
         {"input": mu, "target": t, "var": uniform(127, 4, 1, lo=0.1, hi=2.0)}, {"reduction": "sum"},
         grads=("input", "target", "var"))
    small = var_full.clone()
    small[0, 0] = 0.0
    small[1, 2] = float(np.float32(1e-9))  # float32 values, as every input
    small[2, 1] = float(np.float32(2e-3))
    for eps in (1e-6, 1e-2):
        case("gaussian_nll_loss", f"clamped/eps{eps}/none",
             lambda input, target, var, e=eps: F.gaussian_nll_loss(input, target, var, eps=e, reduction="none"),
             {"input": mu, "target": t, "var": small}, {"eps": eps, "reduction": "none"},
             grads=("input", "target", "var"))

    an, po, ne = randn(130, 5, 6), randn(131, 5, 6), randn(132, 5, 6)
    trip = F.triplet_margin_with_distance_loss
    for r in REDUCTIONS:
        case("triplet_margin_with_distance_loss", f"default/{r}",
             lambda anchor, positive, negative, r=r: trip(anchor, positive, negative, reduction=r),
             {"anchor": an, "positive": po, "negative": ne}, {"reduction": r}, grads=("anchor", "positive", "negative"))
        case("triplet_margin_with_distance_loss", f"sqeuclidean/swap/margin2/{r}",
             lambda anchor, positive, negative, r=r:
             trip(anchor, positive, negative, distance_function=sq_euclidean, margin=2.0, swap=True, reduction=r),
             {"anchor": an, "positive": po, "negative": ne},
             {"reduction": r, "distance": "sqeuclidean", "margin": 2.0, "swap": True},
             grads=("anchor", "positive", "negative"))
    case("triplet_margin_with_distance_loss", "swap/margin0.5/mean",
         lambda anchor, positive, negative: trip(anchor, positive, negative, margin=0.5, swap=True),
         {"anchor": an, "positive": po, "negative": ne}, {"margin": 0.5, "swap": True},
         grads=("anchor", "positive", "negative"))
    case("triplet_margin_with_distance_loss", "rank1/sqeuclidean",
         lambda anchor, positive, negative: trip(anchor, positive, negative, distance_function=sq_euclidean),
         {"anchor": randn(133, 6), "positive": randn(134, 6), "negative": randn(135, 6)}, {"distance": "sqeuclidean"},
         grads=("anchor", "positive", "negative"))

    # CTC: the goldens differentiate with respect to logits, through log_softmax, because torch's
    # ctc_loss backward returns exp(log_probs) − (the posterior), the gradient for the logits.
    T, N, C = 12, 4, 6
    logits = randn(140, T, N, C, scale=2.0)
    targets = i64([[1, 2, 3, 0, 0], [3, 3, 5, 1, 0], [2, 0, 0, 0, 0], [4, 1, 4, 1, 4]])  # row 1 repeats 3
    in_len = i64([12, 10, 7, 12])
    tg_len = i64([3, 4, 1, 5])

    def ctc(r="mean", blank=0, zi=False):
        return lambda logits, targets, input_lengths, target_lengths: F.ctc_loss(
            F.log_softmax(logits, 2), targets, input_lengths, target_lengths, blank=blank, reduction=r,
            zero_infinity=zi)

    ins = {"logits": logits, "targets": targets, "input_lengths": in_len, "target_lengths": tg_len}
    for r in REDUCTIONS:
        case("ctc_loss", f"basic/{r}", ctc(r), ins, {"reduction": r}, grads=("logits",))
    case("ctc_loss", "blank5/mean", ctc(blank=5),
         dict(ins, targets=i64([[1, 2, 3, 0, 0], [3, 3, 4, 1, 0], [2, 0, 0, 0, 0], [4, 1, 4, 1, 0]])),
         {"blank": 5}, grads=("logits",))
    case("ctc_loss", "empty-target/mean", ctc(),
         dict(ins, target_lengths=i64([3, 0, 1, 5])), {}, grads=("logits",))
    # Row 3 needs 5 frames for 4 1 4 1 4 but has 4: impossible (row 1, 3 3 5 1, needs 5: 3 blank 3 5 1).
    short = dict(ins, input_lengths=i64([12, 5, 7, 4]))
    case("ctc_loss", "impossible/zero_infinity/none", ctc("none", zi=True), short,
         {"reduction": "none", "zero_infinity": True}, grads=("logits",))
    case("ctc_loss", "impossible/zero_infinity/mean", ctc(zi=True), short, {"zero_infinity": True}, grads=("logits",))
    # Not a golden: without zero_infinity torch's loss is +inf and its gradient NaN there; godl gives
    # +Inf with a zero gradient, which pkg/losses tests on its own (TestCTCAgainstAllAlignments).
    case("ctc_loss", "one-frame/sum", ctc("sum"),
         {"logits": randn(141, 1, 2, 3), "targets": i64([[2], [0]]), "input_lengths": i64([1, 1]),
          "target_lengths": i64([1, 0])}, {"reduction": "sum"}, grads=("logits",))


def main():
    torch.manual_seed(0)
    regression()
    binary()
    classification()
    embedding()
    extra()
    names = [c["name"] for c in CASES]
    assert len(names) == len(set(names)), "duplicate case names"
    doc = {
        "generator": "tools/goldens/losses.py",
        "torch_version": torch.__version__,
        "precision": "inputs are float32 values; torch computed in float64",
        "grads": "gradient of the loss (or of sum(upstream*loss) when the output is not a scalar)",
        "cases": CASES,
    }
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        json.dump(doc, f, separators=(",", ":"), allow_nan=False)
        f.write("\n")
    losses = sorted({c["loss"] for c in CASES})
    print(f"torch {torch.__version__}: {len(CASES)} cases for {len(losses)} losses, "
          f"{os.path.getsize(OUT)} bytes -> {os.path.relpath(OUT)}", file=sys.stderr)


if __name__ == "__main__":
    main()
