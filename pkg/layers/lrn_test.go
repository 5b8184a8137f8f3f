package layers_test

import (
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

// Tolerances against torch 1.13, which computed in float64 from the same float32 inputs: a value
// passes when |got − want| ≤ tol·(1 + |want|). Measured (the test logs it): about 1e-7 in float32
// and 1e-16 in float64, on pure Go and XLA CPU.
const (
	lrnTol32 = 2e-6
	lrnTol64 = 1e-12
)

type lrnGolden struct {
	Torch string `json:"torch_version"`
	Cases []struct {
		Name     string         `json:"name"`
		Options  map[string]any `json:"options"`
		Shape    []int          `json:"shape"`
		X        []float64      `json:"x"`
		Upstream []float64      `json:"upstream"`
		Value    []float64      `json:"value"`
		Grad     []float64      `json:"grad"`
	} `json:"cases"`
}

// TestLocalResponseNormGoldens compares LocalResponseNorm's values and gradients (of
// Σ upstream·y) with torch's F.local_response_norm on every case of tools/goldens/lrn.py — the
// AlexNet setting, torch's defaults with an even size, a window wider than the channels, one
// channel, a rank-3 input — in float32 and float64 on each backend.
func TestLocalResponseNormGoldens(t *testing.T) {
	data, err := os.ReadFile("testdata/lrn_golden.json")
	if err != nil {
		t.Fatal(err)
	}
	var g lrnGolden
	if err := goldens.Decode(data, &g); err != nil {
		t.Fatalf("testdata/lrn_golden.json: %v", err)
	}
	if !strings.HasPrefix(g.Torch, "1.13") || len(g.Cases) < 8 {
		t.Fatalf("goldens from torch %q with %d cases, want torch 1.13 and 8 cases", g.Torch, len(g.Cases))
	}
	for name, b := range backendsUnderTest(t) {
		worst := map[dtypes.DType]float64{}
		for _, c := range g.Cases {
			opts := goldens.NewOptions(c.Options)
			size, _ := opts.Float("size")
			alpha, beta, k := opts.FloatOr("alpha", 1e-4), opts.FloatOr("beta", 0.75), opts.FloatOr("k", 1)
			if err := opts.Err(); err != nil {
				t.Fatalf("%s: %v", c.Name, err)
			}
			fn := func(x, up *graph.Node) (*graph.Node, *graph.Node) {
				y := layers.LocalResponseNorm(x, int(size), alpha, beta, k)
				return y, graph.Gradient(graph.ReduceAllSum(graph.Mul(y, up)), x)[0]
			}
			for _, dt := range []dtypes.DType{dtypes.Float32, dtypes.Float64} {
				x, up := lrnTensor(c.X, c.Shape, dt), lrnTensor(c.Upstream, c.Shape, dt)
				out := graph.MustExecOnceN(b, fn, x, up)
				tol := map[dtypes.DType]float64{dtypes.Float32: lrnTol32, dtypes.Float64: lrnTol64}[dt]
				for i, want := range [][]float64{c.Value, c.Grad} {
					what := c.Name + " " + dt.String() + " on " + name + " " + []string{"value", "gradient"}[i]
					worst[dt] = math.Max(worst[dt], lrnCompare(t, what, lrnFlat(out[i]), want, tol))
				}
			}
		}
		t.Logf("largest error/(1+|want|) on %s: float32 %.2g, float64 %.2g", name,
			worst[dtypes.Float32], worst[dtypes.Float64])
	}
}

// TestLocalResponseNormBadArguments checks that senseless settings fail with godl's message.
func TestLocalResponseNormBadArguments(t *testing.T) {
	b := backendsUnderTest(t)["go"]
	for _, c := range []struct {
		name, want string
		dims       []int
		size       int
	}{
		{"a vector", "layers: LocalResponseNorm: input shape (Float32)[5]", []int{5}, 3},
		{"size 0", "layers: LocalResponseNorm: size 0, k 1, beta 0.75", []int{2, 4}, 0},
	} {
		err := catch(func() {
			graph.MustExecOnce(b, func(x *graph.Node) *graph.Node {
				return layers.LocalResponseNorm(x, c.size, 1e-4, 0.75, 1)
			}, tensors.FromShape(shapes.Make(dtypes.Float32, c.dims...)))
		})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", c.name, err, c.want)
		}
	}
}

func lrnTensor(v []float64, dims []int, dt dtypes.DType) *tensors.Tensor {
	if dt == dtypes.Float64 {
		return tensors.FromFlatDataAndDimensions(append([]float64(nil), v...), dims...)
	}
	f := make([]float32, len(v))
	for i, x := range v {
		f[i] = float32(x)
	}
	return tensors.FromFlatDataAndDimensions(f, dims...)
}

func lrnFlat(t *tensors.Tensor) []float64 {
	if t.DType() == dtypes.Float64 {
		return tensors.MustCopyFlatData[float64](t)
	}
	var out []float64
	for _, v := range tensors.MustCopyFlatData[float32](t) {
		out = append(out, float64(v))
	}
	return out
}

// lrnCompare reports entries off by more than tol·(1+|want|) and returns the largest such ratio.
func lrnCompare(t *testing.T, what string, got, want []float64, tol float64) float64 {
	t.Helper()
	if len(got) != len(want) || len(want) == 0 {
		t.Fatalf("%s: %d values, want %d (> 0)", what, len(got), len(want))
	}
	worst := 0.0
	for i := range want {
		e := math.Abs(got[i]-want[i]) / (1 + math.Abs(want[i]))
		if !(e <= tol) {
			t.Errorf("%s [%d]: got %g, torch %g", what, i, got[i], want[i])
			return e
		}
		worst = math.Max(worst, e)
	}
	return worst
}
