#!/usr/bin/env python3
"""The peers' side of godl's benchmark (go run ./cmd/bench -peers PYTHON; make bench-peers): the
same models, batches and timing rules as the Go side, in PyTorch (eager or torch.compile) or in
JAX (jit) with optax, on the CPU. One framework per process; each measurement is printed as one
JSON line.

Rows (--rows, comma-separated):
  lenet     LeNet-5 (ReLU, max pool, padding 2 in conv1; 61,706 parameters) training step on
            28x28x1 uniform random images with random labels, batch 64, Adam lr 1e-3.
  matmul    1024x1024 float32 product, inputs already in place; GFLOP/s = 2n^3/time.
  resnet18  ResNet-18 training step on 32x32x3 random images, batch 64, 10 classes, Adam lr 1e-3:
            torchvision's resnet18 with the CIFAR stem (conv1 = 3x3 stride 1 padding 1 without
            bias, no max pool; 11,173,962 parameters), batch norm in training mode.
  fit       an MNIST epoch with data loading: shuffled batches of 64 (last partial batch dropped)
            from the uint8 images in memory (a DataLoader over a TensorDataset in PyTorch, numpy
            indexing in JAX), scaled to [0, 1], LeNet-5 with Adam. Two epochs run; the second is
            timed (the first compiles). --mnist DIR names the raw files cmd/bench writes.

Timing rules, on every side: --warmup untimed steps first (3), then steps are timed until at least
--min-time seconds (3) have passed; the loss is read back to the host after every step
(loss.item(), float(loss)); --threads pins the intra-op threads (default: every core).

    .venv-peers/bin/python bench/peers.py --framework torch --rows lenet,matmul
"""

import argparse
import json
import os
import sys
import time

LENET_PARAMS = 61706
RESNET18_CIFAR_PARAMS = 11173962


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--framework", required=True, choices=["torch", "torch-compile", "jax"])
    p.add_argument("--rows", default="lenet,matmul,resnet18,fit", help="comma-separated rows to measure")
    p.add_argument("--warmup", type=int, default=3, help="untimed steps first")
    p.add_argument("--min-time", type=float, default=3.0, help="seconds of timed steps, at least")
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--matmul", type=int, default=1024, help="side n of the n x n float32 product")
    p.add_argument("--resnet-size", type=int, default=32, help="side of ResNet-18's square images")
    p.add_argument("--threads", type=int, default=os.cpu_count(), help="intra-op threads")
    p.add_argument("--mnist", help="folder with train-images.u8 and train-labels.u8 (for the fit row)")
    p.add_argument("--fit-limit", type=int, default=0, help="use only the first N training examples (0: all)")
    args = p.parse_args()
    args.rows = [r for r in args.rows.split(",") if r]
    for r in args.rows:
        if r not in ("lenet", "matmul", "resnet18", "fit"):
            p.error("unknown row %r (want lenet, matmul, resnet18 or fit)" % r)
    if "fit" in args.rows and not args.mnist:
        p.error("the fit row needs --mnist DIR")
    return args


def timed(step, warmup, min_time, min_steps=1):
    """Runs step() warmup times, then until min_time seconds have passed and min_steps have run;
    returns (steps, seconds, last value)."""
    value = None
    for _ in range(warmup):
        value = step()
    n, start = 0, time.perf_counter()
    while True:
        value = step()
        n += 1
        elapsed = time.perf_counter() - start
        if elapsed >= min_time and n >= min_steps:
            return n, elapsed, value


def load_mnist(folder, limit):
    import numpy as np
    images = np.fromfile(os.path.join(folder, "train-images.u8"), dtype=np.uint8)
    labels = np.fromfile(os.path.join(folder, "train-labels.u8"), dtype=np.uint8).astype(np.int64)
    if images.size != labels.size * 784:
        raise ValueError("peers.py: %s: %d bytes of images for %d labels, want 784 per label" %
                         (folder, images.size, labels.size))
    images = images.reshape(-1, 28, 28, 1)
    if limit > 0:
        images, labels = images[:limit], labels[:limit]
    return images, labels


