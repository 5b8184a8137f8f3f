package book

import (
	"fmt"
	"math"

	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive

	"github.com/godl-book/godl/pkg/optim"
)

// NamedOptimizer is an optimizer with the name a race or a comparison reports it under
// (chapter 05, "05-optimizers").
type NamedOptimizer struct {
	Name string
	Opt  optim.Minimizer
}

// Named pairs an optimizer with its name, for [Race] and [Compare] (chapter 05,
// "05-optimizers").
func Named(name string, opt optim.Minimizer) NamedOptimizer {
	return NamedOptimizer{Name: name, Opt: opt}
}

// Trail is the path one optimizer of a [Race] took: its name and the points it visited, start
// first (chapter 05, "05-optimizers").
type Trail struct {
	Name   string
	Points [][2]float64
}

// Race runs every named optimizer for steps steps from start on the function f of two variables
// (see optim.Path) and returns their trails, in the order given, each with steps+1 points — the
// race down Rosenbrock's valley of chapter 05 ("05-optimizers"). An optim.LBFGSOptimizer keeps
// its history, so give each race a fresh one. It fails for a nil f, negative steps, no racers,
// an empty or repeated name, or an optimizer Path rejects.
func Race(f func(x, y *Node) *Node, start [2]float64, steps int, racers ...NamedOptimizer) ([]Trail, error) {
	if len(racers) == 0 {
		return nil, fmt.Errorf("book: Race: no optimizers")
	}
	seen := map[string]bool{}
	for _, r := range racers {
		if r.Name == "" || seen[r.Name] {
			return nil, fmt.Errorf("book: Race: name %q empty or repeated", r.Name)
		}
		seen[r.Name] = true
	}
	trails := make([]Trail, len(racers))
	for i, r := range racers {
		points, err := optim.Path(r.Opt, f, start, steps)
		if err != nil {
			return nil, fmt.Errorf("book: Race: %s: %w", r.Name, err)
		}
		trails[i] = Trail{Name: r.Name, Points: points}
	}
	return trails, nil
}

// LargestGap is the largest distance between corresponding points of two paths, over the
// shorter one's length: chapter 05 ("05-optimizers") uses it to show that scaling the loss
// leaves Adam's path in place. It is NaN once either path blows up to NaN.
func LargestGap(a, b [][2]float64) float64 {
	gap := 0.0
	for i := range min(len(a), len(b)) {
		gap = max(gap, math.Hypot(a[i][0]-b[i][0], a[i][1]-b[i][1])) // max keeps a NaN
	}
	return gap
}
