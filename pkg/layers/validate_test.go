package layers_test

import (
	"strings"
	"testing"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"

	"github.com/godl-book/godl/pkg/layers"
)

// TestBadArgumentsFailTheSameEverywhere builds each layer with arguments that make no sense and
// checks that every backend fails with godl's own message. Before, the answer depended on the
// backend: an 8×8 max pool of a 4×4 input returned [1 1 1 1] on pure Go and failed on XLA, a
// convolution of 0 channels returned a result on XLA, Dense with 0 units returned [2 0].
func TestBadArgumentsFailTheSameEverywhere(t *testing.T) {
	cases := []struct {
		name  string
		dims  []int
		layer func(ctx *context.Context, x *graph.Node) *graph.Node
		want  string
	}{
		{"max pool window > input", []int{1, 4, 4, 1}, func(_ *context.Context, x *graph.Node) *graph.Node {
			return layers.MaxPool2D(x, 8).Done()
		}, "layers: MaxPool2D: input 4×4 with padding [[0 0] [0 0]] is smaller than the window 8×8"},
		{"avg pool window > input", []int{2, 5, 3, 2}, func(_ *context.Context, x *graph.Node) *graph.Node {
			return layers.AvgPool2D(x, 4).Done()
		}, "layers: AvgPool2D: input 5×3 with padding [[0 0] [0 0]] is smaller than the window 4×4"},
		{"pool padding > half the window", []int{1, 8, 8, 1}, func(_ *context.Context, x *graph.Node) *graph.Node {
			return layers.MaxPool2D(x, 3).Padding(2).Done()
		}, "layers: MaxPool2D: padding 2 with a window of 3: at most half the window"},
		{"pool stride 0", []int{1, 8, 8, 1}, func(_ *context.Context, x *graph.Node) *graph.Node {
			return layers.AvgPool2D(x, 2).Stride(0).Done()
		}, "layers: AvgPool2D: window [2 2], stride [0 0]"},
		{"pool of a rank-3 input", []int{8, 8, 1}, func(_ *context.Context, x *graph.Node) *graph.Node {
			return layers.MaxPool2D(x, 2).Done()
		}, "want rank 4 [batch, height, width, channels]"},
		{"conv on 0 input channels", []int{1, 4, 4, 0}, func(ctx *context.Context, x *graph.Node) *graph.Node {
			return layers.Conv2D(ctx, x, 3, 3).Done()
		}, "layers: Conv2D: input shape (Float32)[1 4 4 0] has no channels"},
		{"conv with 0 filters", []int{1, 4, 4, 1}, func(ctx *context.Context, x *graph.Node) *graph.Node {
			return layers.Conv2D(ctx, x, 0, 3).Done()
		}, "layers: Conv2D: 0 output channels, want ≥ 1"},
		{"conv kernel 0", []int{1, 4, 4, 1}, func(ctx *context.Context, x *graph.Node) *graph.Node {
			return layers.Conv2D(ctx, x, 2, 0).Done()
		}, "sizes and strides must be ≥ 1"},
		{"conv kernel > input", []int{1, 3, 3, 1}, func(ctx *context.Context, x *graph.Node) *graph.Node {
			return layers.Conv2D(ctx, x, 2, 5).Done()
		}, "layers: Conv2D: input 3×3 with padding [[0 0] [0 0]] is smaller than the window 5×5"},
		{"conv negative padding", []int{1, 6, 6, 1}, func(ctx *context.Context, x *graph.Node) *graph.Node {
			return layers.Conv2D(ctx, x, 2, 3).Padding(-1).Done()
		}, "paddings ≥ 0"},
		{"dense with 0 units", []int{2, 3}, func(ctx *context.Context, x *graph.Node) *graph.Node {
			return layers.Dense(ctx, x, 0)
		}, "layers: Dense: 0 units, want ≥ 1"},
		{"dense on 0 features", []int{2, 0}, func(ctx *context.Context, x *graph.Node) *graph.Node {
			return layers.Dense(ctx, x, 4)
		}, "layers: Dense: input shape (Float32)[2 0], want [..., features] with features ≥ 1"},
		{"flatten a vector", []int{5}, func(_ *context.Context, x *graph.Node) *graph.Node {
			return layers.Flatten(x)
		}, "layers: Flatten: input shape (Float32)[5]"},
		{"batch norm of a vector", []int{5}, func(ctx *context.Context, x *graph.Node) *graph.Node {
			return layers.BatchNorm(ctx, x).Done()
		}, "layers: BatchNorm: input shape (Float32)[5]"},
		{"batch norm momentum 2", []int{4, 3}, func(ctx *context.Context, x *graph.Node) *graph.Node {
			return layers.BatchNorm(ctx, x).Momentum(2).Done()
		}, "layers: BatchNorm: momentum 2 and epsilon 1e-05, want momentum in [0, 1] and epsilon > 0"},
		{"batch norm epsilon 0", []int{4, 3}, func(ctx *context.Context, x *graph.Node) *graph.Node {
			return layers.BatchNorm(ctx, x).Epsilon(0).Done()
		}, "epsilon > 0"},
	}
	for name, b := range backendsUnderTest(t) {
		for _, c := range cases {
			x := tensors.FromShape(shapes.Make(dtypes.Float32, c.dims...))
			var execErr error
			err := catch(func() {
				_, execErr = context.ExecOnce(b, context.New(), c.layer, x)
			})
			if err == nil {
				err = execErr
			}
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("%s on %s: error %v, want one containing %q", c.name, name, err, c.want)
			}
		}
	}
}
