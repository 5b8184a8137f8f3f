// Command bench prints, side by side, how fast each available backend trains LeNet-5 (examples
// per second, batch 64) and multiplies two 1024×1024 float32 matrices (GFLOP/s), with ratios to
// the fastest. `make bench` runs it; bench/pytorch_lenet.py prints the same columns for PyTorch,
// and bench/README.md explains how to read both.
//
//	go run ./cmd/bench [-steps 30] [-batch 64] [-matmul 1024] [-pytorch /usr/bin/python3] [-dry-run]
package main

import (
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/godl-book/godl/pkg/backend"
	"github.com/godl-book/godl/pkg/bench"
)

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func run(args []string, stdout, stderr io.Writer) error {
	flags := flag.NewFlagSet("bench", flag.ContinueOnError)
	flags.SetOutput(stderr)
	steps := flags.Int("steps", 30, "LeNet-5 training steps to time, after -warmup untimed ones")
	warmup := flags.Int("warmup", 3, "untimed LeNet-5 steps first (the first one compiles)")
	batch := flags.Int("batch", 64, "LeNet-5 batch size")
	matmul := flags.Int("matmul", 1024, "side n of the n×n float32 matrix product")
	reps := flags.Int("reps", 0, "matrix products to time (0: as many as fit in about 2 s, at least 3)")
	dryRun := flags.Bool("dry-run", false, "tiny sizes, to check that everything runs (for tests)")
	pytorch := flags.String("pytorch", "", "also run bench/pytorch_lenet.py with this Python (e.g. /usr/bin/python3) and add its row")
	if err := flags.Parse(args); err != nil {
		return err
	}
	cfg := bench.Config{Batch: *batch, Steps: *steps, Warmup: *warmup, MatMul: *matmul, MatMulReps: *reps}
	if *dryRun {
		cfg = bench.DryRun
	}
	choices := backend.Available()
	for _, c := range choices {
		fmt.Fprintf(stderr, "bench: measuring %s\n", c)
	}
	results := bench.Run(cfg, choices)
	if *pytorch != "" {
		fmt.Fprintf(stderr, "bench: measuring PyTorch with %s %s\n", *pytorch, bench.PyTorchScript)
		results = append(results, bench.PyTorch(*pytorch, cfg))
	}
	bench.Print(stdout, cfg, results)
	for _, r := range results {
		if r.Err != nil {
			return fmt.Errorf("%s: %w", r.Backend, r.Err)
		}
	}
	return nil
}
