package layers_test

import (
	"fmt"
	"math"
	"os"
	"strings"
	"testing"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/core/tensors"

	"github.com/godl-book/godl/internal/goldens"
	"github.com/godl-book/godl/pkg/layers"
)

// TestAdaptiveAvgPool2DGoldens compares AdaptiveAvgPool2D's values and gradients (of
// Σ upstream·y) with torch's F.adaptive_avg_pool2d on every case of
// tools/goldens/adaptive_pool.py — overlapping windows of unequal sizes, the identity, growing
// 1×1 to 7×7, global pooling — in float32 and float64 on each backend. Tolerances as
// LocalResponseNorm's; measured, 2.9e-7 in float32 and 1.5e-16 in float64 on pure Go and XLA CPU.
func TestAdaptiveAvgPool2DGoldens(t *testing.T) {
	data, err := os.ReadFile("testdata/adaptive_pool_golden.json")
	if err != nil {
		t.Fatal(err)
	}
	var g struct {
		Torch string `json:"torch_version"`
		Cases []struct {
			Shape, Out               []int
			X, Upstream, Value, Grad []float64
		} `json:"cases"`
	}
	if err := goldens.Decode(data, &g); err != nil {
		t.Fatalf("testdata/adaptive_pool_golden.json: %v", err)
	}
	if !strings.HasPrefix(g.Torch, "1.13") || len(g.Cases) < 7 {
		t.Fatalf("goldens from torch %q with %d cases, want torch 1.13 and 7 cases", g.Torch, len(g.Cases))
	}
	for name, b := range backendsUnderTest(t) {
		worst := map[dtypes.DType]float64{}
		for _, c := range g.Cases {
			fn := func(x, up *graph.Node) (*graph.Node, *graph.Node) {
				y := layers.AdaptiveAvgPool2D(x, c.Out[0], c.Out[1])
				return y, graph.Gradient(graph.ReduceAllSum(graph.Mul(y, up)), x)[0]
			}
			outDims := []int{c.Shape[0], c.Out[0], c.Out[1], c.Shape[3]}
			for _, dt := range []dtypes.DType{dtypes.Float32, dtypes.Float64} {
				out := graph.MustExecOnceN(b, fn, lrnTensor(c.X, c.Shape, dt), lrnTensor(c.Upstream, outDims, dt))
				tol := map[dtypes.DType]float64{dtypes.Float32: lrnTol32, dtypes.Float64: lrnTol64}[dt]
				what := fmt.Sprintf("%v → %v %s on %s", c.Shape, c.Out, dt, name)
				worst[dt] = math.Max(worst[dt], lrnCompare(t, what+" value", lrnFlat(out[0]), c.Value, tol))
				worst[dt] = math.Max(worst[dt], lrnCompare(t, what+" gradient", lrnFlat(out[1]), c.Grad, tol))
			}
		}
		t.Logf("largest error/(1+|want|) on %s: float32 %.2g, float64 %.2g", name,
			worst[dtypes.Float32], worst[dtypes.Float64])
	}
}

// TestAdaptiveAvgPool2DBadArguments checks that senseless settings fail with godl's message.
func TestAdaptiveAvgPool2DBadArguments(t *testing.T) {
	b := backendsUnderTest(t)["go"]
	for _, c := range []struct {
		dims   []int
		oh, ow int
		want   string
	}{
		{[]int{4, 4, 2}, 2, 2, "layers: AdaptiveAvgPool2D: input shape (Float32)[4 4 2]"},
		{[]int{1, 4, 4, 2}, 0, 2, "layers: AdaptiveAvgPool2D: output 0×2, want both ≥ 1"},
	} {
		err := catch(func() {
			graph.MustExecOnce(b, func(x *graph.Node) *graph.Node {
				return layers.AdaptiveAvgPool2D(x, c.oh, c.ow)
			}, tensors.FromShape(shapes.Make(dtypes.Float32, c.dims...)))
		})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v → %d×%d: error %v, want one containing %q", c.dims, c.oh, c.ow, err, c.want)
		}
	}
}
