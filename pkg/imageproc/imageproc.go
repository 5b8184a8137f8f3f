// Package imageproc turns image files into the float tensors a network reads, as chapter 12
// teaches: decoding PNG and JPEG (Decode, DecodeFile), converting 8-bit pixels to float32 in the
// HWC or CHW layout (FromImage, ToTensor, CHW, Batch), resizing with Pillow's filters — nearest,
// box, bilinear, bicubic, with Pillow's antialiasing — in float (Resize) and in 8 bits
// (ResizeImage), and as OpenCV's INTER_LINEAR does without antialiasing (ResizeNoAntialias),
// cropping and normalizing per channel as torchvision's transforms do (Crop, CenterCrop,
// Normalize, ChannelStats). PillowCases and Compare replay the Pillow and OpenCV goldens the
// package is checked against; ZonePlate and Aliasing show what antialiasing is for.
//
// Layouts: an Image stores its values HWC — row by row, and within a pixel channel by channel —
// the layout of Go's image package, Pillow, OpenCV and GoMLX's default NHWC convolutions.
// PyTorch's tensors are CHW (NCHW for a batch): one whole plane per channel. CHW converts.
package imageproc

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"math"
	"os"
	"path/filepath"

	"github.com/gomlx/gomlx/pkg/core/tensors"
)

// Image is an image of H rows, W columns and C channels (1 grey, 3 RGB) as float32 values,
// stored HWC: channel c of the pixel in row y, column x is Pix[(y·W + x)·C + c].
type Image struct {
	H, W, C int
	Pix     []float32
}

// New returns an H×W image of C channels filled with zeros, or an error for a size that is not
// positive.
func New(h, w, c int) (*Image, error) {
	if h <= 0 || w <= 0 || c <= 0 {
		return nil, fmt.Errorf("imageproc: image size %d×%d×%d, want all positive", h, w, c)
	}
	return &Image{H: h, W: w, C: c, Pix: make([]float32, h*w*c)}, nil
}

// At returns channel c of the pixel in row y, column x.
func (m *Image) At(y, x, c int) float32 { return m.Pix[(y*m.W+x)*m.C+c] }

// Decode decodes a PNG or JPEG file's bytes, recognized by their signature; name (a file name
// or any label) is only used in errors, which say what was wrong: an unknown format, or a
// truncated or corrupt file.
func Decode(name string, data []byte) (image.Image, error) {
	var (
		img    image.Image
		err    error
		format string
	)
	switch {
	case bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")):
		format = "PNG"
		img, err = png.Decode(bytes.NewReader(data))
	case bytes.HasPrefix(data, []byte{0xff, 0xd8}):
		format = "JPEG"
		img, err = jpeg.Decode(bytes.NewReader(data))
	case len(data) == 0:
		return nil, fmt.Errorf("imageproc: %s: empty file", name)
	default:
		n := min(len(data), 8)
		return nil, fmt.Errorf("imageproc: %s: not a PNG or JPEG file (starts with % x)", name, data[:n])
	}
	// A complete PNG ends with its IEND chunk, a complete JPEG with the EOI marker FF D9.
	complete := bytes.HasSuffix(data, []byte("IEND\xaeB`\x82")) || bytes.HasSuffix(data, []byte{0xff, 0xd9})
	if err != nil && (!complete || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF)) {
		return nil, fmt.Errorf("imageproc: %s: truncated %s file (%d bytes, no end marker): %w",
			name, format, len(data), err)
	}
	if err != nil {
		return nil, fmt.Errorf("imageproc: %s: corrupt %s file: %w", name, format, err)
	}
	return img, nil
}

// DecodeFile reads and decodes a PNG or JPEG file, as Decode.
func DecodeFile(path string) (image.Image, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("imageproc: %w", err)
	}
	return Decode(filepath.Base(path), data)
}

