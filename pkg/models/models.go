// Package models holds the book's networks, each a Model: a function that maps a batch of images
// to logits, creating its weights in a context. Chapter 03 builds the first one (the PyTorch
// blitz's Net); chapters 13–17 tell the story of the classic convolutional networks with its
// zoo — LeNet-5 (1998 and today's), AlexNet, VGG, GoogLeNet and ResNet, each equal to torchvision's
// in parameter count and output shape — and Summary prints any of them layer by layer.
package models

import (
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/ml/context"

	"github.com/godl-book/godl/pkg/layers"
)

// Model maps images [batch, height, width, channels] (float32) to logits [batch, classes],
// creating or reusing its weights in ctx. It is the one definition: training.Model is this type,
// and training.Fit trains it.
type Model func(ctx *context.Context, images *graph.Node) *graph.Node

// NumParams counts the values in ctx's trainable variables, as PyTorch's
// sum(p.numel() for p in model.parameters()) does: weights and biases, not running statistics
// nor optimizer state.
func NumParams(ctx *context.Context) int {
	n := 0
	for v := range ctx.IterVariables() {
		if v.Trainable {
			n += v.Shape().Size()
		}
	}
	return n
}

// LeNetOption changes how LeNet5 is built.
type LeNetOption func(*lenet)

type lenet struct {
	classes int
	modern  bool
	paper   bool
}

// Modern makes LeNet5 the way PyTorch's tutorials build it: ReLU instead of sigmoid and max
// pooling instead of average pooling.
func Modern() LeNetOption { return func(l *lenet) { l.modern = true } }

// LeCun1998 makes LeNet5 the network of LeCun, Bottou, Bengio & Haffner's 1998 paper (§II.B):
// scaled tanh, trainable subsampling, the sparse C3 and a Euclidean RBF output — see lenet1998.go.
func LeCun1998() LeNetOption { return func(l *lenet) { l.paper = true } }

// LeNet5 is LeCun et al.'s 1998 network as d2l and PyTorch write it today (chapter 13):
//
//	conv 6@5×5 → σ → avg pool 2 → conv 16@5×5 → σ → avg pool 2 → dense 120 → σ → dense 84 → σ → dense classes
//
// with sigmoid σ and average pooling by default (the classic variant; the 1998 paper used a
// scaled tanh, trainable subsampling and a sparse C3), or ReLU and max pooling with Modern().
// It is made for 32×32 images; 28×28 ones (MNIST) get 2 pixels of zero padding in the first
// convolution, as in d2l, so both see 5×5×16 = 400 features at the first dense layer: 61,706
// parameters for 10 classes on one channel. Other sizes work, with the first dense layer sized to
// fit. Weights are in the scopes conv1, conv2, fc1, fc2 and fc3, PyTorch's names. With
// LeCun1998 it is the paper's network instead: 60,000 trainable parameters.
func LeNet5(classes int, opts ...LeNetOption) Model {
	l := lenet{classes: classes}
	for _, o := range opts {
		o(&l)
	}
	if l.paper {
		return l.build1998
	}
	return l.build
}

func (l lenet) build(ctx *context.Context, images *graph.Node) *graph.Node {
	act, pool, poolKind := layers.Sigmoid, layers.AvgPool2D, "AvgPool2D"
	if l.modern {
		act, pool, poolKind = layers.ReLU, layers.MaxPool2D, "MaxPool2D"
	}
	impl := layers.ImplFrom(ctx)
	x := mark(ctx.In("conv1"), "Conv2D", layers.Conv2D(ctx.In("conv1"), images, 6, 5).Padding(mnistPad(images)).Done())
	x = mark(ctx.In("pool1"), poolKind, pool(act(x), 2).Impl(impl).Done())
	x = mark(ctx.In("conv2"), "Conv2D", layers.Conv2D(ctx.In("conv2"), x, 16, 5).Done())
	x = mark(ctx.In("pool2"), poolKind, pool(act(x), 2).Impl(impl).Done())
	x = layers.Flatten(x)
	x = act(mark(ctx.In("fc1"), "Dense", layers.Dense(ctx.In("fc1"), x, 120)))
	x = act(mark(ctx.In("fc2"), "Dense", layers.Dense(ctx.In("fc2"), x, 84)))
	return mark(ctx.In("fc3"), "Dense", layers.Dense(ctx.In("fc3"), x, l.classes))
}

// mnistPad is the padding that brings 28×28 images to LeNet's 32×32: 2, or 0 for other sizes.
func mnistPad(images *graph.Node) int {
	if d := images.Shape().Dimensions; len(d) == 4 && d[1] == 28 && d[2] == 28 {
		return 2
	}
	return 0
}

// Net is the network of PyTorch's 60-minute blitz (chapter 03): "Neural Networks" builds it for
// 32×32 gray images, "Training a classifier" for 32×32×3 CIFAR-10 ones, with the number of input
// channels as the only difference. It is LeNet-5 with ReLU and max pooling and 10 classes:
//
//	conv 6@5×5 → ReLU → max pool 2 → conv 16@5×5 → ReLU → max pool 2 → dense 120 → ReLU → dense 84 → ReLU → dense 10
//
// 61,706 parameters on one channel, 62,006 on three.
func Net(ctx *context.Context, images *graph.Node) *graph.Node {
	impl := layers.ImplFrom(ctx)
	x := layers.ReLU(layers.Conv2D(ctx.In("conv1"), images, 6, 5).Done())
	x = layers.MaxPool2D(x, 2).Impl(impl).Done()
	x = layers.ReLU(layers.Conv2D(ctx.In("conv2"), x, 16, 5).Done())
	x = layers.MaxPool2D(x, 2).Impl(impl).Done()
	x = layers.Flatten(x)
	x = layers.ReLU(layers.Dense(ctx.In("fc1"), x, 120))
	x = layers.ReLU(layers.Dense(ctx.In("fc2"), x, 84))
	return layers.Dense(ctx.In("fc3"), x, 10)
}
