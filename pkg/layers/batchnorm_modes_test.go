package layers_test

import (
	"math"
	"testing"

	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"

	"github.com/godl-book/godl/pkg/layers"
)

// TestBatchNormModes checks BatchNorm's two modes against PyTorch's definition (nn.BatchNorm2d's
// documentation), computed here in float64: one training-mode pass over a [4, 2, 2, 3] batch sets
// running_mean to 0.9·0 + 0.1·mean and running_var to 0.9·1 + 0.1·(unbiased variance, n = 16)
// for each channel; evaluation then normalizes with those running statistics, not the batch's:
// y = (x − running_mean)/√(running_var + 1e-5) (γ = 1, β = 0 as initialized). On each backend,
// for the native and the portable form.
func TestBatchNormModes(t *testing.T) {
	const n, c = 16, 3
	x := randomTensor(21, 4, 2, 2, c)
	xs := tensors.MustCopyFlatData[float32](x)
	var mean, unbiased [c]float64
	for i, v := range xs {
		mean[i%c] += float64(v) / n
	}
	for i, v := range xs {
		d := float64(v) - mean[i%c]
		unbiased[i%c] += d * d / (n - 1)
	}
	for name, b := range backendsUnderTest(t) {
		for _, impl := range []layers.Impl{layers.Native, layers.Portable} {
			if impl == layers.Native && !layers.HasOps(b, layers.BatchNormNativeOps...) {
				continue
			}
			ctx, x := context.New(), randomTensor(21, 4, 2, 2, c) // a tensor stays on its first backend
			run := func(training bool) []float32 {
				out, err := context.ExecOnce(b, ctx, func(ctx *context.Context, x *graph.Node) *graph.Node {
					ctx.SetTraining(x.Graph(), training)
					return layers.BatchNorm(ctx, x).Impl(impl).Done()
				}, x)
				if err != nil {
					t.Fatal(err)
				}
				ctx = ctx.Reuse()
				return tensors.MustCopyFlatData[float32](out)
			}
			run(true)
			rm := tensors.MustCopyFlatData[float32](ctx.GetVariable("running_mean").MustValue())
			rv := tensors.MustCopyFlatData[float32](ctx.GetVariable("running_var").MustValue())
			for ch := range c {
				wm, wv := 0.1*mean[ch], 0.9+0.1*unbiased[ch]
				if math.Abs(float64(rm[ch])-wm) > 1e-6 || math.Abs(float64(rv[ch])-wv) > 1e-6 {
					t.Errorf("%s %s channel %d: running mean %g, var %g; want %g, %g", name, impl, ch, rm[ch], rv[ch], wm, wv)
				}
			}
			want := make([]float32, len(xs))
			for i, v := range xs {
				want[i] = float32((float64(v) - float64(rm[i%c])) / math.Sqrt(float64(rv[i%c])+1e-5))
			}
			assertClose(t, name+" "+impl.String()+" evaluation", run(false), want, 1e-6)
		}
	}
}
