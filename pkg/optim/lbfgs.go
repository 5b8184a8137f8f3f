package optim

import (
	"errors"
	"fmt"
	"math"
)

// Func is an objective over a flat parameter vector: the loss at x and its gradient (of len(x)).
// [Objective.Eval] is one for a GoMLX context's variables.
type Func func(x []float64) (loss float64, grad []float64, err error)

// LBFGSConfig configures L-BFGS; create it with [LBFGS] and finish with Done.
type LBFGSConfig struct {
	lr              float64
	maxIter         int
	maxEval         int // 0: maxIter·5/4
	toleranceGrad   float64
	toleranceChange float64
	historySize     int
	lineSearch      string
}

// LBFGS is limited-memory BFGS as torch.optim.LBFGS computes it (chapter 05, "05-optimizers"):
// each Step runs up to MaxIter iterations of θ ← θ + t·d, where d = −H·g comes from the
// two-loop recursion over the last HistorySize pairs (s, y) with H₀ = sᵀy/yᵀy, and t is lr
// (min(1, 1/‖g‖₁)·lr on the very first iteration) or, with StrongWolfe, found by torch's
// strong-Wolfe line search with cubic interpolation.
//
// It needs the loss re-evaluated several times per step, so unlike the graph optimizers it
// runs on the host, in float64, over a [Func] (or a context's variables through [Objective]).
// Defaults as torch: MaxIter 20, ToleranceGrad 1e-7, ToleranceChange 1e-9, HistorySize 100.
func LBFGS(lr float64) *LBFGSConfig {
	return &LBFGSConfig{lr: lr, maxIter: 20, toleranceGrad: 1e-7, toleranceChange: 1e-9, historySize: 100}
}

// MaxIter sets the most iterations one Step takes.
func (c *LBFGSConfig) MaxIter(n int) *LBFGSConfig { c.maxIter = n; return c }

// MaxEval sets the most loss evaluations one Step makes (default MaxIter·5/4).
func (c *LBFGSConfig) MaxEval(n int) *LBFGSConfig { c.maxEval = n; return c }

// ToleranceGrad stops a Step once max|gᵢ| ≤ tol.
func (c *LBFGSConfig) ToleranceGrad(tol float64) *LBFGSConfig { c.toleranceGrad = tol; return c }

// ToleranceChange stops a Step once the loss or the parameters change by less than tol.
func (c *LBFGSConfig) ToleranceChange(tol float64) *LBFGSConfig { c.toleranceChange = tol; return c }

// HistorySize sets how many (s, y) pairs approximate the inverse Hessian.
func (c *LBFGSConfig) HistorySize(n int) *LBFGSConfig { c.historySize = n; return c }

// StrongWolfe chooses the step length by torch's strong-Wolfe line search instead of a fixed lr.
func (c *LBFGSConfig) StrongWolfe() *LBFGSConfig { c.lineSearch = "strong_wolfe"; return c }

// LineSearch sets the line search by torch's name: "" (none, a fixed step) or "strong_wolfe".
func (c *LBFGSConfig) LineSearch(name string) *LBFGSConfig { c.lineSearch = name; return c }

// Done returns an L-BFGS optimizer with empty history.
func (c *LBFGSConfig) Done() *LBFGSOptimizer {
	cfg := *c
	if cfg.maxEval == 0 {
		cfg.maxEval = cfg.maxIter * 5 / 4
	}
	o := &LBFGSOptimizer{cfg: cfg}
	switch {
	case cfg.lr <= 0 || math.IsNaN(cfg.lr):
		o.err = fmt.Errorf("optim: LBFGS: learning rate %g, want > 0", cfg.lr)
	case cfg.maxIter < 1:
		o.err = fmt.Errorf("optim: LBFGS: max iter %d, want ≥ 1", cfg.maxIter)
	case cfg.maxEval < 1:
		o.err = fmt.Errorf("optim: LBFGS: max eval %d, want ≥ 1", cfg.maxEval)
	case cfg.historySize < 1:
		o.err = fmt.Errorf("optim: LBFGS: history size %d, want ≥ 1", cfg.historySize)
	case cfg.lineSearch != "" && cfg.lineSearch != "strong_wolfe":
		o.err = fmt.Errorf("optim: LBFGS: line search %q, want \"\" or \"strong_wolfe\"", cfg.lineSearch)
	}
	return o
}

