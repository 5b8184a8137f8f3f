package gradcheck

import (
	"math"
	"testing"

	"github.com/godl-book/godl/pkg/backend"
	. "github.com/gomlx/gomlx/pkg/core/graph"
)

func TestGradientsAgreeWithCalculus(t *testing.T) {
	b, err := backend.Default()
	if err != nil {
		t.Fatal(err)
	}
	x := []float64{-1.5, -0.3, 0.2, 0.9, 2.0}
	for _, tc := range []struct {
		name       string
		f          Func
		derivative func(float64) float64 // of the element-wise function that f sums
	}{
		{"x³", func(x *Node) *Node { return ReduceAllSum(Mul(x, Mul(x, x))) }, func(v float64) float64 { return 3 * v * v }},
		{"sin(x)·x²", func(x *Node) *Node { return ReduceAllSum(Mul(Sin(x), Square(x))) },
			func(v float64) float64 { return math.Cos(v)*v*v + 2*v*math.Sin(v) }},
		{"exp(−x²)", func(x *Node) *Node { return ReduceAllSum(Exp(Neg(Square(x)))) },
			func(v float64) float64 { return -2 * v * math.Exp(-v*v) }},
		{"log(1+x²)", func(x *Node) *Node { return ReduceAllSum(Log1P(Square(x))) },
			func(v float64) float64 { return 2 * v / (1 + v*v) }},
		{"sigmoid", func(x *Node) *Node { return ReduceAllSum(Sigmoid(x)) },
			func(v float64) float64 { s := 1 / (1 + math.Exp(-v)); return s * (1 - s) }},
	} {
		auto, err := Autodiff(b, tc.f, x)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		numeric, err := Numeric(b, tc.f, x, 1e-6)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		analytic := make([]float64, len(x))
		for i, v := range x {
			analytic[i] = tc.derivative(v)
		}
		if e := MaxRelativeError(auto, analytic); e > 1e-12 {
			t.Errorf("%s: autodiff %v vs analytic %v: error %.3g > 1e-12", tc.name, auto, analytic, e)
		}
		if e := MaxRelativeError(numeric, analytic); e > 1e-8 {
			t.Errorf("%s: finite differences %v vs analytic %v: error %.3g > 1e-8", tc.name, numeric, analytic, e)
		}
	}
}

func TestJacobianOfLinearMapIsItsMatrix(t *testing.T) {
	b, err := backend.Default()
	if err != nil {
		t.Fatal(err)
	}
	a := [][]float64{{1, 2, 3}, {-4, 5, 0.5}}
	jac, err := Jacobian(b, func(x *Node) *Node {
		return Reshape(MatMul(Const(x.Graph(), a), Reshape(x, 3, 1)), 2)
	}, []float64{0.1, 0.2, 0.3})
	if err != nil {
		t.Fatal(err)
	}
	for i := range a {
		if e := MaxRelativeError(jac[i], a[i]); e > 1e-12 {
			t.Errorf("Jacobian row %d = %v, want %v", i, jac[i], a[i])
		}
	}
}

func TestValueAndErrors(t *testing.T) {
	b, err := backend.Default()
	if err != nil {
		t.Fatal(err)
	}
	v, err := Value(b, func(x *Node) *Node { return ReduceAllSum(Square(x)) }, []float64{3, 4})
	if err != nil || v != 25 {
		t.Errorf("Value = %v, %v; want 25", v, err)
	}
	if _, err := Autodiff(b, func(x *Node) *Node { return x }, []float64{1, 2}); err == nil {
		t.Error("Autodiff of a non-scalar function succeeded, want an error")
	}
	if _, err := Autodiff(b, func(x *Node) *Node { return ReduceAllSum(x) }, nil); err == nil {
		t.Error("Autodiff at an empty x succeeded, want an error")
	}
	if MaxRelativeError([]float64{1}, []float64{1, 2}) != math.Inf(1) {
		t.Error("MaxRelativeError of different lengths must be +Inf")
	}
}
