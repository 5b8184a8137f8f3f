package losses

import (
	"slices"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive
	"github.com/gomlx/gomlx/pkg/core/shapes"
)

// DefaultIgnoreIndex is torch's default ignore_index: a class label of -100 adds no loss.
const DefaultIgnoreIndex = -100

// classLabels checks class-index labels against an input of shape (N, C, d1, ...) or (C):
// labels must be integers of shape (N, d1, ...) or ().
func (b *base) classLabels(input, labels *Node) func() error {
	return func() error {
		if input == nil || labels == nil || input.Rank() == 0 {
			return nil
		}
		want := withoutAxis(dims(input), classAxis(input))
		got := dims(labels)
		if slices.Equal(got, want) {
			return nil
		}
		hint := ""
		if len(got) == len(want)+1 && got[len(got)-1] == 1 && slices.Equal(got[:len(want)], want) {
			hint = " (labels shaped [batch, 1]: drop the last axis, e.g. with Reshape(labels, -1))"
		}
		return b.errorf("labels shape %s does not fit input shape %s: want labels of dimensions %v, "+
			"the input's without its class axis %d%s", labels.Shape(), input.Shape(), want, classAxis(input), hint)
	}
}

// weightPerClass checks an optional per-class weight: a float vector of C elements.
func (b *base) weightPerClass(w, input *Node) func() error {
	return func() error {
		if w == nil || input == nil || input.Rank() == 0 {
			return nil
		}
		c := input.Shape().Dimensions[classAxis(input)]
		if w.Rank() != 1 || w.Shape().Dimensions[0] != c {
			return b.errorf("weight shape %s: want one weight per class, shape [%d]", w.Shape(), c)
		}
		if w.DType() != input.DType() {
			return b.errorf("weight dtype %s does not match input dtype %s", w.DType(), input.DType())
		}
		return nil
	}
}

// alongClasses reshapes a per-class weight (C) to broadcast over input, then broadcasts it.
func alongClasses(w, input *Node) *Node {
	axis := classAxis(input)
	shape := make([]int, input.Rank())
	for i := range shape {
		shape[i] = 1
	}
	shape[axis] = w.Shape().Dimensions[0]
	return BroadcastToDims(Reshape(w, shape...), dims(input)...)
}

// nllParts computes the per-element negative log-likelihood of class-index labels from
// log-probabilities logp, with torch's ignore_index, weights and label smoothing, and the
// denominator of its weighted mean (the sum of the labelled classes' weights, ignored labels
// left out). An out-of-range label that is not ignored makes its loss NaN.
func nllParts(logp, labels, weight *Node, ignore int, smoothing float64) (loss, totalWeight *Node) {
	axis := classAxis(logp)
	numClasses := logp.Shape().Dimensions[axis]
	labels = asIndex(labels)
	mask := classMask(logp, labels, axis)
	keep := notIgnored(labels, ignore)
	zeros := Zeros(logp.Graph(), shapes.Make(logp.DType(), dims(labels)...))
	var wb, wy *Node
	if weight != nil {
		wb = alongClasses(weight, logp)
		wy = pick(wb, mask, axis)
	} else {
		wy = OnesLike(zeros)
	}
	nll := Neg(pick(logp, mask, axis))
	if weight != nil {
		nll = Mul(wy, nll)
	}
	nll = Where(keep, nll, zeros)
	bad := LogicalAnd(keep, LogicalNot(inRange(labels, numClasses)))
	nll = Where(bad, BroadcastToDims(nan(nll), dims(nll)...), nll)
	loss = nll
	if smoothing > 0 {
		all := logp
		if weight != nil {
			all = Mul(wb, logp)
		}
		smooth := Where(keep, Neg(ReduceSum(all, axis)), zeros)
		loss = Add(MulScalar(nll, 1-smoothing), MulScalar(smooth, smoothing/float64(numClasses)))
	}
	return loss, ReduceAllSum(Where(keep, wy, zeros))
}

// reduceWeighted applies a reduction whose Mean is sum(loss)/totalWeight; a total weight of 0
// (every label ignored) gives NaN, as in torch.
func reduceWeighted(loss, totalWeight *Node, r Reduction) *Node {
	switch r {
	case None:
		return loss
	case Sum:
		return ReduceAllSum(loss)
	}
	return Div(ReduceAllSum(loss), totalWeight)
}

