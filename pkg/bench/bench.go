// Package bench measures how fast godl trains and multiplies on each backend, side by side:
// LeNet-5 training throughput and a float32 matrix product. cmd/bench prints its table, and
// bench/pytorch_lenet.py prints the same columns for PyTorch on the CPU (chapter 00 reads them).
package bench

import (
	"fmt"
	"io"
	"math/rand/v2"
	"runtime"
	"time"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/train"
	"github.com/gomlx/gomlx/pkg/ml/train/losses"
	"github.com/gomlx/gomlx/pkg/ml/train/optimizers"

	"github.com/godl-book/godl/pkg/backend"
	"github.com/godl-book/godl/pkg/models"
)

// Config says what to measure.
type Config struct {
	// Batch is the LeNet-5 batch size (default 64).
	Batch int
	// Steps is how many training steps are timed, after Warmup untimed ones (defaults 30 and 3;
	// the first warm-up step also compiles the graph).
	Steps, Warmup int
	// MatMul is the side n of the n×n·n×n float32 product (default 1024); MatMulReps how many
	// products are timed after one untimed (default: as many as fit in about 2 s, at least 3).
	MatMul, MatMulReps int
	// LearningRate of Adam (default 1e-3).
	LearningRate float64
}

// DryRun is a tiny configuration for tests: it runs every step but measures nothing meaningful.
var DryRun = Config{Batch: 4, Steps: 2, Warmup: 1, MatMul: 64, MatMulReps: 2}

func (c Config) withDefaults() Config {
	if c.Batch <= 0 {
		c.Batch = 64
	}
	if c.Steps <= 0 {
		c.Steps = 30
	}
	if c.Warmup <= 0 {
		c.Warmup = 3
	}
	if c.MatMul <= 0 {
		c.MatMul = 1024
	}
	if c.LearningRate <= 0 {
		c.LearningRate = 1e-3
	}
	return c
}

// Result is one backend's measurements.
type Result struct {
	Backend string
	// ExamplesPerSec is LeNet-5 training throughput: Batch·Steps / time of the timed steps.
	ExamplesPerSec float64
	StepTime       time.Duration // mean time of one training step
	Steps          int           // timed training steps
	FinalLoss      float32       // loss of the last step, to show that training ran
	GFLOPS         float64       // matrix product: 2n³ / time per product, in 10⁹ per second
	MatMulReps     int           // timed products
	Err            error         // what stopped the measurement, if anything
}

// Run measures every backend in choices (e.g. backend.Available()), one after the other.
// A backend that fails gets a Result with Err set; the others still run.
func Run(cfg Config, choices []backend.Choice) []Result {
	cfg = cfg.withDefaults()
	var results []Result
	for _, c := range choices {
		r := Result{Backend: c.Name}
		b, err := backend.Load(c)
		if err != nil {
			r.Err = err
			results = append(results, r)
			continue
		}
		r.ExamplesPerSec, r.StepTime, r.FinalLoss, r.Err = LeNet(b, cfg)
		r.Steps = cfg.Steps
		if r.Err == nil {
			r.GFLOPS, r.MatMulReps, r.Err = MatMul(b, cfg.MatMul, cfg.MatMulReps)
		}
		results = append(results, r)
		b.Finalize()
	}
	return results
}

// LeNetModel is the network timed: LeNet-5 with ReLU and max pooling (models.LeNet5 with Modern,
// PyTorch's blitz Net) on MNIST-shaped 28×28×1 images, 10 classes.
var LeNetModel = models.LeNet5(10, models.Modern())

