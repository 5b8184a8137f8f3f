package training

import (
	"github.com/godl-book/godl/pkg/datasets"
	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// Option changes how Fit and a Trainer train.
type Option func(*config)

type config struct {
	epochs, batchSize int
	seed              uint64
	mean, std         []float32
	transform         datasets.TransformFunc
	checkpoint        string
	progress          bool
	onEpoch           []func(Epoch)
	onStep            []func(step int, loss float64)
	cosineDecay       bool
	stepSize          int // StepLR's, 0 for none
	stepGamma         float64
	ctx               *context.Context
	backend           backends.Backend
	saveEvery         int
	devices           int      // Devices' n; 0 and 1 train on one device
	fitOnly           []string // options given that only Fit takes, for NewTrainer's error
	trainerOnly       []string // options given that only a Trainer takes, for Fit's error
}

func newConfig(opts []Option) *config {
	c := &config{epochs: 1, batchSize: 64, seed: 42, progress: true}
	for _, o := range opts {
		o(c)
	}
	return c
}

// Epochs sets the number of passes over the training data (default 1).
func Epochs(n int) Option { return func(c *config) { c.epochs = n } }

// BatchSize sets the number of examples per training step of Fit (default 64).
func BatchSize(n int) Option {
	return func(c *config) { c.batchSize, c.fitOnly = n, append(c.fitOnly, "BatchSize") }
}

// Seed fixes the initial weights and the shuffling order (default 42).
func Seed(seed uint64) Option { return func(c *config) { c.seed = seed } }

// Normalize standardizes Fit's inputs per channel, e.g. with datasets.FashionMNISTMean and
// FashionMNISTStd.
func Normalize(mean, std []float32) Option {
	return func(c *config) { c.mean, c.std, c.fitOnly = mean, std, append(c.fitOnly, "Normalize") }
}

// Augment makes Fit's training loader run fn on every training image before normalization
// (datasets.Transform; chapter 11's augment.Pipeline.For makes one). The test set is not
// transformed.
func Augment(fn datasets.TransformFunc) Option {
	return func(c *config) { c.transform, c.fitOnly = fn, append(c.fitOnly, "Augment") }
}

// Checkpoint makes Fit save to dir when training ends (see Load for Fit's, and Trainer.Fit for
// a Trainer's, which also resumes from it). Both check before training that dir can take the
// checkpoint; when the save fails they keep the trained model and return it with the error.
func Checkpoint(dir string) Option { return func(c *config) { c.checkpoint = dir } }

// SaveEvery makes a Trainer with Checkpoint also save after every n epochs, so a long run that
// is killed loses at most n epochs.
func SaveEvery(n int) Option {
	return func(c *config) { c.saveEvery, c.trainerOnly = n, append(c.trainerOnly, "SaveEvery") }
}

// NoProgress hides the progress bar and the per-epoch lines (for tests and benchmarks).
func NoProgress() Option { return func(c *config) { c.progress = false } }

// OnEpoch calls fn after every epoch with that epoch's numbers, e.g. to print them. Several
// OnEpoch options all run, in the order given.
func OnEpoch(fn func(Epoch)) Option { return func(c *config) { c.onEpoch = append(c.onEpoch, fn) } }

// OnStep calls fn after every training step with the step number (1, 2, … across epochs) and
// that batch's loss, for curves finer than an epoch: chapter 05 plots the optimizers' training
// loss every few steps, as the Adam paper's figures do. Several OnStep options all run, in the
// order given.
func OnStep(fn func(step int, loss float64)) Option {
	return func(c *config) { c.onStep = append(c.onStep, fn) }
}

// CosineDecay lowers the optimizer's learning rate from its starting value to 0 along half a
// cosine over the whole run (Loshchilov & Hutter's SGDR without restarts): big steps early,
// small ones at the end, so the last epochs settle instead of bouncing between minima.
func CosineDecay() Option { return func(c *config) { c.cosineDecay = true } }

// StepLR multiplies the optimizer's learning rate by gamma every stepSize epochs, as PyTorch's
// StepLR stepped once per epoch: epoch e (counting from 1) trains at lr·gamma^⌊(e−1)/stepSize⌋.
// cmd/mnist uses StepLR(1, 0.7), the pytorch/examples MNIST program's schedule.
func StepLR(stepSize int, gamma float64) Option {
	return func(c *config) { c.stepSize, c.stepGamma = stepSize, gamma }
}

// Devices trains data-parallel on the backend's first n devices (the XLA CPU plugin shows
// several; a machine may have several GPUs): every batch is cut into n equal parts along its
// first axis, one per device, and XLA's automatic sharding (GoMLX's AutoSharding) keeps the
// weights replicated and combines the gradients, so each step makes the update one device would
// make on the whole batch — the same loss curve, within float32 rounding. The batch size must be
// a multiple of n. Chapter 18's cmd/imagenet offers it as -devices, as the original offers DDP.
func Devices(n int) Option { return func(c *config) { c.devices = n } }

// WithContext trains in ctx instead of a new context: its hyperparameters (e.g.
// optimizers.ParamLearningRate for an optimizer built without a learning rate) and the
// variables it already holds (initial or pretrained weights, under the scopes the model uses)
// are used, and the trained weights stay in it.
func WithContext(ctx *context.Context) Option { return func(c *config) { c.ctx = ctx } }

// WithBackend trains on b instead of backend.Default() (the XLA CPU plugin when found, else
// pure Go), e.g. a GPU backend or backends.New's pick in a cmd/ program.
func WithBackend(b backends.Backend) Option { return func(c *config) { c.backend = b } }