// CrossEntropyLoss is the builder that CrossEntropy returns.
type CrossEntropyLoss struct {
	base
	input, target, weight *Node
	ignoreIndex           int
	smoothing             float64
}

// CrossEntropy is torch's cross_entropy: ℓ = −w_y·log softmax(x)_y for a class label y, or
// ℓ = −Σ_c w_c·y_c·log softmax(x)_c for class probabilities y. It is the loss of
// classification, computed from logits with log-sum-exp so any logit is safe. Logits have shape
// (N, C, d1, ...) or (C); integer targets hold class indices, of shape (N, d1, ...) or (), and
// float targets hold probabilities, of the logits' shape. Chapter 06 ("06-losses").
//
// With class indices, Mean is the weighted mean sum(w_y·ℓ)/sum(w_y) over the labels that are not
// ignored (NaN when all are); with probabilities it divides by the number of examples. A
// label outside [0, C) that isn't ignored gives NaN; CheckLabels finds it on the host.
func CrossEntropy(input, target *Node) *CrossEntropyLoss {
	return &CrossEntropyLoss{base: base{name: "CrossEntropy"}, input: input, target: target,
		ignoreIndex: DefaultIgnoreIndex}
}

// Reduction sets how the per-example losses combine; the default is Mean.
func (l *CrossEntropyLoss) Reduction(r Reduction) *CrossEntropyLoss { l.setReduction(r); return l }

// Weight sets one weight per class, a vector of C elements (nil: all 1), to balance classes.
func (l *CrossEntropyLoss) Weight(w *Node) *CrossEntropyLoss { l.weight = w; return l }

// IgnoreIndex sets the class label whose examples add no loss and no weight (default -100).
// It applies to class-index targets only, as in torch.
func (l *CrossEntropyLoss) IgnoreIndex(i int) *CrossEntropyLoss { l.ignoreIndex = i; return l }

// LabelSmoothing mixes the target with the uniform distribution over the C classes:
// (1−ε)·target + ε/C. ε must be in [0, 1]; the default is 0.
func (l *CrossEntropyLoss) LabelSmoothing(eps float64) *CrossEntropyLoss {
	if !(eps >= 0 && eps <= 1) {
		l.badOption("label smoothing %g, want a value in [0, 1]", eps)
	}
	l.smoothing = eps
	return l
}

// Validate reports what Done would panic with: the logits must be floats of rank ≥ 1; the
// target either integer class indices of the logits' shape without the class axis, or float
// probabilities of the logits' shape; the weight a vector of C elements.
func (l *CrossEntropyLoss) Validate() error {
	return l.check(false, l.isFloat("input", l.input), l.isNumber("target", l.target),
		l.rankIn("input", l.input, 1),
		func() error {
			if l.target.DType().IsFloat() {
				return l.sameShape("input", l.input, "target (probabilities)", l.target, true)()
			}
			return l.classLabels(l.input, l.target)()
		},
		l.weightPerClass(l.weight, l.input))
}

// Done builds the loss.
func (l *CrossEntropyLoss) Done() *Node {
	must(l.Validate())
	x := l.input
	axis := classAxis(x)
	logp := LogSoftmax(x, axis)
	if !l.target.DType().IsFloat() {
		loss, total := nllParts(logp, l.target, l.weight, l.ignoreIndex, l.smoothing)
		return reduceWeighted(loss, total, l.reduction)
	}
	t := l.target
	if l.smoothing > 0 {
		numClasses := float64(x.Shape().Dimensions[axis])
		t = AddScalar(MulScalar(t, 1-l.smoothing), l.smoothing/numClasses)
	}
	terms := Mul(logp, t)
	if l.weight != nil {
		terms = Mul(terms, alongClasses(l.weight, x))
	}
	return reduce(Neg(ReduceSum(terms, axis)), l.reduction)
}

// NLLLoss is the builder that NLL returns.
type NLLLoss struct {
	base
	input, target, weight *Node
	ignoreIndex           int
}

// NLL is torch's nll_loss, the negative log-likelihood: ℓ = −w_y·x_y, for log-probabilities x
// (a LogSoftmax output) and class labels y. CrossEntropy is LogSoftmax followed by NLL; NLL is
// for models that output log-probabilities themselves. Input has shape (N, C, d1, ...) or (C);
// the integer target (N, d1, ...) or (). Chapter 06 ("06-losses").
//
// Mean is the weighted mean sum(w_y·ℓ)/sum(w_y) over the labels that are not ignored (NaN when
// all are). A label outside [0, C) that isn't ignored gives NaN; CheckLabels finds it on the
// host.
func NLL(input, target *Node) *NLLLoss {
	return &NLLLoss{base: base{name: "NLL"}, input: input, target: target, ignoreIndex: DefaultIgnoreIndex}
}

