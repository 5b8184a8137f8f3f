package losses

import (
	"slices"

	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive
)

// cosineEpsilon is what torch adds to each squared norm in cosine_embedding_loss: 1e-12 as a
// float32, as torch declares it.
var cosineEpsilon = float64(float32(1e-12))

// CosineEmbeddingLoss is the builder that CosineEmbedding returns.
type CosineEmbeddingLoss struct {
	base
	input1, input2, target *Node
	margin                 float64
}

// CosineEmbedding is torch's cosine_embedding_loss: ℓ = 1 − cos(x₁, x₂) for y = 1 and
// ℓ = max(0, cos(x₁, x₂) − margin) for y = −1 (0 for other y). It is for learning embeddings
// where similar pairs point the same way and dissimilar ones don't. Inputs have shape (N, D)
// with targets (N), or (D) with a scalar target; targets may be any number dtype.
// Chapter 06 ("06-losses").
func CosineEmbedding(input1, input2, target *Node) *CosineEmbeddingLoss {
	return &CosineEmbeddingLoss{base: base{name: "CosineEmbedding"}, input1: input1, input2: input2, target: target}
}

// Reduction sets how the per-pair losses combine; the default is Mean.
func (l *CosineEmbeddingLoss) Reduction(r Reduction) *CosineEmbeddingLoss {
	l.setReduction(r)
	return l
}

// Margin sets the cosine below which dissimilar pairs add no loss (default 0; torch suggests
// values in [−1, 1], 0 to 0.5).
func (l *CosineEmbeddingLoss) Margin(m float64) *CosineEmbeddingLoss { l.margin = m; return l }

// Validate reports what Done would panic with: the inputs must be floats of one shape, (N, D)
// or (D), and the target a number of shape (N) or ().
func (l *CosineEmbeddingLoss) Validate() error {
	return l.check(false, l.isFloat("input1", l.input1), l.isFloat("input2", l.input2),
		l.isNumber("target", l.target), l.rankIn("input1", l.input1, -1, 1, 2),
		l.sameShape("input1", l.input1, "input2", l.input2, true),
		func() error {
			want := dims(l.input1)[:l.input1.Rank()-1]
			if l.target.Rank() != len(want) || (len(want) == 1 && dims(l.target)[0] != want[0]) {
				return l.errorf("target shape %s does not fit inputs of shape %s: want one target per pair, dimensions %v",
					l.target.Shape(), l.input1.Shape(), want)
			}
			return nil
		})
}

// Done builds the loss.
func (l *CosineEmbeddingLoss) Done() *Node {
	must(l.Validate())
	x1, x2 := l.input1, l.input2
	prod := ReduceSum(Mul(x1, x2), -1)
	m1 := AddScalar(ReduceSum(Square(x1), -1), cosineEpsilon)
	m2 := AddScalar(ReduceSum(Square(x2), -1), cosineEpsilon)
	cos := Div(prod, Sqrt(Mul(m1, m2)))
	y := asFloat(l.target, cos)
	zeros := ZerosLike(cos)
	pos := Where(Equal(y, OnesLike(y)), OneMinus(cos), zeros)
	neg := Where(Equal(y, Neg(OnesLike(y))), hinge(AddScalar(cos, -l.margin)), zeros)
	return reduce(Add(pos, neg), l.reduction)
}

// HingeEmbeddingLoss is the builder that HingeEmbedding returns.
type HingeEmbeddingLoss struct {
	base
	input, target *Node
	margin        float64
}

// HingeEmbedding is torch's hinge_embedding_loss: ℓ = x for y = 1 and ℓ = max(0, margin − x)
// for y = −1 (both terms for other y, as torch), where x is usually a distance between two
// embeddings. It is for learning embeddings, or semi-supervised learning, from pairs labelled
// similar or dissimilar. Input and target have the same shape; the target may be any number
// dtype. Chapter 06 ("06-losses").
func HingeEmbedding(input, target *Node) *HingeEmbeddingLoss {
	return &HingeEmbeddingLoss{base: base{name: "HingeEmbedding"}, input: input, target: target, margin: 1}
}

// Reduction sets how the per-element losses combine; the default is Mean.
func (l *HingeEmbeddingLoss) Reduction(r Reduction) *HingeEmbeddingLoss { l.setReduction(r); return l }

// Margin sets the distance beyond which dissimilar pairs add no loss (default 1).
func (l *HingeEmbeddingLoss) Margin(m float64) *HingeEmbeddingLoss { l.margin = m; return l }

// Validate reports what Done would panic with: the input must be floats, the target a number
// of the same shape.
func (l *HingeEmbeddingLoss) Validate() error {
	return l.check(false, l.isFloat("input", l.input), l.isNumber("target", l.target),
		l.sameShape("input", l.input, "target", l.target, false))
}

