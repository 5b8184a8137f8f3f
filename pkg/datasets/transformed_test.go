package datasets

import (
	"math/rand/v2"
	"slices"
	"testing"
)

func TestTransformed(t *testing.T) {
	ds := counting(6, 3).Take(5)
	// Adds a random 0 or 1/255 to every pixel (then 2/255 to the first), and rounds back to bytes.
	fn := func(rng *rand.Rand, pix []float32, h, w, c int) {
		step := float32(rng.IntN(2)) / 255
		for p := range pix {
			pix[p] += step
		}
		pix[0] += 2.0 / 255
	}
	a, err := ds.Transformed("bumped", fn, 7)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := ds.Transformed("bumped", fn, 7)
	if a.Name != "count/train+bumped" || a.Len() != 5 || !slices.Equal(a.Labels, ds.Labels) {
		t.Fatalf("copy %q with %d examples, labels %v; want count/train+bumped, 5, %v", a.Name, a.Len(), a.Labels, ds.Labels)
	}
	got, orig := make([]uint8, ds.ImageSize()), make([]uint8, ds.ImageSize())
	again := make([]uint8, ds.ImageSize())
	for i := range ds.Len() {
		if _, err := a.Read(i, got); err != nil {
			t.Fatal(err)
		}
		b.Read(i, again)
		ds.Read(i, orig)
		d := got[1] - orig[1]
		if d > 1 || got[0] != orig[0]+2+d || !slices.Equal(got, again) {
			t.Errorf("example %d: %v from %v (seed 7 twice: %v)", i, got, orig, again)
		}
	}
	if _, err := ds.Transformed("x", nil, 1); err == nil {
		t.Error("nil TransformFunc: no error")
	}
	empty, _ := ds.Subset(nil)
	if _, err := empty.Transformed("x", fn, 1); err == nil {
		t.Error("empty data set: no error")
	}
}
