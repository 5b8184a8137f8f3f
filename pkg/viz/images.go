package viz

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"math"
	"strings"
)

// Pixel is an element type Images accepts: floats (in [0, 1], or anything, see Normalize) or
// bytes (0 to 255).
type Pixel interface {
	float32 | float64 | uint8
}

// ImageGrid is a figure of images in a grid with a caption under each, built by Images or
// Predictions; chapter 04 shows samples and predictions with it.
type ImageGrid struct {
	base
	title      string
	pix        []float64 // n images, each h×w×c, row-major (HWC)
	n, h, w, c int
	captions   []string
	wrong      []int
	cols       int
	scale      int
	normalize  bool
	err        error
}

// Images starts a grid of the images in pix: n = len(pix)/(h·w·c) images stored one after
// the other, each h×w×c row-major (HWC, as GoMLX's image tensors), with c = 1 (grey) or 3
// (RGB). Chapter 04 shows Fashion-MNIST samples with it:
//
//	viz.Images(batch, 28, 28, 1).Captions(names...).Display()
//
// Float values in [0, 1] are shown as they are; if any value lies outside [0, 1] every image
// is stretched to its own minimum and maximum. Bytes are divided by 255.
func Images[T Pixel](pix []T, h, w, c int) *ImageGrid {
	g := &ImageGrid{h: h, w: w, c: c}
	g.base = base{fig: g, where: "Images"}
	_, bytePix := any(pix).([]uint8)
	g.pix = make([]float64, len(pix))
	for i, v := range pix {
		g.pix[i] = float64(v)
		if bytePix {
			g.pix[i] /= 255
		}
	}
	switch {
	case h <= 0 || w <= 0:
		g.err = fmt.Errorf("image size %d×%d", h, w)
	case c != 1 && c != 3:
		g.err = fmt.Errorf("%d channels, want 1 or 3", c)
	case len(pix) == 0:
		g.err = fmt.Errorf("no images")
	case len(pix)%(h*w*c) != 0:
		g.err = fmt.Errorf("%d values are not a whole number of %d×%d×%d images", len(pix), h, w, c)
	default:
		g.n = len(pix) / (h * w * c)
	}
	g.alt = fmt.Sprintf("%d images", g.n)
	return g
}

// Predictions starts a grid of images captioned with their predicted class, as Images; an image
// whose prediction is wrong is framed in red and its caption, in red, adds "true: <class>".
// Chapter 04 shows a classifier's mistakes on Fashion-MNIST with it:
//
//	viz.Predictions(batch, 28, 28, 1, classes, pred, labels).Display()
func Predictions[T Pixel](pix []T, h, w, c int, classes []string, pred, truth []int) *ImageGrid {
	g := Images(pix, h, w, c)
	g.where = "Predictions"
	if g.err != nil {
		return g
	}
	if len(pred) != g.n || len(truth) != g.n {
		g.err = fmt.Errorf("%d images, %d predictions, %d true labels", g.n, len(pred), len(truth))
		return g
	}
	name := func(what string, i, k int) (string, error) {
		if k < 0 || k >= len(classes) {
			return "", fmt.Errorf("%s[%d] = %d, not one of %d classes", what, i, k, len(classes))
		}
		return classes[k], nil
	}
	g.captions = make([]string, g.n)
	for i := range g.n {
		p, err := name("pred", i, pred[i])
		if err != nil {
			g.err = err
			return g
		}
		t, err := name("truth", i, truth[i])
		if err != nil {
			g.err = err
			return g
		}
		g.captions[i] = p
		if pred[i] != truth[i] {
			g.captions[i] += "\ntrue: " + t
			g.wrong = append(g.wrong, i)
		}
	}
	return g
}

// Captions sets one caption per image; "\n" breaks a caption into lines.
func (g *ImageGrid) Captions(captions ...string) *ImageGrid { g.captions = captions; return g }

// Wrong marks the images at the given indices in red: a red frame and a red caption.
func (g *ImageGrid) Wrong(indices ...int) *ImageGrid { g.wrong = append(g.wrong, indices...); return g }

