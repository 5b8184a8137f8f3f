package book

import (
	"fmt"

	"github.com/gomlx/gomlx/pkg/ml/train/optimizers"

	"github.com/godl-book/godl/pkg/datasets"
	"github.com/godl-book/godl/pkg/optim"
	"github.com/godl-book/godl/pkg/training"
	"github.com/godl-book/godl/pkg/viz"
)

// LossCurve trains model with opt by training.Fit (opts as for Fit) and returns its
// training-loss curve — the loss averaged over every block of every steps, X the block's last
// step, so steps/every points — with the run: the curves of the Adam paper that chapter 05
// ("05-optimizers") redraws on MNIST. A training.OnStep among opts still sees every step. It
// fails for every < 1, or when Fit does.
func LossCurve(model training.Model, train, test *datasets.Dataset, opt optimizers.Interface, every int,
	opts ...training.Option) (viz.Series, *training.Run, error) {
	if every < 1 {
		return viz.Series{}, nil, fmt.Errorf("book: LossCurve: every = %d, want ≥ 1", every)
	}
	var curve viz.Series
	sum := 0.0
	record := training.OnStep(func(step int, loss float64) {
		if sum += loss; step%every == 0 {
			curve.X, curve.Y, sum = append(curve.X, float64(step)), append(curve.Y, sum/float64(every)), 0
		}
	})
	run, err := training.Fit(model, train, test, opt, append(opts[:len(opts):len(opts)], record)...)
	if err != nil {
		return viz.Series{}, nil, fmt.Errorf("book: LossCurve: %w", err)
	}
	return curve, run, nil
}

// Result is one optimizer's outcome in [Compare]: its name, its loss curve (named after it)
// and its run (chapter 05, "05-optimizers").
type Result struct {
	Name  string
	Curve viz.Series
	Run   *training.Run
}

// FinalLoss is the training loss of the result's last epoch.
func (r Result) FinalLoss() float64 { return r.Run.History[len(r.Run.History)-1].TrainLoss }

// Compare trains a fresh copy of model with each named optimizer, by [LossCurve] with every and
// opts, and returns the results in the order given: the optimizer comparison on MNIST of
// chapter 05 ("05-optimizers"). Each optimizer must be a graph optimizer, an optim.Optimizer
// (L-BFGS, which wants a full batch, is not). It fails for no optimizers, an empty or repeated
// name, an optimizer of another kind, or when LossCurve does.
func Compare(model training.Model, train, test *datasets.Dataset, every int, named []NamedOptimizer,
	opts ...training.Option) ([]Result, error) {
	if len(named) == 0 {
		return nil, fmt.Errorf("book: Compare: no optimizers")
	}
	seen := map[string]bool{}
	for _, n := range named {
		if _, ok := n.Opt.(optim.Optimizer); !ok || n.Name == "" || seen[n.Name] {
			return nil, fmt.Errorf("book: Compare: optimizer %q (%T): want a unique name and an optim.Optimizer",
				n.Name, n.Opt)
		}
		seen[n.Name] = true
	}
	results := make([]Result, len(named))
	for i, n := range named {
		curve, run, err := LossCurve(model, train, test, n.Opt.(optim.Optimizer), every, opts...)
		if err != nil {
			return nil, fmt.Errorf("book: Compare: %s: %w", n.Name, err)
		}
		curve.Name = n.Name
		results[i] = Result{Name: n.Name, Curve: curve, Run: run}
	}
	return results, nil
}

// TrailSeries turns the trails of a [Race] into series to draw over a contour plot with
// viz's Paths, one per optimizer and named after it (chapter 05, "05-optimizers").
func TrailSeries(trails []Trail) []viz.Series {
	series := make([]viz.Series, len(trails))
	for i, t := range trails {
		series[i].Name = t.Name
		for _, p := range t.Points {
			series[i].X, series[i].Y = append(series[i].X, p[0]), append(series[i].Y, p[1])
		}
	}
	return series
}
