#!/usr/bin/python3
"""Goldens for pkg/optim: PyTorch optimizer trajectories that the Go tests replay.

Run from the repository root with Debian's PyTorch (CPU):

    /usr/bin/python3 tools/goldens/optim.py

It writes pkg/optim/testdata/optim_golden.json. For every optimizer variant and every problem
it records, after each of STEPS calls to optimizer.step(), the loss that step saw and the flat
parameters. First-order optimizers run twice, in float32 (what models use) and in float64 (to
check the update rule to ~1e-12, where float32 rounding would hide a misplaced eps); L-BFGS
runs in float64 only, because its line search branches on comparisons that float32 rounding
can flip, and also records the cumulative number of closure evaluations.
"""

import json
import math
import os
import sys

import torch

STEPS = 20
OUT = os.path.join("pkg", "optim", "testdata", "optim_golden.json")

# ---------------------------------------------------------------------------------------------
# Problems. Each has named parameters (flattened in this order, row-major) and a loss.

QUAD_A = [[3.0, 0.5, 0.0], [0.5, 1.0, 0.2], [0.0, 0.2, 0.1]]
QUAD_B = [1.0, -2.0, 0.5]
QUAD_X0 = [0.5, 1.5, -2.0]

ROSEN_X0 = [-1.5, 2.0]

# MLP 4→8→3, tanh, cross-entropy on a fixed batch of 6. Weights come from a seeded generator
# and are written into the JSON, so the Go side never needs torch's RNG.
MLP_IN, MLP_HIDDEN, MLP_OUT, MLP_BATCH = 4, 8, 3, 6


def mlp_init():
    g = torch.Generator().manual_seed(20240605)
    w1 = (torch.rand(MLP_IN, MLP_HIDDEN, generator=g, dtype=torch.float64) - 0.5).mul(1.0)
    b1 = (torch.rand(MLP_HIDDEN, generator=g, dtype=torch.float64) - 0.5).mul(0.2)
    w2 = (torch.rand(MLP_HIDDEN, MLP_OUT, generator=g, dtype=torch.float64) - 0.5).mul(1.2)
    b2 = (torch.rand(MLP_OUT, generator=g, dtype=torch.float64) - 0.5).mul(0.2)
    x = (torch.rand(MLP_BATCH, MLP_IN, generator=g, dtype=torch.float64) - 0.5).mul(4.0)
    y = [0, 2, 1, 1, 0, 2]
    # Round to values exactly representable in float32, so both dtypes start at the same point.
    r = lambda t: t.float().double()
    return {"w1": r(w1), "b1": r(b1), "w2": r(w2), "b2": r(b2)}, r(x), torch.tensor(y)


MLP_PARAMS, MLP_X, MLP_Y = mlp_init()


def quadratic_loss(params):
    (x,) = params
    a = torch.tensor(QUAD_A, dtype=x.dtype)
    b = torch.tensor(QUAD_B, dtype=x.dtype)
    return 0.5 * torch.dot(x, a @ x) - torch.dot(b, x)


def rosenbrock_loss(params):
    (p,) = params
    x, y = p[0], p[1]
    return (1 - x) ** 2 + 100 * (y - x * x) ** 2


def mlp_loss(params):
    w1, b1, w2, b2 = params
    x = MLP_X.to(w1.dtype)
    h = torch.tanh(x @ w1 + b1)
    logits = h @ w2 + b2
    return torch.nn.functional.cross_entropy(logits, MLP_Y)


PROBLEMS = {
    "quadratic": {
        "loss": quadratic_loss,
        "init": [("x", torch.tensor(QUAD_X0, dtype=torch.float64))],
        "json": {"description": "0.5·xᵀAx − bᵀx", "A": QUAD_A, "b": QUAD_B},
    },
    "rosenbrock": {
        "loss": rosenbrock_loss,
        "init": [("xy", torch.tensor(ROSEN_X0, dtype=torch.float64))],
        "json": {"description": "(1−x)² + 100·(y−x²)²"},
    },
    "mlp": {
        "loss": mlp_loss,
        "init": [(k, MLP_PARAMS[k]) for k in ("w1", "b1", "w2", "b2")],
        "json": {
            "description": "cross_entropy(tanh(x·w1 + b1)·w2 + b2, y), mean over the batch",
            "x": MLP_X.tolist(),
            "y": MLP_Y.tolist(),
        },
    },
}

# ---------------------------------------------------------------------------------------------
# Optimizer variants: (name, torch class, options, per-problem lr).

