package models_test

import (
	"math/rand/v2"
	"testing"

	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/train"
	"github.com/gomlx/gomlx/pkg/ml/train/losses"
	"github.com/gomlx/gomlx/pkg/ml/train/optimizers"

	"github.com/godl-book/godl/pkg/backend"
	"github.com/godl-book/godl/pkg/models"
)

// TestModelsTrain fits each model to one batch of images with Adam on every available backend:
// the loss must fall below half its first value within 20 steps (200 for the sigmoid LeNet). Image i shows a bright square in
// quadrant i mod 4 over noise, and its label is that quadrant.
func TestModelsTrain(t *testing.T) {
	for _, choice := range backend.Available() {
		b, err := backend.Load(choice)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			name  string
			model models.Model
			dims  []int
		}{
			{"LeNet5 classic 28×28×1", models.LeNet5(10), []int{16, 28, 28, 1}},
			{"LeNet5 modern 28×28×1", models.LeNet5(10, models.Modern()), []int{16, 28, 28, 1}},
			{"Net 32×32×3", models.Net, []int{16, 32, 32, 3}},
		} {
			t.Run(choice.Name+"/"+c.name, func(t *testing.T) {
				r := rand.New(rand.NewPCG(1, 1))
				batch, h, w, ch := c.dims[0], c.dims[1], c.dims[2], c.dims[3]
				pixels := make([]float32, batch*h*w*ch)
				labels := make([]int32, batch)
				for i := range batch {
					q := i % 4
					labels[i] = int32(q)
					for y := range h {
						for x := range w {
							for k := range ch {
								v := 0.3 * r.Float32()
								if y/(h/2) == q/2 && x/(w/2) == q%2 {
									v += 0.7
								}
								pixels[((i*h+y)*w+x)*ch+k] = v
							}
						}
					}
				}
				x := []*tensors.Tensor{tensors.FromFlatDataAndDimensions(pixels, c.dims...)}
				y := []*tensors.Tensor{tensors.FromFlatDataAndDimensions(labels, c.dims[0], 1)}
				ctx := context.New()
				ctx.SetParam(context.ParamInitialSeed, int64(2))
				model := func(ctx *context.Context, _ any, inputs []*graph.Node) []*graph.Node {
					return []*graph.Node{c.model(ctx, inputs[0])}
				}
				trainer := train.NewTrainer(b, ctx, model, losses.SparseCategoricalCrossEntropyLogits,
					optimizers.Adam().LearningRate(0.01).Done(), nil, nil)
				steps := 20
				if c.name == "LeNet5 classic 28×28×1" {
					// Sigmoids sit at ln 4 (the class prior) for 40–150 steps before they find the
					// squares, in PyTorch too (chapter 07).
					steps = 200
				}
				var first, last float32
				for step := range steps {
					m, err := trainer.TrainStep(nil, x, y)
					if err != nil {
						t.Fatal(err)
					}
					last = m[0].Value().(float32)
					if step == 0 {
						first = last
					}
					if last < first/2 {
						steps = step + 1
						break
					}
				}
				t.Logf("loss %.3f → %.3f in %d steps", first, last, steps)
				if !(last < first/2) {
					t.Errorf("loss %.3f → %.3f after %d Adam steps, want below %.3f", first, last, steps, first/2)
				}
			})
		}
	}
}
