package augment

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"

	"github.com/godl-book/godl/pkg/datasets"
)

// Transform is one random augmentation, made by RandomCrop, ColorJitter and the others with
// torchvision.transforms' names and parameters. A Transform made with bad parameters carries the
// error, which Err and Compose report.
type Transform struct {
	name  string
	err   error
	check func(h, w, c int) error        // what the transform needs of an image; nil: anything
	apply func(rng *rand.Rand, im Image) // transforms im.Pix in place
}

// String names the transform with its parameters, e.g. "RandomHorizontalFlip(p=0.5)".
func (t Transform) String() string { return t.name }

// Err returns the transform's parameter error, nil when it has none.
func (t Transform) Err() error { return t.err }

func invalid(name, format string, args ...any) Transform {
	return Transform{name: name, err: fmt.Errorf("augment: %s: "+format, append([]any{name}, args...)...)}
}

// uniform draws from [lo, hi).
func uniform(rng *rand.Rand, lo, hi float64) float64 { return lo + (hi-lo)*rng.Float64() }

func checkP(p float64) error {
	if !(p >= 0 && p <= 1) {
		return fmt.Errorf("probability %g, want it in [0, 1]", p)
	}
	return nil
}

// checkRange reports a range that is not lo ≤ hi within (0, limit].
func checkRange(what string, r [2]float64, limit float64) error {
	if !(r[0] > 0 && r[0] <= r[1] && r[1] <= limit) {
		return fmt.Errorf("%s %v, want 0 < lo ≤ hi ≤ %g", what, r, limit)
	}
	return nil
}

// RandomHorizontalFlip mirrors the image left to right with probability p.
func RandomHorizontalFlip(p float64) Transform {
	return randomFlip(fmt.Sprintf("RandomHorizontalFlip(p=%g)", p), p, hflip)
}

// RandomVerticalFlip mirrors the image top to bottom with probability p.
func RandomVerticalFlip(p float64) Transform {
	return randomFlip(fmt.Sprintf("RandomVerticalFlip(p=%g)", p), p, vflip)
}

func randomFlip(name string, p float64, flip func(Image) Image) Transform {
	if err := checkP(p); err != nil {
		return invalid(name, "%v", err)
	}
	return Transform{name: name, apply: func(rng *rand.Rand, im Image) {
		if rng.Float64() < p {
			copy(im.Pix, flip(im).Pix)
		}
	}}
}

// RandomCrop pads the image by padding pixels on every side (with mode, and fill for Constant)
// and crops a window of the image's size at a uniformly random place, as torchvision's
// RandomCrop(size, padding, fill=fill, padding_mode=mode) with size the image's: the image
// shifts by up to padding pixels each way.
func RandomCrop(padding int, mode PadMode, fill float32) Transform {
	name := fmt.Sprintf("RandomCrop(padding=%d, %v)", padding, mode)
	if mode == Constant {
		name = fmt.Sprintf("RandomCrop(padding=%d, fill=%g)", padding, fill)
	}
	if padding < 0 {
		return invalid(name, "padding %d, want ≥ 0", padding)
	}
	if err := mode.checkPad(0, 1, "row"); err != nil {
		return invalid(name, "%v", err)
	}
	return Transform{name: name,
		check: func(h, w, c int) error {
			if err := mode.checkPad(padding, w, "row"); err != nil {
				return err
			}
			return mode.checkPad(padding, h, "column")
		},
		apply: func(rng *rand.Rand, im Image) {
			i, j := rng.IntN(2*padding+1), rng.IntN(2*padding+1)
			out := im.blank()
			im.window(out, padding-i, padding-j, mode, fill)
			copy(im.Pix, out.Pix)
		}}
}

// Default ranges of torchvision's RandomResizedCrop.
var (
	DefaultCropScale = [2]float64{0.08, 1}
	DefaultCropRatio = [2]float64{3.0 / 4, 4.0 / 3}
)

// RandomResizedCrop crops a random window and resizes it (bilinear) to the image's size, as
// torchvision's RandomResizedCrop: the window covers a share of the image's area drawn from
// scale, with a width/height ratio drawn log-uniformly from ratio; after 10 draws that do not fit
// it takes the largest central crop within ratio. DefaultCropScale and DefaultCropRatio are
// torchvision's defaults (Inception's crops, Szegedy et al. 2015).
func RandomResizedCrop(scale, ratio [2]float64) Transform {
	name := fmt.Sprintf("RandomResizedCrop(scale=(%g, %g), ratio=(%.3g, %.3g))", scale[0], scale[1], ratio[0], ratio[1])
	if err := checkRange("scale", scale, 1); err != nil {
		return invalid(name, "%v", err)
	}
	if err := checkRange("ratio", ratio, math.Inf(1)); err != nil {
		return invalid(name, "%v", err)
	}
	return Transform{name: name, apply: func(rng *rand.Rand, im Image) {
		top, left, h, w := CropBox(rng, im.H, im.W, scale, ratio)
		out, _ := im.ResizedCrop(top, left, h, w)
		copy(im.Pix, out.Pix)
	}}
}

