package viz

import (
	"math"
	"regexp"
	"strconv"
	"testing"
)

// pathPoints returns the coordinates of an SVG path's M and L commands.
func pathPoints(t *testing.T, d string) []pt {
	t.Helper()
	var pts []pt
	for _, m := range regexp.MustCompile(`[ML](-?[0-9.]+) (-?[0-9.]+)`).FindAllStringSubmatch(d, -1) {
		x, _ := strconv.ParseFloat(m[1], 64)
		y, _ := strconv.ParseFloat(m[2], 64)
		pts = append(pts, pt{x, y})
	}
	if len(pts) == 0 && d != "" {
		t.Fatalf("path %q has no points", d)
	}
	return pts
}

// frameOf returns the plot area of a parsed line plot.
func frameOf(t *testing.T, d *doc) rect {
	t.Helper()
	f := d.byClass["frame"]
	if len(f) != 1 {
		t.Fatalf("%d frames, want 1", len(f))
	}
	x, y := atof(t, f[0].attr["x"]), atof(t, f[0].attr["y"])
	return rect{x, y, x + atof(t, f[0].attr["width"]), y + atof(t, f[0].attr["height"])}
}

// seriesPaths returns the <path> of each series group, in order.
func seriesPaths(d *doc) []*elem {
	var paths []*elem
	in := false
	for _, e := range d.all {
		switch {
		case e.attr["class"] == "series":
			in = true
		case e.name == "path" && in:
			paths = append(paths, e)
			in = false
		}
	}
	return paths
}

func TestLinesDrawsEverySeriesWithLegend(t *testing.T) {
	train := []float64{2.3, 1.2, 0.8, 0.6, 0.5}
	test := []float64{2.4, 1.4, 1.0, 0.9, 0.85}
	d := mustSVG(t, Lines("loss", Series{"train", nil, train}, Series{"test", nil, test}).XLabel("epoch").YLabel("loss"))
	if n := len(d.byClass["series"]); n != 2 {
		t.Fatalf("%d series groups, want 2", n)
	}
	paths := seriesPaths(d)
	if len(paths) != 2 {
		t.Fatalf("%d series paths, want 2", len(paths))
	}
	if got := d.texts("legend-label"); !equalStrings(got, []string{"train", "test"}) {
		t.Errorf("legend = %q", got)
	}
	if paths[0].attr["stroke"] != palette[0] || paths[1].attr["stroke"] != palette[1] {
		t.Errorf("series colours %s, %s; want %s, %s", paths[0].attr["stroke"], paths[1].attr["stroke"], palette[0], palette[1])
	}
	// nil X means epochs 1…5: the x axis runs from 1 at the frame's left to 5 at its right,
	// and the first and last points sit on those edges.
	f := frameOf(t, d)
	pts := pathPoints(t, paths[0].attr["d"])
	if len(pts) != len(train) {
		t.Fatalf("%d points in the train path, want %d", len(pts), len(train))
	}
	if math.Abs(pts[0].x-f.x0) > 0.1 || math.Abs(pts[4].x-f.x1) > 0.1 {
		t.Errorf("train path spans x %v…%v, frame %v…%v", pts[0].x, pts[4].x, f.x0, f.x1)
	}
	// Lower loss is lower on the page (larger y in SVG).
	for i := 1; i < len(pts); i++ {
		if pts[i].y <= pts[i-1].y {
			t.Errorf("point %d at y=%v is not below point %d at y=%v", i, pts[i].y, i-1, pts[i-1].y)
		}
	}
	if got := d.texts("xtick"); !equalStrings(got, []string{"1", "2", "3", "4", "5"}) {
		t.Errorf("x ticks = %q", got)
	}
	if got := d.texts("xlabel"); !equalStrings(got, []string{"epoch"}) {
		t.Errorf("x label = %q", got)
	}
}

func TestColorsFixSeriesColoursByName(t *testing.T) {
	a, b := Series{"a", []float64{0, 1}, []float64{1, 2}}, Series{"b", []float64{0, 1}, []float64{2, 1}}
	fixed := map[string]string{"b": "#123456"}
	for name, plot := range map[string]interface{ SVG() (string, error) }{
		"lines":   Lines("l", a, b).Colors(fixed),
		"contour": Contour("c", func(x, y float64) float64 { return x*x + y*y }, -1, 2, -1, 2).Paths(a, b).Colors(fixed),
	} {
		svg, err := plot.SVG()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		paths := seriesPaths(parseSVG(t, svg))
		if len(paths) != 2 || paths[1].attr["stroke"] != "#123456" || paths[0].attr["stroke"] == "#123456" {
			t.Errorf("%s: want b in #123456 and a in the palette, got %d paths", name, len(paths))
		}
	}
}

func TestLinesLogY(t *testing.T) {
	y := []float64{1, 0.1, 0.01, 0.001}
	d := mustSVG(t, Lines("loss", Series{"", nil, y}).LogY())
	if got := d.texts("ytick"); !equalStrings(got, []string{"0.001", "0.01", "0.1", "1"}) {
		t.Errorf("log y ticks = %q", got)
	}
	if n := len(d.byClass["legend-label"]); n != 0 {
		t.Errorf("%d legend labels for an unnamed series, want 0", n)
	}
	// Equal ratios are equal distances on a log axis.
	pts := pathPoints(t, seriesPaths(d)[0].attr["d"])
	d1, d2 := pts[1].y-pts[0].y, pts[3].y-pts[2].y
	if math.Abs(d1-d2) > 0.2 {
		t.Errorf("decades are %v and %v pixels apart, want equal", d1, d2)
	}
}

