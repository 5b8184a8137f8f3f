package viz

import (
	"fmt"
	"math"
	"strconv"
)

// ConfusionMatrix is a figure of how often each true class (row) was predicted as each class
// (column), built by Confusion or ConfusionCounts; chapter 04 reads a classifier's mistakes
// from it.
type ConfusionMatrix struct {
	base
	title   string
	classes []string
	counts  [][]int
	err     error
}

// Confusion starts a confusion matrix (混淆矩阵) of the predictions pred against the true labels
// truth, both class indices into classes. Each cell shows its count and is coloured by the
// fraction of its row, so a class with few examples reads as clearly as a large one; the title
// line adds the accuracy. Chapter 04 draws the confusion matrix of a Fashion-MNIST classifier:
//
//	viz.Confusion("LeNet on Fashion-MNIST", classes, labels, pred).Display()
func Confusion(title string, classes []string, truth, pred []int) *ConfusionMatrix {
	m := newConfusion(fmt.Sprintf("Confusion(%q)", title), title, classes, nil)
	n := len(classes)
	switch {
	case n == 0:
		m.err = fmt.Errorf("no classes")
		return m
	case len(truth) != len(pred):
		m.err = fmt.Errorf("%d true labels, %d predictions", len(truth), len(pred))
		return m
	case len(truth) == 0:
		m.err = fmt.Errorf("no examples")
		return m
	}
	m.counts = make([][]int, n)
	for i := range m.counts {
		m.counts[i] = make([]int, n)
	}
	for i := range truth {
		t, p := truth[i], pred[i]
		if t < 0 || t >= n || p < 0 || p >= n {
			m.err = fmt.Errorf("example %d: true %d, predicted %d, want both in [0, %d)", i, t, p, n)
			return m
		}
		m.counts[t][p]++
	}
	return m
}

// ConfusionCounts starts a confusion matrix from counts already made: counts[t][p] examples
// of true class t were predicted as p.
func ConfusionCounts(title string, classes []string, counts [][]int) *ConfusionMatrix {
	m := newConfusion(fmt.Sprintf("ConfusionCounts(%q)", title), title, classes, counts)
	if len(classes) == 0 {
		m.err = fmt.Errorf("no classes")
		return m
	}
	if len(counts) != len(classes) {
		m.err = fmt.Errorf("%d rows of counts, %d classes", len(counts), len(classes))
		return m
	}
	for t, row := range counts {
		if len(row) != len(classes) {
			m.err = fmt.Errorf("row %d has %d counts, %d classes", t, len(row), len(classes))
			return m
		}
		for p, v := range row {
			if v < 0 {
				m.err = fmt.Errorf("counts[%d][%d] = %d", t, p, v)
				return m
			}
		}
	}
	return m
}

func newConfusion(where, title string, classes []string, counts [][]int) *ConfusionMatrix {
	m := &ConfusionMatrix{title: title, classes: classes, counts: counts}
	m.base = base{fig: m, where: where, alt: "confusion matrix: " + title}
	return m
}

func (m *ConfusionMatrix) render() (*canvas, error) {
	if m.err != nil {
		return nil, m.errorf("%w", m.err)
	}
	n := len(m.classes)
	cell := math.Round(min(48, max(18, 440/float64(n))))
	countSize := min(12, cell/3.2)
	lw := 0.0
	for _, c := range m.classes {
		lw = max(lw, textWidth(c, labelSize))
	}
	total, right := 0, 0
	rowSum := make([]int, n)
	for t, row := range m.counts {
		for p, v := range row {
			rowSum[t] += v
			total += v
			if p == t {
				right += v
			}
		}
	}

	left := 10 + labelSize + 10 + lw + 8
	top := 14.0
	if m.title != "" {
		top = 40
	}
	accuracy := 0.0
	if total > 0 {
		accuracy = float64(right) / float64(total)
	}
	top += 18 // accuracy line
	size := float64(n) * cell
	barX := left + size + 18
	w := barX + 14 + 8 + textWidth("100%", tickSize) + 12
	labelsH := lw*math.Sin(math.Pi/4) + 14
	h := top + size + 8 + labelsH + labelSize + 16
	// Rotated column labels reach left of the first column by up to their width.
	if shift := lw*math.Cos(math.Pi/4) - cell/2 - left + 10; shift > 0 {
		left += shift
		barX += shift
		w += shift
	}
	c := newCanvas(w, h)
	if m.title != "" {
		c.text(left+size/2, 19, m.title, titleSize, "middle", "title", `font-weight="bold"`)
	}
	c.text(left+size/2, top-12, fmt.Sprintf("accuracy %.2f%% (%d / %d)", 100*accuracy, right, total),
		labelSize, "middle", "subtitle", `fill="#333"`)
	for t := range n {
		for p := range n {
			v := m.counts[t][p]
			frac := 0.0
			if rowSum[t] > 0 {
				frac = float64(v) / float64(rowSum[t])
			}
			col := blues.at(frac)
			x, y := left+float64(p)*cell, top+float64(t)*cell
			c.rect(x, y, cell, cell, hexOf(col), "cell", `stroke="white" stroke-width="1"`)
			if cell < 22 {
				continue
			}
			fill := "#222"
			switch {
			case v == 0:
				fill = "#aaa"
			case luminance(col) < 0.5:
				fill = "white"
			}
			c.text(x+cell/2, y+cell/2, strconv.Itoa(v), countSize, "middle", "count", `fill="`+fill+`"`)
		}
	}
	for k, name := range m.classes {
		y := top + (float64(k)+0.5)*cell
		c.text(left-8, y, name, labelSize, "end", "row-label", "")
		x := left + (float64(k)+0.5)*cell
		c.textRotated(x, top+size+10, name, labelSize, "end", "col-label", -45)
	}
	c.textRotated(10+labelSize/2, top+size/2, "true class", labelSize, "middle", "ylabel", -90)
	c.text(left+size/2, h-12, "predicted class", labelSize, "middle", "xlabel", "")
	colorBar(c, barX, top, 14, size, blues, 0, 1, 5, true)
	return c, nil
}

// colorBar draws a vertical colour bar of cmap from lo (bottom) to hi (top) with about n
// ticks; the gradient is an embedded PNG, since an SVG gradient would need an id.
func colorBar(c *canvas, x, y, w, h float64, cmap colormap, lo, hi float64, n int, percent bool) {
	c.image(x, y, w, h, gradientPNG(cmap), "colorbar")
	c.printf(`<rect x="%s" y="%s" width="%s" height="%s" fill="none" stroke="#444" stroke-width="1"/>`+"\n",
		num(x), num(y), num(w), num(h))
	for _, t := range linearTicks(lo, hi, n) {
		ty := y + h - (t.v-lo)/(hi-lo)*h
		c.line(x+w, ty, x+w+4, ty, "#444", 1, "tick")
		label := t.label
		if percent {
			label = strconv.FormatFloat(math.Round(100*t.v), 'f', 0, 64) + "%"
		}
		c.text(x+w+7, ty, label, tickSize, "start", "colorbar-tick", `fill="#333"`)
	}
}

// gradientPNG is a 1×256 PNG of cmap, top = 1.
func gradientPNG(cmap colormap) []byte {
	img := newRGBA(1, 256)
	for y := range 256 {
		img.SetRGBA(0, y, cmap.at(1-float64(y)/255))
	}
	png, _ := encodePNG(img) // an in-memory RGBA image always encodes
	return png
}