# ---------------------------------------------------------------- PyTorch

def torch_side(args, compiled):
    import torch
    import torch.nn as nn
    if compiled and not hasattr(torch, "compile"):
        raise ImportError("torch %s has no torch.compile (PyTorch 2.0 added it)" % torch.__version__)
    torch.set_num_threads(args.threads)
    name = "PyTorch %s %s" % (torch.__version__.split("+")[0], "torch.compile" if compiled else "eager")
    torch.manual_seed(1)

    def lenet():
        return nn.Sequential(
            nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
            nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))

    def resnet18():
        import torchvision
        net = torchvision.models.resnet18(num_classes=10)
        net.conv1 = nn.Conv2d(3, 64, kernel_size=3, stride=1, padding=1, bias=False)
        net.maxpool = nn.Identity()
        return net

    def stepper(net, params):
        count = sum(p.numel() for p in net.parameters())
        if count != params:
            raise AssertionError("%d parameters, want %d" % (count, params))
        net.train()
        model = torch.compile(net) if compiled else net
        opt = torch.optim.Adam(net.parameters(), lr=1e-3)
        loss_fn = nn.CrossEntropyLoss()

        def step(x, y):
            opt.zero_grad()
            loss = loss_fn(model(x), y)
            loss.backward()
            opt.step()
            return loss.item()
        return step

    def train_row(row, net, params, shape):
        step = stepper(net, params)
        x, y = torch.rand(args.batch, *shape), torch.randint(0, 10, (args.batch,))
        n, secs, loss = timed(lambda: step(x, y), args.warmup, args.min_time)
        return {"row": row, "examples_per_sec": args.batch * n / secs, "ms_per_step": 1000 * secs / n,
                "steps": n, "final_loss": loss}

    for row in args.rows:
        if row == "lenet":
            yield name, train_row(row, lenet(), LENET_PARAMS, (1, 28, 28))
        elif row == "resnet18":
            try:
                net = resnet18()
            except ImportError as e:
                print("peers.py: no ResNet-18 row for torch without torchvision (%s)" % e, file=sys.stderr)
                continue
            yield name, train_row(row, net, RESNET18_CIFAR_PARAMS, (3, args.resnet_size, args.resnet_size))
        elif row == "matmul" and not compiled:
            a, b = torch.rand(args.matmul, args.matmul), torch.rand(args.matmul, args.matmul)
            n, secs, _ = timed(lambda: torch.mm(a, b), 1, args.min_time, 3)
            yield name, {"row": row, "gflops": 2 * args.matmul ** 3 * n / secs / 1e9,
                         "ms_per_step": 1000 * secs / n, "steps": n}
        elif row == "fit":
            images, labels = load_mnist(args.mnist, args.fit_limit)
            data = torch.utils.data.TensorDataset(torch.from_numpy(images).permute(0, 3, 1, 2),
                                                  torch.from_numpy(labels))
            loader = torch.utils.data.DataLoader(data, batch_size=args.batch, shuffle=True, drop_last=True)
            step = stepper(lenet(), LENET_PARAMS)
            for epoch in range(2):
                start, n = time.perf_counter(), 0
                for xb, yb in loader:
                    loss = step(xb.float().div_(255), yb)
                    n += 1
                secs = time.perf_counter() - start
            yield name, {"row": row, "examples_per_sec": args.batch * n / secs, "ms_per_step": 1000 * secs / n,
                         "steps": n, "final_loss": loss}


# ---------------------------------------------------------------- JAX

