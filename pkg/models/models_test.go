package models_test

import (
	"testing"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"

	"github.com/godl-book/godl/pkg/backend"
	"github.com/godl-book/godl/pkg/models"
)

func goBackend(t *testing.T) backends.Backend {
	t.Helper()
	b, err := backend.Load(backend.Choice{Config: "go", Name: "go"})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestParameterCounts checks the models against PyTorch's counts, sum(p.numel() for p in
// net.parameters()), computed with torch 1.13 / torchvision 0.14 from the networks as written in
// the PyTorch tutorials "Neural Networks" (Net on 1×32×32: 61,706) and "Training a classifier"
// (Net on 3×32×32 CIFAR-10: 62,006), and in d2l §7.6 "Convolutional Neural Networks (LeNet)"
// (padding 2 on 1×28×28: 61,706); for nn.Linear stacks on flattened 1×28×28 images, nn.Linear(784, 10)
// has 7,850 and the Adam paper's MLP nn.Linear(784, 1000), (1000, 1000), (1000, 10) has
// 785,000 + 1,001,000 + 10,010 = 1,796,010. The logits must come out [batch, classes].
func TestParameterCounts(t *testing.T) {
	b := goBackend(t)
	for _, c := range []struct {
		name    string
		model   models.Model
		dims    []int
		classes int
		want    int
	}{
		{"Net on 1×32×32 (blitz: Neural Networks)", models.Net, []int{2, 32, 32, 1}, 10, 61706},
		{"Net on 3×32×32 (blitz: Training a classifier)", models.Net, []int{2, 32, 32, 3}, 10, 62006},
		{"LeNet5 classic on 1×28×28 (d2l)", models.LeNet5(10), []int{2, 28, 28, 1}, 10, 61706},
		{"LeNet5 classic on 1×32×32", models.LeNet5(10), []int{2, 32, 32, 1}, 10, 61706},
		{"LeNet5 modern on 3×32×32", models.LeNet5(10, models.Modern()), []int{2, 32, 32, 3}, 10, 62006},
		// 84·10+10 = 850 parameters in fc3 for 10 classes; 84·2+2 = 170 for 2: 61,706 − 680.
		{"LeNet5 modern, 2 classes, on 1×28×28", models.LeNet5(2, models.Modern()), []int{1, 28, 28, 1}, 2, 61026},
		{"LogisticRegression(10) on 1×28×28", models.LogisticRegression(10), []int{3, 28, 28, 1}, 10, 7850},
		{"LogisticRegression(2) on 3×32×32", models.LogisticRegression(2), []int{1, 32, 32, 3}, 2, 3072*2 + 2},
		{"MLP(10, nil) on 1×28×28 is logistic regression", models.MLP(10, nil), []int{2, 28, 28, 1}, 10, 7850},
		{"MLP(10, [1000 1000]) on 1×28×28 (Adam paper)", models.MLP(10, []int{1000, 1000}), []int{2, 28, 28, 1}, 10, 1796010},
		{"MLP(10, [256]) with dropout on 1×28×28", models.MLP(10, []int{256}, models.MLPDropout(0.2, 0.5)), []int{2, 28, 28, 1}, 10, 784*256 + 256 + 256*10 + 10},
	} {
		t.Run(c.name, func(t *testing.T) {
			ctx := context.New()
			logits, err := context.ExecOnce(b, ctx, func(ctx *context.Context, images *graph.Node) *graph.Node {
				return c.model(ctx, images)
			}, tensors.FromShape(shapes.Make(dtypes.Float32, c.dims...)))
			if err != nil {
				t.Fatal(err)
			}
			if got := logits.Shape().Dimensions; len(got) != 2 || got[0] != c.dims[0] || got[1] != c.classes {
				t.Errorf("logits shape %v, want [%d %d]", got, c.dims[0], c.classes)
			}
			if got := models.NumParams(ctx); got != c.want {
				t.Errorf("%d parameters, want %d", got, c.want)
			}
		})
	}
}
