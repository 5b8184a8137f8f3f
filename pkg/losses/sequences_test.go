package losses_test

import (
	"math"
	"math/rand/v2"
	"testing"

	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"

	"github.com/godl-book/godl/pkg/backend"
	"github.com/godl-book/godl/pkg/book"
	"github.com/godl-book/godl/pkg/losses"
)

// TestCTCAgainstAllAlignments checks CTC against the sum over every path (book's enumeration),
// for targets with repeats, a blank other than 0, an empty target and one that can't fit.
func TestCTCAgainstAllAlignments(t *testing.T) {
	b, err := backend.Default()
	if err != nil {
		t.Fatal(err)
	}
	const numFrames, n, numClasses, blank = 5, 5, 3, 2
	rng := rand.New(rand.NewPCG(1, 2))
	logits := make([][][]float64, numFrames) // [T][N][C]
	for ti := range logits {
		logits[ti] = make([][]float64, n)
		for i := range logits[ti] {
			logits[ti][i] = []float64{rng.NormFloat64(), rng.NormFloat64(), rng.NormFloat64()}
		}
	}
	targets := [][]int32{{0, 1, 0}, {1, 1, 0}, {0, 0, 0}, {1, 0, 1}, {0, 1, 1}}
	targetLengths := []int32{3, 2, 0, 3, 3}
	inputLengths := []int32{5, 4, 5, 5, 3} // the last needs 4 frames for 0 1 blank 1: +Inf
	got, err := ExecOnce(b, func(lg, tg, il, tl *Node) *Node {
		return losses.CTC(LogSoftmax(lg, 2), tg, il, tl).Blank(blank).Reduction(losses.None).Done()
	}, logits, targets, inputLengths, targetLengths)
	if err != nil {
		t.Fatal(err)
	}
	nll := got.Value().([]float64)
	for i := range n {
		frames := make([][]float64, inputLengths[i])
		for ti := range frames {
			row := logits[ti][i]
			lse := math.Log(math.Exp(row[0]) + math.Exp(row[1]) + math.Exp(row[2]))
			frames[ti] = []float64{row[0] - lse, row[1] - lse, row[2] - lse}
		}
		target := make([]int, targetLengths[i])
		for j := range target {
			target[j] = int(targets[i][j])
		}
		want, err := book.CTCByEnumeration(frames, target, blank)
		if err != nil {
			t.Fatal(err)
		}
		finite := !math.IsInf(want, 1)
		if finite == math.IsInf(nll[i], 1) || (finite && math.Abs(nll[i]-want) > 1e-12*want) {
			t.Errorf("sequence %d (target %v, %d frames): CTC = %.15g, all alignments give %.15g",
				i, target, inputLengths[i], nll[i], want)
		}
	}
}

// TestCTCBadLabel checks that a label outside the classes, within the target's length, makes
// that sequence's loss NaN, and a bad label in the padding doesn't.
func TestCTCBadLabel(t *testing.T) {
	b, err := backend.Default()
	if err != nil {
		t.Fatal(err)
	}
	frame := []float32{-1, -1, -1.5}
	logProbs := tensors.FromValue([][][]float32{{frame, frame}, {frame, frame}})
	got, err := ExecOnce(b, func(lp, tg, il, tl *Node) *Node {
		return losses.CTC(lp, tg, il, tl).Reduction(losses.None).Done()
	}, logProbs, [][]int64{{1, 3}, {2, -1}}, []int32{2, 2}, []int32{2, 1})
	if err != nil {
		t.Fatal(err)
	}
	nll := got.Value().([]float32)
	if !math.IsNaN(float64(nll[0])) || math.IsNaN(float64(nll[1])) {
		t.Errorf("CTC = %v, want NaN for target [1 3] of 3 classes, a number for [2] padded with -1", nll)
	}
}

// TestHuberIsDeltaSmoothL1 checks Huber = δ·SmoothL1 with β = δ, values and gradients.
func TestHuberIsDeltaSmoothL1(t *testing.T) {
	b, err := backend.Default()
	if err != nil {
		t.Fatal(err)
	}
	d := []float64{-3, -1.2, -0.5, -0.1, 0, 0.3, 0.9, 2, 4}
	for _, delta := range []float64{0.5, 1, 2} {
		out, err := ExecOnce(b, func(x *Node) *Node {
			y := ZerosLike(x)
			huber := losses.Huber(x, y).Delta(delta).Reduction(losses.None).Done()
			scaled := MulScalar(losses.SmoothL1(x, y).Beta(delta).Reduction(losses.None).Done(), delta)
			grads := Gradient(ReduceAllSum(huber), x)
			return Stack([]*Node{huber, scaled, grads[0], Gradient(ReduceAllSum(scaled), x)[0]}, 0)
		}, d)
		if err != nil {
			t.Fatal(err)
		}
		rows := out.Value().([][]float64) // Huber, δ·SmoothL1, and their gradients
		for k, what := range []string{"value", "gradient"} {
			h, s := rows[2*k], rows[2*k+1]
			for i := range d {
				if math.Abs(h[i]-s[i]) > 1e-15 {
					t.Errorf("δ = %g, d = %g: Huber %s %g, δ·SmoothL1's %g", delta, d[i], what, h[i], s[i])
				}
			}
		}
	}
}
