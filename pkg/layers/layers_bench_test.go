package layers_test

import (
	"fmt"
	"testing"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/ml/context"

	"github.com/godl-book/godl/pkg/layers"
)

// Benchmarks of one forward and backward pass (gradients with respect to the input and the
// weights) of each layer at LeNet-5's sizes, batch 64, native and portable; these numbers decide
// what Auto picks. Run: go test ./pkg/layers -run '^$' -bench . -benchtime 20x
var benchLayers = []struct {
	name  string
	dims  []int
	layer func(ctx *context.Context, x *graph.Node) *graph.Node
}{
	{"conv1 1→6 5×5 pad 2 on 28×28", []int{64, 28, 28, 1}, func(ctx *context.Context, x *graph.Node) *graph.Node {
		return layers.Conv2D(ctx, x, 6, 5).Padding(2).Done()
	}},
	{"conv2 6→16 5×5 on 14×14", []int{64, 14, 14, 6}, func(ctx *context.Context, x *graph.Node) *graph.Node {
		return layers.Conv2D(ctx, x, 16, 5).Done()
	}},
	{"conv 16→32 3×3 same on 16×16", []int{64, 16, 16, 16}, func(ctx *context.Context, x *graph.Node) *graph.Node {
		return layers.Conv2D(ctx, x, 32, 3).Same().Done()
	}},
	{"max pool 2 on 28×28×6", []int{64, 28, 28, 6}, func(ctx *context.Context, x *graph.Node) *graph.Node {
		return layers.MaxPool2D(x, 2).Impl(layers.ImplFrom(ctx)).Done()
	}},
	{"max pool 3 stride 2 pad 1 on 28×28×6", []int{64, 28, 28, 6}, func(ctx *context.Context, x *graph.Node) *graph.Node {
		return layers.MaxPool2D(x, 3).Stride(2).Padding(1).Impl(layers.ImplFrom(ctx)).Done()
	}},
	{"avg pool 2 on 28×28×6", []int{64, 28, 28, 6}, func(ctx *context.Context, x *graph.Node) *graph.Node {
		return layers.AvgPool2D(x, 2).Impl(layers.ImplFrom(ctx)).Done()
	}},
	{"batch norm on 28×28×6", []int{64, 28, 28, 6}, func(ctx *context.Context, x *graph.Node) *graph.Node {
		return layers.BatchNorm(ctx, x).Done()
	}},
}

type benchRun struct {
	name    string
	backend backends.Backend
	impl    layers.Impl
}

// BenchmarkLayers runs each layer of benchLayers in its native and portable forms on XLA (when
// installed) and in its portable form on pure Go; the layers' doc comments cite its results.
func BenchmarkLayers(b *testing.B) {
	loadBackends(b)
	runs := []benchRun{{"go/portable", goBackend, layers.Portable}}
	if native != nil {
		runs = append([]benchRun{
			{nativeName + "/native", native, layers.Native},
			{nativeName + "/portable", native, layers.Portable},
		}, runs...)
	} else {
		b.Logf("XLA rows left out: %s", nativeMissing)
	}
	for _, l := range benchLayers {
		for _, run := range runs {
			b.Run(fmt.Sprintf("%s/%s", l.name, run.name), func(b *testing.B) {
				ctx := context.New()
				ctx.SetParam(layers.ParamImpl, run.impl.String())
				exec, err := context.NewExec(run.backend, ctx, func(ctx *context.Context, x *graph.Node) []*graph.Node {
					ctx.SetTraining(x.Graph(), true)
					loss := graph.ReduceAllSum(graph.Square(l.layer(ctx, x)))
					return append([]*graph.Node{loss}, ctx.BuildTrainableVariablesGradientsGraph(loss)...)
				})
				if err != nil {
					b.Fatal(err)
				}
				x := randomTensor(1, l.dims...)
				step := func() {
					out, err := exec.Exec(x)
					if err != nil {
						b.Fatal(err)
					}
					for _, o := range out {
						o.FinalizeAll()
					}
				}
				step() // compile
				b.ResetTimer()
				for range b.N {
					step()
				}
			})
		}
	}
}
