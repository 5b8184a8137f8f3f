package layers_test

import (
	"math/rand/v2"
	"testing"

	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/train"
	"github.com/gomlx/gomlx/pkg/ml/train/losses"
	"github.com/gomlx/gomlx/pkg/ml/train/optimizers"

	"github.com/godl-book/godl/pkg/layers"
)

// smallCNN has one of each layer: conv → batch norm → ReLU → max pool → conv → ReLU → avg pool →
// dense, on 12×12×1 images, 3 classes.
func smallCNN(ctx *context.Context, _ any, inputs []*graph.Node) []*graph.Node {
	x := inputs[0]
	x = layers.Conv2D(ctx.In("conv1"), x, 8, 3).Padding(1).Done()
	x = layers.BatchNorm(ctx.In("bn1"), x).Done()
	x = layers.MaxPool2D(layers.ReLU(x), 2).Done()
	x = layers.ReLU(layers.Conv2D(ctx.In("conv2"), x, 8, 3).Done())
	x = layers.AvgPool2D(x, 2).Done()
	return []*graph.Node{layers.Dense(ctx.In("fc"), layers.Flatten(x), 3)}
}

// stripes makes n 12×12 images of class 0 (horizontal stripes), 1 (vertical) or 2 (noise only).
func stripes(n int, seed uint64) (images, labels *tensors.Tensor) {
	r := rand.New(rand.NewPCG(seed, 7))
	img := make([]float32, n*12*12)
	lab := make([]int32, n)
	for i := range n {
		c := i % 3
		lab[i] = int32(c)
		phase := r.IntN(4)
		for y := range 12 {
			for x := range 12 {
				v := float32(r.NormFloat64()) * 0.3
				if (c == 0 && (y+phase)%4 < 2) || (c == 1 && (x+phase)%4 < 2) {
					v += 1
				}
				img[(i*12+y)*12+x] = v
			}
		}
	}
	return tensors.FromFlatDataAndDimensions(img, n, 12, 12, 1), tensors.FromFlatDataAndDimensions(lab, n, 1)
}

// TestSmallCNNTrains trains smallCNN for 20 Adam steps on every backend and checks that the loss
// on the training batch falls to under half its first value, and that it stays there on new
// images in inference mode (batch norm then normalizes with its running averages). It runs on pure
// Go, and on XLA where it is installed.
func TestSmallCNNTrains(t *testing.T) {
	for name, b := range backendsUnderTest(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.New()
			ctx.SetParam(context.ParamInitialSeed, int64(1))
			trainer := train.NewTrainer(b, ctx, smallCNN, losses.SparseCategoricalCrossEntropyLogits,
				optimizers.Adam().LearningRate(0.01).Done(), nil, nil)
			images, labels := stripes(48, 7)
			var first, last float32
			for step := range 20 {
				metrics, err := trainer.TrainStep(nil, []*tensors.Tensor{images}, []*tensors.Tensor{labels})
				if err != nil {
					t.Fatalf("step %d: %v", step, err)
				}
				loss := metrics[0].Value().(float32)
				if step == 0 {
					first = loss
				}
				last = loss
			}
			t.Logf("%s: loss %.4f → %.4f after 20 steps", name, first, last)
			if !(last < first/2) {
				t.Errorf("%s: loss %.4f → %.4f after 20 Adam steps, want it below half", name, first, last)
			}

			// In inference batch norm uses its running averages: new images must be classified too.
			testImages, testLabels := stripes(30, 8)
			metrics, err := trainer.EvalStep(nil, []*tensors.Tensor{testImages}, []*tensors.Tensor{testLabels})
			if err != nil {
				t.Fatal(err)
			}
			evalLoss := metrics[0].Value().(float32)
			t.Logf("%s: loss on new images, in inference mode: %.4f", name, evalLoss)
			if !(evalLoss < first/2) {
				t.Errorf("%s: inference loss on new images %.4f, want below %.4f", name, evalLoss, first/2)
			}
		})
	}
}