func TestLinesScatterAndMarkers(t *testing.T) {
	s := Series{"data", []float64{3, 1, 2, 5, 4}, []float64{1, 2, 3, 4, 5}}
	d := mustSVG(t, Lines("scatter", s).Scatter())
	if n, p := d.count("circle"), len(seriesPaths(d)); n != 5+1 || p != 0 {
		t.Errorf("scatter: %d circles, %d paths; want 5 dots + 1 in the legend, no path", n, p)
	}
	d = mustSVG(t, Lines("path", s).Markers())
	if n, p := d.count("circle"), len(seriesPaths(d)); n != 5+1 || p != 1 {
		t.Errorf("markers: %d circles, %d paths; want 6 and 1", n, p)
	}
	// A single point has no line to show, so it gets a dot.
	one := mustSVG(t, Lines("one", Series{"a", nil, []float64{5}}))
	if n := one.count("circle"); n != 1 {
		t.Errorf("single point: %d circles, want 1", n)
	}
	// A path mode keeps the points in the given order, not sorted by x.
	pts := pathPoints(t, seriesPaths(d)[0].attr["d"])
	if !(pts[0].x > pts[1].x && pts[1].x < pts[2].x) {
		t.Errorf("path points not in the given order: %v", pts)
	}
}

func TestLinesClipsToRange(t *testing.T) {
	s := Series{"acc", nil, []float64{0.5, 1.5, 0.9, -0.5, 0.7}}
	d := mustSVG(t, Lines("acc", s).YRange(0, 1))
	f := frameOf(t, d)
	pts := pathPoints(t, seriesPaths(d)[0].attr["d"])
	for _, p := range pts {
		if p.x < f.x0-0.05 || p.x > f.x1+0.05 || p.y < f.y0-0.05 || p.y > f.y1+0.05 {
			t.Errorf("point %v outside the frame %v", p, f)
		}
	}
	// Leaving and re-entering the range starts a new subpath: 0.5→1.5 leaves at the top, comes
	// back towards 0.9, leaves at the bottom towards -0.5 and comes back towards 0.7.
	if m := regexp.MustCompile("M").FindAllString(seriesPaths(d)[0].attr["d"], -1); len(m) != 3 {
		t.Errorf("%d subpaths, want 3: %s", len(m), seriesPaths(d)[0].attr["d"])
	}
}

func TestClipSegment(t *testing.T) {
	r := rect{0, 0, 10, 10}
	cases := []struct {
		a, b, wantA, wantB pt
		ok                 bool
	}{
		{pt{1, 1}, pt{9, 9}, pt{1, 1}, pt{9, 9}, true},
		{pt{-5, 5}, pt{15, 5}, pt{0, 5}, pt{10, 5}, true},
		{pt{5, -10}, pt{5, 5}, pt{5, 0}, pt{5, 5}, true},
		{pt{-1, -1}, pt{-5, 5}, pt{}, pt{}, false},
		{pt{11, 0}, pt{20, 20}, pt{}, pt{}, false},
	}
	for _, c := range cases {
		a, b, ok := clipSegment(c.a, c.b, r)
		if ok != c.ok || (ok && (a != c.wantA || b != c.wantB)) {
			t.Errorf("clip %v–%v = %v–%v %v, want %v–%v %v", c.a, c.b, a, b, ok, c.wantA, c.wantB, c.ok)
		}
	}
}

func TestTicks(t *testing.T) {
	labels := func(ts []tick) []string {
		var s []string
		for _, t := range ts {
			s = append(s, t.label)
		}
		return s
	}
	cases := []struct {
		name string
		got  []tick
		want []string
	}{
		{"unit", linearTicks(0, 1, 5), []string{"0", "0.2", "0.4", "0.6", "0.8", "1.0"}},
		{"tenths no float noise", linearTicks(0.05, 0.35, 3), []string{"0.1", "0.2", "0.3"}},
		{"negative", linearTicks(-2.2, 2.2, 4), []string{"-2", "-1", "0", "1", "2"}},
		{"epochs", linearTicks(1, 10, 5), []string{"2", "4", "6", "8", "10"}},
		{"large", linearTicks(0, 60000, 3), []string{"0", "20000", "40000", "60000"}},
		{"tiny", linearTicks(0, 3e-5, 3), []string{"0", "1e-5", "2e-5", "3e-5"}},
		{"log decades", logTicks(1e-3, 1, 6), []string{"0.001", "0.01", "0.1", "1"}},
		{"log under a decade", logTicks(0.3, 2.1, 6), []string{"0.5", "1", "2"}},
		{"log narrow", logTicks(2.5, 4.5, 6), []string{"3", "4"}},
		{"log many decades", logTicks(1e-9, 1e3, 4), []string{"1e-9", "1e-6", "0.001", "1", "1000"}},
	}
	for _, c := range cases {
		if got := labels(c.got); !equalStrings(got, c.want) {
			t.Errorf("%s: ticks %q, want %q", c.name, got, c.want)
		}
	}
	values := map[float64]string{3: "3", -12: "-12", 0.5: "0.5", 0.123456: "0.123", -0.25: "-0.25", 12.345: "12.3", 1.5e-5: "1.5e-5", 2.5e8: "2.5e8"}
	for v, want := range values {
		if got := formatValue(v); got != want {
			t.Errorf("formatValue(%v) = %q, want %q", v, got, want)
		}
	}
}
