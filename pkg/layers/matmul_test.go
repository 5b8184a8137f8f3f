package layers

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"

	"github.com/godl-book/godl/pkg/backend"
)

// TestMatMulGradient checks matMul's hand-written gradient against GoMLX's own gradient of
// DotGeneral (slow but right) on every backend, in a chain a·b·c where each matrix also reaches the
// loss another way, so that gradients from several paths must add up.
func TestMatMulGradient(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	matrix := func(n, m int) *tensors.Tensor {
		data := make([]float32, n*m)
		for i := range data {
			data[i] = float32(r.NormFloat64())
		}
		return tensors.FromFlatDataAndDimensions(data, n, m)
	}
	a, b, c := matrix(7, 5), matrix(5, 3), matrix(3, 4)
	loss := func(mul func(x, y *graph.Node) *graph.Node) func(a, b, c *graph.Node) []*graph.Node {
		return func(a, b, c *graph.Node) []*graph.Node {
			y := mul(mul(a, b), c)
			l := graph.Add(graph.ReduceAllSum(graph.Mul(y, graph.Sin(y))), graph.ReduceAllSum(graph.Square(mul(a, b))))
			l = graph.Add(l, graph.ReduceAllSum(graph.Mul(c, c)))
			return append([]*graph.Node{l}, graph.Gradient(l, a, b, c)...)
		}
	}
	gomlx := func(x, y *graph.Node) *graph.Node { return graph.DotGeneral(x, []int{1}, nil, y, []int{0}, nil) }
	for _, choice := range backend.Available() {
		be, err := backend.Load(choice)
		if err != nil {
			t.Fatal(err)
		}
		run := func(mul func(x, y *graph.Node) *graph.Node) [][]float32 {
			out, err := graph.MustNewExec(be, loss(mul)).Exec(clone(t, a), clone(t, b), clone(t, c))
			if err != nil {
				t.Fatal(err)
			}
			var values [][]float32
			for _, o := range out {
				values = append(values, tensors.MustCopyFlatData[float32](o))
			}
			return values
		}
		want, got := run(gomlx), run(matMul)
		for i, name := range []string{"loss", "∂/∂a", "∂/∂b", "∂/∂c"} {
			for j := range want[i] {
				if d := math.Abs(float64(got[i][j] - want[i][j])); d > 1e-4*math.Max(1, math.Abs(float64(want[i][j]))) {
					t.Errorf("%s %s[%d] = %v, GoMLX's DotGeneral gives %v", choice.Name, name, j, got[i][j], want[i][j])
					break
				}
			}
		}
	}
}

func clone(t *testing.T, x *tensors.Tensor) *tensors.Tensor {
	t.Helper()
	c, err := x.LocalClone()
	if err != nil {
		t.Fatal(err)
	}
	return c
}
