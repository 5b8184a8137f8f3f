// Package losses holds the 21 losses of torch.nn.functional (PyTorch 1.13) as GoMLX graph
// functions, with PyTorch's semantics and checked against PyTorch's own values. Chapter 06
// ("06-losses") teaches them.
//
// Every loss is a builder, in the shape of GoMLX's layers: the constructor takes the nodes,
// methods set the options torch has, and Done builds the graph:
//
//	loss := losses.CrossEntropy(logits, labels).LabelSmoothing(0.1).Done()
//	loss := losses.MSE(pred, target).Reduction(losses.Sum).Done()
//
// Names follow PyTorch so its documentation reads across: each constructor is named for the
// torch.nn.functional function (cross_entropy → CrossEntropy, nll_loss → NLL) and returns the
// builder named for the torch.nn module (*CrossEntropyLoss, *NLLLoss). Layouts follow PyTorch
// too: class scores sit on axis 1, (N, C, d1, ...), or on axis 0 for a single example (C).
// Options default to torch's defaults, and the reduction defaults to Mean.
//
// # Errors
//
// GoMLX builds graphs by panicking on error, and Done does the same: it panics with an *Error
// that names the loss and what is wrong (shapes that don't fit, a dtype that isn't allowed, an
// option out of range). Validate returns that same error without building anything, for code
// that wants to check first; and GoMLX's Exec, ExecOnce and the trainer catch the panic and
// return it as their error.
//
// Label values are known only when the graph runs, so no graph can refuse them the way torch
// does. Instead a class label out of range (and not ignored) makes its loss NaN, so it cannot
// pass unnoticed; CheckLabels finds it on the host, with a message, before a batch is fed.
//
// # Training
//
// ForTrainer and ForTrainerFunc turn a loss into the train.LossFn that GoMLX's
// train.NewTrainer takes.
package losses

import (
	"fmt"
	"math"
	"slices"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // formulas read like math, as in GoMLX
	"github.com/gomlx/gomlx/pkg/core/shapes"
)

// Reduction says how a loss turns per-element losses into its result, as torch's reduction
// argument does. The zero value is Mean, torch's default.
type Reduction int

const (
	// Mean averages the per-element losses (for NLL and CrossEntropy with weights: the weighted
	// mean, sum(w·l)/sum(w) over the labels not ignored).
	Mean Reduction = iota
	// Sum adds the per-element losses.
	Sum
	// None returns the per-element losses.
	None
	// BatchMean adds the losses and divides by the batch size (the size of axis 0); KLDiv only,
	// where it is the mathematical definition of the divergence.
	BatchMean
)

// String returns torch's name for r: "mean", "sum", "none" or "batchmean".
func (r Reduction) String() string {
	switch r {
	case Mean:
		return "mean"
	case Sum:
		return "sum"
	case None:
		return "none"
	case BatchMean:
		return "batchmean"
	}
	return fmt.Sprintf("Reduction(%d)", int(r))
}

// ParseReduction returns the Reduction with torch's name s.
func ParseReduction(s string) (Reduction, error) {
	for _, r := range []Reduction{Mean, Sum, None, BatchMean} {
		if r.String() == s {
			return r, nil
		}
	}
	return Mean, fmt.Errorf("losses: unknown reduction %q, want \"mean\", \"sum\", \"none\" or \"batchmean\"", s)
}

// Error is what Validate returns and Done panics with: which loss, and what is wrong.
type Error struct {
	Loss string // the constructor's name, e.g. "CrossEntropy"
	Msg  string
}

func (e *Error) Error() string { return "losses: " + e.Loss + ": " + e.Msg }

// Loss is what every builder in this package is: Validate checks the inputs and options, Done
// builds the loss (and panics with Validate's error if there is one).
type Loss interface {
	Validate() error
	Done() *Node
}

// base holds what every builder shares: its name, the reduction and the first bad option.
type base struct {
	name      string
	reduction Reduction
	optErr    error
}

func (b *base) errorf(format string, args ...any) *Error {
	return &Error{Loss: b.name, Msg: fmt.Sprintf(format, args...)}
}

// badOption records the first invalid option; Validate reports it.
func (b *base) badOption(format string, args ...any) {
	if b.optErr == nil {
		b.optErr = b.errorf(format, args...)
	}
}

