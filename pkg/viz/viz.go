// Package viz draws the book's figures as SVG (and PNG where the figure is made of pixels):
// training curves, image grids, confusion matrices and bar charts (chapter 04), contour plots
// with optimizer paths (chapter 05), heatmaps of kernels and feature maps (chapter 10) — and, as
// animated GIFs rather than SVG, the convolution-arithmetic animations of chapter 10 (ConvAnimation).
//
// Every figure is built in one expression and ends in Display, SaveSVG or SVG:
//
//	viz.Lines("loss", viz.Series{Name: "train", Y: train}, viz.Series{Name: "test", Y: test}).LogY().Display()
//
// Builders only record what they are given; the input is checked when the figure is drawn, so
// Display, SVG, SaveSVG (and PNG, SavePNG) return the error — a series of mismatched lengths, a
// NaN, an empty grid — instead of panicking. In a notebook Display also prints the error under
// the cell, so a dropped error is still seen. Outside a notebook Display draws the figure (to
// report errors) and shows nothing; a program saves the figure with SaveSVG instead.
//
// In a notebook a figure is as wide as it was drawn, or as the output area where that is
// narrower: it scales down and keeps its proportions. It appears where the cell's program
// displayed it, after everything the program printed before and before everything it prints
// after, although GoNB carries printed text and figures by different channels.
//
// Text is escaped for XML and may be Chinese: the SVG names CJK fonts in its font-family list.
// The SVG uses no element ids, so any number of figures can sit inline in one HTML page.
package viz

import (
	"encoding/xml"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
	"unicode"

	"github.com/janpfeifer/gonb/gonbui"
)

// FontFamily is the font-family of every SVG text: Latin fonts first, then CJK fonts for the
// Chinese key terms the book writes, then the generic family.
const FontFamily = `'DejaVu Sans', 'Helvetica Neue', Arial, 'Noto Sans CJK SC', 'WenQuanYi Zen Hei', 'Microsoft YaHei', sans-serif`

// Figure is what every viz builder is: something that draws itself as an SVG document. Only
// this package's figures implement it, so that Row can lay them out.
type Figure interface {
	// SVG returns the figure as a standalone SVG document, or the reason it cannot be drawn.
	SVG() (string, error)
	// Display shows the figure in a GoNB notebook; outside one it only checks that it draws.
	Display() error
	// SaveSVG writes the figure to path as an SVG file.
	SaveSVG(path string) error

	// render draws the figure onto a fresh canvas; Row places several canvases side by side.
	render() (*canvas, error)
}

// base is embedded in every figure: it gives the figure SVG, Display and SaveSVG on top of the
// figure's own render, and holds what errors, alt text and Size need.
type base struct {
	fig           Figure  // the figure that embeds this base
	where         string  // the call that built the figure, e.g. `Lines("loss")`, which errors name
	alt           string  // the text/plain alternative, for front-ends that cannot show SVG
	width, height float64 // pixels, for figures whose size the caller may set; 0 is automatic
}

// SVG returns the figure as a standalone SVG document, or the reason it cannot be drawn.
func (b *base) SVG() (string, error) {
	c, err := b.fig.render()
	if err != nil {
		return "", err
	}
	return c.document(), nil
}

// Display shows the figure in a GoNB notebook, in order with what the cell printed before and
// after it. In a notebook a figure that cannot be drawn also prints its error under the cell.
// Outside a notebook Display only checks that the figure draws.
func (b *base) Display() error {
	svg, err := b.SVG()
	if err != nil {
		if gonbui.IsNotebook {
			fmt.Fprintln(os.Stderr, err)
		}
		return err
	}
	if !gonbui.IsNotebook {
		return nil
	}
	return show(svg, b.alt)
}

// SaveSVG writes the figure to path as an SVG file.
func (b *base) SaveSVG(path string) error {
	svg, err := b.SVG()
	if err != nil {
		return err
	}
	if err := os.WriteFile(path, []byte(svg), 0o644); err != nil {
		return fmt.Errorf("viz: %w", err)
	}
	return nil
}

// errorf returns an error that starts with "viz: " and the call that built the figure.
func (b *base) errorf(format string, args ...any) error {
	return fmt.Errorf("viz: %s: "+format, append([]any{b.where}, args...)...)
}

// setSize records the size the caller asked for; checkSize reports one too small to draw in.
func (b *base) setSize(w, h int) { b.width, b.height = float64(w), float64(h) }

func (b *base) checkSize() error {
	if (b.width != 0 || b.height != 0) && (b.width < 100 || b.height < 80) {
		return b.errorf("size %v×%v is too small", b.width, b.height)
	}
	return nil
}

// savePNG writes the PNG bytes to path.
func savePNG(png []byte, err error, path string) error {
	if err != nil {
		return err
	}
	if err := os.WriteFile(path, png, 0o644); err != nil {
		return fmt.Errorf("viz: %w", err)
	}
	return nil
}

