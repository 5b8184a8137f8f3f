package imageproc

import (
	"math"
	"testing"
)

// TestZonePlate checks the chart's formula at its centre and its ring spacing: at radius r the
// phase π r²/n grows by about 2π r/n per pixel, so at r = n/2 neighbours are half a cycle apart.
func TestZonePlate(t *testing.T) {
	const n = 64
	z, err := ZonePlate(n)
	if err != nil {
		t.Fatal(err)
	}
	// pixel (32, 32) has its centre at (0.5, 0.5) from the middle: r² = 0.5
	if got, want := float64(z.At(32, 32, 0)), 127.5*(1+math.Cos(math.Pi*0.5/n)); math.Abs(got-want) > 1e-4 {
		t.Errorf("centre value %g, want %g", got, want)
	}
	if _, err := ZonePlate(0); err == nil {
		t.Error("ZonePlate(0): no error")
	}
}

// TestAliasing: a flat image shows none; nearest neighbour, which skips pixels, shows much more
// than Pillow's antialiased bilinear filter on a zone plate shrunk by 4.
func TestAliasing(t *testing.T) {
	flat, _ := New(64, 64, 1)
	if a := Aliasing(flat, 256, 4); a != 0 {
		t.Errorf("Aliasing(flat) = %g, want 0", a)
	}
	z, _ := ZonePlate(256)
	near, _ := Resize(z, 64, 64, Nearest)
	lin, _ := Resize(z, 64, 64, Bilinear)
	if a, b := Aliasing(near, 256, 4), Aliasing(lin, 256, 4); a < 10*b || b > 5 {
		t.Errorf("aliasing: nearest %g, bilinear %g; want nearest ≫ bilinear, bilinear < 5 grey levels", a, b)
	}
}

func TestDiff(t *testing.T) {
	a := &Image{H: 1, W: 2, C: 1, Pix: []float32{1, 5}}
	b := &Image{H: 1, W: 2, C: 1, Pix: []float32{2, 2}}
	if mx, mean, err := Diff(a, b); err != nil || mx != 3 || mean != 2 {
		t.Errorf("Diff = %g, %g, %v; want 3, 2", mx, mean, err)
	}
	if _, _, err := Diff(a, &Image{H: 2, W: 1, C: 1, Pix: []float32{1, 2}}); err == nil {
		t.Error("Diff of 1×2 and 2×1: no error")
	}
}
