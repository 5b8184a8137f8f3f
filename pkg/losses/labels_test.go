package losses

import (
	"math"
	"strings"
	"testing"

	"github.com/godl-book/godl/internal/testbackend"
	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
)

// exec runs fn on args with the test backend and returns each output's values as float64.
func exec(t *testing.T, fn func([]*Node) []*Node, args ...any) [][]float64 {
	t.Helper()
	e, err := NewExec(testbackend.Get(t), fn)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Finalize()
	outs, err := e.Exec(args...)
	if err != nil {
		t.Fatal(err)
	}
	vals := make([][]float64, len(outs))
	for i, o := range outs {
		vals[i] = tensorFloats(o)
	}
	return vals
}

func TestCheckLabels(t *testing.T) {
	tests := []struct {
		labels  *tensors.Tensor
		classes int
		ignore  []int
		want    string // "" for no error
	}{
		{tensors.FromValue([]int32{0, 2, 1}), 3, nil, ""},
		{tensors.FromValue([]int64{0, -100, 2}), 3, []int{DefaultIgnoreIndex}, ""},
		{tensors.FromValue([]uint8{0, 9}), 10, nil, ""},
		{tensors.FromValue([][]int32{{1}, {0}, {3}}), 3, nil, "losses: labels[2 0] = 3, want a class in [0, 3)"},
		{tensors.FromValue([]int64{0, -1, 2}), 3, []int{DefaultIgnoreIndex},
			"losses: labels[1] = -1, want a class in [0, 3) or an ignored label [-100]"},
		{tensors.FromValue([]int64{0, -100}), 3, nil, "labels[1] = -100"},
		{tensors.FromValue([]uint8{0, 10}), 10, nil, "labels[1] = 10"},
		{tensors.FromValue([]float32{0, 1}), 3, nil, "want an integer dtype"},
	}
	for _, tc := range tests {
		err := CheckLabels(tc.labels, tc.classes, tc.ignore...)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("CheckLabels(%v) = %v, want nil", tc.labels, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("CheckLabels(%v) = %v, want an error containing %q", tc.labels, err, tc.want)
		}
	}
}

func TestCheckMultilabelTargets(t *testing.T) {
	ok := tensors.FromValue([][]int64{{3, 0, -1, 7}, {-1, 9, 9, 9}})
	if err := CheckMultilabelTargets(ok, 4); err != nil {
		t.Errorf("CheckMultilabelTargets(%v) = %v, want nil (what follows -1 is not checked)", ok, err)
	}
	bad := tensors.FromValue([][]int64{{3, 0, -1, 7}, {1, 4, -1, 0}})
	err := CheckMultilabelTargets(bad, 4)
	if err == nil || !strings.Contains(err.Error(), "targets[1 1] = 4, want a class in [0, 4)") {
		t.Errorf("CheckMultilabelTargets(%v) = %v, want the error at [1 1]", bad, err)
	}
}

// TestOutOfRangeLabelsGiveNaN checks the run-time side of label checking: a label outside
// [0, C) that isn't ignored makes its own loss NaN (and the mean NaN), and leaves the others.
func TestOutOfRangeLabelsGiveNaN(t *testing.T) {
	x := tensors.FromValue([][]float32{{1, 2, 3}, {0, 1, 0}, {2, 0, 1}})
	labels := tensors.FromValue([]int32{0, 3, -100})
	multi := tensors.FromValue([][]int32{{0, -1, 0}, {2, 5, -1}, {-1, 7, 7}})
	got := exec(t, func(in []*Node) []*Node {
		x, y, ym := in[0], in[1], in[2]
		return []*Node{
			CrossEntropy(x, y).Reduction(None).Done(),
			CrossEntropy(x, y).Done(),
			NLL(x, y).Reduction(None).Done(),
			MultiMargin(x, y).Reduction(None).Done(),
			MultilabelMargin(x, ym).Reduction(None).Done(),
		}
	}, x, labels, multi)
	for name, l := range map[string][]float64{"CrossEntropy": got[0], "NLL": got[2]} {
		if math.IsNaN(l[0]) || !math.IsNaN(l[1]) || l[2] != 0 {
			t.Errorf("%s per example = %v, want [finite NaN 0] for labels [0 3 -100]", name, l)
		}
	}
	if !math.IsNaN(got[1][0]) {
		t.Errorf("CrossEntropy mean = %v, want NaN", got[1][0])
	}
	// MultiMargin has no ignore index: -100 is out of range too.
	if m := got[3]; math.IsNaN(m[0]) || !math.IsNaN(m[1]) || !math.IsNaN(m[2]) {
		t.Errorf("MultiMargin per example = %v, want [finite NaN NaN]", m)
	}
	// MultilabelMargin: 5 is listed before the end mark (NaN); the 7s follow it (ignored).
	if m := got[4]; math.IsNaN(m[0]) || !math.IsNaN(m[1]) || m[2] != 0 {
		t.Errorf("MultilabelMargin per example = %v, want [finite NaN 0]", m)
	}
}

// TestUnsignedLabels checks that uint8 labels work and that the default ignore index -100,
// which no uint8 can hold, ignores nothing.
func TestUnsignedLabels(t *testing.T) {
	x := tensors.FromValue([][]float32{{1, 2, 3}, {0, 1, 0}})
	got := exec(t, func(in []*Node) []*Node {
		return []*Node{
			CrossEntropy(in[0], in[1]).Reduction(None).Done(),
			CrossEntropy(in[0], ConvertDType(in[1], in[2].DType())).Reduction(None).Done(),
		}
	}, x, tensors.FromValue([]uint8{2, 0}), tensors.FromValue([]int32{0}))
	for i := range got[0] {
		if math.Abs(got[0][i]-got[1][i]) > 1e-6 || got[0][i] <= 0 {
			t.Errorf("uint8 labels give %v, int32 labels %v", got[0], got[1])
		}
	}
}
