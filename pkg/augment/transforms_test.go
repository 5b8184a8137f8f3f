package augment

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/godl-book/godl/pkg/datasets"
	"github.com/gomlx/gomlx/pkg/core/tensors"
)

// ramp returns an h × w × c image whose values all differ: (y·w + x)·c + ch, scaled into [0, 1].
func ramp(h, w, c int) Image {
	im, _ := NewImage(h, w, c)
	for i := range im.Pix {
		im.Pix[i] = float32(i+1) / float32(len(im.Pix)+1)
	}
	return im
}

// within reports whether a count of n Bernoulli(p) trials is within 5 standard deviations of n·p.
func within(count, n int, p float64) bool {
	return math.Abs(float64(count)-float64(n)*p) <= 5*math.Sqrt(float64(n)*p*(1-p))+1e-9
}

func TestFlipRates(t *testing.T) {
	const n = 4000
	for _, tc := range []struct {
		t    Transform
		p    float64
		flip func(Image) Image
	}{
		{RandomHorizontalFlip(0.5), 0.5, hflip},
		{RandomHorizontalFlip(0.2), 0.2, hflip},
		{RandomHorizontalFlip(0), 0, hflip},
		{RandomVerticalFlip(1), 1, vflip},
		{RandomVerticalFlip(0.7), 0.7, vflip},
		{RandomGrayscale(0.3), 0.3, func(im Image) Image { g, _ := im.Grayscale(); return g }},
	} {
		p, err := Compose(tc.t)
		if err != nil {
			t.Fatal(err)
		}
		src := ramp(3, 4, 3)
		want := tc.flip(src)
		rng := rand.New(rand.NewPCG(1, 2))
		count := 0
		for range n {
			im := src.Clone()
			if err := p.Apply(rng, im); err != nil {
				t.Fatal(err)
			}
			switch {
			case slices.Equal(im.Pix, want.Pix):
				count++
			case !slices.Equal(im.Pix, src.Pix):
				t.Fatalf("%v gave an image that is neither the original nor the transformed one", tc.t)
			}
		}
		if !within(count, n, tc.p) {
			t.Errorf("%v changed %d of %d images, want about %.0f", tc.t, count, n, tc.p*n)
		}
	}
}

// RandomCrop with padding p shifts the image by (dy, dx), each uniform on −p … p.
func TestRandomCropShifts(t *testing.T) {
	const pad, n = 2, 5000
	p, err := Compose(RandomCrop(pad, Constant, 0))
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(3, 4))
	counts := map[[2]int]int{}
	for range n {
		im, _ := NewImage(9, 9, 1)
		im.Pix[4*9+4] = 1 // a dot in the centre
		if err := p.Apply(rng, im); err != nil {
			t.Fatal(err)
		}
		at := slices.Index(im.Pix, 1)
		if at < 0 || slices.Max(im.Pix) != 1 || sum(im.Pix) != 1 {
			t.Fatalf("the dot was lost or duplicated: %v", im.Pix)
		}
		counts[[2]int{at/9 - 4, at%9 - 4}]++
	}
	if len(counts) != (2*pad+1)*(2*pad+1) {
		t.Errorf("%d distinct shifts, want %d: %v", len(counts), (2*pad+1)*(2*pad+1), counts)
	}
	for shift, c := range counts {
		if max(abs(shift[0]), abs(shift[1])) > pad || !within(c, n, 1.0/25) {
			t.Errorf("shift %v seen %d times of %d, want about %d", shift, c, n, n/25)
		}
	}
}

func abs(x int) int { return max(x, -x) }

func sum(v []float32) float32 {
	var s float32
	for _, x := range v {
		s += x
	}
	return s
}

