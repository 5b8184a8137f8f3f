package layers

import (
	"fmt"

	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// ConvTranspose2DBuilder configures a transposed 2D convolution; create it with ConvTranspose2D
// and finish with Done.
type ConvTranspose2DBuilder struct {
	ctx                                      *context.Context
	x                                        *graph.Node
	channels                                 int
	size                                     [2]int
	stride, padding, outputPadding, dilation int
	bias                                     bool
	impl                                     Impl
}

// ConvTranspose2D is the transposed convolution of x [batch, height, width, inChannels] with
// `channels` learned kernels of size kernel×kernel — PyTorch's nn.ConvTranspose2d(inChannels,
// channels, kernel) — returning [batch, outHeight, outWidth, channels]. Each input pixel adds its
// value times the kernel into the output, at positions stride pixels apart; it is the gradient of
// Conv2D with respect to its input, and it upsamples: chapter 10 draws it, chapter 27 (U-Net)
// uses it. Along each axis the output size is (n − 1)·stride − 2·padding + dilation·(kernel − 1)
// + outputPadding + 1 (TransposedOutSize).
//
// Defaults are PyTorch's: stride 1, no padding, no output padding, dilation 1, a bias. Weights
// live in ctx's scope as "weight" [kernel, kernel, inChannels, channels] — PyTorch's
// [inChannels, channels, kernel, kernel] permuted by (2, 3, 0, 1) — and "bias" [channels],
// initialized as PyTorch does (uniform in ±1/√(channels·kernel²)).
//
// It is computed as a convolution with stride 1: the input with stride−1 zeros stuffed between
// its pixels and dilation·(kernel−1) − padding zeros around it (one Gather builds both), convolved
// with the spatially reversed kernel. That convolution takes Conv2D's native or portable form by
// Conv2D's rule (Impl).
func ConvTranspose2D(ctx *context.Context, x *graph.Node, channels, kernel int) *ConvTranspose2DBuilder {
	return &ConvTranspose2DBuilder{ctx: ctx, x: x, channels: channels, size: [2]int{kernel, kernel},
		stride: 1, dilation: 1, bias: true, impl: ImplFrom(ctx)}
}

// KernelHW sets a rectangular kernel, height × width.
func (c *ConvTranspose2DBuilder) KernelHW(height, width int) *ConvTranspose2DBuilder {
	c.size = [2]int{height, width}
	return c
}

// Stride sets how far apart the input pixels land in the output (default 1): stride 2 doubles
// the size.
func (c *ConvTranspose2DBuilder) Stride(s int) *ConvTranspose2DBuilder {
	c.stride = s
	return c
}

// Padding removes p rows and columns from every side of the full output, as PyTorch's padding=p
// (it undoes the padding of the Conv2D this one transposes).
func (c *ConvTranspose2DBuilder) Padding(p int) *ConvTranspose2DBuilder {
	c.padding = p
	return c
}

// OutputPadding adds p rows at the bottom and columns at the right of the output, as PyTorch's
// output_padding=p, to choose among the input sizes that a strided Conv2D maps to the same
// output size. It must be smaller than the stride or the dilation.
func (c *ConvTranspose2DBuilder) OutputPadding(p int) *ConvTranspose2DBuilder {
	c.outputPadding = p
	return c
}

// Dilation spreads the kernel's taps d pixels apart (default 1).
func (c *ConvTranspose2DBuilder) Dilation(d int) *ConvTranspose2DBuilder {
	c.dilation = d
	return c
}

// Bias sets whether a learned bias is added (default true).
func (c *ConvTranspose2DBuilder) Bias(useBias bool) *ConvTranspose2DBuilder {
	c.bias = useBias
	return c
}

// Impl chooses the native or portable form of the inner convolution (default: ParamImpl from the
// context, else Auto).
func (c *ConvTranspose2DBuilder) Impl(impl Impl) *ConvTranspose2DBuilder {
	c.impl = impl
	return c
}

// TransposedOutSize is the output size of a transposed convolution along one axis:
// (n − 1)·s − 2p + d·(k − 1) + outputPadding + 1, PyTorch's formula.
func TransposedOutSize(n, kernel, stride, padding, dilation, outputPadding int) int {
	return (n-1)*stride - 2*padding + dilation*(kernel-1) + outputPadding + 1
}

// Done creates the variables (on first use) and returns the upsampled images.
func (c *ConvTranspose2DBuilder) Done() *graph.Node {
	x := c.x
	if x.Rank() != 4 {
		panic(fmt.Errorf("layers: ConvTranspose2D: input shape %s, want rank 4 [batch, height, width, channels]", x.Shape()))
	}
	dims := x.Shape().Dimensions
	if dims[3] < 1 || c.channels < 1 {
		panic(fmt.Errorf("layers: ConvTranspose2D: input shape %s to %d channels: want ≥ 1 channel in and out",
			x.Shape(), c.channels))
	}
	if c.size[0] < 1 || c.size[1] < 1 || c.stride < 1 || c.dilation < 1 || c.padding < 0 ||
		c.outputPadding < 0 || c.outputPadding >= max(c.stride, c.dilation) {
		panic(fmt.Errorf("layers: ConvTranspose2D: kernel %v, stride %d, dilation %d, padding %d, output padding %d: "+
			"want kernel, stride and dilation ≥ 1, padding ≥ 0 and 0 ≤ output padding < max(stride, dilation)",
			c.size, c.stride, c.dilation, c.padding, c.outputPadding))
	}
	var out [2]int
	for axis := range 2 {
		out[axis] = TransposedOutSize(dims[1+axis], c.size[axis], c.stride, c.padding, c.dilation, c.outputPadding)
	}
	if out[0] < 1 || out[1] < 1 {
		panic(fmt.Errorf("layers: ConvTranspose2D: input %d×%d with kernel %v, stride %d, padding %d gives an output of %d×%d",
			dims[1], dims[2], c.size, c.stride, c.padding, out[0], out[1]))
	}
	in := dims[3]
	kh, kw := c.size[0], c.size[1]
	init := uniform(c.ctx, c.channels*kh*kw)
	g := x.Graph()
	kernel := c.ctx.WithInitializer(init).VariableWithShape("weight", shapeOf(x, kh, kw, in, c.channels)).ValueGraph(g)

	dil := [2]int{c.dilation, c.dilation}
	stuffed := stuff(x, c.stride, [2]int{span(kh, c.dilation) - 1 - c.padding, span(kw, c.dilation) - 1 - c.padding}, out, dil, c.size)
	win := window2D{size: c.size, stride: [2]int{1, 1}}
	y := convolve(stuffed, reverseKernel(kernel), win, dil, 1, c.impl)
	if c.bias {
		b := c.ctx.WithInitializer(init).VariableWithShape("bias", shapeOf(x, c.channels)).ValueGraph(g)
		y = graph.Add(y, graph.Reshape(b, 1, 1, 1, c.channels))
	}
	return y
}

// stuff builds the input of the stride-1 convolution that computes a transposed convolution:
// x [B, H, W, C] with stride−1 zeros between neighbouring pixels and before[axis] zeros in front
// (fewer than zero crops), long enough that a kernel of the given size and dilation gives out
// positions. One Gather from x's pixels plus one zero pixel builds it, so its gradient (a
// scatter-add) exists on every backend.
func stuff(x *graph.Node, stride int, before, out, dil, size [2]int) *graph.Node {
	dims := x.Shape().Dimensions
	b, h, w, c := dims[0], dims[1], dims[2], dims[3]
	hs, ws := out[0]+span(size[0], dil[0])-1, out[1]+span(size[1], dil[1])-1
	zero := int32(b * h * w)             // the index of the appended zero pixel
	source := func(t, n, axis int) int { // the input row (column) at stuffed position t, or −1
		a := t - before[axis]
		if a < 0 || a%stride != 0 || a/stride >= n {
			return -1
		}
		return a / stride
	}
	indices := make([]int32, 0, b*hs*ws)
	for n := range b {
		for i := range hs {
			for j := range ws {
				r, q := source(i, h, 0), source(j, w, 1)
				if r < 0 || q < 0 {
					indices = append(indices, zero)
				} else {
					indices = append(indices, int32((n*h+r)*w+q))
				}
			}
		}
	}
	g := x.Graph()
	pixels := graph.Concatenate([]*graph.Node{graph.Reshape(x, b*h*w, c), graph.Zeros(g, shapeOf(x, 1, c))}, 0)
	at := graph.Reshape(graph.Const(g, indices), len(indices), 1)
	return graph.Reshape(graph.Gather(pixels, at), b, hs, ws, c)
}

// reverseKernel flips kernel [KH, KW, C, O] in both spatial axes, with a Gather: the Go backend
// has no Reverse.
func reverseKernel(kernel *graph.Node) *graph.Node {
	dims := kernel.Shape().Dimensions
	kk := dims[0] * dims[1]
	order := make([]int32, kk)
	for i := range order {
		order[i] = int32(kk - 1 - i)
	}
	flat := graph.Reshape(kernel, kk, dims[2]*dims[3])
	at := graph.Reshape(graph.Const(kernel.Graph(), order), kk, 1)
	return graph.Reshape(graph.Gather(flat, at), dims...)
}
