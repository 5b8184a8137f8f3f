package probe_test

import (
	"math"
	"strings"
	"testing"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/context/initializers"

	"github.com/godl-book/godl/internal/testbackend"
	"github.com/godl-book/godl/pkg/probe"
)

// linear is x·W + b from the flattened pixels to 3 classes, starting at zero.
func linear(ctx *context.Context, images *graph.Node) *graph.Node {
	x := graph.Reshape(images, images.Shape().Dimensions[0], -1)
	c := ctx.In("fc").WithInitializer(initializers.Zero)
	w := c.VariableWithShape("weight", shapes.Make(x.DType(), x.Shape().Dimensions[1], 3)).ValueGraph(x.Graph())
	b := c.VariableWithShape("bias", shapes.Make(x.DType(), 3)).ValueGraph(x.Graph())
	return graph.Add(graph.MatMul(x, w), graph.ExpandDims(b, 0))
}

// TestGradNormsByHand: with zero weights every class gets probability 1/3, so the mean
// cross-entropy's gradient is (1/n)·Σᵢ (p − yᵢ) for the bias and (1/n)·Σᵢ xᵢ ⊗ (p − yᵢ) for the
// weights; their norms are computed here in plain Go.
func TestGradNormsByHand(t *testing.T) {
	pix := []float32{1, 2, 0, -1, 0.5, 0, 3, 1}
	labels := []int32{0, 2}
	images := tensors.FromFlatDataAndDimensions(pix, 2, 2, 2, 1)
	ctx := context.New()
	norms, err := probe.GradNorms(testbackend.Get(t), ctx, linear, images,
		tensors.FromFlatDataAndDimensions(labels, 2, 1))
	if err != nil {
		t.Fatal(err)
	}
	var gw [4][3]float64
	var gb [3]float64
	for i, y := range labels {
		for c := range 3 {
			d := 1.0 / 3
			if int32(c) == y {
				d--
			}
			gb[c] += d / 2
			for j := range 4 {
				gw[j][c] += float64(pix[4*i+j]) * d / 2
			}
		}
	}
	var sw, sb float64
	for c := range 3 {
		sb += gb[c] * gb[c]
		for j := range 4 {
			sw += gw[j][c] * gw[j][c]
		}
	}
	want := []probe.GradNorm{{"/fc", "weight", math.Sqrt(sw)}, {"/fc", "bias", math.Sqrt(sb)}}
	if len(norms) != len(want) {
		t.Fatalf("norms %+v, want %+v", norms, want)
	}
	for i, n := range norms {
		if n.Scope != want[i].Scope || n.Name != want[i].Name || math.Abs(n.Norm-want[i].Norm) > 1e-6 {
			t.Errorf("norm %d = %+v, want %+v", i, n, want[i])
		}
	}
	if w := probe.Named(norms, "weight"); len(w) != 1 || w[0].Name != "weight" {
		t.Errorf("Named(weight) = %+v, want the one weight", w)
	}

	// The same context again: the variables exist now and are reused, so the norms are the same.
	again, err := probe.GradNorms(testbackend.Get(t), ctx, linear, images, tensors.FromFlatDataAndDimensions(labels, 2))
	if err != nil {
		t.Fatal(err)
	}
	if again[0].Norm != norms[0].Norm || again[1].Norm != norms[1].Norm {
		t.Errorf("second probe %+v, first %+v: want the same", again, norms)
	}
}

func TestGradNormsErrors(t *testing.T) {
	b := testbackend.Get(t)
	images := tensors.FromShape(shapes.Make(dtypes.Float32, 2, 2, 2, 1))
	labels := tensors.FromFlatDataAndDimensions([]int32{0, 1}, 2, 1)
	if _, err := probe.GradNorms(b, context.New(), nil, images, labels); err == nil ||
		!strings.HasPrefix(err.Error(), "probe: ") {
		t.Errorf("nil model: error %v, want one starting with probe:", err)
	}
	noVars := func(ctx *context.Context, images *graph.Node) *graph.Node {
		return graph.Reshape(images, 2, -1)
	}
	if _, err := probe.GradNorms(b, context.New(), noVars, images, labels); err == nil ||
		!strings.Contains(err.Error(), "no trainable variables") {
		t.Errorf("model without variables: error %v, want it named", err)
	}
	wrong := tensors.FromFlatDataAndDimensions([]int32{0, 1, 2}, 3, 1)
	if _, err := probe.GradNorms(b, context.New(), linear, images, wrong); err == nil {
		t.Error("3 labels for 2 images: no error")
	}
}
