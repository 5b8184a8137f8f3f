package optim

import (
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph"
)

// SGDConfig configures SGD; create it with [SGD] and finish with Done.
type SGDConfig struct {
	lr, momentum, dampening, weightDecay float64
	nesterov                             bool
}

// SGD is stochastic gradient descent as torch.optim.SGD computes it (chapter 05, "05-optimizers"):
// with d = g + λ·θ, the momentum buffer is b ← d on the first step and b ← μ·b + (1−τ)·d after,
// the direction is b (or d + μ·b with Nesterov), and θ ← θ − lr·direction.
// Without Momentum it is plain θ ← θ − lr·(g + λ·θ).
func SGD(lr float64) *SGDConfig { return &SGDConfig{lr: lr} }

// Momentum sets μ, the momentum factor (default 0: no momentum buffer).
func (c *SGDConfig) Momentum(mu float64) *SGDConfig { c.momentum = mu; return c }

// Dampening sets τ, which scales new gradients entering the momentum buffer by 1−τ (default 0).
func (c *SGDConfig) Dampening(tau float64) *SGDConfig { c.dampening = tau; return c }

// Nesterov switches on Nesterov momentum; it needs Momentum > 0 and no Dampening, as in torch.
func (c *SGDConfig) Nesterov() *SGDConfig { c.nesterov = true; return c }

// WeightDecay sets λ, the L2 penalty added to the gradient (default 0).
func (c *SGDConfig) WeightDecay(lambda float64) *SGDConfig { c.weightDecay = lambda; return c }

// Done returns the configured optimizer.
func (c *SGDConfig) Done() Optimizer {
	cfg := *c
	o := &optimizer{name: "SGD", scope: Scope + "/sgd", lr: cfg.lr}
	o.check(cfg.lr >= 0, "learning rate %g, want ≥ 0", cfg.lr)
	o.check(cfg.momentum >= 0, "momentum %g, want ≥ 0", cfg.momentum)
	o.check(cfg.weightDecay >= 0, "weight decay %g, want ≥ 0", cfg.weightDecay)
	o.check(!cfg.nesterov || (cfg.momentum > 0 && cfg.dampening == 0),
		"Nesterov momentum needs momentum > 0 and zero dampening, got momentum %g, dampening %g",
		cfg.momentum, cfg.dampening)
	o.rule = func(u *update, p, grad *Node) *Node {
		d := grad
		if cfg.weightDecay != 0 {
			d = Add(d, Mul(p, u.c(cfg.weightDecay)))
		}
		if cfg.momentum != 0 {
			bufVar := u.state("momentum_buffer", 0)
			buf := bufVar.ValueGraph(u.g)
			// torch starts the buffer at the first direction itself, undamped.
			first := Equal(u.step, Scalar(u.g, dtypes.Float64, 1))
			buf = Where(first, d, Add(Mul(buf, u.c(cfg.momentum)), Mul(d, u.c(1-cfg.dampening))))
			bufVar.SetValueGraph(buf)
			if cfg.nesterov {
				d = Add(d, Mul(buf, u.c(cfg.momentum)))
			} else {
				d = buf
			}
		}
		return Sub(p, Mul(d, u.cast(u.lr)))
	}
	return o
}