def jax_side(args):
    # Threads must be set before JAX starts its CPU client.
    os.environ["XLA_FLAGS"] = (os.environ.get("XLA_FLAGS", "") +
                               " --xla_cpu_multi_thread_eigen=true intra_op_parallelism_threads=%d" % args.threads)
    import jax
    import jax.numpy as jnp
    import numpy as np
    import optax
    from jax import lax
    jax.config.update("jax_platforms", "cpu")
    name = "JAX %s jit + optax %s" % (jax.__version__, optax.__version__)
    nhwc = ("NHWC", "HWIO", "NHWC")
    keys = iter(jax.random.split(jax.random.PRNGKey(1), 1000))

    def uniform(shape, fan_in):  # PyTorch's default initialization
        bound = 1 / np.sqrt(fan_in)
        return jax.random.uniform(next(keys), shape, jnp.float32, -bound, bound)

    def conv_p(k, cin, cout, bias=True):
        p = {"w": uniform((k, k, cin, cout), k * k * cin)}
        if bias:
            p["b"] = uniform((cout,), k * k * cin)
        return p

    def dense_p(cin, cout):
        return {"w": uniform((cin, cout), cin), "b": uniform((cout,), cin)}

    def conv(p, x, stride=1, pad=0):
        y = lax.conv_general_dilated(x, p["w"], (stride, stride), [(pad, pad), (pad, pad)], dimension_numbers=nhwc)
        return y + p["b"] if "b" in p else y

    def max_pool(x, k, stride, pad=0):
        return lax.reduce_window(x, -jnp.inf, lax.max, (1, k, k, 1), (1, stride, stride, 1),
                                 [(0, 0), (pad, pad), (pad, pad), (0, 0)])

    def lenet_init():
        return {"conv1": conv_p(5, 1, 6), "conv2": conv_p(5, 6, 16), "fc1": dense_p(400, 120),
                "fc2": dense_p(120, 84), "fc3": dense_p(84, 10)}, {}

    def lenet(params, state, x):
        x = max_pool(jax.nn.relu(conv(params["conv1"], x, pad=2)), 2, 2)
        x = max_pool(jax.nn.relu(conv(params["conv2"], x)), 2, 2)
        x = x.reshape(x.shape[0], -1)
        x = jax.nn.relu(x @ params["fc1"]["w"] + params["fc1"]["b"])
        x = jax.nn.relu(x @ params["fc2"]["w"] + params["fc2"]["b"])
        return x @ params["fc3"]["w"] + params["fc3"]["b"], state

    def bn_p(c):
        return {"g": jnp.ones((c,)), "b": jnp.zeros((c,))}, {"mean": jnp.zeros((c,)), "var": jnp.ones((c,))}

    def bn(p, s, x):  # training mode: batch statistics, running averages as PyTorch keeps them
        mean, var = x.mean((0, 1, 2)), x.var((0, 1, 2))
        n = x.size / x.shape[-1]
        s = {"mean": 0.9 * s["mean"] + 0.1 * lax.stop_gradient(mean),
             "var": 0.9 * s["var"] + 0.1 * lax.stop_gradient(var) * n / (n - 1)}
        return (x - mean) * lax.rsqrt(var + 1e-5) * p["g"] + p["b"], s

    stages = [(64, 1), (128, 2), (256, 2), (512, 2)]

    def resnet_init():
        params, state = {"conv1": conv_p(3, 3, 64, bias=False)}, {}
        params["bn1"], state["bn1"] = bn_p(64)
        cin = 64
        for i, (c, stride) in enumerate(stages):
            for j in range(2):
                k = "layer%d.%d" % (i + 1, j)
                p, s = {"conv1": conv_p(3, cin, c, False), "conv2": conv_p(3, c, c, False)}, {}
                p["bn1"], s["bn1"] = bn_p(c)
                p["bn2"], s["bn2"] = bn_p(c)
                if j == 0 and stride != 1:
                    p["down"] = conv_p(1, cin, c, False)
                    p["down_bn"], s["down_bn"] = bn_p(c)
                params[k], state[k], cin = p, s, c
        params["fc"] = dense_p(512, 10)
        return params, state

    def resnet(params, state, x):
        new = {}
        x, new["bn1"] = bn(params["bn1"], state["bn1"], conv(params["conv1"], x, pad=1))
        x = jax.nn.relu(x)
        for i, (c, stride) in enumerate(stages):
            for j in range(2):
                k = "layer%d.%d" % (i + 1, j)
                p, s, ns = params[k], state[k], {}
                st = stride if j == 0 else 1
                y, ns["bn1"] = bn(p["bn1"], s["bn1"], conv(p["conv1"], x, st, 1))
                y, ns["bn2"] = bn(p["bn2"], s["bn2"], conv(p["conv2"], jax.nn.relu(y), 1, 1))
                if "down" in p:
                    x, ns["down_bn"] = bn(p["down_bn"], s["down_bn"], conv(p["down"], x, st))
                x, new[k] = jax.nn.relu(x + y), ns
        x = x.mean((1, 2))
        return x @ params["fc"]["w"] + params["fc"]["b"], new

    def stepper(init, forward, expect):
        params, state = init()
        count = sum(v.size for v in jax.tree_util.tree_leaves(params))
        if count != expect:
            raise AssertionError("%d parameters, want %d" % (count, expect))
        opt = optax.adam(1e-3)

        def loss_fn(params, state, x, y):
            logits, state = forward(params, state, x)
            return optax.softmax_cross_entropy_with_integer_labels(logits, y).mean(), state

        @jax.jit
        def step(params, state, opt_state, x, y):
            (loss, state), grads = jax.value_and_grad(loss_fn, has_aux=True)(params, state, x, y)
            updates, opt_state = opt.update(grads, opt_state, params)
            return optax.apply_updates(params, updates), state, opt_state, loss

        carry = [params, state, opt.init(params)]

        def run(x, y):
            carry[0], carry[1], carry[2], loss = step(*carry, x, y)
            return float(loss)
        return run

    def train_row(row, init, forward, expect, shape):
        step = stepper(init, forward, expect)
        rng = np.random.default_rng(1)
        x = jnp.asarray(rng.random((args.batch, *shape), dtype=np.float32))
        y = jnp.asarray(rng.integers(0, 10, args.batch))
        n, secs, loss = timed(lambda: step(x, y), args.warmup, args.min_time)
        return {"row": row, "examples_per_sec": args.batch * n / secs, "ms_per_step": 1000 * secs / n,
                "steps": n, "final_loss": loss}

    for row in args.rows:
        if row == "lenet":
            yield name, train_row(row, lenet_init, lenet, LENET_PARAMS, (28, 28, 1))
        elif row == "resnet18":
            yield name, train_row(row, resnet_init, resnet, RESNET18_CIFAR_PARAMS,
                                  (args.resnet_size, args.resnet_size, 3))
        elif row == "matmul":
            rng = np.random.default_rng(2)
            a = jnp.asarray(rng.random((args.matmul, args.matmul), dtype=np.float32))
            b = jnp.asarray(rng.random((args.matmul, args.matmul), dtype=np.float32))
            mm = jax.jit(jnp.dot)
            n, secs, _ = timed(lambda: mm(a, b).block_until_ready(), 1, args.min_time, 3)
            yield name, {"row": row, "gflops": 2 * args.matmul ** 3 * n / secs / 1e9,
                         "ms_per_step": 1000 * secs / n, "steps": n}
        elif row == "fit":
            images, labels = load_mnist(args.mnist, args.fit_limit)
            step = stepper(lenet_init, lenet, LENET_PARAMS)
            rng = np.random.default_rng(1)
            steps = len(labels) // args.batch
            for epoch in range(2):
                start = time.perf_counter()
                order = rng.permutation(len(labels))
                for i in range(steps):
                    idx = order[i * args.batch:(i + 1) * args.batch]
                    loss = step(images[idx].astype(np.float32) / 255, labels[idx])
                secs = time.perf_counter() - start
            yield name, {"row": row, "examples_per_sec": args.batch * steps / secs,
                         "ms_per_step": 1000 * secs / steps, "steps": steps, "final_loss": loss}


def main():
    args = parse_args()
    try:
        side = jax_side(args) if args.framework == "jax" else torch_side(args, args.framework == "torch-compile")
        for name, row in side:
            row.update(side=name, threads=args.threads)
            print(json.dumps(row), flush=True)
    except ImportError as e:
        print("peers.py: %s is not installed for %s (%s); make bench-peers installs it" %
              (args.framework, sys.executable, e), file=sys.stderr)
        return 3
    return 0


if __name__ == "__main__":
    sys.exit(main())
