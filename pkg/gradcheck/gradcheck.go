// Package gradcheck compares GoMLX's reverse-mode gradients with finite differences, as
// torch.autograd.gradcheck does. Chapter 02 (autograd) uses it to show that automatic
// differentiation agrees with calculus; later chapters use it to check hand-written layers.
//
// All computations are float64, so central differences are accurate to about 1e-8.
package gradcheck

import (
	"errors"
	"fmt"
	"math"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
)

// Func is a scalar function of a vector, written as a graph: x [n] → y [].
type Func func(x *graph.Node) *graph.Node

// VectorFunc is a vector function of a vector: x [n] → y [m].
type VectorFunc func(x *graph.Node) *graph.Node

// Value evaluates f at x.
func Value(b backends.Backend, f Func, x []float64) (float64, error) {
	out, err := execOnce(b, func(x *graph.Node) *graph.Node { return f(x) }, x)
	if err != nil {
		return 0, err
	}
	return scalar(out)
}

// Autodiff returns ∇f(x) computed by GoMLX's reverse-mode automatic differentiation.
func Autodiff(b backends.Backend, f Func, x []float64) ([]float64, error) {
	if len(x) == 0 {
		return nil, errors.New("gradcheck: empty x")
	}
	out, err := execOnce(b, func(x *graph.Node) *graph.Node {
		y := f(x)
		if !y.Shape().IsScalar() {
			panic(fmt.Sprintf("gradcheck: f must return a scalar, got shape %s", y.Shape()))
		}
		return graph.Gradient(y, x)[0]
	}, x)
	if err != nil {
		return nil, err
	}
	return tensors.CopyFlatData[float64](out)
}

// Numeric returns ∇f(x) by central differences (f(x+εeᵢ) − f(x−εeᵢ)) / 2ε, evaluating f 2n times.
func Numeric(b backends.Backend, f Func, x []float64, eps float64) ([]float64, error) {
	if len(x) == 0 {
		return nil, errors.New("gradcheck: empty x")
	}
	exec, err := graph.NewExec(b, func(x *graph.Node) *graph.Node { return f(x) })
	if err != nil {
		return nil, err
	}
	eval := func(v []float64) (float64, error) {
		out, err := exec.Exec1(v)
		if err != nil {
			return 0, err
		}
		return scalar(out)
	}
	grad := make([]float64, len(x))
	shifted := append([]float64(nil), x...)
	for i := range x {
		shifted[i] = x[i] + eps
		plus, err := eval(shifted)
		if err != nil {
			return nil, err
		}
		shifted[i] = x[i] - eps
		minus, err := eval(shifted)
		if err != nil {
			return nil, err
		}
		shifted[i] = x[i]
		grad[i] = (plus - minus) / (2 * eps)
	}
	return grad, nil
}

// Jacobian returns J[i][j] = ∂yᵢ/∂xⱼ of a vector function, one reverse-mode pass per output yᵢ.
func Jacobian(b backends.Backend, f VectorFunc, x []float64) ([][]float64, error) {
	if len(x) == 0 {
		return nil, errors.New("gradcheck: empty x")
	}
	out, err := execOnce(b, func(x *graph.Node) *graph.Node {
		y := f(x)
		if y.Rank() != 1 {
			panic(fmt.Sprintf("gradcheck: Jacobian needs f to return a vector, got shape %s", y.Shape()))
		}
		m := y.Shape().Dimensions[0]
		rows := make([]*graph.Node, m)
		for i := range rows {
			// yᵢ as Σ y·eᵢ rather than a slice: the pure-Go backend has no gradient for slices.
			onehot := make([]float64, m)
			onehot[i] = 1
			e := graph.ConvertDType(graph.Const(x.Graph(), onehot), y.DType())
			yi := graph.ReduceAllSum(graph.Mul(y, e))
			rows[i] = graph.InsertAxes(graph.Gradient(yi, x)[0], 0)
		}
		return graph.Concatenate(rows, 0)
	}, x)
	if err != nil {
		return nil, err
	}
	flat, err := tensors.CopyFlatData[float64](out)
	if err != nil {
		return nil, err
	}
	n := len(x)
	jac := make([][]float64, len(flat)/n)
	for i := range jac {
		jac[i] = flat[i*n : (i+1)*n]
	}
	return jac, nil
}

// MaxRelativeError returns maxᵢ |a[i] − b[i]| / max(1, |b[i]|): relative for large values,
// absolute near zero.
func MaxRelativeError(a, b []float64) float64 {
	worst := 0.0
	for i := range a {
		worst = max(worst, math.Abs(a[i]-b[i])/max(1, math.Abs(b[i])))
	}
	if len(a) != len(b) {
		return math.Inf(1)
	}
	return worst
}

// execOnce is graph.ExecOnce that turns a panic while building the graph (how GoMLX reports
// shape errors) into an error.
func execOnce(b backends.Backend, fn func(x *graph.Node) *graph.Node, x []float64) (out *tensors.Tensor, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("gradcheck: %v", r)
		}
	}()
	return graph.ExecOnce(b, fn, x)
}

func scalar(t *tensors.Tensor) (float64, error) {
	v, err := t.ValueSafe()
	if err != nil {
		return 0, err
	}
	f, ok := v.(float64)
	if !ok {
		return 0, fmt.Errorf("gradcheck: f returned %s, want a float64 scalar", t.Shape())
	}
	return f, nil
}
