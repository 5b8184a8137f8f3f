package training

import (
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
	"time"

	"github.com/godl-book/godl/pkg/backend"
	"github.com/godl-book/godl/pkg/optim"
	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/distributed"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/train"
	"github.com/gomlx/gomlx/pkg/ml/train/metrics"
	"github.com/gomlx/gomlx/pkg/ml/train/optimizers"
)

// Network is any model: the input tensors of a batch (images; a pair or a triplet of images; a
// sequence) to its outputs (logits; boxes and scores per anchor; per-frame log-probabilities),
// creating or reusing its weights in ctx.
type Network func(ctx *context.Context, inputs []*graph.Node) (outputs []*graph.Node)

// Metric is a number to follow during training: Fn gives its mean over one batch, a scalar,
// from the batch's labels and the network's outputs, in the order the data set yields them.
type Metric struct {
	Name string
	Fn   func(labels, outputs []*graph.Node) *graph.Node
}

// Task is what a Trainer learns: a network, the loss it minimizes and the metrics it reports.
// Loss takes the labels and the outputs (GoMLX's order) and returns a scalar, or values whose
// mean is the loss; losses.ForTrainer(losses.MSE) gives one for a single output, and a function
// summing a loss per output gives a multi-task loss (detection: classes + boxes).
type Task struct {
	Network Network
	Loss    train.LossFn
	Metrics []Metric
}

// Trainer trains a Task with an optimizer, in a context (weights and hyperparameters) on a
// backend, over data sets that implement GoMLX's train.Dataset: a datasets.Loader, or any
// loader yielding several input tensors and labels of any shape (boxes, sequences, masks).
// Fit is the classification shortcut built on it.
type Trainer struct {
	Task    Task
	Context *context.Context
	Backend backends.Backend
	History []Epoch

	cfg        *config
	gomlx      *train.Trainer
	afterEpoch func(*Epoch) error        // Fit's evaluation with a confusion matrix, before the epoch is recorded
	heldOut    string                    // the name of the set afterEpoch evaluates, for the epoch line
	started    bool                      // whether Fit was called: only the first one resumes
	baseLR     float64                   // the learning rate a schedule starts from, read at its first use
	shards     *distributed.ShardingSpec // with Devices(n > 1): batches cut along their first axis
}

// NewTrainer prepares to train task with opt. WithContext gives it the caller's context (its
// hyperparameters, e.g. optimizers.ParamLearningRate, and any variables already set are used;
// default a new one) and WithBackend its backend (default backend.Default()); Epochs, Seed,
// OnStep, OnEpoch, CosineDecay, StepLR, Devices, NoProgress, Checkpoint and SaveEvery apply to Fit. BatchSize
// and Normalize belong to the classification Fit and are refused here: the loaders fix the batch.
func NewTrainer(task Task, opt optimizers.Interface, opts ...Option) (*Trainer, error) {
	cfg := newConfig(opts)
	if len(cfg.fitOnly) > 0 {
		return nil, fmt.Errorf("training: NewTrainer: option %s belongs to training.Fit "+
			"(the data set's loader sets batches and normalization)", cfg.fitOnly[0])
	}
	return newTrainer(task, opt, cfg)
}

