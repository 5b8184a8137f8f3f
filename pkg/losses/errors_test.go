package losses

import (
	"errors"
	"strings"
	"testing"

	"github.com/godl-book/godl/internal/testbackend"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/core/tensors"
)

// TestValidateErrors builds each loss with inputs or options that don't fit and checks that
// Validate names the loss and the problem, and that Done panics with that same error.
func TestValidateErrors(t *testing.T) {
	b := testbackend.Get(t)
	g := NewGraph(b, "errors")
	f32 := func(d ...int) *Node { return Zeros(g, shapes.Make(dtypes.Float32, d...)) }
	f64 := func(d ...int) *Node { return Zeros(g, shapes.Make(dtypes.Float64, d...)) }
	i64 := func(d ...int) *Node { return Zeros(g, shapes.Make(dtypes.Int64, d...)) }
	tests := []struct {
		name string
		loss Loss
		want string // substring of the message
	}{
		{"L1", L1(f32(2, 3), f32(3, 2)), "target shape (Float32)[3 2] does not match input shape (Float32)[2 3]"},
		{"MSE", MSE(f32(2, 3), f64(2, 3)), "target dtype Float64 does not match input dtype Float32"},
		{"MSE", MSE(i64(2), f32(2)), "input has dtype Int64, want a float dtype"},
		{"MSE", MSE(f32(2), f32(2)).Reduction(BatchMean), "batchmean is for KLDiv only"},
		{"MSE", MSE(f32(2), f32(2)).Reduction(Reduction(7)), "unknown reduction 7"},
		{"SmoothL1", SmoothL1(f32(2), f32(2)).Beta(-1), "beta = -1, want beta ≥ 0"},
		{"PoissonNLL", PoissonNLL(f32(2), nil), "target is nil"},
		{"KLDiv", KLDiv(f32(2, 3), f32(2, 4)), "does not match"},
		{"BinaryCrossEntropy", BinaryCrossEntropy(f32(2, 4), f32(2, 4)).Weight(f32(3)),
			"weight shape (Float32)[3] does not broadcast to input shape (Float32)[2 4]"},
		{"BinaryCrossEntropyWithLogits", BinaryCrossEntropyWithLogits(f32(2, 4), f32(2, 4)).PosWeight(f64(4)),
			"pos_weight dtype Float64 does not match input dtype Float32"},
		{"SoftMargin", SoftMargin(f32(4), i64(5)), "does not match"},
		{"MultilabelSoftMargin", MultilabelSoftMargin(f32(), f32()), "rank 0, want rank at least 1"},
		{"CrossEntropy", CrossEntropy(f32(4, 3), i64(4, 1)),
			"labels shape (Int64)[4 1] does not fit input shape (Float32)[4 3]: want labels of dimensions [4]"},
		{"CrossEntropy", CrossEntropy(f32(4, 3), i64(4, 1)), "drop the last axis"},
		{"CrossEntropy", CrossEntropy(f32(2, 3, 5), i64(2, 3)), "want labels of dimensions [2 5]"},
		{"CrossEntropy", CrossEntropy(f32(4, 3), f32(4, 2)), "target (probabilities) shape (Float32)[4 2] does not match"},
		{"CrossEntropy", CrossEntropy(f32(4, 3), i64(4)).LabelSmoothing(1.5), "label smoothing 1.5, want a value in [0, 1]"},
		{"CrossEntropy", CrossEntropy(f32(4, 3), i64(4)).Weight(f32(4)), "want one weight per class, shape [3]"},
		{"CrossEntropy", CrossEntropy(f32(), i64()), "rank 0, want rank at least 1"},
		{"NLL", NLL(f32(4, 3), f32(4)), "target has dtype Float32, want an integer dtype"},
		{"MultiMargin", MultiMargin(f32(4, 3), i64(4)).P(3), "p = 3, want 1 or 2"},
		{"MultiMargin", MultiMargin(f32(2, 3, 4), i64(2, 4)), "rank 3, want rank [1 2]"},
		{"MultilabelMargin", MultilabelMargin(f32(4, 3), i64(4, 2)), "does not match"},
		{"CosineEmbedding", CosineEmbedding(f32(4, 5), f32(4, 5), i64(3)), "want one target per pair, dimensions [4]"},
		{"CosineEmbedding", CosineEmbedding(f32(4, 5), f32(4, 6), i64(4)), "input2 shape"},
		{"HingeEmbedding", HingeEmbedding(f32(4), f32(5)), "does not match"},
		{"MarginRanking", MarginRanking(f32(4), f32(4), f32(4, 1)), "target shape (Float32)[4 1] does not match"},
		{"TripletMargin", TripletMargin(f32(4, 5), f32(4, 5), f32(4, 5)).P(0), "p = 0, want p > 0"},
		{"TripletMargin", TripletMargin(f32(4, 5), f32(4, 5), f32(3, 5)), "negative shape"},
		{"Huber", Huber(f32(2), f32(2)).Delta(0), "delta = 0, want delta > 0"},
		{"GaussianNLL", GaussianNLL(f32(4, 3), f32(4, 3), f32(3)),
			"variance shape (Float32)[3] does not fit input shape (Float32)[4 3]"},
		{"GaussianNLL", GaussianNLL(f32(4, 3), f32(4, 3), f64(4)), "variance dtype Float64 does not match"},
		{"GaussianNLL", GaussianNLL(f32(4), f32(4), f32(4)).Eps(0), "eps = 0, want eps > 0"},
		{"TripletMarginWithDistance", TripletMarginWithDistance(f32(4, 5), f32(4, 5), f32(4, 5)).Margin(-1),
			"margin = -1, want margin ≥ 0"},
		{"CTC", CTC(f32(6, 2, 4), i64(2, 3), i64(2), i64(2)).Blank(4), "blank = 4, want a class in [0, 4)"},
		{"CTC", CTC(f32(6, 2, 4), i64(3, 3), i64(2), i64(2)), "targets shape (Int64)[3 3] does not fit"},
		{"CTC", CTC(f32(6, 4), i64(2, 3), i64(2), i64(2)), "logProbs shape (Float32)[6 4] has rank 2, want rank [3]"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.loss.Validate()
			var lerr *Error
			if !errors.As(err, &lerr) {
				t.Fatalf("Validate() = %v, want an *Error", err)
			}
			if lerr.Loss != tc.name || !strings.HasPrefix(err.Error(), "losses: "+tc.name+": ") {
				t.Errorf("error %q names loss %q, want %q", err, lerr.Loss, tc.name)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q, want it to contain %q", err, tc.want)
			}
			panicked := func() (p any) {
				defer func() { p = recover() }()
				tc.loss.Done()
				return nil
			}()
			if perr, ok := panicked.(error); !ok || perr.Error() != err.Error() {
				t.Errorf("Done() panicked with %v, want Validate's error %v", panicked, err)
			}
		})
	}
}

