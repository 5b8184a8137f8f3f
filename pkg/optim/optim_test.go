package optim

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/train"
	"github.com/gomlx/gomlx/pkg/ml/train/optimizers"
	"github.com/gomlx/gomlx/pkg/ml/train/optimizers/cosineschedule"

	"github.com/godl-book/godl/internal/floats"
	"github.com/godl-book/godl/internal/goldens"
	"github.com/godl-book/godl/internal/testbackend"
)

// caseOption is the number a golden case sets for key, NaN if none.
func caseOption(c goldenCase, key string) float64 {
	return goldens.NewOptions(c.Options).FloatOr(key, math.NaN())
}

func findCase(t *testing.T, gf *goldenFile, name string) goldenCase {
	t.Helper()
	for _, c := range gf.Cases {
		if c.Name == name {
			return c
		}
	}
	t.Fatalf("no golden case %q", name)
	return goldenCase{}
}

// runCase steps opt through a golden case's problem with a context executor and returns the
// worst error against the golden, over the first steps steps.
func runCase(t *testing.T, gf *goldenFile, c goldenCase, opt optimizers.Interface, steps int) float64 {
	t.Helper()
	dtype := dtypes.Float32
	if c.DType == "float64" {
		dtype = dtypes.Float64
	}
	ctx := context.New()
	loss := problem(t, gf, c.Problem, dtype, ctx)
	return replay(t, testbackend.Get(t), gf, c, ctx, loss, opt, steps, math.Inf(1))
}

// replay runs steps updates of opt on loss in ctx, compares each step's loss and parameters with
// the golden case, fails the test at the first step whose error exceeds tol, and returns the worst
// error.
func replay(t *testing.T, be backends.Backend, gf *goldenFile, c goldenCase, ctx *context.Context,
	loss func(ctx *context.Context, g *Graph) *Node, opt optimizers.Interface, steps int, tol float64) float64 {
	t.Helper()
	exec, err := context.NewExec(be, ctx, func(ctx *context.Context, g *Graph) *Node {
		l := loss(ctx, g)
		opt.UpdateGraph(ctx, g, l)
		return l
	})
	if err != nil {
		t.Fatal(err)
	}
	worst := 0.0
	for k := 0; k < steps; k++ {
		out, err := exec.Exec()
		if err != nil {
			t.Fatalf("step %d: %v", k+1, err)
		}
		l, err := floats.FromTensor(out[0])
		if err != nil {
			t.Fatal(err)
		}
		e, where := trajectoryErr(l[0], c.Loss[k], flatParams(t, gf, c.Problem, ctx), c.Params[k])
		if e > tol {
			t.Fatalf("step %d: error %.3g > %.0e at %s", k+1, e, tol, where)
		}
		worst = math.Max(worst, e)
	}
	return worst
}

// The package doc's reason for not wrapping GoMLX's Adam: its rule is torch's once ε is torch's
// 1e-8, but its default ε is 1e-7, which moves the trajectory well past double rounding.
func TestGoMLXAdamNeedsTorchEps(t *testing.T) {
	gf := loadGolden(t)
	c := findCase(t, gf, "adam/rosenbrock/float64")
	lr := caseOption(c, "lr")
	same := runCase(t, gf, c, optimizers.Adam().LearningRate(lr).Epsilon(1e-8).Done(), gf.Steps)
	if same > tolFloat64 {
		t.Errorf("GoMLX Adam with ε=1e-8: worst error %.3g, want ≤ %.0e (same rule as torch)", same, tolFloat64)
	}
	def := runCase(t, gf, c, optimizers.Adam().LearningRate(lr).Done(), gf.Steps)
	if def <= 100*tolFloat64 {
		t.Errorf("GoMLX Adam with its default ε: worst error %.3g, want > %.0e (ε 1e-7 ≠ torch's 1e-8)", def, 100*tolFloat64)
	}
	t.Logf("GoMLX Adam vs torch over %d steps: ε=1e-8 %.2e, default ε %.2e", gf.Steps, same, def)
}

