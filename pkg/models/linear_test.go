package models_test

import (
	"testing"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"

	"github.com/godl-book/godl/pkg/models"
)

// TestMLPScopesAndReLU checks the layer names and that the hidden layers pass through ReLU: with
// all weights and biases set to −1 except the last layer's, the hidden activations are 0 and the
// logits equal the last bias.
func TestMLPScopesAndReLU(t *testing.T) {
	b := goBackend(t)
	ctx := context.New()
	model := models.MLP(3, []int{4, 5}, models.MLPDropout(0.2, 0.5)) // no dropout outside training
	if _, err := context.ExecOnce(b, ctx, func(ctx *context.Context, images *graph.Node) *graph.Node {
		return model(ctx, images)
	}, tensors.FromShape(shapes.Make(dtypes.Float32, 1, 2, 2, 1))); err != nil {
		t.Fatal(err)
	}
	var names []string
	for v := range ctx.IterVariables() {
		if !v.Trainable {
			continue
		}
		names = append(names, v.ScopeAndName())
		value := float32(-1)
		if v.Scope() == "/fc3" && v.Name() == "bias" {
			value = 7
		}
		flat := make([]float32, v.Shape().Size())
		for i := range flat {
			flat[i] = value
		}
		if err := v.SetValue(tensors.FromFlatDataAndDimensions(flat, v.Shape().Dimensions...)); err != nil {
			t.Fatal(err)
		}
	}
	want := map[string]bool{"/fc1/weight": true, "/fc1/bias": true, "/fc2/weight": true, "/fc2/bias": true,
		"/fc3/weight": true, "/fc3/bias": true}
	if len(names) != len(want) {
		t.Fatalf("variables %v, want %d of them", names, len(want))
	}
	for _, n := range names {
		if !want[n] {
			t.Errorf("unexpected variable %s", n)
		}
	}
	ones := tensors.FromFlatDataAndDimensions([]float32{1, 1, 1, 1}, 1, 2, 2, 1)
	logits, err := context.ExecOnce(b, ctx.Reuse(), func(ctx *context.Context, images *graph.Node) *graph.Node {
		return model(ctx, images)
	}, ones)
	if err != nil {
		t.Fatal(err)
	}
	got := logits.Value().([][]float32)[0]
	for i, v := range got {
		if v != 7 {
			t.Errorf("logit %d = %v, want 7 (ReLU should zero the negative hidden units)", i, v)
		}
	}
}

func TestMLPRejectsBadSettings(t *testing.T) {
	for name, build := range map[string]func(){
		"width 0":      func() { models.MLP(10, []int{0}) },
		"dropout 1":    func() { models.MLP(10, []int{8}, models.MLPDropout(0, 1)) },
		"dropout −0.1": func() { models.MLP(10, []int{8}, models.MLPDropout(-0.1, 0)) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: MLP did not panic", name)
				}
			}()
			build()
		}()
	}
}

// TestMLPDropoutOnlyWhileTraining checks that MLPDropout draws new masks on every training pass
// and leaves evaluation deterministic.
func TestMLPDropoutOnlyWhileTraining(t *testing.T) {
	b := goBackend(t)
	ctx := context.New()
	ctx.SetParam(context.ParamInitialSeed, int64(3))
	model := models.MLP(10, []int{32}, models.MLPDropout(0.2, 0.5))
	ones := make([]float32, 2*28*28)
	for i := range ones {
		ones[i] = 1
	}
	images := tensors.FromFlatDataAndDimensions(ones, 2, 28, 28, 1)
	pass := func(training bool) []float32 {
		out, err := context.ExecOnce(b, ctx.Checked(false), func(ctx *context.Context, images *graph.Node) *graph.Node {
			ctx.SetTraining(images.Graph(), training)
			return model(ctx, images)
		}, images)
		if err != nil {
			t.Fatal(err)
		}
		return tensors.MustCopyFlatData[float32](out)
	}
	eval1, train1, train2, eval2 := pass(false), pass(true), pass(true), pass(false)
	same := func(a, b []float32) bool {
		for i := range a {
			if a[i] != b[i] {
				return false
			}
		}
		return true
	}
	if !same(eval1, eval2) {
		t.Error("two evaluation passes differ: dropout is active outside training")
	}
	if same(train1, train2) || same(train1, eval1) {
		t.Error("training passes repeat each other or the evaluation pass: dropout is not active while training")
	}
}