// CropBox draws RandomResizedCrop's window for an image of height × width: its top-left pixel
// and size, as torchvision's RandomResizedCrop.get_params.
func CropBox(rng *rand.Rand, height, width int, scale, ratio [2]float64) (top, left, h, w int) {
	area := float64(height * width)
	logLo, logHi := math.Log(ratio[0]), math.Log(ratio[1])
	for range 10 {
		target := area * uniform(rng, scale[0], scale[1])
		aspect := math.Exp(uniform(rng, logLo, logHi))
		w = int(math.RoundToEven(math.Sqrt(target * aspect)))
		h = int(math.RoundToEven(math.Sqrt(target / aspect)))
		if 0 < w && w <= width && 0 < h && h <= height {
			return rng.IntN(height - h + 1), rng.IntN(width - w + 1), h, w
		}
	}
	in := float64(width) / float64(height)
	switch {
	case in < ratio[0]:
		w, h = width, int(math.RoundToEven(float64(width)/ratio[0]))
	case in > ratio[1]:
		h, w = height, int(math.RoundToEven(float64(height)*ratio[1]))
	default:
		h, w = height, width
	}
	return (height - h) / 2, (width - w) / 2, h, w
}

// RandomRotation turns the image by an angle drawn uniformly from [−degrees, degrees] about its
// centre, bilinear, with fill where the turned image leaves the frame, as torchvision's
// RandomRotation(degrees, InterpolationMode.BILINEAR, fill=fill).
func RandomRotation(degrees float64, fill float32) Transform {
	name := fmt.Sprintf("RandomRotation(degrees=%g)", degrees)
	if !(degrees >= 0 && degrees <= 180) {
		return invalid(name, "degrees %g, want it in [0, 180]", degrees)
	}
	return Transform{name: name, apply: func(rng *rand.Rand, im Image) {
		a := Affine{Angle: -uniform(rng, -degrees, degrees), Scale: 1}
		copy(im.Pix, im.warp(a.inverse(), []float32{fill}).Pix)
	}}
}

// AffineRange sets RandomAffine's draws; the zero value changes nothing.
type AffineRange struct {
	Degrees   float64    // angle drawn from [−Degrees, Degrees]
	Translate [2]float64 // shift up to Translate[0]·width and Translate[1]·height pixels, rounded
	Scale     [2]float64 // scale drawn from [Scale[0], Scale[1]]; zero: no scaling
	Shear     float64    // x shear drawn from [−Shear, Shear] degrees
}

// RandomAffine draws an Affine from r and applies it (bilinear, fill outside), as torchvision's
// RandomAffine(degrees, translate, scale, shear, InterpolationMode.BILINEAR, fill).
func RandomAffine(r AffineRange, fill float32) Transform {
	name := fmt.Sprintf("RandomAffine(degrees=%g, translate=%v, scale=%v, shear=%g)",
		r.Degrees, r.Translate, r.Scale, r.Shear)
	switch {
	case !(r.Degrees >= 0 && r.Degrees <= 180):
		return invalid(name, "degrees %g, want it in [0, 180]", r.Degrees)
	case !(r.Translate[0] >= 0 && r.Translate[0] <= 1 && r.Translate[1] >= 0 && r.Translate[1] <= 1):
		return invalid(name, "translate %v, want each in [0, 1]", r.Translate)
	case r.Scale != [2]float64{} && !(r.Scale[0] > 0 && r.Scale[0] <= r.Scale[1] && !math.IsInf(r.Scale[1], 1)):
		return invalid(name, "scale %v, want 0 < lo ≤ hi", r.Scale)
	case !(r.Shear >= 0 && r.Shear < 90):
		return invalid(name, "shear %g, want it in [0, 90)", r.Shear)
	}
	return Transform{name: name, apply: func(rng *rand.Rand, im Image) {
		a := Affine{Angle: uniform(rng, -r.Degrees, r.Degrees), Scale: 1}
		if r.Translate != [2]float64{} {
			dx, dy := r.Translate[0]*float64(im.W), r.Translate[1]*float64(im.H)
			a.Translate[0] = math.RoundToEven(uniform(rng, -dx, dx))
			a.Translate[1] = math.RoundToEven(uniform(rng, -dy, dy))
		}
		if r.Scale != [2]float64{} {
			a.Scale = uniform(rng, r.Scale[0], r.Scale[1])
		}
		if r.Shear > 0 {
			a.Shear[0] = uniform(rng, -r.Shear, r.Shear)
		}
		copy(im.Pix, im.warp(a.inverse(), []float32{fill}).Pix)
	}}
}