// Done builds the loss.
func (l *HingeEmbeddingLoss) Done() *Node {
	must(l.Validate())
	x := l.input
	y := asFloat(l.target, x)
	zeros, ones := ZerosLike(x), OnesLike(x)
	marginTerm := Where(NotEqual(y, ones), hinge(Sub(ConstAs(x, l.margin), x)), zeros)
	selfTerm := Where(NotEqual(y, Neg(ones)), x, zeros)
	return reduce(Add(marginTerm, selfTerm), l.reduction)
}

// MarginRankingLoss is the builder that MarginRanking returns.
type MarginRankingLoss struct {
	base
	input1, input2, target *Node
	margin                 float64
}

// MarginRanking is torch's margin_ranking_loss: ℓ = max(0, −y·(x₁ − x₂) + margin), for
// scores x₁, x₂ and y = 1 when x₁ should rank higher, −1 when x₂ should. It is for learning
// to rank. All three have the same shape; the target may be any number dtype.
// Chapter 06 ("06-losses").
func MarginRanking(input1, input2, target *Node) *MarginRankingLoss {
	return &MarginRankingLoss{base: base{name: "MarginRanking"}, input1: input1, input2: input2, target: target}
}

// Reduction sets how the per-element losses combine; the default is Mean.
func (l *MarginRankingLoss) Reduction(r Reduction) *MarginRankingLoss { l.setReduction(r); return l }

// Margin sets by how much the right score must win to add no loss (default 0).
func (l *MarginRankingLoss) Margin(m float64) *MarginRankingLoss { l.margin = m; return l }

// Validate reports what Done would panic with: the inputs must be floats of one shape, the
// target a number of that shape.
func (l *MarginRankingLoss) Validate() error {
	return l.check(false, l.isFloat("input1", l.input1), l.isFloat("input2", l.input2),
		l.isNumber("target", l.target),
		l.sameShape("input1", l.input1, "input2", l.input2, true),
		l.sameShape("input1", l.input1, "target", l.target, false))
}

// Done builds the loss.
func (l *MarginRankingLoss) Done() *Node {
	must(l.Validate())
	y := asFloat(l.target, l.input1)
	z := AddScalar(Neg(Mul(y, Sub(l.input1, l.input2))), l.margin)
	return reduce(hinge(z), l.reduction)
}

// TripletMarginLoss is the builder that TripletMargin returns.
type TripletMarginLoss struct {
	base
	anchor, positive, negative *Node
	margin, p, eps             float64
	swap                       bool
}

// TripletMargin is torch's triplet_margin_loss: ℓ = max(0, d(a, p) − d(a, n) + margin), where
// d(u, v) = ‖u − v + eps‖_p. It is for learning embeddings (FaceNet): an anchor should lie
// closer to a positive example than to a negative one, by the margin. Anchor, positive and
// negative are floats of one shape, (N, D) or (D). Chapter 06 ("06-losses").
func TripletMargin(anchor, positive, negative *Node) *TripletMarginLoss {
	return &TripletMarginLoss{base: base{name: "TripletMargin"}, anchor: anchor, positive: positive,
		negative: negative, margin: 1, p: 2, eps: 1e-6}
}

// Reduction sets how the per-triplet losses combine; the default is Mean.
func (l *TripletMarginLoss) Reduction(r Reduction) *TripletMarginLoss { l.setReduction(r); return l }

// Margin sets the margin (default 1).
func (l *TripletMarginLoss) Margin(m float64) *TripletMarginLoss { l.margin = m; return l }

// P sets the norm of the distance (default 2); it must be > 0.
func (l *TripletMarginLoss) P(p float64) *TripletMarginLoss {
	if !(p > 0) {
		l.badOption("p = %g, want p > 0", p)
	}
	l.p = p
	return l
}

// Eps sets what is added to each difference before its norm (default 1e-6), keeping the
// gradient finite when two points coincide.
func (l *TripletMarginLoss) Eps(eps float64) *TripletMarginLoss { l.eps = eps; return l }

// Swap uses min(d(a, n), d(p, n)) as the negative distance, the "distance swap" of Balntas et
// al. (default false).
func (l *TripletMarginLoss) Swap(swap bool) *TripletMarginLoss { l.swap = swap; return l }

// Validate reports what Done would panic with: anchor, positive and negative must be floats of
// one shape, (N, D) or (D).
func (l *TripletMarginLoss) Validate() error {
	return l.check(false, l.isFloat("anchor", l.anchor), l.isFloat("positive", l.positive),
		l.isFloat("negative", l.negative), l.rankIn("anchor", l.anchor, -1, 1, 2),
		l.sameShape("anchor", l.anchor, "positive", l.positive, true),
		l.sameShape("anchor", l.anchor, "negative", l.negative, true))
}