// canvas accumulates SVG elements of a figure of size w×h pixels.
type canvas struct {
	w, h float64
	b    strings.Builder
}

func newCanvas(w, h float64) *canvas { return &canvas{w: math.Ceil(w), h: math.Ceil(h)} }

// document wraps the canvas into a standalone SVG document on a white background, so figures
// stay readable in notebooks with a dark theme. Its width and height are the natural size; the
// viewBox and the style let a page shrink it to the width it has, keeping its proportions.
func (c *canvas) document() string {
	var d strings.Builder
	fmt.Fprintf(&d, `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" `+
		`width="%s" height="%s" viewBox="0 0 %s %s" style="max-width:100%%;height:auto" `+
		`font-family="%s" font-size="12">`+"\n",
		num(c.w), num(c.h), num(c.w), num(c.h), esc(FontFamily))
	fmt.Fprintf(&d, `<rect width="%s" height="%s" fill="white"/>`+"\n", num(c.w), num(c.h))
	d.WriteString(c.b.String())
	d.WriteString("</svg>\n")
	return d.String()
}

func (c *canvas) printf(format string, args ...any) { fmt.Fprintf(&c.b, format, args...) }

// text writes s at (x, y): anchor is "start", "middle" or "end"; y is the vertical middle of
// the text (SVG's baseline is moved down by a third of the size, which renderers agree on
// better than dominant-baseline). extra holds more attributes, e.g. `fill="red"`.
func (c *canvas) text(x, y float64, s string, size float64, anchor, class, extra string) {
	c.printf(`<text class="%s" x="%s" y="%s" font-size="%s" text-anchor="%s"%s>%s</text>`+"\n",
		class, num(x), num(y+size*0.35), num(size), anchor, spaced(extra), esc(s))
}

// textRotated writes s rotated by deg degrees about its anchor point (x, y).
func (c *canvas) textRotated(x, y float64, s string, size float64, anchor, class string, deg float64) {
	yb := y + size*0.35
	c.printf(`<text class="%s" x="%s" y="%s" font-size="%s" text-anchor="%s" transform="rotate(%s %s %s)">%s</text>`+"\n",
		class, num(x), num(yb), num(size), anchor, num(deg), num(x), num(y), esc(s))
}

func (c *canvas) line(x1, y1, x2, y2 float64, stroke string, width float64, class string) {
	c.printf(`<line class="%s" x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s" stroke-width="%s"/>`+"\n",
		class, num(x1), num(y1), num(x2), num(y2), stroke, num(width))
}

func (c *canvas) rect(x, y, w, h float64, fill, class, extra string) {
	c.printf(`<rect class="%s" x="%s" y="%s" width="%s" height="%s" fill="%s"%s/>`+"\n",
		class, num(x), num(y), num(w), num(h), fill, spaced(extra))
}

// image embeds PNG bytes at (x, y) with size w×h.
func (c *canvas) image(x, y, w, h float64, png []byte, class string) {
	c.printf(`<image class="%s" x="%s" y="%s" width="%s" height="%s" preserveAspectRatio="none" xlink:href="%s"/>`+"\n",
		class, num(x), num(y), num(w), num(h), pngDataURI(png))
}

func spaced(extra string) string {
	if extra == "" {
		return ""
	}
	return " " + extra
}

// esc escapes s for XML text and attribute values; characters XML cannot hold become U+FFFD.
func esc(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s)) // a strings.Builder never fails
	return b.String()
}

// num formats an SVG coordinate with at most one decimal.
func num(v float64) string {
	s := strconv.FormatFloat(math.Round(v*10)/10, 'f', -1, 64)
	if s == "-0" {
		return "0"
	}
	return s
}

// textWidth estimates the width in pixels of s at the given font size, for layout. The widths
// are DejaVu Sans's, the widest of the fonts FontFamily names, so text never gets less room
// than it takes; CJK characters are one em wide.
func textWidth(s string, size float64) float64 {
	w := 0.0
	for _, r := range s {
		switch {
		case isWide(r):
			w += 1.0
		case strings.ContainsRune("ijl.,:;|!'", r):
			w += 0.3
		case strings.ContainsRune(" ft()[]{}/\\-", r):
			w += 0.4
		case r == 'r':
			w += 0.42
		case strings.ContainsRune("mMW%@", r):
			w += 1.0
		case strings.ContainsRune("<>=+~^&w", r):
			w += 0.84
		case r >= '0' && r <= '9':
			w += 0.64
		case unicode.IsUpper(r):
			w += 0.74
		default:
			w += 0.62
		}
	}
	return w * size
}

func isWide(r rune) bool {
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul) ||
		(r >= 0x3000 && r <= 0x303F) || (r >= 0xFF00 && r <= 0xFFEF)
}

// finite returns an error naming what and where if v is NaN or infinite.
func finite(v float64, what string, i int) error {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return fmt.Errorf("%s[%d] is %v", what, i, v)
	}
	return nil
}
