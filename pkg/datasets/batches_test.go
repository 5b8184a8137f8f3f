package datasets

import (
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/gomlx/gomlx/pkg/core/tensors"
)

// firstIDs returns the example index of each image of b (counting's pixels are the index).
func firstIDs(b *Batch) []int {
	img := tensors.MustCopyFlatData[float32](b.Images)
	ids := make([]int, b.Size)
	for k := range b.Size {
		ids[k] = int(math.Round(float64(img[k*len(img)/b.Size] * 255)))
	}
	return ids
}

func TestBatches(t *testing.T) {
	l := NewLoader(counting(10, 1), 4, Shuffle(3))
	defer l.Close()
	var ids, sizes []int
	for b, err := range l.Batches() {
		if err != nil {
			t.Fatal(err)
		}
		ids, sizes = append(ids, firstIDs(b)...), append(sizes, b.Size)
	}
	// The same run as Next gives: a fresh loader with the same seed.
	want, wantSizes := drain(t, NewLoader(counting(10, 1), 4, Shuffle(3)))
	if !slices.Equal(ids, want) || !slices.Equal(sizes, wantSizes) {
		t.Errorf("Batches gave %v in batches %v, Next gives %v in %v", ids, sizes, want, wantSizes)
	}
	// Breaking out early: the rest of the run comes next.
	l2 := NewLoader(counting(10, 1), 4)
	for b, err := range l2.Batches() {
		if err != nil || b.Size != 4 {
			t.Fatalf("first batch %v, %v", b, err)
		}
		break
	}
	var rest []int
	for b, err := range l2.Batches() {
		if err != nil {
			t.Fatal(err)
		}
		rest = append(rest, firstIDs(b)...)
	}
	if !slices.Equal(rest, []int{4, 5, 6, 7, 8, 9}) {
		t.Errorf("after a break the run went on with %v, want 4…9", rest)
	}
}

func TestBatchesError(t *testing.T) {
	// A batch size the loader refuses: one error is yielded, then the loop ends.
	var errs []error
	for b, err := range NewLoader(counting(3, 1), 0).Batches() {
		if b != nil {
			t.Errorf("a batch with the error: %v", b)
		}
		errs = append(errs, err)
	}
	if len(errs) != 1 || errs[0] == nil || !strings.HasPrefix(errs[0].Error(), "datasets: ") {
		t.Errorf("errors %v, want one datasets: error", errs)
	}
}