VARIANTS = [
    ("sgd", "SGD", {}, {"quadratic": 0.1, "rosenbrock": 2e-4, "mlp": 0.5}),
    ("sgd_momentum", "SGD", {"momentum": 0.9}, {"quadratic": 0.1, "rosenbrock": 2e-4, "mlp": 0.5}),
    ("sgd_nesterov", "SGD", {"momentum": 0.9, "nesterov": True},
     {"quadratic": 0.1, "rosenbrock": 2e-4, "mlp": 0.5}),
    ("sgd_weight_decay", "SGD", {"weight_decay": 0.1}, {"quadratic": 0.1, "rosenbrock": 2e-4, "mlp": 0.5}),
    ("sgd_dampening", "SGD", {"momentum": 0.8, "dampening": 0.3, "weight_decay": 0.01},
     {"quadratic": 0.1, "rosenbrock": 2e-4, "mlp": 0.5}),
    ("adam", "Adam", {}, {"quadratic": 0.1, "rosenbrock": 0.1, "mlp": 0.05}),
    ("adam_amsgrad_l2", "Adam", {"amsgrad": True, "weight_decay": 0.1, "betas": (0.8, 0.99), "eps": 1e-6},
     {"quadratic": 0.1, "rosenbrock": 0.1, "mlp": 0.05}),
    ("adamw", "AdamW", {"weight_decay": 0.1}, {"quadratic": 0.1, "rosenbrock": 0.1, "mlp": 0.05}),
    ("adamw_amsgrad", "AdamW", {"weight_decay": 0.05, "amsgrad": True},
     {"quadratic": 0.1, "rosenbrock": 0.1, "mlp": 0.05}),
    ("adamax", "Adamax", {}, {"quadratic": 0.1, "rosenbrock": 0.1, "mlp": 0.05}),
    ("adamax_weight_decay", "Adamax", {"betas": (0.8, 0.99), "eps": 1e-6, "weight_decay": 0.1},
     {"quadratic": 0.1, "rosenbrock": 0.1, "mlp": 0.05}),
    ("adagrad", "Adagrad", {}, {"quadratic": 0.1, "rosenbrock": 0.1, "mlp": 0.1}),
    ("adagrad_lr_decay", "Adagrad",
     {"lr_decay": 0.05, "weight_decay": 0.01, "initial_accumulator_value": 0.1, "eps": 1e-8},
     {"quadratic": 0.1, "rosenbrock": 0.1, "mlp": 0.1}),
    ("rmsprop", "RMSprop", {}, {"quadratic": 0.01, "rosenbrock": 0.01, "mlp": 0.01}),
    ("rmsprop_centered_momentum", "RMSprop",
     {"centered": True, "momentum": 0.9, "alpha": 0.9, "weight_decay": 0.01},
     {"quadratic": 0.01, "rosenbrock": 0.005, "mlp": 0.01}),
    ("adadelta", "Adadelta", {}, {"quadratic": 1.0, "rosenbrock": 1.0, "mlp": 1.0}),
    ("adadelta_weight_decay", "Adadelta", {"rho": 0.8, "eps": 1e-5, "weight_decay": 0.1},
     {"quadratic": 0.5, "rosenbrock": 0.5, "mlp": 0.5}),
    ("lbfgs", "LBFGS", {"max_iter": 3}, {"quadratic": 0.5, "rosenbrock": 0.2, "mlp": 0.5}),
    ("lbfgs_strong_wolfe", "LBFGS", {"max_iter": 4, "line_search_fn": "strong_wolfe"},
     {"quadratic": 1.0, "rosenbrock": 1.0, "mlp": 1.0}),
    ("lbfgs_strong_wolfe_history3", "LBFGS",
     {"max_iter": 10, "history_size": 3, "line_search_fn": "strong_wolfe", "tolerance_grad": 1e-9},
     {"quadratic": 1.0, "rosenbrock": 1.0, "mlp": 1.0}),
]


def run(problem_name, variant, dtype):
    name, cls_name, options, lrs = variant
    problem = PROBLEMS[problem_name]
    params = [t.clone().to(dtype).requires_grad_(True) for _, t in problem["init"]]
    opts = dict(options)
    opts["lr"] = lrs[problem_name]
    cls = getattr(torch.optim, cls_name)
    if cls_name not in ("LBFGS", "SGD"):
        opts["foreach"] = False  # the single-tensor code path is the documented reference
    opt = cls(params, **opts)
    losses, traj, evals = [], [], []

    def closure():
        opt.zero_grad()
        loss = problem["loss"](params)
        loss.backward()
        return loss

    for _ in range(STEPS):
        if cls_name == "LBFGS":
            loss = opt.step(closure)
            evals.append(opt.state[params[0]]["func_evals"])
        else:
            loss = closure()
            opt.step()
        losses.append(float(loss))
        traj.append(torch.cat([p.detach().reshape(-1) for p in params]).tolist())
        if not all(math.isfinite(v) for v in traj[-1]):
            sys.exit(f"{name}/{problem_name}/{dtype}: diverged at step {len(traj)}")

    jopts = {k: (list(v) if isinstance(v, tuple) else v) for k, v in opts.items() if k != "foreach"}
    case = {
        "name": f"{name}/{problem_name}/{str(dtype).removeprefix('torch.')}",
        "optimizer": cls_name,
        "options": jopts,
        "problem": problem_name,
        "dtype": str(dtype).removeprefix("torch."),
        "loss": losses,
        "params": traj,
    }
    if evals:
        case["func_evals"] = evals
    return case


def main():
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(1)
    cases = []
    for variant in VARIANTS:
        dtypes = [torch.float64] if variant[1] == "LBFGS" else [torch.float32, torch.float64]
        for problem_name in PROBLEMS:
            for dtype in dtypes:
                cases.append(run(problem_name, variant, dtype))

    problems = {}
    for pname, p in PROBLEMS.items():
        entry = dict(p["json"])
        entry["params"] = [{"name": n, "shape": list(t.shape), "init": t.reshape(-1).tolist()}
                           for n, t in p["init"]]
        problems[pname] = entry

    doc = {
        "generated_by": "tools/goldens/optim.py",
        "torch_version": torch.__version__,
        "steps": STEPS,
        "note": "loss[k] is the loss that step k+1 saw (before its update); params[k] are the flat "
                "parameters after step k+1, in the order of problems[*].params, row-major.",
        "problems": problems,
        "cases": cases,
    }
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        json.dump(doc, f, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {OUT}: {len(cases)} cases, {os.path.getsize(OUT)} bytes, torch {torch.__version__}")


if __name__ == "__main__":
    main()