// FromImage converts a decoded image to float32 values from 0 to 255, HWC: one channel for a
// grey image (*image.Gray, *image.Gray16 scaled to 8 bits), three (RGB) for any other. Alpha is
// dropped after un-premultiplying, as Pillow's convert("RGB") does.
func FromImage(img image.Image) *Image {
	b := img.Bounds()
	h, w := b.Dy(), b.Dx()
	switch img.(type) {
	case *image.Gray, *image.Gray16:
		m := &Image{H: h, W: w, C: 1, Pix: make([]float32, h*w)}
		for y := range h {
			for x := range w {
				g := color.GrayModel.Convert(img.At(b.Min.X+x, b.Min.Y+y)).(color.Gray)
				m.Pix[y*w+x] = float32(g.Y)
			}
		}
		return m
	}
	m := &Image{H: h, W: w, C: 3, Pix: make([]float32, h*w*3)}
	for y := range h {
		for x := range w {
			c := color.NRGBAModel.Convert(img.At(b.Min.X+x, b.Min.Y+y)).(color.NRGBA)
			i := (y*w + x) * 3
			m.Pix[i], m.Pix[i+1], m.Pix[i+2] = float32(c.R), float32(c.G), float32(c.B)
		}
	}
	return m
}

// ToImage converts values from 0 to 255 back to 8 bits, rounding to nearest and clipping: an
// *image.Gray for one channel, an opaque *image.RGBA for three.
func (m *Image) ToImage() (image.Image, error) {
	r := image.Rect(0, 0, m.W, m.H)
	switch m.C {
	case 1:
		g := image.NewGray(r)
		for i, v := range m.Pix {
			g.Pix[i] = to8(v)
		}
		return g, nil
	case 3:
		c := image.NewRGBA(r)
		for i := range m.H * m.W {
			c.Pix[4*i], c.Pix[4*i+1], c.Pix[4*i+2] = to8(m.Pix[3*i]), to8(m.Pix[3*i+1]), to8(m.Pix[3*i+2])
			c.Pix[4*i+3] = 255
		}
		return c, nil
	}
	return nil, fmt.Errorf("imageproc: ToImage: %d channels, want 1 or 3", m.C)
}

func to8(v float32) uint8 {
	return uint8(math.Round(math.Max(0, math.Min(255, float64(v)))))
}

// ToTensor does what torchvision's transforms.ToTensor does to a picture: 8-bit values divided
// by 255, into [0, 1], in the CHW layout. It returns the values and the shape [C, H, W].
func ToTensor(img image.Image) ([]float32, [3]int) {
	m := FromImage(img)
	for i := range m.Pix {
		m.Pix[i] /= 255 // divided, not multiplied by 1/255, as torchvision does
	}
	return m.CHW(), [3]int{m.C, m.H, m.W}
}

// Scale returns a new image with every value multiplied by k.
func (m *Image) Scale(k float32) *Image {
	out := &Image{H: m.H, W: m.W, C: m.C, Pix: make([]float32, len(m.Pix))}
	for i, v := range m.Pix {
		out.Pix[i] = v * k
	}
	return out
}

// CHW returns the values in the CHW layout of PyTorch: all of channel 0 row by row, then all of
// channel 1, and so on.
func (m *Image) CHW() []float32 {
	out := make([]float32, len(m.Pix))
	plane := m.H * m.W
	for i := range plane {
		for c := range m.C {
			out[c*plane+i] = m.Pix[i*m.C+c]
		}
	}
	return out
}

// FromCHW builds an image from values in the CHW layout, the inverse of CHW.
func FromCHW(pix []float32, c, h, w int) (*Image, error) {
	m, err := New(h, w, c)
	if err != nil {
		return nil, err
	}
	if len(pix) != c*h*w {
		return nil, fmt.Errorf("imageproc: FromCHW: %d values for %d×%d×%d", len(pix), c, h, w)
	}
	plane := h * w
	for i := range plane {
		for k := range c {
			m.Pix[i*c+k] = pix[k*plane+i]
		}
	}
	return m, nil
}