// LBFGSOptimizer holds L-BFGS's state between steps, as torch keeps it in optimizer.state.
type LBFGSOptimizer struct {
	cfg LBFGSConfig
	err error

	funcEvals, nIter int
	d                []float64
	t                float64
	oldDirs, oldStps [][]float64 // y and s pairs, oldest first
	ro               []float64
	hDiag            float64
	prevFlatGrad     []float64
	prevLoss         float64
}

// Err returns the first invalid setting, or nil; Step returns it too.
func (o *LBFGSOptimizer) Err() error { return o.err }

// FuncEvals returns how many times Step has evaluated the objective so far.
func (o *LBFGSOptimizer) FuncEvals() int { return o.funcEvals }

// Iterations returns how many L-BFGS iterations Step has taken so far.
func (o *LBFGSOptimizer) Iterations() int { return o.nIter }

// Reset forgets the history, so the next Step starts as a fresh optimizer.
func (o *LBFGSOptimizer) Reset() { *o = LBFGSOptimizer{cfg: o.cfg, err: o.err} }

// Step runs one torch LBFGS.step(closure): up to MaxIter iterations that update x in place. It
// returns the loss at x as it was when Step was called.
func (o *LBFGSOptimizer) Step(f Func, x []float64) (float64, error) {
	if o.err != nil {
		return 0, o.err
	}
	if len(x) == 0 {
		return 0, errors.New("optim: LBFGS: no parameters")
	}
	if o.d != nil && len(o.d) != len(x) {
		return 0, fmt.Errorf("optim: LBFGS: %d parameters, but the history has %d", len(x), len(o.d))
	}
	eval := func(at []float64) (float64, []float64, error) {
		loss, grad, err := f(at)
		if err != nil {
			return 0, nil, fmt.Errorf("optim: LBFGS: evaluating the objective: %w", err)
		}
		if len(grad) != len(at) {
			return 0, nil, fmt.Errorf("optim: LBFGS: objective returned %d gradient values for %d parameters", len(grad), len(at))
		}
		// Copied: the line search keeps gradients while f may reuse its buffer.
		return loss, append([]float64(nil), grad...), nil
	}
	cfg := o.cfg

	origLoss, flatGrad, err := eval(x)
	if err != nil {
		return 0, err
	}
	loss := origLoss
	currentEvals := 1
	o.funcEvals++
	if maxAbs(flatGrad) <= cfg.toleranceGrad {
		return origLoss, nil
	}

	for nIter := 1; nIter <= cfg.maxIter; nIter++ {
		o.nIter++

		// Direction.
		if o.nIter == 1 {
			o.d = scaled(flatGrad, -1)
			o.oldDirs, o.oldStps, o.ro = nil, nil, nil
			o.hDiag = 1
		} else {
			y := make([]float64, len(x))
			for i := range y {
				y[i] = flatGrad[i] - o.prevFlatGrad[i]
			}
			s := scaled(o.d, o.t)
			ys := dot(y, s)
			if ys > 1e-10 {
				if len(o.oldDirs) == cfg.historySize {
					o.oldDirs, o.oldStps, o.ro = o.oldDirs[1:], o.oldStps[1:], o.ro[1:]
				}
				o.oldDirs = append(o.oldDirs, y)
				o.oldStps = append(o.oldStps, s)
				o.ro = append(o.ro, 1/ys)
				o.hDiag = ys / dot(y, y)
			}
			// Two-loop recursion: d = −H·g.
			num := len(o.oldDirs)
			al := make([]float64, num)
			q := scaled(flatGrad, -1)
			for i := num - 1; i >= 0; i-- {
				al[i] = dot(o.oldStps[i], q) * o.ro[i]
				axpy(-al[i], o.oldDirs[i], q)
			}
			r := scaled(q, o.hDiag)
			for i := 0; i < num; i++ {
				be := dot(o.oldDirs[i], r) * o.ro[i]
				axpy(al[i]-be, o.oldStps[i], r)
			}
			o.d = r
		}
		o.prevFlatGrad = append(o.prevFlatGrad[:0], flatGrad...)
		o.prevLoss = loss

		// Step length.
		if o.nIter == 1 {
			o.t = pyMin(1, 1/sumAbs(flatGrad)) * cfg.lr
		} else {
			o.t = cfg.lr
		}
		gtd := dot(flatGrad, o.d)
		if gtd > -cfg.toleranceChange {
			break
		}

		lsEvals := 0
		optCond := false
		if cfg.lineSearch == "strong_wolfe" {
			xInit := append([]float64(nil), x...)
			trial := make([]float64, len(x))
			obj := func(t float64) (float64, []float64, error) {
				for i := range trial {
					trial[i] = xInit[i] + t*o.d[i]
				}
				return eval(trial)
			}
			var t float64
			loss, flatGrad, t, lsEvals, err = strongWolfe(obj, o.t, o.d, loss, flatGrad, gtd)
			o.funcEvals += lsEvals
			if err != nil {
				return 0, err
			}
			o.t = t
			axpy(o.t, o.d, x)
			optCond = maxAbs(flatGrad) <= cfg.toleranceGrad
		} else {
			axpy(o.t, o.d, x)
			if nIter != cfg.maxIter {
				// torch skips this evaluation on the last iteration: the next Step makes it.
				loss, flatGrad, err = eval(x)
				o.funcEvals++
				if err != nil {
					return 0, err
				}
				optCond = maxAbs(flatGrad) <= cfg.toleranceGrad
				lsEvals = 1
			}
		}
		currentEvals += lsEvals

		if nIter == cfg.maxIter || currentEvals >= cfg.maxEval || optCond {
			break
		}
		if maxAbsScaled(o.d, o.t) <= cfg.toleranceChange {
			break
		}
		if math.Abs(loss-o.prevLoss) < cfg.toleranceChange {
			break
		}
	}
	return origLoss, nil
}

