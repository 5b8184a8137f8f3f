package viz

import (
	"fmt"
	"math"
	"slices"
)

// NodeRole says how a DAG node is shaded: an input, an operation of the forward pass, one of
// the backward pass (the nodes autodiff added), or an output.
type NodeRole int

const (
	ForwardOp NodeRole = iota
	Input
	BackwardOp
	Output
)

// roleFill and roleName give each role its colour and its name in the legend.
var (
	roleFill = map[NodeRole]string{ForwardOp: "#f2f2f2", Input: "#cfe2f3", BackwardOp: "#fce5cd", Output: "#d9ead3"}
	roleName = map[NodeRole]string{ForwardOp: "forward", Input: "input", BackwardOp: "backward", Output: "output"}
)

// DAGNode is one node of a DAG figure: its label, its role, and the indices of the nodes it
// reads, all smaller than its own index (the nodes come in the order they were computed).
type DAGNode struct {
	Label  string
	Role   NodeRole
	Inputs []int
}

// DAGDiagram is a directed acyclic graph drawn in rows, built by DAG.
type DAGDiagram struct {
	base
	title string
	nodes []DAGNode
}

// DAG draws a computation as a directed acyclic graph: each node sits one row below the lowest
// of its inputs, so inputs are on top and results at the bottom, and an arrow runs from every
// input to the node that reads it. Chapter 02 draws the graph GoMLX built for a function and
// its gradient (see book.GraphDAG).
func DAG(title string, nodes ...DAGNode) *DAGDiagram {
	d := &DAGDiagram{title: title, nodes: nodes}
	d.base = base{fig: d, where: fmt.Sprintf("DAG(%q)", title), alt: "graph: " + title}
	return d
}

// DAG geometry, in pixels.
const (
	dagBoxH, dagRowGap, dagColGap, dagPad = 24.0, 30.0, 14.0, 20.0
	dagTop, dagLegend                     = 40.0, 36.0
)

// rows assigns each node its row (1 + the deepest of its inputs) and orders each row by the
// mean position of the nodes' inputs, which keeps most arrows from crossing.
func (d *DAGDiagram) rows() ([][]int, error) {
	depth := make([]int, len(d.nodes))
	var rows [][]int
	for i, n := range d.nodes {
		if n.Label == "" {
			return nil, d.errorf("node %d has no label", i)
		}
		if _, ok := roleFill[n.Role]; !ok {
			return nil, d.errorf("node %d (%q): unknown role %d", i, n.Label, n.Role)
		}
		for _, in := range n.Inputs {
			if in < 0 || in >= i {
				return nil, d.errorf("node %d (%q): input %d is not an earlier node", i, n.Label, in)
			}
			depth[i] = max(depth[i], depth[in]+1)
		}
		if depth[i] == len(rows) {
			rows = append(rows, nil)
		}
		rows[depth[i]] = append(rows[depth[i]], i)
	}
	if len(rows) == 0 {
		return nil, d.errorf("no nodes")
	}
	pos := make([]float64, len(d.nodes))
	for r, row := range rows {
		key := func(i int) float64 {
			if r == 0 || len(d.nodes[i].Inputs) == 0 {
				return float64(i)
			}
			sum := 0.0
			for _, in := range d.nodes[i].Inputs {
				sum += pos[in]
			}
			return sum / float64(len(d.nodes[i].Inputs))
		}
		keys := make(map[int]float64, len(row))
		for _, i := range row {
			keys[i] = key(i)
		}
		slices.SortStableFunc(row, func(a, b int) int { return cmpFloat(keys[a], keys[b]) })
		for k, i := range row {
			pos[i] = float64(k) - float64(len(row)-1)/2
		}
	}
	return rows, nil
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func (d *DAGDiagram) render() (*canvas, error) {
	rows, err := d.rows()
	if err != nil {
		return nil, err
	}
	boxW := make([]float64, len(d.nodes))
	rowW := make([]float64, len(rows))
	for r, row := range rows {
		for _, i := range row {
			boxW[i] = math.Max(44, textWidth(d.nodes[i].Label, tickSize)+16)
			rowW[r] += boxW[i] + dagColGap
		}
		rowW[r] -= dagColGap
	}
	w := math.Max(slices.Max(rowW)+2*dagPad, textWidth(d.title, titleSize)+2*dagPad)
	w = math.Max(w, 380)
	h := dagTop + float64(len(rows))*(dagBoxH+dagRowGap) - dagRowGap + dagLegend
	c := newCanvas(w, h)
	c.text(w/2, 18, d.title, titleSize, "middle", "title", `font-weight="bold"`)
	cx, cy := make([]float64, len(d.nodes)), make([]float64, len(d.nodes))
	for r, row := range rows {
		x := (w - rowW[r]) / 2
		for _, i := range row {
			cx[i], cy[i] = x+boxW[i]/2, dagTop+float64(r)*(dagBoxH+dagRowGap)+dagBoxH/2
			x += boxW[i] + dagColGap
		}
	}
	for i, n := range d.nodes { // arrows first, so boxes cover their ends
		for _, in := range n.Inputs {
			dagArrow(c, cx[in], cy[in]+dagBoxH/2, cx[i], cy[i]-dagBoxH/2)
		}
	}
	used := map[NodeRole]bool{}
	for i, n := range d.nodes {
		used[n.Role] = true
		c.rect(cx[i]-boxW[i]/2, cy[i]-dagBoxH/2, boxW[i], dagBoxH, roleFill[n.Role], "node", `stroke="#555" rx="4"`)
		c.text(cx[i], cy[i], n.Label, tickSize, "middle", "node-label", "")
	}
	x := dagPad
	for _, role := range []NodeRole{Input, ForwardOp, BackwardOp, Output} {
		if !used[role] {
			continue
		}
		c.rect(x, h-24, 14, 14, roleFill[role], "legend", `stroke="#555" rx="2"`)
		c.text(x+20, h-17, roleName[role], tickSize, "start", "legend", "")
		x += 40 + textWidth(roleName[role], tickSize)
	}
	return c, nil
}

// dagArrow draws a line from (x0, y0) to (x1, y1) with its head at the end.
func dagArrow(c *canvas, x0, y0, x1, y1 float64) {
	dx, dy := x1-x0, y1-y0
	l := math.Hypot(dx, dy)
	ux, uy := dx/l, dy/l
	bx, by := x1-6*ux, y1-6*uy // base of the head
	c.line(x0, y0, bx, by, "#777", 1, "edge")
	c.printf(`<polygon class="edge" points="%s,%s %s,%s %s,%s" fill="#777"/>`+"\n",
		num(bx-3.5*uy), num(by+3.5*ux), num(bx+3.5*uy), num(by-3.5*ux), num(x1), num(y1))
}