// Reduction sets how the per-example losses combine; the default is Mean.
func (l *NLLLoss) Reduction(r Reduction) *NLLLoss { l.setReduction(r); return l }

// Weight sets one weight per class, a vector of C elements (nil: all 1), to balance classes.
func (l *NLLLoss) Weight(w *Node) *NLLLoss { l.weight = w; return l }

// IgnoreIndex sets the class label whose examples add no loss and no weight (default -100).
func (l *NLLLoss) IgnoreIndex(i int) *NLLLoss { l.ignoreIndex = i; return l }

// Validate reports what Done would panic with: the input must be floats of rank ≥ 1, the
// target integer class indices of the input's shape without the class axis, the weight a
// vector of C elements.
func (l *NLLLoss) Validate() error {
	return l.check(false, l.isFloat("input", l.input), l.isInt("target", l.target),
		l.rankIn("input", l.input, 1), l.classLabels(l.input, l.target), l.weightPerClass(l.weight, l.input))
}

// Done builds the loss.
func (l *NLLLoss) Done() *Node {
	must(l.Validate())
	loss, total := nllParts(l.input, l.target, l.weight, l.ignoreIndex, 0)
	return reduceWeighted(loss, total, l.reduction)
}

// MultiMarginLoss is the builder that MultiMargin returns.
type MultiMarginLoss struct {
	base
	input, target, weight *Node
	p                     int
	margin                float64
}

// MultiMargin is torch's multi_margin_loss, the multi-class hinge loss of SVMs:
// ℓ = (1/C)·Σ_{i≠y} w_y·max(0, margin − x_y + x_i)^p, for scores x of shape (N, C) or (C) and
// integer class labels y of shape (N) or (). It asks the right class to beat every other by
// the margin. A label outside [0, C) gives NaN. Chapter 06 ("06-losses").
func MultiMargin(input, target *Node) *MultiMarginLoss {
	return &MultiMarginLoss{base: base{name: "MultiMargin"}, input: input, target: target, p: 1, margin: 1}
}

// Reduction sets how the per-example losses combine; the default is Mean (unweighted, as in
// torch, even with Weight).
func (l *MultiMarginLoss) Reduction(r Reduction) *MultiMarginLoss { l.setReduction(r); return l }

// P sets the power of each hinge term: 1 (the default) or 2.
func (l *MultiMarginLoss) P(p int) *MultiMarginLoss {
	if p != 1 && p != 2 {
		l.badOption("p = %d, want 1 or 2", p)
	}
	l.p = p
	return l
}

// Margin sets the margin (default 1).
func (l *MultiMarginLoss) Margin(m float64) *MultiMarginLoss { l.margin = m; return l }

// Weight sets one weight per class, a vector of C elements (nil: all 1); each example's terms
// are scaled by its class's weight.
func (l *MultiMarginLoss) Weight(w *Node) *MultiMarginLoss { l.weight = w; return l }

// Validate reports what Done would panic with: the input must be floats of shape (N, C) or (C),
// the target integer labels of shape (N) or (), the weight a vector of C elements.
func (l *MultiMarginLoss) Validate() error {
	return l.check(false, l.isFloat("input", l.input), l.isInt("target", l.target),
		l.rankIn("input", l.input, -1, 1, 2), l.classLabels(l.input, l.target),
		l.weightPerClass(l.weight, l.input))
}

// Done builds the loss.
func (l *MultiMarginLoss) Done() *Node {
	must(l.Validate())
	x, y := l.input, asIndex(l.target)
	axis := classAxis(x)
	numClasses := x.Shape().Dimensions[axis]
	mask := classMask(x, y, axis)
	xy := BroadcastToDims(InsertAxes(pick(x, mask, axis), axis), dims(x)...)
	h := strictHinge(Add(Sub(ConstAs(x, l.margin), xy), x))
	if l.p == 2 {
		h = Square(h)
	}
	if l.weight != nil {
		wy := pick(alongClasses(l.weight, x), mask, axis)
		h = Mul(h, BroadcastToDims(InsertAxes(wy, axis), dims(x)...))
	}
	h = Where(mask, ZerosLike(h), h) // the sum skips i = y
	loss := DivScalar(ReduceSum(h, axis), float64(numClasses))
	loss = Where(inRange(y, numClasses), loss, BroadcastToDims(nan(loss), dims(loss)...))
	return reduce(loss, l.reduction)
}

