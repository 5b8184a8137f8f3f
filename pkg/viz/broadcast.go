package viz

import (
	"fmt"
	"math"
)

// BroadcastDiagram is the sum of two broadcast matrices drawn cell by cell, built by
// BroadcastAdd.
type BroadcastDiagram struct {
	base
	a, b [][]float64
}

// BroadcastAdd draws a + b under NumPy's broadcasting rule: each axis of size 1 stretches to
// the other operand's size. Each operand is drawn at the result's shape: its own cells shaded,
// the stretched copies dashed and grey, then the sum. Chapter 01 draws [3,1] + [1,4] → [3,4].
// The operands must be non-empty rectangular matrices whose shapes broadcast.
func BroadcastAdd(a, b [][]float64) *BroadcastDiagram {
	d := &BroadcastDiagram{a: a, b: b}
	d.base = base{fig: d, where: "BroadcastAdd", alt: "broadcasting diagram"}
	return d
}

// Broadcast-diagram geometry, in pixels.
const (
	bcCell, bcGap, bcMargin, bcTop = 34.0, 40.0, 20.0, 40.0
)

// matrixShape returns m's rows and columns, or why m is not a non-empty rectangle.
func matrixShape(m [][]float64) (rows, cols int, err error) {
	if len(m) == 0 || len(m[0]) == 0 {
		return 0, 0, fmt.Errorf("empty matrix")
	}
	for i, r := range m {
		if len(r) != len(m[0]) {
			return 0, 0, fmt.Errorf("row %d has %d values, row 0 has %d", i, len(r), len(m[0]))
		}
		for _, v := range r {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return 0, 0, fmt.Errorf("row %d holds %v", i, v)
			}
		}
	}
	return len(m), len(m[0]), nil
}

// broadcastDim is the size two axes of sizes p and q broadcast to, or false if they do not.
func broadcastDim(p, q int) (int, bool) {
	switch {
	case p == q || q == 1:
		return p, true
	case p == 1:
		return q, true
	}
	return 0, false
}

func (d *BroadcastDiagram) render() (*canvas, error) {
	ra, ca, err := matrixShape(d.a)
	if err != nil {
		return nil, d.errorf("a: %v", err)
	}
	rb, cb, err := matrixShape(d.b)
	if err != nil {
		return nil, d.errorf("b: %v", err)
	}
	rows, okR := broadcastDim(ra, rb)
	cols, okC := broadcastDim(ca, cb)
	if !okR || !okC {
		return nil, d.errorf("shapes [%d,%d] and [%d,%d] do not broadcast: "+
			"each axis must match or be 1", ra, ca, rb, cb)
	}
	gridW, gridH := float64(cols)*bcCell, float64(rows)*bcCell
	c := newCanvas(2*bcMargin+3*gridW+2*bcGap, bcTop+gridH+40)
	title := fmt.Sprintf("broadcasting: [%d,%d] + [%d,%d] → [%d,%d]", ra, ca, rb, cb, rows, cols)
	c.text(c.w/2, 18, title, titleSize, "middle", "title", `font-weight="bold"`)
	at := func(m [][]float64, i, j int) (float64, bool) { // the value m lends to cell (i, j)
		own := i < len(m) && j < len(m[0])
		return m[min(i, len(m)-1)][min(j, len(m[0])-1)], own
	}
	for k, m := range [][][]float64{d.a, d.b, nil} {
		x0 := bcMargin + float64(k)*(gridW+bcGap)
		for i := range rows {
			for j := range cols {
				x, y := x0+float64(j)*bcCell, bcTop+float64(i)*bcCell
				v, own := 0.0, true
				if m == nil {
					va, _ := at(d.a, i, j)
					vb, _ := at(d.b, i, j)
					v = va + vb
				} else {
					v, own = at(m, i, j)
				}
				class, fill, stroke, ink := "cell-own", "#cfe2f3", `stroke="#555"`, "#000"
				switch {
				case m == nil:
					class, fill = "cell-result", "#d9ead3"
				case !own:
					class, fill, ink = "cell-copy", "#f7f7f7", "#999"
					stroke = `stroke="#aaa" stroke-dasharray="3,2"`
				}
				c.rect(x, y, bcCell, bcCell, fill, class, stroke)
				c.text(x+bcCell/2, y+bcCell/2, formatValue(v), tickSize, "middle", "value",
					`fill="`+ink+`"`)
			}
		}
		shape := [][2]int{{ra, ca}, {rb, cb}, {rows, cols}}[k]
		label := fmt.Sprintf("[%d,%d]", shape[0], shape[1])
		c.text(x0+gridW/2, bcTop+gridH+16, label, tickSize, "middle", "shape", "")
		if k < 2 {
			op := []string{"+", "="}[k]
			c.text(x0+gridW+bcGap/2, bcTop+gridH/2, op, titleSize+4, "middle", "operator", "")
		}
	}
	return c, nil
}
