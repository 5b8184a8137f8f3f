package detection

import (
	"fmt"
	"image"
	"math"
)

// Letterbox is the resize that YOLO applies before a network of fixed input size: scale the
// image by one factor so that it fits inside dstW×dstH, keeping its aspect ratio, and pad the
// rest evenly on both sides. Boxes follow with Forward; a network's boxes go back to the
// original image with Back. Chapter 19 maps boxes there and back.
type Letterbox struct {
	SrcW, SrcH, DstW, DstH int
	Scale                  float64 // min(DstW/SrcW, DstH/SrcH)
	NewW, NewH             int     // the scaled image, rounded to whole pixels
	PadX, PadY             int     // left and top padding
}

// NewLetterbox returns the letterbox of a srcW×srcH image into dstW×dstH.
func NewLetterbox(srcW, srcH, dstW, dstH int) (Letterbox, error) {
	if srcW <= 0 || srcH <= 0 || dstW <= 0 || dstH <= 0 {
		return Letterbox{}, fmt.Errorf("detection: NewLetterbox: sizes %d×%d → %d×%d, want positive", srcW, srcH, dstW, dstH)
	}
	s := min(float64(dstW)/float64(srcW), float64(dstH)/float64(srcH))
	nw, nh := min(dstW, int(math.Round(float64(srcW)*s))), min(dstH, int(math.Round(float64(srcH)*s)))
	return Letterbox{srcW, srcH, dstW, dstH, s, nw, nh, (dstW - nw) / 2, (dstH - nh) / 2}, nil
}

// Forward maps a box of the source image into the letterboxed image.
func (l Letterbox) Forward(b Box) Box {
	sx, sy := float64(l.NewW)/float64(l.SrcW), float64(l.NewH)/float64(l.SrcH)
	px, py := float64(l.PadX), float64(l.PadY)
	return Box{b.X1*sx + px, b.Y1*sy + py, b.X2*sx + px, b.Y2*sy + py}
}

// Back maps a box of the letterboxed image to the source image, clipped to it.
func (l Letterbox) Back(b Box) Box {
	sx, sy := float64(l.NewW)/float64(l.SrcW), float64(l.NewH)/float64(l.SrcH)
	px, py := float64(l.PadX), float64(l.PadY)
	return Box{(b.X1 - px) / sx, (b.Y1 - py) / sy, (b.X2 - px) / sx, (b.Y2 - py) / sy}.
		Clip(float64(l.SrcW), float64(l.SrcH))
}

// Image resizes pix, an image SrcH×SrcW×c in HWC order, into DstH×DstW×c with bilinear
// interpolation (pixel centres aligned, as OpenCV's resize) and fills the padding with pad.
func (l Letterbox) Image(pix []float32, c int, pad float32) ([]float32, error) {
	if c <= 0 || len(pix) != l.SrcW*l.SrcH*c {
		return nil, fmt.Errorf("detection: Letterbox.Image: %d values, want %d×%d×%d", len(pix), l.SrcH, l.SrcW, c)
	}
	out := make([]float32, l.DstW*l.DstH*c)
	for i := range out {
		out[i] = pad
	}
	at := func(x, y, k int) float64 { return float64(pix[(y*l.SrcW+x)*c+k]) }
	for y := range l.NewH {
		fy := min(max((float64(y)+0.5)*float64(l.SrcH)/float64(l.NewH)-0.5, 0), float64(l.SrcH-1))
		y0 := int(fy)
		y1, wy := min(y0+1, l.SrcH-1), fy-float64(y0)
		for x := range l.NewW {
			fx := min(max((float64(x)+0.5)*float64(l.SrcW)/float64(l.NewW)-0.5, 0), float64(l.SrcW-1))
			x0 := int(fx)
			x1, wx := min(x0+1, l.SrcW-1), fx-float64(x0)
			for k := range c {
				v := (1-wy)*((1-wx)*at(x0, y0, k)+wx*at(x1, y0, k)) + wy*((1-wx)*at(x0, y1, k)+wx*at(x1, y1, k))
				out[((y+l.PadY)*l.DstW+x+l.PadX)*c+k] = float32(v)
			}
		}
	}
	return out, nil
}

// ImageOf letterboxes a decoded image (a photograph, chapter 19) of SrcW×SrcH pixels: its RGB
// values, scaled to [0, 1], resized as Image does into DstH×DstW×3, padding pad.
func (l Letterbox) ImageOf(img image.Image, pad float32) ([]float32, error) {
	r := img.Bounds()
	if r.Dx() != l.SrcW || r.Dy() != l.SrcH {
		return nil, fmt.Errorf("detection: Letterbox.ImageOf: image %d×%d, want %d×%d", r.Dx(), r.Dy(), l.SrcW, l.SrcH)
	}
	pix := make([]float32, 0, l.SrcW*l.SrcH*3)
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			cr, cg, cb, _ := img.At(x, y).RGBA()
			pix = append(pix, float32(cr)/0xffff, float32(cg)/0xffff, float32(cb)/0xffff)
		}
	}
	return l.Image(pix, 3, pad)
}
