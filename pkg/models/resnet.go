package models

import (
	"fmt"

	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/ml/context"

	"github.com/godl-book/godl/pkg/layers"
)

// ResNetOption changes how ResNet builds its network.
type ResNetOption func(*resnet)

type resnet struct {
	blocks     [4]int // blocks per stage
	classes    int
	cifar      bool
	bottleneck bool
}

// CIFARStem replaces ResNet's ImageNet stem (a 7×7 convolution with stride 2, then a 3×3 max pool
// with stride 2: 224×224 → 56×56) by one 3×3 convolution with stride 1 and no pooling, as is usual
// for 32×32 images (He et al. 2016, §4.2): the first stage then sees 32×32 rather than 8×8.
// It is the stem of `make bench-peers`' ResNet-18 row on every side.
func CIFARStem() ResNetOption { return func(r *resnet) { r.cifar = true } }

// Bottleneck builds ResNet from bottleneck blocks (He et al. 2016, §4.1, "Deeper Bottleneck
// Architectures"): conv 1×1 to w channels → BN → ReLU → conv 3×3 (w, the stride) → BN → ReLU →
// conv 1×1 to 4w → BN, plus the shortcut, then ReLU, with w = 64, 128, 256, 512 by stage. As in
// torchvision (ResNet v1.5) the stride is on the 3×3 convolution, and the first block of every
// stage has a projection shortcut (its channels change), layer1 included. Scopes: conv1…conv3,
// bn1…bn3, downsample/0 and /1.
func Bottleneck() ResNetOption { return func(r *resnet) { r.bottleneck = true } }

// ResNet18 is He et al.'s 18-layer residual network (chapter 17) as torchvision builds it, with
// classes outputs: 11,689,512 parameters for 1000 classes on 3-channel images (any size of at
// least 32×32 with the ImageNet stem).
func ResNet18(classes int, opts ...ResNetOption) Model {
	return ResNet([4]int{2, 2, 2, 2}, classes, opts...)
}

// ResNet34 is the 34-layer residual network: 21,797,672 parameters for 1000 classes.
func ResNet34(classes int, opts ...ResNetOption) Model {
	return ResNet([4]int{3, 4, 6, 3}, classes, opts...)
}

// ResNet50 is the 50-layer residual network of bottleneck blocks: 25,557,032 parameters for 1000
// classes and 4.09 G multiply-adds at 224×224, as torchvision.
func ResNet50(classes int, opts ...ResNetOption) Model {
	return ResNet([4]int{3, 4, 6, 3}, classes, append(opts, Bottleneck())...)
}

// ResNet101 is the 101-layer residual network of bottleneck blocks: 44,549,160 parameters for
// 1000 classes.
func ResNet101(classes int, opts ...ResNetOption) Model {
	return ResNet([4]int{3, 4, 23, 3}, classes, append(opts, Bottleneck())...)
}

// ResNet152 is the 152-layer residual network of bottleneck blocks: 60,192,808 parameters for
// 1000 classes.
func ResNet152(classes int, opts ...ResNetOption) Model {
	return ResNet([4]int{3, 8, 36, 3}, classes, append(opts, Bottleneck())...)
}

// ResNet builds a residual network of basic blocks, torchvision's ResNet(BasicBlock, blocks), or
// of bottleneck blocks with the option Bottleneck, torchvision's ResNet(Bottleneck, blocks):
//
//	stem: conv 64@7×7 stride 2 → BN → ReLU → max pool 3 stride 2   (CIFARStem: conv 64@3×3 → BN → ReLU)
//	stages of blocks[i] blocks of width 64, 128, 256, 512; the first block of stages 2–4
//	  has stride 2 and a projection shortcut (1×1 conv stride 2 → BN)
//	global average pool → dense classes
//
// A basic block is conv 3×3 → BN → ReLU → conv 3×3 → BN, plus its input (or the projection),
// then ReLU. Convolutions have no bias (the batch norm after each has one). The number of input
// channels and the image size come from the images; batch norm uses batch statistics while
// ctx is training and running averages otherwise. Scopes follow torchvision's names: conv1, bn1,
// layer1/0/conv1, …, layer2/0/downsample/0 (the projection) and /1 (its BN), fc.
func ResNet(blocks [4]int, classes int, opts ...ResNetOption) Model {
	r := resnet{blocks: blocks, classes: classes}
	for _, o := range opts {
		o(&r)
	}
	return r.build
}

