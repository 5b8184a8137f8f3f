package training_test

import (
	"fmt"
	"io"

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

// points is a train.Dataset: 4 batches of 8 points (x, 2x − 1), then io.EOF.
type points struct{ batch int }

func (p *points) Name() string { return "points" }
func (p *points) Reset()       { p.batch = 0 }
func (p *points) Yield() (any, []*tensors.Tensor, []*tensors.Tensor, error) {
	if p.batch == 4 {
		return nil, nil, nil, io.EOF
	}
	x, y := make([][]float32, 8), make([][]float32, 8)
	for i := range x {
		v := float32(p.batch*8+i)/16 - 1
		x[i], y[i] = []float32{v}, []float32{2*v - 1}
	}
	p.batch++
	return nil, []*tensors.Tensor{tensors.FromValue(x)}, []*tensors.Tensor{tensors.FromValue(y)}, nil
}

// A regression with MSE through the general Trainer: any network, loss and data set.
func ExampleNewTrainer() {
	task := training.Task{
		Network: func(ctx *context.Context, inputs []*graph.Node) []*graph.Node {
			return []*graph.Node{layers.Dense(ctx.In("line"), inputs[0], 1)}
		},
		Loss: losses.ForTrainer(losses.MSE),
	}
	trainer, err := training.NewTrainer(task, optimizers.Adam().LearningRate(0.1).Done(),
		training.Epochs(50), training.NoProgress())
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := trainer.Fit(&points{}, nil); err != nil {
		fmt.Println(err)
		return
	}
	scores, err := trainer.Evaluate(&points{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%d epochs, loss below 0.001: %v\n", len(trainer.History), scores["loss"] < 1e-3)
	// Output: 50 epochs, loss below 0.001: true
}
