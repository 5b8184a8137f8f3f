package viz

import (
	"fmt"
	"image"
	"math"
)

// Number is an element type Heatmap accepts.
type Number interface {
	~float32 | ~float64 | ~int | ~int8 | ~int16 | ~int32 | ~int64 | ~uint8 | ~uint16 | ~uint32
}

// HeatmapPlot is a figure of a 2-D array as coloured cells with a colour bar, built by Heatmap
// or HeatmapFlat; chapter 10 shows kernels and feature maps with it.
type HeatmapPlot struct {
	base
	title     string
	data      []float64 // rows×cols, row-major
	rows, col int
	diverging bool
	annotate  bool
	vr        *[2]float64
	err       error
}

// Heatmap starts a heatmap of rows (all of one length), row 0 at the top, in the viridis
// colormap with a colour bar. A 2-D GoMLX tensor's Value() is such a [][]float32. Chapter 10
// shows convolution kernels (卷积核) and feature maps (特征图) with it:
//
//	viz.Heatmap("conv1 kernel 0", kernel).Diverging().Annotate().Display()
func Heatmap[T Number](title string, rows [][]T) *HeatmapPlot {
	p := newHeatmap(fmt.Sprintf("Heatmap(%q)", title), title, len(rows), 0)
	if len(rows) == 0 || len(rows[0]) == 0 {
		p.err = fmt.Errorf("no values")
		return p
	}
	p.col = len(rows[0])
	p.data = make([]float64, 0, p.rows*p.col)
	for i, r := range rows {
		if len(r) != p.col {
			p.err = fmt.Errorf("row %d has %d values, row 0 has %d", i, len(r), p.col)
			return p
		}
		for _, v := range r {
			p.data = append(p.data, float64(v))
		}
	}
	return p
}

// HeatmapFlat starts a heatmap of a rows×cols array stored row-major in data, as a GoMLX
// tensor's flat data is.
func HeatmapFlat[T Number](title string, data []T, rows, cols int) *HeatmapPlot {
	p := newHeatmap(fmt.Sprintf("HeatmapFlat(%q)", title), title, rows, cols)
	if rows <= 0 || cols <= 0 || len(data) != rows*cols {
		p.err = fmt.Errorf("%d values for %d×%d", len(data), rows, cols)
		return p
	}
	p.data = make([]float64, len(data))
	for i, v := range data {
		p.data[i] = float64(v)
	}
	return p
}

// Diverging colours negative values blue, zero white and positive red, on a range symmetric
// about zero: the colormap for weights and gradients, whose sign matters.
func (p *HeatmapPlot) Diverging() *HeatmapPlot { p.diverging = true; return p }

// Annotate writes each cell's value in it, when cells are at least 20 pixels wide.
func (p *HeatmapPlot) Annotate() *HeatmapPlot { p.annotate = true; return p }

// Range fixes the values shown at the two ends of the colour bar, e.g. to compare heatmaps.
func (p *HeatmapPlot) Range(lo, hi float64) *HeatmapPlot { p.vr = &[2]float64{lo, hi}; return p }

func newHeatmap(where, title string, rows, cols int) *HeatmapPlot {
	p := &HeatmapPlot{title: title, rows: rows, col: cols}
	p.base = base{fig: p, where: where, alt: "heatmap: " + title}
	return p
}

// PNG returns only the coloured cells as a PNG image, each value a square of pixels, without
// title or colour bar.
func (p *HeatmapPlot) PNG() ([]byte, error) {
	if err := p.check(); err != nil {
		return nil, err
	}
	return encodePNG(p.image(p.cellPixels()))
}

// SavePNG writes the heatmap to path as PNG, as PNG returns it.
func (p *HeatmapPlot) SavePNG(path string) error {
	png, err := p.PNG()
	return savePNG(png, err, path)
}

// maxRects is the most cells drawn as SVG rectangles; bigger arrays are embedded as one PNG.
const maxRects = 20 * 20

