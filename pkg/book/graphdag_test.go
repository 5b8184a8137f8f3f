package book

import (
	"strings"
	"testing"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive
	"github.com/gomlx/gomlx/pkg/core/shapes"

	"github.com/godl-book/godl/pkg/backend"
)

func TestGraphDAGOfAGradient(t *testing.T) {
	b, err := backend.Default()
	if err != nil {
		t.Fatal(err)
	}
	g := NewGraph(b, "quadratic")
	x := Parameter(g, "x", shapes.Make(dtypes.Float64))
	y := Add(Square(x), MulScalar(x, 3))
	dy := Gradient(y, x)[0]
	fig, err := GraphDAG("y = x² + 3x", y, y, dy)
	if err != nil {
		t.Fatal(err)
	}
	svg, err := fig.SVG()
	if err != nil {
		t.Fatal(err)
	}
	// x, 3, x·x, 3x and y; the seed 1, its broadcast, three products and two sums of the
	// backward pass, the last one dy/dx.
	if got := strings.Count(svg, `class="node"`); got != 12 {
		t.Errorf("%d nodes drawn, want 12", got)
	}
	for _, want := range []string{">x<", ">3<", ">Add<", ">input<", ">forward<", ">backward<", ">output<"} {
		if !strings.Contains(svg, want) {
			t.Errorf("SVG lacks %s", want)
		}
	}
}

func TestGraphDAGBadInput(t *testing.T) {
	if _, err := GraphDAG("empty", nil); err == nil || !strings.HasPrefix(err.Error(), "book: GraphDAG") {
		t.Errorf("error %v, want one starting with book: GraphDAG", err)
	}
}