// TestValidInputsValidate checks that Validate accepts every loss with torch's shapes; the
// goldens check the values.
func TestValidInputsValidate(t *testing.T) {
	g := NewGraph(testbackend.Get(t), "valid")
	f32 := func(d ...int) *Node { return Zeros(g, shapes.Make(dtypes.Float32, d...)) }
	i32 := func(d ...int) *Node { return Zeros(g, shapes.Make(dtypes.Int32, d...)) }
	u8 := func(d ...int) *Node { return Zeros(g, shapes.Make(dtypes.Uint8, d...)) }
	for i, l := range []Loss{
		L1(f32(2, 3), f32(2, 3)), MSE(f32(), f32()), SmoothL1(f32(4), f32(4)).Beta(0),
		PoissonNLL(f32(4), f32(4)), KLDiv(f32(4, 3), f32(4, 3)).Reduction(BatchMean),
		BinaryCrossEntropy(f32(2, 4), f32(2, 4)).Weight(f32(2, 1)),
		BinaryCrossEntropyWithLogits(f32(2, 4), f32(2, 4)).Weight(f32()).PosWeight(f32(4)),
		SoftMargin(f32(4), i32(4)), MultilabelSoftMargin(f32(3), f32(3)),
		CrossEntropy(f32(4, 3), i32(4)), CrossEntropy(f32(4, 3), u8(4)), CrossEntropy(f32(4, 3, 2), f32(4, 3, 2)),
		NLL(f32(3), i32()), MultiMargin(f32(3), i32()).P(2),
		MultilabelMargin(f32(2, 3), i32(2, 3)), CosineEmbedding(f32(5), f32(5), f32()),
		HingeEmbedding(f32(2, 2), i32(2, 2)), MarginRanking(f32(3), f32(3), i32(3)),
		TripletMargin(f32(6), f32(6), f32(6)).P(1.5).Swap(true),
	} {
		if err := l.Validate(); err != nil {
			t.Errorf("#%d: Validate() = %v, want nil", i, err)
		}
	}
}

// TestExecReturnsTheError checks the error path a caller sees: GoMLX's Exec catches Done's
// panic and returns the *Error.
func TestExecReturnsTheError(t *testing.T) {
	b := testbackend.Get(t)
	logits := tensors.FromValue([][]float32{{1, 2, 3}, {1, 2, 3}})
	labels := tensors.FromValue([][]int32{{0}, {2}})
	_, err := ExecOnce(b, func(x, y *Node) *Node { return CrossEntropy(x, y).Done() }, logits, labels)
	var lerr *Error
	if !errors.As(err, &lerr) || lerr.Loss != "CrossEntropy" || !strings.Contains(err.Error(), "want labels of dimensions [2]") {
		t.Fatalf("ExecOnce error = %v, want the CrossEntropy shape error", err)
	}
}

func TestReductionNames(t *testing.T) {
	for _, r := range []Reduction{Mean, Sum, None, BatchMean} {
		got, err := ParseReduction(r.String())
		if err != nil || got != r {
			t.Errorf("ParseReduction(%q) = %v, %v; want %v", r.String(), got, err, r)
		}
	}
	if _, err := ParseReduction("average"); err == nil || !strings.Contains(err.Error(), `unknown reduction "average"`) {
		t.Errorf("ParseReduction(\"average\") error = %v", err)
	}
	if Reduction(0) != Mean {
		t.Errorf("the zero Reduction is %v, want mean (torch's default)", Reduction(0))
	}
}