// strongWolfe is torch's _strong_wolfe (a port of minFunc's lswolfe): bracket a step satisfying
// the strong Wolfe conditions, then zoom in with cubic interpolation. It returns the loss,
// gradient and step at the chosen point, and how many evaluations it made.
func strongWolfe(obj func(t float64) (float64, []float64, error), t float64, d []float64,
	f float64, g []float64, gtd float64) (float64, []float64, float64, int, error) {
	const c1, c2, toleranceChange, maxLS = 1e-4, 0.9, 1e-9, 25
	dNorm := maxAbs(d)
	fNew, gNew, err := obj(t)
	if err != nil {
		return 0, nil, 0, 1, err
	}
	evals := 1
	gtdNew := dot(gNew, d)

	tPrev, fPrev, gPrev, gtdPrev := 0.0, f, g, gtd
	done := false
	lsIter := 0
	var bracket, bracketF, bracketGtd []float64
	var bracketG [][]float64
	for lsIter < maxLS {
		if fNew > f+c1*t*gtd || (lsIter > 1 && fNew >= fPrev) {
			bracket, bracketF = []float64{tPrev, t}, []float64{fPrev, fNew}
			bracketG, bracketGtd = [][]float64{gPrev, gNew}, []float64{gtdPrev, gtdNew}
			break
		}
		if math.Abs(gtdNew) <= -c2*gtd {
			bracket, bracketF, bracketG = []float64{t}, []float64{fNew}, [][]float64{gNew}
			done = true
			break
		}
		if gtdNew >= 0 {
			bracket, bracketF = []float64{tPrev, t}, []float64{fPrev, fNew}
			bracketG, bracketGtd = [][]float64{gPrev, gNew}, []float64{gtdPrev, gtdNew}
			break
		}
		minStep := t + 0.01*(t-tPrev)
		maxStep := t * 10
		tmp := t
		t = cubicInterpolate(tPrev, fPrev, gtdPrev, t, fNew, gtdNew, &[2]float64{minStep, maxStep})
		tPrev, fPrev, gPrev, gtdPrev = tmp, fNew, gNew, gtdNew
		if fNew, gNew, err = obj(t); err != nil {
			return 0, nil, 0, evals + 1, err
		}
		evals++
		gtdNew = dot(gNew, d)
		lsIter++
	}
	if lsIter == maxLS {
		bracket, bracketF = []float64{0, t}, []float64{f, fNew}
		bracketG, bracketGtd = [][]float64{g, gNew}, []float64{gtd, gtdNew}
	}

	// Zoom.
	insufProgress := false
	lowPos, highPos := 0, 1
	if !(bracketF[0] <= bracketF[len(bracketF)-1]) {
		lowPos, highPos = 1, 0
	}
	for !done && lsIter < maxLS {
		if math.Abs(bracket[1]-bracket[0])*dNorm < toleranceChange {
			break
		}
		t = cubicInterpolate(bracket[0], bracketF[0], bracketGtd[0], bracket[1], bracketF[1], bracketGtd[1], nil)

		// Keep t away from the bracket's ends when progress stalls.
		bMax, bMin := pyMax(bracket[0], bracket[1]), pyMin(bracket[0], bracket[1])
		eps := 0.1 * (bMax - bMin)
		if pyMin(bMax-t, t-bMin) < eps {
			if insufProgress || t >= bMax || t <= bMin {
				if math.Abs(t-bMax) < math.Abs(t-bMin) {
					t = bMax - eps
				} else {
					t = bMin + eps
				}
				insufProgress = false
			} else {
				insufProgress = true
			}
		} else {
			insufProgress = false
		}

		if fNew, gNew, err = obj(t); err != nil {
			return 0, nil, 0, evals + 1, err
		}
		evals++
		gtdNew = dot(gNew, d)
		lsIter++

		if fNew > f+c1*t*gtd || fNew >= bracketF[lowPos] {
			bracket[highPos], bracketF[highPos], bracketG[highPos], bracketGtd[highPos] = t, fNew, gNew, gtdNew
			lowPos, highPos = 0, 1
			if !(bracketF[0] <= bracketF[1]) {
				lowPos, highPos = 1, 0
			}
		} else {
			if math.Abs(gtdNew) <= -c2*gtd {
				done = true
			} else if gtdNew*(bracket[highPos]-bracket[lowPos]) >= 0 {
				bracket[highPos], bracketF[highPos] = bracket[lowPos], bracketF[lowPos]
				bracketG[highPos], bracketGtd[highPos] = bracketG[lowPos], bracketGtd[lowPos]
			}
			bracket[lowPos], bracketF[lowPos], bracketG[lowPos], bracketGtd[lowPos] = t, fNew, gNew, gtdNew
		}
	}
	return bracketF[lowPos], bracketG[lowPos], bracket[lowPos], evals, nil
}

