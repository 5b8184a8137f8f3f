package models

import (
	gomlxlayers "github.com/gomlx/gomlx/pkg/ml/layers"

	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/ml/context"

	"github.com/godl-book/godl/pkg/layers"
)

// MNISTNet is the network of the pytorch/examples MNIST program (mnist/main.py), which cmd/mnist
// and chapter 18 train on 28×28 digits:
//
//	conv 32@3×3 → ReLU → conv 64@3×3 → ReLU → max pool 2 → dropout 0.25 → dense 128 → ReLU →
//	dropout 0.5 → dense 10
//
// 1,199,882 parameters, as PyTorch counts the original. It returns logits: the original's
// log_softmax followed by nll_loss is the cross-entropy that training.Classification applies.
// Dropout acts only while training. Weights are in the scopes conv1, conv2, fc1 and fc2.
func MNISTNet(ctx *context.Context, images *graph.Node) *graph.Node {
	impl := layers.ImplFrom(ctx)
	x := layers.ReLU(mark(ctx.In("conv1"), "Conv2D", layers.Conv2D(ctx.In("conv1"), images, 32, 3).Done()))
	x = layers.ReLU(mark(ctx.In("conv2"), "Conv2D", layers.Conv2D(ctx.In("conv2"), x, 64, 3).Done()))
	x = mark(ctx.In("pool"), "MaxPool2D", layers.MaxPool2D(x, 2).Impl(impl).Done())
	x = gomlxlayers.DropoutStatic(ctx, layers.Flatten(x), 0.25)
	x = layers.ReLU(mark(ctx.In("fc1"), "Dense", layers.Dense(ctx.In("fc1"), x, 128)))
	x = gomlxlayers.DropoutStatic(ctx, x, 0.5)
	return mark(ctx.In("fc2"), "Dense", layers.Dense(ctx.In("fc2"), x, 10))
}

// HogwildNet is the network of the pytorch/examples program mnist_hogwild, which
// cmd/mnist-hogwild trains on 28×28 digits:
//
//	conv 10@5×5 → max pool 2 → ReLU → conv 20@5×5 → channel dropout 0.5 → max pool 2 → ReLU →
//	dense 50 → ReLU → dropout 0.5 → dense 10
//
// 21,840 parameters. Channel dropout (PyTorch's Dropout2d) zeroes whole feature maps. It returns
// logits (the original's log_softmax + nll_loss is cross-entropy). Weights are in the scopes
// conv1, conv2, fc1 and fc2.
func HogwildNet(ctx *context.Context, images *graph.Node) *graph.Node {
	impl := layers.ImplFrom(ctx)
	x := mark(ctx.In("conv1"), "Conv2D", layers.Conv2D(ctx.In("conv1"), images, 10, 5).Done())
	x = layers.ReLU(mark(ctx.In("pool1"), "MaxPool2D", layers.MaxPool2D(x, 2).Impl(impl).Done()))
	x = mark(ctx.In("conv2"), "Conv2D", layers.Conv2D(ctx.In("conv2"), x, 20, 5).Done())
	x = channelDropout(ctx, x, 0.5)
	x = layers.ReLU(mark(ctx.In("pool2"), "MaxPool2D", layers.MaxPool2D(x, 2).Impl(impl).Done()))
	x = layers.ReLU(mark(ctx.In("fc1"), "Dense", layers.Dense(ctx.In("fc1"), layers.Flatten(x), 50)))
	x = gomlxlayers.DropoutStatic(ctx, x, 0.5)
	return mark(ctx.In("fc2"), "Dense", layers.Dense(ctx.In("fc2"), x, 10))
}

// channelDropout zeroes each channel of each image [batch, height, width, channels] with
// probability rate while training, scaling the others by 1/(1−rate): one mask value per
// (image, channel), drawn by dropping out a tensor of ones.
func channelDropout(ctx *context.Context, x *graph.Node, rate float64) *graph.Node {
	d := x.Shape().Dimensions
	mask := gomlxlayers.DropoutStatic(ctx, graph.Ones(x.Graph(), shapes.Make(x.DType(), d[0], 1, 1, d[3])), rate)
	return graph.Mul(x, mask)
}
