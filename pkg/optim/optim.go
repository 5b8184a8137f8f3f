// Package optim implements PyTorch's optimizers for GoMLX, update for update: SGD (momentum,
// dampening, Nesterov, weight decay), Adam and AdamW (AMSGrad), Adamax, Adagrad, RMSprop and Adadelta,
// plus a host-driven L-BFGS with torch's strong-Wolfe line search. Chapter 05 ("05-optimizers")
// derives each rule and plots their paths on Rosenbrock's valley with [Path].
//
// The first-order optimizers are built like GoMLX layers and plug into GoMLX's trainer:
//
//	opt := optim.SGD(0.1).Momentum(0.9).Nesterov().Done()
//	trainer := train.NewTrainer(backend, ctx, model, loss, opt, nil, nil)
//
// Every one of them replays PyTorch 1.13's trajectories (tools/goldens/optim.py) step for step.
// GoMLX's own optimizers are not wrapped. Its Adam follows torch's Adam and AdamW rule only once
// given torch's ε (its default is 1e-7, not 1e-8), computes the bias corrections in float32 for
// float32 models (about 2e-6 off torch after 20 steps, against 3e-7 here), and has neither
// AMSGrad nor L2 weight decay; its SGD divides the learning rate by √step unless told not to.
// So the whole Adam family is implemented once, here.
//
// The learning rate lives in the context variable GoMLX's optimizers and schedules use
// ("optimizers/learning_rate"), so schedules such as cosineschedule drive these optimizers too,
// and [SetLearningRate] changes it between steps.
package optim

import (
	"fmt"
	"strings"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/train/optimizers"
)

// Scope is the absolute context scope under which the optimizers keep their state (momentum
// buffers, moment estimates, step counters): one sub-scope per kind, e.g. "/optim/adam", and
// below it the variable's own scope. Two optimizers of the same kind on one context share it.
const Scope = "/optim"

// Optimizer is what the builders' Done returns: a GoMLX optimizers.Interface, ready for
// train.NewTrainer, that also reports an invalid setting before training starts.
type Optimizer interface {
	optimizers.Interface
	// Err returns the first invalid setting (e.g. Nesterov without momentum), or nil. The same
	// error is returned by the trainer's first step, or by Path.
	Err() error
}

// optimizer is the part every first-order optimizer shares: learning-rate and step bookkeeping,
// state variables, and the walk over trainable variables. Each optimizer supplies rule, the
// update of one parameter tensor.
type optimizer struct {
	name  string // as PyTorch spells it, for messages: "SGD", "Adam", ...
	scope string // absolute scope of its state, e.g. "/optim/adam"
	lr    float64
	err   error // first invalid setting; reported when the optimizer is used
	rule  func(u *update, p, grad *Node) *Node
}

// update holds what a rule needs to update one variable in one graph.
type update struct {
	ctx   *context.Context
	v     *context.Variable
	g     *Graph
	dtype dtypes.DType
	scope string // scope of this variable's state
	// lr and step are float64 scalars: PyTorch computes its scalar factors (bias corrections,
	// decayed learning rates) in Python floats, so these stay in float64 until they meet a tensor.
	lr, step *Node
}

// state returns the optimizer state variable called name for the parameter being updated,
// creating it filled with init.
func (u *update) state(name string, init float64) *context.Variable {
	fill := func(g *Graph, shape shapes.Shape) *Node {
		return BroadcastToShape(Scalar(g, shape.DType, init), shape)
	}
	return u.ctx.InAbsPath(u.scope).Checked(false).WithInitializer(fill).
		VariableWithShape(u.v.Name()+"_"+name, u.v.Shape()).SetTrainable(false)
}

// c is a constant hyperparameter in the parameter's dtype (rounded once, as torch casts a
// Python float when it meets a float32 tensor).
func (u *update) c(x float64) *Node { return Scalar(u.g, u.dtype, x) }

// cast converts a float64 scalar node to the parameter's dtype.
func (u *update) cast(x *Node) *Node { return ConvertDType(x, u.dtype) }

// check records the first failed check as the optimizer's error.
func (o *optimizer) check(ok bool, format string, args ...any) {
	if !ok && o.err == nil {
		o.err = fmt.Errorf("optim: %s: "+format, append([]any{o.name}, args...)...)
	}
}

// checkAdam checks the settings that Adam, AdamW, AMSGrad and Adamax share.
func (o *optimizer) checkAdam(lr, eps, beta1, beta2, weightDecay float64) {
	o.check(lr >= 0, "learning rate %g, want ≥ 0", lr)
	o.check(eps >= 0, "eps %g, want ≥ 0", eps)
	o.check(beta1 >= 0 && beta1 < 1, "beta1 %g, want in [0, 1)", beta1)
	o.check(beta2 >= 0 && beta2 < 1, "beta2 %g, want in [0, 1)", beta2)
	o.check(weightDecay >= 0, "weight decay %g, want ≥ 0", weightDecay)
}

