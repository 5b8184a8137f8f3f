package layers

import (
	"fmt"

	"github.com/gomlx/gomlx/pkg/core/graph"
)

// AdaptiveAvgPool2D averages x [batch, height, width, channels] down (or up) to [batch,
// outHeight, outWidth, channels], PyTorch's nn.AdaptiveAvgPool2d((outHeight, outWidth)): output
// row i averages input rows ⌊i·H/outHeight⌋ to ⌈(i+1)·H/outHeight⌉ − 1, and likewise for
// columns, so the windows may overlap or differ in size by one. torchvision's AlexNet (to 6×6),
// VGG (7×7) and GoogLeNet (1×1) end their convolutions with it, which lets their classifiers take
// images of any size (chapters 14–16); where the input already has the output's size it is
// the identity.
//
// A mean over a rectangle is a mean over its rows of means over its columns, so the pooling is
// two products with constant averaging matrices, one per axis: a form every backend
// differentiates, with Dense's matrix-product gradient. It panics, as GoMLX graph building does,
// on an input not of rank 4 or an output size below 1.
func AdaptiveAvgPool2D(x *graph.Node, outHeight, outWidth int) *graph.Node {
	if x.Rank() != 4 || x.Shape().Size() == 0 {
		panic(fmt.Errorf("layers: AdaptiveAvgPool2D: input shape %s, want [batch, height, width, channels], all ≥ 1",
			x.Shape()))
	}
	if outHeight < 1 || outWidth < 1 {
		panic(fmt.Errorf("layers: AdaptiveAvgPool2D: output %d×%d, want both ≥ 1", outHeight, outWidth))
	}
	dims := x.Shape().Dimensions
	b, h, w, c := dims[0], dims[1], dims[2], dims[3]
	if h == outHeight && w == outWidth {
		return x
	}
	// Rows: [H, B·W·C] → [outHeight, B·W·C].
	y := graph.Reshape(graph.TransposeAllDims(x, 1, 0, 2, 3), h, b*w*c)
	y = matMul(averaging(x, outHeight, h), y)
	// Columns: [outHeight, B, W, C] → [W, outHeight·B·C] → [outWidth, outHeight·B·C].
	y = graph.TransposeAllDims(graph.Reshape(y, outHeight, b, w, c), 2, 0, 1, 3)
	y = matMul(averaging(x, outWidth, w), graph.Reshape(y, w, outHeight*b*c))
	// [outWidth, outHeight, B, C] → [B, outHeight, outWidth, C].
	return graph.TransposeAllDims(graph.Reshape(y, outWidth, outHeight, b, c), 2, 1, 0, 3)
}

// averaging is the constant [out, in] matrix whose row i averages PyTorch's adaptive window i,
// in x's dtype.
func averaging(x *graph.Node, out, in int) *graph.Node {
	m := make([]float64, out*in)
	for i := range out {
		start, end := i*in/out, ((i+1)*in+out-1)/out
		for j := start; j < end; j++ {
			m[i*in+j] = 1 / float64(end-start)
		}
	}
	return graph.Reshape(graph.ConvertDType(graph.Const(x.Graph(), m), x.DType()), out, in)
}
