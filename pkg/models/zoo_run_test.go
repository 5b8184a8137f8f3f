package models_test

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/train"
	"github.com/gomlx/gomlx/pkg/ml/train/losses"
	"github.com/gomlx/gomlx/pkg/ml/train/optimizers"

	"github.com/godl-book/godl/pkg/models"
)

// TestLeNet1998Counts checks the 1998 LeNet-5 layer by layer against the paper (LeCun et al.
// 1998, §II.B), on 32×32 images and on 28×28 ones (padded to 32×32 by C1). Parameters: C1 156,
// S2 12, C3 1,516, S4 32, C5 48,120, F6 10,164 — 60,000 in all, the paper's total — and the
// output layer's 840 fixed RBF weights (10 classes × 84), not trained. The paper also counts
// connections, which are our multiply-adds plus one per bias and output position: C1 122,304,
// C3 151,600, C5 48,120, F6 10,164.
func TestLeNet1998Counts(t *testing.T) {
	type row struct {
		params      int
		output      []int
		connections int64 // the paper's count; 0: not checked
	}
	want := map[string]row{
		"c1":     {156, []int{1, 28, 28, 6}, 122304},
		"s2":     {12, []int{1, 14, 14, 6}, 0},
		"c3":     {1516, []int{1, 10, 10, 16}, 151600},
		"s4":     {32, []int{1, 5, 5, 16}, 0},
		"c5":     {48120, []int{1, 1, 1, 120}, 48120},
		"f6":     {10164, []int{1, 84}, 10164},
		"output": {0, []int{1, 10}, 0},
	}
	for _, size := range []int{32, 28} {
		s, err := models.Summary(models.LeNet5(10, models.LeCun1998()), 1, size, size, 1)
		if err != nil {
			t.Fatal(err)
		}
		if s.Trainable != 60000 || s.NonTrainable != 840 || !slices.Equal(s.Output, []int{1, 10}) {
			t.Errorf("%d×%d: %d trainable, %d fixed, output %v; want 60,000, 840, [1 10]",
				size, size, s.Trainable, s.NonTrainable, s.Output)
		}
		found := 0
		for _, l := range s.Layers {
			w, ok := want[l.Name]
			if !ok {
				continue
			}
			found++
			out := l.Output
			positions := 1
			if len(out) == 4 {
				positions = out[1] * out[2]
			}
			connections := l.MACs + int64(out[len(out)-1]*positions) // a bias per map and position
			if l.Params != w.params || !slices.Equal(l.Output, w.output) ||
				(w.connections > 0 && connections != w.connections) {
				t.Errorf("%d×%d %s: %d params, output %v, %d connections; paper %d, %v, %d",
					size, size, l.Name, l.Params, l.Output, connections, w.params, w.output, w.connections)
			}
		}
		if found != len(want) {
			t.Errorf("%d×%d: %d of the paper's %d layers in the summary", size, size, found, len(want))
		}
	}
}

// TestLeNet1998Trains trains the 1998 LeNet-5 for 20 Adam steps on one batch of 16 synthetic
// 28×28 images of 4 classes (a bright square in a class-dependent corner): gradients must flow
// through the RBF output, the subsampling coefficients and C3's gathered maps, so the loss must
// fall below half its start, the fixed codes must stay as they were, and the logits (minus
// squared distances) must be ≤ 0. It runs on pure Go, which needs no compilation (XLA CPU takes
// 5× longer here, most of it compiling).
func TestLeNet1998Trains(t *testing.T) {
	const batch, size = 16, 28
	r := rand.New(rand.NewPCG(5, 5))
	pixels := make([]float32, batch*size*size)
	labels := make([]int32, batch)
	for i := range batch {
		c := i % 4
		labels[i] = int32(c)
		for y := range size {
			for x := range size {
				v := 0.1 * r.Float32()
				if (y < 14) == (c < 2) && (x < 14) == (c%2 == 0) && y%14 > 3 && x%14 > 3 {
					v += 1
				}
				pixels[(i*size+y)*size+x] = v
			}
		}
	}
	b := goBackend(t)
	model := models.LeNet5(4, models.LeCun1998())
	ctx := context.New()
	ctx.SetParam(context.ParamInitialSeed, int64(1))
	trainer := train.NewTrainer(b, ctx, func(ctx *context.Context, _ any, in []*graph.Node) []*graph.Node {
		return []*graph.Node{model(ctx, in[0])}
	}, losses.SparseCategoricalCrossEntropyLogits, optimizers.Adam().LearningRate(0.01).Done(), nil, nil)
	x := tensors.FromFlatDataAndDimensions(pixels, batch, size, size, 1)
	y := tensors.FromFlatDataAndDimensions(labels, batch, 1)
	var first, last float32
	var codes []float32
	for step := range 20 {
		m, err := trainer.TrainStep(nil, []*tensors.Tensor{x}, []*tensors.Tensor{y})
		if err != nil {
			t.Fatal(err)
		}
		if last = m[0].Value().(float32); step == 0 {
			first = last
			codes = tensors.MustCopyFlatData[float32](ctx.In("output").GetVariable("weight").MustValue())
		}
	}
	if !(last < first/2) {
		t.Errorf("loss %.4f after 20 steps, from %.4f: want below half", last, first)
	}
	after := tensors.MustCopyFlatData[float32](ctx.In("output").GetVariable("weight").MustValue())
	if !slices.Equal(codes, after) {
		t.Errorf("the output layer's codes changed in training: want them fixed")
	}
	logits, err := context.ExecOnce(b, ctx.Reuse(), func(ctx *context.Context, images *graph.Node) *graph.Node {
		return model(ctx, images)
	}, x)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range tensors.MustCopyFlatData[float32](logits) {
		if !(v <= 0) {
			t.Fatalf("logit %g: want −(squared distance) ≤ 0", v)
		}
	}
}

