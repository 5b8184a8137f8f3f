package models_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/train"
	"github.com/gomlx/gomlx/pkg/ml/train/losses"
	"github.com/gomlx/gomlx/pkg/ml/train/optimizers"

	"github.com/godl-book/godl/pkg/backend"
	"github.com/godl-book/godl/pkg/models"
)

// TestResNetParameterCounts builds each network's graph (nothing runs) and checks its parameter
// count against torchvision's, sum(p.numel() for p in resnet18().parameters()) — 11,689,512 and
// 21,797,672 at ImageNet settings (3×224×224, 1000 classes) — and its logits' shape. The other
// rows follow from torchvision's with the stem or the classifier changed: the CIFAR stem's conv1
// has 3·3·3·64 = 1,728 weights instead of 7·7·3·64 = 9,408, and 10 classes take 512·990 + 990
// fewer in fc.
func TestResNetParameterCounts(t *testing.T) {
	const fc1000to10 = 512*990 + 990
	for _, c := range []struct {
		name    string
		model   models.Model
		dims    []int
		classes int
		want    int
	}{
		{"ResNet18 at ImageNet settings", models.ResNet18(1000), []int{2, 224, 224, 3}, 1000, 11689512},
		{"ResNet34 at ImageNet settings", models.ResNet34(1000), []int{1, 224, 224, 3}, 1000, 21797672},
		{"ResNet18, 10 classes", models.ResNet18(10), []int{1, 224, 224, 3}, 10, 11689512 - fc1000to10},
		{"ResNet18, CIFAR stem, 10 classes, 32×32", models.ResNet18(10, models.CIFARStem()), []int{64, 32, 32, 3}, 10,
			11689512 - fc1000to10 - 9408 + 1728},
		{"ResNet18, 1 channel, 96×96", models.ResNet18(10), []int{4, 96, 96, 1}, 10, 11689512 - fc1000to10 - 2*7*7*64},
		{"ResNet34, CIFAR stem, 100 classes", models.ResNet34(100, models.CIFARStem()), []int{2, 32, 32, 3}, 100,
			21797672 - 512*900 - 900 - 9408 + 1728},
	} {
		t.Run(c.name, func(t *testing.T) {
			ctx := context.New()
			g := graph.NewGraph(goBackend(t), "resnet")
			images := graph.Parameter(g, "images", shapes.Make(dtypes.Float32, c.dims...))
			logits := c.model(ctx, images)
			if got := models.NumParams(ctx); got != c.want {
				t.Errorf("%d parameters, want %d", got, c.want)
			}
			want := []int{c.dims[0], c.classes}
			if d := logits.Shape().Dimensions; len(d) != 2 || d[0] != want[0] || d[1] != want[1] {
				t.Errorf("logits shaped %v, want %v", d, want)
			}
		})
	}
}

// TestResNetTrainsAndEvaluates trains a one-block-per-stage ResNet with the CIFAR stem on one
// batch of 16×16 images on every available backend: the loss must halve within 15 Adam steps,
// the batch norms' running statistics must move away from their start (mean 0, variance 1), and
// in evaluation mode — running statistics instead of the batch's — the logits must differ
// from training mode's and be finite.
func TestResNetTrainsAndEvaluates(t *testing.T) {
	model := models.ResNet([4]int{1, 1, 1, 1}, 4, models.CIFARStem())
	r := rand.New(rand.NewPCG(3, 3))
	const batch, size = 8, 16
	pixels := make([]float32, batch*size*size*3)
	labels := make([]int32, batch)
	for i := range batch {
		labels[i] = int32(i % 4)
		for j := range size * size * 3 {
			pixels[i*size*size*3+j] = r.Float32() + float32(i%4)*0.5*float32(j%3)
		}
	}
	for _, choice := range backend.Available() {
		t.Run(choice.Name, func(t *testing.T) {
			b, err := backend.Load(choice)
			if err != nil {
				t.Fatal(err)
			}
			// Tensors stay on the backend that first used them: fresh ones for each backend.
			x := tensors.FromFlatDataAndDimensions(pixels, batch, size, size, 3)
			y := tensors.FromFlatDataAndDimensions(labels, batch, 1)
			ctx := context.New()
			ctx.SetParam(context.ParamInitialSeed, int64(1))
			trainer := train.NewTrainer(b, ctx, func(ctx *context.Context, _ any, in []*graph.Node) []*graph.Node {
				return []*graph.Node{model(ctx, in[0])}
			}, losses.SparseCategoricalCrossEntropyLogits, optimizers.Adam().LearningRate(0.01).Done(), nil, nil)
			var first, last float32
			for step := range 15 {
				m, err := trainer.TrainStep(nil, []*tensors.Tensor{x}, []*tensors.Tensor{y})
				if err != nil {
					t.Fatal(err)
				}
				if last = m[0].Value().(float32); step == 0 {
					first = last
				}
			}
			if !(last < first/2) {
				t.Errorf("loss %.4f after 15 steps, from %.4f: want below half", last, first)
			}
			bn := ctx.In("layer4").In("0").In("bn2")
			mean := bn.GetVariable("running_mean").MustValue().Value().([]float32)
			variance := bn.GetVariable("running_var").MustValue().Value().([]float32)
			if mean[0] == 0 || variance[0] == 1 {
				t.Errorf("layer4/0/bn2 running mean %g and variance %g: want both moved by training", mean[0], variance[0])
			}

			logits := func(training bool) []float32 {
				out, err := context.ExecOnce(b, ctx.Reuse(), func(ctx *context.Context, images *graph.Node) *graph.Node {
					ctx.SetTraining(images.Graph(), training)
					return model(ctx, images)
				}, x)
				if err != nil {
					t.Fatal(err)
				}
				return out.Value().([][]float32)[0]
			}
			eval, trainMode := logits(false), logits(true)
			for i := range eval {
				if math.IsNaN(float64(eval[i])) || math.IsInf(float64(eval[i]), 0) {
					t.Fatalf("evaluation logits %v, want finite", eval)
				}
			}
			if eval[0] == trainMode[0] && eval[1] == trainMode[1] {
				t.Errorf("evaluation logits %v equal training mode's: want running statistics used", eval)
			}
		})
	}
}
