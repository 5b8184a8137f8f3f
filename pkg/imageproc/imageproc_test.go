package imageproc

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// sample is a 3×2 RGB image whose pixel (x, y) is (10x + y, 100 + x, 200 − y).
func sample() *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, 3, 2))
	for y := range 2 {
		for x := range 3 {
			img.Set(x, y, color.RGBA{uint8(10*x + y), uint8(100 + x), uint8(200 - y), 255})
		}
	}
	return img
}

func encode(t *testing.T, format string, img image.Image) []byte {
	t.Helper()
	var buf bytes.Buffer
	var err error
	if format == "png" {
		err = png.Encode(&buf, img)
	} else {
		err = jpeg.Encode(&buf, img, &jpeg.Options{Quality: 90})
	}
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestDecodeErrors feeds real PNG and JPEG files, cut short, and other bad input: each must be
// an error that names the file and the problem.
func TestDecodeErrors(t *testing.T) {
	pngData, jpegData := encode(t, "png", sample()), encode(t, "jpeg", sample())
	for _, c := range []struct {
		name string
		data []byte
		want string
	}{
		{"cut.png", pngData[:len(pngData)/2], "truncated PNG"},
		{"header.png", pngData[:20], "truncated PNG"},
		{"cut.jpg", jpegData[:len(jpegData)/2], "truncated JPEG"},
		{"soi.jpg", jpegData[:2], "JPEG"},
		{"empty.png", nil, "empty file"},
		{"notes.txt", []byte("hello, world"), "not a PNG or JPEG"},
		{"garbled.png", append(slices.Clone(pngData[:16]), bytes.Repeat([]byte{0xff}, 64)...), "PNG"},
	} {
		_, err := Decode(c.name, c.data)
		if err == nil {
			t.Errorf("%s: no error", c.name)
			continue
		}
		if !strings.Contains(err.Error(), c.name) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %q, want it to name the file and say %q", c.name, err, c.want)
		}
	}
	for _, name := range []string{"ok.png", "ok.jpg"} {
		data := pngData
		if name == "ok.jpg" {
			data = jpegData
		}
		img, err := Decode(name, data)
		if err != nil || img.Bounds().Dx() != 3 || img.Bounds().Dy() != 2 {
			t.Errorf("%s: %v, %v; want a 3×2 image", name, img, err)
		}
	}
}

func TestDecodeFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "small.png")
	if err := os.WriteFile(path, encode(t, "png", sample()), 0o644); err != nil {
		t.Fatal(err)
	}
	img, err := DecodeFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := FromImage(img).Pix; !slices.Equal(got, FromImage(sample()).Pix) {
		t.Errorf("PNG round trip: %v", got)
	}
	if _, err := DecodeFile(filepath.Join(dir, "missing.png")); err == nil ||
		!strings.Contains(err.Error(), "missing.png") {
		t.Errorf("missing file: error %v, want it to name the file", err)
	}
}

// FuzzDecode: any bytes give an image or an error, never a panic.
func FuzzDecode(f *testing.F) {
	var buf bytes.Buffer
	_ = png.Encode(&buf, sample())
	f.Add(buf.Bytes())
	buf.Reset()
	_ = jpeg.Encode(&buf, sample(), nil)
	f.Add(buf.Bytes())
	f.Fuzz(func(t *testing.T, data []byte) {
		img, err := Decode("fuzz", data)
		if err == nil && img == nil {
			t.Fatal("no image and no error")
		}
	})
}

// TestLayouts checks HWC and CHW on the sample by hand: pixel (x=2, y=1) is (21, 102, 199).
func TestLayouts(t *testing.T) {
	m := FromImage(sample())
	if m.H != 2 || m.W != 3 || m.C != 3 {
		t.Fatalf("FromImage: %d×%d×%d, want 2×3×3", m.H, m.W, m.C)
	}
	if got := m.Pix[(1*3+2)*3 : (1*3+2)*3+3]; !slices.Equal(got, []float32{21, 102, 199}) {
		t.Errorf("HWC pixel (y=1, x=2) = %v, want [21 102 199]", got)
	}
	chw := m.CHW()
	// channel c, row y, column x at c·6 + y·3 + x
	for _, c := range []struct {
		c    int
		want float32
	}{{0, 21}, {1, 102}, {2, 199}} {
		if got := chw[c.c*6+1*3+2]; got != c.want {
			t.Errorf("CHW channel %d (y=1, x=2) = %g, want %g", c.c, got, c.want)
		}
	}
	back, err := FromCHW(chw, 3, 2, 3)
	if err != nil || !slices.Equal(back.Pix, m.Pix) {
		t.Errorf("FromCHW(CHW()) = %v, %v; want the image back", back, err)
	}
	if _, err := FromCHW(chw[:5], 3, 2, 3); err == nil {
		t.Error("FromCHW with 5 values for 3×2×3: no error")
	}
	tensor, shape := ToTensor(sample())
	if shape != [3]int{3, 2, 3} || tensor[2*6+0] != 200.0/255 || tensor[0] != 0 {
		t.Errorf("ToTensor: shape %v, B(0,0) = %g, R(0,0) = %g; want [3 2 3], 200/255, 0",
			shape, tensor[2*6], tensor[0])
	}
	grey := image.NewGray(image.Rect(0, 0, 2, 1))
	grey.Pix = []uint8{7, 250}
	if g := FromImage(grey); g.C != 1 || !slices.Equal(g.Pix, []float32{7, 250}) {
		t.Errorf("FromImage(grey) = %+v, want one channel [7 250]", g)
	}
	img, err := m.ToImage()
	if err != nil || !slices.Equal(FromImage(img).Pix, m.Pix) {
		t.Errorf("ToImage round trip: %v", err)
	}
}