func newTrainer(task Task, opt optimizers.Interface, cfg *config) (*Trainer, error) {
	switch {
	case task.Network == nil:
		return nil, errors.New("training: Task.Network is nil")
	case task.Loss == nil:
		return nil, errors.New("training: Task.Loss is nil (losses.ForTrainer makes one)")
	case opt == nil:
		return nil, errors.New("training: no optimizer")
	case cfg.epochs <= 0:
		return nil, fmt.Errorf("training: Epochs(%d), want ≥ 1", cfg.epochs)
	case cfg.stepSize < 0 || cfg.stepSize > 0 && !(cfg.stepGamma > 0):
		return nil, fmt.Errorf("training: StepLR(%d, %g): want a step size ≥ 1 and gamma > 0", cfg.stepSize, cfg.stepGamma)
	case cfg.stepSize > 0 && cfg.cosineDecay:
		return nil, errors.New("training: StepLR and CosineDecay both set the learning rate: choose one")
	case cfg.devices < 0:
		return nil, fmt.Errorf("training: Devices(%d), want ≥ 1", cfg.devices)
	case cfg.saveEvery < 0 || cfg.saveEvery > 0 && cfg.checkpoint == "":
		return nil, fmt.Errorf("training: SaveEvery(%d) needs n ≥ 1 and a Checkpoint folder", cfg.saveEvery)
	}
	seen := map[string]bool{"loss": true}
	for _, m := range task.Metrics {
		if m.Name == "" || m.Fn == nil || seen[m.Name] {
			return nil, fmt.Errorf("training: metric %q: want a unique name other than \"loss\" and a function", m.Name)
		}
		seen[m.Name] = true
	}
	b := cfg.backend
	if b == nil {
		var err error
		if b, err = backend.Default(); err != nil {
			return nil, fmt.Errorf("training: %w", err)
		}
	}
	if cfg.devices > b.NumDevices() {
		return nil, fmt.Errorf("training: Devices(%d), but backend %s has %d", cfg.devices, b.Name(), b.NumDevices())
	}
	ctx := cfg.ctx
	if ctx == nil {
		ctx = context.New()
	}
	if err := ctx.SetRNGStateFromSeed(int64(cfg.seed)); err != nil {
		return nil, fmt.Errorf("training: seed: %w", err)
	}
	var trainMetrics, evalMetrics []metrics.Interface
	for _, m := range task.Metrics {
		fn := func(_ *context.Context, labels, outputs []*graph.Node) *graph.Node { return m.Fn(labels, outputs) }
		trainMetrics = append(trainMetrics, metrics.NewBaseMetric(m.Name, m.Name, "", fn, nil))
		evalMetrics = append(evalMetrics, metrics.NewMeanMetric(m.Name, "#"+m.Name, "", fn, nil))
	}
	model := func(ctx *context.Context, _ any, inputs []*graph.Node) []*graph.Node {
		return task.Network(ctx, inputs)
	}
	// Checked(false): the network reuses the variables the caller's context already holds and
	// creates the others.
	t := &Trainer{Task: task, Context: ctx, Backend: b, cfg: cfg}
	t.gomlx = train.NewTrainer(b, ctx.Checked(false), model, task.Loss, opt, trainMetrics, evalMetrics)
	return t, nil
}

// trainMetricsSkipped is how many of GoMLX's train metrics come before the task's: batch loss
// (with regularization), its moving average, and the moving average without regularization.
const trainMetricsSkipped = 3

// Fit trains for the configured epochs, an epoch being one pass over trainData (until it
// yields io.EOF), and evaluates on testData after each epoch when it is not nil. Before epoch e
// it calls trainData.SetRun(e-1) when trainData has that method (datasets' loaders do: the data
// order then depends only on the epoch), else Reset. It appends every epoch to History and
// returns the error that stopped it; calling it again trains further from the weights reached.
//
// With Checkpoint(dir), the first Fit checks dir before training and, when dir holds a Trainer's
// checkpoint, resumes from it: weights, optimizer state, step count, random state and History
// come back, and Fit trains only the epochs left to reach Epochs, so a killed run started again
// with the same options continues where its last checkpoint was. Fit saves to dir at the end,
// and every n epochs with SaveEvery(n), with Run.Save's atomic writer; when a save fails it
// stops with the error and the trained state stays in the Trainer (Save it elsewhere).
func (t *Trainer) Fit(trainData, testData train.Dataset) error {
	if trainData == nil {
		return errors.New("training: Fit needs training data")
	}
	first, last, scheduleFirst, resumed, err := t.epochRange()
	if err != nil {
		return err
	}
	stepsPerEpoch := 0
	if sized, ok := trainData.(interface{ Len() int }); ok {
		stepsPerEpoch = sized.Len()
	}
	if t.cfg.cosineDecay && stepsPerEpoch == 0 {
		return fmt.Errorf("training: CosineDecay needs the number of steps: %s has no Len() or is empty", trainData.Name())
	}
	var bar *progress
	if t.cfg.progress && first <= last {
		bar = newProgress((last-first+1)*stepsPerEpoch, last, heldOutName(t.heldOut, testData))
	}
	schedule := cosine{total: (last - scheduleFirst + 1) * stepsPerEpoch, base: t.baseLR}
	finalize := true // free each batch after its step, unless the data set keeps its tensors
	if owner, ok := trainData.(train.DatasetCustomOwnership); ok {
		finalize = owner.IsOwnershipTransferred()
	}
	step, barStep := (first-scheduleFirst)*stepsPerEpoch, 0
	for epoch := first; epoch <= last; epoch++ {
		if runs, ok := trainData.(interface{ SetRun(int) }); ok {
			runs.SetRun(epoch - 1)
		} else {
			trainData.Reset()
		}
		if t.cfg.stepSize > 0 {
			if err := t.stepLR(epoch - scheduleFirst); err != nil {
				return err
			}
		}
		start := time.Now()
		sums := make([]float64, 1+len(t.Task.Metrics)) // loss, then the metrics
		steps, examples := 0, 0
		for {
			spec, inputs, labels, err := trainData.Yield()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return fmt.Errorf("training: reading %s: %w", trainData.Name(), err)
			}
			examples += batchSize(inputs)
			values, err := t.step(spec, inputs, labels, finalize)
			if err != nil && resumed && barStep == 0 {
				return fmt.Errorf("%w (was the checkpoint in %s saved by this Task's network?)", err, t.cfg.checkpoint)
			}
			if err != nil {
				return err
			}
			for i, v := range values {
				sums[i] += v
			}
			steps++
			step++
			barStep++
			if bar != nil {
				bar.step(barStep, values[0])
			}
			for _, fn := range t.cfg.onStep {
				fn(step, values[0])
			}
			if t.cfg.cosineDecay {
				if err := schedule.next(t.Context, step); err != nil {
					return err
				}
				t.baseLR = schedule.base
			}
		}
		if steps == 0 {
			return fmt.Errorf("training: %s gave no batch in epoch %d", trainData.Name(), epoch)
		}
		e := Epoch{Epoch: epoch, TrainLoss: sums[0] / float64(steps), Seconds: time.Since(start).Seconds(),
			Examples: examples, Train: map[string]float64{}}
		for i, m := range t.Task.Metrics {
			e.Train[m.Name] = sums[i+1] / float64(steps)
		}
		lr, _, err := optim.LearningRate(t.Context)
		if err != nil {
			return fmt.Errorf("training: %w", err)
		}
		e.LearningRate = lr
		if testData != nil {
			scores, err := t.Evaluate(testData)
			if err != nil {
				return err
			}
			e.TestLoss, e.Test = scores["loss"], scores
			delete(e.Test, "loss")
		}
		e.TrainAccuracy, e.TestAccuracy = e.Train["accuracy"], e.Test["accuracy"]
		if t.afterEpoch != nil {
			if err := t.afterEpoch(&e); err != nil {
				return err
			}
		}
		t.History = append(t.History, e)
		if bar != nil {
			bar.epoch(e)
		}
		for _, fn := range t.cfg.onEpoch {
			fn(e)
		}
		if dir := t.cfg.checkpoint; dir != "" && (epoch == last || t.cfg.saveEvery > 0 && epoch%t.cfg.saveEvery == 0) {
			if err := t.Save(dir); err != nil {
				return fmt.Errorf("%w (the model trained for %d epochs is still in the Trainer: Save it elsewhere)", err, epoch)
			}
		}
	}
	return nil
}

