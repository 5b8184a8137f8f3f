package losses

import (
	"math"

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
