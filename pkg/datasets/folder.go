package datasets

import (
	"errors"
	"fmt"
	"image"
	"image/color"
	_ "image/jpeg" // registers the decoders image.Decode uses
	_ "image/png"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
)

// ImageFolder reads a folder laid out as torchvision's ImageFolder expects: one sub-folder per
// class, holding that class's PNG and JPEG files (sub-folders of a class folder count too).
// Classes are the sub-folder names sorted, so label i is the i-th name (see ClassToIndex), and
// each class's files are taken in sorted order. Folders whose names start with "." (such as
// .ipynb_checkpoints) are skipped; a class folder without images is an error.
//
// Every image is converted to the given channel count (1: grey, by ITU-R 601 luma as PIL does; 3:
// RGB, grey files repeated) and resized to height×width with an antialiased bilinear filter, so
// all examples have one size. Images are decoded when a Loader needs them, in parallel with
// training, which suits ImageNet-sized folders; Preload decodes them all now instead. Limit(n)
// (and Quick) keep n images evenly spaced over the sorted list, so every class keeps its share.
// Chapter 18 trains on a tiny ImageFolder, and ImageNet uses the same code.
func ImageFolder(root string, height, width, channels int, opts ...Option) (*Dataset, error) {
	o := newOptions(opts)
	const set = "imagefolder"
	if height <= 0 || width <= 0 {
		return nil, fmt.Errorf("datasets: %s: %s: size %d×%d, want positive", set, root, height, width)
	}
	if channels != 1 && channels != 3 {
		return nil, fmt.Errorf("datasets: %s: %s: %d channels, want 1 or 3", set, root, channels)
	}
	entries, err := os.ReadDir(root)
	if err != nil {
		return nil, fmt.Errorf("datasets: %s: %w", set, err)
	}
	var classes, paths []string
	var labels []int32
	for _, e := range entries { // os.ReadDir sorts by name
		if !isDir(root, e) || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		label := int32(len(classes))
		classes = append(classes, e.Name())
		dir := filepath.Join(root, e.Name())
		before := len(paths)
		err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() && p != dir && strings.HasPrefix(d.Name(), ".") {
				return filepath.SkipDir
			}
			if !d.IsDir() && isImageFile(d.Name()) {
				paths = append(paths, p)
				labels = append(labels, label)
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("datasets: %s: %w", set, err)
		}
		if len(paths) == before {
			return nil, fmt.Errorf("datasets: %s: %s: no PNG or JPEG files in class folder", set, dir)
		}
	}
	if len(classes) == 0 {
		return nil, fmt.Errorf("datasets: %s: %s: no class folders", set, root)
	}
	if n := o.limitTrain; n > 0 && n < len(paths) { // evenly spaced, so every class keeps its share
		for k := range n {
			i := k * len(paths) / n
			paths[k], labels[k] = paths[i], labels[i]
		}
		paths, labels = paths[:n:n], labels[:n:n]
	}
	read := func(i int, dst []uint8) error {
		if err := readImageFile(paths[i], height, width, channels, dst); err != nil {
			return fmt.Errorf("datasets: %s: %w", set, err)
		}
		return nil
	}
	d := &Dataset{
		Name: set + "/" + filepath.Base(root), Source: root, Classes: classes,
		Height: height, Width: width, Channels: channels, Labels: labels,
		store: &store{read: read, paths: paths},
	}
	if o.preload {
		pix, err := readAll(d)
		if err != nil {
			return nil, err
		}
		d.store = &store{pix: pix, paths: paths}
	}
	o.logf("%s: %d images in %d classes from %s", set, d.Len(), len(classes), root)
	return d, nil
}

func isDir(root string, e fs.DirEntry) bool {
	if e.IsDir() {
		return true
	}
	if e.Type()&fs.ModeSymlink != 0 {
		st, err := os.Stat(filepath.Join(root, e.Name()))
		return err == nil && st.IsDir()
	}
	return false
}

func isImageFile(name string) bool {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".png", ".jpg", ".jpeg":
		return true
	}
	return false
}

