package losses

import (
	"math"
	"testing"

	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
)

// TestStableFarBeyondTheGoldens checks float32 losses at logits of ±1e4, where a naive
// log(1+exp(·)) or softmax overflows: values must be exact and gradients finite.
func TestStableFarBeyondTheGoldens(t *testing.T) {
	x := tensors.FromValue([]float32{1e4, -1e4, 1e4, -1e4})
	y := tensors.FromValue([]float32{0, 1, 1, 0})
	logits := tensors.FromValue([][]float32{{1e4, -1e4, 0}, {-1e4, 1e4, 0}})
	labels := tensors.FromValue([]int32{1, 1})
	got := exec(t, func(in []*Node) []*Node {
		x, y, logits, labels := in[0], in[1], in[2], in[3]
		bce := BinaryCrossEntropyWithLogits(x, y).Reduction(None).Done()
		sm := SoftMargin(x, OneMinus(MulScalar(y, 2))).Reduction(None).Done() // labels ±1
		ce := CrossEntropy(logits, labels).Reduction(None).Done()
		mlsm := MultilabelSoftMargin(x, y).Done()
		grads := Gradient(Add(Add(ReduceAllSum(bce), ReduceAllSum(sm)), mlsm), x)
		grads = append(grads, Gradient(ReduceAllSum(ce), logits)...)
		return append([]*Node{bce, sm, ce, mlsm}, grads...)
	}, x, y, logits, labels)
	wantBCE := []float64{1e4, 1e4, 0, 0}
	for i, w := range wantBCE {
		if math.Abs(got[0][i]-w) > 1e-3 {
			t.Errorf("BinaryCrossEntropyWithLogits[%d] = %g, want %g", i, got[0][i], w)
		}
	}
	// y=0 → target +1, y=1 → target −1: loss softplus(−t·x).
	wantSM := []float64{0, 0, 1e4, 1e4}
	for i, w := range wantSM {
		if math.Abs(got[1][i]-w) > 1e-3 {
			t.Errorf("SoftMargin[%d] = %g, want %g", i, got[1][i], w)
		}
	}
	if math.Abs(got[2][0]-2e4) > 1e-3 || got[2][1] != 0 {
		t.Errorf("CrossEntropy = %v, want [2e4 0]", got[2])
	}
	if math.Abs(got[3][0]-5e3) > 1e-3 {
		t.Errorf("MultilabelSoftMargin = %v, want [5000]", got[3])
	}
	for _, g := range got[4:] {
		for i, v := range g {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				t.Errorf("gradient[%d] = %g, want finite", i, v)
			}
		}
	}
}

// TestSmoothL1BetaZeroAtTheTarget pins the one place godl departs from torch 1.13: with
// beta = 0, SmoothL1 is L1, and its gradient where input equals target is 0, as torch's
// l1_loss gives (torch's smooth_l1_loss kernel gives −1 there, to input and target alike).
func TestSmoothL1BetaZeroAtTheTarget(t *testing.T) {
	x := tensors.FromValue([]float32{0.5, -2, 3})
	y := tensors.FromValue([]float32{0.5, 0, 3})
	got := exec(t, func(in []*Node) []*Node {
		s := SmoothL1(in[0], in[1]).Beta(0).Reduction(Sum).Done()
		l := L1(in[0], in[1]).Reduction(Sum).Done()
		return append(Gradient(s, in[0], in[1]), Gradient(l, in[0])...)
	}, x, y)
	want := [][]float64{{0, -1, 0}, {0, 1, 0}, {0, -1, 0}}
	for i := range want {
		for j := range want[i] {
			if got[i][j] != want[i][j] {
				t.Errorf("gradients = %v, want %v", got, want)
				return
			}
		}
	}
}

// TestBCEOutsideUnitIntervalIsNaN backs BinaryCrossEntropy's doc: probabilities outside [0, 1],
// which torch refuses at run time, give NaN rather than a plausible number.
func TestBCEOutsideUnitIntervalIsNaN(t *testing.T) {
	got := exec(t, func(in []*Node) []*Node {
		return []*Node{BinaryCrossEntropy(in[0], in[1]).Reduction(None).Done()}
	}, []float32{1.5, -0.5, 0.5}, []float32{1, 0, 1})
	if l := got[0]; !math.IsNaN(l[0]) || !math.IsNaN(l[1]) || math.Abs(l[2]-math.Ln2) > 1e-6 {
		t.Errorf("BinaryCrossEntropy([1.5 -0.5 0.5]) = %v, want [NaN NaN ln 2]", l)
	}
}

// TestManyClassesWithByteLabels checks that uint8 labels pick one class among more than 256:
// compared in uint8, class 266 would wrap to 10 and match label 10 as well.
func TestManyClassesWithByteLabels(t *testing.T) {
	const classes = 300
	logits := make([]float32, classes)
	logits[10], logits[266] = 3, -5
	got := exec(t, func(in []*Node) []*Node {
		x := Reshape(in[0], 1, classes)
		return []*Node{
			CrossEntropy(x, in[1]).Done(),
			CrossEntropy(x, ConvertDType(in[1], in[2].DType())).Done(),
		}
	}, logits, []uint8{10}, []int64{0})
	if math.Abs(got[0][0]-got[1][0]) > 1e-5 || got[1][0] > 5 {
		t.Errorf("CrossEntropy with uint8 labels = %v, with int64 labels %v", got[0], got[1])
	}
}