func (b *base) setReduction(r Reduction) {
	if r < Mean || r > BatchMean {
		b.badOption("unknown reduction %d", int(r))
	}
	b.reduction = r
}

// check returns the first option error, then the first input error found by the checks.
func (b *base) check(allowBatchMean bool, checks ...func() error) error {
	if b.optErr != nil {
		return b.optErr
	}
	if b.reduction == BatchMean && !allowBatchMean {
		return b.errorf("reduction batchmean is for KLDiv only; use Mean, Sum or None")
	}
	for _, c := range checks {
		if err := c(); err != nil {
			return err
		}
	}
	return nil
}

// must panics with err, the way GoMLX reports graph-building errors.
func must(err error) {
	if err != nil {
		panic(err)
	}
}

// reduce applies a Mean, Sum or None reduction.
func reduce(loss *Node, r Reduction) *Node {
	switch r {
	case Sum:
		return ReduceAllSum(loss)
	case None:
		return loss
	}
	return ReduceAllMean(loss)
}

// --- input checks, shared by the builders ---

func (b *base) isFloat(what string, x *Node) func() error {
	return func() error {
		if x == nil {
			return b.errorf("%s is nil", what)
		}
		if !x.DType().IsFloat() {
			return b.errorf("%s has dtype %s, want a float dtype", what, x.DType())
		}
		return nil
	}
}

func (b *base) isInt(what string, x *Node) func() error {
	return func() error {
		if x == nil {
			return b.errorf("%s is nil", what)
		}
		if !x.DType().IsInt() {
			return b.errorf("%s has dtype %s, want an integer dtype (class indices)", what, x.DType())
		}
		return nil
	}
}

// isNumber accepts any real dtype: targets of ±1 may come as integers or floats, as in torch.
func (b *base) isNumber(what string, x *Node) func() error {
	return func() error {
		if x == nil {
			return b.errorf("%s is nil", what)
		}
		if !x.DType().IsInt() && !x.DType().IsFloat() {
			return b.errorf("%s has dtype %s, want a number", what, x.DType())
		}
		return nil
	}
}

// sameShape requires y to have x's dimensions, and its dtype too when sameDType.
func (b *base) sameShape(xWhat string, x *Node, yWhat string, y *Node, sameDType bool) func() error {
	return func() error {
		if x == nil || y == nil {
			return nil // reported by the dtype checks
		}
		if !slices.Equal(x.Shape().Dimensions, y.Shape().Dimensions) {
			return b.errorf("%s shape %s does not match %s shape %s: want the same dimensions",
				yWhat, y.Shape(), xWhat, x.Shape())
		}
		if sameDType && x.DType() != y.DType() {
			return b.errorf("%s dtype %s does not match %s dtype %s", yWhat, y.DType(), xWhat, x.DType())
		}
		return nil
	}
}

// broadcastable requires the optional w (a weight) to broadcast to x's shape with NumPy's
// rules, as torch's weights do, and to have x's dtype.
func (b *base) broadcastable(wWhat string, w *Node, xWhat string, x *Node) func() error {
	return func() error {
		if w == nil || x == nil {
			return nil
		}
		if w.DType() != x.DType() {
			return b.errorf("%s dtype %s does not match %s dtype %s", wWhat, w.DType(), xWhat, x.DType())
		}
		if !canBroadcast(w.Shape().Dimensions, x.Shape().Dimensions) {
			return b.errorf("%s shape %s does not broadcast to %s shape %s", wWhat, w.Shape(), xWhat, x.Shape())
		}
		return nil
	}
}

// rankIn requires x's rank to be one of ranks (or at least min, when min >= 0).
func (b *base) rankIn(what string, x *Node, min int, ranks ...int) func() error {
	return func() error {
		if x == nil {
			return nil
		}
		r := x.Rank()
		if slices.Contains(ranks, r) || (min >= 0 && r >= min) {
			return nil
		}
		want := fmt.Sprint(ranks)
		if min >= 0 {
			want = fmt.Sprintf("at least %d", min)
		}
		return b.errorf("%s shape %s has rank %d, want rank %s", what, x.Shape(), r, want)
	}
}