// epochRange returns the epochs this Fit trains, first to last (none when first > last), the
// epoch its learning rate schedule starts from (the first of the run a resumed Fit continues),
// and whether it resumed from the checkpoint.
func (t *Trainer) epochRange() (first, last, scheduleFirst int, resumed bool, err error) {
	if dir := t.cfg.checkpoint; dir != "" {
		if !t.started {
			if resumed, err = t.resume(dir); err != nil {
				return 0, 0, 0, false, err
			}
		} else if err := checkTarget(dir, trainerFile); err != nil {
			return 0, 0, 0, false, err
		}
	}
	t.started = true
	first, last, scheduleFirst = len(t.History)+1, len(t.History)+t.cfg.epochs, len(t.History)+1
	if resumed {
		last, scheduleFirst = t.cfg.epochs, 1
	}
	return first, last, scheduleFirst, resumed, nil
}

// step trains on one batch and returns its loss and metrics. The data set's spec (GoMLX's key
// for a kind of batch, e.g. a sequence length bucket) keeps a compiled graph per value.
func (t *Trainer) step(spec any, inputs, labels []*tensors.Tensor, finalize bool) ([]float64, error) {
	var out []*tensors.Tensor
	var err error
	if t.cfg.devices > 1 {
		out, err = t.distributedStep(spec, inputs, labels)
	} else {
		out, err = t.gomlx.TrainStep(spec, inputs, labels)
	}
	if err != nil {
		return nil, fmt.Errorf("training: step %d: %w", t.gomlx.GlobalStep(), err)
	}
	values := make([]float64, 0, 1+len(t.Task.Metrics))
	for i, m := range out {
		if i == 0 || i >= trainMetricsSkipped {
			v, err := scalar(m)
			if err != nil {
				return nil, err
			}
			values = append(values, v)
		}
	}
	for _, x := range out {
		x.FinalizeAll()
	}
	if finalize {
		for _, x := range append(inputs[:len(inputs):len(inputs)], labels...) {
			x.FinalizeAll()
		}
	}
	return values, nil
}