// MultiLabelMarginLoss is the builder that MultilabelMargin returns.
type MultiLabelMarginLoss struct {
	base
	input, target *Node
}

// MultilabelMargin is torch's multilabel_margin_loss, a multi-label hinge loss:
// ℓ = (1/C)·Σ_{j∈T} Σ_{i∉T} max(0, 1 − (x_j − x_i)), where T is the example's set of target
// classes. It asks every target class to beat every other class by 1. The input has shape
// (N, C) or (C); the integer target has the same shape and lists the target classes first,
// ended by -1 (what follows the first negative value is ignored). A listed class outside
// [0, C) gives NaN. Chapter 06 ("06-losses").
func MultilabelMargin(input, target *Node) *MultiLabelMarginLoss {
	return &MultiLabelMarginLoss{base: base{name: "MultilabelMargin"}, input: input, target: target}
}

// Reduction sets how the per-example losses combine; the default is Mean.
func (l *MultiLabelMarginLoss) Reduction(r Reduction) *MultiLabelMarginLoss {
	l.setReduction(r)
	return l
}

// Validate reports what Done would panic with: the input must be floats of shape (N, C) or
// (C), the target integers of the same shape.
func (l *MultiLabelMarginLoss) Validate() error {
	return l.check(false, l.isFloat("input", l.input), l.isInt("target", l.target),
		l.rankIn("input", l.input, -1, 1, 2), l.sameShape("input", l.input, "target", l.target, false))
}

// Done builds the loss.
func (l *MultiLabelMarginLoss) Done() *Node {
	must(l.Validate())
	x, y := l.input, asIndex(l.target)
	single := x.Rank() == 1
	if single {
		x, y = InsertAxes(x, 0), InsertAxes(y, 0)
	}
	g := x.Graph()
	n, c := x.Shape().Dimensions[0], x.Shape().Dimensions[1]
	// Slot j of a row is live while no negative value came at or before it.
	stop := LessThan(y, ZerosLike(y)) // (N, C slots)
	j := Iota(g, shapes.Make(dtypes.Int32, c, c), 0)
	k := Iota(g, shapes.Make(dtypes.Int32, c, c), 1)
	atOrBefore := GreaterOrEqual(j, k) // [j, k]: k ≤ j
	stopped := ReduceLogicalOr(LogicalAnd(
		BroadcastToDims(InsertAxes(atOrBefore, 0), n, c, c),
		BroadcastToDims(InsertAxes(stop, 1), n, c, c)), 2)
	live := LogicalNot(stopped) // (N, C slots)
	// slot[n, j, i]: slot j is live and names class i.
	classes := Iota(g, shapes.Make(y.DType(), n, c, c), 2)
	slot := LogicalAnd(Equal(BroadcastToDims(InsertAxes(y, 2), n, c, c), classes),
		BroadcastToDims(InsertAxes(live, 2), n, c, c))
	isTarget := ReduceLogicalOr(slot, 1) // (N, C classes)
	xb := BroadcastToDims(InsertAxes(x, 1), n, c, c)
	xj := ReduceSum(Where(slot, xb, ZerosLike(xb)), 2) // x at slot j's class, (N, C slots)
	z := Add(OneMinus(BroadcastToDims(InsertAxes(xj, 2), n, c, c)), xb)
	use := LogicalAnd(BroadcastToDims(InsertAxes(live, 2), n, c, c),
		LogicalNot(BroadcastToDims(InsertAxes(isTarget, 1), n, c, c)))
	h := Where(use, strictHinge(z), ZerosLike(z))
	loss := DivScalar(ReduceSum(h, 1, 2), float64(c))
	bad := ReduceLogicalOr(LogicalAnd(live, GreaterOrEqual(y, Scalar(g, y.DType(), c))), 1)
	loss = Where(bad, BroadcastToDims(nan(loss), n), loss)
	if single {
		loss = Reshape(loss)
	}
	return reduce(loss, l.reduction)
}
