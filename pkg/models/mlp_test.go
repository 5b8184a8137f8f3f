package models_test

import (
	"fmt"
	"math"
	"testing"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"

	"github.com/godl-book/godl/pkg/activations"
	"github.com/godl-book/godl/pkg/models"
)

// TestDeepMLPShapesAndInit checks the scopes, the parameter count and the initial weights of a
// 20-layer MLP: N(0, gain²/fan_in) weights (their sample standard deviation within 5%) and zero
// biases.
func TestDeepMLPShapesAndInit(t *testing.T) {
	b := goBackend(t)
	for _, name := range []string{"Sigmoid", "ReLU"} {
		act, err := activations.Named(name)
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.New()
		if err := ctx.SetRNGStateFromSeed(3); err != nil {
			t.Fatal(err)
		}
		logits, err := context.ExecOnce(b, ctx, func(ctx *context.Context, images *graph.Node) *graph.Node {
			return models.DeepMLP(10, 20, 64, act)(ctx, images)
		}, tensors.FromShape(shapes.Make(dtypes.Float32, 5, 28, 28, 1)))
		if err != nil {
			t.Fatal(err)
		}
		if got := logits.Shape().Dimensions; len(got) != 2 || got[0] != 5 || got[1] != 10 {
			t.Errorf("%s: logits shape %v, want [5 10]", name, got)
		}
		// 784·64+64, then 19 of 64·64+64, then 64·10+10.
		if got, want := models.NumParams(ctx), 784*64+64+19*(64*64+64)+64*10+10; got != want {
			t.Errorf("%s: %d parameters, want %d", name, got, want)
		}
		for i := 1; i <= 21; i++ {
			scope := fmt.Sprintf("/fc%d", i)
			w, bias := ctx.GetVariableByScopeAndName(scope, "weight"), ctx.GetVariableByScopeAndName(scope, "bias")
			if w == nil || bias == nil {
				t.Fatalf("%s: no weight or bias in %s", name, scope)
			}
			fanIn, gain := 64, act.Gain
			if i == 1 {
				fanIn = 784
			}
			if i == 21 {
				gain = 1
			}
			ws := tensors.MustCopyFlatData[float32](w.MustValue())
			var sum2 float64
			for _, v := range ws {
				sum2 += float64(v) * float64(v)
			}
			if std, want := math.Sqrt(sum2/float64(len(ws))), gain/math.Sqrt(float64(fanIn)); i < 21 &&
				math.Abs(std/want-1) > 0.05 {
				t.Errorf("%s %s: weight std %.4f, want %.4f", name, scope, std, want)
			}
			for _, v := range tensors.MustCopyFlatData[float32](bias.MustValue()) {
				if v != 0 {
					t.Fatalf("%s %s: bias %v, want 0", name, scope, v)
				}
			}
		}
	}
}

func TestDeepMLPRejectsBadSettings(t *testing.T) {
	relu, _ := activations.Named("ReLU")
	for name, build := range map[string]func(){
		"depth 0":  func() { models.DeepMLP(10, 0, 8, relu) },
		"width 0":  func() { models.DeepMLP(10, 3, 0, relu) },
		"no func":  func() { models.DeepMLP(10, 3, 8, activations.Activation{Name: "x", Gain: 1}) },
		"gain 0":   func() { models.DeepMLP(10, 3, 8, activations.Activation{Name: "x", Apply: relu.Apply}) },
		"classes0": func() { models.DeepMLP(0, 3, 8, relu) },
	} {
		func() {
			defer func() {
				if r := recover(); r == nil {
					t.Errorf("%s: no panic", name)
				} else if e, ok := r.(error); !ok || len(e.Error()) < 16 || e.Error()[:16] != "models.DeepMLP: " {
					t.Errorf("%s: panic %v, want an error starting with models.DeepMLP:", name, r)
				}
			}()
			build()
		}()
	}
}