// readAll decodes every image of d using all cores.
func readAll(d *Dataset) ([]uint8, error) {
	n, size := d.Len(), d.ImageSize()
	pix := make([]uint8, n*size)
	workers := min(runtime.NumCPU(), n)
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := w; i < n; i += workers {
				if _, err := d.Read(i, pix[i*size:(i+1)*size]); err != nil {
					errs[w] = err
					return
				}
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return pix, nil
}

// Path returns the file example i was read from, or "" for data sets that are not read from
// image files.
func (d *Dataset) Path(i int) string {
	if i < 0 || i >= d.Len() || d.store.paths == nil {
		return ""
	}
	return d.store.paths[d.storeIndex(i)]
}

// ClassToIndex maps each class name to its label, like torchvision's class_to_idx.
func (d *Dataset) ClassToIndex() map[string]int {
	m := make(map[string]int, len(d.Classes))
	for i, c := range d.Classes {
		m[c] = i
	}
	return m
}

// readImageFile decodes an image file and writes it to dst at the given size and channel count.
func readImageFile(path string, height, width, channels int, dst []uint8) error {
	fh, err := os.Open(path)
	if err != nil {
		return err
	}
	defer fh.Close()
	img, _, err := image.Decode(fh)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	b := img.Bounds()
	if b.Empty() {
		return fmt.Errorf("%s: empty image", path)
	}
	src := toChannels(img, channels)
	resize(src, b.Dy(), b.Dx(), channels, height, width, dst)
	return nil
}

// toChannels returns the pixels of img as float32 HWC values in [0, 255] with 1 (grey) or 3 (RGB)
// channels. Alpha is dropped, as PIL's convert("RGB") does.
func toChannels(img image.Image, channels int) []float32 {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	out := make([]float32, w*h*channels)
	if g, ok := img.(*image.Gray); ok {
		for y := range h {
			row := g.Pix[(y)*g.Stride : y*g.Stride+w]
			for x, v := range row {
				for c := range channels {
					out[(y*w+x)*channels+c] = float32(v)
				}
			}
		}
		return out
	}
	for y := range h {
		for x := range w {
			r, g, bl := rgbAt(img, b.Min.X+x, b.Min.Y+y)
			o := out[(y*w+x)*channels:]
			if channels == 1 {
				// PIL's "L" conversion: L = R·299/1000 + G·587/1000 + B·114/1000.
				o[0] = float32(math.Round((299*float64(r) + 587*float64(g) + 114*float64(bl)) / 1000))
			} else {
				o[0], o[1], o[2] = float32(r), float32(g), float32(bl)
			}
		}
	}
	return out
}

// rgbAt returns the straight (not alpha-premultiplied) 8-bit colour at (x, y), with fast paths
// for the types the PNG and JPEG decoders return.
func rgbAt(img image.Image, x, y int) (r, g, b uint8) {
	switch m := img.(type) {
	case *image.YCbCr:
		yi, ci := m.YOffset(x, y), m.COffset(x, y)
		return color.YCbCrToRGB(m.Y[yi], m.Cb[ci], m.Cr[ci])
	case *image.NRGBA:
		i := m.PixOffset(x, y)
		return m.Pix[i], m.Pix[i+1], m.Pix[i+2]
	case *image.RGBA:
		i := m.PixOffset(x, y)
		if a := m.Pix[i+3]; a != 255 {
			break // premultiplied; the general path below undoes that
		}
		return m.Pix[i], m.Pix[i+1], m.Pix[i+2]
	}
	c := color.NRGBAModel.Convert(img.At(x, y)).(color.NRGBA)
	return c.R, c.G, c.B
}

// resize resamples src (sh×sw×c, float32 in [0, 255]) to dst (dh×dw×c, uint8) with a triangle
// (bilinear) filter widened by the shrink factor, so shrinking averages every source pixel instead
// of skipping some (the antialiasing PIL and torchvision apply).
func resize(src []float32, sh, sw, c, dh, dw int, dst []uint8) {
	// Horizontal pass: sh×dw×c.
	xs := filterWeights(sw, dw)
	tmp := make([]float32, sh*dw*c)
	for y := range sh {
		row := src[y*sw*c : (y+1)*sw*c]
		for x, f := range xs {
			for ch := range c {
				var s float32
				for k, wt := range f.w {
					s += wt * row[(f.start+k)*c+ch]
				}
				tmp[(y*dw+x)*c+ch] = s
			}
		}
	}
	// Vertical pass: dh×dw×c.
	ys := filterWeights(sh, dh)
	rowLen := dw * c
	for y, f := range ys {
		out := dst[y*rowLen : (y+1)*rowLen]
		for i := range out {
			var s float32
			for k, wt := range f.w {
				s += wt * tmp[(f.start+k)*rowLen+i]
			}
			out[i] = uint8(min(max(math.Round(float64(s)), 0), 255))
		}
	}
}

type filter struct {
	start int
	w     []float32
}

// filterWeights gives, for each of dstN output pixels, the source pixels it mixes and their weights.
func filterWeights(srcN, dstN int) []filter {
	scale := float64(srcN) / float64(dstN)
	support := max(scale, 1) // radius of the triangle, in source pixels
	fs := make([]filter, dstN)
	for x := range fs {
		center := (float64(x) + 0.5) * scale
		lo := max(int(math.Floor(center-support)), 0)
		hi := min(int(math.Ceil(center+support)), srcN)
		var ws []float32
		var sum float64
		for s := lo; s < hi; s++ {
			wt := max(1-math.Abs((float64(s)+0.5-center)/support), 0)
			ws = append(ws, float32(wt))
			sum += wt
		}
		if sum == 0 { // cannot happen for srcN ≥ 1, but never divide by zero
			ws, lo, sum = []float32{1}, min(int(center), srcN-1), 1
		}
		for k := range ws {
			ws[k] = float32(float64(ws[k]) / sum)
		}
		fs[x] = filter{start: lo, w: ws}
	}
	return fs
}
