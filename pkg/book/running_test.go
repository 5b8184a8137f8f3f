package book

import (
	"slices"
	"strings"
	"testing"
)

func TestRunningLoss(t *testing.T) {
	r, err := NewRunningLoss(2, 3)
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	r.Out = &out
	for _, l := range []float64{1, 2, 3, 0.5, 0.5, 0.5, 9} { // the 7th starts a block that never ends
		r.Add(l)
	}
	if !slices.Equal(r.Means, []float64{2, 0.5}) {
		t.Errorf("means %v, want [2 0.5]", r.Means)
	}
	want := "[epoch 2, batch    3] running loss 2.000\n[epoch 2, batch    6] running loss 0.500\n"
	if out.String() != want {
		t.Errorf("reports %q, want %q", out.String(), want)
	}
	if _, err := NewRunningLoss(1, 0); err == nil || !strings.HasPrefix(err.Error(), "book: NewRunningLoss: every = 0") {
		t.Errorf("every = 0: error %v", err)
	}
}
