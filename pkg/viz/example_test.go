package viz_test

import (
	"fmt"
	"strings"

	"github.com/godl-book/godl/pkg/viz"
)

// Chapter 04's loss curves: one Series per curve, with keyed fields; a nil X numbers the
// points 1, 2, …, the epochs. In a notebook the cell ends in Display instead of SVG.
func ExampleLines() {
	train := viz.Series{Name: "train", Y: []float64{2.30, 0.92, 0.61, 0.48}}
	test := viz.Series{Name: "test", Y: []float64{2.25, 1.04, 0.83, 0.80}}
	svg, err := viz.Lines("loss", train, test).XLabel("epoch").LogY().SVG()
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(strings.HasPrefix(svg, "<svg"), strings.Count(svg, `class="series"`), "curves")

	// Bad input is an error when the figure is drawn, never a panic.
	short := viz.Series{Name: "test", X: []float64{1, 2, 3}, Y: []float64{2.25, 1.04}}
	_, err = viz.Lines("loss", short).SVG()
	fmt.Println(err)
	// Output:
	// true 2 curves
	// viz: Lines("loss"): series "test": 3 x values, 2 y values
}
