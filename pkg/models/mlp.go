package models

import (
	"fmt"
	"math"

	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/context/initializers"

	"github.com/godl-book/godl/pkg/activations"
	"github.com/godl-book/godl/pkg/layers"
)

// DeepMLP is a multilayer perceptron (多层感知机) of depth hidden layers of width units, each a
// dense layer followed by act, then a dense layer to classes logits: depth+1 dense layers in
// scopes fc1 … fc{depth+1}. Chapter 07 trains DeepMLP(10, 20, 64, …) with sigmoid and with ReLU
// to measure the vanishing gradient (梯度消失).
//
// Each layer starts as PyTorch's nn.init.kaiming_normal_ with the activation's gain would
// start it: weights from N(0, (act.Gain)²/fan_in), biases 0 — so every activation starts from
// the scale that suits it, and a gradient that still vanishes is the activation's doing. It
// panics on a depth below 1, a width or classes below 1, or an activation without Apply or
// with a gain that is not positive, as GoMLX graph building does on invalid settings.
func DeepMLP(classes, depth, width int, act activations.Activation) Model {
	if depth < 1 || width < 1 || classes < 1 {
		panic(fmt.Errorf("models.DeepMLP: depth %d, width %d, classes %d; want each ≥ 1", depth, width, classes))
	}
	if act.Apply == nil || !(act.Gain > 0) {
		panic(fmt.Errorf("models.DeepMLP: activation %q with gain %v, want a function and a gain > 0", act.Name, act.Gain))
	}
	return func(ctx *context.Context, images *graph.Node) *graph.Node {
		x := layers.Flatten(images)
		for i := 1; i <= depth; i++ {
			x = act.Apply(kaimingDense(ctx.In(fmt.Sprintf("fc%d", i)), x, width, act.Gain))
		}
		return kaimingDense(ctx.In(fmt.Sprintf("fc%d", depth+1)), x, classes, 1)
	}
}

// kaimingDense is layers.Dense with weights drawn from N(0, gain²/fan_in) and zero biases.
// layers.Dense registers PyTorch's default initializers; registering these afterwards replaces
// them, since GoMLX runs the initializer a variable last registered when it first initializes it
// (a variable that already has a value, trained or restored, keeps it).
func kaimingDense(ctx *context.Context, x *graph.Node, units int, gain float64) *graph.Node {
	y := layers.Dense(ctx, x, units)
	inputs := x.Shape().Dimensions[x.Rank()-1]
	reuse := ctx.Reuse()
	reuse.WithInitializer(initializers.RandomNormalFn(ctx, gain/math.Sqrt(float64(inputs)))).
		VariableWithShape("weight", shapes.Make(x.DType(), inputs, units))
	reuse.WithInitializer(initializers.Zero).VariableWithShape("bias", shapes.Make(x.DType(), units))
	return y
}