func canBroadcast(from, to []int) bool {
	if len(from) > len(to) {
		return false
	}
	off := len(to) - len(from)
	for i, d := range from {
		if d != 1 && d != to[off+i] {
			return false
		}
	}
	return true
}

// broadcastTo broadcasts w to dims with NumPy's rules (leading axes added), unlike GoMLX's
// BroadcastToDims, which appends them.
func broadcastTo(w *Node, dims []int) *Node {
	if slices.Equal(w.Shape().Dimensions, dims) {
		return w
	}
	if w.Rank() < len(dims) {
		ones := make([]int, len(dims)-w.Rank())
		for i := range ones {
			ones[i] = 1
		}
		w = Reshape(w, append(ones, w.Shape().Dimensions...)...)
	}
	return BroadcastToDims(w, dims...)
}

// --- numerics shared by the losses ---

// absSign is |x| with torch's gradient: sign(x), 0 at 0 (GoMLX's Abs takes +1 there).
func absSign(x *Node) *Node { return Mul(x, Sign(x)) }

// softplus is log(1+eˣ), computed as max(x,0) + log1p(e^-|x|) so it is finite for every finite
// x. Its gradient is σ(x) everywhere: at x = 0, GoMLX gives Max's tie and Abs's sign to x.
func softplus(x *Node) *Node {
	return Add(Max(x, ZerosLike(x)), Log1p(Exp(Neg(Abs(x)))))
}

// hinge is max(z, 0) whose gradient at z = 0 is 1, as torch's clamp_min gives.
func hinge(z *Node) *Node { return Max(z, ZerosLike(z)) }

// strictHinge is max(z, 0) whose gradient at z = 0 is 0, as torch's margin kernels give
// (they add only terms with z > 0).
func strictHinge(z *Node) *Node { return Where(GreaterThan(z, ZerosLike(z)), z, ZerosLike(z)) }

func scalar(g *Graph, dtype dtypes.DType, v float64) *Node { return Scalar(g, dtype, v) }

func nan(x *Node) *Node { return scalar(x.Graph(), x.DType(), math.NaN()) }

func dims(x *Node) []int { return x.Shape().Dimensions }

// classAxis is torch's: axis 1 of (N, C, d1, ...), axis 0 of a single example (C).
func classAxis(input *Node) int {
	if input.Rank() == 1 {
		return 0
	}
	return 1
}

// withoutAxis returns dims without axis.
func withoutAxis(d []int, axis int) []int {
	out := slices.Clone(d)
	return slices.Delete(out, axis, axis+1)
}

// classMask is a boolean of input's shape, true where the class on axis equals the label
// (labels have input's shape without axis). It is all false for a label outside [0, C).
func classMask(input, labels *Node, axis int) *Node {
	g := input.Graph()
	classes := Iota(g, shapes.Make(labels.DType(), dims(input)...), axis)
	return Equal(classes, BroadcastToDims(InsertAxes(labels, axis), dims(input)...))
}

// pick returns x at the labelled class (mask from classMask), summing over axis.
func pick(x, mask *Node, axis int) *Node {
	return ReduceSum(Where(mask, x, ZerosLike(x)), axis)
}

// inRange is 0 <= labels < n.
func inRange(labels *Node, n int) *Node {
	g := labels.Graph()
	lo := GreaterOrEqual(labels, ZerosLike(labels))
	hi := LessThan(labels, Scalar(g, labels.DType(), n))
	return LogicalAnd(lo, hi)
}

// notIgnored is labels != ignore.
func notIgnored(labels *Node, ignore int) *Node {
	return NotEqual(labels, Scalar(labels.Graph(), labels.DType(), ignore))
}

// asIndex widens integer labels to Int32 or Int64, so that every class number, and a negative
// ignore index, can be compared with them.
func asIndex(labels *Node) *Node {
	switch labels.DType() {
	case dtypes.Int32, dtypes.Int64:
		return labels
	case dtypes.Uint32, dtypes.Uint64:
		return ConvertDType(labels, dtypes.Int64)
	}
	return ConvertDType(labels, dtypes.Int32)
}

// asFloat converts a ±1 target to x's dtype.
func asFloat(y, like *Node) *Node {
	if y.DType() == like.DType() {
		return y
	}
	return ConvertDType(y, like.DType())
}
