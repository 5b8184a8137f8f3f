// Package bench measures how fast godl trains and multiplies, on each backend and next to the
// frameworks users install (PyTorch eager and torch.compile, JAX with optax), with the same models,
// batches and timing rules on every side. Its rows: a LeNet-5 training step, a float32 matrix
// product, a ResNet-18 training step on 32×32 images, and an MNIST epoch of training.Fit with its
// data loading. cmd/bench prints the table; bench/peers.py is the peers' side; bench/README.md
// explains the method and the results. Chapter 00 uses MatMul.
package bench

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/train"
	"github.com/gomlx/gomlx/pkg/ml/train/losses"
	"github.com/gomlx/gomlx/pkg/ml/train/optimizers"

	"github.com/godl-book/godl/pkg/backend"
	"github.com/godl-book/godl/pkg/datasets"
	"github.com/godl-book/godl/pkg/models"
	"github.com/godl-book/godl/pkg/training"
)

// Row is one benchmark of the table.
type Row string

// The rows, in the order the table prints them.
const (
	LeNetStep  Row = "lenet"    // LeNet-5 training step, examples/s
	MatMulRow  Row = "matmul"   // n×n float32 matrix product, GFLOP/s
	ResNetStep Row = "resnet18" // ResNet-18 training step on 32×32×3 images, examples/s
	FitEpoch   Row = "fit"      // an MNIST epoch of training.Fit with data loading, examples/s
)

// Rows lists every row, in table order.
var Rows = []Row{LeNetStep, MatMulRow, ResNetStep, FitEpoch}

// Config says what to measure and how.
type Config struct {
	Rows    []Row         // which rows (default: all)
	Batch   int           // batch size of every training row (default 64)
	Warmup  int           // untimed steps first; the first compiles (default 3)
	MinTime time.Duration // steps (or products) are timed until at least this long (default 3 s)
	MatMul  int           // side n of the n×n product (default 1024)
	// ResNetSize is the side of ResNet-18's square RGB images (default 32, CIFAR-10's).
	ResNetSize int
	// FitLimit trains Fit on the first FitLimit MNIST examples (default 0: all 60,000).
	FitLimit int
	// SlowGo also runs ResNet-18 on the pure-Go backend (a 32×32 step of 64 takes about a
	// quarter of an hour there). Fit runs on the default backend only, pure Go included when
	// $GOMLX_BACKEND says so.
	SlowGo bool
	// PeakGFLOPS is the CPU's float32 peak, for the ResNet row's share of it (0: not shown).
	PeakGFLOPS float64
	// PeerTimeout stops a peer framework's process that runs longer (default DefaultPeerTimeout).
	PeerTimeout time.Duration
	// OnMeasure, when set, is called with each measurement as soon as it is made (progress for a
	// run of several minutes).
	OnMeasure func(Measurement)
}

// DefaultMinTime is how long each side's steps are timed, at least.
const DefaultMinTime = 3 * time.Second

// DryRun is a tiny configuration for tests: every row runs, nothing meaningful is measured.
var DryRun = Config{Batch: 4, Warmup: 1, MinTime: time.Millisecond, MatMul: 64, ResNetSize: 8, FitLimit: 256, SlowGo: true}

func (c Config) withDefaults() Config {
	if len(c.Rows) == 0 {
		c.Rows = Rows
	}
	if c.Batch <= 0 {
		c.Batch = 64
	}
	if c.Warmup <= 0 {
		c.Warmup = 3
	}
	if c.MinTime <= 0 {
		c.MinTime = DefaultMinTime
	}
	if c.MatMul <= 0 {
		c.MatMul = 1024
	}
	if c.ResNetSize <= 0 {
		c.ResNetSize = 32
	}
	return c
}

func (c Config) report(m Measurement) {
	if c.OnMeasure != nil {
		c.OnMeasure(m)
	}
}

// Has reports whether the configuration measures row r.
func (c Config) Has(r Row) bool { return slices.Contains(c.withDefaults().Rows, r) }

// Measurement is one side's number for one row.
type Measurement struct {
	Row  Row
	Side string // "godl xla-cpu", "PyTorch 2.15.0 eager", …
	// ExamplesPerSec is the training throughput (training rows): Batch·Steps / time.
	ExamplesPerSec float64
	// GFLOPS is 2n³ per product per second for the matrix product, in 10⁹.
	GFLOPS   float64
	StepTime time.Duration // mean time of one timed step (or product)
	Steps    int           // timed steps (or products)
	Loss     float32       // loss of the last step, to show that training ran
	Err      error         // what stopped the measurement, if anything
}

