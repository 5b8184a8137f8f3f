package viz

import (
	"fmt"
	"math"
	"slices"
	"strings"
)

// ContourPlot is a figure of the contour lines of a function of two variables, with paths
// drawn over them, built by Contour; chapter 05 draws optimizers' paths with it.
type ContourPlot struct {
	base
	title, xlabel, ylabel string
	f                     func(x, y float64) float64
	x0, x1, y0, y1        float64
	levels                []float64
	paths                 []Series
	marks                 []mark
	colors                map[string]string
}

type mark struct {
	x, y  float64
	label string
}

// pathPalette colours paths so they stand out from the blue-green-yellow contour lines.
var pathPalette = []string{"#d62728", "#ff7f0e", "#111111", "#e377c2", "#8c564b", "#17becf", "#7f7f7f", "#bcbd22"}

// contourGrid is how many samples of f each axis gets; contours are straight within a cell.
const contourGrid = 120

// Contour starts a contour plot of f over [x0, x1]×[y0, y1]. Chapter 05 draws the paths of
// gradient descent and its variants on the contours of Rosenbrock's function:
//
//	viz.Contour("Rosenbrock", rosen, -2, 2, -1, 3).Paths(viz.Series{Name: "SGD", X: xs, Y: ys}).Mark(1, 1, "minimum").Display()
//
// The axes have equal scale, so a gradient step shows at right angles to the contour it
// crosses. Without Levels, a function with a flat valley between steep walls gets levels at
// 1, 2, 5, 10, 20, … above its minimum, so the valley shows; other functions get evenly
// spaced levels.
func Contour(title string, f func(x, y float64) float64, x0, x1, y0, y1 float64) *ContourPlot {
	p := &ContourPlot{title: title, f: f, x0: x0, x1: x1, y0: y0, y1: y1}
	p.base = base{fig: p, where: fmt.Sprintf("Contour(%q)", title), alt: "contour plot: " + title}
	return p
}

// Levels sets the values of f at which contour lines are drawn.
func (p *ContourPlot) Levels(levels ...float64) *ContourPlot { p.levels = levels; return p }

// Paths adds paths to draw over the contours, e.g. the iterates of an optimizer; each one is a
// Series whose X and Y are the coordinates of the points, in order.
func (p *ContourPlot) Paths(paths ...Series) *ContourPlot {
	p.paths = append(p.paths, paths...)
	return p
}

// Mark draws a star at (x, y) with a label next to it, e.g. the minimum.
func (p *ContourPlot) Mark(x, y float64, label string) *ContourPlot {
	p.marks = append(p.marks, mark{x, y, label})
	return p
}

// Colors fixes the colour (CSS, e.g. "#d62728") of the paths with these names; the others take
// the path palette in order.
func (p *ContourPlot) Colors(byName map[string]string) *ContourPlot { p.colors = byName; return p }

// XLabel names the x axis.
func (p *ContourPlot) XLabel(s string) *ContourPlot { p.xlabel = s; return p }

// YLabel names the y axis.
func (p *ContourPlot) YLabel(s string) *ContourPlot { p.ylabel = s; return p }

// Size sets the figure's size in pixels; by default the plot area is 380 pixels high and as
// wide as equal scales make it.
func (p *ContourPlot) Size(w, h int) *ContourPlot { p.setSize(w, h); return p }