func (p *HeatmapPlot) check() error {
	if p.err == nil {
		for i, v := range p.data {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				p.err = fmt.Errorf("value [%d][%d] is %v", i/p.col, i%p.col, v)
				break
			}
		}
	}
	if p.err == nil && p.vr != nil && !(p.vr[0] < p.vr[1]) {
		p.err = fmt.Errorf("range [%v, %v] is empty", p.vr[0], p.vr[1])
	}
	if p.err != nil {
		return p.errorf("%w", p.err)
	}
	return nil
}

// valueRange is the range the colour bar spans.
func (p *HeatmapPlot) valueRange() (lo, hi float64) {
	if p.vr != nil {
		return p.vr[0], p.vr[1]
	}
	lo, hi = minMax(p.data)
	if p.diverging {
		m := max(math.Abs(lo), math.Abs(hi))
		lo, hi = -m, m
	}
	if lo == hi {
		lo, hi = lo-1, hi+1
	}
	return lo, hi
}

func (p *HeatmapPlot) cmap() colormap {
	if p.diverging {
		return diverging
	}
	return viridis
}

// cellPixels is the size of a cell on screen: a figure about 320 pixels across, at most 48
// pixels a cell, and whole pixels per cell once the array is big enough to be an image.
func (p *HeatmapPlot) cellPixels() int {
	return max(1, min(48, 320/max(p.rows, p.col)))
}

// image returns the cells coloured, scale pixels per cell.
func (p *HeatmapPlot) image(scale int) *image.RGBA {
	lo, hi := p.valueRange()
	cm := p.cmap()
	img := newRGBA(p.col*scale, p.rows*scale)
	for y := range p.rows * scale {
		for x := range p.col * scale {
			img.SetRGBA(x, y, cm.at((p.data[(y/scale)*p.col+x/scale]-lo)/(hi-lo)))
		}
	}
	return img
}

func (p *HeatmapPlot) render() (*canvas, error) {
	if err := p.check(); err != nil {
		return nil, err
	}
	cell := float64(p.cellPixels())
	wMap, hMap := cell*float64(p.col), cell*float64(p.rows)
	left, top := 12.0, 12.0
	if p.title != "" {
		top = 38
	}
	lo, hi := p.valueRange()
	ticks := linearTicks(lo, hi, max(2, int(max(hMap, 60)/35)))
	tw := 0.0
	for _, t := range ticks {
		tw = max(tw, textWidth(t.label, tickSize))
	}
	w := max(left+wMap+16+14+8+tw+12, textWidth(p.title, titleSize)+24)
	c := newCanvas(w, top+max(hMap, 60)+14)
	if p.title != "" {
		c.text(w/2, 19, p.title, titleSize, "middle", "title", `font-weight="bold"`)
	}
	cm := p.cmap()
	if p.rows*p.col > maxRects {
		png, err := encodePNG(p.image(int(cell)))
		if err != nil {
			return nil, err
		}
		c.image(left, top, wMap, hMap, png, "heatmap-image")
	} else {
		for i, v := range p.data {
			col := cm.at((v - lo) / (hi - lo))
			x, y := left+float64(i%p.col)*cell, top+float64(i/p.col)*cell
			c.rect(x, y, cell, cell, hexOf(col), "cell", "")
			if p.annotate && cell >= 20 {
				fill := "#222"
				if luminance(col) < 0.5 {
					fill = "white"
				}
				c.text(x+cell/2, y+cell/2, formatValue(v), min(12, cell/3.2), "middle", "value", `fill="`+fill+`"`)
			}
		}
	}
	c.printf(`<rect x="%s" y="%s" width="%s" height="%s" fill="none" stroke="#444" stroke-width="1"/>`+"\n",
		num(left), num(top), num(wMap), num(hMap))
	colorBar(c, left+wMap+16, top, 14, max(hMap, 60), cm, lo, hi, max(2, int(max(hMap, 60)/35)), false)
	return c, nil
}

func newRGBA(w, h int) *image.RGBA { return image.NewRGBA(image.Rect(0, 0, w, h)) }