// cubicInterpolate is torch's _cubic_interpolate: the minimiser of the cubic through (x1, f1)
// and (x2, f2) with slopes g1 and g2, clipped to bounds (default [min(x1,x2), max(x1,x2)]).
func cubicInterpolate(x1, f1, g1, x2, f2, g2 float64, bounds *[2]float64) float64 {
	var lo, hi float64
	if bounds != nil {
		lo, hi = bounds[0], bounds[1]
	} else if x1 <= x2 {
		lo, hi = x1, x2
	} else {
		lo, hi = x2, x1
	}
	d1 := g1 + g2 - 3*(f1-f2)/(x1-x2)
	d2Square := d1*d1 - g1*g2
	if d2Square >= 0 {
		d2 := math.Sqrt(d2Square)
		var minPos float64
		if x1 <= x2 {
			minPos = x2 - (x2-x1)*((g2+d2-d1)/(g2-g1+2*d2))
		} else {
			minPos = x1 - (x1-x2)*((g1+d2-d1)/(g1-g2+2*d2))
		}
		return pyMin(pyMax(minPos, lo), hi)
	}
	return (lo + hi) / 2
}

// pyMax and pyMin behave as Python's max and min of two numbers, NaN included: the first
// argument wins unless the second compares strictly greater (smaller).
func pyMax(a, b float64) float64 {
	if b > a {
		return b
	}
	return a
}

func pyMin(a, b float64) float64 {
	if b < a {
		return b
	}
	return a
}

func dot(a, b []float64) float64 {
	s := 0.0
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

// axpy sets y ← y + a·x.
func axpy(a float64, x, y []float64) {
	for i := range y {
		y[i] += a * x[i]
	}
}

func scaled(x []float64, a float64) []float64 {
	out := make([]float64, len(x))
	for i := range x {
		out[i] = a * x[i]
	}
	return out
}

func maxAbs(x []float64) float64 {
	m := 0.0
	for _, v := range x {
		if a := math.Abs(v); a > m || math.IsNaN(a) {
			m = a
		}
	}
	return m
}

func maxAbsScaled(x []float64, a float64) float64 {
	m := 0.0
	for _, v := range x {
		if p := math.Abs(v * a); p > m || math.IsNaN(p) {
			m = p
		}
	}
	return m
}

func sumAbs(x []float64) float64 {
	s := 0.0
	for _, v := range x {
		s += math.Abs(v)
	}
	return s
}
