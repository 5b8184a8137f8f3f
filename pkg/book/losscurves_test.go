package book

import (
	"math"
	"slices"
	"strings"
	"testing"

	. "github.com/gomlx/gomlx/pkg/core/graph"

	"github.com/godl-book/godl/internal/testbackend"
	"github.com/godl-book/godl/pkg/losses"
)

func TestGrid(t *testing.T) {
	got := Grid(-1, 1, 5)
	if want := []float64{-1, -0.5, 0, 0.5, 1}; !slices.Equal(got, want) {
		t.Errorf("Grid(-1, 1, 5) = %v, want %v", got, want)
	}
	if got := Grid(2, 3, 1); !slices.Equal(got, []float64{2}) {
		t.Errorf("Grid(2, 3, 1) = %v, want [2]", got)
	}
	if got := Grid(2, 3, 0); len(got) != 0 {
		t.Errorf("Grid(2, 3, 0) = %v, want no points", got)
	}
}

func TestSoftplus64(t *testing.T) {
	for _, x := range []float64{-50, -1, 0, 1, 20} {
		if got, want := Softplus64(x), math.Log1p(math.Exp(x)); math.Abs(got-want) > 1e-12 {
			t.Errorf("Softplus64(%g) = %g, want %g", x, got, want)
		}
	}
	if got := Softplus64(1000); got != 1000 {
		t.Errorf("Softplus64(1000) = %g, want 1000 (no overflow)", got)
	}
}

func TestCurve(t *testing.T) {
	b := testbackend.Get(t)
	xs := []float64{-2, -0.5, 0, 3}
	got, err := Curve(b, func(x *Node) *Node { return Each(losses.MSE(x, Like(x, 1))) }, xs)
	if err != nil {
		t.Fatal(err)
	}
	if want := []float64{9, 2.25, 1, 4}; !slices.Equal(got, want) {
		t.Errorf("Curve(MSE to 1) = %v, want %v", got, want)
	}
	// Cross-entropy of logits (z, 0) for label 0 is log(1 + e^−z).
	got, err = Curve(b, func(z *Node) *Node { return Each(losses.CrossEntropy(Pair(z, ZerosLike(z)), Label(z, 0))) }, xs)
	if err != nil {
		t.Fatal(err)
	}
	for i, x := range xs {
		if want := Softplus64(-x); math.Abs(got[i]-want) > 1e-12 {
			t.Errorf("cross-entropy at %g = %g, want %g", x, got[i], want)
		}
	}
	// A reduced loss is one value, not one per input.
	if _, err := Curve(b, func(x *Node) *Node { return losses.MSE(x, ZerosLike(x)).Done() }, xs); err == nil {
		t.Error("Curve of a mean loss: no error")
	}
}

func TestCurvesAndMergeEqual(t *testing.T) {
	b := testbackend.Get(t)
	xs := Grid(-2, 2, 9)
	cs, err := Curves(b, xs,
		FormulaCurve{"L1", func(x *Node) *Node { return Each(losses.L1(x, ZerosLike(x))) }, math.Abs},
		FormulaCurve{"hinge, y = 1", func(x *Node) *Node { return Each(losses.HingeEmbedding(Abs(x), Like(x, 1))) }, math.Abs},
		FormulaCurve{"MSE", func(x *Node) *Node { return Each(losses.MSE(x, ZerosLike(x))) }, func(x float64) float64 { return x * x }},
	)
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != 3 {
		t.Fatalf("Curves: %d curves, want 3", len(cs))
	}
	for _, c := range cs {
		for i := range xs {
			if math.Abs(c.Got[i]-c.Want[i]) > 1e-12 {
				t.Errorf("%s at %g: got %g, formula %g", c.Name, xs[i], c.Got[i], c.Want[i])
			}
		}
	}
	for i, x := range xs { // the slopes: sign(x) (0 at 0, as torch) and 2x
		if want := math.Copysign(1, x); cs[0].Slope[i] != want && !(x == 0 && cs[0].Slope[i] == 0) {
			t.Errorf("L1's slope at %g = %g, want %g", x, cs[0].Slope[i], want)
		}
		if cs[2].Slope[i] != 2*x {
			t.Errorf("MSE's slope at %g = %g, want %g", x, cs[2].Slope[i], 2*x)
		}
	}
	merged := MergeEqual(cs, 1e-12)
	if len(merged) != 2 || merged[0].Name != "L1 = hinge, y = 1" || merged[1].Name != "MSE" {
		t.Errorf("MergeEqual: %d curves %q, want [\"L1 = hinge, y = 1\" \"MSE\"]", len(merged), []string{merged[0].Name})
	}
	if cs[0].Name != "L1" {
		t.Errorf("MergeEqual modified its input: %q", cs[0].Name)
	}
}

func TestCompareGoldens(t *testing.T) {
	b := testbackend.Get(t)
	r, err := CompareGoldens(b,
		GoldenTable{
			"mse_loss/basic/mean": func(in map[string]*Node) *Node { return losses.MSE(in["input"], in["target"]).Done() },
			"l1_loss/basic/mean":  func(in map[string]*Node) *Node { return losses.L1(in["input"], in["target"]).Done() },
		},
		GoldenTable{"soft_margin_loss/basic/mean": func(in map[string]*Node) *Node { return losses.SoftMargin(in["input"], in["target"]).Done() }},
	)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, row := range r.Rows {
		names = append(names, row.Name)
	}
	if want := []string{"l1_loss/basic/mean", "mse_loss/basic/mean", "soft_margin_loss/basic/mean"}; !slices.Equal(names, want) {
		t.Errorf("rows %v, want %v", names, want)
	}
	if r.Losses() != 3 {
		t.Errorf("Losses() = %d, want 3", r.Losses())
	}
	got, want := r.Got(), r.Want()
	for i := range got {
		if math.Abs(got[i]-want[i]) > 1e-5*math.Abs(want[i])+1e-6 {
			t.Errorf("%s: godl %g, torch %g", names[i], got[i], want[i])
		}
	}
	if s := r.String(); !strings.Contains(s, "PyTorch 1.13 golden case") || strings.Count(s, "\n") != 4 {
		t.Errorf("String():\n%s", s)
	}
	// A wrong call is caught: L1 for the MSE case.
	bad, err := CompareGoldens(b, GoldenTable{"mse_loss/basic/mean": func(in map[string]*Node) *Node { return losses.L1(in["input"], in["target"]).Done() }})
	if err != nil {
		t.Fatal(err)
	}
	if g, w := bad.Got()[0], bad.Want()[0]; math.Abs(g-w) < 1e-3 {
		t.Errorf("L1 on the MSE case = %g, torch's MSE %g: want them to differ", g, w)
	}
	if _, err := CompareGoldens(b, GoldenTable{"no/such/case": nil}); err == nil {
		t.Error("CompareGoldens of an unknown case: no error")
	}
}
