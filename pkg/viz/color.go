package viz

import (
	"fmt"
	"image/color"
	"math"
)

// palette is matplotlib's default "tab10" cycle, so the book's figures look like the ones the
// reader knows from PyTorch tutorials.
var palette = []string{
	"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
	"#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
}

func seriesColor(i int) string { return palette[i%len(palette)] }

// colorOf returns the colour byName gives a series called name, or fallback.
func colorOf(byName map[string]string, name, fallback string) string {
	if c, ok := byName[name]; ok && name != "" {
		return c
	}
	return fallback
}

// red marks wrong predictions.
const red = "#d62728"

// colormap maps t in [0, 1] to a colour by linear interpolation between evenly spaced stops.
type colormap []color.RGBA

func (m colormap) at(t float64) color.RGBA {
	if math.IsNaN(t) || t < 0 {
		t = 0
	} else if t > 1 {
		t = 1
	}
	x := t * float64(len(m)-1)
	i := min(int(x), len(m)-2)
	f := x - float64(i)
	a, b := m[i], m[i+1]
	mix := func(p, q uint8) uint8 { return uint8(math.Round(float64(p) + f*(float64(q)-float64(p)))) }
	return color.RGBA{mix(a.R, b.R), mix(a.G, b.G), mix(a.B, b.B), 255}
}

func (m colormap) hex(t float64) string { return hexOf(m.at(t)) }

func hexOf(c color.RGBA) string { return fmt.Sprintf("#%02x%02x%02x", c.R, c.G, c.B) }

// luminance is the relative brightness of c in [0, 1]; text on a cell is white below 0.5.
func luminance(c color.RGBA) float64 {
	return (0.299*float64(c.R) + 0.587*float64(c.G) + 0.114*float64(c.B)) / 255
}

func rgb(hex uint32) color.RGBA {
	return color.RGBA{uint8(hex >> 16), uint8(hex >> 8), uint8(hex), 255}
}

// viridis is matplotlib's perceptually uniform default colormap, dark purple to yellow.
var viridis = colormap{
	rgb(0x440154), rgb(0x482878), rgb(0x3e4989), rgb(0x31688e), rgb(0x26828e),
	rgb(0x1f9e89), rgb(0x35b779), rgb(0x6ece58), rgb(0xfde725),
}

// blues is matplotlib's "Blues", white to dark blue, for counts.
var blues = colormap{
	rgb(0xf7fbff), rgb(0xdeebf7), rgb(0xc6dbef), rgb(0x9ecae1), rgb(0x6baed6),
	rgb(0x4292c6), rgb(0x2171b5), rgb(0x08519c), rgb(0x08306b),
}

// diverging is matplotlib's "RdBu_r": blue for negative, white for zero, red for positive.
var diverging = colormap{
	rgb(0x2166ac), rgb(0x4393c3), rgb(0x92c5de), rgb(0xd1e5f0), rgb(0xf7f7f7),
	rgb(0xfddbc7), rgb(0xf4a582), rgb(0xd6604d), rgb(0xb2182b),
}
