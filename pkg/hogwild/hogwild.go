// Package hogwild trains one classifier with several workers that update the same weights
// without locks — Hogwild! (Recht, Ré, Wright and Niu, 2011) — as the pytorch/examples program
// mnist_hogwild does with processes sharing a model's memory. Chapter 18 measures it against one
// worker and against synchronous training; cmd/mnist-hogwild is the program.
//
// Each worker is a goroutine with its own shuffled loader, its own random state (for dropout)
// and its own SGD momentum buffers, as each of the original's processes builds its own
// optimizer. At every step it reads the shared weights, computes its batch's gradient on the
// backend, and writes the updated weights back. Reads and writes are per-element atomic loads
// and stores of float32 bits: no lock, no consistency across elements, so a worker can read
// weights half-updated by another and an update can overwrite one made in between, which is
// exactly the race Hogwild! accepts (the original's processes race the same way) — but never a
// torn float, nor a data race in Go's memory model.
package hogwild

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	gomlxlosses "github.com/gomlx/gomlx/pkg/ml/train/losses"

	"github.com/godl-book/godl/pkg/datasets"
	"github.com/godl-book/godl/pkg/models"
)

// Config is how Train trains; Workers, Epochs, BatchSize and LR must be positive.
type Config struct {
	Workers   int     // goroutines training at once (the original's --num-processes, default 2)
	Epochs    int     // passes over the whole training set, by every worker
	BatchSize int     // examples per step of each worker
	LR        float64 // SGD learning rate
	Momentum  float64 // SGD momentum, in [0, 1)
	Seed      uint64  // initial weights; worker w shuffles and drops out with Seed+w
	// Mean and Std normalize the inputs per channel (nil: none), as datasets.Normalize.
	Mean, Std []float32
	// StepsPerEpoch stops each worker's epoch after this many steps (0: the whole set); the
	// original's --dry-run is 1.
	StepsPerEpoch int
	// OnStep, when set, is called after every step of every worker, from that worker's
	// goroutine: worker, epoch (from 1), batch index in the epoch, batches per epoch, loss.
	OnStep func(worker, epoch, batch, batches int, loss float64)
}

// Result is what Train returns: the trained weights in Context (ready for training.Run's
// Evaluate) and the number of steps each worker made.
type Result struct {
	Context *context.Context
	Steps   []int
}

// Train trains model on data with cfg.Workers workers sharing its weights, on backend b.
func Train(b backends.Backend, model models.Model, data *datasets.Dataset, cfg Config) (*Result, error) {
	switch {
	case cfg.Workers <= 0 || cfg.Epochs <= 0 || cfg.BatchSize <= 0:
		return nil, fmt.Errorf("hogwild: workers %d, epochs %d and batch size %d must be positive",
			cfg.Workers, cfg.Epochs, cfg.BatchSize)
	case !(cfg.LR > 0) || math.IsInf(cfg.LR, 0) || !(cfg.Momentum >= 0 && cfg.Momentum < 1):
		return nil, fmt.Errorf("hogwild: learning rate %g must be positive and momentum %g in [0, 1)", cfg.LR, cfg.Momentum)
	case cfg.StepsPerEpoch < 0:
		return nil, fmt.Errorf("hogwild: StepsPerEpoch %d, want ≥ 0", cfg.StepsPerEpoch)
	case data == nil || data.Len() < cfg.BatchSize:
		return nil, errors.New("hogwild: the training set holds less than one batch")
	}
	shared, ctx, err := initialWeights(b, model, data, cfg.Seed)
	if err != nil {
		return nil, err
	}
	res := &Result{Context: ctx, Steps: make([]int, cfg.Workers)}
	errs := make([]error, cfg.Workers)
	var wg sync.WaitGroup
	for w := range cfg.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res.Steps[w], errs[w] = work(b, model, data, cfg, shared, w)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	for _, p := range shared {
		if err := p.v.SetValue(p.tensor()); err != nil {
			return nil, fmt.Errorf("hogwild: %w", err)
		}
	}
	return res, nil
}

// param is one trainable variable's shared values, as float32 bits.
type param struct {
	v    *context.Variable // in the result's context
	dims []int
	bits []uint32
}

func (p *param) load(dst []float32) {
	for i := range dst {
		dst[i] = math.Float32frombits(atomic.LoadUint32(&p.bits[i]))
	}
}

func (p *param) tensor() *tensors.Tensor {
	vals := make([]float32, len(p.bits))
	p.load(vals)
	return tensors.FromFlatDataAndDimensions(vals, p.dims...)
}

