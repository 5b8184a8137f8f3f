// Package layers holds the building blocks of the book's convolutional networks: Conv2D (with
// stride, padding, dilation and groups), ConvTranspose2D, MaxPool2D, AvgPool2D, BatchNorm, Dense,
// Flatten and the activations, in GoMLX's shape — functions of a
// *context.Context (which holds the weights) and a *graph.Node — that train on every backend.
//
// Chapter 03 introduces them; chapters 09 (pooling), 10 (convolution by hand) and 17 (batch norm)
// open them up.
//
// # Native and portable forms
//
// GoMLX v0.26.0's pure-Go backend runs convolutions and pooling windows forward but cannot
// differentiate them: the gradient of ConvGeneral needs the op Reverse, that of max pooling
// SelectAndScatterMax, that of mean pooling (and of Slice) Pad; and it has no batch-norm ops at all
// (BatchNormForTraining, BatchNormGradient). probe_test.go records each failure. So each layer has
// two forms:
//
//   - native: GoMLX's own op (ConvGeneral, ReduceWindow, BatchNormForTraining), which XLA compiles to
//     its fast kernels;
//   - portable: the same function written with ops whose gradients every backend has — Gather,
//     DotGeneral, Reshape, Concatenate, reductions and element-wise arithmetic (im2col and a matrix
//     product for convolution, a reshape or gathered windows and a reduction for pooling, batch
//     norm from means).
//
// Impl picks one per layer. The default, Auto, takes the native form where the backend has the ops
// its gradient needs (XLA) and the portable form otherwise (pure Go), with two exceptions found by
// measuring and testing: pooling windows that tile the input use the portable reshape everywhere
// (as fast as the native op on XLA), and convolutions whose kernels span an even number of pixels
// use the portable form everywhere, because GoMLX v0.26.0 computes their input gradient wrongly (as
// do those with both a stride and a dilation, whose gradient it cannot build). Each layer's doc comment
// names the case of BenchmarkLayers (layers_bench_test.go) that measures its choice:
//
//	go test ./pkg/layers -run '^$' -bench Layers -benchtime 20x
//
// Two more GoMLX v0.26.0 gaps, on every backend, are worked around here: the gradient of
// DotGeneral broadcasts to an n×k×m tensor instead of multiplying matrices (Dense and the portable
// Conv2D use matMul, with a hand-written gradient), and Rsqrt has no gradient (BatchNorm uses 1/Sqrt).
// And the Go backend deadlocks when it runs independent ops in parallel on few cores (ResNet's
// gradient on 2 cores): pkg/backend loads it with ops_sequential (TestGoBackendDeadlocksOnParallelOps).
package layers

import (
	"fmt"
	"math"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/context/initializers"
)

// Impl selects how a layer is computed: with the backend's native op or with portable ops.
type Impl int

const (
	// Auto picks Native when the backend has every op the layer's forward and backward passes
	// need, else Portable; each layer's doc comment says where it departs from that rule.
	Auto Impl = iota
	// Native uses GoMLX's dedicated op (ConvGeneral, ReduceWindow, BatchNormForTraining).
	Native
	// Portable uses only ops that every backend can differentiate (Gather, DotGeneral, Reshape,
	// reductions, element-wise arithmetic).
	Portable
)

func (i Impl) String() string {
	switch i {
	case Auto:
		return "auto"
	case Native:
		return "native"
	case Portable:
		return "portable"
	}
	return fmt.Sprintf("Impl(%d)", int(i))
}

// ParseImpl reads "auto", "native" or "portable".
func ParseImpl(s string) (Impl, error) {
	for _, i := range []Impl{Auto, Native, Portable} {
		if s == i.String() {
			return i, nil
		}
	}
	return Auto, fmt.Errorf("layers: implementation %q, want auto, native or portable", s)
}

// ParamImpl is the context parameter ("auto", "native" or "portable") that sets the default Impl of
// the layers built under that context, e.g. ctx.SetParam(layers.ParamImpl, "portable").
const ParamImpl = "layers_impl"

// ImplFrom returns the Impl set in ctx with ParamImpl, or Auto. It panics on an unknown name, like
// other graph-building errors in GoMLX.
func ImplFrom(ctx *context.Context) Impl {
	if ctx == nil {
		return Auto
	}
	impl, err := ParseImpl(context.GetParamOr(ctx, ParamImpl, Auto.String()))
	if err != nil {
		panic(err)
	}
	return impl
}

// resolve turns Auto into Native or Portable: Native when the backend of g has all the ops.
func (i Impl) resolve(g *graph.Graph, ops ...backends.OpType) Impl {
	if i != Auto {
		return i
	}
	if HasOps(g.Backend(), ops...) {
		return Native
	}
	return Portable
}

