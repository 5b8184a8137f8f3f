// Package activations holds the activation functions (激活函数) that chapter 07 compares, under
// PyTorch's names: ReLU, Sigmoid, Tanh, LeakyReLU, ELU and GELU. GoMLX v0.26.0 has no ELU, and
// its LeakyRelu uses Keras's slope 0.3 with gradient 1 at 0; here every function has PyTorch's
// defaults and PyTorch's gradient at the kinks, checked against torch 1.13's values and
// gradients (tools/goldens/activations.py). Each also comes as an Activation, with its value and
// derivative in closed form and the gain that PyTorch's nn.init.calculate_gain gives it.
package activations

import (
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	gomlxact "github.com/gomlx/gomlx/pkg/ml/layers/activations"

	"github.com/godl-book/godl/pkg/layers"
)

// Func is an activation function applied element by element to a node.
type Func = func(x *graph.Node) *graph.Node

// PyTorch's defaults: nn.LeakyReLU(negative_slope=0.01) and nn.ELU(alpha=1).
const (
	DefaultNegativeSlope = 0.01
	DefaultAlpha         = 1.0
)

// ReLU is max(x, 0), with gradient 0 at x = 0 as in PyTorch.
func ReLU(x *graph.Node) *graph.Node { return layers.ReLU(x) }

// Sigmoid is σ(x) = 1/(1+e^−x); its derivative σ(1−σ) is at most 1/4, which is why deep sigmoid
// networks lose their gradient (chapter 07).
func Sigmoid(x *graph.Node) *graph.Node { return graph.Logistic(x) }

// Tanh is the hyperbolic tangent, 2σ(2x) − 1: centred on 0, with derivative 1 − tanh² ≤ 1.
func Tanh(x *graph.Node) *graph.Node { return graph.Tanh(x) }

// LeakyReLU is PyTorch's nn.LeakyReLU(): x for x > 0, 0.01·x otherwise.
func LeakyReLU(x *graph.Node) *graph.Node { return LeakyReLUWithSlope(x, DefaultNegativeSlope) }

// LeakyReLUWithSlope is x for x > 0 and slope·x otherwise, with gradient slope at x = 0 as
// PyTorch's F.leaky_relu (GoMLX's LeakyReluWithAlpha gives 1 there).
func LeakyReLUWithSlope(x *graph.Node, slope float64) *graph.Node {
	zero := graph.ScalarZero(x.Graph(), x.DType())
	return graph.Where(graph.GreaterThan(x, zero), x, graph.MulScalar(x, slope))
}

// ELU is PyTorch's nn.ELU(): x for x > 0, e^x − 1 otherwise (Clevert et al. 2016).
func ELU(x *graph.Node) *graph.Node { return ELUWithAlpha(x, DefaultAlpha) }

// ELUWithAlpha is x for x > 0 and alpha·(e^x − 1) otherwise, with gradient alpha at x = 0 as
// PyTorch's F.elu. The exponential sees 0 in place of a positive x, so a large x cannot
// overflow into a NaN gradient through the branch that Where drops. (GoMLX has no gradient for
// Expm1, so e^x − 1 is written out: an error of about 6e-8 near 0 in float32.)
func ELUWithAlpha(x *graph.Node, alpha float64) *graph.Node {
	zero := graph.ScalarZero(x.Graph(), x.DType())
	pos := graph.GreaterThan(x, zero)
	neg := graph.MulScalar(graph.AddScalar(graph.Exp(graph.Where(pos, zero, x)), -1), alpha)
	return graph.Where(pos, x, neg)
}

// GELU is PyTorch's nn.GELU() (approximate='none'): x·Φ(x), with Φ the standard normal
// cumulative distribution, computed with erf (Hendrycks & Gimpel 2016) as GoMLX's Gelu does —
// except below x = −10, where it is 0: there Φ(x) < 1e-23, and XLA's float32 erf, one bit short
// of −1, would make 1 + erf one bit above 0, an error multiplied by |x| (−1.8e-6 at x = −20,
// where torch gives 0).
func GELU(x *graph.Node) *graph.Node {
	zero := graph.ScalarZero(x.Graph(), x.DType())
	far := graph.LessThan(x, graph.Scalar(x.Graph(), x.DType(), -10))
	return graph.Where(far, zero, gomlxact.Gelu(graph.Where(far, zero, x)))
}

