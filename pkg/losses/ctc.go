package losses

import (
	"math"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive
	"github.com/gomlx/gomlx/pkg/core/shapes"
)

// CTCLoss is the builder that CTC returns.
type CTCLoss struct {
	base
	logProbs, targets, inputLengths, targetLengths *Node
	blank                                          int
	zeroInfinity                                   bool
}

// CTC is torch's ctc_loss, connectionist temporal classification (Graves et al. 2006): the
// negative log-probability of a label sequence summed over every alignment of it to the
// input frames, where an alignment may repeat labels and put the blank between them. It
// trains sequence readers without frame-level labels — chapter 30's license-plate reader.
//
// logProbs is [T, N, C], log-probabilities over C classes (a LogSoftmax over axis 2) for T
// frames of N sequences; targets is [N, S], each row's labels padded to S (torch's padded
// form; the concatenated 1-D form is not supported); inputLengths and targetLengths are [N]
// integers. ℓ is computed by the forward algorithm in log space, with a stable log-sum-exp
// and a finite stand-in for log 0, and its gradient by autodiff. A label outside [0, C)
// within a target's length makes its loss NaN (torch refuses it; labels are known only when
// the graph runs). With the default Mean
// each sequence's loss is divided by its target length (at least 1) and the results averaged,
// as torch does. An impossible alignment (a target too long for its input) gives +Inf, or 0
// with ZeroInfinity(true).
//
// The gradient with respect to logProbs is the exact one; torch's differs from it by
// exp(logProbs), which sums to 1 over each frame's classes and so cancels through the
// LogSoftmax that produces logProbs: gradients with respect to the logits agree.
// Chapter 06 ("06-losses").
func CTC(logProbs, targets, inputLengths, targetLengths *Node) *CTCLoss {
	return &CTCLoss{base: base{name: "CTC"}, logProbs: logProbs, targets: targets,
		inputLengths: inputLengths, targetLengths: targetLengths}
}

// Reduction sets how the per-sequence losses combine: Mean (the default, over sequences,
// each divided by its target length), Sum, or None ([N] losses).
func (l *CTCLoss) Reduction(r Reduction) *CTCLoss { l.setReduction(r); return l }

// Blank sets the class index of the blank (default 0); it must be in [0, C).
func (l *CTCLoss) Blank(blank int) *CTCLoss { l.blank = blank; return l }

// ZeroInfinity makes infinite losses, and their gradients, zero (default false).
func (l *CTCLoss) ZeroInfinity(z bool) *CTCLoss { l.zeroInfinity = z; return l }

// Validate reports what Done would panic with: logProbs must be Float32 or Float64 [T, N, C], targets
// integers [N, S], the lengths integers [N], and the blank a class.
func (l *CTCLoss) Validate() error {
	return l.check(false, l.isFloat("logProbs", l.logProbs), l.isInt("targets", l.targets),
		l.isInt("inputLengths", l.inputLengths), l.isInt("targetLengths", l.targetLengths),
		l.rankIn("logProbs", l.logProbs, -1, 3), l.rankIn("targets", l.targets, -1, 2),
		l.rankIn("inputLengths", l.inputLengths, -1, 1), l.rankIn("targetLengths", l.targetLengths, -1, 1),
		func() error {
			n, c := dims(l.logProbs)[1], dims(l.logProbs)[2]
			for _, in := range []struct {
				what string
				x    *Node
			}{{"targets", l.targets}, {"inputLengths", l.inputLengths}, {"targetLengths", l.targetLengths}} {
				if dims(in.x)[0] != n {
					return l.errorf("%s shape %s does not fit logProbs shape %s: want %d sequences on axis 0",
						in.what, in.x.Shape(), l.logProbs.Shape(), n)
				}
			}
			if dt := l.logProbs.DType(); dt != dtypes.Float32 && dt != dtypes.Float64 {
				return l.errorf("logProbs has dtype %s, want Float32 or Float64", dt)
			}
			if l.blank < 0 || l.blank >= c {
				return l.errorf("blank = %d, want a class in [0, %d)", l.blank, c)
			}
			return nil
		})
}

