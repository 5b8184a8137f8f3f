package augment

import (
	"fmt"
	"math"
)

// Luma weights of torchvision's rgb_to_grayscale on tensors (ITU-R BT.601, with red written as
// 0.2989 rather than PIL's 0.299).
const (
	LumaR = 0.2989
	LumaG = 0.587
	LumaB = 0.114
)

func checkColour(what string, c int) error {
	if c != 1 && c != 3 {
		return fmt.Errorf("augment: %s needs 1 or 3 channels, got %d", what, c)
	}
	return nil
}

// Grayscale replaces every pixel of an RGB image by its luma 0.2989·R + 0.587·G + 0.114·B in all
// three channels, as torchvision's F.rgb_to_grayscale with num_output_channels=3; a one-channel
// image is returned as it is.
func (im Image) Grayscale() (Image, error) {
	if err := im.checkColour("Grayscale"); err != nil {
		return Image{}, err
	}
	out := im.Clone()
	if im.C == 1 {
		return out, nil
	}
	for p := 0; p < len(out.Pix); p += 3 {
		l := luma(out.Pix[p:])
		out.Pix[p], out.Pix[p+1], out.Pix[p+2] = l, l, l
	}
	return out, nil
}

func (im Image) checkColour(what string) error {
	if err := im.Check(); err != nil {
		return err
	}
	return checkColour(what, im.C)
}

func luma(rgb []float32) float32 { return LumaR*rgb[0] + LumaG*rgb[1] + LumaB*rgb[2] }

// blend returns clamp(f·a + (1 − f)·b, 0, 1), torchvision's _blend, with b given per pixel.
func blend(a float32, b float32, f float32) float32 { return min(max(f*a+(1-f)*b, 0), 1) }

func checkFactor(what string, f float64) error {
	if !(f >= 0) || math.IsInf(f, 1) {
		return fmt.Errorf("augment: %s factor %g, want a finite number ≥ 0", what, f)
	}
	return nil
}

// AdjustBrightness multiplies every value by f and clips to [0, 1], as torchvision's
// F.adjust_brightness: f = 0 gives black, 1 the image.
func (im Image) AdjustBrightness(f float64) (Image, error) {
	if err := im.Check(); err != nil {
		return Image{}, err
	}
	if err := checkFactor("brightness", f); err != nil {
		return Image{}, err
	}
	out := im.Clone()
	for p, v := range out.Pix {
		out.Pix[p] = blend(v, 0, float32(f))
	}
	return out, nil
}

// AdjustContrast blends the image with its mean grey level m (the mean luma of an RGB image),
// f·x + (1 − f)·m clipped to [0, 1], as torchvision's F.adjust_contrast: f = 0 gives a uniform
// grey, 1 the image, 2 doubles every deviation from m.
func (im Image) AdjustContrast(f float64) (Image, error) {
	if err := im.checkColour("AdjustContrast"); err != nil {
		return Image{}, err
	}
	if err := checkFactor("contrast", f); err != nil {
		return Image{}, err
	}
	var sum float64
	for p := 0; p < len(im.Pix); p += im.C {
		if im.C == 3 {
			sum += float64(luma(im.Pix[p:]))
		} else {
			sum += float64(im.Pix[p])
		}
	}
	mean := float32(sum / float64(im.H*im.W))
	out := im.Clone()
	for p, v := range out.Pix {
		out.Pix[p] = blend(v, mean, float32(f))
	}
	return out, nil
}

// AdjustSaturation blends each RGB pixel with its own luma, f·x + (1 − f)·luma clipped to
// [0, 1], as torchvision's F.adjust_saturation: f = 0 gives greyscale, 1 the image. A
// one-channel image is returned as it is.
func (im Image) AdjustSaturation(f float64) (Image, error) {
	if err := im.checkColour("AdjustSaturation"); err != nil {
		return Image{}, err
	}
	if err := checkFactor("saturation", f); err != nil {
		return Image{}, err
	}
	out := im.Clone()
	if im.C == 1 {
		return out, nil
	}
	for p := 0; p < len(out.Pix); p += 3 {
		l := luma(out.Pix[p:])
		for c := range 3 {
			out.Pix[p+c] = blend(out.Pix[p+c], l, float32(f))
		}
	}
	return out, nil
}

