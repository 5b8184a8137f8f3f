package viz

import (
	"fmt"
	"strings"
)

// Layout is a figure made of other figures side by side, built by Row (chapters 04 and 10).
type Layout struct {
	base
	figs []Figure
}

// Row places figures side by side, top-aligned, as one figure: loss and accuracy curves
// (chapter 04), or an input, a kernel and their convolution (chapter 10):
//
//	viz.Row(viz.Heatmap("input", x), viz.Heatmap("kernel", k), viz.Heatmap("output", y)).Display()
func Row(figs ...Figure) *Layout {
	l := &Layout{figs: figs}
	l.base = base{fig: l, where: "Row", alt: fmt.Sprintf("%d figures", len(figs))}
	return l
}

func (l *Layout) render() (*canvas, error) {
	if len(l.figs) == 0 {
		return nil, l.errorf("no figures")
	}
	parts := make([]*canvas, len(l.figs))
	w, h := 0.0, 0.0
	for i, f := range l.figs {
		if f == nil {
			return nil, l.errorf("figure %d is nil", i)
		}
		c, err := f.render()
		if err != nil {
			return nil, l.errorf("figure %d: %w", i, err)
		}
		parts[i] = c
		w += c.w
		h = max(h, c.h)
	}
	c := newCanvas(w, h)
	x := 0.0
	for _, p := range parts {
		c.printf(`<g class="panel" transform="translate(%s 0)">`+"\n", num(x))
		c.b.WriteString(strings.TrimSuffix(p.b.String(), "\n") + "\n")
		c.printf("</g>\n")
		x += p.w
	}
	return c, nil
}
