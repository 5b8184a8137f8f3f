#!/usr/bin/env python3
"""PyTorch's side of godl's benchmark (go run ./cmd/bench): the same LeNet-5 training step and the
same float32 matrix product, on the CPU, printed in the same columns.

LeNet-5 here is godl's models.LeNet5(10, models.Modern()), which is the PyTorch blitz's Net with a
padding of 2 in conv1 for 28x28 inputs (as d2l does): conv 6@5x5 pad 2 -> ReLU -> max pool 2 ->
conv 16@5x5 -> ReLU -> max pool 2 -> linear 400->120 -> ReLU -> 120->84 -> ReLU -> 84->10, 61,706
parameters. One step is forward, cross-entropy, backward and an Adam update (lr 1e-3) on one batch
of uniform random 28x28x1 images with random labels, with loss.item() read each step, as the Go side
does. Channels-first, as PyTorch expects; godl is channels-last.

    /usr/bin/python3 bench/pytorch_lenet.py [--steps 30] [--batch 64] [--matmul 1024] [--dry-run]

Without torch it says so and exits with status 0, so that `make bench` still passes.
"""

import argparse
import json
import os
import sys
import time


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--steps", type=int, default=30, help="LeNet-5 training steps to time, after --warmup untimed ones")
    p.add_argument("--warmup", type=int, default=3, help="untimed LeNet-5 steps first")
    p.add_argument("--batch", type=int, default=64, help="LeNet-5 batch size")
    p.add_argument("--matmul", type=int, default=1024, help="side n of the n x n float32 matrix product")
    p.add_argument("--reps", type=int, default=0, help="matrix products to time (0: as many as fit in about 2 s, at least 3)")
    p.add_argument("--threads", type=int, default=0, help="torch.set_num_threads (0: PyTorch's default)")
    p.add_argument("--dry-run", action="store_true", help="tiny sizes, to check that everything runs")
    p.add_argument("--json", action="store_true", help="print one JSON object instead of the table (cmd/bench -pytorch reads it)")
    args = p.parse_args()
    if args.dry_run:  # the same sizes as bench.DryRun on the Go side
        args.batch, args.steps, args.warmup, args.matmul, args.reps = 4, 2, 1, 64, 2
    return args


def lenet5(nn):
    return nn.Sequential(
        nn.Conv2d(1, 6, kernel_size=5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, kernel_size=5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(16 * 5 * 5, 120), nn.ReLU(),
        nn.Linear(120, 84), nn.ReLU(),
        nn.Linear(84, 10),
    )


def bench_lenet(torch, args):
    torch.manual_seed(1)
    net = lenet5(torch.nn)
    assert sum(p.numel() for p in net.parameters()) == 61706
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    loss_fn = torch.nn.CrossEntropyLoss()
    x = torch.rand(args.batch, 1, 28, 28)
    y = torch.randint(0, 10, (args.batch,))

    def step():
        opt.zero_grad()
        loss = loss_fn(net(x), y)
        loss.backward()
        opt.step()
        return loss.item()

    for _ in range(args.warmup):
        step()
    start = time.perf_counter()
    for _ in range(args.steps):
        loss = step()
    elapsed = time.perf_counter() - start
    return args.batch * args.steps / elapsed, elapsed / args.steps, loss


def bench_matmul(torch, args):
    n = args.matmul
    a, b = torch.rand(n, n), torch.rand(n, n)
    start = time.perf_counter()
    torch.mm(a, b)
    first = time.perf_counter() - start
    reps = args.reps if args.reps > 0 else max(3, int(2 / max(first, 1e-3)))
    start = time.perf_counter()
    for _ in range(reps):
        torch.mm(a, b)
    elapsed = time.perf_counter() - start
    return 2 * n ** 3 * reps / elapsed / 1e9, reps


def main():
    args = parse_args()
    try:
        import torch
    except ImportError:
        print("pytorch_lenet.py: torch is not installed for %s; nothing measured "
              "(/usr/bin/python3 has it here; elsewhere: pip install torch)" % sys.executable, file=sys.stderr)
        return 0
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    per_sec, step_time, loss = bench_lenet(torch, args)
    gflops, reps = bench_matmul(torch, args)
    row = {"backend": "pytorch-cpu", "examples_per_sec": per_sec, "ms_per_step": step_time * 1000,
           "steps": args.steps, "final_loss": loss, "gflops": gflops, "products": reps,
           "torch": torch.__version__, "threads": torch.get_num_threads()}
    if args.json:
        print(json.dumps(row))
        return 0
    print("LeNet-5 (ReLU, max pool) training, batch %d, Adam, 28×28×1 random data; float32 %d×%d matmul; "
          "torch %s, %d threads, %d CPUs" % (args.batch, args.matmul, args.matmul, torch.__version__,
                                            torch.get_num_threads(), os.cpu_count()))
    print("%-12s %12s %9s %9s %6s %14s %9s %9s" % (
        "backend", "LeNet-5 ex/s", "×fastest", "ms/step", "steps", "matmul GFLOP/s", "×fastest", "products"))
    print("%-12s %12.1f %9.3f %9.2f %6d %14.2f %9.3f %9d" % (
        row["backend"], per_sec, 1.0, step_time * 1000, args.steps, gflops, 1.0, reps))
    return 0


if __name__ == "__main__":
    sys.exit(main())
