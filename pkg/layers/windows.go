package layers

import (
	"fmt"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/shapes"
)

// window2D describes a sliding window over the two spatial axes of [batch, height, width, channels]
// images: its size, its stride and the padding added on each side. Conv2D, MaxPool2D and
// AvgPool2D share it.
type window2D struct {
	size, stride [2]int
	pad          [2][2]int // pad[axis] = {before, after}, axis 0 = height, 1 = width
}

// outSize is the number of window positions along axis for an input of size in:
// ⌊(in + padBefore + padAfter − size) / stride⌋ + 1, PyTorch's formula (floor mode).
func (w window2D) outSize(axis, in int) int {
	return (in+w.pad[axis][0]+w.pad[axis][1]-w.size[axis])/w.stride[axis] + 1
}

// check panics with a godl error, the same on every backend, unless the window fits x: x is
// [batch, height, width, channels] with at least one channel, sizes and strides are ≥ 1,
// paddings ≥ 0, and the padded input is at least as large as the window. It returns the output
// height and width.
func (w window2D) check(where string, x *graph.Node) (oh, ow int) {
	if x.Rank() != 4 {
		panic(fmt.Errorf("layers: %s: input shape %s, want rank 4 [batch, height, width, channels]", where, x.Shape()))
	}
	dims := x.Shape().Dimensions
	if dims[3] < 1 {
		panic(fmt.Errorf("layers: %s: input shape %s has no channels", where, x.Shape()))
	}
	for axis := range 2 {
		if w.size[axis] < 1 || w.stride[axis] < 1 || w.pad[axis][0] < 0 || w.pad[axis][1] < 0 {
			panic(fmt.Errorf("layers: %s: window %v, stride %v, padding %v: sizes and strides must be ≥ 1 and paddings ≥ 0",
				where, w.size, w.stride, w.pad))
		}
		// Compared directly: Go's division rounds a negative numerator in outSize up to 0.
		if dims[1+axis]+w.pad[axis][0]+w.pad[axis][1] < w.size[axis] {
			panic(fmt.Errorf("layers: %s: input %d×%d with padding %v is smaller than the window %d×%d",
				where, dims[1], dims[2], w.pad, w.size[0], w.size[1]))
		}
	}
	return w.outSize(0, dims[1]), w.outSize(1, dims[2])
}

// same returns the padding that makes the output ⌈in/stride⌉ along an axis (TensorFlow's "SAME";
// for stride 1 it is PyTorch's padding='same'). The odd pixel, if any, goes after.
func same(in, size, stride int) [2]int {
	out := (in + stride - 1) / stride
	total := max((out-1)*stride+size-in, 0)
	return [2]int{total / 2, total - total/2}
}

// tiles reports whether the windows cut the input into disjoint tiles that cover it exactly:
// no padding, stride equal to the size, and sizes that divide the input. Pooling then needs only a
// reshape and a reduction.
func (w window2D) tiles(h, wd int) bool {
	return w.pad == [2][2]int{} && w.stride == w.size && h%w.size[0] == 0 && wd%w.size[1] == 0
}

// patches gathers every window of x [B, H, W, C] into [B, OH, OW, KH·KW, C] ("im2col"), reading
// fill where a window hangs over the padding.
//
// It pads x first (Concatenate), so that each of a window's KH rows is KW·C contiguous values of
// the padded image, and copies each row with one GatherSlices: KW times fewer, longer copies than
// gathering pixel by pixel. Reshape, Concatenate and GatherSlices have gradients (Slice, ScatterSum)
// on every backend.
func (w window2D) patches(x *graph.Node, fill float64) *graph.Node {
	g := x.Graph()
	dims := x.Shape().Dimensions
	oh, ow := w.outSize(0, dims[1]), w.outSize(1, dims[2])
	xp := pad2D(x, w.pad, fill)
	dims = xp.Shape().Dimensions
	b, hp, wp, c := dims[0], dims[1], dims[2], dims[3]
	kh, kw := w.size[0], w.size[1]

	// Where each window row starts in one flattened padded image, then in the whole batch.
	n := oh * ow * kh
	starts := make([]int32, 0, n)
	for r := range oh {
		for q := range ow {
			for i := range kh {
				starts = append(starts, int32(((r*w.stride[0]+i)*wp+q*w.stride[1])*c))
			}
		}
	}
	per := hp * wp * c
	spatial := graph.BroadcastToDims(graph.Reshape(graph.Const(g, starts), 1, n), b, n)
	first := graph.MulScalar(graph.Iota(g, shapes.Make(dtypes.Int32, b, n), 0), float64(per))
	indices := graph.Reshape(graph.Add(first, spatial), b*n, 1)

	rows := graph.GatherSlices(graph.Reshape(xp, b*per), []int{0}, indices, []int{kw * c}, false)
	return graph.Reshape(rows, b, oh, ow, kh*kw, c)
}

// pad2D surrounds x [B, H, W, C] with pad[0] rows above and below and pad[1] columns left and
// right, all equal to fill. It concatenates, since the Go backend has no Pad.
func pad2D(x *graph.Node, pad [2][2]int, fill float64) *graph.Node {
	for axis := 1; axis <= 2; axis++ {
		var parts []*graph.Node
		for side, n := range pad[axis-1] {
			if n == 0 {
				continue
			}
			dims := x.Shape().Clone().Dimensions
			dims[axis] = n
			block := graph.BroadcastToDims(graph.Scalar(x.Graph(), x.DType(), fill), dims...)
			if side == 0 {
				parts = append(parts, block, x)
			} else {
				if len(parts) == 0 {
					parts = append(parts, x)
				}
				parts = append(parts, block)
			}
		}
		if len(parts) > 0 {
			x = graph.Concatenate(parts, axis)
		}
	}
	return x
}