// TestZooRuns executes the models whose graphs TestZooMatchesTorchvision only builds, small:
// GoogLeNet with its auxiliary classifiers in training mode (three [batch, classes] logits);
// AlexNet at its smallest input, 63×63, with and without response normalization on the same
// weights (the outputs must differ: the normalization is in the graph); a one-block-per-stage
// bottleneck ResNet, whose training-mode pass moves batch norm's running statistics and whose
// evaluation uses them. All outputs must be finite. It runs on pure Go: XLA CPU takes 40 s to
// compile GoogLeNet's graph, pure Go runs it in a second.
func TestZooRuns(t *testing.T) {
	b := goBackend(t)
	images := func(seed uint64, dims ...int) *tensors.Tensor {
		r := rand.New(rand.NewPCG(seed, 1))
		data := make([]float32, dims[0]*dims[1]*dims[2]*dims[3])
		for i := range data {
			data[i] = float32(r.NormFloat64())
		}
		return tensors.FromFlatDataAndDimensions(data, dims...)
	}
	finite := func(what string, tt *tensors.Tensor) []float32 {
		t.Helper()
		v := tensors.MustCopyFlatData[float32](tt)
		for _, x := range v {
			if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
				t.Fatalf("%s: %v, want finite", what, v)
			}
		}
		return v
	}

	t.Run("GoogLeNet with auxiliary classifiers, training", func(t *testing.T) {
		heads := models.GoogLeNetHeads(5, models.AuxClassifiers())
		out, err := context.ExecOnceN(b, context.New(), func(ctx *context.Context, x *graph.Node) []*graph.Node {
			ctx.SetTraining(x.Graph(), true)
			logits, aux := heads(ctx, x)
			return append([]*graph.Node{logits}, aux...)
		}, images(1, 2, 64, 64, 3))
		if err != nil {
			t.Fatal(err)
		}
		if len(out) != 3 {
			t.Fatalf("%d outputs, want logits and 2 auxiliary logits", len(out))
		}
		for i, o := range out {
			if d := o.Shape().Dimensions; !slices.Equal(d, []int{2, 5}) {
				t.Errorf("output %d shaped %v, want [2 5]", i, d)
			}
			finite("GoogLeNet", o)
		}
	})

	t.Run("AlexNet with and without LRN at 63×63", func(t *testing.T) {
		ctx := context.New()
		x := images(2, 1, 63, 63, 3)
		var outs [][]float32
		for _, m := range []models.Model{models.AlexNet(4), models.AlexNet(4, models.WithLRN())} {
			out, err := context.ExecOnce(b, ctx, func(ctx *context.Context, x *graph.Node) *graph.Node {
				return m(ctx, x)
			}, x)
			if err != nil {
				t.Fatal(err)
			}
			outs = append(outs, finite("AlexNet", out))
			ctx = ctx.Reuse()
		}
		if slices.Equal(outs[0], outs[1]) {
			t.Errorf("logits with LRN %v equal those without: want the normalization applied", outs[1])
		}
	})

	t.Run("bottleneck ResNet, training then evaluation", func(t *testing.T) {
		model := models.ResNet([4]int{1, 1, 1, 1}, 3, models.Bottleneck(), models.CIFARStem())
		ctx := context.New()
		x := images(3, 4, 16, 16, 2)
		run := func(training bool) []float32 {
			out, err := context.ExecOnce(b, ctx, func(ctx *context.Context, x *graph.Node) *graph.Node {
				ctx.SetTraining(x.Graph(), training)
				return model(ctx, x)
			}, x)
			if err != nil {
				t.Fatal(err)
			}
			ctx = ctx.Reuse()
			return finite("ResNet", out)
		}
		trainOut := run(true)
		mean := tensors.MustCopyFlatData[float32](ctx.In("layer1").In("0").In("bn3").GetVariable("running_mean").MustValue())
		if mean[0] == 0 {
			t.Errorf("layer1/0/bn3 running mean %v after a training pass: want moved from 0", mean[:3])
		}
		if evalOut := run(false); slices.Equal(trainOut, evalOut) {
			t.Errorf("evaluation logits equal training mode's: want running statistics used")
		}
	})
}

// TestSummaryErrors checks that Summary reports a bad input shape and a model that cannot take
// its input as errors naming the input, never as a panic.
func TestSummaryErrors(t *testing.T) {
	for _, c := range []struct {
		name  string
		model models.Model
		dims  []int
		want  string
	}{
		{"rank 3", models.ResNet18(10), []int{224, 224, 3}, "models.Summary: input shape [224 224 3], want [batch, height, width, channels]"},
		{"zero channels", models.ResNet18(10), []int{1, 32, 32, 0}, "all ≥ 1"},
		{"AlexNet on 32×32", models.AlexNet(10), []int{1, 32, 32, 3}, "models.Summary: input [1 32 32 3]: layers: MaxPool2D"},
		{"VGG-12", models.VGG(12, 10), []int{1, 32, 32, 3}, "models.VGG: depth 12, want 11, 13, 16 or 19"},
		{"no classes", models.ResNet18(0), []int{1, 32, 32, 3}, "models.ResNet: 0 classes"},
	} {
		_, err := models.Summary(c.model, c.dims...)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", c.name, err, c.want)
		}
	}
}
