package viz

import (
	"fmt"
	"strings"
)

// Layout is a figure made of other figures side by side, built by Row (chapters 04 and 10).
type Layout struct {
	figs []Figure
}

// Row places figures side by side, top-aligned, as one figure: loss and accuracy curves
// (chapter 04), or an input, a kernel and their convolution (chapter 10):
//
//	viz.Row(viz.Heatmap("input", x), viz.Heatmap("kernel", k), viz.Heatmap("output", y)).Display()
func Row(figs ...Figure) *Layout { return &Layout{figs: figs} }

// SVG returns the row as an SVG document.
func (l *Layout) SVG() (string, error) { return svgOf(l) }

// Display shows the row in a GoNB notebook.
func (l *Layout) Display() error { return display(l, fmt.Sprintf("%d figures", len(l.figs))) }

// SaveSVG writes the row to path.
func (l *Layout) SaveSVG(path string) error { return saveSVG(l, path) }

func (l *Layout) render() (*canvas, error) {
	if len(l.figs) == 0 {
		return nil, fmt.Errorf("viz: Row: no figures")
	}
	parts := make([]*canvas, len(l.figs))
	w, h := 0.0, 0.0
	for i, f := range l.figs {
		if f == nil {
			return nil, fmt.Errorf("viz: Row: figure %d is nil", i)
		}
		c, err := f.render()
		if err != nil {
			return nil, fmt.Errorf("viz: Row: figure %d: %w", i, err)
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
