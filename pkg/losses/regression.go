package losses

import (
	"math"
	"slices"

	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive
)

// L1Loss is the builder that L1 returns.
type L1Loss struct {
	base
	input, target *Node
}

// L1 is torch's l1_loss, the mean absolute error: ℓ = |x − y|, per element. It is for
// regression where outliers should pull less than they do under MSE. Input and target are
// floats of the same shape. Chapter 06 ("06-losses").
func L1(input, target *Node) *L1Loss {
	return &L1Loss{base: base{name: "L1"}, input: input, target: target}
}

// Reduction sets how the per-element losses combine; the default is Mean.
func (l *L1Loss) Reduction(r Reduction) *L1Loss { l.setReduction(r); return l }

// Validate reports what Done would panic with: input and target must be floats of one shape.
func (l *L1Loss) Validate() error {
	return l.check(false, l.isFloat("input", l.input), l.isFloat("target", l.target),
		l.sameShape("input", l.input, "target", l.target, true))
}

// Done builds the loss. Its gradient at x = y is 0, as torch's sign(0).
func (l *L1Loss) Done() *Node {
	must(l.Validate())
	return reduce(absSign(Sub(l.input, l.target)), l.reduction)
}

// MSELoss is the builder that MSE returns.
type MSELoss struct {
	base
	input, target *Node
}

// MSE is torch's mse_loss, the mean squared error: ℓ = (x − y)², per element. It is the
// default loss for regression. Input and target are floats of the same shape.
// Chapter 06 ("06-losses").
func MSE(input, target *Node) *MSELoss {
	return &MSELoss{base: base{name: "MSE"}, input: input, target: target}
}

// Reduction sets how the per-element losses combine; the default is Mean.
func (l *MSELoss) Reduction(r Reduction) *MSELoss { l.setReduction(r); return l }

// Validate reports what Done would panic with: input and target must be floats of one shape.
func (l *MSELoss) Validate() error {
	return l.check(false, l.isFloat("input", l.input), l.isFloat("target", l.target),
		l.sameShape("input", l.input, "target", l.target, true))
}

// Done builds the loss.
func (l *MSELoss) Done() *Node {
	must(l.Validate())
	return reduce(Square(Sub(l.input, l.target)), l.reduction)
}

// SmoothL1Loss is the builder that SmoothL1 returns.
type SmoothL1Loss struct {
	base
	input, target *Node
	beta          float64
}

// SmoothL1 is torch's smooth_l1_loss: with d = x − y, ℓ = d²/(2β) where |d| < β, else
// |d| − β/2. It is quadratic near the target and linear far from it, so outliers pull less
// (Fast R-CNN's box regression loss). β = 0 gives L1, with L1's gradient of 0 where x = y
// (torch 1.13's smooth_l1_loss kernel gives −1 there; the goldens leave that point out). Input and target are floats of the same
// shape. Chapter 06 ("06-losses").
func SmoothL1(input, target *Node) *SmoothL1Loss {
	return &SmoothL1Loss{base: base{name: "SmoothL1"}, input: input, target: target, beta: 1}
}

// Reduction sets how the per-element losses combine; the default is Mean.
func (l *SmoothL1Loss) Reduction(r Reduction) *SmoothL1Loss { l.setReduction(r); return l }

// Beta sets where the loss turns from quadratic to linear (default 1, torch's); it must be ≥ 0.
func (l *SmoothL1Loss) Beta(beta float64) *SmoothL1Loss {
	if !(beta >= 0) {
		l.badOption("beta = %g, want beta ≥ 0", beta)
	}
	l.beta = beta
	return l
}

// Validate reports what Done would panic with: input and target must be floats of one shape.
func (l *SmoothL1Loss) Validate() error {
	return l.check(false, l.isFloat("input", l.input), l.isFloat("target", l.target),
		l.sameShape("input", l.input, "target", l.target, true))
}

// Done builds the loss.
func (l *SmoothL1Loss) Done() *Node {
	must(l.Validate())
	d := Sub(l.input, l.target)
	if l.beta == 0 {
		return reduce(absSign(d), l.reduction) // torch's special case: plain L1
	}
	ad := Abs(d)
	quadratic := MulScalar(Square(d), 0.5/l.beta)
	linear := AddScalar(ad, -0.5*l.beta)
	return reduce(Where(LessThan(ad, ConstAs(ad, l.beta)), quadratic, linear), l.reduction)
}

// PoissonNLLLoss is the builder that PoissonNLL returns.
type PoissonNLLLoss struct {
	base
	input, target  *Node
	logInput, full bool
	eps            float64
}

// PoissonNLL is torch's poisson_nll_loss, the negative log-likelihood of counts y under a
// Poisson distribution with rate λ: ℓ = e^x − y·x when the input is log λ (the default), or
// ℓ = x − y·log(x + eps) when it is λ itself (LogInput(false)). It is for predicting counts.
// Full adds Stirling's approximation of log(y!), y·log y − y + ½·log(2πy), for y > 1.
// Input and target are floats of the same shape. Chapter 06 ("06-losses").
func PoissonNLL(input, target *Node) *PoissonNLLLoss {
	return &PoissonNLLLoss{base: base{name: "PoissonNLL"}, input: input, target: target, logInput: true, eps: 1e-8}
}