// initialWeights builds model once in a new context seeded with seed and shares its trainable
// variables, in a fixed order (by scope and name).
func initialWeights(b backends.Backend, model models.Model, data *datasets.Dataset, seed uint64) ([]*param, *context.Context, error) {
	ctx := context.New()
	if err := ctx.SetRNGStateFromSeed(int64(seed)); err != nil {
		return nil, nil, fmt.Errorf("hogwild: %w", err)
	}
	one := tensors.FromFlatDataAndDimensions(make([]float32, data.ImageSize()), 1, data.Height, data.Width, data.Channels)
	if _, err := context.ExecOnce(b, ctx, func(ctx *context.Context, x *graph.Node) *graph.Node {
		return model(ctx, x)
	}, one); err != nil {
		return nil, nil, fmt.Errorf("hogwild: building the model: %w", err)
	}
	var shared []*param
	for v := range ctx.IterVariables() {
		if !v.Trainable {
			continue
		}
		t, err := v.Value()
		if err != nil {
			return nil, nil, fmt.Errorf("hogwild: %s: %w", v.ScopeAndName(), err)
		}
		vals, err := tensors.CopyFlatData[float32](t)
		if err != nil {
			return nil, nil, fmt.Errorf("hogwild: %s: want float32 weights: %w", v.ScopeAndName(), err)
		}
		bits := make([]uint32, len(vals))
		for i, x := range vals {
			bits[i] = math.Float32bits(x)
		}
		shared = append(shared, &param{v: v, dims: t.Shape().Dimensions, bits: bits})
	}
	slices.SortFunc(shared, func(a, b *param) int {
		return cmp.Or(cmp.Compare(a.v.Scope(), b.v.Scope()), cmp.Compare(a.v.Name(), b.v.Name()))
	})
	return shared, ctx, nil
}

// work is worker w: it trains cfg.Epochs passes and returns its number of steps.
func work(b backends.Backend, model models.Model, data *datasets.Dataset, cfg Config, shared []*param, w int) (int, error) {
	ctx := context.New()
	if err := ctx.SetRNGStateFromSeed(int64(cfg.Seed) + int64(w)); err != nil {
		return 0, fmt.Errorf("hogwild: worker %d: %w", w, err)
	}
	vars := make([]*context.Variable, len(shared))
	values := make([][]float32, len(shared))
	velocity := make([][]float32, len(shared))
	for i, p := range shared {
		vars[i] = ctx.InAbsPath(p.v.Scope()).VariableWithValue(p.v.Name(), p.tensor())
		values[i] = make([]float32, len(p.bits))
		velocity[i] = make([]float32, len(p.bits))
	}
	ctx = ctx.Reuse() // the model must find the variables just made, by their scopes and names
	step, err := context.NewExec(b, ctx, func(ctx *context.Context, images, labels *graph.Node) []*graph.Node {
		g := images.Graph()
		ctx.SetTraining(g, true)
		logits := model(ctx, images)
		loss := graph.ReduceAllMean(gomlxlosses.SparseCategoricalCrossEntropyLogits(
			[]*graph.Node{labels}, []*graph.Node{logits}))
		nodes := make([]*graph.Node, len(vars))
		for i, v := range vars {
			nodes[i] = v.ValueGraph(g)
		}
		return append([]*graph.Node{loss}, graph.Gradient(loss, nodes...)...)
	})
	if err != nil {
		return 0, fmt.Errorf("hogwild: worker %d: %w", w, err)
	}
	opts := []datasets.LoaderOption{datasets.Shuffle(cfg.Seed + uint64(w))}
	if cfg.Mean != nil {
		opts = append(opts, datasets.Normalize(cfg.Mean, cfg.Std))
	}
	loader := datasets.NewLoader(data, cfg.BatchSize, opts...)
	defer loader.Close()
	batches := loader.Len()
	if cfg.StepsPerEpoch > 0 {
		batches = min(batches, cfg.StepsPerEpoch)
	}
	steps := 0
	for epoch := 1; epoch <= cfg.Epochs; epoch++ {
		loader.SetRun(epoch - 1)
		for batch := 0; batch < batches; batch++ {
			bt, err := loader.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return steps, fmt.Errorf("hogwild: worker %d: %w", w, err)
			}
			loss, err := stepOnce(step, vars, shared, values, velocity, bt, cfg)
			if err != nil {
				return steps, fmt.Errorf("hogwild: worker %d, epoch %d: %w", w, epoch, err)
			}
			steps++
			if cfg.OnStep != nil {
				cfg.OnStep(w, epoch, batch, batches, loss)
			}
		}
	}
	return steps, nil
}

// stepOnce reads the shared weights into the worker's variables, computes the batch's loss and
// gradient, and writes w − lr·v back with PyTorch's SGD momentum: v ← μ·v + g.
func stepOnce(step *context.Exec, vars []*context.Variable, shared []*param, values, velocity [][]float32,
	bt *datasets.Batch, cfg Config) (float64, error) {
	for i, p := range shared {
		p.load(values[i])
		if err := vars[i].SetValue(tensors.FromFlatDataAndDimensions(values[i], p.dims...)); err != nil {
			return 0, err
		}
	}
	out, err := step.Exec(bt.Images, bt.Labels)
	if err != nil {
		return 0, err
	}
	loss := float64(out[0].Value().(float32))
	for i, p := range shared {
		grad, err := tensors.CopyFlatData[float32](out[i+1])
		if err != nil {
			return 0, err
		}
		v, mu, lr := velocity[i], float32(cfg.Momentum), float32(cfg.LR)
		for j, g := range grad {
			v[j] = mu*v[j] + g
			w := math.Float32frombits(atomic.LoadUint32(&p.bits[j]))
			atomic.StoreUint32(&p.bits[j], math.Float32bits(w-lr*v[j]))
		}
	}
	for _, t := range append(out, bt.Images, bt.Labels) {
		t.FinalizeAll()
	}
	return loss, nil
}