// Activation is an activation function with what chapter 07 needs to know about it.
type Activation struct {
	Name  string                  // PyTorch's module name, e.g. "LeakyReLU"
	Apply Func                    // the function on a graph node
	F     func(x float64) float64 // its value, in closed form
	Deriv func(x float64) float64 // its derivative, in closed form (PyTorch's choice at kinks)
	// Gain is nn.init.calculate_gain's factor for weights that feed this activation: √2 for
	// ReLU, √(2/(1+slope²)) for leaky ReLU, 5/3 for tanh, 1 for sigmoid. calculate_gain knows
	// neither ELU nor GELU; both get ReLU's √2, as they are ReLU-like for large |x|.
	Gain float64
}

// All returns the six activations of chapter 07, in the order the chapter shows them.
func All() []Activation {
	sigma := func(x float64) float64 { return 1 / (1 + math.Exp(-x)) }
	phi := func(x float64) float64 { return math.Exp(-x*x/2) / math.Sqrt(2*math.Pi) }
	cdf := func(x float64) float64 { return (1 + math.Erf(x/math.Sqrt2)) / 2 }
	step := func(x, pos, neg float64) float64 {
		if x > 0 {
			return pos
		}
		return neg
	}
	s := DefaultNegativeSlope
	return []Activation{
		{"ReLU", ReLU, func(x float64) float64 { return step(x, x, 0) },
			func(x float64) float64 { return step(x, 1, 0) }, math.Sqrt2},
		{"Sigmoid", Sigmoid, sigma,
			func(x float64) float64 { return sigma(x) * (1 - sigma(x)) }, 1},
		{"Tanh", Tanh, math.Tanh,
			func(x float64) float64 { return 1 - math.Tanh(x)*math.Tanh(x) }, 5.0 / 3},
		{"LeakyReLU", LeakyReLU, func(x float64) float64 { return step(x, x, s*x) },
			func(x float64) float64 { return step(x, 1, s) }, math.Sqrt(2 / (1 + s*s))},
		{"ELU", ELU, func(x float64) float64 { return step(x, x, math.Expm1(x)) },
			func(x float64) float64 { return step(x, 1, math.Exp(x)) }, math.Sqrt2},
		{"GELU", GELU, func(x float64) float64 { return x * cdf(x) },
			func(x float64) float64 { return cdf(x) + x*phi(x) }, math.Sqrt2},
	}
}

// Named returns the activation called name (PyTorch's module name, any case), or an error
// listing the known names.
func Named(name string) (Activation, error) {
	var names []string
	for _, a := range All() {
		if strings.EqualFold(a.Name, name) {
			return a, nil
		}
		names = append(names, a.Name)
	}
	return Activation{}, fmt.Errorf("activations: unknown activation %q, want one of %s",
		name, strings.Join(names, ", "))
}

// Eval computes act and its derivative by automatic differentiation (自动微分) at each of xs,
// in float64 on backend b: the gradient of Σ act(x) with respect to x, element by element.
func Eval(b backends.Backend, act Func, xs []float64) (values, derivs []float64, err error) {
	if len(xs) == 0 {
		return nil, nil, errors.New("activations: Eval needs at least one point")
	}
	exec, err := graph.NewExec(b, func(x *graph.Node) (*graph.Node, *graph.Node) {
		y := act(x)
		return y, graph.Gradient(graph.ReduceAllSum(y), x)[0]
	})
	if err != nil {
		return nil, nil, fmt.Errorf("activations: %w", err)
	}
	defer exec.Finalize()
	outs, err := exec.Exec(xs)
	if err != nil {
		return nil, nil, fmt.Errorf("activations: %w", err)
	}
	return tensors.MustCopyFlatData[float64](outs[0]), tensors.MustCopyFlatData[float64](outs[1]), nil
}
