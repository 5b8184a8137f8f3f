package models_test

import (
	"slices"
	"testing"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"

	"github.com/godl-book/godl/pkg/models"
)

// TestExampleNets checks the pytorch/examples MNIST networks' parameter counts, as torch 1.13
// counts them: mnist/main.py's Net, conv1 320 + conv2 18,496 + fc1 1,179,776 + fc2 1,290 =
// 1,199,882, and mnist_hogwild/main.py's, 260 + 5,020 + 16,050 + 510 = 21,840.
func TestExampleNets(t *testing.T) {
	for name, c := range map[string]struct {
		model models.Model
		want  int
	}{"MNISTNet": {models.MNISTNet, 1199882}, "HogwildNet": {models.HogwildNet, 21840}} {
		t.Run(name, func(t *testing.T) { checkExampleNet(t, c.model, c.want) })
	}
}

func checkExampleNet(t *testing.T, model models.Model, want int) {
	ctx := context.New()
	logits, err := context.ExecOnce(goBackend(t), ctx, func(ctx *context.Context, images *graph.Node) *graph.Node {
		ctx.SetTraining(images.Graph(), true) // dropout on
		return model(ctx, images)
	}, tensors.FromShape(shapes.Make(dtypes.Float32, 2, 28, 28, 1)))
	if err != nil {
		t.Fatal(err)
	}
	if got := logits.Shape().Dimensions; len(got) != 2 || got[0] != 2 || got[1] != 10 {
		t.Errorf("logits shape %v, want [2 10]", got)
	}
	if got := models.NumParams(ctx); got != want {
		t.Errorf("%d parameters, want %d", got, want)
	}
	scopes := map[string]bool{}
	for v := range ctx.IterVariables() {
		scopes[v.Scope()] = true
	}
	for _, scope := range []string{"/conv1", "/conv2", "/fc1", "/fc2"} {
		if !scopes[scope] {
			t.Errorf("no variables in scope %q (have %v)", scope, scopes)
		}
	}
}

// TestExampleNetsSummary checks the rows Summary gives the pytorch/examples networks: torchinfo
// shows mnist/main.py's Net as conv 32@26×26, conv 64@24×24, pool 64@12×12, dense 128, dense 10.
func TestExampleNetsSummary(t *testing.T) {
	table, err := models.Summary(models.MNISTNet, 1, 28, 28, 1)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		name   string
		output []int
		params int
	}{
		{"conv1", []int{1, 26, 26, 32}, 320}, {"conv2", []int{1, 24, 24, 64}, 18496},
		{"pool", []int{1, 12, 12, 64}, 0}, {"fc1", []int{1, 128}, 1179776}, {"fc2", []int{1, 10}, 1290},
	}
	if len(table.Layers) != len(want) {
		t.Fatalf("%d rows, want %d:\n%s", len(table.Layers), len(want), table.Format(0))
	}
	for i, w := range want {
		l := table.Layers[i]
		if l.Name != w.name || !slices.Equal(l.Output, w.output) || l.Params != w.params {
			t.Errorf("row %d: %s %v %d parameters, want %s %v %d", i, l.Name, l.Output, l.Params, w.name, w.output, w.params)
		}
	}
	if _, err := models.Summary(models.HogwildNet, 1, 28, 28, 1); err != nil {
		t.Error(err)
	}
}
