package optim

import (
	. "github.com/gomlx/gomlx/pkg/core/graph"
)

// AdagradConfig configures Adagrad; create it with [Adagrad] and finish with Done.
type AdagradConfig struct {
	lr, lrDecay, weightDecay, initialAccumulator, eps float64
}

// Adagrad is Duchi et al.'s AdaGrad (2011) as torch.optim.Adagrad computes it (chapter 05,
// "05-optimizers"): with g ← g + λ·θ, the sum s ← s + g², and
// θ ← θ − lr/(1 + (t−1)·lr_decay) · g / (√s + ε).
// Defaults as torch: no decay, s starts at 0, ε = 1e-10.
func Adagrad(lr float64) *AdagradConfig { return &AdagradConfig{lr: lr, eps: 1e-10} }

// LRDecay sets the learning-rate decay: step t uses lr/(1 + (t−1)·decay).
func (c *AdagradConfig) LRDecay(decay float64) *AdagradConfig { c.lrDecay = decay; return c }

// WeightDecay sets λ, the L2 penalty added to the gradient.
func (c *AdagradConfig) WeightDecay(lambda float64) *AdagradConfig { c.weightDecay = lambda; return c }

// InitialAccumulatorValue sets the starting value of the sum of squared gradients.
func (c *AdagradConfig) InitialAccumulatorValue(s0 float64) *AdagradConfig {
	c.initialAccumulator = s0
	return c
}

// Eps sets ε, added to √s.
func (c *AdagradConfig) Eps(eps float64) *AdagradConfig { c.eps = eps; return c }

// Done returns the configured optimizer.
func (c *AdagradConfig) Done() Optimizer {
	cfg := *c
	o := &optimizer{name: "Adagrad", scope: Scope + "/adagrad", lr: cfg.lr}
	o.check(cfg.lr >= 0, "learning rate %g, want ≥ 0", cfg.lr)
	o.check(cfg.lrDecay >= 0, "lr decay %g, want ≥ 0", cfg.lrDecay)
	o.check(cfg.weightDecay >= 0, "weight decay %g, want ≥ 0", cfg.weightDecay)
	o.check(cfg.initialAccumulator >= 0, "initial accumulator value %g, want ≥ 0", cfg.initialAccumulator)
	o.check(cfg.eps >= 0, "eps %g, want ≥ 0", cfg.eps)
	o.rule = func(u *update, p, grad *Node) *Node {
		if cfg.weightDecay != 0 {
			grad = Add(grad, Mul(p, u.c(cfg.weightDecay)))
		}
		clr := Div(u.lr, OnePlus(MulScalar(AddScalar(u.step, -1), cfg.lrDecay)))
		sumVar := u.state("sum", cfg.initialAccumulator)
		sum := Add(sumVar.ValueGraph(u.g), Mul(grad, grad))
		sumVar.SetValueGraph(sum)
		std := Add(Sqrt(sum), u.c(cfg.eps))
		return Sub(p, Mul(Div(grad, std), u.cast(clr)))
	}
	return o
}

// RMSpropConfig configures RMSprop; create it with [RMSprop] and finish with Done.
type RMSpropConfig struct {
	lr, alpha, eps, weightDecay, momentum float64
	centered                              bool
}

// RMSprop is Hinton's RMSProp as torch.optim.RMSprop computes it (chapter 05, "05-optimizers"):
// with g ← g + λ·θ, the average v ← α·v + (1−α)·g², the denominator σ = √v + ε (or, centered,
// √(v − ḡ²) + ε with ḡ ← α·ḡ + (1−α)·g), and θ ← θ − lr·g/σ; with momentum μ the step goes
// through a buffer b ← μ·b + g/σ, θ ← θ − lr·b. Defaults as torch: α = 0.99, ε = 1e-8.
func RMSprop(lr float64) *RMSpropConfig { return &RMSpropConfig{lr: lr, alpha: 0.99, eps: 1e-8} }

// Alpha sets α, the decay rate of the squared-gradient average.
func (c *RMSpropConfig) Alpha(alpha float64) *RMSpropConfig { c.alpha = alpha; return c }

// Eps sets ε, added to the root of the average.
func (c *RMSpropConfig) Eps(eps float64) *RMSpropConfig { c.eps = eps; return c }

// WeightDecay sets λ, the L2 penalty added to the gradient.
func (c *RMSpropConfig) WeightDecay(lambda float64) *RMSpropConfig { c.weightDecay = lambda; return c }

// Momentum sets μ, the momentum factor (default 0).
func (c *RMSpropConfig) Momentum(mu float64) *RMSpropConfig { c.momentum = mu; return c }

// Centered normalises by an estimate of the gradient's variance instead of its second moment.
func (c *RMSpropConfig) Centered() *RMSpropConfig { c.centered = true; return c }