func colourCheck(what string) func(h, w, c int) error {
	return func(h, w, c int) error { return checkColour(what, c) }
}

// ColorJitter changes brightness, contrast, saturation and hue by random factors, in a random
// order, as torchvision's ColorJitter: the brightness, contrast and saturation factors are drawn
// from [max(0, 1 − x), 1 + x], the hue shift from [−hue, hue] (hue ≤ 0.5); 0 leaves that one
// out. Saturation and hue change nothing on one-channel images.
func ColorJitter(brightness, contrast, saturation, hue float64) Transform {
	name := fmt.Sprintf("ColorJitter(brightness=%g, contrast=%g, saturation=%g, hue=%g)",
		brightness, contrast, saturation, hue)
	for _, v := range []float64{brightness, contrast, saturation} {
		if !(v >= 0) || math.IsInf(v, 1) {
			return invalid(name, "brightness, contrast and saturation must be finite and ≥ 0")
		}
	}
	if !(hue >= 0 && hue <= 0.5) {
		return invalid(name, "hue %g, want it in [0, 0.5]", hue)
	}
	ops := [4]func(Image, float64) (Image, error){
		Image.AdjustBrightness, Image.AdjustContrast, Image.AdjustSaturation, Image.AdjustHue}
	return Transform{name: name, check: colourCheck("ColorJitter"), apply: func(rng *rand.Rand, im Image) {
		order := rng.Perm(4)
		var f [4]float64
		for k, x := range []float64{brightness, contrast, saturation} {
			f[k] = uniform(rng, max(0, 1-x), 1+x)
		}
		f[3] = uniform(rng, -hue, hue)
		cur := im
		for _, k := range order {
			if [4]float64{brightness, contrast, saturation, hue}[k] == 0 {
				continue
			}
			cur, _ = ops[k](cur, f[k])
		}
		copy(im.Pix, cur.Pix)
	}}
}

// Grayscale turns an RGB image grey (its luma in all three channels), as torchvision's
// Grayscale(num_output_channels=3); one-channel images stay as they are.
func Grayscale() Transform {
	t := RandomGrayscale(1)
	t.name = "Grayscale()"
	return t
}

// RandomGrayscale turns an RGB image grey with probability p, as torchvision's RandomGrayscale.
func RandomGrayscale(p float64) Transform {
	name := fmt.Sprintf("RandomGrayscale(p=%g)", p)
	if err := checkP(p); err != nil {
		return invalid(name, "%v", err)
	}
	return Transform{name: name, check: colourCheck("RandomGrayscale"), apply: func(rng *rand.Rand, im Image) {
		if rng.Float64() < p {
			g, _ := im.Grayscale()
			copy(im.Pix, g.Pix)
		}
	}}
}

// RandomErasing erases a random rectangle to value with probability p, as torchvision's
// RandomErasing (Zhong et al. 2017): its area is a share of the image's drawn from scale, its
// height/width ratio drawn log-uniformly from ratio; after 10 draws that do not fit it erases
// nothing. torchvision's defaults are p = 0.5, scale (0.02, 0.33), ratio (0.3, 3.3), value 0.
func RandomErasing(p float64, scale, ratio [2]float64, value float32) Transform {
	name := fmt.Sprintf("RandomErasing(p=%g, scale=(%g, %g), ratio=(%g, %g), value=%g)",
		p, scale[0], scale[1], ratio[0], ratio[1], value)
	if err := errors.Join(checkP(p), checkRange("scale", scale, 1),
		checkRange("ratio", ratio, math.Inf(1))); err != nil {
		return invalid(name, "%v", err)
	}
	return Transform{name: name, apply: func(rng *rand.Rand, im Image) {
		if rng.Float64() >= p {
			return
		}
		if top, left, h, w, ok := EraseBox(rng, im.H, im.W, scale, ratio); ok {
			erase(im, top, left, h, w, []float32{value})
		}
	}}
}

// EraseBox draws RandomErasing's rectangle for an image of height × width, as torchvision's
// RandomErasing.get_params; ok is false when 10 draws gave none that fits.
func EraseBox(rng *rand.Rand, height, width int, scale, ratio [2]float64) (top, left, h, w int, ok bool) {
	area := float64(height * width)
	logLo, logHi := math.Log(ratio[0]), math.Log(ratio[1])
	for range 10 {
		target := area * uniform(rng, scale[0], scale[1])
		aspect := math.Exp(uniform(rng, logLo, logHi))
		h = int(math.RoundToEven(math.Sqrt(target * aspect)))
		w = int(math.RoundToEven(math.Sqrt(target / aspect)))
		if h < height && w < width {
			return rng.IntN(height - h + 1), rng.IntN(width - w + 1), h, w, true
		}
	}
	return 0, 0, 0, 0, false
}

