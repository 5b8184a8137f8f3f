package activations_test

import (
	"encoding/json"
	"math"
	"os"
	"strings"
	"testing"

	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"

	"github.com/godl-book/godl/internal/testbackend"
	"github.com/godl-book/godl/pkg/activations"
)

// Tolerances against torch 1.13 (which computed in float64 from the same float32 inputs): a
// value passes when |got − want| ≤ tol·(1 + |want|). Measured (TestGoldens logs it): the largest
// error is 5.5e-7 in float32 and 4.4e-16 in float64 on XLA CPU (its float32 erf and exp are
// approximations), 8.9e-8 and 1.3e-16 in pure Go.
const (
	tolFloat32 = 1e-6
	tolFloat64 = 1e-13
)

type golden struct {
	Torch string    `json:"torch_version"`
	X     []float64 `json:"x"`
	Cases []struct {
		Name   string             `json:"name"`
		Params map[string]float64 `json:"params"`
		Value  []float64          `json:"value"`
		Grad   []float64          `json:"grad"`
	} `json:"cases"`
}

// funcFor builds the Go function for a golden case, failing on parameters it does not know.
func funcFor(t *testing.T, name string, params map[string]float64) activations.Func {
	t.Helper()
	if len(params) == 0 {
		a, err := activations.Named(name)
		if err != nil {
			t.Fatal(err)
		}
		return a.Apply
	}
	if s, ok := params["negative_slope"]; ok && name == "LeakyReLU" && len(params) == 1 {
		return func(x *graph.Node) *graph.Node { return activations.LeakyReLUWithSlope(x, s) }
	}
	if a, ok := params["alpha"]; ok && name == "ELU" && len(params) == 1 {
		return func(x *graph.Node) *graph.Node { return activations.ELUWithAlpha(x, a) }
	}
	t.Fatalf("golden case %s %v: parameters not handled by the test", name, params)
	return nil
}

// TestGoldens compares every activation's values and autodiff gradients with torch's, in
// float32 and float64, on the default backend (run it with GOMLX_BACKEND=go for pure Go).
func TestGoldens(t *testing.T) {
	data, err := os.ReadFile("testdata/activations_golden.json")
	if err != nil {
		t.Fatal(err)
	}
	var g golden
	if err := json.Unmarshal(data, &g); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(g.Torch, "1.13") || len(g.Cases) < 6 {
		t.Fatalf("goldens from torch %q with %d cases, want torch 1.13 and all six activations", g.Torch, len(g.Cases))
	}
	b := testbackend.Get(t)
	x32 := make([]float32, len(g.X))
	for i, v := range g.X {
		x32[i] = float32(v)
	}
	var worst32, worst64 float64
	for _, c := range g.Cases {
		act := funcFor(t, c.Name, c.Params)
		out32 := graph.MustExecOnceN(b, func(x *graph.Node) (*graph.Node, *graph.Node) {
			y := act(x)
			return y, graph.Gradient(graph.ReduceAllSum(y), x)[0]
		}, x32)
		y64, d64, err := activations.Eval(b, act, g.X)
		if err != nil {
			t.Fatal(err)
		}
		for what, pair := range map[string][2][]float64{
			"value": {widen(out32[0]), c.Value}, "grad": {widen(out32[1]), c.Grad},
		} {
			worst32 = math.Max(worst32, compare(t, c.Name+" float32 "+what, g.X, pair[0], pair[1], tolFloat32))
		}
		worst64 = math.Max(worst64, compare(t, c.Name+" float64 value", g.X, y64, c.Value, tolFloat64))
		worst64 = math.Max(worst64, compare(t, c.Name+" float64 grad", g.X, d64, c.Grad, tolFloat64))
	}
	t.Logf("largest error/(1+|want|) on %s: float32 %.2g, float64 %.2g", b.Name(), worst32, worst64)
}

func widen(t *tensors.Tensor) []float64 {
	var out []float64
	for _, v := range tensors.MustCopyFlatData[float32](t) {
		out = append(out, float64(v))
	}
	return out
}

// compare reports entries off by more than tol·(1+|want|) and returns the largest such ratio.
func compare(t *testing.T, what string, xs, got, want []float64, tol float64) float64 {
	t.Helper()
	worst := 0.0
	for i := range want {
		e := math.Abs(got[i]-want[i]) / (1 + math.Abs(want[i]))
		if !(e <= tol) {
			t.Errorf("%s at x = %g: got %g, torch %g", what, xs[i], got[i], want[i])
		}
		worst = math.Max(worst, e)
	}
	return worst
}

// TestClosedForms checks each Activation's closed-form value and derivative against its graph
// form and autodiff, away from the kinks (where the closed forms take PyTorch's side too).
func TestClosedForms(t *testing.T) {
	b := testbackend.Get(t)
	xs := []float64{-7, -2.5, -1, -0.3, 0, 0.2, 1, 3.5, 8}
	for _, a := range activations.All() {
		ys, ds, err := activations.Eval(b, a.Apply, xs)
		if err != nil {
			t.Fatal(err)
		}
		for i, x := range xs {
			if math.Abs(ys[i]-a.F(x)) > 1e-12 || math.Abs(ds[i]-a.Deriv(x)) > 1e-12 {
				t.Errorf("%s(%g): graph %g, %g; closed form %g, %g", a.Name, x, ys[i], ds[i], a.F(x), a.Deriv(x))
			}
		}
	}
}

// TestGains checks the gains against nn.init.calculate_gain's published values.
func TestGains(t *testing.T) {
	want := map[string]float64{"ReLU": math.Sqrt2, "Sigmoid": 1, "Tanh": 5.0 / 3,
		"LeakyReLU": math.Sqrt(2 / (1 + 0.01*0.01)), "ELU": math.Sqrt2, "GELU": math.Sqrt2}
	all := activations.All()
	if len(all) != len(want) {
		t.Fatalf("%d activations, want %d", len(all), len(want))
	}
	for _, a := range all {
		if math.Abs(a.Gain-want[a.Name]) > 1e-15 {
			t.Errorf("%s gain %g, want %g", a.Name, a.Gain, want[a.Name])
		}
	}
}

// TestELUDoesNotOverflow: e^x of a large x must not leak a NaN into ELU's gradient.
func TestELUDoesNotOverflow(t *testing.T) {
	ys, ds, err := activations.Eval(testbackend.Get(t), activations.ELU, []float64{1000, -1000})
	if err != nil {
		t.Fatal(err)
	}
	if ys[0] != 1000 || ds[0] != 1 || ys[1] != -1 || ds[1] != 0 {
		t.Errorf("ELU(±1000) = %v, gradient %v; want [1000 -1], [1 0]", ys, ds)
	}
}

func TestNamedAndEvalErrors(t *testing.T) {
	if a, err := activations.Named("gelu"); err != nil || a.Name != "GELU" {
		t.Errorf("Named(gelu) = %q, %v; want GELU", a.Name, err)
	}
	_, err := activations.Named("swishy")
	if err == nil || !strings.Contains(err.Error(), `activations: unknown activation "swishy"`) ||
		!strings.Contains(err.Error(), "LeakyReLU") {
		t.Errorf("Named(swishy) error %v, want one naming it and the known names", err)
	}
	if _, _, err := activations.Eval(testbackend.Get(t), activations.ReLU, nil); err == nil {
		t.Error("Eval with no points: no error")
	}
}
