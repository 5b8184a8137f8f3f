package optim

import (
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph"
)

// AdamConfig configures Adam and AdamW; create it with [Adam] or [AdamW] and finish with Done.
type AdamConfig struct {
	name             string
	decoupled        bool
	lr, beta1, beta2 float64
	eps, weightDecay float64
	amsgrad          bool
}

// Adam is Kingma & Ba's Adam (2015) as torch.optim.Adam computes it (chapter 05,
// "05-optimizers"): with g ← g + λ·θ, m ← β₁m + (1−β₁)g, v ← β₂v + (1−β₂)g², then
// θ ← θ − lr/(1−β₁ᵗ) · m / (√v/√(1−β₂ᵗ) + ε) — ε is added after the bias correction of √v.
// Defaults as torch: β = (0.9, 0.999), ε = 1e-8, no weight decay.
func Adam(lr float64) *AdamConfig {
	return &AdamConfig{name: "Adam", lr: lr, beta1: 0.9, beta2: 0.999, eps: 1e-8}
}

// AdamW is Adam with decoupled weight decay (Loshchilov & Hutter 2019) as torch.optim.AdamW
// computes it (chapter 05, "05-optimizers"): first θ ← θ·(1 − lr·λ), then Adam's step, with λ
// kept out of the gradient. torch's default λ is 0.01.
func AdamW(lr float64) *AdamConfig {
	return &AdamConfig{name: "AdamW", decoupled: true, lr: lr, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 1e-2}
}

// Betas sets β₁ and β₂, the decay rates of the first and second moment estimates.
func (c *AdamConfig) Betas(beta1, beta2 float64) *AdamConfig {
	c.beta1, c.beta2 = beta1, beta2
	return c
}

// Eps sets ε, added to the bias-corrected √v.
func (c *AdamConfig) Eps(eps float64) *AdamConfig { c.eps = eps; return c }

// WeightDecay sets λ: an L2 term added to the gradient for Adam, decoupled decay for AdamW.
func (c *AdamConfig) WeightDecay(lambda float64) *AdamConfig { c.weightDecay = lambda; return c }

// AMSGrad switches on the AMSGrad variant (Reddi et al. 2018): the denominator uses the running
// maximum of v instead of v.
func (c *AdamConfig) AMSGrad() *AdamConfig { c.amsgrad = true; return c }

// Done returns the configured optimizer.
func (c *AdamConfig) Done() Optimizer {
	cfg := *c
	scope := Scope + "/adam"
	if cfg.decoupled {
		scope = Scope + "/adamw"
	}
	o := &optimizer{name: cfg.name, scope: scope, lr: cfg.lr}
	o.checkAdam(cfg.lr, cfg.eps, cfg.beta1, cfg.beta2, cfg.weightDecay)
	o.rule = func(u *update, p, grad *Node) *Node {
		g := u.g
		if cfg.decoupled {
			p = Mul(p, u.cast(OneMinus(MulScalar(u.lr, cfg.weightDecay))))
		} else if cfg.weightDecay != 0 {
			grad = Add(grad, Mul(p, u.c(cfg.weightDecay)))
		}
		mVar, vVar := u.state("exp_avg", 0), u.state("exp_avg_sq", 0)
		m := Add(Mul(mVar.ValueGraph(g), u.c(cfg.beta1)), Mul(grad, u.c(1-cfg.beta1)))
		v := Add(Mul(vVar.ValueGraph(g), u.c(cfg.beta2)), Mul(Mul(grad, u.c(1-cfg.beta2)), grad))
		mVar.SetValueGraph(m)
		vVar.SetValueGraph(v)
		if cfg.amsgrad {
			maxVar := u.state("max_exp_avg_sq", 0)
			v = Max(maxVar.ValueGraph(g), v)
			maxVar.SetValueGraph(v)
		}
		// Scalars in float64, as torch computes them in Python.
		bc1 := OneMinus(Pow(Scalar(g, dtypes.Float64, cfg.beta1), u.step))
		bc2 := OneMinus(Pow(Scalar(g, dtypes.Float64, cfg.beta2), u.step))
		stepSize := Div(u.lr, bc1)
		denom := Add(Div(Sqrt(v), u.cast(Sqrt(bc2))), u.c(cfg.eps))
		return Sub(p, Mul(Div(m, denom), u.cast(stepSize)))
	}
	return o
}
