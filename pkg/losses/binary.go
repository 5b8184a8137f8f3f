package losses

import (
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive
)

// bceEpsilon is torch's floor on x(1−x) in binary_cross_entropy's gradient: 1e-12 as a float32,
// as torch declares it.
var bceEpsilon = float64(float32(1e-12))

// BCELoss is the builder that BinaryCrossEntropy returns.
type BCELoss struct {
	base
	input, target, weight *Node
}

// BinaryCrossEntropy is torch's binary_cross_entropy: ℓ = −w·(y·log x + (1−y)·log(1−x)), for
// probabilities x in [0, 1] and targets y in [0, 1], with each log clamped at −100 as torch
// does. It is for yes/no (and multi-label) classification when the model already outputs
// probabilities; from logits, BinaryCrossEntropyWithLogits is more stable. Input and target
// are floats of the same shape. Chapter 06 ("06-losses").
//
// The gradient with respect to the input is torch's: w·(x−y)/max(x(1−x), 1e-12). Inputs
// outside [0, 1], which torch refuses at run time, give NaN.
func BinaryCrossEntropy(input, target *Node) *BCELoss {
	return &BCELoss{base: base{name: "BinaryCrossEntropy"}, input: input, target: target}
}

// Reduction sets how the per-element losses combine; the default is Mean.
func (l *BCELoss) Reduction(r Reduction) *BCELoss { l.setReduction(r); return l }

// Weight rescales each element's loss; it must broadcast to the input's shape (nil: none).
func (l *BCELoss) Weight(w *Node) *BCELoss { l.weight = w; return l }

// Validate reports what Done would panic with: input and target must be floats of one shape,
// and the weight must broadcast to it.
func (l *BCELoss) Validate() error {
	return l.check(false, l.isFloat("input", l.input), l.isFloat("target", l.target),
		l.sameShape("input", l.input, "target", l.target, true),
		l.broadcastable("weight", l.weight, "input", l.input))
}

// Done builds the loss.
func (l *BCELoss) Done() *Node {
	must(l.Validate())
	x, y := l.input, l.target
	var w *Node
	if l.weight != nil {
		w = broadcastTo(l.weight, dims(x))
	}
	floor := ConstAs(x, -100.0)
	// Computed from a copy of x that gradients don't flow through; the input's gradient comes
	// from torch's formula below.
	xs := StopGradient(x)
	logX := Max(Log(xs), floor)
	log1mX := Max(Log1p(Neg(xs)), floor)
	value := Sub(Mul(Sub(y, OnesLike(y)), log1mX), Mul(y, logX))
	if w != nil {
		value = Mul(value, w)
	}
	z := IdentityWithCustomGradient(x, func(x, v *Node) *Node {
		g := Div(Sub(x, y), Max(Mul(OneMinus(x), x), ConstAs(x, bceEpsilon)))
		if w != nil {
			g = Mul(g, w)
		}
		return Mul(v, g)
	})
	// value + (z − z): the value is unchanged, and d/dz = 1 routes the upstream gradient into z.
	loss := Add(value, Sub(z, StopGradient(z)))
	return reduce(loss, l.reduction)
}

// BCEWithLogitsLoss is the builder that BinaryCrossEntropyWithLogits returns.
type BCEWithLogitsLoss struct {
	base
	input, target, weight, posWeight *Node
}

// BinaryCrossEntropyWithLogits is torch's binary_cross_entropy_with_logits:
// ℓ = −w·(p·y·log σ(x) + (1−y)·log(1−σ(x))), for logits x, targets y in [0, 1] and a positive
// weight p (1 without PosWeight). It is the loss for yes/no and multi-label classification.
// Input and target are floats of the same shape. Chapter 06 ("06-losses").
//
// It is computed as (1−y)·softplus(x) + p·y·softplus(−x), whose gradient is
// (1−y)·σ(x) − p·y·σ(−x): a sum of two terms that never cancel for targets 0 and 1, so the loss
// and its gradient keep their relative precision far into both tails — at x = −70 with target 0
// both are σ(−70) ≈ 4.0e-31, to a few ulps in float32 and float64 (TestBCEWithLogitsTails
// checks them against 150-digit values out to |x| = 85). The textbook (1−y)·x + softplus(−x)
// rounds both to 0 there, and torch's gradient σ(x) − y does the same for target 1 and x → +∞.
func BinaryCrossEntropyWithLogits(input, target *Node) *BCEWithLogitsLoss {
	return &BCEWithLogitsLoss{base: base{name: "BinaryCrossEntropyWithLogits"}, input: input, target: target}
}

// Reduction sets how the per-element losses combine; the default is Mean.
func (l *BCEWithLogitsLoss) Reduction(r Reduction) *BCEWithLogitsLoss { l.setReduction(r); return l }

// Weight rescales each element's loss; it must broadcast to the input's shape (nil: none).
func (l *BCEWithLogitsLoss) Weight(w *Node) *BCEWithLogitsLoss { l.weight = w; return l }

