package detection

import (
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive
)

// corners splits boxes [N, 4] (x1, y1, x2, y2) into four [N, 1] columns.
func corners(b *Node) (x1, y1, x2, y2 *Node) {
	col := func(i int) *Node { return Slice(b, AxisRange(), AxisElem(i)) }
	return col(0), col(1), col(2), col(3)
}

// IoUGraph is IoUMatrix inside a GoMLX graph: the IoU [N, M] of boxes a [N, 4] with boxes b
// [M, 4], corner form, continuous coordinates; 0 where the union is empty. Training losses of
// chapters 23 and 25 match anchors with it; it equals IoUMatrix to rounding.
func IoUGraph(a, b *Node) *Node {
	ax1, ay1, ax2, ay2 := corners(a)
	bx1, by1, bx2, by2 := corners(b)
	row := func(x *Node) *Node { return Transpose(x, 0, 1) } // [M, 1] → [1, M]
	bx1, by1, bx2, by2 = row(bx1), row(by1), row(bx2), row(by2)
	zero := ScalarZero(a.Graph(), a.DType())
	iw := Max(Sub(Min(ax2, bx2), Max(ax1, bx1)), zero)
	ih := Max(Sub(Min(ay2, by2), Max(ay1, by1)), zero)
	inter := Mul(iw, ih)
	area := func(x1, y1, x2, y2 *Node) *Node { return Mul(Max(Sub(x2, x1), zero), Max(Sub(y2, y1), zero)) }
	union := Sub(Add(area(ax1, ay1, ax2, ay2), area(bx1, by1, bx2, by2)), inter)
	safe := Where(GreaterThan(union, zero), union, OnesLike(union))
	return Div(inter, safe) // inter is 0 where the union is
}

// EncodeGraph is Coder.Encode inside a graph: the targets [N, 4] that move anchors [N, 4] onto
// gt [N, 4], row by row. Boxes must have positive sizes, as for Encode.
func (c Coder) EncodeGraph(gt, anchors *Node) *Node {
	ax, ay, aw, ah := centres(anchors)
	gx, gy, gw, gh := centres(gt)
	w := func(i int) *Node { return ConstAs(gt, c.Weights[i]) }
	return Concatenate([]*Node{
		Mul(w(0), Div(Sub(gx, ax), aw)), Mul(w(1), Div(Sub(gy, ay), ah)),
		Mul(w(2), Log(Div(gw, aw))), Mul(w(3), Log(Div(gh, ah))),
	}, 1)
}

// DecodeGraph is Coder.Decode inside a graph: the boxes [N, 4] that targets [N, 4] make of
// anchors [N, 4], tw and th clipped to Clip.
func (c Coder) DecodeGraph(targets, anchors *Node) *Node {
	ax, ay, aw, ah := centres(anchors)
	t := func(i int) *Node {
		return Div(Slice(targets, AxisRange(), AxisElem(i)), ConstAs(targets, c.Weights[i]))
	}
	clip := ConstAs(targets, c.Clip)
	cx, cy := Add(Mul(t(0), aw), ax), Add(Mul(t(1), ah), ay)
	pw, ph := Mul(Exp(Min(t(2), clip)), aw), Mul(Exp(Min(t(3), clip)), ah)
	half := ConstAs(targets, 0.5)
	return Concatenate([]*Node{
		Sub(cx, Mul(half, pw)), Sub(cy, Mul(half, ph)), Add(cx, Mul(half, pw)), Add(cy, Mul(half, ph)),
	}, 1)
}

// centres returns the centre and size columns [N, 1] of boxes [N, 4].
func centres(b *Node) (cx, cy, w, h *Node) {
	x1, y1, x2, y2 := corners(b)
	w, h = Sub(x2, x1), Sub(y2, y1)
	half := ConstAs(b, 0.5)
	return Add(x1, Mul(half, w)), Add(y1, Mul(half, h)), w, h
}