// distance is torch's pairwise_distance: ‖u − v + eps‖_p over the last axis.
func (l *TripletMarginLoss) distance(u, v *Node) *Node {
	d := AddScalar(Sub(u, v), l.eps)
	switch l.p {
	case 1:
		return ReduceSum(absSign(d), -1)
	case 2:
		return Sqrt(ReduceSum(Square(d), -1))
	}
	return PowScalar(ReduceSum(PowScalar(Abs(d), l.p), -1), 1/l.p)
}

// Done builds the loss.
func (l *TripletMarginLoss) Done() *Node {
	must(l.Validate())
	dPos := l.distance(l.anchor, l.positive)
	dNeg := l.distance(l.anchor, l.negative)
	if l.swap {
		dNeg = Min(dNeg, l.distance(l.positive, l.negative))
	}
	return reduce(hinge(AddScalar(Sub(dPos, dNeg), l.margin)), l.reduction)
}

// TripletMarginWithDistanceLoss is the builder that TripletMarginWithDistance returns.
type TripletMarginWithDistanceLoss struct {
	base
	anchor, positive, negative *Node
	distance                   func(u, v *Node) *Node
	margin                     float64
	swap                       bool
}

// TripletMarginWithDistance is torch's triplet_margin_with_distance_loss: the triplet loss
// ℓ = max(0, d(a, p) − d(a, n) + margin) with a distance d of your choosing (Distance), by
// default torch's pairwise_distance, ‖u − v + 10⁻⁶‖₂. Anchor, positive and negative are floats
// of one shape, (N, D) or (D). Chapter 06 ("06-losses").
func TripletMarginWithDistance(anchor, positive, negative *Node) *TripletMarginWithDistanceLoss {
	return &TripletMarginWithDistanceLoss{base: base{name: "TripletMarginWithDistance"}, anchor: anchor,
		positive: positive, negative: negative, margin: 1}
}

// Reduction sets how the per-triplet losses combine; the default is Mean.
func (l *TripletMarginWithDistanceLoss) Reduction(r Reduction) *TripletMarginWithDistanceLoss {
	l.setReduction(r)
	return l
}

// Distance sets the distance function: it takes two nodes of the anchor's shape and returns
// one distance per row, of the anchor's shape without its last axis (nil restores the default).
func (l *TripletMarginWithDistanceLoss) Distance(d func(u, v *Node) *Node) *TripletMarginWithDistanceLoss {
	l.distance = d
	return l
}

// Margin sets the margin (default 1); it must be ≥ 0.
func (l *TripletMarginWithDistanceLoss) Margin(m float64) *TripletMarginWithDistanceLoss {
	if !(m >= 0) {
		l.badOption("margin = %g, want margin ≥ 0", m)
	}
	l.margin = m
	return l
}

// Swap uses min(d(a, n), d(p, n)) as the negative distance (default false).
func (l *TripletMarginWithDistanceLoss) Swap(swap bool) *TripletMarginWithDistanceLoss {
	l.swap = swap
	return l
}

// Validate reports what Done would panic with: anchor, positive and negative must be floats of
// one shape, (N, D) or (D).
func (l *TripletMarginWithDistanceLoss) Validate() error {
	return l.check(false, l.isFloat("anchor", l.anchor), l.isFloat("positive", l.positive),
		l.isFloat("negative", l.negative), l.rankIn("anchor", l.anchor, -1, 1, 2),
		l.sameShape("anchor", l.anchor, "positive", l.positive, true),
		l.sameShape("anchor", l.anchor, "negative", l.negative, true))
}

// Done builds the loss; it panics, naming the loss, if the distance returns the wrong shape.
func (l *TripletMarginWithDistanceLoss) Done() *Node {
	must(l.Validate())
	d := l.distance
	if d == nil {
		d = (&TripletMarginLoss{p: 2, eps: 1e-6}).distance
	}
	want := dims(l.anchor)[:l.anchor.Rank()-1]
	dist := func(u, v *Node) *Node {
		out := d(u, v)
		if out == nil || !slices.Equal(dims(out), want) {
			got := "nil"
			if out != nil {
				got = out.Shape().String()
			}
			must(l.errorf("distance returned shape %s, want dimensions %v (one distance per row)", got, want))
		}
		return out
	}
	dPos := dist(l.anchor, l.positive)
	dNeg := dist(l.anchor, l.negative)
	if l.swap {
		dNeg = Min(dNeg, dist(l.positive, l.negative))
	}
	return reduce(hinge(AddScalar(Sub(dPos, dNeg), l.margin)), l.reduction)
}
