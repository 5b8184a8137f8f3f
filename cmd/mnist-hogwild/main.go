// Command mnist-hogwild is the pytorch/examples program mnist_hogwild in Go: several workers
// train one network (models.HogwildNet) on shared weights without locks (pkg/hogwild), each with
// its own shuffled loader and SGD momentum, then the shared model is tested once. The original's
// workers are processes sharing memory; here they are goroutines. Chapter 18 runs it.
//
//	go run ./cmd/mnist-hogwild [-batch-size 64] [-test-batch-size 1000] [-epochs 10] [-lr 0.01]
//	                           [-momentum 0.5] [-seed 1] [-log-interval 10] [-num-processes 2]
//	                           [-cuda] [-save_model] [-dry-run]
//
// Every log line starts with the worker's number where the original prints its process id.
// -save_model writes the weights to the folder MNIST_hogwild (the original: MNIST_hogwild.pt).
package main

import (
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"sync"
	"time"

	"github.com/godl-book/godl/pkg/backend"
	"github.com/godl-book/godl/pkg/datasets"
	"github.com/godl-book/godl/pkg/hogwild"
	"github.com/godl-book/godl/pkg/models"
	"github.com/godl-book/godl/pkg/training"
)

type config struct {
	hogwild.Config
	testBatchSize, logInterval, limit int
	cuda, dryRun, saveModel           bool
	saveDir                           string
}

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "mnist-hogwild:", err)
		os.Exit(1)
	}
}

func parse(args []string, stderr io.Writer) (*config, error) {
	flags := flag.NewFlagSet("mnist-hogwild", flag.ContinueOnError)
	flags.SetOutput(stderr)
	c := &config{saveDir: "MNIST_hogwild"}
	var seed int64
	flags.IntVar(&c.BatchSize, "batch-size", 64, "input batch size for training")
	flags.IntVar(&c.testBatchSize, "test-batch-size", 1000, "input batch size for testing")
	flags.IntVar(&c.Epochs, "epochs", 10, "number of epochs to train")
	flags.Float64Var(&c.LR, "lr", 0.01, "learning rate")
	flags.Float64Var(&c.Momentum, "momentum", 0.5, "SGD momentum")
	flags.Int64Var(&seed, "seed", 1, "random seed")
	flags.IntVar(&c.logInterval, "log-interval", 10, "how many batches to wait before logging training status")
	flags.IntVar(&c.Workers, "num-processes", 2, "how many training workers (goroutines) to use")
	flags.BoolVar(&c.cuda, "cuda", false, "enables CUDA training (when a GPU and its plugin are present)")
	flags.BoolVar(&c.saveModel, "save_model", false, "save the trained model")
	flags.BoolVar(&c.dryRun, "dry-run", false, "quickly check a single pass")
	flags.StringVar(&c.saveDir, "save-dir", c.saveDir, "the folder -save_model writes (godl only)")
	flags.IntVar(&c.limit, "limit", 0, "train and test on the first N digits of each set (godl only; 0: all)")
	if err := flags.Parse(args); err != nil {
		return nil, err
	}
	switch {
	case flags.NArg() > 0:
		return nil, fmt.Errorf("unexpected argument %q (flags only; -h lists them)", flags.Arg(0))
	case c.testBatchSize <= 0 || c.logInterval <= 0 || c.limit < 0 || seed < 0:
		return nil, fmt.Errorf("-test-batch-size %d and -log-interval %d must be positive, -limit %d and -seed %d not negative",
			c.testBatchSize, c.logInterval, c.limit, seed)
	}
	c.Seed = uint64(seed)
	c.Mean, c.Std = datasets.MNISTMean, datasets.MNISTStd // transforms.Normalize((0.1307,), (0.3081,))
	if c.dryRun {
		c.StepsPerEpoch = 1 // the original breaks out of each epoch after its first batch
	}
	return c, nil
}

func run(args []string, stdout, stderr io.Writer) error {
	c, err := parse(args, stderr)
	if err != nil {
		return err
	}
	pick := backend.CPU // the original trains on the CPU unless told --cuda
	if c.cuda {
		pick = backend.Default
	}
	b, err := pick()
	if err != nil {
		return err
	}
	trainSet, testSet, err := datasets.MNIST(datasets.Log(stderr), datasets.Limit(c.limit))
	if err != nil {
		return err
	}
	var mu sync.Mutex // one line at a time on stdout
	c.OnStep = func(worker, epoch, batch, batches int, loss float64) {
		if batch%c.logInterval == 0 {
			mu.Lock()
			defer mu.Unlock()
			fmt.Fprintf(stdout, "%d\tTrain Epoch: %d [%d/%d (%.0f%%)]\tLoss: %.6f\n", worker, epoch,
				batch*c.BatchSize, trainSet.Len(), 100*float64(batch)/float64(batches), loss)
		}
	}
	start := time.Now()
	res, err := hogwild.Train(b, models.HogwildNet, trainSet, c.Config)
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "trained with %d workers in %.1f s\n", c.Workers, time.Since(start).Seconds())
	r := &training.Run{Model: models.HogwildNet, Context: res.Context, Backend: b, Classes: trainSet.Classes,
		BatchSize: c.testBatchSize, Mean: c.Mean, Std: c.Std, InputShape: []int{28, 28, 1}}
	if c.saveModel {
		if err := r.Save(c.saveDir); err != nil {
			return err
		}
	}
	ev, err := r.Evaluate(testSet)
	if err != nil {
		return err
	}
	correct := int(math.Round(ev.Accuracy * float64(testSet.Len())))
	fmt.Fprintf(stdout, "\nTest set: Average loss: %.4f, Accuracy: %d/%d (%.0f%%)\n\n", ev.Loss, correct,
		testSet.Len(), 100*float64(correct)/float64(testSet.Len()))
	return nil
}
