package datasets

import (
	"image"
	"math"
	"slices"
	"strings"
	"testing"
)

func TestPermutation(t *testing.T) {
	for _, n := range []int{0, 1, 2, 10, 1000} {
		p := Permutation(n, 42, 0)
		sorted := slices.Clone(p)
		slices.Sort(sorted)
		if !slices.Equal(sorted, identity(n)) {
			t.Errorf("Permutation(%d) = %v is not a permutation", n, p)
		}
	}
	a, b := Permutation(100, 1, 0), Permutation(100, 1, 0)
	if !slices.Equal(a, b) || slices.Equal(a, Permutation(100, 1, 1)) || slices.Equal(a, Permutation(100, 2, 0)) {
		t.Error("the order must follow seed and stream, and only them")
	}
	// Pinned: the order must not change between Go releases or edits, or runs stop repeating.
	if got, want := Permutation(8, 2024, 3), []int{3, 7, 6, 4, 5, 2, 1, 0}; !slices.Equal(got, want) {
		t.Errorf("Permutation(8, 2024, 3) = %#v, want %#v", got, want)
	}
	// Each position is roughly uniform: example 0 lands in each of 4 slots about 1/4 of the time.
	var slots [4]int
	for s := range uint64(4000) {
		slots[slices.Index(Permutation(4, s, 0), 0)]++
	}
	for i, c := range slots {
		if c < 900 || c > 1100 {
			t.Errorf("example 0 in slot %d %d times of 4000", i, c)
		}
	}
}

func TestSubsetTakeSplit(t *testing.T) {
	ds := counting(10, 1)
	sub, err := ds.Subset([]int{9, 2, 2})
	if err != nil {
		t.Fatal(err)
	}
	// A subset of a subset maps back to the parent's pixels.
	subsub, err := sub.Subset([]int{1, 0})
	if err != nil {
		t.Fatal(err)
	}
	pix := make([]uint8, 2)
	for i, want := range []uint8{2, 9} {
		if l, err := subsub.Read(i, pix); err != nil || pix[0] != want || l != int32(want%3) {
			t.Errorf("subsub[%d] = %v label %d, err %v; want example %d", i, pix, l, err, want)
		}
	}
	if _, err := ds.Subset([]int{10}); err == nil || !strings.Contains(err.Error(), "subset index 10 out of range [0, 10)") {
		t.Errorf("out-of-range subset: %v", err)
	}
	if ds.Take(3).Len() != 3 || ds.Take(0).Len() != 10 || ds.Take(99).Len() != 10 || sub.Take(2).Len() != 2 {
		t.Error("Take lengths")
	}
	if _, err := sub.Take(2).Read(1, pix); err != nil || pix[0] != 2 {
		t.Errorf("sub.Take(2)[1] = %v, %v", pix, err)
	}

	train, valid, err := ds.Split(0.8, 5)
	if err != nil {
		t.Fatal(err)
	}
	if train.Len() != 8 || valid.Len() != 2 || train.Name != "count/train" || valid.Name != "count/valid" {
		t.Errorf("Split: %s (%d), %s (%d)", train.Name, train.Len(), valid.Name, valid.Len())
	}
	var all []int
	for _, d := range []*Dataset{train, valid} {
		for i := range d.Len() {
			d.Read(i, pix)
			all = append(all, int(pix[0]))
		}
	}
	slices.Sort(all)
	if !slices.Equal(all, identity(10)) {
		t.Errorf("Split parts together hold %v", all)
	}
	train2, _, _ := ds.Split(0.8, 5)
	if !slices.Equal(train.ids, train2.ids) {
		t.Error("Split does not repeat with its seed")
	}
	for _, f := range []float64{-0.1, 1.5, math.NaN()} {
		if _, _, err := ds.Split(f, 1); err == nil {
			t.Errorf("Split(%g) gave no error", f)
		}
	}
	if _, err := ds.Read(10, pix); err == nil {
		t.Error("Read out of range gave no error")
	}
	if _, err := ds.Read(0, nil); err == nil {
		t.Error("Read into a short buffer gave no error")
	}
}

func TestLabelCountsMeanStdImage(t *testing.T) {
	ds := counting(7, 3) // labels 0,1,2,0,1,2,0; pixels of example i are all i
	if got := ds.LabelCounts(); !slices.Equal(got, []int{3, 2, 2}) {
		t.Errorf("LabelCounts = %v", got)
	}
	mean, std, err := ds.MeanStd()
	if err != nil {
		t.Fatal(err)
	}
	// Values 0…6 equally often: mean 3, population std 2, on the /255 scale.
	for c := range 3 {
		if math.Abs(float64(mean[c])-3.0/255) > 1e-6 || math.Abs(float64(std[c])-2.0/255) > 1e-6 {
			t.Errorf("channel %d: mean %g std %g", c, mean[c], std[c])
		}
	}
	img, err := ds.Image(5)
	if err != nil {
		t.Fatal(err)
	}
	rgba, ok := img.(*image.RGBA)
	if !ok || rgba.Bounds() != image.Rect(0, 0, 1, 2) || rgba.RGBAAt(0, 1).G != 5 || rgba.RGBAAt(0, 1).A != 255 {
		t.Errorf("Image(5) = %T %v", img, img)
	}
	if s := ds.String(); s != "count/train: 7 images 2×1×3, 3 classes, from test" {
		t.Errorf("String() = %q", s)
	}
	if ds.Path(0) != "" {
		t.Error("Path of an in-memory data set")
	}
}
