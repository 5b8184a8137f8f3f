package viz

import (
	"slices"
	"strings"
	"testing"
)

// y = x² + 3x: the squaring and the scaling read x, the sum reads both.
var quadratic = []DAGNode{
	{Label: "x", Role: Input},
	{Label: "Mul", Inputs: []int{0, 0}},
	{Label: "3", Role: Input},
	{Label: "Mul", Inputs: []int{0, 2}},
	{Label: "Add", Role: Output, Inputs: []int{1, 3}},
}

func TestDAGRowsFollowDepth(t *testing.T) {
	rows, err := DAG("y", quadratic...).rows()
	if err != nil {
		t.Fatal(err)
	}
	want := [][]int{{0, 2}, {1, 3}, {4}}
	if len(rows) != len(want) {
		t.Fatalf("rows %v, want %v", rows, want)
	}
	for r := range want {
		if !slices.Equal(rows[r], want[r]) {
			t.Errorf("row %d = %v, want %v", r, rows[r], want[r])
		}
	}
}

func TestDAGDrawsEveryNodeAndEdge(t *testing.T) {
	svg, err := DAG("y = x² + 3x", quadratic...).SVG()
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Count(svg, `class="node"`); got != 5 {
		t.Errorf("%d node boxes, want 5", got)
	}
	// Six edges (x feeds the square twice), each a line and an arrow head.
	if got := strings.Count(svg, `<line class="edge"`); got != 6 {
		t.Errorf("%d edges, want 6", got)
	}
	for _, legend := range []string{">input<", ">forward<", ">output<"} {
		if !strings.Contains(svg, legend) {
			t.Errorf("legend %s missing", legend)
		}
	}
	if strings.Contains(svg, ">backward<") {
		t.Error("legend names a role no node has")
	}
	if d := parseSVG(t, svg); d.w <= 0 || d.h <= 0 { // well-formed XML, with a size
		t.Errorf("size %v×%v", d.w, d.h)
	}
}

func TestDAGBadInput(t *testing.T) {
	for _, tc := range []struct {
		nodes []DAGNode
		want  string
	}{
		{nil, `viz: DAG("g"): no nodes`},
		{[]DAGNode{{Label: "x"}, {Label: "y", Inputs: []int{1}}}, `node 1 ("y"): input 1 is not an earlier node`},
		{[]DAGNode{{Label: ""}}, "node 0 has no label"},
		{[]DAGNode{{Label: "x", Role: 9}}, `node 0 ("x"): unknown role 9`},
	} {
		_, err := DAG("g", tc.nodes...).SVG()
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("error %v, want one containing %q", err, tc.want)
		}
	}
}
