// Package augment holds the data augmentations (数据增强) of chapter 11: random crops with padding,
// random resized crops, flips, rotations, affine maps, colour jitter, greyscale, random erasing
// and Cutout, and normalization, with torchvision.transforms' semantics.
//
// Two layers, as in torchvision. Image's methods are the deterministic operations of
// torchvision.transforms.functional — flip, pad, crop, resize, affine, rotate, adjust brightness,
// contrast, saturation and hue, erase — checked against torchvision 0.14's results on fixed
// images (tools/goldens/augment.py). The Transforms (RandomCrop, ColorJitter, …) draw their
// parameters from a random source and call those operations; Compose chains them into a
// Pipeline, whose For gives the datasets.TransformFunc a Loader runs in its worker goroutines,
// on the CPU, before a batch reaches the graph:
//
//	aug, err := augment.Compose(augment.RandomCrop(4, augment.Constant, 0), augment.RandomHorizontalFlip(0.5))
//	fn, err := aug.For(train)
//	loader := datasets.NewLoader(train, 64, datasets.Shuffle(1), datasets.Transform(fn))
//
// The Loader seeds each example's random source from its seed, the pass and the example, so an
// augmented run repeats exactly with the seed, whatever the number of workers.
//
// Images are float32 in [0, 1], height × width × channels (HWC), the layout a Loader hands to a
// TransformFunc. Every transform keeps the image's size: a crop is resized or cropped back to it.
package augment

import (
	"errors"
	"fmt"
	"image"
	"image/color"
)

// Image is an HWC float32 image: Pix[(y·W + x)·C + c] is channel c of the pixel in row y, column
// x, on the [0, 1] scale.
type Image struct {
	Pix     []float32
	H, W, C int
}

// NewImage returns a black image of the given size.
func NewImage(h, w, c int) (Image, error) {
	if h < 1 || w < 1 || c < 1 {
		return Image{}, fmt.Errorf("augment: image size %d×%d×%d, want each ≥ 1", h, w, c)
	}
	return Image{Pix: make([]float32, h*w*c), H: h, W: w, C: c}, nil
}

// FromImage converts a Go image to an Image with 1 channel (for *image.Gray) or 3 (any other),
// pixel values divided by 255; it drops alpha.
func FromImage(img image.Image) (Image, error) {
	if img == nil {
		return Image{}, errors.New("augment: FromImage: nil image")
	}
	b := img.Bounds()
	c := 3
	if _, gray := img.(*image.Gray); gray {
		c = 1
	}
	out, err := NewImage(b.Dy(), b.Dx(), c)
	if err != nil {
		return Image{}, fmt.Errorf("augment: FromImage: %w", err)
	}
	for y := range out.H {
		for x := range out.W {
			p := out.Pix[(y*out.W+x)*c:]
			if c == 1 {
				p[0] = float32(color.GrayModel.Convert(img.At(b.Min.X+x, b.Min.Y+y)).(color.Gray).Y) / 255
				continue
			}
			rgba := color.NRGBAModel.Convert(img.At(b.Min.X+x, b.Min.Y+y)).(color.NRGBA)
			p[0], p[1], p[2] = float32(rgba.R)/255, float32(rgba.G)/255, float32(rgba.B)/255
		}
	}
	return out, nil
}

// Check reports an Image whose sizes are not positive or whose Pix has the wrong length.
func (im Image) Check() error {
	if im.H < 1 || im.W < 1 || im.C < 1 {
		return fmt.Errorf("augment: image size %d×%d×%d, want each ≥ 1", im.H, im.W, im.C)
	}
	if len(im.Pix) != im.H*im.W*im.C {
		return fmt.Errorf("augment: image %d×%d×%d has %d values, want %d", im.H, im.W, im.C,
			len(im.Pix), im.H*im.W*im.C)
	}
	return nil
}

// Clone returns a copy of im with its own pixels.
func (im Image) Clone() Image {
	im.Pix = append([]float32(nil), im.Pix...)
	return im
}

func (im Image) at(y, x, c int) float32 { return im.Pix[(y*im.W+x)*im.C+c] }

func (im Image) blank() Image {
	return Image{Pix: make([]float32, len(im.Pix)), H: im.H, W: im.W, C: im.C}
}

// perChannel checks that v holds one value for all channels or one per channel.
func perChannel(what string, v []float32, c int) error {
	if len(v) != 1 && len(v) != c {
		return fmt.Errorf("augment: %s has %d values, want 1 or %d (one per channel)", what, len(v), c)
	}
	return nil
}

// channelValue is v's value for channel ch: the only one, or the channel's own.
func channelValue(v []float32, ch int) float32 { return v[min(ch, len(v)-1)] }
