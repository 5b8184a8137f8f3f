package viz

import (
	"math"
	"testing"
)

func rosenbrock(x, y float64) float64 { return (1-x)*(1-x) + 100*(y-x*x)*(y-x*x) }

// TestContourLinesOfACircle traces the level set of a paraboloid, a circle, and checks every
// traced point lies on it and the line closes on itself.
func TestContourLinesOfACircle(t *testing.T) {
	const n, c = 41, 20.0
	z := make([]float64, n*n)
	for j := range n {
		for i := range n {
			z[j*n+i] = (float64(i)-c)*(float64(i)-c) + (float64(j)-c)*(float64(j)-c)
		}
	}
	for _, r := range []float64{3.3, 10.5, 17.7} {
		lines := contourLines(z, n, r*r)
		if len(lines) != 1 {
			t.Fatalf("radius %v: %d lines, want 1 closed line", r, len(lines))
		}
		line := lines[0]
		if line[0] != line[len(line)-1] {
			t.Errorf("radius %v: line from %v ends at %v, want closed", r, line[0], line[len(line)-1])
		}
		// Linear interpolation of r² along a grid edge errs by at most about 1/(8r) grid cells.
		for _, p := range line {
			if got := math.Hypot(p.x-c, p.y-c); math.Abs(got-r) > 1/(4*r)+1e-9 {
				t.Errorf("radius %v: point %v at distance %v", r, p, got)
			}
		}
		// A circle of radius r crosses about 4·r·√2 … 8·r grid edges.
		if len(line) < int(4*r) {
			t.Errorf("radius %v: only %d points", r, len(line))
		}
	}
}

// TestContourLinesSaddle checks a saddle z = x·y: level 0 is the two axes, which the centre
// cell (a saddle case) splits into two bent lines, and a positive level gives two branches.
func TestContourLinesSaddle(t *testing.T) {
	const n = 20 // grid points at -9.5 … 9.5, so no point is exactly 0
	z := make([]float64, n*n)
	for j := range n {
		for i := range n {
			z[j*n+i] = (float64(i) - 9.5) * (float64(j) - 9.5)
		}
	}
	zero := contourLines(z, n, 0)
	if len(zero) != 2 {
		t.Errorf("x·y = 0: %d lines, want 2", len(zero))
	}
	for _, line := range zero {
		for _, p := range line {
			if p.x != 9.5 && p.y != 9.5 {
				t.Errorf("x·y = 0: point %v is on neither axis", p)
			}
		}
		if first, last := line[0], line[len(line)-1]; first == last {
			t.Errorf("x·y = 0: line closed, want open from border to border")
		}
	}
	if lines := contourLines(z, n, 10); len(lines) != 2 {
		t.Errorf("x·y = 10: %d lines, want 2 branches", len(lines))
	}
	for _, line := range contourLines(z, n, 10) {
		for _, p := range line {
			if v := (p.x - 9.5) * (p.y - 9.5); v < 9 || v > 11.5 {
				t.Errorf("x·y = 10: point %v has x·y = %v", p, v)
			}
		}
	}
}

func TestDefaultLevels(t *testing.T) {
	// Rosenbrock over [-2, 2]×[-1, 3]: a flat valley between steep walls gets 1-2-5 levels.
	var z []float64
	for j := range 50 {
		for i := range 50 {
			z = append(z, rosenbrock(-2+4*float64(i)/49, -1+4*float64(j)/49))
		}
	}
	lo, _ := minMax(z)
	levels := defaultLevels(z)
	want := []float64{0.5, 1, 2, 5, 10, 20, 50, 100}
	for i, w := range want {
		if i >= len(levels) || math.Abs(levels[i]-lo-w) > 1e-9 {
			t.Fatalf("Rosenbrock levels %v, want min + %v …", levels, want)
		}
	}
	// A bowl gets evenly spaced levels.
	z = z[:0]
	for j := range 21 {
		for i := range 21 {
			x, y := float64(i-10)/10, float64(j-10)/10
			z = append(z, x*x+y*y)
		}
	}
	levels = defaultLevels(z)
	if len(levels) < 5 || math.Abs(levels[0]-0.2) > 1e-9 || math.Abs(levels[1]-0.4) > 1e-9 {
		t.Errorf("bowl levels %v, want 0.2, 0.4, …", levels)
	}
}

func TestContourPlot(t *testing.T) {
	xs, ys := []float64{-1.5, -1, 0, 0.5, 1}, []float64{2, 1, 0.2, 0.3, 1}
	p := Contour("Rosenbrock 函数", rosenbrock, -2, 2, -1, 3).
		Levels(1, 10, 100).
		Paths(Series{"GD", xs, ys}, Series{"Adam", []float64{0, 1}, []float64{0, 1}}).
		Mark(1, 1, "minimum").XLabel("x").YLabel("y")
	d := mustSVG(t, p)
	if n := len(d.byClass["contour"]); n != 3 {
		t.Errorf("%d contour paths, want one per level: 3", n)
	}
	if n := len(d.byClass["series"]); n != 2 {
		t.Errorf("%d paths drawn, want 2", n)
	}
	if got := d.texts("legend-label"); !equalStrings(got, []string{"GD", "Adam"}) {
		t.Errorf("legend = %q", got)
	}
	if n := len(d.byClass["mark"]); n != 1 {
		t.Errorf("%d marks, want 1", n)
	}
	// Equal scales: the plot area of a square domain is square.
	f := frameOf(t, d)
	if w, h := f.x1-f.x0, f.y1-f.y0; math.Abs(w-h) > 1 {
		t.Errorf("plot area %v×%v for a square domain, want square", w, h)
	}
	// GD's first point (-1.5, 2) is 1/8 across and 3/4 up the plot area.
	first := pathPoints(t, seriesPaths(d)[0].attr["d"])[0]
	if want := (pt{f.x0 + (f.x1-f.x0)/8, f.y1 - (f.y1-f.y0)*3/4}); math.Abs(first.x-want.x) > 0.2 || math.Abs(first.y-want.y) > 0.2 {
		t.Errorf("GD starts at %v, want %v", first, want)
	}
	// Contour lines stay inside the plot area.
	for _, e := range d.byClass["contour"] {
		for _, q := range pathPoints(t, e.attr["d"]) {
			if q.x < f.x0-0.1 || q.x > f.x1+0.1 || q.y < f.y0-0.1 || q.y > f.y1+0.1 {
				t.Fatalf("contour point %v outside %v", q, f)
			}
		}
	}
}
