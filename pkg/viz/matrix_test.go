package viz

import (
	"image"
	"image/color"
	"math"
	"strings"
	"testing"
)

func TestConfusionCountsCells(t *testing.T) {
	classes := []string{"cat", "dog", "bird"}
	truth := []int{0, 0, 0, 1, 1, 2, 2, 2, 2, 2}
	pred := []int{0, 0, 1, 1, 0, 2, 2, 2, 2, 0}
	d := mustSVG(t, Confusion("pets", classes, truth, pred))
	cells := d.byClass["cell"]
	if len(cells) != 9 {
		t.Fatalf("%d cells, want 3×3", len(cells))
	}
	// Row-major: true class by row, predicted by column.
	want := []string{"2", "1", "0", "1", "1", "0", "1", "0", "4"}
	if got := d.texts("count"); !equalStrings(got, want) {
		t.Errorf("counts = %q, want %q", got, want)
	}
	if got := d.texts("subtitle"); len(got) != 1 || !strings.Contains(got[0], "accuracy 70.00% (7 / 10)") {
		t.Errorf("subtitle = %q", got)
	}
	if got := d.texts("row-label"); !equalStrings(got, classes) {
		t.Errorf("row labels = %q", got)
	}
	if got := d.texts("col-label"); !equalStrings(got, classes) {
		t.Errorf("column labels = %q", got)
	}
	// Colour is the fraction of the row: bird→bird is 4/5, cat→cat 2/3, empty cells white-ish.
	fill := func(i int) string { return cells[i].attr["fill"] }
	if fill(8) != blues.hex(0.8) || fill(0) != blues.hex(2.0/3) || fill(2) != blues.hex(0) {
		t.Errorf("fills %s %s %s, want %s %s %s", fill(8), fill(0), fill(2), blues.hex(0.8), blues.hex(2.0/3), blues.hex(0))
	}
	// Counts on dark cells are white, zeros grey.
	counts := d.byClass["count"]
	if counts[8].attr["fill"] != "white" || counts[2].attr["fill"] != "#aaa" {
		t.Errorf("count colours %s (on 80%%) and %s (zero)", counts[8].attr["fill"], counts[2].attr["fill"])
	}
	if got := d.texts("colorbar-tick"); !equalStrings(got, []string{"0%", "20%", "40%", "60%", "80%", "100%"}) {
		t.Errorf("colour bar ticks = %q", got)
	}
}

func TestConfusionCountsMatchesConfusion(t *testing.T) {
	a, err := Confusion("m", []string{"a", "b"}, []int{0, 1, 1}, []int{1, 1, 0}).SVG()
	if err != nil {
		t.Fatal(err)
	}
	b, err := ConfusionCounts("m", []string{"a", "b"}, [][]int{{0, 1}, {1, 1}}).SVG()
	if err != nil {
		t.Fatal(err)
	}
	if a != b {
		t.Errorf("Confusion and ConfusionCounts of the same counts draw differently")
	}
}

func TestConfusionManyClassesHidesCounts(t *testing.T) {
	n := 40
	classes := make([]string, n)
	var labels []int
	for i := range classes {
		classes[i] = string(rune('A' + i%26))
		labels = append(labels, i)
	}
	d := mustSVG(t, Confusion("big", classes, labels, labels))
	if c, k := len(d.byClass["cell"]), len(d.byClass["count"]); c != n*n || k != 0 {
		t.Errorf("%d cells, %d counts; want %d cells and no counts in cells too small to read", c, k, n*n)
	}
}

func TestHeatmapCells(t *testing.T) {
	d := mustSVG(t, Heatmap("kernel", [][]float32{{0, 1, 2}, {3, 4, 5}, {6, 7, 8}}).Annotate())
	cells := d.byClass["cell"]
	if len(cells) != 9 {
		t.Fatalf("%d cells, want 9", len(cells))
	}
	if cells[0].attr["fill"] != "#440154" || cells[8].attr["fill"] != "#fde725" {
		t.Errorf("min/max fills %s, %s; want viridis ends #440154, #fde725", cells[0].attr["fill"], cells[8].attr["fill"])
	}
	// Row 0 is at the top: cell (0, 2) is right of cell (0, 0), cell (1, 0) below it.
	x := func(i int) float64 { return atof(t, cells[i].attr["x"]) }
	y := func(i int) float64 { return atof(t, cells[i].attr["y"]) }
	if !(x(2) > x(0) && y(2) == y(0) && y(3) > y(0) && x(3) == x(0)) {
		t.Errorf("cells not laid out row-major from the top left")
	}
	if got := d.texts("value"); !equalStrings(got, []string{"0", "1", "2", "3", "4", "5", "6", "7", "8"}) {
		t.Errorf("values = %q", got)
	}
	if n := len(d.byClass["colorbar"]); n != 1 {
		t.Errorf("%d colour bars, want 1", n)
	}
}