// Cutout zeroes a size × size square centred on a uniformly random pixel, clipped where it
// leaves the image, on every image: DeVries & Taylor 2017's Cutout.
func Cutout(size int) Transform {
	name := fmt.Sprintf("Cutout(size=%d)", size)
	if size < 1 {
		return invalid(name, "size %d, want ≥ 1", size)
	}
	return Transform{name: name, apply: func(rng *rand.Rand, im Image) {
		cy, cx := rng.IntN(im.H), rng.IntN(im.W)
		y0, x0 := max(cy-size/2, 0), max(cx-size/2, 0)
		y1, x1 := min(cy-size/2+size, im.H), min(cx-size/2+size, im.W)
		erase(im, y0, x0, y1-y0, x1-x0, []float32{0})
	}}
}

// Normalize maps x to (x − mean[c]) / std[c] on each channel c (one value applies to every
// channel), as torchvision's Normalize. A Loader can normalize itself (datasets.Normalize);
// this one is for pipelines used without one.
func Normalize(mean, std []float32) Transform {
	name := fmt.Sprintf("Normalize(mean=%v, std=%v)", mean, std)
	if len(mean) == 0 || len(std) == 0 {
		return invalid(name, "needs a mean and a std")
	}
	if err := checkNormalize(mean, std, max(len(mean), len(std))); err != nil {
		return invalid(name, "%v", err)
	}
	mean, std = append([]float32(nil), mean...), append([]float32(nil), std...)
	return Transform{name: name,
		check: func(h, w, c int) error { return checkNormalize(mean, std, c) },
		apply: func(rng *rand.Rand, im Image) { normalize(im, mean, std) }}
}

// Pipeline applies transforms one after the other, as torchvision's Compose.
type Pipeline struct{ ts []Transform }

// Compose chains ts into a Pipeline, or returns the first transform's parameter error.
func Compose(ts ...Transform) (*Pipeline, error) {
	for i, t := range ts {
		if t.apply == nil && t.err == nil {
			return nil, fmt.Errorf("augment: Compose: transform %d is the zero Transform", i)
		}
		if t.err != nil {
			return nil, t.err
		}
	}
	return &Pipeline{ts: append([]Transform(nil), ts...)}, nil
}

// String lists the pipeline's transforms, e.g. "Compose(RandomCrop(…), RandomHorizontalFlip(…))".
func (p *Pipeline) String() string {
	names := make([]string, len(p.ts))
	for i, t := range p.ts {
		names[i] = t.name
	}
	return "Compose(" + strings.Join(names, ", ") + ")"
}

// Check reports what keeps the pipeline from transforming images of height × width × channels:
// colour transforms need 1 or 3 channels, Normalize as many values as channels (or one), a
// reflecting RandomCrop less padding than the image's size.
func (p *Pipeline) Check(height, width, channels int) error {
	if height < 1 || width < 1 || channels < 1 {
		return fmt.Errorf("augment: image size %d×%d×%d, want each ≥ 1", height, width, channels)
	}
	for _, t := range p.ts {
		if t.check != nil {
			if err := t.check(height, width, channels); err != nil {
				return fmt.Errorf("%s on %d×%d×%d images: %w", t.name, height, width, channels, err)
			}
		}
	}
	return nil
}

// Apply transforms im in place, drawing from rng.
func (p *Pipeline) Apply(rng *rand.Rand, im Image) error {
	if err := im.Check(); err != nil {
		return err
	}
	if err := p.Check(im.H, im.W, im.C); err != nil {
		return err
	}
	p.apply(rng, im)
	return nil
}

func (p *Pipeline) apply(rng *rand.Rand, im Image) {
	for _, t := range p.ts {
		t.apply(rng, im)
	}
}

// For checks the pipeline against ds's image size and returns it as the TransformFunc that a
// datasets.Loader over ds runs on every image (datasets.Transform). The function is for images of
// that size; it leaves images of any other size unchanged.
func (p *Pipeline) For(ds *datasets.Dataset) (datasets.TransformFunc, error) {
	if ds == nil {
		return nil, errors.New("augment: For: nil Dataset")
	}
	h, w, c := ds.Height, ds.Width, ds.Channels
	if err := p.Check(h, w, c); err != nil {
		return nil, fmt.Errorf("augment: %s: %w", ds.Name, err)
	}
	return func(rng *rand.Rand, pix []float32, height, width, channels int) {
		if height == h && width == w && channels == c && len(pix) == h*w*c {
			p.apply(rng, Image{Pix: pix, H: h, W: w, C: c})
		}
	}, nil
}
