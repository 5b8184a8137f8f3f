package synth

import (
	"slices"
	"testing"

	"github.com/godl-book/godl/pkg/datasets"
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

// A template "L" (a bar down the left side and one along the bottom) drawn alone fills its
// box: the box is the template's visible extent, and the class is named after the template.
func TestItems(t *testing.T) {
	l := make([]uint8, 8*8)
	for i := range 8 {
		l[i*8], l[7*8+i] = 255, 255
	}
	items := &Items{Pix: l, H: 8, W: 8, Names: []string{"L"}}
	cfg := Config{Size: 48, MinObjects: 1, MaxObjects: 1, MinSide: 16, MaxSide: 16, MinVisible: 0.4,
		Items: items, ItemShare: 1}
	s, err := Generate(cfg, 10, 4)
	if err != nil {
		t.Fatal(err)
	}
	if names := cfg.ClassNames(); len(names) != 5 || names[4] != "L" {
		t.Fatalf("ClassNames %v, want the four shapes and L", names)
	}
	for i, sm := range s {
		b := sm.Boxes[0]
		if sm.Classes[0] != 4 || sm.Names[4] != "L" {
			t.Errorf("canvas %d: class %d, names %v", i, sm.Classes[0], sm.Names)
		}
		// Sides 16 ±20% (and a pixel either end): the L's bars span the whole template, so the box is the object's.
		if w, h := b.X2-b.X1, b.Y2-b.Y1; w < 11 || w > 22 || h < 11 || h > 22 {
			t.Errorf("canvas %d: box %v", i, b)
		}
		// The pixel at the box's top-left corner is on the L's vertical bar: object colour,
		// the same as the bottom-left corner (noise is 0).
		tl := int(b.Y1)*48 + int(b.X1)
		bl := (int(b.Y2)-1)*48 + int(b.X1)
		if sm.Image[tl*3] != sm.Image[bl*3] || sm.Image[tl*3+1] != sm.Image[bl*3+1] {
			t.Errorf("canvas %d: corners of the L differ in colour", i)
		}
	}
	if _, err := Generate(Config{Size: 32, MinSide: 4, MaxSide: 8, Items: &Items{Pix: l, H: 8, W: 7, Names: []string{"L"}}}, 1, 0); err == nil {
		t.Error("items of the wrong size: no error")
	}
}

// MNIST digits from pkg/datasets as items: the names are the digits' classes, and both kinds
// of object appear.
func TestMNISTItems(t *testing.T) {
	train, _, err := datasets.MNIST(datasets.Quick(), datasets.Quiet())
	if err != nil {
		t.Skipf("MNIST: %v", err)
	}
	pix, names, err := train.Sample(200)
	if err != nil {
		t.Fatal(err)
	}
	cfg := DefaultConfig()
	cfg.Items = &Items{Pix: pix, H: 28, W: 28, Names: names}
	s, err := Generate(cfg, 30, 5)
	if err != nil {
		t.Fatal(err)
	}
	shapes, digits := 0, 0
	for _, sm := range s {
		for _, c := range sm.Classes {
			if c < len(Classes) {
				shapes++
			} else {
				digits++
			}
		}
	}
	if shapes == 0 || digits == 0 || len(cfg.ClassNames()) != len(Classes)+10 {
		t.Errorf("%d shapes, %d digits, classes %v", shapes, digits, cfg.ClassNames())
	}
	if _, err := DrawTruth(s[0]).SVG(); err != nil {
		t.Error(err)
	}
}
