package optim

import (
	"fmt"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/ml/context"

	"github.com/godl-book/godl/internal/floats"
)

// Objective is a loss over a GoMLX context's trainable variables, seen as one flat float64
// vector: the bridge that lets host-driven [LBFGS] train a context (chapter 05, "05-optimizers").
// The vector lists the variables in the order the context created them, each row-major.
type Objective struct {
	ctx   *context.Context
	exec  *context.Exec
	vars  []*context.Variable
	sizes []int
	n     int
}

// NewObjective compiles lossFn (a scalar loss built from ctx's variables) together with its
// gradient, and initializes any variables lossFn creates.
func NewObjective(backend backends.Backend, ctx *context.Context, lossFn func(ctx *context.Context, g *Graph) *Node) (*Objective, error) {
	if lossFn == nil {
		return nil, fmt.Errorf("optim: NewObjective: nil loss function")
	}
	o := &Objective{ctx: ctx}
	exec, err := context.NewExec(backend, ctx, func(ctx *context.Context, g *Graph) []*Node {
		loss := lossFn(ctx, g)
		if loss == nil || !loss.Shape().IsScalar() {
			panic(fmt.Errorf("optim: NewObjective: the loss must be a scalar node"))
		}
		var vars []*context.Variable
		var values []*Node
		for v := range ctx.IterVariables() {
			if v.Trainable && v.InUseByGraph(g) {
				vars = append(vars, v)
				values = append(values, v.ValueGraph(g))
			}
		}
		if len(vars) == 0 {
			panic(fmt.Errorf("optim: NewObjective: the loss uses no trainable variables"))
		}
		for _, v := range vars {
			if dt := v.DType(); dt != dtypes.Float32 && dt != dtypes.Float64 {
				panic(fmt.Errorf("optim: NewObjective: variable %s has dtype %s, want float32 or float64", v.ScopeAndName(), dt))
			}
		}
		o.vars = vars
		return append([]*Node{loss}, Gradient(loss, values...)...)
	})
	if err != nil {
		return nil, fmt.Errorf("optim: NewObjective: %w", err)
	}
	o.exec = exec
	if err := exec.PreCompile(); err != nil {
		return nil, fmt.Errorf("optim: NewObjective: building the loss graph: %w", err)
	}
	if err := ctx.InitializeVariables(backend, nil); err != nil {
		return nil, fmt.Errorf("optim: NewObjective: initializing variables: %w", err)
	}
	for _, v := range o.vars {
		size := v.Shape().Size()
		o.sizes = append(o.sizes, size)
		o.n += size
	}
	return o, nil
}

// Len returns the number of parameters: the length of the flat vector.
func (o *Objective) Len() int { return o.n }

// Variables returns the variables in the order of the flat vector.
func (o *Objective) Variables() []*context.Variable { return o.vars }

// Params returns the variables' current values as one flat vector.
func (o *Objective) Params() ([]float64, error) {
	x := make([]float64, 0, o.n)
	for _, v := range o.vars {
		t, err := v.Value()
		if err != nil {
			return nil, fmt.Errorf("optim: Objective: reading %s: %w", v.ScopeAndName(), err)
		}
		flat, err := floats.FromTensor(t)
		if err != nil {
			return nil, fmt.Errorf("optim: Objective: reading %s: %w", v.ScopeAndName(), err)
		}
		x = append(x, flat...)
	}
	return x, nil
}

// SetParams writes the flat vector x back into the variables.
func (o *Objective) SetParams(x []float64) error {
	if len(x) != o.n {
		return fmt.Errorf("optim: Objective: %d values for %d parameters", len(x), o.n)
	}
	offset := 0
	for i, v := range o.vars {
		part := x[offset : offset+o.sizes[i]]
		offset += o.sizes[i]
		t, err := floats.ToTensor(v.DType(), part, v.Shape().Dimensions...)
		if err == nil {
			err = v.SetValue(t)
		}
		if err != nil {
			return fmt.Errorf("optim: Objective: writing %s: %w", v.ScopeAndName(), err)
		}
	}
	return nil
}

// Eval is a [Func]: it writes x into the variables and returns the loss there and its gradient.
func (o *Objective) Eval(x []float64) (float64, []float64, error) {
	if err := o.SetParams(x); err != nil {
		return 0, nil, err
	}
	outs, err := o.exec.Exec()
	if err != nil {
		return 0, nil, fmt.Errorf("optim: Objective: %w", err)
	}
	if len(outs) != 1+len(o.vars) {
		return 0, nil, fmt.Errorf("optim: Objective: graph returned %d outputs, want %d", len(outs), 1+len(o.vars))
	}
	lossFlat, err := floats.FromTensor(outs[0])
	if err != nil {
		return 0, nil, fmt.Errorf("optim: Objective: loss: %w", err)
	}
	grad := make([]float64, 0, o.n)
	for i, t := range outs[1:] {
		flat, err := floats.FromTensor(t)
		if err != nil {
			return 0, nil, fmt.Errorf("optim: Objective: gradient of %s: %w", o.vars[i].ScopeAndName(), err)
		}
		grad = append(grad, flat...)
	}
	return lossFlat[0], grad, nil
}

// StepObjective runs one L-BFGS Step on obj's variables, which hold the new values afterwards.
// It returns the loss before the step.
func (o *LBFGSOptimizer) StepObjective(obj *Objective) (float64, error) {
	x, err := obj.Params()
	if err != nil {
		return 0, err
	}
	loss, stepErr := o.Step(obj.Eval, x)
	// Restore the variables even on error: the line search leaves them at its last trial point.
	if err := obj.SetParams(x); err != nil && stepErr == nil {
		stepErr = err
	}
	return loss, stepErr
}
