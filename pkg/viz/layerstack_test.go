package viz

import (
	"strings"
	"testing"
)

func TestLayerStack(t *testing.T) {
	svg, err := LayerStack("net",
		Block{Name: "input", Shape: "1×32×32×1"},
		Block{Name: "conv 6@5×5", Shape: "1×28×28×6", Params: 156},
		Block{Name: "dense 10", Shape: "1×10", Params: 61550},
	).SVG()
	if err != nil {
		t.Fatal(err)
	}
	d := parseSVG(t, svg)
	if got := len(d.byClass["layer"]); got != 3 {
		t.Errorf("%d layer boxes, want 3", got)
	}
	if got := len(d.byClass["arrow"]); got != 2*2 { // a line and a head between each pair
		t.Errorf("%d arrow elements, want 4", got)
	}
	var names, params []string
	for _, e := range d.byClass["layer-name"] {
		names = append(names, e.text)
	}
	for _, e := range d.byClass["layer-params"] {
		params = append(params, e.text)
	}
	if strings.Join(names, "|") != "input|conv 6@5×5|dense 10" {
		t.Errorf("layer names %q", names)
	}
	if strings.Join(params, "|") != "156|61,550" {
		t.Errorf("parameter labels %q: the input has none, the others with commas", params)
	}
	if tot := d.byClass["total"]; len(tot) != 1 || tot[0].text != "61,706 parameters" {
		t.Errorf("total %v, want one \"61,706 parameters\"", tot)
	}
}

func TestLayerStackErrors(t *testing.T) {
	for _, tc := range []struct {
		name   string
		blocks []Block
		want   string
	}{
		{"empty", nil, "no layers"},
		{"unnamed", []Block{{Shape: "1×10"}}, "layer 0: want a name"},
		{"negative", []Block{{Name: "a"}, {Name: "b", Params: -1}}, "layer 1: want a name and parameters ≥ 0"},
	} {
		_, err := LayerStack("x", tc.blocks...).SVG()
		if err == nil || !strings.HasPrefix(err.Error(), `viz: LayerStack("x"): `) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want viz: LayerStack(\"x\"): …%s", tc.name, err, tc.want)
		}
	}
}

func TestThousands(t *testing.T) {
	for n, want := range map[int]string{0: "0", 156: "156", 1000: "1,000", 44426: "44,426", 1234567: "1,234,567", -61706: "-61,706"} {
		if got := thousands(n); got != want {
			t.Errorf("thousands(%d) = %q, want %q", n, got, want)
		}
	}
}
