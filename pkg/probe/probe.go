// Package probe looks inside a network on one batch: the norm of the loss's gradient with
// respect to each of its weights. Chapter 07 draws these norms layer by layer to show the
// vanishing gradient (梯度消失) of a deep sigmoid network next to a ReLU one.
package probe

import (
	"errors"
	"fmt"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/train/losses"

	"github.com/godl-book/godl/pkg/models"
)

// GradNorm is the gradient norm of one trainable variable.
type GradNorm struct {
	Scope string  // the variable's scope, e.g. "/fc1"
	Name  string  // the variable's name, e.g. "weight"
	Norm  float64 // ‖∂loss/∂variable‖₂, the square root of the sum of its squared entries
}

// GradNorms returns the gradient norms of the mean softmax cross-entropy of model on one batch —
// images float32 [n, height, width, channels] and labels int32 [n] or [n, 1], as a
// datasets.Loader gives them — with respect to every trainable variable of ctx, in the order the
// model creates them (for models.MLP: fc1's weight and bias, then fc2's, …). Variables missing
// from ctx are created with their initializers, so a fresh context seeded as training.Fit seeds
// its own gives the norms at initialization, and a trained run's Context those after training.
// The loss is the one training.Fit minimizes; nothing is updated.
func GradNorms(b backends.Backend, ctx *context.Context, model models.Model, images, labels *tensors.Tensor) ([]GradNorm, error) {
	if b == nil || ctx == nil || model == nil || images == nil || labels == nil {
		return nil, errors.New("probe: GradNorms needs a backend, a context, a model, images and labels")
	}
	var norms []GradNorm
	exec, err := context.NewExec(b, ctx.Checked(false), func(ctx *context.Context, x, y *graph.Node) *graph.Node {
		if y.Rank() == 1 {
			y = graph.ExpandDims(y, -1)
		}
		loss := graph.ReduceAllMean(losses.SparseCategoricalCrossEntropyLogits(
			[]*graph.Node{y}, []*graph.Node{model(ctx, x)}))
		var values []*graph.Node
		norms = norms[:0]
		for v := range ctx.IterVariables() {
			if v.Trainable {
				values = append(values, v.ValueGraph(x.Graph()))
				norms = append(norms, GradNorm{Scope: v.Scope(), Name: v.Name()})
			}
		}
		if len(values) == 0 {
			panic(errors.New("probe: the model has no trainable variables"))
		}
		grads := graph.Gradient(loss, values...)
		for i, g := range grads {
			grads[i] = graph.Sqrt(graph.ReduceAllSum(graph.Square(graph.ConvertDType(g, loss.DType()))))
		}
		return graph.Stack(grads, 0)
	})
	if err != nil {
		return nil, fmt.Errorf("probe: %w", err)
	}
	defer exec.Finalize()
	out, err := exec.Exec(images, labels)
	if err != nil {
		return nil, fmt.Errorf("probe: %w", err)
	}
	for i, v := range tensors.MustCopyFlatData[float32](out[0]) {
		norms[i].Norm = float64(v)
	}
	return norms, nil
}

// Named keeps the norms of the variables called name ("weight" for the weight matrices, one per
// layer), in the same order.
func Named(norms []GradNorm, name string) []GradNorm {
	var out []GradNorm
	for _, n := range norms {
		if n.Name == name {
			out = append(out, n)
		}
	}
	return out
}