// Reduction sets how the per-element losses combine; the default is Mean.
func (l *PoissonNLLLoss) Reduction(r Reduction) *PoissonNLLLoss { l.setReduction(r); return l }

// LogInput says whether the input is the log of the rate (true, the default) or the rate.
func (l *PoissonNLLLoss) LogInput(logInput bool) *PoissonNLLLoss { l.logInput = logInput; return l }

// Full adds the Stirling term, making the loss the full negative log-likelihood (default false).
func (l *PoissonNLLLoss) Full(full bool) *PoissonNLLLoss { l.full = full; return l }

// Eps sets what is added to a rate before its log when LogInput is false (default 1e-8).
func (l *PoissonNLLLoss) Eps(eps float64) *PoissonNLLLoss { l.eps = eps; return l }

// Validate reports what Done would panic with: input and target must be floats of one shape.
func (l *PoissonNLLLoss) Validate() error {
	return l.check(false, l.isFloat("input", l.input), l.isFloat("target", l.target),
		l.sameShape("input", l.input, "target", l.target, true))
}

// Done builds the loss.
func (l *PoissonNLLLoss) Done() *Node {
	must(l.Validate())
	x, y := l.input, l.target
	var loss *Node
	if l.logInput {
		loss = Sub(Exp(x), Mul(y, x))
	} else {
		loss = Sub(x, Mul(y, Log(AddScalar(x, l.eps))))
	}
	if l.full {
		one := OnesLike(y)
		safe := Max(y, one) // the term is masked to 0 for y ≤ 1; keep its log finite there
		stirling := Add(Sub(Mul(safe, Log(safe)), safe), MulScalar(Log(MulScalar(safe, 2*math.Pi)), 0.5))
		loss = Add(loss, Where(GreaterThan(y, one), stirling, ZerosLike(y)))
	}
	return reduce(loss, l.reduction)
}

// KLDivLoss is the builder that KLDiv returns.
type KLDivLoss struct {
	base
	input, target *Node
	logTarget     bool
}

// KLDiv is torch's kl_div, the Kullback–Leibler divergence of the input distribution from the
// target one: ℓ = y·(log y − x) per element, where the input x holds log-probabilities and the
// target y probabilities (or, with LogTarget(true), log-probabilities: ℓ = e^y·(y − x)). It is
// for matching a distribution, as in knowledge distillation; use Reduction(BatchMean) for the
// divergence itself — torch's default Mean also divides by the number of classes.
// Input and target are floats of the same shape. Chapter 06 ("06-losses").
func KLDiv(input, target *Node) *KLDivLoss {
	return &KLDivLoss{base: base{name: "KLDiv"}, input: input, target: target}
}

// Reduction sets how the per-element losses combine: Mean (the default), Sum, None or
// BatchMean (the sum divided by the size of axis 0).
func (l *KLDivLoss) Reduction(r Reduction) *KLDivLoss { l.setReduction(r); return l }

// LogTarget says that the target holds log-probabilities (default false).
func (l *KLDivLoss) LogTarget(logTarget bool) *KLDivLoss { l.logTarget = logTarget; return l }

// Validate reports what Done would panic with: input and target must be floats of one shape.
func (l *KLDivLoss) Validate() error {
	return l.check(true, l.isFloat("input", l.input), l.isFloat("target", l.target),
		l.sameShape("input", l.input, "target", l.target, true))
}

// Done builds the loss. A target of 0 adds 0 (torch's xlogy), a negative one NaN.
func (l *KLDivLoss) Done() *Node {
	must(l.Validate())
	x, y := l.input, l.target
	var loss *Node
	if l.logTarget {
		loss = Mul(Exp(y), Sub(y, x))
	} else {
		zero := IsZero(y)
		safe := Where(zero, OnesLike(y), y) // keeps 0·log 0 and its gradient out of NaN
		xlogy := Where(zero, ZerosLike(y), Mul(y, Log(safe)))
		loss = Sub(xlogy, Mul(y, x))
	}
	if l.reduction == BatchMean {
		sum := ReduceAllSum(loss)
		if x.Rank() == 0 {
			return sum
		}
		return DivScalar(sum, float64(x.Shape().Dimensions[0]))
	}
	return reduce(loss, l.reduction)
}

// HuberLoss is the builder that Huber returns.
type HuberLoss struct {
	base
	input, target *Node
	delta         float64
}

// Huber is torch's huber_loss: with d = x − y, ℓ = d²/2 where |d| < δ, else δ·(|d| − δ/2).
// It is smooth L1 scaled by its threshold, Huber = β·SmoothL1 with β = δ: the same shape, but
// its linear part has slope δ rather than 1, so δ sets how hard outliers pull. Input and
// target are floats of the same shape. Chapter 06 ("06-losses").
func Huber(input, target *Node) *HuberLoss {
	return &HuberLoss{base: base{name: "Huber"}, input: input, target: target, delta: 1}
}

