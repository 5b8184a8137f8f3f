package layers

import (
	"fmt"

	"github.com/gomlx/gomlx/pkg/core/graph"
)

// matMul returns a·b for matrices a [n, k] and b [k, m], with its gradient computed by two
// matrix products: ∂L/∂a = v·bᵀ and ∂L/∂b = aᵀ·v, where v = ∂L/∂(a·b).
//
// GoMLX v0.26.0 differentiates DotGeneral (and Dot) by broadcasting v and the other operand to
// [n, k, m], multiplying and summing: n·k·m memory and element-wise work instead of a matrix
// product. On pure Go that made the portable convolution's backward pass 10–50× slower than its
// forward pass. This is the fix, for the products inside Dense and the portable Conv2D.
//
// GoMLX attaches custom gradients to one-input identities only, so the two gradients travel on
// identities of a and b (ta, tb) that join the output through a term multiplied by zero; the
// output's own identity passes v through and records it for them. Reverse-mode autodiff visits
// the output before ta and tb (it walks nodes in reverse order of creation), so v is set when
// they need it. The zero term costs two sums over a and b, nothing next to the product.
func matMul(a, b *graph.Node) *graph.Node {
	if a.Rank() != 2 || b.Rank() != 2 || a.Shape().Dimensions[1] != b.Shape().Dimensions[0] {
		panic(fmt.Errorf("layers: matrix product of %s and %s, want [n, k] and [k, m]", a.Shape(), b.Shape()))
	}
	y := graph.DotGeneral(graph.StopGradient(a), []int{1}, nil, graph.StopGradient(b), []int{0}, nil)
	var v *graph.Node // ∂L/∂y, recorded by out's gradient
	missing := func() {
		if v == nil {
			panic(fmt.Errorf("layers: matrix product's gradient reached an operand before the output"))
		}
	}
	ta := graph.IdentityWithCustomGradient(a, func(_, _ *graph.Node) *graph.Node {
		missing()
		return graph.DotGeneral(v, []int{1}, nil, b, []int{1}, nil) // v·bᵀ: [n, m]·[k, m]ᵀ → [n, k]
	})
	tb := graph.IdentityWithCustomGradient(b, func(_, _ *graph.Node) *graph.Node {
		missing()
		return graph.DotGeneral(a, []int{0}, nil, v, []int{0}, nil) // aᵀ·v: [n, k]ᵀ·[n, m] → [k, m]
	})
	zero := graph.MulScalar(graph.Add(graph.ReduceAllSum(ta), graph.ReduceAllSum(tb)), 0)
	return graph.IdentityWithCustomGradient(graph.Add(y, zero), func(_, vy *graph.Node) *graph.Node {
		v = vy
		return vy
	})
}
