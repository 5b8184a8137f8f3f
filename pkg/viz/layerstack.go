package viz

import (
	"fmt"
	"strconv"
)

// Block is one layer of a LayerStack: its name, the shape it outputs and its number of
// parameters (0 for layers without weights, such as pooling).
type Block struct {
	Name   string
	Shape  string
	Params int
}

// LayerStackDiagram is a network drawn as a column of layers, built by LayerStack.
type LayerStackDiagram struct {
	base
	title  string
	blocks []Block
}

// LayerStack draws a network as boxes from input (top) to output (bottom), joined by arrows:
// each box names its layer, with its output shape on the left and its parameter count on the
// right, and layers with weights are shaded. The total is written at the bottom. Chapter 03
// draws the blitz's LeNet-like network with it.
func LayerStack(title string, blocks ...Block) *LayerStackDiagram {
	d := &LayerStackDiagram{title: title, blocks: blocks}
	d.base = base{fig: d, where: fmt.Sprintf("LayerStack(%q)", title), alt: "layer diagram: " + title}
	return d
}

// Layer-stack geometry, in pixels.
const (
	stackBoxW, stackBoxH, stackGap = 260.0, 26.0, 14.0
	stackSide                      = 150.0 // room for the shape (left) and the parameters (right)
	stackTop                       = 40.0
)

func (d *LayerStackDiagram) render() (*canvas, error) {
	if len(d.blocks) == 0 {
		return nil, d.errorf("no layers")
	}
	total := 0
	for i, b := range d.blocks {
		if b.Name == "" || b.Params < 0 {
			return nil, d.errorf("layer %d: want a name and parameters ≥ 0, got %q with %d", i, b.Name, b.Params)
		}
		total += b.Params
	}
	n := float64(len(d.blocks))
	w := stackBoxW + 2*stackSide
	h := stackTop + n*stackBoxH + (n-1)*stackGap + 40
	c := newCanvas(w, h)
	c.text(w/2, 18, d.title, titleSize, "middle", "title", `font-weight="bold"`)
	x := stackSide
	for i, b := range d.blocks {
		y := stackTop + float64(i)*(stackBoxH+stackGap)
		fill := "#f2f2f2"
		if b.Params > 0 {
			fill = "#cfe2f3"
		}
		c.rect(x, y, stackBoxW, stackBoxH, fill, "layer", `stroke="#555" rx="4"`)
		c.text(x+stackBoxW/2, y+stackBoxH/2, b.Name, tickSize+1, "middle", "layer-name", "")
		c.text(x-8, y+stackBoxH/2, b.Shape, tickSize, "end", "layer-shape", `fill="#444"`)
		if b.Params > 0 {
			c.text(x+stackBoxW+8, y+stackBoxH/2, thousands(b.Params), tickSize, "start", "layer-params", "")
		}
		if i > 0 { // arrow from the box above
			mx, y0 := x+stackBoxW/2, y-stackGap
			c.line(mx, y0, mx, y-4, "#555", 1.2, "arrow")
			c.printf(`<polygon class="arrow" points="%s,%s %s,%s %s,%s" fill="#555"/>`+"\n",
				num(mx-4), num(y-5), num(mx+4), num(y-5), num(mx), num(y))
		}
	}
	c.text(x+stackBoxW+8, h-16, thousands(total)+" parameters", tickSize, "start", "total", `font-weight="bold"`)
	return c, nil
}

// thousands writes n with commas between groups of three digits: 61706 → "61,706".
func thousands(n int) string {
	s := strconv.Itoa(n)
	start := 0
	if n < 0 {
		start = 1
	}
	for i := len(s) - 3; i > start; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
