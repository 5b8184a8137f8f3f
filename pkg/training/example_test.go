package training_test

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/godl-book/godl/pkg/datasets"
	"github.com/godl-book/godl/pkg/layers"
	"github.com/godl-book/godl/pkg/losses"
	"github.com/godl-book/godl/pkg/training"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/train/optimizers"
)

// A linear classifier on 500 MNIST digits (bundled with the Go module: no download), two epochs.
func ExampleFit() {
	train, test, err := datasets.MNIST(datasets.Limit(500), datasets.Quiet())
	if err != nil {
		fmt.Println(err)
		return
	}
	linear := func(ctx *context.Context, images *graph.Node) *graph.Node {
		return layers.Dense(ctx.In("fc"), layers.Flatten(images), 10)
	}
	run, err := training.Fit(linear, train, test.Take(200), optimizers.Adam().LearningRate(0.01).Done(),
		training.Epochs(2), training.BatchSize(50), training.NoProgress())
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%d epochs, better than chance: %v\n", len(run.History), run.TestAccuracy() > 0.5)
	// Output: 2 epochs, better than chance: true
}

// points gives 32 points (x, 2x − 1) in batches of 8, in order.
func points() *datasets.TensorLoader {
	x, y := make([][]float32, 32), make([][]float32, 32)
	for i := range x {
		v := float32(i)/16 - 1
		x[i], y[i] = []float32{v}, []float32{2*v - 1}
	}
	return datasets.FromTensors("points", 8, []*tensors.Tensor{tensors.FromValue(x)},
		[]*tensors.Tensor{tensors.FromValue(y)})
}

// lineTask fits a line with MSE.
func lineTask() training.Task {
	return training.Task{
		Network: func(ctx *context.Context, inputs []*graph.Node) []*graph.Node {
			return []*graph.Node{layers.Dense(ctx.In("line"), inputs[0], 1)}
		},
		Loss: losses.ForTrainer(losses.MSE),
	}
}

// A regression with MSE through the general Trainer: any network, loss and data set.
func ExampleNewTrainer() {
	trainer, err := training.NewTrainer(lineTask(), optimizers.Adam().LearningRate(0.1).Done(),
		training.Epochs(50), training.NoProgress())
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := trainer.Fit(points(), nil); err != nil {
		fmt.Println(err)
		return
	}
	scores, err := trainer.Evaluate(points())
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%d epochs, loss below 0.001: %v\n", len(trainer.History), scores["loss"] < 1e-3)
	// Output: 50 epochs, loss below 0.001: true
}

// A long run saves to a checkpoint folder every 10 epochs; started again with the same options
// after it stopped (here after 20 of 50 epochs), it resumes and trains only the epochs left.
func ExampleTrainer_Fit_resume() {
	dir, err := os.MkdirTemp("", "godl-example-")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	for _, epochs := range []int{20, 50} { // the first run stops after 20 epochs
		steps := 0
		trainer, err := training.NewTrainer(lineTask(), optimizers.Adam().LearningRate(0.1).Done(),
			training.Epochs(epochs), training.Checkpoint(filepath.Join(dir, "line")),
			training.SaveEvery(10), training.NoProgress(), training.OnStep(func(int, float64) { steps++ }))
		if err != nil {
			fmt.Println(err)
			return
		}
		if err := trainer.Fit(points(), nil); err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("%d steps, %d epochs in the history\n", steps, len(trainer.History))
	}
	// Output:
	// 80 steps, 20 epochs in the history
	// 120 steps, 50 epochs in the history
}