// AdjustHue turns every RGB pixel's hue by f of a full turn (f in [−½, ½]), keeping saturation
// and value, as torchvision's F.adjust_hue: RGB → HSV, h ← (h + f) mod 1, HSV → RGB. A
// one-channel image is returned as it is.
func (im Image) AdjustHue(f float64) (Image, error) {
	if err := im.checkColour("AdjustHue"); err != nil {
		return Image{}, err
	}
	if !(f >= -0.5 && f <= 0.5) {
		return Image{}, fmt.Errorf("augment: hue factor %g, want it in [−0.5, 0.5]", f)
	}
	out := im.Clone()
	if im.C == 1 {
		return out, nil
	}
	for p := 0; p < len(out.Pix); p += 3 {
		h, s, v := rgbToHSV(out.Pix[p], out.Pix[p+1], out.Pix[p+2])
		h += float32(f)
		h -= float32(math.Floor(float64(h))) // torch.remainder(h, 1), in float32 as torch
		out.Pix[p], out.Pix[p+1], out.Pix[p+2] = hsvToRGB(h, s, v)
	}
	return out, nil
}

// rgbToHSV follows torchvision's _rgb2hsv (after Pillow): h and s are 0 for a grey.
func rgbToHSV(r, g, b float32) (h, s, v float32) {
	maxc, minc := max(r, g, b), min(r, g, b)
	if maxc == minc {
		return 0, 0, maxc
	}
	cr := maxc - minc
	s = cr / maxc
	rc, gc, bc := (maxc-r)/cr, (maxc-g)/cr, (maxc-b)/cr
	switch {
	case maxc == r:
		h = bc - gc
	case maxc == g:
		h = 2 + rc - bc
	default:
		h = 4 + gc - rc
	}
	h = float32(math.Mod(float64(h/6+1), 1))
	return h, s, maxc
}

// hsvToRGB follows torchvision's _hsv2rgb.
func hsvToRGB(h, s, v float32) (r, g, b float32) {
	i := float32(math.Floor(float64(h * 6)))
	f := h*6 - i
	p := min(max(v*(1-s), 0), 1)
	q := min(max(v*(1-s*f), 0), 1)
	t := min(max(v*(1-s*(1-f)), 0), 1)
	switch (int(i)%6 + 6) % 6 {
	case 0:
		return v, t, p
	case 1:
		return q, v, p
	case 2:
		return p, v, t
	case 3:
		return p, q, v
	case 4:
		return t, p, v
	}
	return v, p, q
}

// Normalize returns (x − mean[c]) / std[c] on each channel c, as torchvision's F.normalize; one
// value applies to every channel.
func (im Image) Normalize(mean, std []float32) (Image, error) {
	if err := im.Check(); err != nil {
		return Image{}, err
	}
	if err := checkNormalize(mean, std, im.C); err != nil {
		return Image{}, err
	}
	out := im.Clone()
	normalize(out, mean, std)
	return out, nil
}

func checkNormalize(mean, std []float32, c int) error {
	if err := perChannel("Normalize mean", mean, c); err != nil {
		return err
	}
	if err := perChannel("Normalize std", std, c); err != nil {
		return err
	}
	for _, s := range std {
		if !(s > 0) {
			return fmt.Errorf("augment: Normalize std %v, want each > 0", std)
		}
	}
	return nil
}

func normalize(im Image, mean, std []float32) {
	for p, v := range im.Pix {
		c := p % im.C
		im.Pix[p] = (v - channelValue(mean, c)) / channelValue(std, c)
	}
}

// Erase sets the h × w window at (top, left) to value (one, or one per channel), as
// torchvision's F.erase.
func (im Image) Erase(top, left, h, w int, value []float32) (Image, error) {
	if err := im.Check(); err != nil {
		return Image{}, err
	}
	if top < 0 || left < 0 || h < 0 || w < 0 || top+h > im.H || left+w > im.W {
		return Image{}, fmt.Errorf("augment: Erase window %d×%d at (%d, %d) is not inside the %d×%d image",
			h, w, top, left, im.H, im.W)
	}
	if err := perChannel("Erase value", value, im.C); err != nil {
		return Image{}, err
	}
	out := im.Clone()
	erase(out, top, left, h, w, value)
	return out, nil
}

func erase(im Image, top, left, h, w int, value []float32) {
	for y := top; y < top+h; y++ {
		for x := left; x < left+w; x++ {
			for c := range im.C {
				im.Pix[(y*im.W+x)*im.C+c] = channelValue(value, c)
			}
		}
	}
}
