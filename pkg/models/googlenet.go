package models

import (
	"fmt"

	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/ml/context"
	gomlxlayers "github.com/gomlx/gomlx/pkg/ml/layers"

	"github.com/godl-book/godl/pkg/layers"
)

// GoogLeNetOption changes how GoogLeNet is built.
type GoogLeNetOption func(*googlenet)

type googlenet struct {
	classes int
	aux     bool
}

// AuxClassifiers gives GoogLeNet its two auxiliary classifiers (Szegedy et al. 2015, §5), on the
// outputs of inception4a and inception4d, as torchvision's aux_logits=True: 13,004,888 parameters
// instead of 6,624,904. A Model returns the main logits only; GoogLeNetHeads returns all three,
// for a loss that adds the auxiliary ones with weight 0.3, as the paper does.
func AuxClassifiers() GoogLeNetOption { return func(g *googlenet) { g.aux = true } }

// inception holds one Inception module's widths, torchvision's Inception(in, ch1x1, ch3x3red,
// ch3x3, ch5x5red, ch5x5, pool_proj) without the input (it comes from x).
type inception struct {
	name                                              string
	ch1x1, ch3x3red, ch3x3, ch5x5red, ch5x5, poolProj int
}

// googlenetStages are table 1 of the paper: the inception modules of stages 3, 4 and 5.
var googlenetStages = [][]inception{
	{{"inception3a", 64, 96, 128, 16, 32, 32}, {"inception3b", 128, 128, 192, 32, 96, 64}},
	{{"inception4a", 192, 96, 208, 16, 48, 64}, {"inception4b", 160, 112, 224, 24, 64, 64},
		{"inception4c", 128, 128, 256, 24, 64, 64}, {"inception4d", 112, 144, 288, 32, 64, 64},
		{"inception4e", 256, 160, 320, 32, 128, 128}},
	{{"inception5a", 256, 160, 320, 32, 128, 128}, {"inception5b", 384, 192, 384, 48, 128, 128}},
}

// GoogLeNet is Szegedy et al.'s 22-layer Inception v1 network (2015) as torchvision builds it
// (chapter 16): a stem (conv 64@7×7 stride 2, max pool, conv 64@1×1, conv 192@3×3, max pool),
// nine Inception modules in three stages with max pools between them, global average pooling,
// dropout 0.2 and a dense layer to classes. An Inception module runs four branches side by side
// and concatenates their channels: 1×1; 1×1 → 3×3; 1×1 → "5×5"; 3×3 max pool → 1×1.
//
// As torchvision, every convolution is followed by batch norm (ε 0.001) and ReLU and has no bias
// (batch norm came after the paper), the max pools round their output sizes up (PyTorch's
// ceil_mode=True), and the "5×5" branch uses a 3×3 kernel — a slip in torchvision's code kept for
// its pretrained weights, which gives its 6,624,904 parameters for 1000 classes (1.50 G
// multiply-adds at 224×224); with AuxClassifiers 13,004,888. Inputs of 32×32 and larger work.
// Scopes are torchvision's module names: conv1/conv, conv1/bn, inception3a/branch2/1/conv, …, fc.
func GoogLeNet(classes int, opts ...GoogLeNetOption) Model {
	heads := GoogLeNetHeads(classes, opts...)
	return func(ctx *context.Context, images *graph.Node) *graph.Node {
		logits, _ := heads(ctx, images)
		return logits
	}
}

// GoogLeNetHeads builds GoogLeNet and returns its logits and, with AuxClassifiers, the two
// auxiliary classifiers' logits (nil without).
func GoogLeNetHeads(classes int, opts ...GoogLeNetOption) func(ctx *context.Context, images *graph.Node) (logits *graph.Node, aux []*graph.Node) {
	g := googlenet{classes: classes}
	for _, o := range opts {
		o(&g)
	}
	return g.build
}