// CropBox's windows lie inside the image with an area share and aspect ratio within the bounds
// (up to the rounding of the sides to whole pixels); with bounds no window meets, it falls back
// to torchvision's central crop.
func TestCropBox(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, tc := range []struct {
		h, w         int
		scale, ratio [2]float64
	}{
		{28, 28, DefaultCropScale, DefaultCropRatio},
		{32, 48, [2]float64{0.5, 0.9}, [2]float64{0.5, 2}},
		{100, 60, [2]float64{0.2, 0.3}, [2]float64{1, 1}},
	} {
		var shares []float64
		for range 3000 {
			top, left, h, w := CropBox(rng, tc.h, tc.w, tc.scale, tc.ratio)
			if top < 0 || left < 0 || h < 1 || w < 1 || top+h > tc.h || left+w > tc.w {
				t.Fatalf("%d×%d: window %d×%d at (%d, %d) leaves the image", tc.h, tc.w, h, w, top, left)
			}
			if h == tc.h && w == tc.w {
				continue // the fallback of the first two cases (the third's windows always fit)
			}
			// A side of s pixels stands for a real side within s ± ½.
			lo := (float64(h) - 0.5) * (float64(w) - 0.5) / float64(tc.h*tc.w)
			hi := (float64(h) + 0.5) * (float64(w) + 0.5) / float64(tc.h*tc.w)
			rlo, rhi := (float64(w)-0.5)/(float64(h)+0.5), (float64(w)+0.5)/(float64(h)-0.5)
			if hi < tc.scale[0] || lo > tc.scale[1] || rhi < tc.ratio[0] || rlo > tc.ratio[1] {
				t.Fatalf("%d×%d: window %d×%d outside scale %v, ratio %v", tc.h, tc.w, h, w, tc.scale, tc.ratio)
			}
			shares = append(shares, float64(h*w)/float64(tc.h*tc.w))
		}
		mean := sum64(shares) / float64(len(shares))
		if !(mean > tc.scale[0] && mean < tc.scale[1]) {
			t.Errorf("%d×%d: mean area share %.3f outside %v", tc.h, tc.w, mean, tc.scale)
		}
	}
	// A 10×40 image has no window of ratio 1 with 90% of its area: the central 10×10 crop.
	if top, left, h, w := CropBox(rng, 10, 40, [2]float64{0.9, 1}, [2]float64{1, 1}); top != 0 || left != 15 || h != 10 || w != 10 {
		t.Errorf("fallback window %d×%d at (%d, %d), want 10×10 at (0, 15)", h, w, top, left)
	}
}

func sum64(v []float64) float64 {
	s := 0.0
	for _, x := range v {
		s += x
	}
	return s
}

func TestEraseBoxAndCutout(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	scale, ratio := [2]float64{0.02, 0.33}, [2]float64{0.3, 3.3}
	erased := 0
	for range 2000 {
		top, left, h, w, ok := EraseBox(rng, 28, 28, scale, ratio)
		if !ok {
			continue
		}
		erased++
		if top < 0 || left < 0 || h >= 28 || w >= 28 || top+h > 28 || left+w > 28 {
			t.Fatalf("erase box %d×%d at (%d, %d) leaves a 28×28 image", h, w, top, left)
		}
		if share := float64((h+1)*(w+1)) / 784; share < scale[0] {
			t.Fatalf("erase box %d×%d is below %g of the area", h, w, scale[0])
		}
	}
	if erased < 1990 {
		t.Errorf("only %d of 2000 draws found a box", erased)
	}

	p, err := Compose(Cutout(8))
	if err != nil {
		t.Fatal(err)
	}
	full := 0
	for range 1000 {
		im := ramp(28, 28, 1)
		if err := p.Apply(rng, im); err != nil {
			t.Fatal(err)
		}
		zeros := 784 - len(slices.DeleteFunc(slices.Clone(im.Pix), func(v float32) bool { return v == 0 }))
		if zeros < 1 || zeros > 64 {
			t.Fatalf("Cutout(8) zeroed %d pixels, want 1 … 64", zeros)
		}
		if zeros == 64 {
			full++
		}
	}
	// The square is whole when its centre is at least 4 pixels from the top and left edges and 3
	// from the others: 21 × 21 of the 784 centres.
	if !within(full, 1000, 21.0*21/784) {
		t.Errorf("Cutout(8) whole in %d of 1000 images, want about %.0f", full, 1000*21.0*21/784)
	}
}

