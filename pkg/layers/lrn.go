package layers

import (
	"fmt"

	"github.com/gomlx/gomlx/pkg/core/graph"
)

// LocalResponseNorm divides each value of x by a power of the summed squares of its neighbours
// across channels — the "local response normalization" (局部响应归一化) of Krizhevsky et al.'s
// AlexNet (2012, §3.3), which chapter 14 builds into AlexNet:
//
//	y[…, c] = x[…, c] / (k + α/n · Σ x[…, c′]²)^β,  c′ from c − ⌊n/2⌋ to c + ⌊(n−1)/2⌋
//
// with n = size and channels outside [0, C) counting as zeros. It equals PyTorch's
// F.local_response_norm(x, size, alpha, beta, k) (nn.LocalResponseNorm), which divides α by n as
// here, values and gradients (TestLocalResponseNormGoldens, against tools/goldens/lrn.py). The
// paper's setting is size 5, α 1e-4, β 0.75, k 2. Channels are the last axis of x ([batch, height,
// width, channels] images, or any [batch, …, channels]); PyTorch's are the second.
//
// The sum over each channel's window is one product of the squares, as a [positions, C] matrix,
// with a constant C×C band of ones: a form every backend differentiates, with the gradient of
// Dense's matrix product. It panics, as GoMLX graph building does, on x of rank below 2, on a size
// below 1, or on k and β that are negative.
func LocalResponseNorm(x *graph.Node, size int, alpha, beta, k float64) *graph.Node {
	if x.Rank() < 2 || x.Shape().Dimensions[x.Rank()-1] < 1 {
		panic(fmt.Errorf("layers: LocalResponseNorm: input shape %s, want [batch, ..., channels] with channels ≥ 1",
			x.Shape()))
	}
	if size < 1 || !(k >= 0) || !(beta >= 0) {
		panic(fmt.Errorf("layers: LocalResponseNorm: size %d, k %g, beta %g: want size ≥ 1, k ≥ 0 and beta ≥ 0",
			size, k, beta))
	}
	dims := x.Shape().Dimensions
	c := dims[len(dims)-1]
	band := make([]float64, c*c) // band[from·C + to] = 1 where channel `from` is in `to`'s window
	for to := range c {
		for from := max(to-size/2, 0); from <= min(to+(size-1)/2, c-1); from++ {
			band[from*c+to] = 1
		}
	}
	g := x.Graph()
	ones := graph.Reshape(graph.ConvertDType(graph.Const(g, band), x.DType()), c, c)
	sums := graph.Reshape(matMul(graph.Reshape(graph.Square(x), -1, c), ones), dims...)
	div := graph.Pow(graph.AddScalar(graph.MulScalar(sums, alpha/float64(size)), k),
		graph.Scalar(g, x.DType(), beta))
	return graph.Div(x, div)
}
