package layers

import (
	"fmt"
	"math"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/graph"
)

// PoolBuilder configures a max or average pooling; create it with MaxPool2D or AvgPool2D and
// finish with Done.
type PoolBuilder struct {
	x    *graph.Node
	max  bool
	win  window2D
	impl Impl
}

// MaxPool2D takes the largest value of each window×window patch of x [batch, height, width,
// channels], channel by channel, as PyTorch's nn.MaxPool2d(window): stride = window, no padding,
// floor mode. Chapter 09 compares it with AvgPool2D.
//
// Where the windows tile the input (stride = window, no padding, sizes divisible: LeNet's 2×2
// pools), Auto uses the portable form on every backend — a reshape to [B, H/k, k, W/k, k, C] and a
// ReduceMax — as fast as the native op on XLA (BenchmarkLayers, "max pool 2 on 28×28×6") and the
// only choice on pure Go. Otherwise Auto picks GoMLX's ReduceWindow (gradient:
// SelectAndScatterMax) on XLA, several times faster there than the portable form ("max pool 3
// stride 2 pad 1 on 28×28×6"), which on pure Go gathers the windows (as Conv2D's im2col, padding
// with −∞) and reduces them. The padding may be at most half the window, as in PyTorch.
//
// One difference: where several values tie for the maximum, the portable gradient goes to each
// of them, the native one (and PyTorch's) to one only. Ties need equal inputs, e.g. zeros after a
// ReLU — whose own gradient is zero there, so LeNet-style conv→ReLU→pool trains the same.
func MaxPool2D(x *graph.Node, window int) *PoolBuilder {
	return newPool(x, window, true)
}

// AvgPool2D takes the mean of each window×window patch of x [batch, height, width, channels], as
// PyTorch's nn.AvgPool2d(window): stride = window, no padding, floor mode, and with padding the
// zeros count in the mean (count_include_pad=True). The original LeNet-5 subsamples this way.
//
// Implementation as for MaxPool2D: a reshape and ReduceSum where the windows tile the input (on
// XLA faster than the native op: BenchmarkLayers, "avg pool 2 on 28×28×6"); otherwise a summing
// ReduceWindow (gradient: Pad) on XLA, gathered windows on pure Go.
func AvgPool2D(x *graph.Node, window int) *PoolBuilder {
	return newPool(x, window, false)
}

func newPool(x *graph.Node, window int, isMax bool) *PoolBuilder {
	return &PoolBuilder{x: x, max: isMax,
		win: window2D{size: [2]int{window, window}, stride: [2]int{window, window}}}
}

// Stride sets the step between windows (default: the window size).
func (p *PoolBuilder) Stride(stride int) *PoolBuilder {
	p.win.stride = [2]int{stride, stride}
	return p
}

// Padding pads every side with p values that never win a max (−∞) or that count as zeros in a mean.
func (p *PoolBuilder) Padding(pad int) *PoolBuilder {
	p.win.pad = [2][2]int{{pad, pad}, {pad, pad}}
	return p
}

// Impl chooses the native or portable form (default Auto). With Native, tiling windows use the
// native op too.
func (p *PoolBuilder) Impl(impl Impl) *PoolBuilder {
	p.impl = impl
	return p
}

// Done returns the pooled images, [batch, outHeight, outWidth, channels].
func (p *PoolBuilder) Done() *graph.Node {
	name := "AvgPool2D"
	if p.max {
		name = "MaxPool2D"
	}
	x := p.x
	oh, ow := p.win.check(name, x)
	for axis, pad := range p.win.pad {
		if half := p.win.size[axis] / 2; pad[0] > half || pad[1] > half {
			panic(fmt.Errorf("layers: %s: padding %d with a window of %d: at most half the window, as PyTorch requires",
				name, max(pad[0], pad[1]), p.win.size[axis]))
		}
	}
	dims := x.Shape().Dimensions
	b, h, w, c := dims[0], dims[1], dims[2], dims[3]
	kh, kw := p.win.size[0], p.win.size[1]
	area := float64(kh * kw)

	ops := AvgPoolNativeOps
	if p.max {
		ops = MaxPoolNativeOps
	}
	impl := p.impl
	if impl == Auto && p.win.tiles(h, w) {
		impl = Portable
	}
	if impl.resolve(x.Graph(), ops...) == Native {
		return p.native(x, area)
	}

	if p.win.tiles(h, w) {
		t := graph.Reshape(x, b, oh, kh, ow, kw, c)
		if p.max {
			return graph.ReduceMax(t, 2, 4)
		}
		return graph.DivScalar(graph.ReduceSum(t, 2, 4), area)
	}
	if p.max {
		return graph.ReduceMax(p.win.patches(x, math.Inf(-1)), 3)
	}
	return graph.DivScalar(graph.ReduceSum(p.win.patches(x, 0), 3), area)
}

// native is GoMLX's ReduceWindow over the spatial axes.
func (p *PoolBuilder) native(x *graph.Node, area float64) *graph.Node {
	window := []int{1, p.win.size[0], p.win.size[1], 1}
	strides := []int{1, p.win.stride[0], p.win.stride[1], 1}
	pads := [][2]int{{0, 0}, p.win.pad[0], p.win.pad[1], {0, 0}}
	if p.max {
		return graph.BackendReduceWindow(x, backends.ReduceOpMax, window, strides, nil, nil, pads)
	}
	return graph.DivScalar(graph.BackendReduceWindow(x, backends.ReduceOpSum, window, strides, nil, nil, pads), area)
}