// PosWeight weighs the positive term, one weight per class on the last axis (it must broadcast
// to the input's shape): p > 1 raises recall, p < 1 precision.
func (l *BCEWithLogitsLoss) PosWeight(p *Node) *BCEWithLogitsLoss { l.posWeight = p; return l }

// Validate reports what Done would panic with: input and target must be floats of one shape,
// and the weights must broadcast to it.
func (l *BCEWithLogitsLoss) Validate() error {
	return l.check(false, l.isFloat("input", l.input), l.isFloat("target", l.target),
		l.sameShape("input", l.input, "target", l.target, true),
		l.broadcastable("weight", l.weight, "input", l.input),
		l.broadcastable("pos_weight", l.posWeight, "input", l.input))
}

// Done builds the loss.
func (l *BCEWithLogitsLoss) Done() *Node {
	must(l.Validate())
	x, y := l.input, l.target
	pos := Mul(y, softplus(Neg(x))) // −y·log σ(x)
	if l.posWeight != nil {
		pos = Mul(broadcastTo(l.posWeight, dims(x)), pos)
	}
	loss := Add(Mul(OneMinus(y), softplus(x)), pos) // softplus(x) = −log(1 − σ(x))
	if l.weight != nil {
		loss = Mul(loss, broadcastTo(l.weight, dims(x)))
	}
	return reduce(loss, l.reduction)
}

// SoftMarginLoss is the builder that SoftMargin returns.
type SoftMarginLoss struct {
	base
	input, target *Node
}

// SoftMargin is torch's soft_margin_loss: ℓ = log(1 + e^(−y·x)), for scores x and labels
// y = ±1. It is the logistic loss of two-class classification written with ±1 labels, a smooth
// hinge. Input and target have the same shape; the target may be any number dtype.
// Chapter 06 ("06-losses").
func SoftMargin(input, target *Node) *SoftMarginLoss {
	return &SoftMarginLoss{base: base{name: "SoftMargin"}, input: input, target: target}
}

// Reduction sets how the per-element losses combine; the default is Mean.
func (l *SoftMarginLoss) Reduction(r Reduction) *SoftMarginLoss { l.setReduction(r); return l }

// Validate reports what Done would panic with: the input must be a float, the target a number
// of the same shape.
func (l *SoftMarginLoss) Validate() error {
	return l.check(false, l.isFloat("input", l.input), l.isNumber("target", l.target),
		l.sameShape("input", l.input, "target", l.target, false))
}

// Done builds the loss; it is finite where torch's log(1+exp(·)) overflows.
func (l *SoftMarginLoss) Done() *Node {
	must(l.Validate())
	y := asFloat(l.target, l.input)
	return reduce(softplus(Neg(Mul(y, l.input))), l.reduction)
}

// MultiLabelSoftMarginLoss is the builder that MultilabelSoftMargin returns.
type MultiLabelSoftMarginLoss struct {
	base
	input, target, weight *Node
}

// MultilabelSoftMargin is torch's multilabel_soft_margin_loss: per example,
// ℓ = −(1/C)·Σ_c w_c·(y_c·log σ(x_c) + (1−y_c)·log(1−σ(x_c))), for logits x of shape (N, C)
// or (C) and 0/1 targets y of the same shape. It is for multi-label classification (several
// classes true at once): BinaryCrossEntropyWithLogits averaged over the classes of each
// example. Chapter 06 ("06-losses").
func MultilabelSoftMargin(input, target *Node) *MultiLabelSoftMarginLoss {
	return &MultiLabelSoftMarginLoss{base: base{name: "MultilabelSoftMargin"}, input: input, target: target}
}

// Reduction sets how the per-example losses combine; the default is Mean.
func (l *MultiLabelSoftMarginLoss) Reduction(r Reduction) *MultiLabelSoftMarginLoss {
	l.setReduction(r)
	return l
}

// Weight rescales each class's term; it must broadcast to the input's shape (nil: none).
func (l *MultiLabelSoftMarginLoss) Weight(w *Node) *MultiLabelSoftMarginLoss { l.weight = w; return l }

// Validate reports what Done would panic with: input and target must be floats of one shape of
// rank ≥ 1, and the weight must broadcast to it.
func (l *MultiLabelSoftMarginLoss) Validate() error {
	return l.check(false, l.isFloat("input", l.input), l.isFloat("target", l.target),
		l.rankIn("input", l.input, 1),
		l.sameShape("input", l.input, "target", l.target, true),
		l.broadcastable("weight", l.weight, "input", l.input))
}

// Done builds the loss, one value per example (the last axis holds the classes).
func (l *MultiLabelSoftMarginLoss) Done() *Node {
	must(l.Validate())
	x, y := l.input, l.target
	loss := Add(Mul(y, softplus(Neg(x))), Mul(OneMinus(y), softplus(x)))
	if l.weight != nil {
		loss = Mul(loss, broadcastTo(l.weight, dims(x)))
	}
	classes := x.Shape().Dimensions[x.Rank()-1]
	loss = DivScalar(ReduceSum(loss, -1), float64(classes))
	return reduce(loss, l.reduction)
}