// HasOps reports whether backend b implements all the given ops.
func HasOps(b backends.Backend, ops ...backends.OpType) bool {
	have := b.Capabilities().Operations
	for _, op := range ops {
		if !have[op] {
			return false
		}
	}
	return true
}

// Ops that the gradients of the native forms need; Auto checks for them.
var (
	// ConvNativeOps: ConvGeneral's gradient with respect to its input convolves with the reversed kernel.
	ConvNativeOps = []backends.OpType{backends.OpTypeConvGeneral, backends.OpTypeReverse}
	// MaxPoolNativeOps: ReduceWindow(max)'s gradient routes each value back with SelectAndScatterMax.
	MaxPoolNativeOps = []backends.OpType{backends.OpTypeReduceWindow, backends.OpTypeSelectAndScatterMax}
	// AvgPoolNativeOps: ReduceWindow(sum)'s gradient spreads each value back with Pad and ReduceWindow.
	AvgPoolNativeOps = []backends.OpType{backends.OpTypeReduceWindow, backends.OpTypePad}
	// BatchNormNativeOps: the dedicated batch-norm ops for training and for its gradient.
	BatchNormNativeOps = []backends.OpType{backends.OpTypeBatchNormForTraining, backends.OpTypeBatchNormGradient}
)

// uniform is PyTorch's default initializer for nn.Conv2d and nn.Linear weights and biases:
// U(-1/√fanIn, 1/√fanIn) (kaiming_uniform with a=√5 works out to this bound), so models start
// where the PyTorch originals do.
func uniform(ctx *context.Context, fanIn int) initializers.VariableInitializer {
	bound := 1 / math.Sqrt(float64(fanIn))
	return initializers.RandomUniformFn(ctx, -bound, bound)
}

// Dense is a fully connected layer, PyTorch's nn.Linear: x·W + b over the last axis of x, with
// W shaped [inputs, units] and b [units], in variables "weight" and "bias" of ctx's scope (give
// each layer its own scope, e.g. ctx.In("fc1")). It is the same on every backend: a DotGeneral
// whose gradient is two matrix products (GoMLX's own gradient of DotGeneral is far slower).
func Dense(ctx *context.Context, x *graph.Node, units int) *graph.Node {
	if x.Rank() < 1 || x.Shape().Dimensions[x.Rank()-1] < 1 {
		panic(fmt.Errorf("layers: Dense: input shape %s, want [..., features] with features ≥ 1", x.Shape()))
	}
	if units < 1 {
		panic(fmt.Errorf("layers: Dense: %d units, want ≥ 1", units))
	}
	inputs := x.Shape().Dimensions[x.Rank()-1]
	init := uniform(ctx, inputs)
	w := ctx.WithInitializer(init).VariableWithShape("weight", shapeOf(x, inputs, units)).ValueGraph(x.Graph())
	b := ctx.WithInitializer(init).VariableWithShape("bias", shapeOf(x, units)).ValueGraph(x.Graph())
	dims := x.Shape().Clone().Dimensions
	dims[len(dims)-1] = units
	y := matMul(graph.Reshape(x, -1, inputs), w)
	return graph.Add(graph.Reshape(y, dims...), graph.ExpandLeftToRank(b, len(dims)))
}

// Linear is Dense under PyTorch's name.
func Linear(ctx *context.Context, x *graph.Node, units int) *graph.Node { return Dense(ctx, x, units) }

// Flatten reshapes [batch, ...] to [batch, features], as PyTorch's torch.flatten(x, 1).
// Images here are [batch, height, width, channels], so features come out in HWC order, not
// PyTorch's CHW; the count is the same.
func Flatten(x *graph.Node) *graph.Node {
	if x.Rank() < 2 {
		panic(fmt.Errorf("layers: Flatten: input shape %s, want [batch, ...] of rank ≥ 2", x.Shape()))
	}
	return graph.Reshape(x, x.Shape().Dimensions[0], -1)
}

// ReLU is max(x, 0), with gradient 0 at x = 0 as in PyTorch (GoMLX's activations.Relu passes 1
// there).
func ReLU(x *graph.Node) *graph.Node {
	zero := graph.ScalarZero(x.Graph(), x.DType())
	return graph.Where(graph.GreaterThan(x, zero), x, zero)
}

// Sigmoid is 1/(1+e^−x), the activation of the classic LeNet-5 as d2l writes it (chapter 07
// compares it with ReLU).
func Sigmoid(x *graph.Node) *graph.Node { return graph.Logistic(x) }

// Tanh is the hyperbolic tangent, the activation of LeCun's 1998 LeNet-5 (as a scaled tanh).
func Tanh(x *graph.Node) *graph.Node { return graph.Tanh(x) }

// shapeOf is the shape with x's dtype and the given dimensions.
func shapeOf(x *graph.Node, dims ...int) shapes.Shape { return shapes.Make(x.DType(), dims...) }
