package layers

import (
	"fmt"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/shapes"
)

// dilatedPatches gathers every window of a dilated kernel over x [B, H, W, C] into
// [B, OH, OW, KH·KW, C], the im2col of Conv2D with Dilation: window (r, q)'s tap (i, j) reads the
// padded image at row r·stride + i·dilation and column q·stride + j·dilation. w holds the kernel's
// own size (not its span).
//
// Where the width is not dilated, a window's row of taps is KW·C contiguous values and one
// GatherSlices per row copies it, as patches does; otherwise each tap is its own slice of C values.
func dilatedPatches(x *graph.Node, w window2D, dil [2]int) *graph.Node {
	g := x.Graph()
	dims := x.Shape().Dimensions
	sw := spanned(w, dil)
	oh, ow := sw.outSize(0, dims[1]), sw.outSize(1, dims[2])
	xp := pad2D(x, w.pad, 0)
	dims = xp.Shape().Dimensions
	b, hp, wp, c := dims[0], dims[1], dims[2], dims[3]
	kh, kw := w.size[0], w.size[1]
	taps, length := kw, c // taps gathered one by one along a row, each `length` values long
	if dil[1] == 1 {
		taps, length = 1, kw*c
	}

	n := oh * ow * kh * taps
	starts := make([]int32, 0, n)
	for r := range oh {
		for q := range ow {
			for i := range kh {
				for j := range taps {
					row, col := r*w.stride[0]+i*dil[0], q*w.stride[1]+j*dil[1]
					starts = append(starts, int32((row*wp+col)*c))
				}
			}
		}
	}
	per := hp * wp * c
	spatial := graph.BroadcastToDims(graph.Reshape(graph.Const(g, starts), 1, n), b, n)
	first := graph.MulScalar(graph.Iota(g, shapes.Make(dtypes.Int32, b, n), 0), float64(per))
	indices := graph.Reshape(graph.Add(first, spatial), b*n, 1)
	rows := graph.GatherSlices(graph.Reshape(xp, b*per), []int{0}, indices, []int{length}, false)
	return graph.Reshape(rows, b, oh, ow, kh*kw, c)
}

// groupMatMul returns the products a[i]·b[i] of matrices a [G, n, k] and b [G, k, m], as
// [G, n, m], with its gradient written as two batched products — the grouped Conv2D's matMul
// (see matMul for why GoMLX's own gradient of DotGeneral is avoided, and for the device that
// attaches the gradient).
func groupMatMul(a, b *graph.Node) *graph.Node {
	da, db := a.Shape().Dimensions, b.Shape().Dimensions
	if a.Rank() != 3 || b.Rank() != 3 || da[0] != db[0] || da[2] != db[1] {
		panic(fmt.Errorf("layers: grouped matrix product of %s and %s, want [G, n, k] and [G, k, m]", a.Shape(), b.Shape()))
	}
	y := graph.DotGeneral(graph.StopGradient(a), []int{2}, []int{0}, graph.StopGradient(b), []int{1}, []int{0})
	var v *graph.Node // ∂L/∂y, recorded by the output's gradient
	missing := func() {
		if v == nil {
			panic(fmt.Errorf("layers: grouped matrix product's gradient reached an operand before the output"))
		}
	}
	ta := graph.IdentityWithCustomGradient(a, func(_, _ *graph.Node) *graph.Node {
		missing()
		return graph.DotGeneral(v, []int{2}, []int{0}, b, []int{2}, []int{0}) // v·bᵀ per group: [G, n, k]
	})
	tb := graph.IdentityWithCustomGradient(b, func(_, _ *graph.Node) *graph.Node {
		missing()
		return graph.DotGeneral(a, []int{1}, []int{0}, v, []int{1}, []int{0}) // aᵀ·v per group: [G, k, m]
	})
	zero := graph.MulScalar(graph.Add(graph.ReduceAllSum(ta), graph.ReduceAllSum(tb)), 0)
	return graph.IdentityWithCustomGradient(graph.Add(y, zero), func(_, vy *graph.Node) *graph.Node {
		v = vy
		return vy
	})
}
