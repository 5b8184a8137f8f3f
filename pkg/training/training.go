// Package training trains image classifiers in a few lines: model, data, optimizer, epochs.
//
//	run, err := training.Fit(models.LeNet5(10), train, test, optimizers.Adam().Done(), training.Epochs(10))
//
// Fit shows a progress bar (in a notebook or on a terminal) and a line per epoch, evaluates on the test set after every
// epoch, and keeps the history for curves; Evaluate gives loss, accuracy, per-class accuracy and the
// confusion matrix; Save and Load keep a trained model in a folder, so a later notebook cell (a new
// process under GoNB) can pick it up. Chapter 04 teaches it; every later training chapter uses it.
package training

import (
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/godl-book/godl/pkg/backend"
	"github.com/godl-book/godl/pkg/datasets"
	"github.com/godl-book/godl/pkg/optim"
	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/train"
	"github.com/gomlx/gomlx/pkg/ml/train/losses"
	"github.com/gomlx/gomlx/pkg/ml/train/metrics"
	"github.com/gomlx/gomlx/pkg/ml/train/optimizers"
)

// Model is an image classifier: images [batch, height, width, channels] → logits [batch, classes].
type Model func(ctx *context.Context, images *graph.Node) *graph.Node

// Epoch is what one pass over the training data gave.
type Epoch struct {
	Epoch         int     `json:"epoch"`
	TrainLoss     float64 `json:"train_loss"`     // mean batch loss over the epoch
	TrainAccuracy float64 `json:"train_accuracy"` // moving average over the last batches
	TestLoss      float64 `json:"test_loss"`
	TestAccuracy  float64 `json:"test_accuracy"`
	Seconds       float64 `json:"seconds"` // training time, evaluation excluded
	Examples      int     `json:"examples"`
	LearningRate  float64 `json:"learning_rate"` // at the end of the epoch
}

// ExamplesPerSecond is the training throughput of the epoch.
func (e Epoch) ExamplesPerSecond() float64 { return float64(e.Examples) / e.Seconds }

// Run is a trained (or restored) classifier with its training history.
type Run struct {
	Model     Model
	Context   *context.Context
	Backend   backends.Backend
	Classes   []string
	History   []Epoch
	BatchSize int
	Mean, Std []float32 // input normalization, nil for none

	eval *context.Exec // forward pass for Evaluate, compiled on first use
}

// TestAccuracy returns the test accuracy after the last epoch (0 before any).
func (r *Run) TestAccuracy() float64 {
	if len(r.History) == 0 {
		return 0
	}
	return r.History[len(r.History)-1].TestAccuracy
}

