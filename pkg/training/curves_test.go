package training

import (
	"math"
	"testing"

	"github.com/godl-book/godl/pkg/datasets"
	"github.com/godl-book/godl/pkg/optim"
	"github.com/gomlx/gomlx/pkg/ml/train/optimizers"
)

func TestLossCurve(t *testing.T) {
	train, test, err := datasets.MNIST(datasets.Limit(512), datasets.Quiet())
	if err != nil {
		t.Fatal(err)
	}
	calls := 0
	// 2 epochs of 512/64 = 8 steps: 16 steps, a point every 3 → 5 points, the last partial block dropped.
	curve, run, err := LossCurve(mlp, train, test.Take(64), optimizers.Adam().LearningRate(1e-3).Done(), 3,
		Epochs(2), BatchSize(64), NoProgress(), Normalize(datasets.MNISTMean, datasets.MNISTStd),
		OnStep(func(int, float64) { calls++ }))
	if err != nil {
		t.Fatal(err)
	}
	if calls != 16 {
		t.Errorf("the caller's OnStep saw %d steps, want 16", calls)
	}
	if len(curve.X) != 16/3 || len(curve.Y) != 16/3 {
		t.Fatalf("curve has %d x %d points, want %d", len(curve.X), len(curve.Y), 16/3)
	}
	for i, x := range curve.X {
		if x != float64(3*(i+1)) {
			t.Errorf("point %d at step %g, want %d", i, x, 3*(i+1))
		}
	}
	if first, last := curve.Y[0], curve.Y[len(curve.Y)-1]; !(last < first) || first > 3 || math.IsNaN(last) {
		t.Errorf("loss goes from %g to %g, want it to fall from about ln 10", first, last)
	}
	if len(run.History) != 2 {
		t.Errorf("run has %d epochs, want 2", len(run.History))
	}
	if _, _, err := LossCurve(mlp, train, test, optimizers.Adam().Done(), 0, NoProgress()); err == nil {
		t.Error("LossCurve with every = 0 succeeded, want an error")
	}
	if _, _, err := LossCurve(mlp, nil, test, optimizers.Adam().Done(), 1, NoProgress()); err == nil {
		t.Error("LossCurve with no training set succeeded, want an error")
	}
}

func TestCompare(t *testing.T) {
	train, test, err := datasets.MNIST(datasets.Limit(256), datasets.Quiet())
	if err != nil {
		t.Fatal(err)
	}
	named := []optim.NamedOptimizer{{Name: "SGD", Opt: optim.SGD(0.1).Done()}, {Name: "Adam", Opt: optim.Adam(1e-3).Done()}}
	results, err := Compare(mlp, train, test.Take(64), 2, named, Epochs(1), BatchSize(64), NoProgress(),
		Normalize(datasets.MNISTMean, datasets.MNISTStd))
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range results {
		if r.Name != named[i].Name || r.Curve.Name != r.Name || len(r.Curve.Y) != 2 {
			t.Errorf("result %d: %q, curve %q with %d points, want %q with 2", i, r.Name, r.Curve.Name, len(r.Curve.Y), named[i].Name)
		}
		if l := r.FinalLoss(); !(l > 0 && l < 3) {
			t.Errorf("%s: final loss %g, want it in (0, 3)", r.Name, l)
		}
	}
	bad := map[string][]optim.NamedOptimizer{
		"none":     nil,
		"L-BFGS":   {{Name: "L-BFGS", Opt: optim.LBFGS(1).Done()}},
		"no name":  {{Name: "", Opt: optim.Adam(1e-3).Done()}},
		"repeated": {named[1], named[1]},
	}
	for what, n := range bad {
		if _, err := Compare(mlp, train, test, 2, n, NoProgress()); err == nil {
			t.Errorf("Compare with %s succeeded, want an error", what)
		}
	}
}

func TestTrailSeries(t *testing.T) {
	s := TrailSeries([]optim.Trail{{Name: "a", Points: [][2]float64{{1, 2}, {3, 4}}}, {Name: "b"}})
	if len(s) != 2 || s[0].Name != "a" || s[1].Name != "b" || len(s[1].X) != 0 {
		t.Fatalf("TrailSeries = %+v", s)
	}
	if s[0].X[0] != 1 || s[0].Y[0] != 2 || s[0].X[1] != 3 || s[0].Y[1] != 4 {
		t.Errorf("TrailSeries(a) = %v, %v, want x 1, 3 and y 2, 4", s[0].X, s[0].Y)
	}
}