// Reduction sets how the per-element losses combine; the default is Mean.
func (l *HuberLoss) Reduction(r Reduction) *HuberLoss { l.setReduction(r); return l }

// Delta sets where the loss turns from quadratic to linear (default 1, torch's); it must be > 0.
func (l *HuberLoss) Delta(delta float64) *HuberLoss {
	if !(delta > 0) {
		l.badOption("delta = %g, want delta > 0", delta)
	}
	l.delta = delta
	return l
}

// Validate reports what Done would panic with: input and target must be floats of one shape.
func (l *HuberLoss) Validate() error {
	return l.check(false, l.isFloat("input", l.input), l.isFloat("target", l.target),
		l.sameShape("input", l.input, "target", l.target, true))
}

// Done builds the loss.
func (l *HuberLoss) Done() *Node {
	must(l.Validate())
	d := Sub(l.input, l.target)
	ad := Abs(d)
	quadratic := MulScalar(Square(d), 0.5)
	linear := MulScalar(AddScalar(ad, -0.5*l.delta), l.delta)
	return reduce(Where(LessThan(ad, ConstAs(ad, l.delta)), quadratic, linear), l.reduction)
}

// GaussianNLLLoss is the builder that GaussianNLL returns.
type GaussianNLLLoss struct {
	base
	input, target, variance *Node
	full                    bool
	eps                     float64
}

// GaussianNLL is torch's gaussian_nll_loss, the negative log-likelihood of a target y under
// a Gaussian whose mean x and variance σ² the network predicts: ℓ = ½·(log σ² + (x − y)²/σ²).
// It is for regression that also says how sure it is. Input and target are floats of one
// shape; the variance has that shape, or it without the last axis, or with a last axis of 1
// (one variance for all of an example's outputs). A negative variance makes the loss NaN
// (torch refuses it; its values are known only when the graph runs).
// Chapter 06 ("06-losses").
func GaussianNLL(input, target, variance *Node) *GaussianNLLLoss {
	return &GaussianNLLLoss{base: base{name: "GaussianNLL"}, input: input, target: target,
		variance: variance, eps: 1e-6}
}

// Reduction sets how the per-element losses combine; the default is Mean.
func (l *GaussianNLLLoss) Reduction(r Reduction) *GaussianNLLLoss { l.setReduction(r); return l }

// Full adds the constant ½·log 2π, making the loss the full negative log-likelihood
// (default false).
func (l *GaussianNLLLoss) Full(full bool) *GaussianNLLLoss { l.full = full; return l }

// Eps sets the smallest variance used (default 1e-6); smaller ones are raised to it, with the
// gradient passed through unchanged, as torch's no_grad clamp does. It must be > 0.
func (l *GaussianNLLLoss) Eps(eps float64) *GaussianNLLLoss {
	if !(eps > 0) {
		l.badOption("eps = %g, want eps > 0", eps)
	}
	l.eps = eps
	return l
}

// Validate reports what Done would panic with: input, target and variance must be floats of
// one dtype, input and target of one shape, the variance of a shape torch accepts.
func (l *GaussianNLLLoss) Validate() error {
	return l.check(false, l.isFloat("input", l.input), l.isFloat("target", l.target),
		l.isFloat("variance", l.variance), l.sameShape("input", l.input, "target", l.target, true),
		func() error {
			if l.variance.DType() != l.input.DType() {
				return l.errorf("variance dtype %s does not match input dtype %s", l.variance.DType(), l.input.DType())
			}
			in, v := dims(l.input), dims(l.variance)
			if slices.Equal(v, in) || (len(in) > 0 && slices.Equal(v, in[:len(in)-1])) ||
				(len(in) > 0 && len(v) == len(in) && slices.Equal(v[:len(v)-1], in[:len(in)-1]) && v[len(v)-1] == 1) {
				return nil
			}
			return l.errorf("variance shape %s does not fit input shape %s: want the input's shape, "+
				"or it without its last axis, or with a last axis of 1", l.variance.Shape(), l.input.Shape())
		})
}

// Done builds the loss.
func (l *GaussianNLLLoss) Done() *Node {
	must(l.Validate())
	x, v := l.input, l.variance
	if v.Rank() < x.Rank() {
		v = InsertAxes(v, -1)
	}
	v = BroadcastToDims(v, dims(x)...)
	clamped := Add(v, StopGradient(Sub(Max(v, ConstAs(v, l.eps)), v)))
	loss := MulScalar(Add(Log(clamped), Div(Square(Sub(x, l.target)), clamped)), 0.5)
	if l.full {
		loss = AddScalar(loss, 0.5*math.Log(2*math.Pi))
	}
	loss = Where(LessThan(v, ZerosLike(v)), BroadcastToDims(nan(loss), dims(loss)...), loss)
	return reduce(loss, l.reduction)
}
