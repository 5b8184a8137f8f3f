package imageproc

import (
	"image"
	"math"
	"testing"
)

// TestResizeGoldens replays the Pillow and OpenCV cases (resize_golden.json, made by
// tools/goldens/imageproc.py): Resize (Pillow's mode "F"), ResizeImage (8-bit "L" and "RGB") and
// ResizeNoAntialias (OpenCV's INTER_LINEAR in float32). Pillow's results must be matched exactly.
// Pillow 13.0, which made the goldens, runs the vertical pass first for some sizes (9×8 → 4×13
// here; the Resample.c of Pillow 12.3 always starts with the horizontal pass), which changes the
// rounding in between: such a case must then equal the vertical-first computation exactly, and
// is logged. OpenCV computes its taps in float32, so its outputs (0…255) are matched to 2e-4.
func TestResizeGoldens(t *testing.T) {
	versions, cases, err := PillowCases()
	if err != nil {
		t.Fatal(err)
	}
	if len(cases) != 67 || versions == "" {
		t.Fatalf("%d cases (%s), want the 67 the script writes", len(cases), versions)
	}
	vFirst := 0
	for _, c := range cases {
		d, v, err := c.Replay()
		switch {
		case err != nil:
			t.Errorf("%v: %v", c, err)
		case c.Mode == "cv2" && d > 2e-4:
			t.Errorf("%v: max |Δ| = %g, want ≤ 2e-4", c, d)
		case c.Mode != "cv2" && d > 0 && v == 0:
			t.Logf("%v: equals Pillow with the vertical pass first (horizontal first: max |Δ| = %g)", c, d)
			vFirst++
		case c.Mode != "cv2" && d > 0:
			t.Errorf("%v: max |Δ| = %g (vertical pass first: %g), want 0", c, d, v)
		}
	}
	if vFirst > 6 {
		t.Errorf("%d cases match only with the vertical pass first, want the one size (9×8 → 4×13, 6 cases)", vFirst)
	}
}

// TestResizeErrors checks that bad sizes and filters are errors, not panics.
func TestResizeErrors(t *testing.T) {
	m, _ := New(4, 4, 1)
	for _, c := range []struct {
		name string
		w, h int
		f    Filter
	}{{"zero width", 0, 3, Bilinear}, {"negative height", 3, -1, Box}, {"unknown filter", 3, 3, Filter(9)}} {
		if _, err := Resize(m, c.w, c.h, c.f); err == nil {
			t.Errorf("%s: no error", c.name)
		}
	}
	if _, err := Resize(&Image{H: 2, W: 2, C: 1, Pix: []float32{1}}, 1, 1, Box); err == nil {
		t.Error("Resize of an image with too few values: no error")
	}
	if _, err := ResizeImage(image.NewGray(image.Rect(0, 0, 3, 3)), 0, 1, Bicubic); err == nil {
		t.Error("ResizeImage to width 0: no error")
	}
}

// TestResizeProperties checks facts that hold for any input: every filter but nearest keeps a
// constant image constant (the taps sum to 1), and shrinking 4×4 to 2×2 with BOX averages blocks.
func TestResizeProperties(t *testing.T) {
	m, _ := New(6, 9, 3)
	for i := range m.Pix {
		m.Pix[i] = 77
	}
	for _, f := range Filters() {
		out, err := Resize(m, 4, 11, f)
		if err != nil {
			t.Fatal(err)
		}
		for i, v := range out.Pix {
			if math.Abs(float64(v)-77) > 1e-4 {
				t.Fatalf("%v: value %d of a constant image is %g, want 77", f, i, v)
			}
		}
	}
	b := &Image{H: 4, W: 4, C: 1, Pix: []float32{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}}
	out, err := Resize(b, 2, 2, Box)
	if err != nil {
		t.Fatal(err)
	}
	want := []float32{3.5, 5.5, 11.5, 13.5}
	for i, v := range out.Pix {
		if math.Abs(float64(v-want[i])) > 1e-6 {
			t.Errorf("BOX 4×4→2×2: %v, want %v", out.Pix, want)
			break
		}
	}
}

// TestCompare: the summary agrees with the per-case replay above: 60 Pillow cases, 6 of them
// matched with the vertical pass first, 7 OpenCV cases.
func TestCompare(t *testing.T) {
	r, err := Compare()
	if err != nil {
		t.Fatal(err)
	}
	if r.Pillow != 60 || r.PillowExact != 54 || r.PillowVerticalFirst != 6 || r.OpenCV != 7 ||
		r.OpenCVMaxDiff > 2e-4 || len(r.Mismatched) != 0 {
		t.Errorf("Compare = %+v", r)
	}
}
