package viz

import (
	"math"
	"strings"
)

// axes lays out and draws what line plots and contour plots share: title, plot area, ticks,
// grid, axis labels and a legend to the right of the plot area, where it never hides a curve.
type axes struct {
	title, xlabel, ylabel string
	w, h                  float64
	x0, x1, y0, y1        float64 // data ranges; y0, y1 > 0 when logY
	logY                  bool
	intX                  bool // x values are whole numbers, e.g. epochs: no tick at 1.5
	legend                []legendEntry

	// Set by layout: the plot area in pixels and the ticks.
	left, top, pw, ph float64
	xt, yt            []tick
}

type legendEntry struct {
	name, color string
	line, dot   bool
}

const (
	tickSize   = 11.0
	labelSize  = 12.0
	titleSize  = 15.0
	legendSize = 12.0
)

func (a *axes) layout() {
	a.top = 12
	if a.title != "" {
		a.top = 38
	}
	right := 18.0
	if len(a.legend) > 0 {
		wMax := 0.0
		for _, e := range a.legend {
			wMax = max(wMax, textWidth(e.name, legendSize))
		}
		right = 12 + 26 + wMax + 12
	}
	bottom := 8 + 6 + tickSize + 8.0
	if a.xlabel != "" {
		bottom += labelSize + 8
	}
	a.ph = max(40, a.h-a.top-bottom)
	if a.logY {
		a.yt = logTicks(a.y0, a.y1, max(2, int(a.ph/32)))
	} else {
		a.yt = linearTicks(a.y0, a.y1, max(2, int(a.ph/50)))
	}
	yw := 0.0
	for _, t := range a.yt {
		yw = max(yw, textWidth(t.label, tickSize))
	}
	a.left = 10 + yw + 8
	if a.ylabel != "" {
		a.left += labelSize + 8
	}
	a.pw = max(40, a.w-a.left-right)
	// Fewer x ticks until their labels leave room between them.
	for n := max(2, int(a.pw/70)); ; n-- {
		step := niceStep(a.x1-a.x0, n)
		if a.intX {
			step = max(step, 1)
		}
		a.xt = stepTicks(a.x0, a.x1, step)
		widest := 0.0
		for _, t := range a.xt {
			widest = max(widest, textWidth(t.label, tickSize))
		}
		if n <= 2 || float64(len(a.xt))*(widest+12) <= a.pw {
			break
		}
	}
}

// px and py map data coordinates to pixels.
func (a *axes) px(x float64) float64 { return a.left + (x-a.x0)/(a.x1-a.x0)*a.pw }

func (a *axes) py(y float64) float64 {
	if a.logY {
		return a.top + a.ph - (math.Log10(y)-math.Log10(a.y0))/(math.Log10(a.y1)-math.Log10(a.y0))*a.ph
	}
	return a.top + a.ph - (y-a.y0)/(a.y1-a.y0)*a.ph
}

// box is the plot area, to clip data against.
func (a *axes) box() rect { return rect{a.left, a.top, a.left + a.pw, a.top + a.ph} }

// drawGrid draws the light grid lines under the data.
func (a *axes) drawGrid(c *canvas) {
	for _, t := range a.xt {
		x := a.px(t.v)
		c.line(x, a.top, x, a.top+a.ph, "#e6e6e6", 1, "grid")
	}
	for _, t := range a.yt {
		y := a.py(t.v)
		c.line(a.left, y, a.left+a.pw, y, "#e6e6e6", 1, "grid")
	}
}

// drawFrame draws the frame, ticks, labels, title and legend over the data.
func (a *axes) drawFrame(c *canvas) {
	c.printf(`<rect class="frame" x="%s" y="%s" width="%s" height="%s" fill="none" stroke="#444" stroke-width="1"/>`+"\n",
		num(a.left), num(a.top), num(a.pw), num(a.ph))
	bottom := a.top + a.ph
	for _, t := range a.xt {
		x := a.px(t.v)
		c.line(x, bottom, x, bottom+5, "#444", 1, "tick")
		c.text(x, bottom+6+tickSize/2+2, t.label, tickSize, "middle", "xtick", `fill="#333"`)
	}
	for _, t := range a.yt {
		y := a.py(t.v)
		c.line(a.left-5, y, a.left, y, "#444", 1, "tick")
		c.text(a.left-8, y, t.label, tickSize, "end", "ytick", `fill="#333"`)
	}
	if a.xlabel != "" {
		c.text(a.left+a.pw/2, bottom+6+tickSize+8+labelSize/2+4, a.xlabel, labelSize, "middle", "xlabel", "")
	}
	if a.ylabel != "" {
		c.textRotated(10+labelSize/2, a.top+a.ph/2, a.ylabel, labelSize, "middle", "ylabel", -90)
	}
	if a.title != "" {
		c.text(a.left+a.pw/2, 19, a.title, titleSize, "middle", "title", `font-weight="bold"`)
	}
	x := a.left + a.pw + 12
	for i, e := range a.legend {
		y := a.top + 10 + float64(i)*20
		if e.line {
			c.line(x, y, x+20, y, e.color, 2, "legend-line")
		}
		if e.dot {
			c.printf(`<circle cx="%s" cy="%s" r="3" fill="%s"/>`+"\n", num(x+10), num(y), e.color)
		}
		c.text(x+26, y, e.name, legendSize, "start", "legend-label", "")
	}
}

// pt is a point in pixels.
type pt struct{ x, y float64 }

// rect is an axis-aligned box in pixels.
type rect struct{ x0, y0, x1, y1 float64 }

func (r rect) contains(p pt) bool { return p.x >= r.x0 && p.x <= r.x1 && p.y >= r.y0 && p.y <= r.y1 }

// clipSegment clips the segment a–b to r (Liang–Barsky).
func clipSegment(a, b pt, r rect) (pt, pt, bool) {
	t0, t1 := 0.0, 1.0
	dx, dy := b.x-a.x, b.y-a.y
	for _, pq := range [4][2]float64{{-dx, a.x - r.x0}, {dx, r.x1 - a.x}, {-dy, a.y - r.y0}, {dy, r.y1 - a.y}} {
		p, q := pq[0], pq[1]
		if p == 0 {
			if q < 0 {
				return a, b, false
			}
			continue
		}
		t := q / p
		if p < 0 {
			if t > t1 {
				return a, b, false
			}
			t0 = max(t0, t)
		} else {
			if t < t0 {
				return a, b, false
			}
			t1 = min(t1, t)
		}
	}
	// Ends that are not clipped stay exactly as given, so clipPath can tell the line goes on.
	p, q := a, b
	if t0 > 0 {
		p = pt{a.x + t0*dx, a.y + t0*dy}
	}
	if t1 < 1 {
		q = pt{a.x + t1*dx, a.y + t1*dy}
	}
	return p, q, true
}

// clipPath returns the SVG path data of the polyline pts clipped to r: a new "M" wherever the
// line leaves the box and comes back.
func clipPath(pts []pt, r rect) string {
	var b strings.Builder
	var last pt
	open := false
	for i := 1; i < len(pts); i++ {
		p, q, ok := clipSegment(pts[i-1], pts[i], r)
		if !ok {
			open = false
			continue
		}
		if !open || p != last {
			b.WriteString("M" + num(p.x) + " " + num(p.y))
		}
		b.WriteString("L" + num(q.x) + " " + num(q.y))
		last, open = q, q == pts[i]
	}
	return b.String()
}
