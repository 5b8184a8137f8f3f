// Package training trains models in a few lines: model, data, optimizer, epochs.
//
//	run, err := training.Fit(models.LeNet5(10), train, test, optimizers.Adam().Done(), training.Epochs(10))
//
// Fit trains an image classifier: it shows a progress bar (in a notebook or on a terminal) and a
// line per epoch, evaluates on the test set after every epoch, and keeps the history for curves;
// Evaluate gives loss, accuracy, per-class accuracy and the confusion matrix; Save and Load keep
// a trained model in a folder, so a later notebook cell (a new process under GoNB) can pick it
// up. Chapter 04 teaches it.
//
// Fit is a layer over Trainer, which trains any Task — a Network of several inputs and outputs,
// any loss (losses.ForTrainer), several metrics — on any train.Dataset, in the caller's context
// (WithContext) on the caller's backend (WithBackend): detection, siamese networks, CTC and
// segmentation train with it, so no chapter writes its own loop. datasets.FromTensors batches
// such data from tensors in memory. With Checkpoint (and SaveEvery) a Trainer saves as it goes
// and resumes from its folder, so a cmd/ program that trains for hours can be killed and
// started again.
package training

import (
	"errors"
	"fmt"

	"github.com/godl-book/godl/pkg/datasets"
	"github.com/godl-book/godl/pkg/models"
	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/ml/context"
	gomlxlosses "github.com/gomlx/gomlx/pkg/ml/train/losses"
	"github.com/gomlx/gomlx/pkg/ml/train/metrics"
	"github.com/gomlx/gomlx/pkg/ml/train/optimizers"
)

// Model is an image classifier: images [batch, height, width, channels] → logits [batch, classes]
// (defined in models, whose networks are Models).
type Model = models.Model

// Epoch is what one pass over the training data gave.
type Epoch struct {
	Epoch         int     `json:"epoch"`
	TrainLoss     float64 `json:"train_loss"`     // mean batch loss over the epoch
	TrainAccuracy float64 `json:"train_accuracy"` // Train["accuracy"]: mean batch accuracy over the epoch
	TestLoss      float64 `json:"test_loss"`
	TestAccuracy  float64 `json:"test_accuracy"` // Test["accuracy"]
	Seconds       float64 `json:"seconds"`       // training time, evaluation excluded
	Examples      int     `json:"examples"`
	LearningRate  float64 `json:"learning_rate"` // at the end of the epoch
	// Train and Test hold every metric of the Task by name: the mean over the epoch's batches,
	// and over the test examples after the epoch (nil without test data).
	Train map[string]float64 `json:"train,omitempty"`
	Test  map[string]float64 `json:"test,omitempty"`
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
	// InputShape is an example's [height, width, channels]; Load checks the weights with it.
	InputShape []int

	eval *context.Exec // forward pass for Evaluate, compiled on first use
}

// TestAccuracy returns the test accuracy after the last epoch (0 before any).
func (r *Run) TestAccuracy() float64 {
	if len(r.History) == 0 {
		return 0
	}
	return r.History[len(r.History)-1].TestAccuracy
}

// Classification is the Task of an image classifier: one input (images), one output (logits),
// integer labels [batch, 1], cross-entropy loss and an "accuracy" metric.
func Classification(model Model) Task {
	return Task{
		Network: func(ctx *context.Context, inputs []*graph.Node) []*graph.Node {
			return []*graph.Node{model(ctx, inputs[0])}
		},
		Loss: gomlxlosses.SparseCategoricalCrossEntropyLogits,
		Metrics: []Metric{{Name: "accuracy", Fn: func(labels, outputs []*graph.Node) *graph.Node {
			return metrics.SparseCategoricalAccuracyGraph(nil, labels, outputs)
		}}},
	}
}

// Fit trains the classifier model on trainSet with the optimizer, evaluating on testSet after
// every epoch (TestLoss and TestAccuracy are Evaluate's). With Checkpoint it checks the folder
// first and saves at the end; when that save fails it returns the trained run with the error.
func Fit(model Model, trainSet, testSet *datasets.Dataset, opt optimizers.Interface, opts ...Option) (*Run, error) {
	cfg := newConfig(opts)
	if trainSet == nil || testSet == nil || trainSet.Len() == 0 || testSet.Len() == 0 {
		return nil, errors.New("training: Fit needs non-empty training and test sets")
	}
	if len(cfg.trainerOnly) > 0 {
		return nil, fmt.Errorf("training: Fit: option %s belongs to a Trainer (Fit saves once, at the end)",
			cfg.trainerOnly[0])
	}
	if cfg.batchSize <= 0 || cfg.epochs <= 0 {
		return nil, fmt.Errorf("training: batch size %d and epochs %d must be positive", cfg.batchSize, cfg.epochs)
	}
	if cfg.devices > 1 && cfg.batchSize%cfg.devices != 0 {
		return nil, fmt.Errorf("training: batch size %d does not split over Devices(%d)", cfg.batchSize, cfg.devices)
	}
	if cfg.checkpoint != "" {
		if err := checkTarget(cfg.checkpoint, runFile); err != nil {
			return nil, err
		}
	}
	inner := *cfg
	inner.checkpoint = "" // Fit saves a Run, which Load reads, not the Trainer's checkpoint
	t, err := newTrainer(Classification(model), opt, &inner)
	if err != nil {
		return nil, err
	}
	run := &Run{Model: model, Context: t.Context, Backend: t.Backend, Classes: trainSet.Classes,
		BatchSize: cfg.batchSize, Mean: cfg.mean, Std: cfg.std,
		InputShape: []int{trainSet.Height, trainSet.Width, trainSet.Channels}}
	loaderOpts := []datasets.LoaderOption{datasets.Shuffle(cfg.seed), datasets.DropLast()}
	if cfg.transform != nil {
		loaderOpts = append(loaderOpts, datasets.Transform(cfg.transform))
	}
	loader := datasets.NewLoader(trainSet, cfg.batchSize, run.loaderOptions(loaderOpts...)...)
	defer loader.Close()
	if loader.Len() == 0 {
		return nil, fmt.Errorf("training: %d training examples give no full batch of %d", trainSet.Len(), cfg.batchSize)
	}
	t.heldOut = testSet.Name
	t.afterEpoch = func(e *Epoch) error {
		ev, err := run.Evaluate(testSet)
		if err != nil {
			return err
		}
		e.TestLoss, e.TestAccuracy, e.Test = ev.Loss, ev.Accuracy, map[string]float64{"accuracy": ev.Accuracy}
		return nil
	}
	err = t.Fit(loader, nil)
	run.History = t.History
	if err != nil {
		return nil, err
	}
	if cfg.checkpoint != "" {
		if err := run.Save(cfg.checkpoint); err != nil {
			return run, err
		}
	}
	return run, nil
}

func (r *Run) loaderOptions(extra ...datasets.LoaderOption) []datasets.LoaderOption {
	if r.Mean != nil {
		extra = append(extra, datasets.Normalize(r.Mean, r.Std))
	}
	return extra
}