// Done builds the loss.
func (l *CTCLoss) Done() *Node {
	must(l.Validate())
	lp := l.logProbs
	g, dtype := lp.Graph(), lp.DType()
	numFrames, n, numClasses := dims(lp)[0], dims(lp)[1], dims(lp)[2]
	s := dims(l.targets)[1]
	extLen := 2*s + 1 // blank, t₁, blank, t₂, …, blank
	targets := ConvertDType(l.targets, dtypes.Int32)
	inputLengths := ConvertDType(l.inputLengths, dtypes.Int32)
	targetLengths := ConvertDType(l.targetLengths, dtypes.Int32)

	// ext[n, k]: the extended label sequence, [N, 2S+1].
	blanks := Scalar(g, dtypes.Int32, l.blank)
	blankCols := BroadcastToDims(blanks, n, s, 1)
	ext := Reshape(Concatenate([]*Node{blankCols, InsertAxes(targets, -1)}, 2), n, 2*s)
	ext = Concatenate([]*Node{ext, BroadcastToDims(blanks, n, 1)}, 1)

	// emit[t, n, k] = logProbs[t, n, ext[n, k]], picked with a mask, and no lower than floor.
	floor := Scalar(g, dtype, ctcFloor)
	classes := Iota(g, shapes.Make(dtypes.Int32, n, extLen, numClasses), 2)
	mask := Equal(classes, BroadcastToDims(InsertAxes(ext, -1), n, extLen, numClasses))
	mask = BroadcastToDims(InsertAxes(mask, 0), numFrames, n, extLen, numClasses)
	lpExt := BroadcastToDims(InsertAxes(lp, 2), numFrames, n, extLen, numClasses)
	emit := Max(ReduceSum(Where(mask, lpExt, ZerosLike(lpExt)), 3), floor)

	// A label may follow the one two back when it is no blank and differs from it.
	firstTwo := BroadcastToDims(blanks, n, 2)
	prev2 := Concatenate([]*Node{firstTwo, Slice(ext, AxisRange(), AxisRange(0, extLen-2))}, 1)
	skip := LogicalAnd(NotEqual(ext, BroadcastToDims(blanks, n, extLen)), NotEqual(ext, prev2))

	negInf := BroadcastToDims(floor, n, extLen)
	k := Iota(g, shapes.Make(dtypes.Int32, n, extLen), 1)
	start := LessThan(k, BroadcastToDims(Scalar(g, dtypes.Int32, 2), n, extLen))
	// Slices and shifts are masked sums and maxima: exact, and differentiable
	// on every backend (the gradient of Slice needs Pad, which pure Go lacks).
	frame := Iota(g, shapes.Make(dtypes.Int32, numFrames, n, extLen), 0)
	emitAt := func(t int) *Node {
		at := Equal(frame, BroadcastToDims(Scalar(g, dtypes.Int32, t), dims(frame)...))
		return ReduceSum(Where(at, emit, ZerosLike(emit)), 0)
	}
	shift1, shift2 := shiftMatrix(g, extLen, 1), shiftMatrix(g, extLen, 2)
	alpha := Where(start, emitAt(0), negInf)
	for t := 1; t < numFrames; t++ {
		from1 := shiftRight(alpha, shift1)
		from2 := Where(skip, shiftRight(alpha, shift2), negInf)
		next := Add(logSumExp3(alpha, from1, from2), emitAt(t))
		running := BroadcastToDims(InsertAxes(GreaterThan(inputLengths, Scalar(g, dtypes.Int32, t)), -1), n, extLen)
		alpha = Where(running, next, alpha)
	}

	// The sequence ends on its last label or the blank after it: k = 2·len and 2·len − 1.
	last := BroadcastToDims(InsertAxes(MulScalar(targetLengths, 2), -1), n, extLen)
	end := LogicalOr(Equal(k, last), Equal(k, Sub(last, OnesLike(last))))
	nll := Neg(logSumExp(Where(end, alpha, negInf), 1))
	infinity := ZerosLike(nll)
	if !l.zeroInfinity {
		infinity = BroadcastToDims(Scalar(g, dtype, math.Inf(1)), n)
	}
	nll = Where(GreaterThan(nll, Scalar(g, dtype, -ctcFloor/2)), infinity, nll)
	beyond := GreaterThan(k, last)
	badLabel := LogicalAnd(LogicalNot(inRange(ext, numClasses)), LogicalNot(beyond))
	nll = Where(ReduceLogicalOr(badLabel, 1), BroadcastToDims(nan(nll), n), nll)
	switch l.reduction {
	case None:
		return nll
	case Sum:
		return ReduceAllSum(nll)
	}
	lengths := ConvertDType(Max(targetLengths, OnesLike(targetLengths)), dtype)
	return ReduceAllMean(Div(nll, lengths))
}

// ctcFloor stands for log 0 in the forward algorithm: finite, so that no gradient meets
// −Inf − (−Inf) or 0·Inf, and so small that e^floor is 0 and a path through it adds nothing.
// A loss beyond −floor/2 can come only from such a path: it is +Inf, the impossible alignment.
const ctcFloor = -1e30

// shiftMatrix is the [K, K] boolean that moves a row right by k: true at (j − k, j).
func shiftMatrix(g *Graph, size, k int) *Node {
	row := Iota(g, shapes.Make(dtypes.Int32, size, size), 0)
	col := Iota(g, shapes.Make(dtypes.Int32, size, size), 1)
	return Equal(AddScalar(row, float64(k)), col)
}

// shiftRight moves x [N, K] right along axis 1 by shift's k (from shiftMatrix), filling with
// the floor: each column takes the maximum of the one entry the shift selects, or of none.
func shiftRight(x, shift *Node) *Node {
	n, k := dims(x)[0], dims(x)[1]
	spread := BroadcastToDims(InsertAxes(x, -1), n, k, k)
	floor := BroadcastToDims(Scalar(x.Graph(), x.DType(), ctcFloor), n, k, k)
	return ReduceMax(Where(BroadcastToDims(InsertAxes(shift, 0), n, k, k), spread, floor), 1)
}

// logSumExp3 is log(eᵃ + eᵇ + eᶜ), elementwise.
func logSumExp3(a, b, c *Node) *Node { return logSumExp(Stack([]*Node{a, b, c}, 0), 0) }

// logSumExp reduces axis as log Σ eˣ, around the (gradient-free) maximum.
func logSumExp(x *Node, axis int) *Node {
	m := StopGradient(ReduceAndKeep(x, ReduceMax, axis))
	return Add(Log(ReduceSum(Exp(Sub(x, m)), axis)), Squeeze(m, axis))
}
