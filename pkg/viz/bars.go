package viz

import (
	"fmt"
	"math"
)

// BarChart is a figure of one bar per label, built by Bars; chapter 04 shows per-class
// accuracy with it.
type BarChart struct {
	base
	title, ylabel string
	labels        []string
	values        []float64
	yr            *[2]float64
}

// Bars starts a bar chart of values, one bar per label, with each value written above its
// bar. Chapter 04 shows the test accuracy of each Fashion-MNIST class with it:
//
//	viz.Bars("accuracy per class", classes, acc).YRange(0, 1).Display()
func Bars(title string, labels []string, values []float64) *BarChart {
	b := &BarChart{title: title, labels: labels, values: values}
	b.base = base{fig: b, where: fmt.Sprintf("Bars(%q)", title), alt: "bar chart: " + title, width: 600, height: 360}
	return b
}

// YLabel names the y axis.
func (b *BarChart) YLabel(s string) *BarChart { b.ylabel = s; return b }

// YRange fixes the y axis to [lo, hi]; by default it spans zero and the values.
func (b *BarChart) YRange(lo, hi float64) *BarChart { b.yr = &[2]float64{lo, hi}; return b }

// Size sets the figure's size in pixels (default 600×360).
func (b *BarChart) Size(w, h int) *BarChart { b.setSize(w, h); return b }

func (b *BarChart) render() (*canvas, error) {
	if len(b.values) == 0 {
		return nil, b.errorf("no values")
	}
	if len(b.labels) != len(b.values) {
		return nil, b.errorf("%d labels, %d values", len(b.labels), len(b.values))
	}
	if err := b.checkSize(); err != nil {
		return nil, err
	}
	lo, hi := 0.0, 0.0
	for i, v := range b.values {
		if err := finite(v, "values", i); err != nil {
			return nil, b.errorf("%w", err)
		}
		lo, hi = min(lo, v), max(hi, v)
	}
	if lo == hi {
		hi = 1
	}
	// Room above the tallest bar for its value.
	if hi > 0 {
		hi += (hi - lo) * 0.08
	}
	if lo < 0 {
		lo -= (hi - lo) * 0.08
	}
	if b.yr != nil {
		lo, hi = b.yr[0], b.yr[1]
	}
	if err := checkRange("y", lo, hi, false); err != nil {
		return nil, b.errorf("%w", err)
	}
	// Labels go under their bar, or turned 45° when the widest one is wider than a bar's slot.
	lw := 0.0
	for _, l := range b.labels {
		lw = max(lw, textWidth(l, tickSize))
	}
	a := &axes{title: b.title, ylabel: b.ylabel, w: b.width, h: b.height, x0: 0, x1: float64(len(b.values)), y0: lo, y1: hi}
	a.layout()
	slot := a.pw / float64(len(b.values))
	rotate := lw+6 > slot
	if rotate {
		// Make room below for the turned labels and lay out again.
		a.h = b.height - (lw*math.Sin(math.Pi/4) + 8 - tickSize)
		a.layout()
		a.h = b.height
	}
	a.xt = nil // bars are labelled by name, not by x value
	c := newCanvas(b.width, b.height)
	a.drawGrid(c)
	zero := a.py(min(max(0, lo), hi))
	valueSize := min(11, slot/3.5)
	for i, v := range b.values {
		x := a.left + float64(i)*slot + slot*0.15
		y := a.py(min(max(v, lo), hi))
		c.rect(x, min(y, zero), slot*0.7, math.Abs(zero-y), seriesColor(0), "bar", "")
		cx := a.left + (float64(i)+0.5)*slot
		if valueSize >= 7 {
			// The value goes just beyond the end of the bar, or just inside it, in white, where
			// the plot area ends there.
			out, fill := 8.0, `fill="#333"`
			if v < 0 {
				out = -8
			}
			ty := y - out
			if ty < a.top+6 || ty > a.top+a.ph-6 {
				ty, fill = y+out+math.Copysign(2, out), `fill="white"`
			}
			c.text(cx, ty, formatValue(v), valueSize, "middle", "bar-value", fill)
		}
		bottom := a.top + a.ph
		if rotate {
			c.textRotated(cx, bottom+8, b.labels[i], tickSize, "end", "xtick", -45)
		} else {
			c.text(cx, bottom+6+tickSize/2+2, b.labels[i], tickSize, "middle", "xtick", `fill="#333"`)
		}
	}
	if lo < 0 && hi > 0 {
		c.line(a.left, zero, a.left+a.pw, zero, "#444", 1, "zero")
	}
	a.drawFrame(c)
	return c, nil
}