// The optimizers plug into GoMLX's trainer: Adam through train.Trainer.TrainStep follows
// torch's trajectory on the golden MLP.
func TestTrainerFollowsTorch(t *testing.T) {
	gf := loadGolden(t)
	c := findCase(t, gf, "adam/mlp/float32")
	be := testbackend.Get(t)
	ctx := context.New()
	problem(t, gf, "mlp", dtypes.Float32, ctx) // creates w1, b1, w2, b2
	vars := map[string]*context.Variable{}
	for _, name := range []string{"w1", "b1", "w2", "b2"} {
		vars[name] = ctx.GetVariable(name)
	}
	p := gf.Problems["mlp"]
	var flatX []float32
	for _, row := range p.X {
		for _, v := range row {
			flatX = append(flatX, float32(v))
		}
	}
	labels := make([]int32, len(p.Y))
	for i, y := range p.Y {
		labels[i] = int32(y)
	}
	x := tensors.FromFlatDataAndDimensions(flatX, len(p.X), len(p.X[0]))
	y := tensors.FromFlatDataAndDimensions(labels, len(labels))

	model := func(ctx *context.Context, spec any, inputs []*Node) []*Node {
		return []*Node{mlpLogits(vars, inputs[0])}
	}
	loss := func(labels, predictions []*Node) *Node { return crossEntropy(predictions[0], labels[0]) }
	trainer := train.NewTrainer(be, ctx, model, loss, Adam(caseOption(c, "lr")).Done(), nil, nil)
	worst := 0.0
	for k := 0; k < gf.Steps; k++ {
		metrics, err := trainer.TrainStep(nil, []*tensors.Tensor{x}, []*tensors.Tensor{y})
		if err != nil {
			t.Fatalf("step %d: %v", k+1, err)
		}
		batchLoss, err := floats.FromTensor(metrics[0])
		if err != nil {
			t.Fatal(err)
		}
		e, where := trajectoryErr(batchLoss[0], c.Loss[k], flatParams(t, gf, "mlp", ctx), c.Params[k])
		if e > tolFloat32 {
			t.Fatalf("step %d: error %.3g > %.0e at %s", k+1, e, tolFloat32, where)
		}
		worst = math.Max(worst, e)
	}
	if got := optimizers.GetGlobalStep(ctx); got != int64(gf.Steps) {
		t.Errorf("global step %d after %d train steps", got, gf.Steps)
	}
	t.Logf("train.Trainer with optim.Adam vs torch: worst error %.2e", worst)
}

// sgdOnHalfSquare runs SGD on ½‖x‖² (gradient x) from x = 1 and returns the executor and x.
func sgdOnHalfSquare(t *testing.T, opt optimizers.Interface) (*context.Context, *context.Exec, *context.Variable) {
	t.Helper()
	ctx := context.New()
	xVar := ctx.In("layer").VariableWithValue("x", []float64{1})
	exec, err := context.NewExec(testbackend.Get(t), ctx, func(ctx *context.Context, g *Graph) *Node {
		x := xVar.ValueGraph(g)
		l := MulScalar(ReduceAllSum(Mul(x, x)), 0.5)
		opt.UpdateGraph(ctx, g, l)
		return l
	})
	if err != nil {
		t.Fatal(err)
	}
	return ctx, exec, xVar
}

func value1(t *testing.T, v *context.Variable) float64 {
	t.Helper()
	val, err := v.Value()
	if err != nil {
		t.Fatal(err)
	}
	flat, err := floats.FromTensor(val)
	if err != nil {
		t.Fatal(err)
	}
	return flat[0]
}