func TestBatch(t *testing.T) {
	a, b := FromImage(sample()), FromImage(sample()).Scale(0.5)
	x, err := Batch(a, b)
	if err != nil {
		t.Fatal(err)
	}
	if got := x.Shape().Dimensions; !slices.Equal(got, []int{2, 2, 3, 3}) {
		t.Errorf("Batch shape %v, want [2 2 3 3] (NHWC)", got)
	}
	c, _ := Crop(a, 0, 0, 1, 3)
	if _, err := Batch(a, c); err == nil {
		t.Error("Batch of a 2×3 and a 1×3 image: no error")
	}
	if _, err := Batch(); err == nil {
		t.Error("Batch(): no error")
	}
}

// TestCenterCrop checks torchvision's placement: top = round((H − h)/2) with Python's round,
// half to even: from 5 rows to 2, (5 − 2)/2 = 1.5 rounds to 2; from 7 to 2, 2.5 rounds to 2.
func TestCenterCrop(t *testing.T) {
	for _, c := range []struct{ H, W, h, w, top, left int }{
		{5, 5, 2, 2, 2, 2}, {7, 6, 2, 3, 2, 2}, {4, 4, 2, 2, 1, 1}, {6, 9, 6, 9, 0, 0},
	} {
		m, _ := New(c.H, c.W, 1)
		for i := range m.Pix {
			m.Pix[i] = float32(i) // value = y·W + x
		}
		out, err := CenterCrop(m, c.h, c.w)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := out.Pix[0], float32(c.top*c.W+c.left); got != want {
			t.Errorf("CenterCrop %d×%d → %d×%d: top-left value %g, want (%d, %d) = %g",
				c.H, c.W, c.h, c.w, got, c.top, c.left, want)
		}
	}
	m, _ := New(4, 4, 3)
	if _, err := CenterCrop(m, 5, 2); err == nil {
		t.Error("CenterCrop larger than the image: no error")
	}
	if _, err := Crop(m, 3, 0, 2, 2); err == nil {
		t.Error("Crop past the bottom: no error")
	}
}

// TestNormalize uses ImageNet's statistics on one pixel by hand.
func TestNormalize(t *testing.T) {
	m := &Image{H: 1, W: 1, C: 3, Pix: []float32{0.485, 1, 0}}
	mean, std := ImageNetMean, ImageNetStd
	out, err := Normalize(m, mean, std)
	if err != nil {
		t.Fatal(err)
	}
	want := []float32{0, (1 - 0.456) / 0.224, -0.406 / 0.225}
	if !slices.Equal(out.Pix, want) {
		t.Errorf("Normalize = %v, want %v", out.Pix, want)
	}
	if _, err := Normalize(m, mean[:2], std); err == nil {
		t.Error("Normalize with 2 means for 3 channels: no error")
	}
	if _, err := Normalize(m, mean, []float32{1, 0, 1}); err == nil {
		t.Error("Normalize with std 0: no error")
	}
}

// TestChannelStats: channel 0 holds 1, 2, 3, 4 (mean 2.5, std √1.25), channel 1 is constant.
func TestChannelStats(t *testing.T) {
	m := &Image{H: 2, W: 2, C: 2, Pix: []float32{1, 7, 2, 7, 3, 7, 4, 7}}
	mean, std := ChannelStats(m)
	if mean[0] != 2.5 || mean[1] != 7 || std[1] != 0 || math.Abs(std[0]-math.Sqrt(1.25)) > 1e-15 {
		t.Errorf("ChannelStats = %v, %v; want [2.5 7], [√1.25 0]", mean, std)
	}
}
