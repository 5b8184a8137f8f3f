package augment

import (
	"fmt"
	"math"
)

// HFlip mirrors im left to right, as torchvision's F.hflip.
func (im Image) HFlip() (Image, error) {
	if err := im.Check(); err != nil {
		return Image{}, err
	}
	return hflip(im), nil
}

func hflip(im Image) Image {
	out := im.blank()
	for y := range im.H {
		for x := range im.W {
			copy(out.Pix[(y*im.W+x)*im.C:(y*im.W+x+1)*im.C], im.Pix[(y*im.W+im.W-1-x)*im.C:])
		}
	}
	return out
}

// VFlip mirrors im top to bottom, as torchvision's F.vflip.
func (im Image) VFlip() (Image, error) {
	if err := im.Check(); err != nil {
		return Image{}, err
	}
	return vflip(im), nil
}

func vflip(im Image) Image {
	out := im.blank()
	row := im.W * im.C
	for y := range im.H {
		copy(out.Pix[y*row:(y+1)*row], im.Pix[(im.H-1-y)*row:])
	}
	return out
}

// PadMode says what a pad puts outside the image, with torchvision's padding_mode names.
type PadMode int

const (
	Constant  PadMode = iota // the fill value
	Edge                     // the nearest edge pixel repeated: abc|ccc
	Reflect                  // the image mirrored without repeating the edge: abc|ba
	Symmetric                // the image mirrored with the edge repeated: abc|cba
)

func (m PadMode) String() string {
	switch m {
	case Constant:
		return "constant"
	case Edge:
		return "edge"
	case Reflect:
		return "reflect"
	case Symmetric:
		return "symmetric"
	}
	return fmt.Sprintf("PadMode(%d)", int(m))
}

// checkPad reports a padding that mode cannot give an image of size n: reflect needs pad < n,
// symmetric pad ≤ n (as torch's reflection pad).
func (m PadMode) checkPad(pad, n int, side string) error {
	switch m {
	case Constant, Edge:
		return nil
	case Reflect:
		if pad >= n {
			return fmt.Errorf("augment: reflect padding %d on a %s of %d pixels, want < %d", pad, side, n, n)
		}
		return nil
	case Symmetric:
		if pad > n {
			return fmt.Errorf("augment: symmetric padding %d on a %s of %d pixels, want ≤ %d", pad, side, n, n)
		}
		return nil
	}
	return fmt.Errorf("augment: unknown padding mode %v", m)
}

// source maps a coordinate i of the padded image, relative to the original's origin, to a
// coordinate in [0, n), or −1 for the fill value.
func (m PadMode) source(i, n int) int {
	if i >= 0 && i < n {
		return i
	}
	switch m {
	case Edge:
		return min(max(i, 0), n-1)
	case Reflect:
		if i < 0 {
			return -i
		}
		return 2*(n-1) - i
	case Symmetric:
		if i < 0 {
			return -i - 1
		}
		return 2*n - 1 - i
	}
	return -1
}

// Pad adds left, top, right and bottom pixels around im, as torchvision's F.pad with
// padding_mode mode; Constant fills them with fill.
func (im Image) Pad(left, top, right, bottom int, mode PadMode, fill float32) (Image, error) {
	if err := im.Check(); err != nil {
		return Image{}, err
	}
	if left < 0 || top < 0 || right < 0 || bottom < 0 {
		return Image{}, fmt.Errorf("augment: Pad(%d, %d, %d, %d): want paddings ≥ 0", left, top, right, bottom)
	}
	for _, p := range [][3]int{{left, im.W, 0}, {right, im.W, 0}, {top, im.H, 1}, {bottom, im.H, 1}} {
		if err := mode.checkPad(p[0], p[1], [2]string{"row", "column"}[p[2]]); err != nil {
			return Image{}, err
		}
	}
	out, _ := NewImage(im.H+top+bottom, im.W+left+right, im.C)
	im.window(out, top, left, mode, fill)
	return out, nil
}

