package models_test

import (
	"slices"
	"testing"

	"github.com/godl-book/godl/pkg/models"
)

// TestAlexNetTwoGPU checks the 2012 paper's two-GPU AlexNet against PyTorch's count of the same
// layers (nn.Conv2d with groups=2 in conv2, conv4 and conv5; torch 1.13): 60,965,224 parameters,
// and its feature maps on 227×227 images: 55, 27, 27, 13, 13, 13, 13 and 6 pixels a side.
func TestAlexNetTwoGPU(t *testing.T) {
	table, err := models.Summary(models.AlexNet(1000, models.TwoGPU(), models.WithLRN()), 1, 227, 227, 3)
	if err != nil {
		t.Fatal(err)
	}
	if table.Trainable != 60965224 {
		t.Errorf("%d parameters, want 60,965,224", table.Trainable)
	}
	want := map[string][]int{
		"features/0": {1, 55, 55, 96}, "features/2": {1, 27, 27, 96}, "features/3": {1, 27, 27, 256},
		"features/5": {1, 13, 13, 256}, "features/6": {1, 13, 13, 384}, "features/8": {1, 13, 13, 384},
		"features/10": {1, 13, 13, 256}, "features/12": {1, 6, 6, 256},
	}
	for _, l := range table.Layers {
		if w, ok := want[l.Name]; ok {
			if !slices.Equal(l.Output, w) {
				t.Errorf("%s: output %v, want %v", l.Name, l.Output, w)
			}
			delete(want, l.Name)
		}
	}
	if len(want) > 0 {
		t.Errorf("no rows for %v", want)
	}
	if !slices.Equal(table.Output, []int{1, 1000}) {
		t.Errorf("output %v, want [1 1000]", table.Output)
	}
}
