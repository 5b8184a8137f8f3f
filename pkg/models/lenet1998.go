package models

import (
	"fmt"
	"math/rand/v2"

	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/context/initializers"

	"github.com/godl-book/godl/pkg/layers"
)

// c3Table is table I of LeCun et al. 1998: the S2 feature maps that each of C3's 16 maps reads.
// Six read 3 neighbouring maps, six read 4 neighbouring ones, three read 4 non-neighbouring
// ones and the last reads all 6 — "to break the symmetry in the network" (§II.B).
var c3Table = [16][]int32{
	{0, 1, 2}, {1, 2, 3}, {2, 3, 4}, {3, 4, 5}, {0, 4, 5}, {0, 1, 5},
	{0, 1, 2, 3}, {1, 2, 3, 4}, {2, 3, 4, 5}, {0, 3, 4, 5}, {0, 1, 4, 5}, {0, 1, 2, 5},
	{0, 1, 3, 4}, {1, 2, 4, 5}, {0, 2, 3, 5},
	{0, 1, 2, 3, 4, 5},
}

// build1998 is LeNet5 with LeCun1998: the network of the paper's figure 2, layer by layer as its
// §II.B describes it, in scopes named after the paper's layers.
//
//	c1: conv 6@5×5                       6·(25+1)           =    156 parameters
//	s2: 2×2 sums × a coefficient + bias  6·2                =     12
//	c3: conv 16@5×5 on table I's maps    (6·3+6·4+3·4+6)·25+16 = 1,516
//	s4: as s2, 16 maps                   16·2               =     32
//	c5: conv 120@5×5                     120·(400+1)        = 48,120
//	f6: dense 84                         84·(120+1)         = 10,164
//	output: Euclidean RBF, 10 units × 84 fixed weights      (840, not trained)
//
// 60,000 trainable parameters in all, the paper's count (§III.A); TestLeNet1998Counts checks each
// row. Every layer up to f6 is followed by the paper's squashing function 1.7159·tanh(2a/3)
// (appendix A). The output unit i computes yᵢ = Σⱼ (xⱼ − wᵢⱼ)², the distance from f6's state to
// class i's code; the model returns −yᵢ as logits, so softmax cross-entropy is the paper's
// criterion (its eq. 9) without its constant j. The paper drew its codes by hand as 7×12 bitmaps
// of the characters; here each class gets a code of ±1 drawn from a fixed seed, the same in every
// run, in the non-trainable variable output/weight [84, classes].
//
// Differences from the paper, besides the codes: weights start as PyTorch's (the paper drew them
// from ±2.4/fan-in), the subsampling coefficients start at 1/4 (an average) and the biases at 0.
// 28×28 inputs are padded to 32×32 by C1, as the paper padded MNIST; other sizes work, with
// f6 reading all of C5's positions.
func (l lenet) build1998(ctx *context.Context, images *graph.Node) *graph.Node {
	checkImages("LeNet5", images, l.classes)
	c1 := ctx.In("c1")
	x := squash(mark(c1, "Conv2D", layers.Conv2D(c1, images, 6, 5).Padding(mnistPad(images)).Done()))
	x = squash(subsample(ctx.In("s2"), x))
	x = squash(c3(ctx.In("c3"), x))
	x = squash(subsample(ctx.In("s4"), x))
	c5 := ctx.In("c5")
	x = squash(mark(c5, "Conv2D", layers.Conv2D(c5, x, 120, 5).Done()))
	f6 := ctx.In("f6")
	x = squash(mark(f6, "Dense", layers.Dense(f6, layers.Flatten(x), 84)))
	return rbf(ctx.In("output"), x, l.classes)
}

// squash is the 1998 paper's activation, f(a) = A·tanh(S·a) with A = 1.7159 and S = 2/3, chosen
// so that f(±1) = ±1 (appendix A).
func squash(x *graph.Node) *graph.Node {
	return graph.MulScalar(graph.Tanh(graph.MulScalar(x, 2.0/3)), 1.7159)
}

// subsample is S2 and S4: each 2×2 block's sum, times a trainable coefficient per map, plus a
// trainable bias per map.
func subsample(ctx *context.Context, x *graph.Node) *graph.Node {
	maps := x.Shape().Dimensions[3]
	g, shape := x.Graph(), shapes.Make(x.DType(), maps)
	quarter := func(g *graph.Graph, s shapes.Shape) *graph.Node {
		return graph.BroadcastToShape(graph.Scalar(g, s.DType, 0.25), s)
	}
	w := ctx.WithInitializer(quarter).VariableWithShape("weight", shape).ValueGraph(g)
	b := ctx.WithInitializer(initializers.Zero).VariableWithShape("bias", shape).ValueGraph(g)
	sums := graph.MulScalar(layers.AvgPool2D(x, 2).Impl(layers.ImplFrom(ctx)).Done(), 4)
	y := graph.Add(graph.Mul(sums, graph.Reshape(w, 1, 1, 1, maps)), graph.Reshape(b, 1, 1, 1, maps))
	return mark(ctx, "Subsample", y)
}

// c3 convolves, for each of its 16 maps, the S2 maps that c3Table lists, in scopes c3/0 … c3/15:
// 16 small convolutions whose weights add up to the paper's 1,516.
func c3(ctx *context.Context, x *graph.Node) *graph.Node {
	g := x.Graph()
	byChannel := graph.TransposeAllDims(x, 3, 0, 1, 2) // [6, B, H, W], to gather maps
	outs := make([]*graph.Node, len(c3Table))
	for i, inputs := range c3Table {
		picked := graph.Gather(byChannel, graph.Reshape(graph.Const(g, inputs), len(inputs), 1), true)
		picked = graph.TransposeAllDims(picked, 1, 2, 3, 0) // [B, H, W, len(inputs)]
		m := ctx.In(fmt.Sprint(i))
		outs[i] = mark(m, "Conv2D", layers.Conv2D(m, picked, 1, 5).Done())
	}
	return mark(ctx, "SparseConv", graph.Concatenate(outs, 3))
}

// rbf is the output layer: −Σⱼ (xⱼ − wⱼᵢ)² for each class i, with fixed ±1 codes w.
func rbf(ctx *context.Context, x *graph.Node, classes int) *graph.Node {
	r := rand.New(rand.NewPCG(1998, 84))
	codes := make([]float32, 84*classes)
	for i := range codes {
		codes[i] = float32(2*r.IntN(2) - 1)
	}
	v := ctx.VariableWithValue("weight", tensors.FromFlatDataAndDimensions(codes, 84, classes)).SetTrainable(false)
	w := graph.ConvertDType(v.ValueGraph(x.Graph()), x.DType())
	diff := graph.Sub(graph.ExpandAxes(x, -1), graph.ExpandAxes(w, 0)) // [B, 84, classes]
	return mark(ctx, "RBF", graph.Neg(graph.ReduceSum(graph.Square(diff), 1)))
}