// window fills out with the part of im, padded with mode, whose top-left corner is at (top,
// left) in padded coordinates: out(y, x) = padded(y, x) with padded(top, left) = im(0, 0).
func (im Image) window(out Image, top, left int, mode PadMode, fill float32) {
	for y := range out.H {
		sy := mode.source(y-top, im.H)
		for x := range out.W {
			sx := mode.source(x-left, im.W)
			dst := out.Pix[(y*out.W+x)*out.C : (y*out.W+x+1)*out.C]
			if sy < 0 || sx < 0 {
				for c := range dst {
					dst[c] = fill
				}
				continue
			}
			copy(dst, im.Pix[(sy*im.W+sx)*im.C:])
		}
	}
}

// Crop returns the h × w window of im whose top-left pixel is (top, left), with zeros where the
// window leaves the image, as torchvision's F.crop.
func (im Image) Crop(top, left, h, w int) (Image, error) {
	if err := im.Check(); err != nil {
		return Image{}, err
	}
	out, err := NewImage(h, w, im.C)
	if err != nil {
		return Image{}, fmt.Errorf("augment: Crop: %w", err)
	}
	im.window(out, -top, -left, Constant, 0)
	return out, nil
}

// Resize scales im to h × w with bilinear interpolation, as torchvision 0.14's F.resize on a
// tensor (torch's interpolate with align_corners=False and no antialiasing): output pixel x
// samples the input at (x + ½)·W/w − ½, clamped at 0.
func (im Image) Resize(h, w int) (Image, error) {
	if err := im.Check(); err != nil {
		return Image{}, err
	}
	out, err := NewImage(h, w, im.C)
	if err != nil {
		return Image{}, fmt.Errorf("augment: Resize: %w", err)
	}
	ys, xs := linearTaps(im.H, h), linearTaps(im.W, w)
	for y, ty := range ys {
		for x, tx := range xs {
			for c := range im.C {
				top := (1-tx.frac)*im.at(ty.i0, tx.i0, c) + tx.frac*im.at(ty.i0, tx.i1, c)
				bot := (1-tx.frac)*im.at(ty.i1, tx.i0, c) + tx.frac*im.at(ty.i1, tx.i1, c)
				out.Pix[(y*w+x)*im.C+c] = (1-ty.frac)*top + ty.frac*bot
			}
		}
	}
	return out, nil
}

// tap is where one output pixel of a linear resize reads: between i0 and i1, frac of the way.
type tap struct {
	i0, i1 int
	frac   float32
}

// linearTaps follows torch's upsample_bilinear2d on the CPU, in float32 as it computes.
func linearTaps(in, out int) []tap {
	scale := float32(in) / float32(out)
	taps := make([]tap, out)
	for o := range taps {
		src := max(scale*(float32(o)+0.5)-0.5, 0)
		i0 := int(src)
		i1 := i0
		if i0 < in-1 {
			i1++
		}
		taps[o] = tap{i0, i1, src - float32(i0)}
	}
	return taps
}

// ResizedCrop crops the h × w window at (top, left) and resizes it to im's size, as
// torchvision's F.resized_crop with the image's own size and bilinear interpolation.
func (im Image) ResizedCrop(top, left, h, w int) (Image, error) {
	crop, err := im.Crop(top, left, h, w)
	if err != nil {
		return Image{}, err
	}
	return crop.Resize(im.H, im.W)
}

// Affine is the map of torchvision's F.affine: a rotation by Angle degrees (clockwise on the
// screen), a scale, shears of Shear[0] degrees parallel to the x axis and Shear[1] to the y axis,
// all about the image centre, then a translation by Translate pixels (x, y).
type Affine struct {
	Angle     float64
	Translate [2]float64
	Scale     float64
	Shear     [2]float64
}