// Batch stacks images of one size into a GoMLX tensor of shape [N, H, W, C] (NHWC, the layout
// GoMLX's convolutions expect by default).
func Batch(images ...*Image) (*tensors.Tensor, error) {
	if len(images) == 0 {
		return nil, fmt.Errorf("imageproc: Batch: no images")
	}
	first := images[0]
	data := make([]float32, 0, len(images)*len(first.Pix))
	for i, m := range images {
		if m.H != first.H || m.W != first.W || m.C != first.C {
			return nil, fmt.Errorf("imageproc: Batch: image %d is %d×%d×%d, image 0 is %d×%d×%d",
				i, m.H, m.W, m.C, first.H, first.W, first.C)
		}
		data = append(data, m.Pix...)
	}
	return tensors.FromFlatDataAndDimensions(data, len(images), first.H, first.W, first.C), nil
}

// Crop returns the h×w region whose top-left pixel is at row top, column left; the region must
// lie inside the image.
func Crop(m *Image, top, left, h, w int) (*Image, error) {
	if h <= 0 || w <= 0 || top < 0 || left < 0 || top+h > m.H || left+w > m.W {
		return nil, fmt.Errorf("imageproc: Crop: %d×%d at (%d, %d) is not inside a %d×%d image",
			h, w, top, left, m.H, m.W)
	}
	out := &Image{H: h, W: w, C: m.C, Pix: make([]float32, 0, h*w*m.C)}
	for y := top; y < top+h; y++ {
		i := (y*m.W + left) * m.C
		out.Pix = append(out.Pix, m.Pix[i:i+w*m.C]...)
	}
	return out, nil
}

// CenterCrop returns the central h×w region, placed as torchvision's CenterCrop places it: the
// top row is round((H − h)/2), rounding half to even as Python does, and likewise the left column.
func CenterCrop(m *Image, h, w int) (*Image, error) {
	top := int(math.RoundToEven(float64(m.H-h) / 2))
	left := int(math.RoundToEven(float64(m.W-w) / 2))
	return Crop(m, top, left, h, w)
}

// ImageNetMean and ImageNetStd are the per-channel mean and standard deviation of ImageNet's
// training images (RGB, values in [0, 1]), the statistics torchvision's pretrained models expect
// Normalize to use. Do not modify them.
var (
	ImageNetMean = []float32{0.485, 0.456, 0.406}
	ImageNetStd  = []float32{0.229, 0.224, 0.225}
)

// Normalize returns (x − mean[c]) / std[c] for every value of channel c, as torchvision's
// transforms.Normalize does (see ImageNetMean and ImageNetStd).
func Normalize(m *Image, mean, std []float32) (*Image, error) {
	if len(mean) != m.C || len(std) != m.C {
		return nil, fmt.Errorf("imageproc: Normalize: %d means and %d stds for %d channels",
			len(mean), len(std), m.C)
	}
	for c, s := range std {
		if s == 0 {
			return nil, fmt.Errorf("imageproc: Normalize: std of channel %d is 0", c)
		}
	}
	out := &Image{H: m.H, W: m.W, C: m.C, Pix: make([]float32, len(m.Pix))}
	for i, v := range m.Pix {
		c := i % m.C
		out.Pix[i] = (v - mean[c]) / std[c]
	}
	return out, nil
}

// ChannelStats returns each channel's mean and standard deviation (the population one, dividing
// by the number of values) over all pixels: the numbers a dataset's Normalize uses, as ImageNet's
// mean 0.485, 0.456, 0.406 and std 0.229, 0.224, 0.225 were measured.
func ChannelStats(m *Image) (mean, std []float64) {
	mean, std = make([]float64, m.C), make([]float64, m.C)
	n := float64(m.H * m.W)
	for i, v := range m.Pix {
		mean[i%m.C] += float64(v)
	}
	for c := range mean {
		mean[c] /= n
	}
	for i, v := range m.Pix {
		d := float64(v) - mean[i%m.C]
		std[i%m.C] += d * d
	}
	for c := range std {
		std[c] = math.Sqrt(std[c] / n)
	}
	return mean, std
}
