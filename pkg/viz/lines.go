package viz

import (
	"fmt"
	"math"
)

// Series is one named curve: Y against X. A nil X stands for 1, 2, …, len(Y), the epoch
// numbers of a training curve. Chapter 04 plots training and test loss as two Series.
type Series struct {
	Name string
	X, Y []float64
}

// xs returns X, or 1…n when X is nil.
func (s Series) xs() []float64 {
	if s.X != nil {
		return s.X
	}
	xs := make([]float64, len(s.Y))
	for i := range xs {
		xs[i] = float64(i + 1)
	}
	return xs
}

// check reports a series that cannot be drawn: empty, of mismatched lengths, or not finite.
func (s Series) check(logY bool) error {
	if len(s.Y) == 0 {
		return fmt.Errorf("series %q: no points", s.Name)
	}
	if s.X != nil && len(s.X) != len(s.Y) {
		return fmt.Errorf("series %q: %d x values, %d y values", s.Name, len(s.X), len(s.Y))
	}
	for i, v := range s.X {
		if err := finite(v, "X", i); err != nil {
			return fmt.Errorf("series %q: %w", s.Name, err)
		}
	}
	for i, v := range s.Y {
		if err := finite(v, "Y", i); err != nil {
			return fmt.Errorf("series %q: %w", s.Name, err)
		}
		if logY && v <= 0 {
			return fmt.Errorf("series %q: Y[%d] = %v cannot go on a log axis", s.Name, i, v)
		}
	}
	return nil
}

// LinePlot is a figure of one or more series against a common x axis, built by Lines: the
// training curves of chapter 04 and the optimizer comparisons of chapter 05.
type LinePlot struct {
	base
	title, xlabel, ylabel string
	series                []Series
	logY                  bool
	mode                  int // modeLines, modeScatter or modeMarkers
	xr, yr                *[2]float64
	colors                map[string]string
}

const (
	modeLines = iota
	modeScatter
	modeMarkers
)

// Lines starts a line plot titled title, one curve per series, in the order given. Chapter 04
// plots loss and accuracy curves with it and chapter 05 the loss curves of six optimizers:
//
//	train := viz.Series{Name: "train", Y: trainLoss}
//	test := viz.Series{Name: "test", Y: testLoss}
//	viz.Lines("loss", train, test).LogY().Display()
func Lines(title string, series ...Series) *LinePlot {
	p := &LinePlot{title: title, series: series}
	p.base = base{fig: p, where: fmt.Sprintf("Lines(%q)", title), alt: "line plot: " + title, width: 600, height: 360}
	return p
}

// Add appends more series, e.g. in a loop over optimizers.
func (p *LinePlot) Add(series ...Series) *LinePlot { p.series = append(p.series, series...); return p }

// LogY puts the y axis on a log scale, for losses that fall by orders of magnitude.
func (p *LinePlot) LogY() *LinePlot { p.logY = true; return p }

// Colors fixes the colour (CSS, e.g. "#d62728") of the series with these names; the others
// take the palette in order. Figures that show the same things keep one colour for each.
func (p *LinePlot) Colors(byName map[string]string) *LinePlot { p.colors = byName; return p }

// XLabel names the x axis, e.g. "epoch".
func (p *LinePlot) XLabel(s string) *LinePlot { p.xlabel = s; return p }

// YLabel names the y axis, e.g. "loss".
func (p *LinePlot) YLabel(s string) *LinePlot { p.ylabel = s; return p }

// Scatter draws each point as a dot and no lines between them.
func (p *LinePlot) Scatter() *LinePlot { p.mode = modeScatter; return p }

// Markers draws a dot at every point as well as the lines, for paths of a few steps.
func (p *LinePlot) Markers() *LinePlot { p.mode = modeMarkers; return p }

// XRange fixes the x axis to [lo, hi]; what falls outside is clipped.
func (p *LinePlot) XRange(lo, hi float64) *LinePlot { p.xr = &[2]float64{lo, hi}; return p }

// YRange fixes the y axis to [lo, hi], e.g. [0, 1] for accuracy; what falls outside is clipped.
func (p *LinePlot) YRange(lo, hi float64) *LinePlot { p.yr = &[2]float64{lo, hi}; return p }