func TestHeatmapDiverging(t *testing.T) {
	d := mustSVG(t, HeatmapFlat("w", []float64{-0.5, 0, 0.25, 1}, 2, 2).Diverging().Annotate())
	fills := []string{}
	for _, e := range d.byClass["cell"] {
		fills = append(fills, e.attr["fill"])
	}
	// Symmetric range [-1, 1]: 0 is white, 1 the reddest, -0.5 halfway to the bluest.
	want := []string{diverging.hex(0.25), "#f7f7f7", diverging.hex(0.625), "#b2182b"}
	if !equalStrings(fills, want) {
		t.Errorf("fills %q, want %q", fills, want)
	}
	if got := d.texts("value"); !equalStrings(got, []string{"-0.5", "0", "0.25", "1"}) {
		t.Errorf("values = %q", got)
	}
	ticks := d.texts("colorbar-tick")
	if len(ticks) == 0 || ticks[0] != "-1" || ticks[len(ticks)-1] != "1" {
		t.Errorf("colour bar ticks %q, want -1 … 1", ticks)
	}
}

func TestHeatmapLargeIsAnImage(t *testing.T) {
	data := make([]float64, 100*50)
	for i := range data {
		data[i] = float64(i % 50) // columns: 0 on the left to 49 on the right
	}
	h := HeatmapFlat("feature map", data, 100, 50)
	d := mustSVG(t, h)
	imgs := d.byClass["heatmap-image"]
	if len(imgs) != 1 || len(d.byClass["cell"]) != 0 {
		t.Fatalf("%d images, %d cells; want one embedded image for 5000 values", len(imgs), len(d.byClass["cell"]))
	}
	// 320/100 = 3 pixels a value.
	img := decodeDataURI(t, imgs[0].attr["xlink:href"])
	if got := img.Bounds().Size(); got != (image.Point{150, 300}) {
		t.Errorf("embedded heatmap %v, want 150×300", got)
	}
	raw, err := h.PNG()
	if err != nil {
		t.Fatal(err)
	}
	png := decodePNG(t, raw)
	if got := png.Bounds().Size(); got != (image.Point{150, 300}) {
		t.Errorf("heatmap PNG %v, want 150×300", got)
	}
	checkPixels(t, png, map[image.Point]color.RGBA{
		{0, 0}: rgb(0x440154), {149, 299}: rgb(0xfde725), {2, 150}: rgb(0x440154), {3, 0}: viridis.at(1.0 / 49),
	})
}

func TestBars(t *testing.T) {
	labels := []string{"T-shirt/top", "Trouser", "Pullover"}
	d := mustSVG(t, Bars("accuracy", labels, []float64{0.5, 0.97, 0.25}).YRange(0, 1).YLabel("accuracy"))
	bars := d.byClass["bar"]
	if len(bars) != 3 {
		t.Fatalf("%d bars, want 3", len(bars))
	}
	if got := d.texts("xtick"); !equalStrings(got, labels) {
		t.Errorf("labels = %q", got)
	}
	if got := d.texts("bar-value"); !equalStrings(got, []string{"0.5", "0.97", "0.25"}) {
		t.Errorf("values = %q", got)
	}
	// Heights are proportional to the values on a [0, 1] axis.
	h := func(i int) float64 { return atof(t, bars[i].attr["height"]) }
	f := frameOf(t, d)
	for i, v := range []float64{0.5, 0.97, 0.25} {
		if want := v * (f.y1 - f.y0); math.Abs(h(i)-want) > 0.2 {
			t.Errorf("bar %d height %v, want %v", i, h(i), want)
		}
	}
	// A value at the top of the axis is written inside its bar, in white.
	if fill := d.byClass["bar-value"][1].attr["fill"]; fill != "white" {
		t.Errorf("value 0.97 on a [0, 1] axis drawn in %s, want white inside the bar", fill)
	}
}

func TestBarsNegative(t *testing.T) {
	d := mustSVG(t, Bars("delta", []string{"a", "b"}, []float64{-1, 2}))
	zero := d.byClass["zero"]
	if len(zero) != 1 {
		t.Fatalf("%d zero lines, want 1", len(zero))
	}
	z := atof(t, zero[0].attr["y1"])
	bars := d.byClass["bar"]
	if top := atof(t, bars[0].attr["y"]); math.Abs(top-z) > 0.1 {
		t.Errorf("negative bar starts at %v, want at zero %v", top, z)
	}
	if bottom := atof(t, bars[1].attr["y"]) + atof(t, bars[1].attr["height"]); math.Abs(bottom-z) > 0.1 {
		t.Errorf("positive bar ends at %v, want at zero %v", bottom, z)
	}
}

func TestRow(t *testing.T) {
	a := Heatmap("input", [][]int{{0, 1}, {2, 3}}).Annotate()
	b := Lines("loss", Series{"train", nil, []float64{2, 1}}).Size(300, 200)
	ca, _ := a.render()
	cb, _ := b.render()
	d := mustSVG(t, Row(a, b))
	if d.w != ca.w+cb.w || d.h != max(ca.h, cb.h) {
		t.Errorf("row %v×%v, want %v×%v", d.w, d.h, ca.w+cb.w, max(ca.h, cb.h))
	}
	panels := d.byClass["panel"]
	if len(panels) != 2 || panels[1].attr["transform"] != "translate("+num(ca.w)+" 0)" {
		t.Errorf("panels %d, second at %q", len(panels), panels[1].attr["transform"])
	}
	if got := d.texts("title"); !equalStrings(got, []string{"input", "loss"}) {
		t.Errorf("titles = %q", got)
	}
	// Rows nest.
	d = mustSVG(t, Row(Row(a, a), b))
	if n := len(d.byClass["cell"]); n != 8 {
		t.Errorf("nested row: %d cells, want 8", n)
	}
}
