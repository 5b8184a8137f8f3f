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
	x          *graph.Node
	max        bool
	win        window2D
	ceil       bool // PyTorch's ceil_mode=True
	excludePad bool // PyTorch's count_include_pad=False
	impl       Impl
}

// MaxPool2D takes the largest value of each window×window patch of x [batch, height, width,
// channels], channel by channel, as PyTorch's nn.MaxPool2d(window): stride = window, no padding,
// floor mode (see Stride, Padding, CeilMode). Chapter 09 compares it with AvgPool2D and checks
// both against PyTorch (testdata/pooling_golden.json).
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
// zeros count in the mean (count_include_pad=True; see CountIncludePad). The original LeNet-5
// subsamples this way.
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

// Padding pads every side with p values that never win a max (−∞) or that count as zeros in a
// mean (unless CountIncludePad(false)). It may be at most half the window, as in PyTorch.
func (p *PoolBuilder) Padding(pad int) *PoolBuilder {
	p.win.pad = [2][2]int{{pad, pad}, {pad, pad}}
	return p
}

// CeilMode rounds the number of windows up instead of down, as PyTorch's ceil_mode=True: a last
// window that hangs over the bottom or right edge (beyond any padding) is kept, provided it starts
// inside the input or its left padding; the part outside holds nothing (it never wins a max and
// never counts in a mean). Chapter 09 checks it against PyTorch.
func (p *PoolBuilder) CeilMode() *PoolBuilder {
	p.ceil = true
	return p
}

// CountIncludePad sets whether an average counts the padding zeros in its divisor: true by
// default, as PyTorch's count_include_pad; false divides each window's sum by the number of input
// values it covers. A max pooling ignores it.
func (p *PoolBuilder) CountIncludePad(include bool) *PoolBuilder {
	p.excludePad = !include
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
	p.win.check(name, x)
	for axis, pad := range p.win.pad {
		if half := p.win.size[axis] / 2; pad[0] > half || pad[1] > half {
			panic(fmt.Errorf("layers: %s: padding %d with a window of %d: at most half the window, as PyTorch requires",
				name, max(pad[0], pad[1]), p.win.size[axis]))
		}
	}
	dims := x.Shape().Dimensions
	b, h, w, c := dims[0], dims[1], dims[2], dims[3]
	// In ceil mode the last window may hang over the edge: pad after by as much, with values that
	// never win a max; the mean's divisor below leaves them out.
	win := p.win
	if p.ceil {
		win.pad[0][1] += ceilOverhang(p.win, 0, h)
		win.pad[1][1] += ceilOverhang(p.win, 1, w)
	}
	oh, ow := win.outSize(0, h), win.outSize(1, w)
	kh, kw := win.size[0], win.size[1]
	divisor := p.divisor(x, h, w, oh, ow)

	ops := AvgPoolNativeOps
	if p.max {
		ops = MaxPoolNativeOps
	}
	impl := p.impl
	if impl == Auto && win.tiles(h, w) {
		impl = Portable
	}
	if impl.resolve(x.Graph(), ops...) == Native {
		return p.native(x, win, divisor)
	}

	if win.tiles(h, w) {
		t := graph.Reshape(x, b, oh, kh, ow, kw, c)
		if p.max {
			return graph.ReduceMax(t, 2, 4)
		}
		return graph.Div(graph.ReduceSum(t, 2, 4), divisor)
	}
	if p.max {
		return graph.ReduceMax(win.patches(x, math.Inf(-1)), 3)
	}
	return graph.Div(graph.ReduceSum(win.patches(x, 0), 3), divisor)
}

// ceilOverhang is how far the last window reaches past the padded input along axis in ceil mode:
// PyTorch's count ⌈(in + pads − size) / stride⌉ + 1 of windows, less one if the last would start
// in the padding after the input.
func ceilOverhang(w window2D, axis, in int) int {
	padded := in + w.pad[axis][0] + w.pad[axis][1]
	s := w.stride[axis]
	out := (padded-w.size[axis]+s-1)/s + 1
	if (out-1)*s >= in+w.pad[axis][0] {
		out--
	}
	return max((out-1)*s+w.size[axis]-padded, 0)
}

// divisor is what each window's sum is divided by, as PyTorch's avg_pool2d: the window's area
// (a scalar) when every window lies within the padded input and the padding counts; otherwise,
// per window, a [1, oh, ow, 1] constant: its part inside the padded input, or, without
// count_include_pad, inside the input. Nil for max pooling.
func (p *PoolBuilder) divisor(x *graph.Node, h, w, oh, ow int) *graph.Node {
	if p.max {
		return nil
	}
	rows, okRows := p.counts(0, h, oh)
	cols, okCols := p.counts(1, w, ow)
	if okRows && okCols {
		return graph.Scalar(x.Graph(), x.DType(), float64(p.win.size[0]*p.win.size[1]))
	}
	d := make([]float64, 0, oh*ow)
	for _, r := range rows {
		for _, q := range cols {
			d = append(d, float64(r*q))
		}
	}
	return graph.ConvertDType(graph.Reshape(graph.Const(x.Graph(), d), 1, oh, ow, 1), x.DType())
}

// counts gives, for each of the out windows along axis, how many of its positions the divisor
// counts, and whether that is the full window size for every one.
func (p *PoolBuilder) counts(axis, in, out int) ([]int, bool) {
	k, s := p.win.size[axis], p.win.stride[axis]
	before, after := p.win.pad[axis][0], p.win.pad[axis][1]
	n, full := make([]int, out), true
	for i := range n {
		start := i*s - before
		end := min(start+k, in+after)
		if p.excludePad {
			start, end = max(start, 0), min(end, in)
		}
		n[i] = end - start
		full = full && n[i] == k
	}
	return n, full
}

// native is GoMLX's ReduceWindow over the spatial axes, with the window win (padding included).
func (p *PoolBuilder) native(x *graph.Node, win window2D, divisor *graph.Node) *graph.Node {
	window := []int{1, win.size[0], win.size[1], 1}
	strides := []int{1, win.stride[0], win.stride[1], 1}
	pads := [][2]int{{0, 0}, win.pad[0], win.pad[1], {0, 0}}
	if p.max {
		return graph.BackendReduceWindow(x, backends.ReduceOpMax, window, strides, nil, nil, pads)
	}
	return graph.Div(graph.BackendReduceWindow(x, backends.ReduceOpSum, window, strides, nil, nil, pads), divisor)
}

// GlobalAvgPool2D averages each channel of x [batch, height, width, channels] over all its
// positions, giving [batch, channels]: PyTorch's nn.AdaptiveAvgPool2d(1) followed by a flatten.
// As the head of a network (Lin et al. 2013, "Network in Network"; ResNet) it replaces a flatten
// and a large dense layer; chapter 09 counts the parameters it saves.
func GlobalAvgPool2D(x *graph.Node) *graph.Node {
	if x.Rank() != 4 {
		panic(fmt.Errorf("layers: GlobalAvgPool2D: input shape %s, want rank 4 [batch, height, width, channels]", x.Shape()))
	}
	return graph.ReduceMean(x, 1, 2)
}
