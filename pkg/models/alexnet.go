package models

import (
	"fmt"

	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/ml/context"
	gomlxlayers "github.com/gomlx/gomlx/pkg/ml/layers"

	"github.com/godl-book/godl/pkg/layers"
)

// AlexNetOption changes how AlexNet is built.
type AlexNetOption func(*alexnet)

type alexnet struct {
	classes int
	lrn     bool
	twoGPU  bool
}

// WithLRN adds the 2012 paper's local response normalization (size 5, α 1e-4, β 0.75, k 2)
// after the ReLUs of the first two convolutions, before their pooling (Krizhevsky et al. 2012,
// §3.3 and §3.5). It has no parameters, so the count stays torchvision's.
func WithLRN() AlexNetOption { return func(a *alexnet) { a.lrn = true } }

// TwoGPU builds the 2012 paper's widths instead of torchvision's: 96, 256, 384, 384 and 256
// kernels, with conv1 unpadded, and conv2, conv4 and conv5 split into two groups (Conv2D's
// Groups), each seeing only the half of the previous layer's maps that lived on its GPU — the
// paper's figure 2. With WithLRN it is the 2012 network: 60,965,224 parameters for 1000 classes,
// as PyTorch counts it and as Caffe's bvlc_alexnet has, on 227×227 images (the paper's "224"
// does not give its 55×55 maps).
func TwoGPU() AlexNetOption { return func(a *alexnet) { a.twoGPU = true } }

// AlexNet is Krizhevsky, Sutskever and Hinton's 2012 network (chapter 14) as torchvision builds
// it — the one-GPU form of Krizhevsky's 2014 "One weird trick", with 64, 192, 384, 256 and 256
// kernels where the paper's two GPUs had 96, 256, 384, 384 and 256 (TwoGPU), and without response
// normalization unless WithLRN:
//
//	conv 64@11×11 stride 4 pad 2 → ReLU → max pool 3 stride 2
//	conv 192@5×5 pad 2 → ReLU → max pool 3 stride 2
//	conv 384@3×3 → ReLU → conv 256@3×3 → ReLU → conv 256@3×3 → ReLU → max pool 3 stride 2
//	adaptive average pool to 6×6 → dropout 0.5 → dense 4096 → ReLU → dropout 0.5 → dense 4096 → ReLU → dense classes
//
// 61,100,840 parameters for 1000 classes on 3-channel images, and 0.71 G multiply-adds at
// 224×224, both as torchvision (TestZooMatchesTorchvision). Any input of at least 63×63 works
// (the adaptive pooling fits the classifier to it); the channels come from the images. Scopes
// are torchvision's module names: features/0, features/3, … and classifier/1, /4, /6. Flattening
// takes the 6×6×256 features in HWC order, not PyTorch's CHW.
func AlexNet(classes int, opts ...AlexNetOption) Model {
	a := alexnet{classes: classes}
	for _, o := range opts {
		o(&a)
	}
	return a.build
}

func (a alexnet) build(ctx *context.Context, images *graph.Node) *graph.Node {
	checkImages("AlexNet", images, a.classes)
	impl := layers.ImplFrom(ctx)
	f := ctx.In("features")
	conv := func(i, channels, kernel, stride, pad, groups int, x *graph.Node) *graph.Node {
		c := f.In(fmt.Sprint(i))
		y := layers.Conv2D(c, x, channels, kernel).Stride(stride).Padding(pad).Groups(groups).Done()
		return layers.ReLU(mark(c, "Conv2D", y))
	}
	pool := func(i int, x *graph.Node) *graph.Node {
		if a.lrn && i < 12 {
			x = layers.LocalResponseNorm(x, 5, 1e-4, 0.75, 2)
		}
		return mark(f.In(fmt.Sprint(i)), "MaxPool2D", layers.MaxPool2D(x, 3).Stride(2).Impl(impl).Done())
	}
	w, pad1, g := [5]int{64, 192, 384, 256, 256}, 2, 1
	if a.twoGPU {
		w, pad1, g = [5]int{96, 256, 384, 384, 256}, 0, 2
	}
	x := pool(2, conv(0, w[0], 11, 4, pad1, 1, images))
	x = pool(5, conv(3, w[1], 5, 1, 2, g, x))
	x = conv(6, w[2], 3, 1, 1, 1, x)
	x = conv(8, w[3], 3, 1, 1, g, x)
	x = mark(f, "Sequential", pool(12, conv(10, w[4], 3, 1, 1, g, x)))
	x = mark(ctx.In("avgpool"), "AdaptiveAvgPool2D", layers.AdaptiveAvgPool2D(x, 6, 6))
	return classifier(ctx.In("classifier"), layers.Flatten(x), 4096, a.classes, 0.5, true)
}

// classifier is AlexNet's and VGG's head: dense → ReLU → dropout twice, then dense classes, in
// torchvision's scopes 0, 3, 6 — or, with dropoutFirst (AlexNet), dropout before each of the
// first two dense layers, in scopes 1, 4, 6.
func classifier(ctx *context.Context, x *graph.Node, width, classes int, dropout float64, dropoutFirst bool) *graph.Node {
	scopes := []int{0, 3, 6}
	if dropoutFirst {
		scopes = []int{1, 4, 6}
	}
	for _, i := range scopes[:2] {
		if dropoutFirst {
			x = gomlxlayers.DropoutStatic(ctx, x, dropout)
		}
		c := ctx.In(fmt.Sprint(i))
		x = layers.ReLU(mark(c, "Dense", layers.Dense(c, x, width)))
		if !dropoutFirst {
			x = gomlxlayers.DropoutStatic(ctx, x, dropout)
		}
	}
	c := ctx.In(fmt.Sprint(scopes[2]))
	return mark(ctx, "Sequential", mark(c, "Dense", layers.Dense(c, x, classes)))
}

// checkImages panics with a models error, as GoMLX graph building does, unless images is
// [batch, height, width, channels] and classes ≥ 1.
func checkImages(model string, images *graph.Node, classes int) {
	if images.Rank() != 4 {
		panic(fmt.Errorf("models.%s: images shaped %s, want [batch, height, width, channels]", model, images.Shape()))
	}
	if classes < 1 {
		panic(fmt.Errorf("models.%s: %d classes, want ≥ 1", model, classes))
	}
}