// Fit trains model on trainSet with the optimizer, evaluating on testSet after every epoch.
func Fit(model Model, trainSet, testSet *datasets.Dataset, opt optimizers.Interface, opts ...Option) (*Run, error) {
	cfg := newConfig(opts)
	if trainSet == nil || testSet == nil || trainSet.Len() == 0 || testSet.Len() == 0 {
		return nil, errors.New("training: Fit needs non-empty training and test sets")
	}
	if cfg.batchSize <= 0 || cfg.epochs <= 0 {
		return nil, fmt.Errorf("training: batch size %d and epochs %d must be positive", cfg.batchSize, cfg.epochs)
	}
	b, err := backend.Default()
	if err != nil {
		return nil, err
	}
	ctx := context.New()
	if err := ctx.SetRNGStateFromSeed(int64(cfg.seed)); err != nil {
		return nil, err
	}
	run := &Run{Model: model, Context: ctx, Backend: b, Classes: trainSet.Classes,
		BatchSize: cfg.batchSize, Mean: cfg.mean, Std: cfg.std}

	trainer := train.NewTrainer(b, ctx, run.trainerModel(),
		losses.SparseCategoricalCrossEntropyLogits, opt,
		[]metrics.Interface{metrics.NewMovingAverageSparseCategoricalAccuracy("Moving Average Accuracy", "~acc", 0.02)},
		nil)
	loader := datasets.NewLoader(trainSet, cfg.batchSize, run.loaderOptions(
		datasets.Shuffle(cfg.seed), datasets.DropLast(), datasets.Infinite())...)
	defer loader.Close()
	stepsPerEpoch := loader.Len()
	if stepsPerEpoch == 0 {
		return nil, fmt.Errorf("training: %d training examples give no full batch of %d", trainSet.Len(), cfg.batchSize)
	}

	loop := train.NewLoop(trainer)
	var bar *progress
	if cfg.progress {
		bar = newProgress(cfg.epochs*stepsPerEpoch, cfg.epochs)
	}
	schedule := cosine{total: cfg.epochs * stepsPerEpoch}
	var lossSum float64
	var steps int
	epochStart := time.Now()
	var evalTime time.Duration
	train.EveryNSteps(loop, 1, "epoch", train.Priority(100), func(loop *train.Loop, m []*tensors.Tensor) error {
		loss, err := scalar(m[0])
		if err != nil {
			return err
		}
		lossSum += loss
		steps++
		if bar != nil {
			bar.step(steps, loss)
		}
		for _, fn := range cfg.onStep {
			fn(steps, loss)
		}
		if cfg.cosineDecay {
			if err := schedule.next(ctx, steps); err != nil {
				return err
			}
		}
		if steps%stepsPerEpoch != 0 {
			return nil
		}
		acc, err := scalar(m[len(m)-1])
		if err != nil {
			return err
		}
		seconds := time.Since(epochStart).Seconds() - evalTime.Seconds()
		evalStart := time.Now()
		ev, err := run.Evaluate(testSet)
		if err != nil {
			return err
		}
		evalTime += time.Since(evalStart)
		lr, _, err := optim.LearningRate(ctx)
		if err != nil {
			return err
		}
		run.History = append(run.History, Epoch{Epoch: len(run.History) + 1, LearningRate: lr,
			TrainLoss: lossSum / float64(stepsPerEpoch), TrainAccuracy: acc,
			TestLoss: ev.Loss, TestAccuracy: ev.Accuracy, Seconds: seconds, Examples: stepsPerEpoch * cfg.batchSize})
		lossSum, epochStart, evalTime = 0, time.Now(), 0
		if bar != nil {
			bar.epoch(run.History[len(run.History)-1])
		}
		for _, fn := range cfg.onEpoch {
			fn(run.History[len(run.History)-1])
		}
		return nil
	})
	if _, err := loop.RunSteps(loader, cfg.epochs*stepsPerEpoch); err != nil {
		return nil, fmt.Errorf("training: %w", err)
	}
	if cfg.checkpoint != "" {
		if err := run.Save(cfg.checkpoint); err != nil {
			return nil, err
		}
	}
	return run, nil
}

// trainerModel adapts Model to GoMLX's train.ModelFn.
func (r *Run) trainerModel() train.ModelFn {
	return func(ctx *context.Context, _ any, inputs []*graph.Node) []*graph.Node {
		return []*graph.Node{r.Model(ctx, inputs[0])}
	}
}

func (r *Run) loaderOptions(extra ...datasets.LoaderOption) []datasets.LoaderOption {
	if r.Mean != nil {
		extra = append(extra, datasets.Normalize(r.Mean, r.Std))
	}
	return extra
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
	return optim.SetLearningRate(ctx, c.base*(1+math.Cos(math.Pi*float64(step)/float64(c.total)))/2)
}

func scalar(t *tensors.Tensor) (float64, error) {
	v, err := t.ValueSafe()
	if err != nil {
		return 0, err
	}
	switch x := v.(type) {
	case float32:
		return float64(x), nil
	case float64:
		return x, nil
	}
	return math.NaN(), fmt.Errorf("training: metric of type %T, want a float scalar", v)
}
