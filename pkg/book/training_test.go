package book

import (
	"math"
	"strings"
	"testing"

	"github.com/gomlx/gomlx/pkg/ml/train/optimizers"

	"github.com/godl-book/godl/pkg/datasets"
	"github.com/godl-book/godl/pkg/models"
	"github.com/godl-book/godl/pkg/optim"
	"github.com/godl-book/godl/pkg/training"
)

// mlp is a small classifier that trains on every backend.
var mlp = models.MLP(10, []int{64})

// mean is the average of xs.
func mean(xs []float64) float64 {
	sum := 0.0
	for _, x := range xs {
		sum += x
	}
	return sum / float64(len(xs))
}

// The bounds below hold on every backend. Each backend draws its own initial weights, so the
// per-step losses differ between them; the tests check exactly what LossCurve and Compare
// compute from those losses, and that training lowers them, with margins measured on XLA and
// on pure Go (numbers in the comments, noisy only in the last digit).

func TestLossCurve(t *testing.T) {
	train, test, err := datasets.MNIST(datasets.Limit(512), datasets.Quiet())
	if err != nil {
		t.Fatal(err)
	}
	var steps []float64 // the loss of each step, as the caller's OnStep sees it
	// 2 epochs of 512/64 = 8 steps: 16 steps, a point every 3 → 5 points, the last partial block dropped.
	curve, run, err := LossCurve(mlp, train, test.Take(64), optimizers.Adam().LearningRate(1e-3).Done(), 3,
		training.Epochs(2), training.BatchSize(64), training.NoProgress(),
		training.Normalize(datasets.MNISTMean, datasets.MNISTStd),
		training.OnStep(func(_ int, l float64) { steps = append(steps, l) }))
	if err != nil {
		t.Fatal(err)
	}
	if len(steps) != 16 {
		t.Fatalf("the caller's OnStep saw %d steps, want 16", len(steps))
	}
	// A fresh classifier guesses: its first loss is near ln 10 (measured 2.357 on XLA, 2.303 on Go).
	if first := steps[0]; math.Abs(first-math.Log(10)) > 0.1*math.Log(10) {
		t.Errorf("first step's loss %g, want ln 10 = %.3f within 10%%", first, math.Log(10))
	}
	if len(curve.X) != 16/3 || len(curve.Y) != 16/3 {
		t.Fatalf("curve has %d x %d points, want %d", len(curve.X), len(curve.Y), 16/3)
	}
	for i, x := range curve.X {
		block := steps[3*i : 3*i+3]
		if want := mean(block); x != float64(3*(i+1)) || math.Abs(curve.Y[i]-want) > 1e-12*want {
			t.Errorf("point %d = (%g, %g), want step %d and the mean %g of losses %v", i, x, curve.Y[i], 3*(i+1), want, block)
		}
	}
	// Measured last/first point: 0.47 on XLA, 0.48 on pure Go.
	t.Logf("steps %.3f, curve %.3f", steps, curve.Y)
	if first, last := curve.Y[0], curve.Y[len(curve.Y)-1]; !(last < 0.6*first) {
		t.Errorf("loss goes from %g to %g, want it to fall below 0.6 of where it started", first, last)
	}
	if len(run.History) != 2 {
		t.Errorf("run has %d epochs, want 2", len(run.History))
	}
	if _, _, err := LossCurve(mlp, train, test, optimizers.Adam().Done(), 0, training.NoProgress()); err == nil ||
		!strings.HasPrefix(err.Error(), "book: LossCurve: every = 0") {
		t.Errorf("LossCurve with every = 0: %v, want an error", err)
	}
	if _, _, err := LossCurve(mlp, nil, test, optimizers.Adam().Done(), 1, training.NoProgress()); err == nil {
		t.Error("LossCurve with no training set succeeded, want an error")
	}
}

func TestCompare(t *testing.T) {
	train, test, err := datasets.MNIST(datasets.Limit(256), datasets.Quiet())
	if err != nil {
		t.Fatal(err)
	}
	named := []NamedOptimizer{Named("SGD", optim.SGD(0.1).Done()), Named("Adam", optim.Adam(1e-3).Done())}
	var steps []float64 // 4 steps of each run, SGD's then Adam's
	results, err := Compare(mlp, train, test.Take(64), 2, named, training.Epochs(1), training.BatchSize(64),
		training.NoProgress(), training.Normalize(datasets.MNISTMean, datasets.MNISTStd),
		training.OnStep(func(_ int, l float64) { steps = append(steps, l) }))
	if err != nil {
		t.Fatal(err)
	}
	if len(results) != 2 || len(steps) != 8 {
		t.Fatalf("%d results from %d steps, want 2 from 8", len(results), len(steps))
	}
	// A fair race: every optimizer starts from the same weights on the same batches, so the first
	// step, taken before any update, has the same loss.
	if steps[0] != steps[4] {
		t.Errorf("first step: loss %g with SGD, %g with Adam; want the same start", steps[0], steps[4])
	}
	for i, r := range results {
		if r.Name != named[i].Name || r.Curve.Name != r.Name || len(r.Curve.Y) != 2 {
			t.Errorf("result %d: %q, curve %q with %d points, want %q with 2", i, r.Name, r.Curve.Name,
				len(r.Curve.Y), named[i].Name)
			continue
		}
		// The epoch's training loss is the mean of its steps, which the curve averages in pairs.
		run := steps[4*i : 4*i+4]
		if l, want := r.FinalLoss(), mean(run); math.Abs(l-want) > 1e-9*want {
			t.Errorf("%s: final loss %g, want the mean %g of its steps %v", r.Name, l, want, run)
		}
		// Measured second/first point: SGD 0.86, Adam 0.91 on XLA; 0.89 and 0.92 on pure Go.
		t.Logf("%s: curve %.3f", r.Name, r.Curve.Y)
		if !(r.Curve.Y[1] < 0.95*r.Curve.Y[0]) {
			t.Errorf("%s: loss %g then %g, want it to fall by 5%% or more", r.Name, r.Curve.Y[0], r.Curve.Y[1])
		}
	}
	bad := map[string][]NamedOptimizer{
		"none":     nil,
		"L-BFGS":   {Named("L-BFGS", optim.LBFGS(1).Done())},
		"no name":  {Named("", optim.Adam(1e-3).Done())},
		"repeated": {named[1], named[1]},
	}
	for what, n := range bad {
		if _, err := Compare(mlp, train, test, 2, n, training.NoProgress()); err == nil ||
			!strings.HasPrefix(err.Error(), "book: Compare: ") {
			t.Errorf("Compare with %s: %v, want an error", what, err)
		}
	}
}

func TestTrailSeries(t *testing.T) {
	s := TrailSeries([]Trail{{Name: "a", Points: [][2]float64{{1, 2}, {3, 4}}}, {Name: "b"}})
	if len(s) != 2 || s[0].Name != "a" || s[1].Name != "b" || len(s[1].X) != 0 {
		t.Fatalf("TrailSeries = %+v", s)
	}
	if s[0].X[0] != 1 || s[0].Y[0] != 2 || s[0].X[1] != 3 || s[0].Y[1] != 4 {
		t.Errorf("TrailSeries(a) = %v, %v, want x 1, 3 and y 2, 4", s[0].X, s[0].Y)
	}
}
