package datasets

import (
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

func writePNG(t *testing.T, path string, img image.Image) {
	t.Helper()
	os.MkdirAll(filepath.Dir(path), 0o755)
	fh, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	if err := png.Encode(fh, img); err != nil {
		t.Fatal(err)
	}
}

func writeJPEG(t *testing.T, path string, img image.Image) {
	t.Helper()
	os.MkdirAll(filepath.Dir(path), 0o755)
	fh, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	if err := jpeg.Encode(fh, img, &jpeg.Options{Quality: 100}); err != nil {
		t.Fatal(err)
	}
}

func uniformNRGBA(w, h int, c color.NRGBA) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.SetNRGBA(x, y, c)
		}
	}
	return img
}

func uniformGray(w, h int, v uint8) *image.Gray {
	img := image.NewGray(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = v
	}
	return img
}

// makeFolder writes a small ImageFolder: classes "dog" (2 files, one nested) and "cat" (JPEG and
// grey PNG), a hidden folder and a stray text file, all uniform colours of different sizes.
func makeFolder(t *testing.T) string {
	root := t.TempDir()
	writePNG(t, filepath.Join(root, "dog", "b.png"), uniformNRGBA(10, 6, color.NRGBA{200, 100, 50, 255}))
	writePNG(t, filepath.Join(root, "dog", "sub", "a.PNG"), uniformNRGBA(3, 3, color.NRGBA{10, 20, 30, 128}))
	writeJPEG(t, filepath.Join(root, "cat", "x.jpg"), uniformNRGBA(16, 16, color.NRGBA{0, 0, 255, 255}))
	writePNG(t, filepath.Join(root, "cat", "y.png"), uniformGray(5, 7, 77))
	writePNG(t, filepath.Join(root, ".ipynb_checkpoints", "z.png"), uniformGray(2, 2, 1))
	os.WriteFile(filepath.Join(root, "cat", "notes.txt"), []byte("not an image"), 0o644)
	os.WriteFile(filepath.Join(root, "README"), []byte("a file at the top is not a class"), 0o644)
	return root
}

func TestImageFolder(t *testing.T) {
	root := makeFolder(t)
	for _, preload := range []bool{false, true} {
		opts := []Option{Quiet()}
		if preload {
			opts = append(opts, Preload())
		}
		ds, err := ImageFolder(root, 4, 5, 3, opts...)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(ds.Classes, []string{"cat", "dog"}) || !slices.Equal(ds.Labels, []int32{0, 0, 1, 1}) {
			t.Fatalf("classes %v labels %v", ds.Classes, ds.Labels)
		}
		if m := ds.ClassToIndex(); m["cat"] != 0 || m["dog"] != 1 || len(m) != 2 {
			t.Errorf("ClassToIndex %v", m)
		}
		wantPaths := []string{"cat/x.jpg", "cat/y.png", "dog/b.png", "dog/sub/a.PNG"}
		for i, p := range wantPaths {
			if got := ds.Path(i); got != filepath.Join(root, p) {
				t.Errorf("Path(%d) = %q, want %q", i, got, p)
			}
		}
		// Every image is a uniform colour, so after resizing every pixel has that colour.
		want := [][3]int{{0, 0, 255}, {77, 77, 77}, {200, 100, 50}, {10, 20, 30}}
		pix := make([]uint8, ds.ImageSize())
		for i, c := range want {
			if _, err := ds.Read(i, pix); err != nil {
				t.Fatal(err)
			}
			for p := 0; p < len(pix); p += 3 {
				for ch := range 3 {
					if d := int(pix[p+ch]) - c[ch]; d < -2 || d > 2 { // JPEG rounding
						t.Fatalf("preload=%v image %d (%s) pixel %d = %v, want %v", preload, i, wantPaths[i], p/3, pix[p:p+3], c)
					}
				}
			}
		}
	}
}

func TestImageFolderGrey(t *testing.T) {
	root := makeFolder(t)
	ds, err := ImageFolder(root, 2, 2, 1, Quiet())
	if err != nil {
		t.Fatal(err)
	}
	// PIL's luma: (299·R + 587·G + 114·B) / 1000.
	want := []int{29, 77, 124, 18}
	pix := make([]uint8, 4)
	for i, w := range want {
		if _, err := ds.Read(i, pix); err != nil {
			t.Fatal(err)
		}
		if d := int(pix[0]) - w; d < -1 || d > 1 {
			t.Errorf("image %d grey %d, want %d", i, pix[0], w)
		}
	}
	img, err := ds.Image(1)
	if err != nil {
		t.Fatal(err)
	}
	if g, ok := img.(*image.Gray); !ok || g.GrayAt(1, 1).Y != 77 {
		t.Errorf("Image(1) = %T %v", img, img)
	}
}

