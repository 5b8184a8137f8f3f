package synth

import (
	"slices"
	"testing"

	"github.com/godl-book/godl/pkg/detection"
)

func TestGenerate(t *testing.T) {
	cfg := DefaultConfig()
	a, err := Generate(cfg, 40, 7)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := Generate(cfg, 3, 7)
	if !slices.Equal(a[2].Image, b[2].Image) || !slices.Equal(a[2].Boxes, b[2].Boxes) {
		t.Error("canvas 2 differs between a set of 40 and a set of 3 with the same seed")
	}
	c, _ := Generate(cfg, 1, 8)
	if slices.Equal(a[0].Image, c[0].Image) {
		t.Error("seeds 7 and 8 drew the same canvas")
	}
	perClass := make([]int, len(Classes))
	overlaps := 0
	for i, s := range a {
		if len(s.Image) != cfg.Size*cfg.Size*3 || len(s.Boxes) != len(s.Classes) {
			t.Fatalf("canvas %d: %d values, %d boxes, %d classes", i, len(s.Image), len(s.Boxes), len(s.Classes))
		}
		for _, v := range s.Image {
			if v < 0 || v > 1 {
				t.Fatalf("canvas %d: value %v outside [0, 1]", i, v)
			}
		}
		for k, box := range s.Boxes {
			perClass[s.Classes[k]]++
			side := float64(cfg.Size)
			if !box.Valid() || box.X1 < 0 || box.Y1 < 0 || box.X2 > side || box.Y2 > side || box.Area(detection.Continuous) < 4 {
				t.Errorf("canvas %d box %d: %v outside the canvas or tiny", i, k, box)
			}
			for _, other := range s.Boxes[k+1:] {
				if detection.IoU(box, other) > 0 {
					overlaps++
				}
			}
		}
	}
	// A varied set: every class appears, and objects overlap somewhere.
	for k, n := range perClass {
		if n == 0 {
			t.Errorf("no %s in 40 canvases", Classes[k])
		}
	}
	if overlaps == 0 {
		t.Error("no two boxes overlap in 40 canvases")
	}
	if got := len(Truths(a)); got != sum(perClass) {
		t.Errorf("Truths: %d, want %d", got, sum(perClass))
	}
}

// A square drawn alone on a canvas without noise has the box of its pixels.
func TestBoxIsVisibleExtent(t *testing.T) {
	cfg := Config{Size: 32, MinObjects: 1, MaxObjects: 1, MinSide: 8, MaxSide: 8, MinVisible: 0.4}
	s, err := Generate(cfg, 5, 1)
	if err != nil {
		t.Fatal(err)
	}
	for i, sm := range s {
		b := sm.Boxes[0]
		w, h := b.X2-b.X1, b.Y2-b.Y1
		if w < 5 || w > 11 || h < 5 || h > 11 || b.X1 != float64(int(b.X1)) {
			t.Errorf("canvas %d (%s): box %v, want whole pixels about 8 (±20%%) wide", i, Classes[sm.Classes[0]], b)
		}
	}
}

func TestBadConfig(t *testing.T) {
	for _, cfg := range []Config{
		{Size: 4, MinSide: 3, MaxSide: 3},
		{Size: 32, MinObjects: 3, MaxObjects: 2, MinSide: 4, MaxSide: 8},
		{Size: 32, MinSide: 4, MaxSide: 40},
		{Size: 32, MinSide: 4, MaxSide: 8, Noise: -1},
	} {
		if _, err := Generate(cfg, 1, 0); err == nil {
			t.Errorf("%+v: no error", cfg)
		}
	}
}

func sum(v []int) int {
	s := 0
	for _, x := range v {
		s += x
	}
	return s
}
