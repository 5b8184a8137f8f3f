package detection

import (
	"math"
	"testing"

	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive

	"github.com/godl-book/godl/internal/testbackend"
)

// The graph forms equal the host forms (themselves checked against torchvision) to float64
// rounding, and to float32 rounding in float32.
func TestGraphFormsEqualHost(t *testing.T) {
	b := testbackend.Get(t)
	g := loadGolden(t)
	a, bb := boxes(g.Boxes.A), boxes(g.Boxes.B)
	gt, anchors := boxes(g.Coder.GT), boxes(g.Coder.Anchors)
	c := DefaultCoder()
	for _, tc := range []struct {
		name string
		tol  float64
		conv func([][]float64) any
	}{
		{"float64", 1e-12, func(m [][]float64) any { return m }},
		{"float32", 1e-5, func(m [][]float64) any { return to32(m) }},
	} {
		ious := MustExecOnce(b, IoUGraph, tc.conv(g.Boxes.A), tc.conv(g.Boxes.B))
		checkMatrix(t, tc.name+" IoUGraph", from(ious.Value()), IoUMatrix(a, bb), tc.tol)
		enc := MustExecOnce(b, c.EncodeGraph, tc.conv(g.Coder.GT), tc.conv(g.Coder.Anchors))
		dec := MustExecOnce(b, c.DecodeGraph, tc.conv(g.Coder.Codes), tc.conv(g.Coder.Anchors))
		var wantEnc, wantDec [][]float64
		for i := range gt {
			e, _ := c.Encode(gt[i], anchors[i])
			d := c.Decode([4]float64(g.Coder.Codes[i]), anchors[i])
			wantEnc, wantDec = append(wantEnc, e[:]), append(wantDec, []float64{d.X1, d.Y1, d.X2, d.Y2})
		}
		checkMatrix(t, tc.name+" EncodeGraph", from(enc.Value()), wantEnc, tc.tol)
		// Decoded corners reach e^{log(1000/16)}·width: compare relative to the box's size.
		checkMatrix(t, tc.name+" DecodeGraph", from(dec.Value()), wantDec, tc.tol*10)
	}
	// An empty union gives 0, not NaN.
	zero := MustExecOnce(b, IoUGraph, [][]float64{{1, 1, 1, 1}}, [][]float64{{1, 1, 1, 1}})
	if v := zero.Value().([][]float64)[0][0]; v != 0 || math.IsNaN(v) {
		t.Errorf("IoUGraph of two empty boxes = %v, want 0", v)
	}
}

func to32(m [][]float64) [][]float32 {
	out := make([][]float32, len(m))
	for i, r := range m {
		out[i] = make([]float32, len(r))
		for j, v := range r {
			out[i][j] = float32(v)
		}
	}
	return out
}

func from(v any) [][]float64 {
	switch v := v.(type) {
	case [][]float64:
		return v
	case [][]float32:
		out := make([][]float64, len(v))
		for i, r := range v {
			out[i] = make([]float64, len(r))
			for j, x := range r {
				out[i][j] = float64(x)
			}
		}
		return out
	}
	return nil
}
