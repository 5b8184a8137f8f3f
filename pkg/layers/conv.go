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
	same     bool
	bias     bool
	impl     Impl
}

// Conv2D convolves images x [batch, height, width, inChannels] with `channels` learned kernels of
// size kernel×kernel — PyTorch's nn.Conv2d(inChannels, channels, kernel) — and returns
// [batch, outHeight, outWidth, channels]. Chapter 10 computes the same thing by hand.
//
// Defaults are PyTorch's: stride 1, no padding, a bias. Weights live in ctx's scope as "weight"
// [kernel, kernel, inChannels, channels] and "bias" [channels], initialized as PyTorch does
// (uniform in ±1/√(inChannels·kernel²)); give each layer its own scope, e.g. ctx.In("conv1").
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
	return &Conv2DBuilder{ctx: ctx, x: x, channels: channels, bias: true, impl: ImplFrom(ctx),
		win: window2D{size: [2]int{kernel, kernel}, stride: [2]int{1, 1}}}
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
	if c.same && x.Rank() == 4 {
		dims := x.Shape().Dimensions
		for axis := range 2 {
			c.win.pad[axis] = same(dims[1+axis], c.win.size[axis], c.win.stride[axis])
		}
	}
	c.win.check("Conv2D", x)
	if c.channels < 1 {
		panic(fmt.Errorf("layers: Conv2D: %d output channels, want ≥ 1", c.channels))
	}
	in := x.Shape().Dimensions[3]
	kh, kw := c.win.size[0], c.win.size[1]
	init := uniform(c.ctx, in*kh*kw)
	g := x.Graph()
	kernel := c.ctx.WithInitializer(init).VariableWithShape("weight", shapeOf(x, kh, kw, in, c.channels)).ValueGraph(g)

	impl := c.impl
	if impl == Auto && !nativeConvGradientWorks(x, c.win) {
		impl = Portable
	}
	var y *graph.Node
	if impl.resolve(g, ConvNativeOps...) == Native {
		y = conv2DNative(x, kernel, c.win)
	} else {
		y = conv2DPortable(x, kernel, c.win)
	}
	if c.bias {
		b := c.ctx.WithInitializer(init).VariableWithShape("bias", shapeOf(x, c.channels)).ValueGraph(g)
		y = graph.Add(y, graph.Reshape(b, 1, 1, 1, c.channels))
	}
	return y
}

// nativeConvGradientWorks reports whether GoMLX v0.26.0 builds a correct gradient of ConvGeneral
// for this window. Its gradient with respect to the input (convVJPWrtX) pads the reversed
// convolution by 2⌊(k−1)/2⌋ − padding instead of k−1−padding: for an odd kernel that is right,
// for an even one the result is shifted by a pixel — silently wrong (TestConv2DMatchesDefinition
// shows it) — and where the padding exceeds 2⌊(k−1)/2⌋ it panics ("outputDimStart > 0").
func nativeConvGradientWorks(x *graph.Node, w window2D) bool {
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

// conv2DNative is GoMLX's Convolve: ConvGeneral, whose gradient needs Reverse.
func conv2DNative(x, kernel *graph.Node, w window2D) *graph.Node {
	// Strides are always given: the Go backend's ConvGeneral rejects an empty stride list.
	return graph.Convolve(x, kernel).
		StridePerAxis(w.stride[0], w.stride[1]).
		PaddingPerDim([][2]int{w.pad[0], w.pad[1]}).
		Done()
}

// conv2DPortable is im2col: gather the windows into rows, then one matrix multiplication.
func conv2DPortable(x, kernel *graph.Node, w window2D) *graph.Node {
	p := w.patches(x, 0) // [B, OH, OW, KH·KW, C]
	dims := p.Shape().Dimensions
	b, oh, ow, kk, c := dims[0], dims[1], dims[2], dims[3], dims[4]
	out := kernel.Shape().Dimensions[3]
	rows := graph.Reshape(p, b*oh*ow, kk*c)
	k := graph.Reshape(kernel, kk*c, out) // [KH, KW, C, O] → [KH·KW·C, O], the same order as a row
	return graph.Reshape(matMul(rows, k), b, oh, ow, out)
}