func TestImageFolderErrors(t *testing.T) {
	for _, tc := range []struct {
		name  string
		setup func(root string)
		h, c  int
		want  string
	}{
		{"empty class", func(root string) { os.MkdirAll(filepath.Join(root, "empty"), 0o755) }, 4, 3,
			"no PNG or JPEG files in class folder"},
		{"no classes", func(root string) {}, 4, 3, "no class folders"},
		{"bad channels", func(root string) {}, 4, 2, "2 channels, want 1 or 3"},
		{"bad size", func(root string) {}, 0, 3, "size 0×4, want positive"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			tc.setup(root)
			_, err := ImageFolder(root, tc.h, 4, tc.c, Quiet())
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want %q", err, tc.want)
			}
		})
	}
	if _, err := ImageFolder(filepath.Join(t.TempDir(), "nowhere"), 4, 4, 3); err == nil {
		t.Error("a missing folder gave no error")
	}

	// A corrupt file is found when it is read, or at once with Preload; the error names it.
	root := makeFolder(t)
	bad := filepath.Join(root, "dog", "c.png")
	os.WriteFile(bad, []byte("\x89PNG\r\n\x1a\n truncated"), 0o644)
	ds, err := ImageFolder(root, 4, 4, 3, Quiet())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ds.Read(3, make([]uint8, ds.ImageSize())); err == nil || !strings.Contains(err.Error(), bad) {
		t.Errorf("reading the corrupt file: %v", err)
	}
	if _, err := ImageFolder(root, 4, 4, 3, Quiet(), Preload()); err == nil || !strings.Contains(err.Error(), bad) {
		t.Errorf("preloading the corrupt file: %v", err)
	}
}

// TestResize checks the resampler on cases with known answers.
func TestResize(t *testing.T) {
	ramp := func(n int) []float32 { // one row 0, 10, 20, …
		out := make([]float32, n)
		for i := range out {
			out[i] = float32(10 * i)
		}
		return out
	}
	for _, tc := range []struct {
		name           string
		src            []float32
		sh, sw, dh, dw int
		want           []uint8
	}{
		{"identity", ramp(6), 2, 3, 2, 3, []uint8{0, 10, 20, 30, 40, 50}},
		{"halve", ramp(4), 1, 4, 1, 2, []uint8{7, 23}},                                  // triangle of radius 2, as PIL: (.75·0 + .75·10 + .25·20) / 1.75
		{"to one pixel averages all", ramp(4), 2, 2, 1, 1, []uint8{15}},                 // (0+10+20+30)/4
		{"double a pixel", []float32{100}, 1, 1, 2, 2, []uint8{100, 100, 100, 100}},     // constant stays constant
		{"double interpolates", []float32{0, 100}, 1, 2, 1, 4, []uint8{0, 25, 75, 100}}, // bilinear, edges clamped
	} {
		t.Run(tc.name, func(t *testing.T) {
			dst := make([]uint8, tc.dh*tc.dw)
			resize(tc.src, tc.sh, tc.sw, 1, tc.dh, tc.dw, dst)
			if !slices.Equal(dst, tc.want) {
				t.Errorf("got %v, want %v", dst, tc.want)
			}
		})
	}
	// Weights of every output pixel add up to 1.
	for _, n := range [][2]int{{7, 3}, {3, 7}, {224, 13}, {1, 5}} {
		for _, f := range filterWeights(n[0], n[1]) {
			var s float64
			for _, w := range f.w {
				s += float64(w)
			}
			if math.Abs(s-1) > 1e-5 || f.start < 0 || f.start+len(f.w) > n[0] {
				t.Errorf("filterWeights(%d, %d): %+v", n[0], n[1], f)
			}
		}
	}
}

func TestImageFolderLimit(t *testing.T) {
	root := t.TempDir()
	for _, c := range []string{"a", "b"} {
		for i := range 6 {
			writePNG(t, filepath.Join(root, c, string(rune('0'+i))+".png"), uniformGray(2, 2, uint8(i)))
		}
	}
	ds, err := ImageFolder(root, 2, 2, 1, Quiet(), Limit(4))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(ds.Labels, []int32{0, 0, 1, 1}) || ds.Path(1) != filepath.Join(root, "a", "3.png") {
		t.Errorf("Limit(4): labels %v, second file %s", ds.Labels, ds.Path(1))
	}
}