func TestSetLearningRateBetweenSteps(t *testing.T) {
	ctx, exec, x := sgdOnHalfSquare(t, SGD(0.1).Done())
	if _, found, err := LearningRate(ctx); found || err != nil {
		t.Fatalf("LearningRate before any step: found=%v err=%v, want not found", found, err)
	}
	steps := []struct {
		lr   float64 // set before the step; 0.1 (the optimizer's own) for the first
		want float64
	}{
		{0.1, 0.9},
		{0, 0.9},    // lr 0: no move
		{0.5, 0.45}, // 0.9 − 0.5·0.9
		{1, 0},      // 0.45 − 0.45
	}
	for i, s := range steps {
		if i > 0 {
			if err := SetLearningRate(ctx, s.lr); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := exec.Exec(); err != nil {
			t.Fatal(err)
		}
		if got := value1(t, x); math.Abs(got-s.want) > 1e-15 {
			t.Errorf("step %d with lr %g: x = %.17g, want %g", i+1, s.lr, got, s.want)
		}
		if lr, found, err := LearningRate(ctx); !found || err != nil || lr != s.lr {
			t.Errorf("LearningRate after step %d = %g, %v, %v; want %g", i+1, lr, found, err, s.lr)
		}
	}
	if err := SetLearningRate(ctx, -1); err == nil {
		t.Error("SetLearningRate(-1) succeeded, want an error")
	}
}

// GoMLX's schedules set the learning-rate variable in the graph; the optimizers here read it.
func TestCosineScheduleDrivesSGD(t *testing.T) {
	ctx := context.New()
	xVar := ctx.VariableWithValue("x", []float64{1})
	opt := SGD(0.1).Done()
	exec, err := context.NewExec(testbackend.Get(t), ctx, func(ctx *context.Context, g *Graph) *Node {
		ctx.SetTraining(g, true)
		cosineschedule.New(ctx, g, dtypes.Float64).LearningRate(0.1).PeriodSteps(4).Done()
		x := xVar.ValueGraph(g)
		l := MulScalar(ReduceAllSum(Mul(x, x)), 0.5)
		opt.UpdateGraph(ctx, g, l)
		return l
	})
	if err != nil {
		t.Fatal(err)
	}
	want := 1.0
	for k := 0; k < 4; k++ {
		if _, err := exec.Exec(); err != nil {
			t.Fatal(err)
		}
		lr := 0.1 * (1 + math.Cos(math.Pi*float64(k)/4)) / 2
		want -= lr * want
		if got := value1(t, xVar); math.Abs(got-want) > 1e-15 {
			t.Fatalf("step %d: x = %.17g, want %.17g (lr %g)", k+1, got, want, lr)
		}
	}
}

func TestClearRestartsState(t *testing.T) {
	gf := loadGolden(t)
	c := findCase(t, gf, "sgd_momentum/quadratic/float64")
	opt := SGD(caseOption(c, "lr")).Momentum(caseOption(c, "momentum")).Done()
	be := testbackend.Get(t)
	ctx := context.New()
	loss := problem(t, gf, c.Problem, dtypes.Float64, ctx)
	newExec := func() *context.Exec {
		exec, err := context.NewExec(be, ctx, func(ctx *context.Context, g *Graph) *Node {
			l := loss(ctx, g)
			opt.UpdateGraph(ctx, g, l)
			return l
		})
		if err != nil {
			t.Fatal(err)
		}
		return exec
	}
	exec := newExec()
	for i := 0; i < 3; i++ {
		if _, err := exec.Exec(); err != nil {
			t.Fatal(err)
		}
	}
	if ctx.GetVariableByScopeAndName("/optim/sgd", "x_momentum_buffer") == nil {
		t.Fatal("no momentum buffer /optim/sgd/x_momentum_buffer after 3 steps")
	}
	if err := opt.Clear(ctx); err != nil {
		t.Fatal(err)
	}
	n := 0
	ctx.InAbsPath(Scope + "/sgd").EnumerateVariablesInScope(func(*context.Variable) { n++ })
	if n != 0 {
		t.Fatalf("%d optimizer variables left after Clear", n)
	}
	// Back to the start with a fresh graph: the trajectory must be torch's from step 1, so the
	// momentum buffer starts again at the first gradient.
	x := ctx.GetVariable("x")
	if err := x.SetValue(tensorOf(dtypes.Float64, gf.Problems[c.Problem].Params[0].Init, []int{3})); err != nil {
		t.Fatal(err)
	}
	exec = newExec()
	for k := 0; k < gf.Steps; k++ {
		out, err := exec.Exec()
		if err != nil {
			t.Fatal(err)
		}
		l, _ := floats.FromTensor(out[0])
		if e, where := trajectoryErr(l[0], c.Loss[k], flatParams(t, gf, c.Problem, ctx), c.Params[k]); e > tolFloat64 {
			t.Fatalf("after Clear, step %d: error %.3g at %s", k+1, e, where)
		}
	}
}

func TestStateLivesUnderVariableScope(t *testing.T) {
	ctx, exec, _ := sgdOnHalfSquare(t, SGD(0.1).Momentum(0.9).Done())
	if _, err := exec.Exec(); err != nil {
		t.Fatal(err)
	}
	if ctx.GetVariableByScopeAndName("/optim/sgd/layer", "x_momentum_buffer") == nil {
		t.Error("no /optim/sgd/layer/x_momentum_buffer for variable /layer/x")
	}
}

func TestInvalidSettingsAreErrors(t *testing.T) {
	cases := []struct {
		opt  Optimizer
		want string // "" for a valid optimizer
	}{
		{SGD(0.1).Momentum(0.9).Nesterov().Done(), ""},
		{SGD(0.1).Nesterov().Done(), "Nesterov"},
		{SGD(0.1).Momentum(0.9).Dampening(0.1).Nesterov().Done(), "dampening"},
		{SGD(-1).Done(), "learning rate"},
		{SGD(0.1).WeightDecay(-1).Done(), "weight decay"},
		{Adam(1e-3).AMSGrad().WeightDecay(0.1).Done(), ""},
		{Adam(1e-3).Betas(1, 0.999).Done(), "beta1"},
		{AdamW(1e-3).Betas(0.9, -0.1).Done(), "beta2"},
		{AdamW(1e-3).Eps(-1).Done(), "eps"},
		{Adamax(2e-3).Betas(0.9, 1).Done(), "beta2"},
		{Adamax(2e-3).WeightDecay(-1).Done(), "weight decay"},
		{Adamax(2e-3).Done(), ""},
		{Adagrad(0.1).LRDecay(-1).Done(), "lr decay"},
		{Adagrad(0.1).InitialAccumulatorValue(-1).Done(), "initial accumulator"},
		{RMSprop(0.01).Alpha(-1).Done(), "alpha"},
		{RMSprop(0.01).Momentum(-1).Done(), "momentum"},
		{Adadelta(1).Rho(1.5).Done(), "rho"},
		{Adadelta(1).Done(), ""},
	}
	for _, c := range cases {
		err := c.opt.Err()
		if c.want == "" {
			if err != nil {
				t.Errorf("valid optimizer: Err() = %v", err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Err() = %v, want an error mentioning %q", err, c.want)
		}
		if _, perr := Path(c.opt, Rosenbrock, [2]float64{0, 0}, 1); perr == nil || !strings.Contains(perr.Error(), c.want) {
			t.Errorf("Path with invalid optimizer: %v, want an error mentioning %q", perr, c.want)
		}
	}
	// Inside GoMLX's executor the invalid setting comes back as an error, not a panic.
	_, exec, _ := sgdOnHalfSquare(t, SGD(0.1).Nesterov().Done())
	if _, err := exec.Exec(); err == nil || !strings.Contains(err.Error(), "Nesterov") {
		t.Errorf("Exec with invalid optimizer: %v, want the Nesterov error", err)
	}
}

func rosenbrock(p [2]float64) float64 {
	return (1-p[0])*(1-p[0]) + 100*(p[1]-p[0]*p[0])*(p[1]-p[0]*p[0])
}

func TestPathOnRosenbrock(t *testing.T) {
	start := [2]float64{-1.5, 2}
	for _, c := range []struct {
		name  string
		opt   Minimizer
		steps int
		below float64 // final loss must fall below this
	}{
		{"Adam", Adam(0.05).Done(), 200, 4},
		{"SGD momentum", SGD(2e-4).Momentum(0.9).Done(), 200, 5},
		{"SGD", SGD(2e-4).Done(), 50, 6},
		{"L-BFGS strong Wolfe", LBFGS(1).StrongWolfe().Done(), 5, 1e-8},
	} {
		path, err := Path(c.opt, Rosenbrock, start, c.steps)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if len(path) != c.steps+1 || path[0] != start {
			t.Fatalf("%s: %d points starting at %v, want %d starting at %v", c.name, len(path), path[0], c.steps+1, start)
		}
		first, last := rosenbrock(start), rosenbrock(path[len(path)-1])
		if !(last < c.below) {
			t.Errorf("%s: loss %g → %g after %d steps, want < %g", c.name, first, last, c.steps, c.below)
		}
		t.Logf("%s: loss %.4g → %.4g in %d steps, ends at (%.4f, %.4f)", c.name, first, last, c.steps,
			path[c.steps][0], path[c.steps][1])
	}
}

// errOnly is a Minimizer that is neither kind Path runs.
type errOnly struct{}

func (errOnly) Err() error { return nil }

func TestPathErrors(t *testing.T) {
	if _, err := Path(errOnly{}, Rosenbrock, [2]float64{}, 3); err == nil || !strings.Contains(err.Error(), "optim.errOnly") {
		t.Errorf("Path with an optimizer of another type: %v, want an error naming the type", err)
	}
	if _, err := Path(Adam(0.1).Done(), nil, [2]float64{}, 3); err == nil {
		t.Error("Path with nil f succeeded")
	}
	if _, err := Path(Adam(0.1).Done(), Rosenbrock, [2]float64{}, -1); err == nil {
		t.Error("Path with -1 steps succeeded")
	}
	vector := func(x, y *Node) *Node { return Stack([]*Node{x, y}, 0) }
	if _, err := Path(Adam(0.1).Done(), vector, [2]float64{}, 1); err == nil || !strings.Contains(err.Error(), "scalar") {
		t.Errorf("Path with a vector-valued f: %v, want a scalar error", err)
	}
	if _, err := Path(LBFGS(1).Done(), vector, [2]float64{}, 1); err == nil || !strings.Contains(err.Error(), "scalar") {
		t.Errorf("Path(L-BFGS) with a vector-valued f: %v, want a scalar error", err)
	}
	if p, err := Path(Adam(0.1).Done(), Rosenbrock, [2]float64{3, 4}, 0); err != nil || len(p) != 1 || p[0] != [2]float64{3, 4} {
		t.Errorf("Path with 0 steps = %v, %v; want just the start", p, err)
	}
}

// weightedSquares is Σ (i+1)·(xᵢ − 1)², minimum 0 at all ones; grad reuses its buffer when
// reuse is set, as a careful caller might.
func weightedSquares(reuse bool) Func {
	var buf []float64
	return func(x []float64) (float64, []float64, error) {
		if !reuse || buf == nil {
			buf = make([]float64, len(x))
		}
		loss := 0.0
		for i, v := range x {
			w := float64(i + 1)
			loss += w * (v - 1) * (v - 1)
			buf[i] = 2 * w * (v - 1)
		}
		return loss, buf, nil
	}
}

func TestLBFGSOnAFunc(t *testing.T) {
	for _, ls := range []string{"", "strong_wolfe"} {
		fresh, reused := []float64{3, -2, 0.5, 4}, []float64{3, -2, 0.5, 4}
		a, b := LBFGS(0.5).LineSearch(ls).Done(), LBFGS(0.5).LineSearch(ls).Done()
		prev := math.Inf(1)
		for step := 0; step < 5; step++ {
			la, err := a.Step(weightedSquares(false), fresh)
			if err != nil {
				t.Fatal(err)
			}
			lb, err := b.Step(weightedSquares(true), reused)
			if err != nil {
				t.Fatal(err)
			}
			if la != lb || a.FuncEvals() != b.FuncEvals() {
				t.Fatalf("%q step %d: a Func reusing its gradient buffer changed the result: %g vs %g", ls, step, la, lb)
			}
			if la > prev {
				t.Errorf("%q step %d: loss rose %g → %g", ls, step, prev, la)
			}
			prev = la
		}
		for i, v := range fresh {
			if math.Abs(v-1) > 1e-4 || reused[i] != v {
				t.Errorf("%q: x = %v (reused buffer %v), want all ones", ls, fresh, reused)
				break
			}
		}
		a.Reset()
		if a.FuncEvals() != 0 || a.Iterations() != 0 {
			t.Errorf("after Reset: %d evals, %d iterations", a.FuncEvals(), a.Iterations())
		}
	}
}

func TestLBFGSErrors(t *testing.T) {
	boom := errors.New("boom")
	failing := func(x []float64) (float64, []float64, error) { return 0, nil, boom }
	if _, err := LBFGS(1).Done().Step(failing, []float64{1}); !errors.Is(err, boom) {
		t.Errorf("Step with failing Func: %v, want it to wrap %v", err, boom)
	}
	short := func(x []float64) (float64, []float64, error) { return 0, []float64{1}, nil }
	if _, err := LBFGS(1).Done().Step(short, []float64{1, 2}); err == nil {
		t.Error("Step with a short gradient succeeded")
	}
	if _, err := LBFGS(1).Done().Step(weightedSquares(false), nil); err == nil {
		t.Error("Step with no parameters succeeded")
	}
	for _, o := range []*LBFGSOptimizer{
		LBFGS(0).Done(), LBFGS(1).MaxIter(0).Done(), LBFGS(1).HistorySize(0).Done(), LBFGS(1).LineSearch("backtracking").Done(),
	} {
		if o.Err() == nil {
			t.Errorf("invalid L-BFGS config %+v: no error", o.cfg)
		}
		if _, err := o.Step(weightedSquares(false), []float64{0}); err == nil {
			t.Errorf("Step with invalid config %+v succeeded", o.cfg)
		}
	}
	o := LBFGS(1).Done()
	if _, err := o.Step(weightedSquares(false), []float64{0, 0}); err != nil {
		t.Fatal(err)
	}
	if _, err := o.Step(weightedSquares(false), []float64{0, 0, 0}); err == nil {
		t.Error("Step with a different number of parameters than the history succeeded")
	}
}

func TestObjectiveParams(t *testing.T) {
	ctx := context.New()
	a := ctx.In("a").VariableWithValue("w", [][]float32{{1, 2}, {3, 4}})
	b := ctx.VariableWithValue("b", []float64{5})
	obj, err := NewObjective(testbackend.Get(t), ctx, func(ctx *context.Context, g *Graph) *Node {
		return Add(ReduceAllSum(Square(ConvertDType(a.ValueGraph(g), dtypes.Float64))), ReduceAllSum(b.ValueGraph(g)))
	})
	if err != nil {
		t.Fatal(err)
	}
	x, err := obj.Params()
	if err != nil {
		t.Fatal(err)
	}
	if want := []float64{1, 2, 3, 4, 5}; obj.Len() != 5 || !equalFloats(x, want) {
		t.Fatalf("Params() = %v (Len %d), want %v", x, obj.Len(), want)
	}
	loss, grad, err := obj.Eval([]float64{1, 0, 0, 2, 3})
	if err != nil {
		t.Fatal(err)
	}
	if loss != 8 || !equalFloats(grad, []float64{2, 0, 0, 4, 1}) {
		t.Errorf("Eval = %g, %v; want 8, [2 0 0 4 1]", loss, grad)
	}
	// Variables that the loss creates itself are initialized by NewObjective.
	ctx2 := context.New()
	obj2, err := NewObjective(testbackend.Get(t), ctx2, func(ctx *context.Context, g *Graph) *Node {
		w := ctx.In("dense").WithInitializer(func(g *Graph, s shapes.Shape) *Node {
			return BroadcastToShape(Scalar(g, s.DType, 0.5), s)
		}).VariableWithShape("w", shapes.Make(dtypes.Float32, 3))
		return ReduceAllSum(w.ValueGraph(g))
	})
	if err != nil {
		t.Fatal(err)
	}
	if x2, err := obj2.Params(); err != nil || !equalFloats(x2, []float64{0.5, 0.5, 0.5}) {
		t.Errorf("Params() of a variable created by the loss = %v, %v; want [0.5 0.5 0.5]", x2, err)
	}
	if err := obj.SetParams([]float64{1}); err == nil {
		t.Error("SetParams with 1 value for 5 parameters succeeded")
	}
	if _, err := NewObjective(testbackend.Get(t), context.New(), func(ctx *context.Context, g *Graph) *Node {
		return Const(g, []float64{1, 2})
	}); err == nil {
		t.Error("NewObjective with a vector loss succeeded")
	}
}

func equalFloats(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
