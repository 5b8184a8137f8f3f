package optim

import (
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph"
)

// AdamaxConfig configures AdaMax; create it with [Adamax] and finish with Done.
type AdamaxConfig struct {
	lr, beta1, beta2, eps, weightDecay float64
}

// Adamax is AdaMax, the infinity-norm variant of Adam (Kingma & Ba 2015, §7.1), as
// torch.optim.Adamax computes it (chapter 05, "05-optimizers"): with g ← g + λ·θ,
// m ← β₁m + (1−β₁)g, u ← max(β₂u, |g| + ε), then θ ← θ − lr/(1−β₁ᵗ) · m/u. The running maximum u
// needs no bias correction. Defaults as torch: lr = 0.002 is the paper's, β = (0.9, 0.999),
// ε = 1e-8, no weight decay.
func Adamax(lr float64) *AdamaxConfig {
	return &AdamaxConfig{lr: lr, beta1: 0.9, beta2: 0.999, eps: 1e-8}
}

// Betas sets β₁ and β₂, the decay rates of the first moment and of the infinity norm.
func (c *AdamaxConfig) Betas(beta1, beta2 float64) *AdamaxConfig {
	c.beta1, c.beta2 = beta1, beta2
	return c
}

// Eps sets ε, added to |g| before the maximum (so u is never 0).
func (c *AdamaxConfig) Eps(eps float64) *AdamaxConfig { c.eps = eps; return c }

// WeightDecay sets λ, the L2 penalty added to the gradient.
func (c *AdamaxConfig) WeightDecay(lambda float64) *AdamaxConfig { c.weightDecay = lambda; return c }

// Done returns the configured optimizer.
func (c *AdamaxConfig) Done() Optimizer {
	cfg := *c
	o := &optimizer{name: "Adamax", scope: Scope + "/adamax", lr: cfg.lr}
	o.checkAdam(cfg.lr, cfg.eps, cfg.beta1, cfg.beta2, cfg.weightDecay)
	o.rule = func(u *update, p, grad *Node) *Node {
		g := u.g
		if cfg.weightDecay != 0 {
			grad = Add(grad, Mul(p, u.c(cfg.weightDecay)))
		}
		mVar, infVar := u.state("exp_avg", 0), u.state("exp_inf", 0)
		m := Add(Mul(mVar.ValueGraph(g), u.c(cfg.beta1)), Mul(grad, u.c(1-cfg.beta1)))
		inf := Max(Mul(infVar.ValueGraph(g), u.c(cfg.beta2)), Add(Abs(grad), u.c(cfg.eps)))
		mVar.SetValueGraph(m)
		infVar.SetValueGraph(inf)
		// The step size in float64, as torch computes it in Python.
		clr := Div(u.lr, OneMinus(Pow(Scalar(g, dtypes.Float64, cfg.beta1), u.step)))
		return Sub(p, Mul(Div(m, inf), u.cast(clr)))
	}
	return o
}