// Size sets the figure's size in pixels (default 600×360).
func (p *LinePlot) Size(w, h int) *LinePlot { p.setSize(w, h); return p }

func (p *LinePlot) render() (*canvas, error) {
	if len(p.series) == 0 {
		return nil, p.errorf("no series")
	}
	if err := p.checkSize(); err != nil {
		return nil, err
	}
	a := &axes{title: p.title, xlabel: p.xlabel, ylabel: p.ylabel, w: p.width, h: p.height, logY: p.logY}
	a.x0, a.x1, a.y0, a.y1 = math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)
	a.intX = true
	for i, s := range p.series {
		if err := s.check(p.logY); err != nil {
			return nil, p.errorf("%w", err)
		}
		for _, x := range s.xs() {
			a.x0, a.x1 = min(a.x0, x), max(a.x1, x)
			a.intX = a.intX && x == math.Round(x)
		}
		for _, y := range s.Y {
			a.y0, a.y1 = min(a.y0, y), max(a.y1, y)
		}
		if s.Name != "" {
			a.legend = append(a.legend, legendEntry{s.Name, colorOf(p.colors, s.Name, seriesColor(i)), p.mode != modeScatter, p.mode != modeLines})
		}
	}
	// Dots get room at the sides so none is cut in half by the frame; curves run edge to edge.
	xPad := 0.0
	if p.mode != modeLines {
		xPad = 0.03
	}
	a.x0, a.x1 = widen(a.x0, a.x1, xPad, false)
	a.y0, a.y1 = widen(a.y0, a.y1, 0.05, p.logY)
	if p.xr != nil {
		a.x0, a.x1 = p.xr[0], p.xr[1]
	}
	if p.yr != nil {
		a.y0, a.y1 = p.yr[0], p.yr[1]
	}
	if err := checkRange("x", a.x0, a.x1, false); err != nil {
		return nil, p.errorf("%w", err)
	}
	if err := checkRange("y", a.y0, a.y1, p.logY); err != nil {
		return nil, p.errorf("%w", err)
	}
	a.layout()
	c := newCanvas(p.width, p.height)
	a.drawGrid(c)
	for i, s := range p.series {
		xs := s.xs()
		pts := make([]pt, len(s.Y))
		for j := range pts {
			pts[j] = pt{a.px(xs[j]), a.py(s.Y[j])}
		}
		drawSeries(c, pts, a.box(), colorOf(p.colors, s.Name, seriesColor(i)), p.mode)
	}
	a.drawFrame(c)
	return c, nil
}

// drawSeries draws one series as a group of class "series": its clipped line and/or dots.
func drawSeries(c *canvas, pts []pt, box rect, color string, mode int) {
	c.printf(`<g class="series">` + "\n")
	if mode != modeScatter {
		if d := clipPath(pts, box); d != "" {
			c.printf(`<path d="%s" fill="none" stroke="%s" stroke-width="2" stroke-linejoin="round" stroke-linecap="round"/>`+"\n", d, color)
		}
	}
	if mode != modeLines || len(pts) == 1 {
		r := 2.5
		if mode == modeScatter {
			r = 3
		}
		for _, q := range pts {
			if box.contains(q) {
				c.printf(`<circle cx="%s" cy="%s" r="%s" fill="%s"/>`+"\n", num(q.x), num(q.y), num(r), color)
			}
		}
	}
	c.printf("</g>\n")
}

// widen pads [lo, hi] by frac of its span on each side (in log space on a log axis) and gives a
// single value a range around it.
func widen(lo, hi, frac float64, logScale bool) (float64, float64) {
	if logScale {
		l, h := widen(math.Log10(lo), math.Log10(hi), frac, false)
		return math.Pow(10, l), math.Pow(10, h)
	}
	if lo == hi {
		d := math.Max(math.Abs(lo)*0.1, 1)
		return lo - d, hi + d
	}
	d := (hi - lo) * frac
	return lo - d, hi + d
}

func checkRange(axis string, lo, hi float64, logScale bool) error {
	if !(lo < hi) || math.IsInf(lo, 0) || math.IsInf(hi, 0) {
		return fmt.Errorf("%s range [%v, %v] is empty", axis, lo, hi)
	}
	if logScale && lo <= 0 {
		return fmt.Errorf("%s range [%v, %v] cannot go on a log axis", axis, lo, hi)
	}
	return nil
}