// Cols sets the number of columns; by default as many as fit in about 860 pixels.
func (g *ImageGrid) Cols(n int) *ImageGrid { g.cols = n; return g }

// Scale sets how many pixels on screen each image pixel takes; by default small images are
// enlarged to about 84 pixels (28×28 Fashion-MNIST at 3×).
func (g *ImageGrid) Scale(k int) *ImageGrid { g.scale = k; return g }

// Normalize stretches every image to its own minimum and maximum, e.g. for feature maps.
func (g *ImageGrid) Normalize() *ImageGrid { g.normalize = true; return g }

// Title sets a title above the grid.
func (g *ImageGrid) Title(s string) *ImageGrid { g.title = s; return g }

// PNG returns the grid as a PNG image without captions or title (drawing text into pixels
// needs a font library godl does not depend on); wrong images keep their red frame.
func (g *ImageGrid) PNG() ([]byte, error) {
	l, err := g.layout(false)
	if err != nil {
		return nil, err
	}
	img := image.NewRGBA(image.Rect(0, 0, int(l.w), int(l.h)))
	draw.Draw(img, img.Bounds(), image.NewUniform(color.White), image.Point{}, draw.Src)
	for i := range g.n {
		x, y := int(l.x[i]), int(l.y[i])
		if l.wrong[i] {
			draw.Draw(img, image.Rect(x-3, y-3, x+l.iw+3, y+l.ih+3), image.NewUniform(rgb(0xd62728)), image.Point{}, draw.Src)
		}
		tile := g.tile(i, l.scale, l.lo[i], l.hi[i])
		draw.Draw(img, image.Rect(x, y, x+l.iw, y+l.ih), tile, image.Point{}, draw.Src)
	}
	return encodePNG(img)
}

// SavePNG writes the grid to path as PNG, as PNG returns it.
func (g *ImageGrid) SavePNG(path string) error {
	png, err := g.PNG()
	return savePNG(png, err, path)
}

// gridLayout is where each image of the grid goes, in pixels.
type gridLayout struct {
	w, h, top   float64
	iw, ih      int
	scale       int
	cellW, capH float64
	x, y        []float64 // top left corner of each image
	wrong       []bool
	lo, hi      []float64 // the values shown as black and white, per image
	lines       [][]string
}

const (
	gridPad     = 10.0
	captionSize = 11.0
	captionLine = 14.0
)

func (g *ImageGrid) layout(withCaptions bool) (*gridLayout, error) {
	if g.err != nil {
		return nil, g.errorf("%w", g.err)
	}
	if g.captions != nil && len(g.captions) != g.n {
		return nil, g.errorf("%d images, %d captions", g.n, len(g.captions))
	}
	if g.cols < 0 || g.scale < 0 {
		return nil, g.errorf("Cols(%d), Scale(%d)", g.cols, g.scale)
	}
	l := &gridLayout{scale: g.scale, wrong: make([]bool, g.n)}
	for _, i := range g.wrong {
		if i < 0 || i >= g.n {
			return nil, g.errorf("Wrong(%d): %d images", i, g.n)
		}
		l.wrong[i] = true
	}
	size := g.h * g.w * g.c
	outside := false
	for i, v := range g.pix {
		if err := finite(v, "pixel", i); err != nil {
			return nil, g.errorf("image %d: %w", i/size, err)
		}
		outside = outside || v < 0 || v > 1
	}
	l.lo, l.hi = make([]float64, g.n), make([]float64, g.n)
	for i := range g.n {
		l.lo[i], l.hi[i] = 0, 1
		if g.normalize || outside {
			img := g.pix[i*size : (i+1)*size]
			l.lo[i], l.hi[i] = minMax(img)
		}
	}
	if l.scale == 0 {
		l.scale = max(1, int(math.Round(84/float64(max(g.h, g.w)))))
	}
	l.iw, l.ih = g.w*l.scale, g.h*l.scale
	l.cellW = float64(l.iw)
	if withCaptions && g.captions != nil {
		l.lines = make([][]string, g.n)
		maxLines := 0
		for i, caption := range g.captions {
			l.lines[i] = strings.Split(caption, "\n")
			maxLines = max(maxLines, len(l.lines[i]))
			for _, s := range l.lines[i] {
				l.cellW = max(l.cellW, textWidth(s, captionSize)+6)
			}
		}
		l.capH = 4 + float64(maxLines)*captionLine
	}
	cols := g.cols
	if cols == 0 {
		cols = min(g.n, max(1, int((860-gridPad)/(l.cellW+gridPad))))
	}
	rows := (g.n + cols - 1) / cols
	if withCaptions && g.title != "" {
		l.top = 32
	}
	l.w = gridPad + float64(cols)*(l.cellW+gridPad)
	l.h = l.top + gridPad + float64(rows)*(float64(l.ih)+l.capH+gridPad)
	l.x, l.y = make([]float64, g.n), make([]float64, g.n)
	for i := range g.n {
		r, c := i/cols, i%cols
		l.x[i] = math.Round(gridPad + float64(c)*(l.cellW+gridPad) + (l.cellW-float64(l.iw))/2)
		l.y[i] = l.top + gridPad + float64(r)*(float64(l.ih)+l.capH+gridPad)
	}
	return l, nil
}