// UpdateGraph implements optimizers.Interface: it adds to g the gradient of loss with respect
// to every trainable variable, and the update of each variable and of the optimizer's state.
// It panics (as GoMLX graph building does) on an invalid setting; GoMLX's executors and
// trainer return that panic as an error.
func (o *optimizer) UpdateGraph(ctx *context.Context, g *Graph, loss *Node) {
	if o.err != nil {
		panic(o.err)
	}
	if !loss.Shape().IsScalar() {
		panic(fmt.Errorf("optim: %s: the loss must be a scalar, got shape %s", o.name, loss.Shape()))
	}
	o.UpdateGraphWithGradients(ctx, ctx.BuildTrainableVariablesGradientsGraph(loss), loss.DType())
}

// UpdateGraphWithGradients applies one step given the gradients of the trainable variables in
// ctx (in ctx.IterVariables order, as ctx.BuildTrainableVariablesGradientsGraph returns them).
// GoMLX's trainer calls it when it accumulates gradients over several batches.
func (o *optimizer) UpdateGraphWithGradients(ctx *context.Context, grads []*Node, lossDType dtypes.DType) {
	if o.err != nil {
		panic(o.err)
	}
	if len(grads) == 0 {
		panic(fmt.Errorf("optim: %s: no trainable variables to update", o.name))
	}
	g := grads[0].Graph()
	lr := ConvertDType(optimizers.LearningRateVarWithValue(ctx, lossDType, o.lr).ValueGraph(g), dtypes.Float64)
	optimizers.IncrementGlobalStepGraph(ctx, g, lossDType) // GoMLX's loop and trainer read the global step.
	step := optimizers.IncrementGlobalStepGraph(ctx.InAbsPath(o.scope), g, dtypes.Float64)

	i := 0
	for v := range ctx.IterVariables() {
		if !v.Trainable || !v.InUseByGraph(g) {
			continue
		}
		if i >= len(grads) {
			panic(fmt.Errorf("optim: %s: got %d gradients but there are more trainable variables", o.name, len(grads)))
		}
		dtype := v.DType()
		if !dtype.IsFloat() {
			panic(fmt.Errorf("optim: %s: trainable variable %s has dtype %s, want a float", o.name, v.ScopeAndName(), dtype))
		}
		grad := grads[i]
		if grad.DType() != dtype {
			grad = ConvertDType(grad, dtype)
		}
		u := &update{ctx: ctx, v: v, g: g, dtype: dtype, scope: stateScope(o.scope, v.Scope()), lr: lr, step: step}
		v.SetValueGraph(o.rule(u, v.ValueGraph(g), grad))
		i++
	}
	if i != len(grads) {
		panic(fmt.Errorf("optim: %s: got %d gradients for %d trainable variables", o.name, len(grads), i))
	}
}

// Clear implements optimizers.Interface: it deletes the optimizer's state (and its step
// count), so the next step starts afresh as a new torch optimizer would.
func (o *optimizer) Clear(ctx *context.Context) error {
	if err := ctx.InAbsPath(o.scope).DeleteVariablesInScope(); err != nil {
		return fmt.Errorf("optim: %s: clearing %s: %w", o.name, o.scope, err)
	}
	return nil
}

// Err returns the first invalid setting of the optimizer, or nil.
func (o *optimizer) Err() error { return o.err }

func stateScope(base, varScope string) string {
	if varScope == context.RootScope || varScope == "" {
		return base
	}
	return base + "/" + strings.TrimPrefix(varScope, context.ScopeSeparator)
}

// SetLearningRate sets the learning rate that the optimizers in this package (and GoMLX's) read
// at every step, for hand-written schedules between training steps; ctx is the context the
// trainer or executor was given. GoMLX's train.NewTrainer resets it to the optimizer's own
// value, so call it after creating the trainer.
func SetLearningRate(ctx *context.Context, lr float64) error {
	if lr < 0 {
		return fmt.Errorf("optim: learning rate %g, want ≥ 0", lr)
	}
	v := ctx.GetVariableByScopeAndName(lrScope(ctx), optimizers.ParamLearningRate)
	if v == nil {
		optimizers.LearningRateVarWithValue(ctx, dtypes.Float32, lr)
		return nil
	}
	var t *tensors.Tensor
	switch v.DType() {
	case dtypes.Float32:
		t = tensors.FromValue(float32(lr))
	case dtypes.Float64:
		t = tensors.FromValue(lr)
	default:
		return fmt.Errorf("optim: learning rate variable %s has dtype %s, want float32 or float64", v.ScopeAndName(), v.DType())
	}
	if err := v.SetValue(t); err != nil {
		return fmt.Errorf("optim: setting learning rate: %w", err)
	}
	return nil
}

// LearningRate returns the current learning rate in ctx (see [SetLearningRate]); found is false
// before an optimizer or SetLearningRate has created it.
func LearningRate(ctx *context.Context) (lr float64, found bool, err error) {
	v := ctx.GetVariableByScopeAndName(lrScope(ctx), optimizers.ParamLearningRate)
	if v == nil {
		return 0, false, nil
	}
	t, err := v.Value()
	if err != nil {
		return 0, true, fmt.Errorf("optim: reading learning rate: %w", err)
	}
	switch x := t.Value().(type) {
	case float32:
		return float64(x), true, nil
	case float64:
		return x, true, nil
	}
	return 0, true, fmt.Errorf("optim: learning rate variable has dtype %s, want float32 or float64", v.DType())
}

func lrScope(ctx *context.Context) string { return ctx.In(optimizers.Scope).Scope() }