func (p *ContourPlot) render() (*canvas, error) {
	if p.f == nil {
		return nil, p.errorf("no function")
	}
	if err := checkRange("x", p.x0, p.x1, false); err != nil {
		return nil, p.errorf("%w", err)
	}
	if err := checkRange("y", p.y0, p.y1, false); err != nil {
		return nil, p.errorf("%w", err)
	}
	if err := p.checkSize(); err != nil {
		return nil, err
	}
	n := contourGrid
	z := make([]float64, n*n) // z[j*n+i] = f(x_i, y_j)
	for j := range n {
		for i := range n {
			x, y := p.gridX(i), p.gridY(j)
			v := p.f(x, y)
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, p.errorf("f(%v, %v) = %v", x, y, v)
			}
			z[j*n+i] = v
		}
	}
	levels := p.levels
	if levels == nil {
		levels = defaultLevels(z)
	}
	for i, l := range levels {
		if err := finite(l, "level", i); err != nil {
			return nil, p.errorf("%w", err)
		}
	}
	a := &axes{title: p.title, xlabel: p.xlabel, ylabel: p.ylabel, x0: p.x0, x1: p.x1, y0: p.y0, y1: p.y1}
	for i, s := range p.paths {
		if err := s.check(false); err != nil {
			return nil, p.errorf("path %w", err)
		}
		if s.X == nil {
			return nil, p.errorf("path %q: no X", s.Name)
		}
		if s.Name != "" {
			a.legend = append(a.legend, legendEntry{s.Name, colorOf(p.colors, s.Name, pathPalette[i%len(pathPalette)]), true, len(s.Y) <= 100})
		}
	}
	for i, m := range p.marks {
		if finite(m.x, "x", 0) != nil || finite(m.y, "y", 0) != nil {
			return nil, p.errorf("mark %d at (%v, %v)", i, m.x, m.y)
		}
	}
	if p.width != 0 {
		a.w, a.h = p.width, p.height
		a.layout()
	} else {
		// Equal scales: fix the plot area's height, then widen the figure until the plot area has
		// the aspect of the domain.
		ph := 380.0
		pw := min(max(ph*(p.x1-p.x0)/(p.y1-p.y0), 200), 760)
		a.w, a.h = pw+120, ph+80
		a.layout()
		a.h += ph - a.ph
		a.w += pw - a.pw
		a.layout()
	}
	c := newCanvas(a.w, a.h)
	for k, l := range levels {
		t := 0.0
		if len(levels) > 1 {
			t = float64(k) / float64(len(levels)-1)
		}
		var d strings.Builder
		for _, line := range contourLines(z, n, l) {
			for m, q := range line {
				cmd := "L"
				if m == 0 {
					cmd = "M"
				}
				d.WriteString(cmd + num(a.px(p.x0+q.x*(p.x1-p.x0)/float64(n-1))) + " " + num(a.py(p.y0+q.y*(p.y1-p.y0)/float64(n-1))))
			}
		}
		c.printf(`<path class="contour" d="%s" fill="none" stroke="%s" stroke-width="1.2"/>`+"\n",
			d.String(), viridis.hex(0.85*t))
	}
	for i, s := range p.paths {
		pts := make([]pt, len(s.Y))
		for j := range pts {
			pts[j] = pt{a.px(s.X[j]), a.py(s.Y[j])}
		}
		mode := modeMarkers
		if len(pts) > 100 {
			mode = modeLines
		}
		drawSeries(c, pts, a.box(), colorOf(p.colors, s.Name, pathPalette[i%len(pathPalette)]), mode)
	}
	for _, m := range p.marks {
		q := pt{a.px(m.x), a.py(m.y)}
		if !a.box().contains(q) {
			continue
		}
		c.printf(`<polygon class="mark" points="%s" fill="#ffd700" stroke="#111" stroke-width="1"/>`+"\n", starPoints(q, 8))
		if m.label != "" {
			c.text(q.x+11, q.y, m.label, labelSize, "start", "mark-label", `stroke="white" stroke-width="3" paint-order="stroke"`)
		}
	}
	a.drawFrame(c)
	return c, nil
}

func (p *ContourPlot) gridX(i int) float64 {
	return p.x0 + float64(i)*(p.x1-p.x0)/float64(contourGrid-1)
}

func (p *ContourPlot) gridY(j int) float64 {
	return p.y0 + float64(j)*(p.y1-p.y0)/float64(contourGrid-1)
}

// defaultLevels picks about a dozen contour levels for the grid values z. Where most of the
// domain lies low and a few walls rise far above it — Rosenbrock's valley — the levels are
// 1, 2, 5 × powers of ten above the minimum, so the valley floor has lines too; otherwise they
// are evenly spaced.
func defaultLevels(z []float64) []float64 {
	lo, hi := minMax(z)
	span := hi - lo
	if span == 0 {
		return nil
	}
	s := slices.Clone(z)
	slices.Sort(s)
	var levels []float64
	if (s[len(s)/2]-lo)/span < 0.1 {
		first := span * 1e-4
		for k := math.Floor(math.Log10(first)); len(levels) < 40; k++ {
			for _, m := range []float64{1, 2, 5} {
				d := m * math.Pow(10, k)
				if d >= first && d < span {
					levels = append(levels, lo+d)
				}
			}
			if math.Pow(10, k) > span {
				break
			}
		}
		return levels
	}
	for _, t := range linearTicks(lo, hi, 12) {
		if t.v > lo && t.v < hi {
			levels = append(levels, t.v)
		}
	}
	return levels
}

