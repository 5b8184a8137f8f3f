package imageproc

import (
	"fmt"
	"image"
	"math"
)

// Filter is a resampling filter of Resize, named as Pillow names them.
type Filter int

// The filters of Resize. Nearest copies the pixel whose area holds the output pixel's centre;
// the others are separable convolutions whose kernel Pillow calls box (support ½: the mean of the
// pixels under the output pixel, an area filter), bilinear (the triangle 1 − |x|, support 1) and
// bicubic (Keys' cubic with a = −0.5, support 2). When shrinking by a factor s > 1 the kernel is
// stretched by s, so that every input pixel contributes: that is Pillow's antialiasing.
const (
	Nearest Filter = iota
	Box
	Bilinear
	Bicubic
)

// Filters lists the filters in the order of their constants.
func Filters() []Filter { return []Filter{Nearest, Box, Bilinear, Bicubic} }

// String returns the filter's name as Pillow's Image.Resampling spells it: "NEAREST", "BOX",
// "BILINEAR", "BICUBIC".
func (f Filter) String() string {
	switch f {
	case Nearest:
		return "NEAREST"
	case Box:
		return "BOX"
	case Bilinear:
		return "BILINEAR"
	case Bicubic:
		return "BICUBIC"
	}
	return fmt.Sprintf("Filter(%d)", int(f))
}

// kernel returns the filter's function and its support (half-width) in input pixels at scale 1.
func (f Filter) kernel() (func(float64) float64, float64, bool) {
	switch f {
	case Box:
		return func(x float64) float64 {
			if x > -0.5 && x <= 0.5 {
				return 1
			}
			return 0
		}, 0.5, true
	case Bilinear:
		return func(x float64) float64 {
			x = math.Abs(x)
			if x < 1 {
				return 1 - x
			}
			return 0
		}, 1, true
	case Bicubic:
		const a = -0.5
		return func(x float64) float64 {
			x = math.Abs(x)
			switch {
			case x < 1:
				return ((a+2)*x-(a+3))*x*x + 1
			case x < 2:
				return (((x-5)*x+8)*x - 4) * a
			}
			return 0
		}, 2, true
	}
	return nil, 0, false
}

// weights are the taps of a 1-D resampling: output i reads inputs first[i] … first[i]+len(w[i])−1.
type weights struct {
	first []int
	w     [][]float64
}

// coefficients computes, as Pillow's Resample.c does, the normalized taps that resample inSize
// pixels to outSize: output pixel i is centred at input coordinate (i + ½)·scale, scale =
// inSize/outSize, and reads the inputs within support·max(scale, 1) of that centre.
func coefficients(inSize, outSize int, f Filter) weights {
	kern, support, _ := f.kernel()
	scale := float64(inSize) / float64(outSize)
	fscale := max(scale, 1)
	support *= fscale
	inv := 1 / fscale
	ws := weights{first: make([]int, outSize), w: make([][]float64, outSize)}
	for i := range outSize {
		center := (float64(i) + 0.5) * scale
		lo := max(int(center-support+0.5), 0) // int() truncates, as C's cast does
		hi := min(int(center+support+0.5), inSize)
		w := make([]float64, hi-lo)
		sum := 0.0
		for j := range w {
			w[j] = kern((float64(j+lo) - center + 0.5) * inv)
			sum += w[j]
		}
		if sum != 0 {
			for j := range w {
				w[j] /= sum
			}
		}
		ws.first[i], ws.w[i] = lo, w
	}
	return ws
}

// Resize resamples an image to w columns and h rows with the given filter, computing what
// Pillow's Image.resize((w, h), filter) computes for an image of mode "F" (32-bit float), one
// channel at a time: a horizontal pass, rounded to float32, then a vertical pass, as Pillow's
// Resample.c (up to 12.3) does. Its values equal Pillow's exactly (checked against goldens made
// by tools/goldens/imageproc.py); Pillow 13.0 runs the vertical pass first for some sizes, and
// there the results differ by the rounding in between, a float32 ulp.
func Resize(m *Image, w, h int, f Filter) (*Image, error) {
	if err := checkResize(m, w, h, f); err != nil {
		return nil, err
	}
	return resize(m, w, h, f, nil, false), nil
}

// resize runs the two passes, horizontal first as Pillow's Resample.c does, or vertical first
// (the tests use that order to explain where Pillow 13.0 differs); one is as for pass.
func resize(m *Image, w, h int, f Filter, one func([]float32, int, []float64) float32, verticalFirst bool) *Image {
	if f == Nearest {
		return nearest(m, w, h)
	}
	out := m
	horizontal := func() {
		if w != m.W {
			out = pass(out, coefficients(m.W, w, f), true, one)
		}
	}
	vertical := func() {
		if h != m.H {
			out = pass(out, coefficients(m.H, h, f), false, one)
		}
	}
	if verticalFirst {
		vertical()
		horizontal()
	} else {
		horizontal()
		vertical()
	}
	return out
}

// ResizeImage resamples an 8-bit image as Image.resize does in Pillow for modes "L" (an
// *image.Gray) and "RGB" (any other; alpha is dropped): the same kernels as Resize, but with
// Pillow's fixed-point arithmetic — taps scaled by 2²² and rounded, sums rounded and clipped to
// 0…255 after each pass — so that its bytes equal Pillow's.
func ResizeImage(img image.Image, w, h int, f Filter) (image.Image, error) {
	m := FromImage(img)
	if err := checkResize(m, w, h, f); err != nil {
		return nil, err
	}
	return resize(m, w, h, f, fixedPoint, false).ToImage()
}