// LeNet times training steps of LeNetModel on b — forward, loss (softmax cross-entropy), gradients
// and an Adam update — on one batch of random images and labels, reading the loss back after each
// step as a PyTorch loop's loss.item() does. It returns examples per second, the mean step time
// and the last loss.
func LeNet(b backends.Backend, cfg Config) (examplesPerSec float64, step time.Duration, loss float32, err error) {
	cfg = cfg.withDefaults()
	defer catch(&err)
	ctx := context.New()
	ctx.SetParam(context.ParamInitialSeed, int64(1))
	modelFn := func(ctx *context.Context, _ any, inputs []*graph.Node) []*graph.Node {
		return []*graph.Node{LeNetModel(ctx, inputs[0])}
	}
	trainer := train.NewTrainer(b, ctx, modelFn, losses.SparseCategoricalCrossEntropyLogits,
		optimizers.Adam().LearningRate(cfg.LearningRate).Done(), nil, nil)
	defer trainer.ResetComputationGraphs()

	r := rand.New(rand.NewPCG(1, 2))
	images := make([]float32, cfg.Batch*28*28)
	for i := range images {
		images[i] = r.Float32()
	}
	labels := make([]int32, cfg.Batch)
	for i := range labels {
		labels[i] = int32(r.IntN(10))
	}
	x := tensors.FromFlatDataAndDimensions(images, cfg.Batch, 28, 28, 1)
	y := tensors.FromFlatDataAndDimensions(labels, cfg.Batch, 1)

	trainStep := func() (float32, error) {
		metrics, err := trainer.TrainStep(nil, []*tensors.Tensor{x}, []*tensors.Tensor{y})
		if err != nil {
			return 0, err
		}
		l := metrics[0].Value().(float32)
		for _, m := range metrics {
			m.FinalizeAll()
		}
		return l, nil
	}
	for range cfg.Warmup {
		if _, err := trainStep(); err != nil {
			return 0, 0, 0, fmt.Errorf("LeNet-5 warm-up step: %w", err)
		}
	}
	start := time.Now()
	for i := range cfg.Steps {
		if loss, err = trainStep(); err != nil {
			return 0, 0, 0, fmt.Errorf("LeNet-5 step %d: %w", i, err)
		}
	}
	elapsed := time.Since(start)
	return float64(cfg.Batch*cfg.Steps) / elapsed.Seconds(), elapsed / time.Duration(cfg.Steps), loss, nil
}

// MatMul times the product of two n×n float32 matrices of random values on b, inputs already on
// the device, and returns 2n³/time in GFLOP/s. With reps ≤ 0 it times as many products as fit in
// about 2 seconds, at least 3.
func MatMul(b backends.Backend, n, reps int) (gflops float64, timed int, err error) {
	defer catch(&err)
	// The program returns the product and its corner element: reading the corner waits for the
	// product without copying it back.
	exec, err := graph.NewExec(b, func(x, y *graph.Node) []*graph.Node {
		p := graph.DotGeneral(x, []int{1}, nil, y, []int{0}, nil)
		return []*graph.Node{p, graph.Slice(p, graph.AxisRange(0, 1), graph.AxisRange(0, 1))}
	})
	if err != nil {
		return 0, 0, err
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
	product := func() (time.Duration, error) {
		start := time.Now()
		out, err := exec.Exec(x, y)
		if err != nil {
			return 0, err
		}
		_ = out[1].Value()
		elapsed := time.Since(start)
		for _, o := range out {
			o.FinalizeAll()
		}
		return elapsed, nil
	}
	first, err := product() // compiles, moves x and y to the device
	if err != nil {
		return 0, 0, err
	}
	if reps <= 0 {
		reps = max(3, int(2*time.Second/max(first, time.Millisecond)))
	}
	var total time.Duration
	for range reps {
		d, err := product()
		if err != nil {
			return 0, 0, err
		}
		total += d
	}
	return 2 * float64(n) * float64(n) * float64(n) * float64(reps) / total.Seconds() / 1e9, reps, nil
}

func catch(err *error) {
	if r := recover(); r != nil {
		if e, ok := r.(error); ok {
			*err = e
		} else {
			*err = fmt.Errorf("%v", r)
		}
	}
}

// Print writes results as a table: one row per backend, with each number's ratio to the fastest
// backend in the table. bench/pytorch_lenet.py prints the same columns, so its rows line up.
func Print(w io.Writer, cfg Config, results []Result) {
	cfg = cfg.withDefaults()
	bestEx, bestFlops := 0.0, 0.0
	for _, r := range results {
		if r.Err == nil {
			bestEx, bestFlops = max(bestEx, r.ExamplesPerSec), max(bestFlops, r.GFLOPS)
		}
	}
	fmt.Fprintf(w, "LeNet-5 (ReLU, max pool) training, batch %d, Adam, 28×28×1 random data; float32 %d×%d matmul; GOMAXPROCS=%d\n",
		cfg.Batch, cfg.MatMul, cfg.MatMul, runtime.GOMAXPROCS(0))
	width := 12
	for _, r := range results {
		width = max(width, len(r.Backend))
	}
	fmt.Fprintf(w, "%-*s %12s %9s %9s %6s %14s %9s %9s\n", width,
		"backend", "LeNet-5 ex/s", "×fastest", "ms/step", "steps", "matmul GFLOP/s", "×fastest", "products")
	for _, r := range results {
		if r.Err != nil {
			fmt.Fprintf(w, "%-*s error: %v\n", width, r.Backend, r.Err)
			continue
		}
		fmt.Fprintf(w, "%-*s %12.1f %9.3f %9.2f %6d %14.2f %9.3f %9d\n", width, r.Backend,
			r.ExamplesPerSec, r.ExamplesPerSec/bestEx, float64(r.StepTime.Microseconds())/1000, r.Steps,
			r.GFLOPS, r.GFLOPS/bestFlops, r.MatMulReps)
	}
}
