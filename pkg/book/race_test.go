package book

import (
	"math"
	"strings"
	"testing"

	"github.com/godl-book/godl/pkg/optim"
)

func TestRaceOnRosenbrock(t *testing.T) {
	start, n := [2]float64{-1.2, 1}, 50
	trails, err := Race(optim.Rosenbrock, start, n,
		NamedOptimizer{"L-BFGS", optim.LBFGS(1).MaxIter(1).StrongWolfe().Done()},
		NamedOptimizer{"Adam", optim.Adam(0.1).Done()},
		NamedOptimizer{"SGD", optim.SGD(2e-3).Done()})
	if err != nil {
		t.Fatal(err)
	}
	f := func(p [2]float64) float64 { return (1-p[0])*(1-p[0]) + 100*(p[1]-p[0]*p[0])*(p[1]-p[0]*p[0]) }
	for i, name := range []string{"L-BFGS", "Adam", "SGD"} {
		tr := trails[i]
		if tr.Name != name {
			t.Errorf("trail %d is %q, want %q", i, tr.Name, name)
		}
		if len(tr.Points) != n+1 || tr.Points[0] != start {
			t.Fatalf("%s: %d points from %v, want %d from %v", name, len(tr.Points), tr.Points[0], n+1, start)
		}
		if last := tr.Points[n]; !(f(last) < f(start)/5) {
			t.Errorf("%s: f falls from %g only to %g", name, f(start), f(last))
		}
	}
	// The same optimizer through Race and Path draws the same path.
	path, err := optim.Path(optim.Adam(0.1).Done(), optim.Rosenbrock, start, n)
	if err != nil {
		t.Fatal(err)
	}
	if gap := LargestGap(path, trails[1].Points); gap != 0 {
		t.Errorf("Race and Path differ by %g", gap)
	}
}

func TestRaceErrors(t *testing.T) {
	adam := Named("Adam", optim.Adam(0.1).Done())
	if adam.Name != "Adam" || adam.Opt == nil {
		t.Fatalf("Named = %+v", adam)
	}
	cases := map[string]func() error{
		"no racers": func() error { _, err := Race(optim.Rosenbrock, [2]float64{}, 3); return err },
		"nil f":     func() error { _, err := Race(nil, [2]float64{}, 3, adam); return err },
		"negative":  func() error { _, err := Race(optim.Rosenbrock, [2]float64{}, -1, adam); return err },
		"empty name": func() error {
			_, err := Race(optim.Rosenbrock, [2]float64{}, 3, NamedOptimizer{"", optim.Adam(0.1).Done()})
			return err
		},
		"repeated name": func() error { _, err := Race(optim.Rosenbrock, [2]float64{}, 3, adam, adam); return err },
	}
	for name, c := range cases {
		if err := c(); err == nil || !strings.HasPrefix(err.Error(), "book: Race: ") {
			t.Errorf("%s: error %v, want one from book: Race", name, err)
		}
	}
}

func TestLargestGap(t *testing.T) {
	a := [][2]float64{{0, 0}, {1, 1}, {2, 2}}
	b := [][2]float64{{0, 0}, {1, 4}, {5, 6}}
	if got := LargestGap(a, b); got != 5 {
		t.Errorf("LargestGap = %g, want 5", got)
	}
	if got := LargestGap(a, a); got != 0 {
		t.Errorf("LargestGap of a path with itself = %g, want 0", got)
	}
	if got := LargestGap(a, [][2]float64{{0, 0}, {math.NaN(), 0}}); !math.IsNaN(got) {
		t.Errorf("LargestGap with a NaN point = %g, want NaN", got)
	}
	if got := LargestGap(a, a[:1]); got != 0 {
		t.Errorf("LargestGap over the shorter path = %g, want 0", got)
	}
}

func TestOptimizerColorsAreDistinctCSSColours(t *testing.T) {
	seen := map[string]string{}
	for name, c := range OptimizerColors {
		if len(c) != 7 || c[0] != '#' || strings.Trim(c[1:], "0123456789abcdef") != "" {
			t.Errorf("%s: colour %q, want #rrggbb", name, c)
		}
		if other, ok := seen[c]; ok {
			t.Errorf("%s and %s share colour %s", name, other, c)
		}
		seen[c] = name
	}
}