// distributedStep trains on one batch cut into t.cfg.devices parts, one per device.
func (t *Trainer) distributedStep(spec any, inputs, labels []*tensors.Tensor) ([]*tensors.Tensor, error) {
	if t.shards == nil {
		mesh, err := distributed.NewDeviceMesh([]int{t.cfg.devices}, []string{"batch"})
		if err != nil {
			return nil, fmt.Errorf("training: Devices(%d): %w", t.cfg.devices, err)
		}
		if t.shards, err = distributed.NewShardingSpec(mesh, distributed.AxisSpec{"batch"}); err != nil {
			return nil, fmt.Errorf("training: Devices(%d): %w", t.cfg.devices, err)
		}
	}
	shard := func(ts []*tensors.Tensor) ([]*distributed.Tensor, error) {
		out := make([]*distributed.Tensor, len(ts))
		for i, x := range ts {
			if n := batchSize([]*tensors.Tensor{x}); n%t.cfg.devices != 0 {
				return nil, fmt.Errorf("training: Devices(%d): a batch of %d does not split evenly", t.cfg.devices, n)
			}
			var err error
			if out[i], err = distributed.ShardTensor(t.shards, x); err != nil {
				return nil, fmt.Errorf("training: Devices(%d): %w", t.cfg.devices, err)
			}
		}
		return out, nil
	}
	in, err := shard(inputs)
	if err != nil {
		return nil, err
	}
	lab, err := shard(labels)
	if err != nil {
		return nil, err
	}
	defer func() {
		for _, dt := range append(in, lab...) {
			dt.Finalize()
		}
	}()
	return t.gomlx.DistributedTrainStep(distributed.AutoSharding, nil, spec, in, lab)
}

// Evaluate returns the mean loss ("loss") and the mean of each metric over every example of data,
// which must end with io.EOF. It resets data first.
func (t *Trainer) Evaluate(data train.Dataset) (map[string]float64, error) {
	if data == nil {
		return nil, errors.New("training: Evaluate needs a data set")
	}
	out, err := t.gomlx.Eval(data)
	if err != nil {
		return nil, fmt.Errorf("training: evaluating %s: %w", data.Name(), err)
	}
	scores := map[string]float64{}
	for i, name := range append([]string{"", "loss"}, metricNames(t.Task.Metrics)...) {
		if i == 0 {
			continue // the loss with regularization
		}
		if scores[name], err = scalar(out[i]); err != nil {
			return nil, fmt.Errorf("training: evaluating %s: %s: %w", data.Name(), name, err)
		}
	}
	return scores, nil
}

func metricNames(ms []Metric) []string {
	names := make([]string, len(ms))
	for i, m := range ms {
		names[i] = m.Name
	}
	return names
}

// batchSize is the first dimension of the first input (1 for a scalar).
func batchSize(inputs []*tensors.Tensor) int {
	if len(inputs) == 0 || inputs[0].Shape().Rank() == 0 {
		return 1
	}
	return inputs[0].Shape().Dimensions[0]
}

// cosine sets the learning rate for the step after `step` of `total`: base·(1+cos(π·step/total))/2.
type cosine struct {
	total int
	base  float64 // the optimizer's own learning rate, read at the first step
}

func (c *cosine) next(ctx *context.Context, step int) error {
	if c.base == 0 {
		lr, found, err := optim.LearningRate(ctx)
		if err != nil || !found {
			return fmt.Errorf("training: cosine decay: no learning rate to decay (%v)", err)
		}
		c.base = lr
	}
	if err := optim.SetLearningRate(ctx, c.base*(1+math.Cos(math.Pi*float64(step)/float64(c.total)))/2); err != nil {
		return fmt.Errorf("training: cosine decay: %w", err)
	}
	return nil
}

// stepLR sets the learning rate for the schedule's epoch e (from 0): base·gamma^⌊e/stepSize⌋.
func (t *Trainer) stepLR(e int) error {
	k := e / t.cfg.stepSize
	if k == 0 && t.baseLR == 0 {
		return nil // the optimizer's own rate, which exists only after its first step
	}
	if t.baseLR == 0 {
		lr, found, err := optim.LearningRate(t.Context)
		if err != nil || !found {
			return fmt.Errorf("training: StepLR: no learning rate to decay (%v)", err)
		}
		t.baseLR = lr
	}
	lr := t.baseLR * math.Pow(t.cfg.stepGamma, float64(k))
	if err := optim.SetLearningRate(t.Context, lr); err != nil {
		return fmt.Errorf("training: StepLR: %w", err)
	}
	return nil
}

func scalar(t *tensors.Tensor) (float64, error) {
	v, err := t.ValueSafe()
	if err != nil {
		return 0, fmt.Errorf("training: reading a metric: %w", err)
	}
	switch x := v.(type) {
	case float32:
		return float64(x), nil
	case float64:
		return x, nil
	}
	return math.NaN(), fmt.Errorf("training: metric of type %T, want a float scalar", v)
}

// heldOutName is the split part of the held-out data set's name ("valid" for
// "fashion-mnist/valid"), or "test": heldOut when Fit was told it, else testData's.
func heldOutName(heldOut string, testData train.Dataset) string {
	name := heldOut
	if name == "" && testData != nil {
		name = testData.Name()
	}
	if i := strings.LastIndexByte(name, '/'); i >= 0 {
		name = name[i+1:]
	}
	if name == "" {
		return "test"
	}
	return name
}
