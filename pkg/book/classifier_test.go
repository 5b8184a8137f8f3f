package book

import (
	"strings"
	"testing"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"

	"github.com/godl-book/godl/pkg/backend"
	"github.com/godl-book/godl/pkg/datasets"
	"github.com/godl-book/godl/pkg/models"
	"github.com/godl-book/godl/pkg/training"
	"github.com/godl-book/godl/pkg/viz"
)

// TestNetLayers checks the diagram's rows against the network itself: the parameters of the
// rows add up to what models.Net creates, and the last row's shape is its output's.
func TestNetLayers(t *testing.T) {
	b, err := backend.Default()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ h, w, c, want int }{
		{32, 32, 1, 61706}, // the blitz's count
		{28, 28, 1, 44426}, // chapter 04 on Fashion-MNIST
		{32, 32, 3, 62006}, // CIFAR-10
	} {
		rows, err := NetLayers(tc.h, tc.w, tc.c)
		if err != nil {
			t.Fatal(err)
		}
		sum := 0
		for _, r := range rows {
			sum += r.Params
		}
		ctx := context.New()
		x := tensors.FromShape(shapes.Make(dtypes.Float32, 1, tc.h, tc.w, tc.c))
		out, err := context.ExecOnce(b, ctx, models.Net, x)
		if err != nil {
			t.Fatal(err)
		}
		if got := models.NumParams(ctx); sum != tc.want || got != tc.want {
			t.Errorf("%d×%d×%d: rows add up to %d, models.Net has %d, want %d", tc.h, tc.w, tc.c, sum, got, tc.want)
		}
		if last := rows[len(rows)-1].Shape; last != "1×10" || out.Shape().Dimensions[1] != 10 {
			t.Errorf("last row %q, output %v", last, out.Shape())
		}
		if _, err := viz.LayerStack("net", rows...).SVG(); err != nil {
			t.Error(err)
		}
	}
	if _, err := NetLayers(12, 32, 1); err == nil || !strings.HasPrefix(err.Error(), "book: NetLayers: image 12×32×1") {
		t.Errorf("12×32 image: error %v", err)
	}
}

// evaluation is a hand-made Evaluation of the first n MNIST training images in which the
// examples at wrong are predicted as class (label+1) mod 10.
func evaluation(t *testing.T, n int, wrong ...int) (*training.Evaluation, *datasets.Dataset) {
	t.Helper()
	train, _, err := datasets.MNIST(datasets.Limit(n), datasets.Quiet())
	if err != nil {
		t.Fatal(err)
	}
	ev := &training.Evaluation{Classes: train.Classes, Labels: train.Labels,
		Predictions: append([]int32(nil), train.Labels...), Confusion: make([][]int, 10)}
	for _, i := range wrong {
		ev.Predictions[i] = (ev.Labels[i] + 1) % 10
	}
	for i := range ev.Confusion {
		ev.Confusion[i] = make([]int, 10)
	}
	for i, l := range ev.Labels {
		ev.Confusion[l][ev.Predictions[i]]++
	}
	return ev, train
}

func TestMistakes(t *testing.T) {
	ev, d := evaluation(t, 12, 2, 5, 9)
	grid, err := Mistakes(ev, d, 2)
	if err != nil {
		t.Fatal(err)
	}
	svg, err := grid.SVG()
	if err != nil {
		t.Fatal(err)
	}
	// Only mistakes, the first two: each caption names the true class.
	if got := strings.Count(svg, "true: "); got != 2 {
		t.Errorf("%d captions with a true class, want 2 (mistakes only)", got)
	}
	for _, i := range []int{2, 5} {
		if want := "true: " + d.Classes[ev.Labels[i]]; !strings.Contains(svg, want) {
			t.Errorf("no caption %q for mistake %d", want, i)
		}
	}
	if _, err := Mistakes(ev, d.Take(5), 2); err == nil || !strings.Contains(err.Error(), "not the one evaluated") {
		t.Errorf("other data set: error %v", err)
	}
	perfect, d2 := evaluation(t, 4)
	if _, err := Mistakes(perfect, d2, 2); err == nil || !strings.Contains(err.Error(), "no mistakes among 4") {
		t.Errorf("no mistakes: error %v", err)
	}
}

func TestTopConfusions(t *testing.T) {
	ev := &training.Evaluation{Classes: []string{"a", "b", "c"},
		Confusion: [][]int{{9, 1, 3}, {3, 7, 0}, {0, 5, 2}}}
	got := TopConfusions(ev, 3)
	want := []Confusion{{"c", "b", 5}, {"a", "c", 3}, {"b", "a", 3}}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("confusion %d = %v, want %v", i, got[i], want[i])
		}
	}
	if s := got[0].String(); s != "c → b: 5" {
		t.Errorf("String() = %q", s)
	}
	if all := TopConfusions(ev, 10); len(all) != 4 {
		t.Errorf("k beyond the non-zero cells: %d, want all 4", len(all))
	}
}

func TestFitCurves(t *testing.T) {
	run := &training.Run{History: []training.Epoch{
		{Epoch: 1, TrainLoss: 1.2, TestLoss: 0.9, TrainAccuracy: 0.6, TestAccuracy: 0.7},
		{Epoch: 2, TrainLoss: 0.8, TestLoss: 0.7, TrainAccuracy: 0.75, TestAccuracy: 0.78},
	}}
	svg, err := FitCurves(run, "validation").SVG()
	if err != nil {
		t.Fatal(err)
	}
	for _, legend := range []string{"train (mean over the epoch)", "validation (after the epoch)"} {
		if strings.Count(svg, legend) != 2 {
			t.Errorf("legend %q not in both panels", legend)
		}
	}
}