// ColorJitter's brightness factor lies in [1 − b, 1 + b]; RandomRotation(0) and an identity
// RandomAffine change nothing; a rotation keeps the centre pixel of an odd-sized image.
func TestJitterAndRotationRanges(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	p, err := Compose(ColorJitter(0.4, 0, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	var lo, hi float64 = 2, 0
	for range 2000 {
		im, _ := NewImage(1, 1, 3)
		im.Pix[0], im.Pix[1], im.Pix[2] = 0.5, 0.25, 0.125
		if err := p.Apply(rng, im); err != nil {
			t.Fatal(err)
		}
		f := float64(im.Pix[0]) / 0.5
		if math.Abs(float64(im.Pix[1])/0.25-f) > 1e-6 || math.Abs(float64(im.Pix[2])/0.125-f) > 1e-6 {
			t.Fatalf("brightness scaled the channels differently: %v", im.Pix)
		}
		lo, hi = min(lo, f), max(hi, f)
	}
	if lo < 0.6 || lo > 0.62 || hi > 1.4 || hi < 1.38 {
		t.Errorf("brightness factors span [%.3f, %.3f], want about [0.6, 1.4]", lo, hi)
	}

	for _, tr := range []Transform{RandomRotation(0, 0.5), RandomAffine(AffineRange{}, 0.5)} {
		p, _ := Compose(tr)
		im := ramp(5, 7, 3)
		if err := p.Apply(rng, im); err != nil {
			t.Fatal(err)
		}
		if d := maxDiff(im.Pix, ramp(5, 7, 3).Pix); d > 1e-7 {
			t.Errorf("%v changed the image by %g", tr, d)
		}
	}
	p, _ = Compose(RandomRotation(180, 0))
	for range 100 {
		im := ramp(7, 7, 1)
		if err := p.Apply(rng, im); err != nil {
			t.Fatal(err)
		}
		if d := math.Abs(float64(im.Pix[3*7+3] - ramp(7, 7, 1).Pix[3*7+3])); d > 1e-6 {
			t.Fatalf("a rotation moved the centre pixel by %g", d)
		}
	}
}

func maxDiff(a, b []float32) float64 {
	d := 0.0
	for i := range a {
		d = max(d, math.Abs(float64(a[i]-b[i])))
	}
	return d
}

// The same seed gives the same augmented batches whatever the number of workers, and another
// seed other ones.
func TestLoaderReproducible(t *testing.T) {
	train, _, err := datasets.MNIST(datasets.Limit(96), datasets.Quiet())
	if err != nil {
		t.Fatal(err)
	}
	p, err := Compose(RandomCrop(4, Constant, 0), RandomHorizontalFlip(0.5), RandomRotation(15, 0),
		ColorJitter(0.3, 0.3, 0, 0), RandomErasing(0.5, [2]float64{0.02, 0.33}, [2]float64{0.3, 3.3}, 0))
	if err != nil {
		t.Fatal(err)
	}
	fn, err := p.For(train)
	if err != nil {
		t.Fatal(err)
	}
	batches := func(seed uint64, workers int) []float32 {
		l := datasets.NewLoader(train, 32, datasets.Shuffle(seed), datasets.Transform(fn),
			datasets.Workers(workers))
		var all []float32
		for b, err := range l.Batches() {
			if err != nil {
				t.Fatal(err)
			}
			all = append(all, tensors.MustCopyFlatData[float32](b.Images)...)
		}
		return all
	}
	one, four, other := batches(1, 1), batches(1, 4), batches(2, 4)
	if !slices.Equal(one, four) {
		t.Error("augmented batches differ between 1 and 4 workers with the same seed")
	}
	if slices.Equal(one, other) {
		t.Error("seeds 1 and 2 gave the same augmented batches")
	}
}

func TestErrors(t *testing.T) {
	scale, ratio := [2]float64{0.02, 0.33}, [2]float64{0.3, 3.3}
	for _, tc := range []struct {
		t    Transform
		want string
	}{
		{RandomHorizontalFlip(1.5), "probability 1.5"},
		{RandomVerticalFlip(math.NaN()), "probability NaN"},
		{RandomCrop(-1, Constant, 0), "padding -1"},
		{RandomCrop(2, PadMode(9), 0), "unknown padding mode"},
		{RandomResizedCrop([2]float64{0.5, 0.1}, DefaultCropRatio), "scale [0.5 0.1]"},
		{RandomResizedCrop(DefaultCropScale, [2]float64{0, 1}), "ratio [0 1]"},
		{RandomRotation(-5, 0), "degrees -5"},
		{RandomAffine(AffineRange{Translate: [2]float64{1.5, 0}}, 0), "translate"},
		{RandomAffine(AffineRange{Scale: [2]float64{0, 1}}, 0), "scale"},
		{RandomAffine(AffineRange{Shear: 90}, 0), "shear 90"},
		{ColorJitter(-1, 0, 0, 0), "≥ 0"},
		{ColorJitter(0, 0, 0, 0.6), "hue 0.6"},
		{RandomGrayscale(-0.1), "probability -0.1"},
		{RandomErasing(0.5, [2]float64{0.5, 2}, ratio, 0), "scale [0.5 2]"},
		{RandomErasing(2, scale, ratio, 0), "probability 2"},
		{Cutout(0), "size 0"},
		{Normalize([]float32{0.5}, []float32{0}), "std [0]"},
		{Normalize([]float32{0.5, 0.5}, []float32{1, 1, 1}), "want 1 or 3"},
		{Normalize(nil, nil), "needs a mean"},
		{Transform{}, "zero Transform"},
	} {
		_, err := Compose(RandomHorizontalFlip(0.5), tc.t)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Compose(%v): error %v, want one containing %q", tc.t, err, tc.want)
		}
	}

	// What only an image's size can show.
	for _, tc := range []struct {
		t       Transform
		h, w, c int
		want    string
	}{
		{Normalize([]float32{0.5, 0.4, 0.3}, []float32{0.2, 0.2, 0.2}), 28, 28, 1, "want 1 or 1"},
		{ColorJitter(0.2, 0, 0, 0), 8, 8, 2, "needs 1 or 3 channels, got 2"},
		{RandomGrayscale(0.5), 8, 8, 4, "got 4"},
		{RandomCrop(28, Reflect, 0), 28, 28, 1, "reflect padding 28"},
		{RandomCrop(29, Symmetric, 0), 28, 30, 1, "symmetric padding 29"},
		{RandomHorizontalFlip(0.5), 0, 28, 1, "image size 0×28×1"},
	} {
		p, err := Compose(tc.t)
		if err != nil {
			t.Fatal(err)
		}
		if err := p.Check(tc.h, tc.w, tc.c); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v on %d×%d×%d: error %v, want one containing %q", tc.t, tc.h, tc.w, tc.c, err, tc.want)
		}
	}
	if _, err := (&Pipeline{}).For(nil); err == nil {
		t.Error("For(nil): no error")
	}

	im := ramp(4, 5, 3)
	for name, err := range map[string]error{
		"Crop 0 rows":       second(im.Crop(0, 0, 0, 2)),
		"Resize to 0":       second(im.Resize(3, 0)),
		"Pad −1":            second(im.Pad(-1, 0, 0, 0, Constant, 0)),
		"Pad reflect 5":     second(im.Pad(5, 0, 0, 0, Reflect, 0)),
		"Affine scale 0":    second(im.Affine(Affine{}, []float32{0})),
		"Affine fill 2":     second(im.Affine(Affine{Scale: 1}, []float32{0, 0})),
		"Rotate NaN":        second(im.Rotate(math.NaN(), []float32{0})),
		"Brightness −1":     second(im.AdjustBrightness(-1)),
		"Hue 0.7":           second(im.AdjustHue(0.7)),
		"Erase outside":     second(im.Erase(3, 0, 2, 2, []float32{0})),
		"short Pix":         second(Image{Pix: make([]float32, 5), H: 2, W: 2, C: 2}.HFlip()),
		"Contrast 2 chans":  second(ramp(2, 2, 2).AdjustContrast(1)),
		"FromImage(nil)":    second(FromImage(nil)),
		"NewImage 0":        second(NewImage(0, 1, 1)),
		"Normalize 2 of 3":  second(im.Normalize([]float32{0, 0}, []float32{1})),
		"Saturation 2 ch":   second(ramp(2, 2, 2).AdjustSaturation(1)),
		"Grayscale 4 chans": second(ramp(2, 2, 4).Grayscale()),
	} {
		if err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func second[T any](_ T, err error) error { return err }