// inverse returns the map from output pixel coordinates, relative to the image centre, to input
// ones: torchvision's _get_inverse_affine_matrix with the centre at (0, 0).
func (a Affine) inverse() [6]float64 {
	rot := a.Angle * math.Pi / 180
	sx, sy := a.Shear[0]*math.Pi/180, a.Shear[1]*math.Pi/180
	tx, ty := a.Translate[0], a.Translate[1]
	// The rotation-shear matrix [[ra, rb], [rc, rd]], whose determinant is 1.
	ra := math.Cos(rot-sy) / math.Cos(sy)
	rb := -math.Cos(rot-sy)*math.Tan(sx)/math.Cos(sy) - math.Sin(rot)
	rc := math.Sin(rot-sy) / math.Cos(sy)
	rd := -math.Sin(rot-sy)*math.Tan(sx)/math.Cos(sy) + math.Cos(rot)
	m := [6]float64{rd / a.Scale, -rb / a.Scale, 0, -rc / a.Scale, ra / a.Scale, 0}
	m[2] = m[0]*-tx + m[1]*-ty
	m[5] = m[3]*-tx + m[4]*-ty
	return m
}

func (a Affine) check() error {
	if !(a.Scale > 0) || math.IsInf(a.Scale, 0) {
		return fmt.Errorf("augment: affine scale %g, want > 0", a.Scale)
	}
	for _, s := range a.Shear {
		if !(math.Abs(s) < 90) {
			return fmt.Errorf("augment: affine shear %v degrees, want each in (−90, 90)", a.Shear)
		}
	}
	for _, v := range []float64{a.Angle, a.Translate[0], a.Translate[1]} {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("augment: affine angle %g, translation %v: want finite numbers", a.Angle, a.Translate)
		}
	}
	return nil
}

// Affine maps im by a with bilinear interpolation, as torchvision's F.affine with
// InterpolationMode.BILINEAR and fill (one value, or one per channel): each output pixel samples
// the input where a's inverse sends it, and the fill shows where that falls outside — blended at
// the border by the share of the sample that fell inside, as torchvision does.
func (im Image) Affine(a Affine, fill []float32) (Image, error) {
	if err := im.Check(); err != nil {
		return Image{}, err
	}
	if err := a.check(); err != nil {
		return Image{}, err
	}
	if err := perChannel("affine fill", fill, im.C); err != nil {
		return Image{}, err
	}
	return im.warp(a.inverse(), fill), nil
}

// Rotate turns im by angle degrees counter-clockwise about its centre, as torchvision's F.rotate
// with bilinear interpolation, expand=False and fill: the same as an Affine of −angle degrees.
func (im Image) Rotate(angle float64, fill []float32) (Image, error) {
	return im.Affine(Affine{Angle: -angle, Scale: 1}, fill)
}

// warp samples im at m·(x, y, 1) for every output pixel (x, y), in coordinates whose origin is
// the image centre; torch's grid_sample with align_corners=False and zero padding, plus
// torchvision's mask for the fill.
func (im Image) warp(m [6]float64, fill []float32) Image {
	out := im.blank()
	cx, cy := float64(im.W)/2, float64(im.H)/2
	acc := make([]float64, im.C)
	for y := range im.H {
		yc := float64(y) + 0.5 - cy
		for x := range im.W {
			xc := float64(x) + 0.5 - cx
			sx := m[0]*xc + m[1]*yc + m[2] + cx - 0.5
			sy := m[3]*xc + m[4]*yc + m[5] + cy - 0.5
			x0, y0 := math.Floor(sx), math.Floor(sy)
			fx, fy := sx-x0, sy-y0
			clear(acc)
			inside := 0.0
			for _, corner := range [4]struct {
				dx, dy int
				wt     float64
			}{{0, 0, (1 - fx) * (1 - fy)}, {1, 0, fx * (1 - fy)}, {0, 1, (1 - fx) * fy}, {1, 1, fx * fy}} {
				px, py := int(x0)+corner.dx, int(y0)+corner.dy
				if px < 0 || px >= im.W || py < 0 || py >= im.H {
					continue
				}
				inside += corner.wt
				for c := range im.C {
					acc[c] += corner.wt * float64(im.at(py, px, c))
				}
			}
			dst := out.Pix[(y*im.W+x)*im.C:]
			for c := range im.C {
				dst[c] = float32(acc[c]*inside + (1-inside)*float64(channelValue(fill, c)))
			}
		}
	}
	return out
}