// Done returns the configured optimizer.
func (c *RMSpropConfig) Done() Optimizer {
	cfg := *c
	o := &optimizer{name: "RMSprop", scope: Scope + "/rmsprop", lr: cfg.lr}
	o.check(cfg.lr >= 0, "learning rate %g, want ≥ 0", cfg.lr)
	o.check(cfg.eps >= 0, "eps %g, want ≥ 0", cfg.eps)
	o.check(cfg.momentum >= 0, "momentum %g, want ≥ 0", cfg.momentum)
	o.check(cfg.weightDecay >= 0, "weight decay %g, want ≥ 0", cfg.weightDecay)
	o.check(cfg.alpha >= 0, "alpha %g, want ≥ 0", cfg.alpha)
	o.rule = func(u *update, p, grad *Node) *Node {
		g := u.g
		if cfg.weightDecay != 0 {
			grad = Add(grad, Mul(p, u.c(cfg.weightDecay)))
		}
		sqVar := u.state("square_avg", 0)
		sq := Add(Mul(sqVar.ValueGraph(g), u.c(cfg.alpha)), Mul(Mul(grad, u.c(1-cfg.alpha)), grad))
		sqVar.SetValueGraph(sq)
		var avg *Node
		if cfg.centered {
			gaVar := u.state("grad_avg", 0)
			ga := Add(Mul(gaVar.ValueGraph(g), u.c(cfg.alpha)), Mul(grad, u.c(1-cfg.alpha)))
			gaVar.SetValueGraph(ga)
			avg = Sqrt(Sub(sq, Mul(ga, ga)))
		} else {
			avg = Sqrt(sq)
		}
		avg = Add(avg, u.c(cfg.eps))
		if cfg.momentum > 0 {
			bufVar := u.state("momentum_buffer", 0)
			buf := Add(Mul(bufVar.ValueGraph(g), u.c(cfg.momentum)), Div(grad, avg))
			bufVar.SetValueGraph(buf)
			return Sub(p, Mul(buf, u.cast(u.lr)))
		}
		return Sub(p, Mul(Div(grad, avg), u.cast(u.lr)))
	}
	return o
}

// AdadeltaConfig configures Adadelta; create it with [Adadelta] and finish with Done.
type AdadeltaConfig struct {
	lr, rho, eps, weightDecay float64
}

// Adadelta is Zeiler's ADADELTA (2012) as torch.optim.Adadelta computes it (chapter 05,
// "05-optimizers"): with g ← g + λ·θ, v ← ρ·v + (1−ρ)·g², Δ = √(u + ε)/√(v + ε) · g,
// u ← ρ·u + (1−ρ)·Δ², and θ ← θ − lr·Δ. Defaults as torch: ρ = 0.9, ε = 1e-6; torch's
// default lr, and pytorch/examples' MNIST setting, is 1.0.
func Adadelta(lr float64) *AdadeltaConfig { return &AdadeltaConfig{lr: lr, rho: 0.9, eps: 1e-6} }

// Rho sets ρ, the decay rate of both running averages.
func (c *AdadeltaConfig) Rho(rho float64) *AdadeltaConfig { c.rho = rho; return c }

// Eps sets ε, added inside both square roots.
func (c *AdadeltaConfig) Eps(eps float64) *AdadeltaConfig { c.eps = eps; return c }

// WeightDecay sets λ, the L2 penalty added to the gradient.
func (c *AdadeltaConfig) WeightDecay(lambda float64) *AdadeltaConfig {
	c.weightDecay = lambda
	return c
}

// Done returns the configured optimizer.
func (c *AdadeltaConfig) Done() Optimizer {
	cfg := *c
	o := &optimizer{name: "Adadelta", scope: Scope + "/adadelta", lr: cfg.lr}
	o.check(cfg.lr >= 0, "learning rate %g, want ≥ 0", cfg.lr)
	o.check(cfg.rho >= 0 && cfg.rho <= 1, "rho %g, want in [0, 1]", cfg.rho)
	o.check(cfg.eps >= 0, "eps %g, want ≥ 0", cfg.eps)
	o.check(cfg.weightDecay >= 0, "weight decay %g, want ≥ 0", cfg.weightDecay)
	o.rule = func(u *update, p, grad *Node) *Node {
		g := u.g
		if cfg.weightDecay != 0 {
			grad = Add(grad, Mul(p, u.c(cfg.weightDecay)))
		}
		sqVar, accVar := u.state("square_avg", 0), u.state("acc_delta", 0)
		sq := Add(Mul(sqVar.ValueGraph(g), u.c(cfg.rho)), Mul(Mul(grad, u.c(1-cfg.rho)), grad))
		sqVar.SetValueGraph(sq)
		eps := u.c(cfg.eps)
		std := Sqrt(Add(sq, eps))
		acc := accVar.ValueGraph(g)
		delta := Mul(Div(Sqrt(Add(acc, eps)), std), grad)
		accVar.SetValueGraph(Add(Mul(acc, u.c(cfg.rho)), Mul(Mul(delta, u.c(1-cfg.rho)), delta)))
		return Sub(p, Mul(delta, u.cast(u.lr)))
	}
	return o
}
