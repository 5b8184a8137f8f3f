// Command bench prints, side by side, how fast godl trains and multiplies on each available
// backend and, with -peers, in PyTorch (eager and torch.compile) and JAX with optax: a LeNet-5
// training step, a float32 matrix product, a ResNet-18 training step on 32×32 images and an MNIST
// epoch of training.Fit with its data loading, each with its ratio to the best side. `make bench`
// runs it on godl's backends; `make bench-peers` adds the peers; bench/README.md explains the
// method and how to read the table.
//
//	go run ./cmd/bench [-rows lenet,matmul,resnet18,fit] [-peers .venv-peers/bin/python] [-dry-run]
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

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
	var cfg bench.Config
	rows := flags.String("rows", "lenet,matmul,resnet18,fit", "rows to measure, comma-separated")
	flags.IntVar(&cfg.Batch, "batch", 64, "batch size of the training rows")
	flags.IntVar(&cfg.Warmup, "warmup", 3, "untimed steps first (the first one compiles)")
	flags.DurationVar(&cfg.MinTime, "min-time", bench.DefaultMinTime, "time steps (or products) for at least this long")
	flags.IntVar(&cfg.MatMul, "matmul", 1024, "side n of the n×n float32 matrix product")
	flags.IntVar(&cfg.ResNetSize, "resnet-size", 32, "side of ResNet-18's square RGB images")
	flags.IntVar(&cfg.FitLimit, "fit-limit", 0, "train the Fit row on the first N MNIST examples (0: all 60,000)")
	flags.BoolVar(&cfg.SlowGo, "slow-go", false, "also run ResNet-18 (and Fit, when GOMLX_BACKEND=go) on the pure-Go backend (a quarter of an hour a ResNet-18 step)")
	flags.Float64Var(&cfg.PeakGFLOPS, "peak", 0, "the CPU's float32 peak in GFLOP/s, for ResNet-18's share of it")
	flags.DurationVar(&cfg.PeerTimeout, "peer-timeout", bench.DefaultPeerTimeout, "stop a peer framework's process after this long")
	peers := flags.String("peers", "", "also run bench/peers.py with this Python (make bench-peers: .venv-peers/bin/python)")
	frameworks := flags.String("frameworks", strings.Join(bench.Frameworks, ","), "the peers to run, comma-separated")
	pytorch := flags.String("pytorch", "", "like -peers with -frameworks torch (make bench: Debian's python3-torch)")
	dryRun := flags.Bool("dry-run", false, "tiny sizes, to check that everything runs (for tests)")
	if err := flags.Parse(args); err != nil {
		return err
	}
	if flags.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q (flags only; -h lists them)", flags.Arg(0))
	}
	for _, r := range strings.Split(*rows, ",") {
		if !slices.Contains(bench.Rows, bench.Row(r)) {
			return fmt.Errorf("-rows: unknown row %q, want some of %v", r, bench.Rows)
		}
		cfg.Rows = append(cfg.Rows, bench.Row(r))
	}
	fws := strings.Split(*frameworks, ",")
	for _, fw := range fws {
		if !slices.Contains(bench.Frameworks, fw) {
			return fmt.Errorf("-frameworks: unknown framework %q, want some of %v", fw, bench.Frameworks)
		}
	}
	if *pytorch != "" {
		*peers, fws = *pytorch, []string{"torch"}
	}
	if *dryRun {
		dry := bench.DryRun
		dry.Rows, dry.PeakGFLOPS = cfg.Rows, cfg.PeakGFLOPS
		cfg = dry
	}

	cfg.OnMeasure = func(m bench.Measurement) {
		if m.Err != nil {
			fmt.Fprintf(stderr, "bench: %s: %v\n", m.Label(), m.Err)
			return
		}
		fmt.Fprintf(stderr, "bench: %s: %.1f %s, %d steps of %s\n", m.Label(), m.Value(), m.Unit(), m.Steps, m.StepTime)
	}
	choices := backend.Available()
	for _, c := range choices {
		fmt.Fprintf(stderr, "bench: measuring godl on %s\n", c)
	}
	results := bench.Godl(cfg, choices)
	if *peers != "" {
		mnist := ""
		if cfg.Has(bench.FitEpoch) {
			dir, err := os.MkdirTemp("", "godl-bench-")
			if err != nil {
				return err
			}
			defer os.RemoveAll(dir)
			if err := bench.WriteMNIST(dir, cfg.FitLimit); err != nil {
				return err
			}
			mnist = dir
		}
		fmt.Fprintf(stderr, "bench: measuring %s with %s %s\n", strings.Join(fws, ", "), *peers, bench.PeersScript)
		got, skipped := bench.Peers(*peers, fws, cfg, mnist)
		for _, s := range skipped {
			fmt.Fprintln(stderr, "bench: skipped:", s)
		}
		results = append(results, got...)
	}
	bench.Print(stdout, cfg, results)
	var errs []error
	for _, r := range results {
		if r.Err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", r.Label(), r.Err))
		}
	}
	return errors.Join(errs...)
}
