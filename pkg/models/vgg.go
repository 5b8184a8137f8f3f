package models

import (
	"fmt"

	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/ml/context"

	"github.com/godl-book/godl/pkg/layers"
)

// VGGOption changes how VGG is built.
type VGGOption func(*vgg)

type vgg struct {
	depth, classes int
	batchNorm      bool
}

// VGGBatchNorm puts a batch norm between each convolution and its ReLU, torchvision's
// vgg11_bn … vgg19_bn (batch norm came a year after VGG; the convolutions keep their biases).
func VGGBatchNorm() VGGOption { return func(v *vgg) { v.batchNorm = true } }

// vggStages are the convolutions' channels of each stage of Simonyan & Zisserman's table 1,
// configurations A (11 layers), B (13), D (16) and E (19); a 2×2 max pool ends each stage.
var vggStages = map[int][][]int{
	11: {{64}, {128}, {256, 256}, {512, 512}, {512, 512}},
	13: {{64, 64}, {128, 128}, {256, 256}, {512, 512}, {512, 512}},
	16: {{64, 64}, {128, 128}, {256, 256, 256}, {512, 512, 512}, {512, 512, 512}},
	19: {{64, 64}, {128, 128}, {256, 256, 256, 256}, {512, 512, 512, 512}, {512, 512, 512, 512}},
}

// VGG is Simonyan & Zisserman's network (2015) of depth 11, 13, 16 or 19 — configurations A, B,
// D and E of their table 1 — as torchvision builds it (chapter 15): stages of 3×3 convolutions
// with padding 1, each followed by ReLU (or batch norm and ReLU with VGGBatchNorm), each stage
// ended by a 2×2 max pool; then an adaptive average pool to 7×7 and the classifier dense 4096 →
// ReLU → dropout 0.5 → dense 4096 → ReLU → dropout 0.5 → dense classes.
//
// For 1000 classes on 3-channel images: VGG-11 132,863,336 parameters (with batch norm
// 132,868,840), VGG-13 133,047,848 (133,053,736), VGG-16 138,357,544 (138,365,992), VGG-19
// 143,667,240 (143,678,248), as torchvision; VGG-16 takes 15.5 G multiply-adds at 224×224. Any
// input of at least 32×32 works. Scopes are torchvision's module indices: features/0, features/2
// (or /1 for the batch norm and /3 for the next convolution), …, classifier/0, /3, /6. The model
// panics at build time on another depth.
func VGG(depth, classes int, opts ...VGGOption) Model {
	v := vgg{depth: depth, classes: classes}
	for _, o := range opts {
		o(&v)
	}
	return v.build
}

func (v vgg) build(ctx *context.Context, images *graph.Node) *graph.Node {
	checkImages("VGG", images, v.classes)
	stages, ok := vggStages[v.depth]
	if !ok {
		panic(fmt.Errorf("models.VGG: depth %d, want 11, 13, 16 or 19", v.depth))
	}
	impl := layers.ImplFrom(ctx)
	f := ctx.In("features")
	i := 0 // torchvision's index of the next module in features
	x := images
	for _, stage := range stages {
		for _, channels := range stage {
			c := f.In(fmt.Sprint(i))
			x = mark(c, "Conv2D", layers.Conv2D(c, x, channels, 3).Padding(1).Done())
			if v.batchNorm {
				i++
				c = f.In(fmt.Sprint(i))
				x = mark(c, "BatchNorm", layers.BatchNorm(c, x).Done())
			}
			x = layers.ReLU(x)
			i += 2
		}
		x = mark(f.In(fmt.Sprint(i)), "MaxPool2D", layers.MaxPool2D(x, 2).Impl(impl).Done())
		i++
	}
	x = mark(f, "Sequential", x)
	x = mark(ctx.In("avgpool"), "AdaptiveAvgPool2D", layers.AdaptiveAvgPool2D(x, 7, 7))
	return classifier(ctx.In("classifier"), layers.Flatten(x), 4096, v.classes, 0.5, false)
}
