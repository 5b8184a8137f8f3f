package viz

import (
	"strings"
	"testing"
)

func TestBroadcastAdd(t *testing.T) {
	col := [][]float64{{0}, {10}, {20}}
	row := [][]float64{{1, 2, 3, 4}}
	svg, err := BroadcastAdd(col, row).SVG()
	if err != nil {
		t.Fatal(err)
	}
	d := parseSVG(t, svg)
	// Each operand is drawn at the result's shape [3,4]: its own cells, then the copies.
	for class, want := range map[string]int{"cell-own": 3 + 4, "cell-copy": 9 + 8, "cell-result": 12} {
		if got := len(d.byClass[class]); got != want {
			t.Errorf("%d %s cells, want %d", got, class, want)
		}
	}
	var values []string
	for _, e := range d.byClass["value"] {
		values = append(values, e.text)
	}
	want := "0 0 0 0 10 10 10 10 20 20 20 20 " + // the column, stretched along axis 1
		"1 2 3 4 1 2 3 4 1 2 3 4 " + // the row, stretched along axis 0
		"1 2 3 4 11 12 13 14 21 22 23 24" // the sum
	if got := strings.Join(values, " "); got != want {
		t.Errorf("cell values\n%s\nwant\n%s", got, want)
	}
	var shapes []string
	for _, e := range d.byClass["shape"] {
		shapes = append(shapes, e.text)
	}
	if got := strings.Join(shapes, " "); got != "[3,1] [1,4] [3,4]" {
		t.Errorf("shape labels %q", got)
	}
	if title := d.byClass["title"]; len(title) != 1 || title[0].text != "broadcasting: [3,1] + [1,4] → [3,4]" {
		t.Errorf("title %v", title)
	}
}

func TestBroadcastAddErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		a, b [][]float64
		want string
	}{
		{"empty", nil, [][]float64{{1}}, "a: empty matrix"},
		{"ragged", [][]float64{{1}}, [][]float64{{1, 2}, {3}}, "b: row 1 has 1 values, row 0 has 2"},
		{"mismatch", [][]float64{{1, 2, 3}, {4, 5, 6}}, [][]float64{{1}, {2}, {3}},
			"shapes [2,3] and [3,1] do not broadcast"},
	} {
		_, err := BroadcastAdd(tc.a, tc.b).SVG()
		if err == nil || !strings.HasPrefix(err.Error(), "viz: BroadcastAdd: ") || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want viz: BroadcastAdd: …%s", tc.name, err, tc.want)
		}
	}
}