func (gn googlenet) build(ctx *context.Context, images *graph.Node) (*graph.Node, []*graph.Node) {
	checkImages("GoogLeNet", images, gn.classes)
	x := basicConv(ctx.In("conv1"), images, 64, 7, 2, 3)
	x = mark(ctx.In("maxpool1"), "MaxPool2D", maxPoolCeil(ctx, x, 3, 2))
	x = basicConv(ctx.In("conv2"), x, 64, 1, 1, 0)
	x = basicConv(ctx.In("conv3"), x, 192, 3, 1, 1)
	x = mark(ctx.In("maxpool2"), "MaxPool2D", maxPoolCeil(ctx, x, 3, 2))
	var aux []*graph.Node
	for s, stage := range googlenetStages {
		for _, m := range stage {
			x = inceptionModule(ctx.In(m.name), x, m)
			if gn.aux && (m.name == "inception4a" || m.name == "inception4d") {
				auxCtx := ctx.In(fmt.Sprintf("aux%d", len(aux)+1))
				if !ctx.IsTraining(x.Graph()) {
					// Built for their weights (counts and checkpoints as in training) but not part of
					// an evaluation's forward pass, so not in a Summary — as torchvision in eval mode.
					auxCtx.SetGraphParam(x.Graph(), recorderKey, (*recorder)(nil))
				}
				aux = append(aux, auxClassifier(auxCtx, x, gn.classes))
			}
		}
		switch s {
		case 0:
			x = mark(ctx.In("maxpool3"), "MaxPool2D", maxPoolCeil(ctx, x, 3, 2))
		case 1:
			x = mark(ctx.In("maxpool4"), "MaxPool2D", maxPoolCeil(ctx, x, 2, 2))
		}
	}
	x = mark(ctx.In("avgpool"), "AdaptiveAvgPool2D", layers.AdaptiveAvgPool2D(x, 1, 1))
	x = gomlxlayers.DropoutStatic(ctx, layers.Flatten(x), 0.2)
	return mark(ctx.In("fc"), "Dense", layers.Dense(ctx.In("fc"), x, gn.classes)), aux
}

// basicConv is torchvision's BasicConv2d: a convolution without bias, batch norm with ε 0.001,
// ReLU.
func basicConv(ctx *context.Context, x *graph.Node, channels, kernel, stride, pad int) *graph.Node {
	y := mark(ctx.In("conv"), "Conv2D",
		layers.Conv2D(ctx.In("conv"), x, channels, kernel).Stride(stride).Padding(pad).Bias(false).Done())
	y = mark(ctx.In("bn"), "BatchNorm", layers.BatchNorm(ctx.In("bn"), y).Epsilon(0.001).Done())
	return mark(ctx, "BasicConv2d", layers.ReLU(y))
}

// inceptionModule runs the four branches on x and concatenates their channels.
func inceptionModule(ctx *context.Context, x *graph.Node, m inception) *graph.Node {
	b1 := basicConv(ctx.In("branch1"), x, m.ch1x1, 1, 1, 0)
	b2 := basicConv(ctx.In("branch2").In("0"), x, m.ch3x3red, 1, 1, 0)
	b2 = mark(ctx.In("branch2"), "Sequential", basicConv(ctx.In("branch2").In("1"), b2, m.ch3x3, 3, 1, 1))
	b3 := basicConv(ctx.In("branch3").In("0"), x, m.ch5x5red, 1, 1, 0)
	b3 = mark(ctx.In("branch3"), "Sequential", basicConv(ctx.In("branch3").In("1"), b3, m.ch5x5, 3, 1, 1))
	b4 := layers.MaxPool2D(x, 3).Stride(1).Padding(1).Impl(layers.ImplFrom(ctx)).Done()
	b4 = mark(ctx.In("branch4").In("0"), "MaxPool2D", b4)
	b4 = mark(ctx.In("branch4"), "Sequential", basicConv(ctx.In("branch4").In("1"), b4, m.poolProj, 1, 1, 0))
	return mark(ctx, "Inception", graph.Concatenate([]*graph.Node{b1, b2, b3, b4}, 3))
}

// auxClassifier is torchvision's InceptionAux: adaptive average pool to 4×4, conv 128@1×1 (with
// batch norm and ReLU), dense 1024 → ReLU → dropout 0.7 → dense classes.
func auxClassifier(ctx *context.Context, x *graph.Node, classes int) *graph.Node {
	x = basicConv(ctx.In("conv"), layers.AdaptiveAvgPool2D(x, 4, 4), 128, 1, 1, 0)
	x = layers.ReLU(mark(ctx.In("fc1"), "Dense", layers.Dense(ctx.In("fc1"), layers.Flatten(x), 1024)))
	x = gomlxlayers.DropoutStatic(ctx, x, 0.7)
	return mark(ctx, "InceptionAux", mark(ctx.In("fc2"), "Dense", layers.Dense(ctx.In("fc2"), x, classes)))
}

// maxPoolCeil is GoogLeNet's max pool (window, stride, no padding) with PyTorch's
// ceil_mode=True, which rounds the output size up.
func maxPoolCeil(ctx *context.Context, x *graph.Node, window, stride int) *graph.Node {
	return layers.MaxPool2D(x, window).Stride(stride).CeilMode().Impl(layers.ImplFrom(ctx)).Done()
}