// LeNetModel is the network of the LeNet-5 and Fit rows: LeNet-5 with ReLU and max pooling
// (models.LeNet5 with Modern, PyTorch's blitz Net) on MNIST-shaped 28×28×1 images, 10 classes,
// 61,706 parameters.
var LeNetModel = models.LeNet5(10, models.Modern())

// ResNetModel is the network of the ResNet-18 row: torchvision's resnet18 with 10 classes and the
// CIFAR stem (models.CIFARStem: a 3×3 stride-1 convolution, no max pool), 11,173,962 parameters.
var ResNetModel = models.ResNet18(10, models.CIFARStem())

// Godl measures cfg's rows on every backend in choices (e.g. backend.Available()), one after the
// other. ResNet-18 skips the pure-Go backend unless cfg.SlowGo. Fit runs on one backend only:
// backend.Default (training.Fit takes no backend), i.e. $GOMLX_BACKEND's or the best, and on pure
// Go only with SlowGo.
func Godl(cfg Config, choices []backend.Choice) []Measurement {
	cfg = cfg.withDefaults()
	var out []Measurement
	for _, c := range choices {
		side := "godl " + c.Name
		b, err := backend.Load(c)
		if err != nil {
			for _, r := range cfg.Rows {
				out = append(out, Measurement{Row: r, Side: side, Err: err})
				cfg.report(out[len(out)-1])
			}
			continue
		}
		slow := c.Name == "go" && !cfg.SlowGo
		for _, r := range cfg.Rows {
			m := Measurement{Row: r, Side: side}
			switch {
			case r == LeNetStep:
				m = TrainSteps(b, LeNetModel, []int{cfg.Batch, 28, 28, 1}, cfg)
			case r == MatMulRow:
				m.GFLOPS, m.Steps, m.StepTime, m.Err = matMul(b, cfg.MatMul, 0, cfg.MinTime)
			case slow:
				continue
			case r == ResNetStep:
				m = TrainSteps(b, ResNetModel, []int{cfg.Batch, cfg.ResNetSize, cfg.ResNetSize, 3}, cfg)
			case r == FitEpoch:
				if c.Name != backend.Choose().Name {
					continue
				}
				m = FitMNIST(cfg)
			}
			m.Row, m.Side = r, side
			cfg.report(m)
			out = append(out, m)
		}
		b.Finalize()
	}
	return out
}

// TrainSteps times training steps of model on b — forward, softmax cross-entropy, gradients and
// an Adam update (learning rate 1e-3) — on one batch of uniform random images shaped dims with
// random labels out of 10. The loss is read back after every step, as a PyTorch loop's
// loss.item() does, so each step has finished before the next starts. cfg.Warmup untimed steps
// come first, then steps until cfg.MinTime has passed.
func TrainSteps(b backends.Backend, model models.Model, dims []int, cfg Config) (m Measurement) {
	cfg = cfg.withDefaults()
	defer catch(&m.Err)
	ctx := context.New()
	ctx.SetParam(context.ParamInitialSeed, int64(1))
	modelFn := func(ctx *context.Context, _ any, inputs []*graph.Node) []*graph.Node {
		return []*graph.Node{model(ctx, inputs[0])}
	}
	trainer := train.NewTrainer(b, ctx, modelFn, losses.SparseCategoricalCrossEntropyLogits,
		optimizers.Adam().LearningRate(1e-3).Done(), nil, nil)
	defer trainer.ResetComputationGraphs()

	r := rand.New(rand.NewPCG(1, 2))
	size := 1
	for _, d := range dims {
		size *= d
	}
	images := make([]float32, size)
	for i := range images {
		images[i] = r.Float32()
	}
	labels := make([]int32, dims[0])
	for i := range labels {
		labels[i] = int32(r.IntN(10))
	}
	x := tensors.FromFlatDataAndDimensions(images, dims...)
	y := tensors.FromFlatDataAndDimensions(labels, dims[0], 1)
	step := func() (float32, error) {
		metrics, err := trainer.TrainStep(nil, []*tensors.Tensor{x}, []*tensors.Tensor{y})
		if err != nil {
			return 0, err
		}
		l := metrics[0].Value().(float32)
		for _, t := range metrics {
			t.FinalizeAll()
		}
		return l, nil
	}
	var elapsed time.Duration
	m.Steps, elapsed, m.Loss, m.Err = timed(step, cfg.Warmup, cfg.MinTime, 1)
	if m.Err == nil {
		m.StepTime = elapsed / time.Duration(m.Steps)
		m.ExamplesPerSec = float64(dims[0]*m.Steps) / elapsed.Seconds()
	}
	return m
}