func (g *ImageGrid) render() (*canvas, error) {
	l, err := g.layout(true)
	if err != nil {
		return nil, err
	}
	c := newCanvas(l.w, l.h)
	if g.title != "" {
		c.text(l.w/2, 18, g.title, titleSize, "middle", "title", `font-weight="bold"`)
	}
	for i := range g.n {
		x, y := l.x[i], l.y[i]
		if l.wrong[i] {
			c.printf(`<rect class="wrong" x="%s" y="%s" width="%d" height="%d" fill="none" stroke="%s" stroke-width="3"/>`+"\n",
				num(x-1.5), num(y-1.5), l.iw+3, l.ih+3, red)
		}
		png, err := encodePNG(g.tile(i, l.scale, l.lo[i], l.hi[i]))
		if err != nil {
			return nil, err
		}
		c.image(x, y, float64(l.iw), float64(l.ih), png, "cell-image")
		if l.lines == nil {
			continue
		}
		fill := `fill="#222"`
		if l.wrong[i] {
			fill = `fill="` + red + `"`
		}
		for k, s := range l.lines[i] {
			c.text(x+float64(l.iw)/2, y+float64(l.ih)+4+captionLine*(float64(k)+0.5), s, captionSize, "middle", "caption", fill)
		}
	}
	return c, nil
}

// tile returns image i enlarged scale times, its values mapped from [lo, hi] to black–white.
func (g *ImageGrid) tile(i, scale int, lo, hi float64) image.Image {
	size := g.h * g.w * g.c
	px := g.pix[i*size : (i+1)*size]
	level := func(v float64) uint8 {
		if hi <= lo {
			return 128
		}
		return uint8(math.Round(255 * math.Min(1, math.Max(0, (v-lo)/(hi-lo)))))
	}
	bounds := image.Rect(0, 0, g.w*scale, g.h*scale)
	if g.c == 1 {
		img := image.NewGray(bounds)
		for y := range g.h * scale {
			for x := range g.w * scale {
				img.Pix[y*img.Stride+x] = level(px[(y/scale)*g.w+x/scale])
			}
		}
		return img
	}
	img := image.NewRGBA(bounds)
	for y := range g.h * scale {
		for x := range g.w * scale {
			o := ((y/scale)*g.w + x/scale) * 3
			img.SetRGBA(x, y, color.RGBA{level(px[o]), level(px[o+1]), level(px[o+2]), 255})
		}
	}
	return img
}

func minMax(v []float64) (lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, x := range v {
		lo, hi = min(lo, x), max(hi, x)
	}
	return lo, hi
}

func encodePNG(img image.Image) ([]byte, error) {
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		return nil, fmt.Errorf("viz: encoding PNG: %w", err)
	}
	return b.Bytes(), nil
}

func pngDataURI(png []byte) string {
	return "data:image/png;base64," + base64.StdEncoding.EncodeToString(png)
}
