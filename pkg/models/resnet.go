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
	blocks  [4]int // basic blocks per stage
	classes int
	cifar   bool
}

// CIFARStem replaces ResNet's ImageNet stem (a 7×7 convolution with stride 2, then a 3×3 max pool
// with stride 2: 224×224 → 56×56) by one 3×3 convolution with stride 1 and no pooling, as is usual
// for 32×32 images (He et al. 2016, §4.2): the first stage then sees 32×32 rather than 8×8.
// It is the stem of `make bench-peers`' ResNet-18 row on every side.
func CIFARStem() ResNetOption { return func(r *resnet) { r.cifar = true } }

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

// ResNet builds a residual network of basic blocks, torchvision's ResNet(BasicBlock, blocks):
//
//	stem: conv 64@7×7 stride 2 → BN → ReLU → max pool 3 stride 2   (CIFARStem: conv 64@3×3 → BN → ReLU)
//	stages of blocks[i] basic blocks with 64, 128, 256, 512 channels; the first block of stages 2–4
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
	if images.Rank() != 4 {
		panic(fmt.Errorf("models.ResNet: images shaped %s, want [batch, height, width, channels]", images.Shape()))
	}
	if r.classes < 1 {
		panic(fmt.Errorf("models.ResNet: %d classes, want ≥ 1", r.classes))
	}
	var x *graph.Node
	if r.cifar {
		x = layers.Conv2D(ctx.In("conv1"), images, 64, 3).Padding(1).Bias(false).Done()
	} else {
		x = layers.Conv2D(ctx.In("conv1"), images, 64, 7).Stride(2).Padding(3).Bias(false).Done()
	}
	x = layers.ReLU(layers.BatchNorm(ctx.In("bn1"), x).Done())
	if !r.cifar {
		x = layers.MaxPool2D(x, 3).Stride(2).Padding(1).Impl(layers.ImplFrom(ctx)).Done()
	}
	for stage, n := range r.blocks {
		channels := 64 << stage
		stageCtx := ctx.In(fmt.Sprintf("layer%d", stage+1))
		for i := range n {
			stride := 1
			if i == 0 && stage > 0 {
				stride = 2
			}
			x = basicBlock(stageCtx.In(fmt.Sprint(i)), x, channels, stride)
		}
	}
	x = graph.ReduceMean(x, 1, 2) // global average pooling: [batch, channels]
	return layers.Dense(ctx.In("fc"), x, r.classes)
}

// basicBlock is ResNet's two 3×3 convolutions with a shortcut around them; the shortcut is a
// projection (1×1 convolution and batch norm) where the stride or the channel count changes.
func basicBlock(ctx *context.Context, x *graph.Node, channels, stride int) *graph.Node {
	y := layers.Conv2D(ctx.In("conv1"), x, channels, 3).Stride(stride).Padding(1).Bias(false).Done()
	y = layers.ReLU(layers.BatchNorm(ctx.In("bn1"), y).Done())
	y = layers.Conv2D(ctx.In("conv2"), y, channels, 3).Padding(1).Bias(false).Done()
	y = layers.BatchNorm(ctx.In("bn2"), y).Done()
	shortcut := x
	if stride != 1 || x.Shape().Dimensions[3] != channels {
		proj := ctx.In("downsample")
		shortcut = layers.Conv2D(proj.In("0"), x, channels, 1).Stride(stride).Bias(false).Done()
		shortcut = layers.BatchNorm(proj.In("1"), shortcut).Done()
	}
	return layers.ReLU(graph.Add(y, shortcut))
}
