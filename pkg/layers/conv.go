package layers

import (
	"fmt"

	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// Conv2DBuilder configures a 2D convolution; create it with Conv2D and finish with Done.
type Conv2DBuilder struct {
	ctx      *context.Context
	x        *graph.Node
	channels int
	win      window2D
	dilation int
	groups   int
	same     bool
	bias     bool
	impl     Impl
}

// Conv2D convolves images x [batch, height, width, inChannels] with `channels` learned kernels of
// size kernel×kernel — PyTorch's nn.Conv2d(inChannels, channels, kernel) — and returns
// [batch, outHeight, outWidth, channels]. Chapter 10 computes the same thing by hand.
//
// Defaults are PyTorch's: stride 1, no padding, dilation 1, one group, a bias. Weights live in
// ctx's scope as "weight" [kernel, kernel, inChannels/groups, channels] (PyTorch's
// [channels, inChannels/groups, kernel, kernel] permuted by (2, 3, 1, 0)) and "bias" [channels],
// initialized as PyTorch does (uniform in ±1/√(inChannels/groups·kernel²)); give each layer its
// own scope, e.g. ctx.In("conv1").
//
// Impl Auto picks GoMLX's ConvGeneral where the backend has Reverse (needed by its gradient), as
// XLA does, and the kernel is odd-sized: GoMLX v0.26.0 computes the input gradient of even-sized
// kernels wrongly (see nativeConvGradientWorks). BenchmarkLayers compares the two forms' forward
// and backward passes on XLA CPU at batch 64 ("conv2 6→16 5×5 on 14×14", "conv 16→32 3×3 same on
// 16×16"): the native form wins as channels grow (about 2× at 16→32). Otherwise — pure Go, even
// kernels — it uses the portable form: the windows are gathered into rows (im2col, one GatherSlices
// per kernel row) and multiplied by the kernel reshaped to [kernel²·inChannels, channels] in one
// matrix product. On pure Go that is also faster than the Go backend's own ConvGeneral forward.
func Conv2D(ctx *context.Context, x *graph.Node, channels, kernel int) *Conv2DBuilder {
	return &Conv2DBuilder{ctx: ctx, x: x, channels: channels, dilation: 1, groups: 1, bias: true,
		impl: ImplFrom(ctx), win: window2D{size: [2]int{kernel, kernel}, stride: [2]int{1, 1}}}
}

// KernelHW sets a rectangular kernel, height × width.
func (c *Conv2DBuilder) KernelHW(height, width int) *Conv2DBuilder {
	c.win.size = [2]int{height, width}
	return c
}

// Stride sets the step between windows, the same along height and width (default 1).
func (c *Conv2DBuilder) Stride(stride int) *Conv2DBuilder {
	c.win.stride = [2]int{stride, stride}
	return c
}

// Padding adds p rows and columns of zeros on every side, as PyTorch's padding=p.
func (c *Conv2DBuilder) Padding(p int) *Conv2DBuilder {
	return c.PaddingHW(p, p)
}

// PaddingHW adds ph rows of zeros above and below and pw columns left and right.
func (c *Conv2DBuilder) PaddingHW(ph, pw int) *Conv2DBuilder {
	c.win.pad = [2][2]int{{ph, ph}, {pw, pw}}
	c.same = false
	return c
}

// Dilation spreads the kernel's taps d pixels apart (default 1, PyTorch's dilation=d): a 3×3
// kernel with dilation 2 covers 5×5 pixels with 9 weights — the "à trous" convolution of
// chapter 10. The output size becomes ⌊(n + 2p − d(k−1) − 1)/s⌋ + 1.
func (c *Conv2DBuilder) Dilation(d int) *Conv2DBuilder {
	c.dilation = d
	return c
}

// Groups splits the input and output channels into g groups convolved separately (default 1,
// PyTorch's groups=g): output channels [i·out/g, (i+1)·out/g) see only input channels
// [i·in/g, (i+1)·in/g). Both channel counts must be multiples of g; g = in is a depthwise
// convolution. Each kernel has in/g input channels, so the layer has g times fewer weights.
func (c *Conv2DBuilder) Groups(g int) *Conv2DBuilder {
	c.groups = g
	return c
}

// Same pads so that the output is ⌈input/stride⌉ in each spatial axis (the input size for
// stride 1, as PyTorch's padding='same').
func (c *Conv2DBuilder) Same() *Conv2DBuilder {
	c.same = true
	return c
}

// Bias sets whether a learned bias is added (default true, as PyTorch's bias=True).
func (c *Conv2DBuilder) Bias(useBias bool) *Conv2DBuilder {
	c.bias = useBias
	return c
}

// Impl chooses the native or portable form (default: ParamImpl from the context, else Auto).
func (c *Conv2DBuilder) Impl(impl Impl) *Conv2DBuilder {
	c.impl = impl
	return c
}

// Done creates the variables (on first use) and returns the convolved images.
func (c *Conv2DBuilder) Done() *graph.Node {
	x := c.x
	if c.dilation < 1 || c.groups < 1 {
		panic(fmt.Errorf("layers: Conv2D: dilation %d and groups %d, want both ≥ 1", c.dilation, c.groups))
	}
	dil := [2]int{c.dilation, c.dilation}
	if c.same && x.Rank() == 4 {
		dims := x.Shape().Dimensions
		for axis := range 2 {
			c.win.pad[axis] = same(dims[1+axis], span(c.win.size[axis], dil[axis]), c.win.stride[axis])
		}
	}
	spanned(c.win, dil).check("Conv2D", x)
	if c.channels < 1 {
		panic(fmt.Errorf("layers: Conv2D: %d output channels, want ≥ 1", c.channels))
	}
	in := x.Shape().Dimensions[3]
	if in%c.groups != 0 || c.channels%c.groups != 0 {
		panic(fmt.Errorf("layers: Conv2D: %d input and %d output channels in %d groups: both must be multiples of the groups",
			in, c.channels, c.groups))
	}
	kh, kw := c.win.size[0], c.win.size[1]
	init := uniform(c.ctx, in/c.groups*kh*kw)
	g := x.Graph()
	kernel := c.ctx.WithInitializer(init).VariableWithShape("weight",
		shapeOf(x, kh, kw, in/c.groups, c.channels)).ValueGraph(g)
	y := convolve(x, kernel, c.win, dil, c.groups, c.impl)
	if c.bias {
		b := c.ctx.WithInitializer(init).VariableWithShape("bias", shapeOf(x, c.channels)).ValueGraph(g)
		y = graph.Add(y, graph.Reshape(b, 1, 1, 1, c.channels))
	}
	return y
}

// convolve computes the convolution of x [B, H, W, C] with kernel [KH, KW, C/groups, O] over the
// window w (kernel size, stride, padding) with the given dilation, in the form impl asks for —
// Auto: native where GoMLX's gradient of it is right on this backend, else portable.
func convolve(x, kernel *graph.Node, w window2D, dil [2]int, groups int, impl Impl) *graph.Node {
	if impl == Auto && !nativeConvGradientWorks(x, w, dil) {
		impl = Portable
	}
	if impl.resolve(x.Graph(), ConvNativeOps...) == Native {
		return conv2DNative(x, kernel, w, dil, groups)
	}
	return conv2DPortable(x, kernel, w, dil, groups)
}

// nativeConvGradientWorks reports whether GoMLX v0.26.0 builds a correct gradient of ConvGeneral
// for this window and dilation. Its gradient with respect to the input (convVJPWrtX) pads the
// reversed convolution by 2⌊(k−1)/2⌋ − padding instead of k−1−padding, k the kernel's span
// d(size−1)+1: for an odd span that is right, for an even one the result is shifted by a pixel —
// silently wrong (TestConv2DMatchesDefinition shows it) — and where the padding exceeds
// 2⌊(k−1)/2⌋ it panics ("outputDimStart > 0"). Its Convolve also refuses strides and dilations
// together ("only one can be used at a time"), which its own gradient needs for the kernel.
func nativeConvGradientWorks(x *graph.Node, w window2D, dil [2]int) bool {
	for axis := range 2 {
		if w.stride[axis] > 1 && dil[axis] > 1 {
			return false
		}
	}
	w = spanned(w, dil)
	for axis := range 2 {
		in, k, s := x.Shape().Dimensions[1+axis], w.size[axis], w.stride[axis]
		if k%2 == 0 || w.pad[axis][0] > k-1 {
			return false
		}
		// GoMLX's other check: the reversed convolution must reach the end of the input.
		out := w.outSize(axis, in)
		start := (k-1)/2 - w.pad[axis][0]
		if in-start+k/2-(out-1)*(s-1) < out {
			return false
		}
	}
	return true
}

// span is the number of pixels a kernel of size k with dilation d covers: d(k−1)+1.
func span(k, d int) int { return d*(k-1) + 1 }

// spanned is the window w with its size replaced by the span of the dilated kernel: the window
// whose positions (and output size) the dilated convolution has.
func spanned(w window2D, dil [2]int) window2D {
	for axis := range 2 {
		w.size[axis] = span(w.size[axis], dil[axis])
	}
	return w
}

// conv2DNative is GoMLX's Convolve: ConvGeneral, whose gradient needs Reverse.
func conv2DNative(x, kernel *graph.Node, w window2D, dil [2]int, groups int) *graph.Node {
	// Strides are always given: the Go backend's ConvGeneral rejects an empty stride list.
	conv := graph.Convolve(x, kernel).
		StridePerAxis(w.stride[0], w.stride[1]).
		PaddingPerDim([][2]int{w.pad[0], w.pad[1]}).
		ChannelGroupCount(groups)
	if dil != [2]int{1, 1} {
		conv.DilationPerAxis(dil[0], dil[1])
	}
	return conv.Done()
}

// conv2DPortable is im2col: gather the windows into rows, then one matrix multiplication per
// group of channels.
func conv2DPortable(x, kernel *graph.Node, w window2D, dil [2]int, groups int) *graph.Node {
	var p *graph.Node // [B, OH, OW, KH·KW, C]
	if dil == [2]int{1, 1} {
		p = w.patches(x, 0)
	} else {
		p = dilatedPatches(x, w, dil)
	}
	dims := p.Shape().Dimensions
	b, oh, ow, kk, c := dims[0], dims[1], dims[2], dims[3], dims[4]
	out := kernel.Shape().Dimensions[3]
	if groups == 1 {
		rows := graph.Reshape(p, b*oh*ow, kk*c)
		k := graph.Reshape(kernel, kk*c, out) // [KH, KW, C, O] → [KH·KW·C, O], the same order as a row
		return graph.Reshape(matMul(rows, k), b, oh, ow, out)
	}
	// Group i multiplies its own columns of the rows by its own block of kernels: one batched
	// product over [groups, rows, KH·KW·C/groups] and [groups, KH·KW·C/groups, O/groups].
	n, cg, og := b*oh*ow, c/groups, out/groups
	rows := graph.Reshape(graph.TransposeAllAxes(graph.Reshape(p, n, kk, groups, cg), 2, 0, 1, 3), groups, n, kk*cg)
	k := graph.Reshape(graph.TransposeAllAxes(graph.Reshape(kernel, kk, cg, groups, og), 2, 0, 1, 3), groups, kk*cg, og)
	y := graph.TransposeAllAxes(groupMatMul(rows, k), 1, 0, 2) // [n, groups, O/groups]
	return graph.Reshape(y, b, oh, ow, out)
}
