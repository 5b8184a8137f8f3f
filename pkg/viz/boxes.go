package viz

import (
	"fmt"
	"math"
	"unicode/utf8"
)

// LabeledBox is a rectangle to draw on an image: corners in the image's pixels (x right, y
// down, continuous coordinates), a label such as "disc 0.93" (empty: none), and a class whose
// colour it takes from the book's palette, so that a class has one colour in every figure.
type LabeledBox struct {
	X1, Y1, X2, Y2 float64
	Label          string
	Class          int
	Dashed         bool // e.g. for ground truth next to predictions, or anchors
}

// BoxImage is a figure of one image with labelled boxes on it, built by ImageBoxes; every
// detection chapter (19–26) draws ground truth and predictions with it.
type BoxImage struct {
	base
	grid  *ImageGrid
	boxes []LabeledBox
	scale int
	title string
	err   error
}

// ImageBoxes starts a figure of the image pix (h×w×c, HWC, c = 1 or 3, as Images) with boxes
// drawn on it. Chapter 19 shows a synthetic canvas and its ground truth with it:
//
//	viz.ImageBoxes(s.Image, 96, 96, 3, boxes...).Scale(3).Display()
func ImageBoxes[T Pixel](pix []T, h, w, c int, boxes ...LabeledBox) *BoxImage {
	b := &BoxImage{grid: Images(pix, h, w, c), boxes: boxes, scale: 1}
	b.base = base{fig: b, where: "ImageBoxes"}
	if b.grid.err == nil && b.grid.n != 1 {
		b.err = fmt.Errorf("%d values hold %d images of %d×%d×%d, want one", len(pix), b.grid.n, h, w, c)
	}
	b.alt = fmt.Sprintf("an image with %d boxes", len(boxes))
	return b
}

// Add draws more boxes, over those before.
func (b *BoxImage) Add(boxes ...LabeledBox) *BoxImage { b.boxes = append(b.boxes, boxes...); return b }

// Scale enlarges the image k times (nearest pixel); boxes and labels follow.
func (b *BoxImage) Scale(k int) *BoxImage { b.scale = k; return b }

// Title sets a title above the image.
func (b *BoxImage) Title(s string) *BoxImage { b.title = s; return b }

const boxLabelSize = 11

func (b *BoxImage) render() (*canvas, error) {
	switch {
	case b.grid.err != nil:
		return nil, b.errorf("%v", b.grid.err)
	case b.err != nil:
		return nil, b.errorf("%v", b.err)
	case b.scale < 1 || b.scale > 64:
		return nil, b.errorf("scale %d, want 1 to 64", b.scale)
	}
	for i, x := range b.boxes {
		for _, v := range [4]float64{x.X1, x.Y1, x.X2, x.Y2} {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, b.errorf("box %d (%q) has a corner %v", i, x.Label, v)
			}
		}
	}
	g, k := b.grid, float64(b.scale)
	lo, hi := 0.0, 1.0
	if l, h := minMax(g.pix); l < 0 || h > 1 {
		lo, hi = l, h
	}
	const pad = 4.0
	top := pad
	if b.title != "" {
		top += 24
	}
	iw, ih := float64(g.w)*k, float64(g.h)*k
	c := newCanvas(iw+2*pad, top+ih+pad)
	if b.title != "" {
		c.text(c.w/2, 14, b.title, titleSize, "middle", "title", `font-weight="bold"`)
	}
	png, err := encodePNG(g.tile(0, b.scale, lo, hi))
	if err != nil {
		return nil, err
	}
	c.image(pad, top, iw, ih, png, "image")
	var placed []rect
	for _, x := range b.boxes {
		col := seriesColor(max(0, x.Class))
		dash := ""
		if x.Dashed {
			dash = ` stroke-dasharray="5 3"`
		}
		x0, y0 := pad+min(x.X1, x.X2)*k, top+min(x.Y1, x.Y2)*k
		c.printf(`<rect class="box" x="%s" y="%s" width="%s" height="%s" fill="none" stroke="%s" stroke-width="2"%s/>`+"\n",
			num(x0), num(y0), num(math.Abs(x.X2-x.X1)*k), num(math.Abs(x.Y2-x.Y1)*k), col, dash)
		if x.Label == "" {
			continue
		}
		lw, lh := float64(utf8.RuneCountInString(x.Label))*boxLabelSize*0.6+6, float64(boxLabelSize+4)
		y1 := top + max(x.Y1, x.Y2)*k
		// Above the box; where that leaves the image or covers a label drawn before, inside
		// its top edge, then below it, then inside its bottom edge.
		ly := y0 - lh
		for _, cand := range []float64{y0 - lh, y0, y1, y1 - lh} {
			r := rect{x0 - 1, cand, x0 - 1 + lw, cand + lh}
			if cand >= top && cand+lh <= top+ih && !overlapsAny(r, placed) {
				ly = cand
				break
			}
		}
		placed = append(placed, rect{x0 - 1, ly, x0 - 1 + lw, ly + lh})
		c.rect(x0-1, ly, lw, lh, col, "box-label", `fill-opacity="0.85"`)
		c.text(x0+2, ly+lh/2, x.Label, boxLabelSize, "start", "box-label", `fill="white"`)
	}
	return c, nil
}

func overlapsAny(r rect, others []rect) bool {
	for _, o := range others {
		if r.x0 < o.x1 && o.x0 < r.x1 && r.y0 < o.y1 && o.y0 < r.y1 {
			return true
		}
	}
	return false
}