func (r resnet) build(ctx *context.Context, images *graph.Node) *graph.Node {
	checkImages("ResNet", images, r.classes)
	var x *graph.Node
	if r.cifar {
		x = layers.Conv2D(ctx.In("conv1"), images, 64, 3).Padding(1).Bias(false).Done()
	} else {
		x = layers.Conv2D(ctx.In("conv1"), images, 64, 7).Stride(2).Padding(3).Bias(false).Done()
	}
	x = mark(ctx.In("conv1"), "Conv2D", x)
	x = layers.ReLU(mark(ctx.In("bn1"), "BatchNorm", layers.BatchNorm(ctx.In("bn1"), x).Done()))
	if !r.cifar {
		x = layers.MaxPool2D(x, 3).Stride(2).Padding(1).Impl(layers.ImplFrom(ctx)).Done()
		x = mark(ctx.In("maxpool"), "MaxPool2D", x)
	}
	block, kind := basicBlock, "BasicBlock"
	if r.bottleneck {
		block, kind = bottleneckBlock, "Bottleneck"
	}
	for stage, n := range r.blocks {
		channels := 64 << stage
		stageCtx := ctx.In(fmt.Sprintf("layer%d", stage+1))
		for i := range n {
			stride := 1
			if i == 0 && stage > 0 {
				stride = 2
			}
			x = mark(stageCtx.In(fmt.Sprint(i)), kind, block(stageCtx.In(fmt.Sprint(i)), x, channels, stride))
		}
		x = mark(stageCtx, "Sequential", x)
	}
	// Global average pooling, [batch, 1, 1, channels] as PyTorch's AdaptiveAvgPool2d((1, 1)).
	x = mark(ctx.In("avgpool"), "AdaptiveAvgPool2D", graph.ReduceAndKeep(x, graph.ReduceMean, 1, 2))
	return mark(ctx.In("fc"), "Dense", layers.Dense(ctx.In("fc"), layers.Flatten(x), r.classes))
}

// convBN is a convolution without bias (in scope conv) and its batch norm (in scope bn).
func convBN(ctx *context.Context, conv, bn string, x *graph.Node, channels, kernel, stride int) *graph.Node {
	y := layers.Conv2D(ctx.In(conv), x, channels, kernel).Stride(stride).Padding(kernel / 2).Bias(false).Done()
	y = mark(ctx.In(conv), "Conv2D", y)
	return mark(ctx.In(bn), "BatchNorm", layers.BatchNorm(ctx.In(bn), y).Done())
}

// shortcut is the block's input, or its projection (1×1 convolution and batch norm, in scope
// downsample) where the stride or the channel count changes.
func shortcut(ctx *context.Context, x *graph.Node, channels, stride int) *graph.Node {
	if stride == 1 && x.Shape().Dimensions[3] == channels {
		return x
	}
	proj := ctx.In("downsample")
	return mark(proj, "Sequential", convBN(proj, "0", "1", x, channels, 1, stride))
}

// basicBlock is ResNet's two 3×3 convolutions with a shortcut around them.
func basicBlock(ctx *context.Context, x *graph.Node, channels, stride int) *graph.Node {
	y := layers.ReLU(convBN(ctx, "conv1", "bn1", x, channels, 3, stride))
	y = convBN(ctx, "conv2", "bn2", y, channels, 3, 1)
	return layers.ReLU(graph.Add(y, shortcut(ctx, x, channels, stride)))
}

// bottleneckBlock is 1×1 (narrow) → 3×3 (strided) → 1×1 (4× wide), with a shortcut around them.
func bottleneckBlock(ctx *context.Context, x *graph.Node, width, stride int) *graph.Node {
	y := layers.ReLU(convBN(ctx, "conv1", "bn1", x, width, 1, 1))
	y = layers.ReLU(convBN(ctx, "conv2", "bn2", y, width, 3, stride))
	y = convBN(ctx, "conv3", "bn3", y, 4*width, 1, 1)
	return layers.ReLU(graph.Add(y, shortcut(ctx, x, 4*width, stride)))
}