// starPoints returns the SVG points of a five-pointed star of radius r centred at c.
func starPoints(c pt, r float64) string {
	var b strings.Builder
	for k := range 10 {
		rr := r
		if k%2 == 1 {
			rr = r * 0.45
		}
		angle := -math.Pi/2 + float64(k)*math.Pi/5
		if k > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(num(c.x+rr*math.Cos(angle)) + "," + num(c.y+rr*math.Sin(angle)))
	}
	return b.String()
}

// contourLines traces the level set {z = level} of the n×n grid z (z[j*n+i]) by marching
// squares and returns it as polylines in grid coordinates (i, j as x, y).
//
// Every crossing lies on a grid edge, so segments of neighbouring cells meet at the same edge;
// chaining them through their edges turns thousands of segments into a few polylines.
func contourLines(z []float64, n int, level float64) [][]pt {
	above := func(i, j int) bool { return z[j*n+i] >= level }
	// Edge ids: 2*(j*n+i) is the edge from (i, j) to (i+1, j); 2*(j*n+i)+1 from (i, j) to (i, j+1).
	hEdge := func(i, j int) int { return 2 * (j*n + i) }
	vEdge := func(i, j int) int { return 2*(j*n+i) + 1 }
	crossing := func(e int) pt {
		k := e / 2
		i, j := k%n, k/n
		a := z[k]
		if e%2 == 0 {
			b := z[k+1]
			return pt{float64(i) + (level-a)/(b-a), float64(j)}
		}
		b := z[k+n]
		return pt{float64(i), float64(j) + (level-a)/(b-a)}
	}
	type seg struct{ a, b int }
	var segs []seg
	for j := 0; j < n-1; j++ {
		for i := 0; i < n-1; i++ {
			c00, c10, c11, c01 := above(i, j), above(i+1, j), above(i+1, j+1), above(i, j+1)
			bottom, right, top, left := hEdge(i, j), vEdge(i+1, j), hEdge(i, j+1), vEdge(i, j)
			var crossed []int
			if c00 != c10 {
				crossed = append(crossed, bottom)
			}
			if c10 != c11 {
				crossed = append(crossed, right)
			}
			if c11 != c01 {
				crossed = append(crossed, top)
			}
			if c01 != c00 {
				crossed = append(crossed, left)
			}
			switch len(crossed) {
			case 2:
				segs = append(segs, seg{crossed[0], crossed[1]})
			case 4:
				// Saddle: the cell's centre decides which pair of opposite corners is joined; the
				// corners on the other side of the centre are cut off one by one.
				centre := (z[j*n+i]+z[j*n+i+1]+z[(j+1)*n+i+1]+z[(j+1)*n+i])/4 >= level
				if c00 != centre {
					segs = append(segs, seg{bottom, left})
				}
				if c10 != centre {
					segs = append(segs, seg{bottom, right})
				}
				if c11 != centre {
					segs = append(segs, seg{right, top})
				}
				if c01 != centre {
					segs = append(segs, seg{top, left})
				}
			}
		}
	}
	atEdge := make(map[int][]int, 2*len(segs))
	for s, sg := range segs {
		atEdge[sg.a] = append(atEdge[sg.a], s)
		atEdge[sg.b] = append(atEdge[sg.b], s)
	}
	used := make([]bool, len(segs))
	// walk follows unused segments from edge e and returns the edges it passes.
	walk := func(e int) []int {
		var edges []int
		for {
			next := -1
			for _, s := range atEdge[e] {
				if !used[s] {
					next = s
					break
				}
			}
			if next < 0 {
				return edges
			}
			used[next] = true
			if segs[next].a == e {
				e = segs[next].b
			} else {
				e = segs[next].a
			}
			edges = append(edges, e)
		}
	}
	var lines [][]pt
	for s, sg := range segs {
		if used[s] {
			continue
		}
		used[s] = true
		back := walk(sg.a)
		fwd := walk(sg.b)
		edges := make([]int, 0, len(back)+len(fwd)+2)
		for k := len(back) - 1; k >= 0; k-- {
			edges = append(edges, back[k])
		}
		edges = append(edges, sg.a, sg.b)
		edges = append(edges, fwd...)
		line := make([]pt, len(edges))
		for k, e := range edges {
			line[k] = crossing(e)
		}
		lines = append(lines, line)
	}
	return lines
}
