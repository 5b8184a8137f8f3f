package models

import (
	"fmt"

	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/ml/context"
	gomlxlayers "github.com/gomlx/gomlx/pkg/ml/layers"

	"github.com/godl-book/godl/pkg/layers"
)

// LogisticRegression is multinomial logistic regression (多项逻辑回归): one dense layer from the
// flattened pixels to classes logits, which the cross-entropy loss turns into softmax
// probabilities. Its loss is convex in the weights, so it is the problem of the Adam paper's
// figure 1 (Kingma & Ba 2015) that chapter 05 ("05-optimizers") redraws: 7,850 parameters on
// 28×28 MNIST, in scope "fc".
func LogisticRegression(classes int) Model {
	return func(ctx *context.Context, images *graph.Node) *graph.Node {
		return layers.Dense(ctx.In("fc"), layers.Flatten(images), classes)
	}
}

// MLPOption changes how MLP is built.
type MLPOption func(*mlp)

type mlp struct {
	classes               int
	hidden                []int
	dropInput, dropHidden float64
}

// MLPDropout makes MLP drop, while training, each input value with probability input and each
// hidden unit with probability hidden, scaling the kept ones by 1/(1−p) (inverted dropout, as
// PyTorch's nn.Dropout); evaluation sees the whole network. Hinton et al. (2012) used 0.2 and
// 0.5, and the Adam paper's figure 2 trains its MLP with dropout. Chapter 08 explains dropout.
func MLPDropout(input, hidden float64) MLPOption {
	return func(m *mlp) { m.dropInput, m.dropHidden = input, hidden }
}

// MLP is a multilayer perceptron (多层感知机): the flattened pixels through one dense layer per
// width in hidden, each followed by ReLU, then a dense layer to classes logits. The Adam paper's
// figure 2 trains MLP(10, []int{1000, 1000}, MLPDropout(…)) on MNIST (1,796,010 parameters);
// chapter 05 ("05-optimizers") trains a narrower one. The layers are in scopes fc1, fc2, …, as
// PyTorch would name them. It panics on a width below 1 or a dropout rate outside [0, 1), as
// GoMLX graph building does on invalid settings.
func MLP(classes int, hidden []int, opts ...MLPOption) Model {
	m := mlp{classes: classes, hidden: append([]int(nil), hidden...)}
	for _, o := range opts {
		o(&m)
	}
	for _, h := range m.hidden {
		if h < 1 {
			panic(fmt.Errorf("models.MLP: hidden width %d, want ≥ 1", h))
		}
	}
	for _, p := range []float64{m.dropInput, m.dropHidden} {
		if !(p >= 0 && p < 1) {
			panic(fmt.Errorf("models.MLP: dropout rate %v, want in [0, 1)", p))
		}
	}
	return m.build
}

func (m mlp) build(ctx *context.Context, images *graph.Node) *graph.Node {
	x := gomlxlayers.DropoutStatic(ctx, layers.Flatten(images), m.dropInput)
	for i, h := range m.hidden {
		x = layers.ReLU(layers.Dense(ctx.In(fmt.Sprintf("fc%d", i+1)), x, h))
		x = gomlxlayers.DropoutStatic(ctx, x, m.dropHidden)
	}
	return layers.Dense(ctx.In(fmt.Sprintf("fc%d", len(m.hidden)+1)), x, m.classes)
}