func checkResize(m *Image, w, h int, f Filter) error {
	if _, _, ok := f.kernel(); !ok && f != Nearest {
		return fmt.Errorf("imageproc: Resize: unknown filter %v", f)
	}
	if w <= 0 || h <= 0 {
		return fmt.Errorf("imageproc: Resize: target size %d×%d, want both positive", w, h)
	}
	if m.H <= 0 || m.W <= 0 || m.C <= 0 || len(m.Pix) != m.H*m.W*m.C {
		return fmt.Errorf("imageproc: Resize: %d values for a %d×%d×%d image", len(m.Pix), m.H, m.W, m.C)
	}
	return nil
}

// precisionBits is Pillow's fixed-point precision for 8-bit resampling (32 − 8 − 2).
const precisionBits = 22

// fixedPoint computes one 8-bit output as Pillow does: taps rounded to multiples of 2⁻²²
// (half away from zero), an integer sum that starts at ½, then clipping to 0…255.
func fixedPoint(in []float32, stride int, w []float64) float32 {
	sum := int64(1) << (precisionBits - 1)
	for j, t := range w {
		var k int64
		if t < 0 {
			k = int64(-0.5 + t*(1<<precisionBits))
		} else {
			k = int64(0.5 + t*(1<<precisionBits))
		}
		sum += int64(in[j*stride]) * k
	}
	return float32(min(max(sum>>precisionBits, 0), 255))
}

// pass resamples every channel along rows (horizontal) or columns; one computes each output from
// the inputs it reads, spaced stride apart, or, when nil, as a float64 sum rounded to float32.
func pass(m *Image, ws weights, horizontal bool, one func([]float32, int, []float64) float32) *Image {
	out := &Image{H: m.H, W: m.W, C: m.C}
	stride := m.C // distance between neighbours along the pass
	if horizontal {
		out.W = len(ws.first)
	} else {
		out.H = len(ws.first)
		stride = m.W * m.C
	}
	out.Pix = make([]float32, out.H*out.W*out.C)
	for y := range out.H {
		for x := range out.W {
			i, sy, sx := x, y, 0 // i: output index along the pass; (sy, sx) its first input
			if horizontal {
				sx = ws.first[x]
			} else {
				i, sy, sx = y, ws.first[y], x
			}
			for c := range m.C {
				in := m.Pix[(sy*m.W+sx)*m.C+c:]
				if one != nil {
					out.Pix[(y*out.W+x)*out.C+c] = one(in, stride, ws.w[i])
					continue
				}
				sum := 0.0
				for j, t := range ws.w[i] {
					sum += float64(in[j*stride]) * t
				}
				out.Pix[(y*out.W+x)*out.C+c] = float32(sum)
			}
		}
	}
	return out
}

// nearest picks, as Pillow's nearest-neighbour scaling does, input floor((i + ½)·scale) for
// output i, with the coordinate accumulated step by step in float64 as Pillow accumulates it.
func nearest(m *Image, w, h int) *Image {
	index := func(inSize, outSize int) []int {
		step := float64(inSize) / float64(outSize)
		idx := make([]int, outSize)
		pos := step * 0.5
		for i := range idx {
			idx[i] = min(int(pos), inSize-1)
			pos += step
		}
		return idx
	}
	xs, ys := index(m.W, w), index(m.H, h)
	out := &Image{H: h, W: w, C: m.C, Pix: make([]float32, 0, h*w*m.C)}
	for _, sy := range ys {
		for _, sx := range xs {
			i := (sy*m.W + sx) * m.C
			out.Pix = append(out.Pix, m.Pix[i:i+m.C]...)
		}
	}
	return out
}

// ResizeNoAntialias resamples bilinearly without antialiasing, as OpenCV's cv2.resize with
// INTER_LINEAR does and as torch.nn.functional.interpolate(mode="bilinear",
// align_corners=False) does: output i reads the two inputs around (i + ½)·scale − ½ (clamped to
// the image), whatever the scale. Shrinking by more than 2 skips pixels, so fine detail aliases.
func ResizeNoAntialias(m *Image, w, h int) (*Image, error) {
	if err := checkResize(m, w, h, Bilinear); err != nil {
		return nil, err
	}
	out := m
	if w != m.W {
		out = pass(out, linearTaps(m.W, w), true, nil)
	}
	if h != m.H {
		out = pass(out, linearTaps(m.H, h), false, nil)
	}
	return out, nil
}

// linearTaps returns the two-tap weights of ResizeNoAntialias along one axis.
func linearTaps(inSize, outSize int) weights {
	scale := float64(inSize) / float64(outSize)
	ws := weights{first: make([]int, outSize), w: make([][]float64, outSize)}
	for i := range outSize {
		src := max((float64(i)+0.5)*scale-0.5, 0)
		lo := min(int(src), inSize-1)
		frac := src - float64(lo)
		if lo == inSize-1 {
			ws.first[i], ws.w[i] = lo, []float64{1}
			continue
		}
		ws.first[i], ws.w[i] = lo, []float64{1 - frac, frac}
	}
	return ws
}