// timed runs step warmup times, then until minTime has passed and minSteps have run, and
// returns the timed count, their time and the last value.
func timed[T any](step func() (T, error), warmup int, minTime time.Duration, minSteps int) (n int, elapsed time.Duration, last T, err error) {
	for i := range warmup {
		if last, err = step(); err != nil {
			return 0, 0, last, fmt.Errorf("warm-up step %d: %w", i+1, err)
		}
	}
	start := time.Now()
	for elapsed < minTime || n < minSteps {
		if last, err = step(); err != nil {
			return n, 0, last, fmt.Errorf("step %d: %w", n+1, err)
		}
		n++
		elapsed = time.Since(start)
	}
	return n, elapsed, last, nil
}

// FitMNIST trains LeNetModel with training.Fit for two epochs on MNIST's training set (its first
// cfg.FitLimit examples if set), batch cfg.Batch, Adam 1e-3, and returns the second epoch's
// throughput: shuffling, batching and converting the images (Fit's loader) included, the first
// epoch's compilation and the evaluation after each epoch excluded. Fit computes on
// backend.Default().
func FitMNIST(cfg Config) (m Measurement) {
	cfg = cfg.withDefaults()
	defer catch(&m.Err)
	trainSet, testSet, err := datasets.MNIST(datasets.Quiet())
	if err != nil {
		return Measurement{Err: err}
	}
	run, err := training.Fit(training.Model(LeNetModel), trainSet.Take(cfg.FitLimit), testSet.Take(1000),
		optimizers.Adam().LearningRate(1e-3).Done(), training.Epochs(2), training.BatchSize(cfg.Batch),
		training.Seed(1), training.NoProgress())
	if err != nil {
		return Measurement{Err: err}
	}
	e := run.History[1]
	m.ExamplesPerSec, m.Steps = e.ExamplesPerSecond(), e.Examples/cfg.Batch
	m.StepTime = time.Duration(e.Seconds / float64(m.Steps) * float64(time.Second))
	m.Loss = float32(e.TrainLoss)
	return m
}

// MatMul times the product of two n×n float32 matrices of random values on b, inputs already on
// the device, and returns 2n³/time in GFLOP/s and the number of products timed. With reps ≤ 0 it
// times as many products as fit in about 2 seconds, at least 3.
func MatMul(b backends.Backend, n, reps int) (gflops float64, timedReps int, err error) {
	gflops, timedReps, _, err = matMul(b, n, reps, 2*time.Second)
	return gflops, timedReps, err
}

// matMul is MatMul that, with reps ≤ 0, times products until minTime has passed (at least 3),
// and also returns the mean time of one.
func matMul(b backends.Backend, n, reps int, minTime time.Duration) (gflops float64, timedReps int, each time.Duration, err error) {
	defer catch(&err)
	// The program returns the product and its corner element: reading the corner waits for the
	// product without copying it back.
	exec, err := graph.NewExec(b, func(x, y *graph.Node) []*graph.Node {
		p := graph.DotGeneral(x, []int{1}, nil, y, []int{0}, nil)
		return []*graph.Node{p, graph.Slice(p, graph.AxisRange(0, 1), graph.AxisRange(0, 1))}
	})
	if err != nil {
		return 0, 0, 0, err
	}
	defer exec.Finalize()
	r := rand.New(rand.NewPCG(3, 4))
	matrix := func() *tensors.Tensor {
		data := make([]float32, n*n)
		for i := range data {
			data[i] = r.Float32()
		}
		return tensors.FromFlatDataAndDimensions(data, n, n)
	}
	x, y := matrix(), matrix()
	product := func() (struct{}, error) {
		out, err := exec.Exec(x, y)
		if err != nil {
			return struct{}{}, err
		}
		_ = out[1].Value()
		for _, o := range out {
			o.FinalizeAll()
		}
		return struct{}{}, nil
	}
	// The first, untimed product compiles and moves x and y to the device.
	minSteps := 3
	if reps > 0 {
		minTime, minSteps = 0, reps
	}
	timedReps, total, _, err := timed(product, 1, minTime, minSteps)
	if err != nil {
		return 0, 0, 0, err
	}
	each = total / time.Duration(timedReps)
	return 2 * float64(n) * float64(n) * float64(n) / each.Seconds() / 1e9, timedReps, each, nil
}
