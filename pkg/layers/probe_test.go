package layers_test

import (
	"strings"
	"testing"
	"time"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/ml/context"

	"github.com/godl-book/godl/pkg/layers"
)

// TestGoBackendLacksNativeGradients records why the portable forms exist: on GoMLX v0.26.0's pure
// Go backend, the gradient of each native op fails for want of one backend op, named here. If this
// test fails after a GoMLX upgrade, the Go backend has gained the op: revisit the Auto choices.
// The same probe shows that each layer's Auto form does train there.
func TestGoBackendLacksNativeGradients(t *testing.T) {
	loadBackends(t) // pure Go only
	g := goBackend
	kernel := func(x *graph.Node) *graph.Node {
		return graph.Ones(x.Graph(), shapes.Make(dtypes.Float32, 3, 3, 3, 4))
	}
	bn := func(x *graph.Node) *graph.Node {
		ones := graph.Ones(x.Graph(), shapes.Make(dtypes.Float32, 3))
		y, _, _ := graph.InternalBatchNormForTraining(x, ones, graph.ZerosLike(ones), 1e-5, -1)
		return y
	}
	probes := []struct {
		name       string
		fn         func(x *graph.Node) *graph.Node
		missing    string // op whose absence the gradient hits
		forwardErr bool   // the forward pass fails already
	}{
		{"graph.Convolve", func(x *graph.Node) *graph.Node {
			return graph.Convolve(x, kernel(x)).StridePerAxis(1, 1).NoPadding().Done()
		}, "Reverse", false},
		{"graph.Convolve with default strides", func(x *graph.Node) *graph.Node {
			return graph.Convolve(x, kernel(x)).NoPadding().Done()
		}, "stride[0]=0", true},
		{"graph.MaxPool", func(x *graph.Node) *graph.Node { return graph.MaxPool(x).Window(2).Done() }, "SelectAndScatterMax", false},
		{"graph.MeanPool", func(x *graph.Node) *graph.Node { return graph.MeanPool(x).Window(2).Done() }, "Pad", false},
		{"graph.Slice", func(x *graph.Node) *graph.Node { return graph.Slice(x, graph.AxisRange(), graph.AxisRange(1, 3)) }, "Pad", false},
		{"graph.InternalBatchNormForTraining", bn, "BatchNormForTraining", true},
		// Not a Go-backend gap: GoMLX registers no gradient for Rsqrt at all, so BatchNorm uses 1/Sqrt.
		{"graph.Rsqrt", func(x *graph.Node) *graph.Node { return graph.Rsqrt(graph.Exp(x)) }, "no gradient is defined", false},
	}
	x := randomTensor(1, 2, 8, 8, 3)
	for _, p := range probes {
		fwdErr := catch(func() {
			_, err := graph.ExecOnce(g, func(x *graph.Node) *graph.Node { return p.fn(x) }, x)
			if err != nil {
				panic(err)
			}
		})
		if (fwdErr != nil) != p.forwardErr {
			t.Errorf("%s forward on go: error %v, want error: %v", p.name, fwdErr, p.forwardErr)
		}
		gradErr := catch(func() {
			_, err := graph.ExecOnce(g, func(x *graph.Node) *graph.Node {
				return graph.Gradient(graph.ReduceAllSum(p.fn(x)), x)[0]
			}, x)
			if err != nil {
				panic(err)
			}
		})
		if gradErr == nil || !strings.Contains(gradErr.Error(), p.missing) {
			t.Errorf("%s gradient on go: error %v, want one naming %q", p.name, gradErr, p.missing)
		} else {
			t.Logf("%s gradient on go fails: %.90s…", p.name, gradErr.Error())
		}
	}

	// Auto forms of the same layers train there.
	auto := map[string]func(ctx *context.Context, x *graph.Node) *graph.Node{
		"Conv2D": func(ctx *context.Context, x *graph.Node) *graph.Node { return layers.Conv2D(ctx, x, 4, 3).Done() },
		"MaxPool2D": func(_ *context.Context, x *graph.Node) *graph.Node {
			return layers.MaxPool2D(x, 3).Stride(2).Padding(1).Done()
		},
		"AvgPool2D": func(_ *context.Context, x *graph.Node) *graph.Node {
			return layers.AvgPool2D(x, 3).Stride(2).Padding(1).Done()
		},
		"BatchNorm": func(ctx *context.Context, x *graph.Node) *graph.Node { return layers.BatchNorm(ctx, x).Done() },
	}
	for name, layer := range auto {
		res := runLayer(t, g, true, layers.Auto, layerVariables(t, layer, []int{2, 8, 8, 3}), layer, x)
		if len(res.dx) != 2*8*8*3 {
			t.Errorf("layers.%s on go: gradient has %d values, want %d", name, len(res.dx), 2*8*8*3)
		}
	}
}

// TestGoBackendDeadlocksOnParallelOps records why pkg/backend loads the pure-Go backend with
// ops_sequential: with its ops run in parallel, GoMLX v0.26.0's Go backend deadlocks on four
// independent 256×256 matrix products when it has one core's worth of workers (2): each product
// holds a worker while its parts wait for one. Run one op at a time, they finish in milliseconds.
// If the parallel run finishes too, GoMLX has fixed it: drop goConfig in pkg/backend.
func TestGoBackendDeadlocksOnParallelOps(t *testing.T) {
	products := func(x *graph.Node) *graph.Node {
		sum := graph.ZerosLike(x)
		for i := range 4 {
			sum = graph.Add(sum, graph.Dot(graph.AddScalar(x, float64(i)), x))
		}
		return graph.ReduceAllSum(sum)
	}
	for cfg, wantDeadlock := range map[string]bool{
		"go:ops_parallel,parallelism=1":   true,
		"go:ops_sequential,parallelism=1": false,
	} {
		b, err := backends.NewWithConfig(cfg)
		if err != nil {
			t.Fatal(err)
		}
		x := randomTensor(1, 256, 256) // a tensor stays with the backend that first used it
		done := make(chan error, 1)
		go func() { // a deadlocked run stays blocked in the background until the test binary exits
			_, err := graph.ExecOnce(b, products, x)
			done <- err
		}()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("%s: %v", cfg, err)
			} else if wantDeadlock {
				t.Errorf("%s finished: GoMLX's Go backend no longer deadlocks, drop goConfig in pkg/backend", cfg)
			}
		case <-time.After(3 * time.Second):
			if !wantDeadlock {
				t.Errorf("%s: still running after 3 s", cfg)
			}
		}
	}
}
