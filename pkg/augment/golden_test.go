package augment

import "testing"

// Tolerances: torch computes the sampling grid of rotate and affine in float32, this package in
// float64, so a sample point can differ by ~1e-7 pixel; the rest computes in float32 as torch
// does, in another order where a sum is involved. Measured worst errors: 4.8e-7 for rotate and
// affine, 1.9e-7 for resize, 1.2e-7 for contrast and resized_crop, 0 for every other op.
var goldenTol = map[string]float64{"rotate": 1e-6, "affine": 1e-6, "resize": 5e-7,
	"resized_crop": 5e-7, "contrast": 5e-7}

func TestGoldens(t *testing.T) {
	torch, vision, results, err := Goldens()
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("torch %s, torchvision %s", torch, vision)
	cases := 0
	for _, r := range results {
		cases += r.Cases
		t.Logf("%-12s %2d cases, max |Δ| %.2g", r.Op, r.Cases, r.MaxError)
		if r.MaxError > goldenTol[r.Op] {
			t.Errorf("%s: max |Δ| %.3g from torchvision, want ≤ %.0g", r.Op, r.MaxError, goldenTol[r.Op])
		}
	}
	if cases != 63 || len(results) != 15 {
		t.Errorf("%d cases of %d operations, want the 63 of 15 that augment.py writes", cases, len(results))
	}
}
