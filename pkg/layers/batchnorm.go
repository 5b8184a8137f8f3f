package layers

import (
	"fmt"

	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/context/initializers"
)

// BatchNormBuilder configures a batch normalization; create it with BatchNorm and finish with Done.
type BatchNormBuilder struct {
	ctx      *context.Context
	x        *graph.Node
	momentum float64
	epsilon  float64
	impl     Impl
}

// BatchNorm normalizes each feature (the last axis of x: channels of [batch, height, width,
// channels] images, or units of [batch, units]) to mean 0 and variance 1 over the batch and the
// other axes, then scales and shifts it by learned γ and β — Ioffe & Szegedy 2015, PyTorch's
// nn.BatchNorm2d / BatchNorm1d. Chapter 17 teaches it with ResNet.
//
// While training (ctx.IsTraining) it uses the batch's statistics and keeps running averages for
// inference, as PyTorch does: running ← (1−momentum)·running + momentum·batch, with the unbiased
// batch variance; defaults momentum 0.1, epsilon 1e-5. Variables, in ctx's scope: "weight" (γ),
// "bias" (β), "running_mean" and "running_var" (the last two not trainable).
//
// In training, Impl Auto picks GoMLX's BatchNormForTraining op (gradient: BatchNormGradient) where
// the backend has both, as XLA does; pure Go has neither and gets the portable form: means, a
// variance and element-wise arithmetic, which autodiff differentiates through the batch statistics
// as well, so both forms have the same gradient. On XLA CPU their speeds are comparable
// (BenchmarkLayers, "batch norm on 28×28×6"): XLA's CPU compiler expands its op into the same
// arithmetic.
// Inference is the same per-feature affine map on every backend (GoMLX's BatchNormForInference op
// has no gradient).
func BatchNorm(ctx *context.Context, x *graph.Node) *BatchNormBuilder {
	return &BatchNormBuilder{ctx: ctx, x: x, momentum: 0.1, epsilon: 1e-5, impl: ImplFrom(ctx)}
}

// Momentum sets the weight of each new batch in the running averages (PyTorch's convention and
// default, 0.1).
func (bn *BatchNormBuilder) Momentum(m float64) *BatchNormBuilder {
	bn.momentum = m
	return bn
}

// Epsilon sets the constant added to the variance before the square root (default 1e-5).
func (bn *BatchNormBuilder) Epsilon(eps float64) *BatchNormBuilder {
	bn.epsilon = eps
	return bn
}

// Impl chooses the native or portable form (default: ParamImpl from the context, else Auto).
func (bn *BatchNormBuilder) Impl(impl Impl) *BatchNormBuilder {
	bn.impl = impl
	return bn
}

// Done creates the variables (on first use) and returns the normalized x, shaped as x.
func (bn *BatchNormBuilder) Done() *graph.Node {
	x := bn.x
	if x.Rank() < 2 || x.Shape().Dimensions[x.Rank()-1] < 1 {
		panic(fmt.Errorf("layers: BatchNorm: input shape %s, want [batch, ..., features] with features ≥ 1", x.Shape()))
	}
	if !(bn.momentum >= 0 && bn.momentum <= 1) || !(bn.epsilon > 0) {
		panic(fmt.Errorf("layers: BatchNorm: momentum %g and epsilon %g, want momentum in [0, 1] and epsilon > 0",
			bn.momentum, bn.epsilon))
	}
	g := x.Graph()
	feat := x.Shape().Dimensions[x.Rank()-1]
	shape := shapeOf(x, feat)
	ctx := bn.ctx
	gamma := ctx.WithInitializer(initializers.One).VariableWithShape("weight", shape).ValueGraph(g)
	beta := ctx.WithInitializer(initializers.Zero).VariableWithShape("bias", shape).ValueGraph(g)
	meanVar := ctx.WithInitializer(initializers.Zero).VariableWithShape("running_mean", shape).SetTrainable(false)
	varVar := ctx.WithInitializer(initializers.One).VariableWithShape("running_var", shape).SetTrainable(false)
	native := bn.impl.resolve(g, BatchNormNativeOps...) == Native
	axis := x.Rank() - 1

	if !ctx.IsTraining(g) {
		// An affine map per feature; GoMLX's BatchNormForInference op has no gradient, and XLA
		// fuses these element-wise ops anyway.
		return bn.normalize(x, gamma, beta, meanVar.ValueGraph(g), varVar.ValueGraph(g))
	}

	var y, mean, variance *graph.Node
	if native {
		y, mean, variance = graph.InternalBatchNormForTraining(x, gamma, beta, float32(bn.epsilon), axis)
	} else {
		reduce := make([]int, axis)
		for i := range reduce {
			reduce[i] = i
		}
		mean = graph.ReduceMean(x, reduce...)
		variance = graph.ReduceMean(graph.Square(graph.Sub(x, graph.ExpandLeftToRank(mean, x.Rank()))), reduce...)
		y = bn.normalize(x, gamma, beta, mean, variance)
	}

	// Running averages, outside the gradient. PyTorch keeps the unbiased variance, n/(n−1)·σ².
	n := float64(x.Shape().Size() / feat)
	m := bn.momentum
	mean, variance = graph.StopGradient(mean), graph.StopGradient(variance)
	if n > 1 {
		variance = graph.MulScalar(variance, n/(n-1))
	}
	meanVar.SetValueGraph(graph.Add(graph.MulScalar(meanVar.ValueGraph(g), 1-m), graph.MulScalar(mean, m)))
	varVar.SetValueGraph(graph.Add(graph.MulScalar(varVar.ValueGraph(g), 1-m), graph.MulScalar(variance, m)))
	return y
}

// normalize is (x − mean)·γ/√(variance + ε) + β with per-feature vectors broadcast over x.
func (bn *BatchNormBuilder) normalize(x, gamma, beta, mean, variance *graph.Node) *graph.Node {
	r := x.Rank()
	// 1/√ rather than Rsqrt: GoMLX v0.26.0 defines no gradient for Rsqrt.
	scale := graph.Div(gamma, graph.Sqrt(graph.AddScalar(variance, bn.epsilon))) // [features]
	centered := graph.Sub(x, graph.ExpandLeftToRank(mean, r))
	return graph.Add(graph.Mul(centered, graph.ExpandLeftToRank(scale, r)), graph.ExpandLeftToRank(beta, r))
}
