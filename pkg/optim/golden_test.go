package optim

import (
	"fmt"
	"math"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/godl-book/godl/internal/floats"
	"github.com/godl-book/godl/internal/goldens"
	"github.com/godl-book/godl/internal/testbackend"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// Tolerances that hold against the PyTorch goldens, measured as |got − want| / max(|want|, 1)
// (relative for values ≥ 1, absolute below) on the loss and every parameter of every step.
// Worst measured (XLA CPU backend / pure-Go backend) are in the comments; TestGoldenTrajectories
// logs them. Pure relative error is no use here: parameters that cross zero have no scale.
const (
	// float32 GoMLX vs float32 torch: XLA, Go and torch round differently (FMA, fused kernels,
	// tanh's approximation) and 20 steps amplify it. Worst 3.2e-6 (adamw_amsgrad on Rosenbrock)
	// / 1.6e-6 (centered RMSprop on Rosenbrock).
	tolFloat32 = 1e-5
	// float64 GoMLX vs float64 torch: the same update rule up to double rounding, which would
	// expose a misplaced ε or bias correction. Worst 4.3e-15 / 1.5e-14.
	tolFloat64 = 1e-12
	// L-BFGS, host-driven in float64 vs torch float64; the number of function evaluations must
	// match exactly, so every line-search branch is the same. All cases but one agree to 6e-9;
	// history_size 3 on Rosenbrock (10 iterations a step) amplifies rounding: worst 5.4e-8 /
	// 2.5e-7. torch against itself, with the gradient perturbed by one ulp, moves 7.7e-8 there.
	tolLBFGS = 1e-6
)

type goldenFile struct {
	TorchVersion string                   `json:"torch_version"`
	Steps        int                      `json:"steps"`
	Problems     map[string]goldenProblem `json:"problems"`
	Cases        []goldenCase             `json:"cases"`
}

type goldenProblem struct {
	A      [][]float64 `json:"A"`
	B      []float64   `json:"b"`
	X      [][]float64 `json:"x"`
	Y      []int       `json:"y"`
	Params []struct {
		Name  string    `json:"name"`
		Shape []int     `json:"shape"`
		Init  []float64 `json:"init"`
	} `json:"params"`
}

type goldenCase struct {
	Name      string         `json:"name"`
	Optimizer string         `json:"optimizer"`
	Options   map[string]any `json:"options"`
	Problem   string         `json:"problem"`
	DType     string         `json:"dtype"`
	Loss      []float64      `json:"loss"`
	Params    [][]float64    `json:"params"`
	FuncEvals []int          `json:"func_evals"`
}

var (
	goldenOnce sync.Once
	golden     goldenFile
	goldenErr  error
)

func loadGolden(t *testing.T) *goldenFile {
	t.Helper()
	goldenOnce.Do(func() {
		data, err := os.ReadFile("testdata/optim_golden.json")
		if err != nil {
			goldenErr = err
			return
		}
		goldenErr = goldens.Decode(data, &golden)
	})
	if goldenErr != nil {
		t.Fatalf("loading goldens: %v", goldenErr)
	}
	return &golden
}

// optimizerFor builds this package's optimizer for a golden case: an Optimizer for the
// first-order ones, an *LBFGSOptimizer for L-BFGS.
func optimizerFor(c goldenCase) (any, error) {
	o := goldens.NewOptions(c.Options)
	lr := o.FloatOr("lr", math.NaN())
	var opt any
	switch c.Optimizer {
	case "SGD":
		cfg := SGD(lr).Momentum(o.FloatOr("momentum", 0)).Dampening(o.FloatOr("dampening", 0)).WeightDecay(o.FloatOr("weight_decay", 0))
		if nesterov, _ := o.Bool("nesterov"); nesterov {
			cfg.Nesterov()
		}
		opt = cfg.Done()
	case "Adam", "AdamW":
		cfg := Adam(lr)
		if c.Optimizer == "AdamW" {
			cfg = AdamW(lr)
		}
		if betas, ok := o.Floats("betas"); ok {
			if len(betas) != 2 {
				return nil, fmt.Errorf("betas %v, want two", betas)
			}
			cfg.Betas(betas[0], betas[1])
		}
		cfg.Eps(o.FloatOr("eps", cfg.eps)).WeightDecay(o.FloatOr("weight_decay", cfg.weightDecay))
		if amsgrad, _ := o.Bool("amsgrad"); amsgrad {
			cfg.AMSGrad()
		}
		opt = cfg.Done()
	case "Adamax":
		cfg := Adamax(lr)
		if betas, ok := o.Floats("betas"); ok {
			if len(betas) != 2 {
				return nil, fmt.Errorf("betas %v, want two", betas)
			}
			cfg.Betas(betas[0], betas[1])
		}
		opt = cfg.Eps(o.FloatOr("eps", cfg.eps)).WeightDecay(o.FloatOr("weight_decay", 0)).Done()
	case "Adagrad":
		opt = Adagrad(lr).LRDecay(o.FloatOr("lr_decay", 0)).WeightDecay(o.FloatOr("weight_decay", 0)).
			InitialAccumulatorValue(o.FloatOr("initial_accumulator_value", 0)).Eps(o.FloatOr("eps", 1e-10)).Done()
	case "RMSprop":
		cfg := RMSprop(lr).Alpha(o.FloatOr("alpha", 0.99)).Eps(o.FloatOr("eps", 1e-8)).
			WeightDecay(o.FloatOr("weight_decay", 0)).Momentum(o.FloatOr("momentum", 0))
		if centered, _ := o.Bool("centered"); centered {
			cfg.Centered()
		}
		opt = cfg.Done()
	case "Adadelta":
		opt = Adadelta(lr).Rho(o.FloatOr("rho", 0.9)).Eps(o.FloatOr("eps", 1e-6)).WeightDecay(o.FloatOr("weight_decay", 0)).Done()
	case "LBFGS":
		cfg := LBFGS(lr).MaxIter(int(o.FloatOr("max_iter", 20))).HistorySize(int(o.FloatOr("history_size", 100))).
			ToleranceGrad(o.FloatOr("tolerance_grad", 1e-7)).ToleranceChange(o.FloatOr("tolerance_change", 1e-9))
		if ls, ok := o.String("line_search_fn"); ok {
			cfg.LineSearch(ls)
		}
		opt = cfg.Done()
	default:
		return nil, fmt.Errorf("unknown optimizer %q", c.Optimizer)
	}
	if err := o.Err(); err != nil {
		return nil, err
	}
	return opt, nil
}

// problem creates a golden problem's variables in ctx (in dtype, in the golden's order) and
// returns its loss.
func problem(t *testing.T, gf *goldenFile, name string, dtype dtypes.DType, ctx *context.Context) func(ctx *context.Context, g *Graph) *Node {
	t.Helper()
	p, ok := gf.Problems[name]
	if !ok {
		t.Fatalf("no problem %q in goldens", name)
	}
	vars := map[string]*context.Variable{}
	for _, spec := range p.Params {
		vars[spec.Name] = ctx.VariableWithValue(spec.Name, tensorOf(dtype, spec.Init, spec.Shape))
	}
	switch name {
	case "quadratic":
		var flatA []float64
		for _, row := range p.A {
			flatA = append(flatA, row...)
		}
		return func(ctx *context.Context, g *Graph) *Node {
			x := vars["x"].ValueGraph(g)
			a := Const(g, tensorOf(dtype, flatA, []int{len(p.A), len(p.A)}))
			b := Const(g, tensorOf(dtype, p.B, []int{len(p.B)}))
			ax := Dot(a, x)
			return Sub(MulScalar(ReduceAllSum(Mul(x, ax)), 0.5), ReduceAllSum(Mul(b, x)))
		}
	case "rosenbrock":
		return func(ctx *context.Context, g *Graph) *Node {
			// Components by masking, exactly: Slice's gradient (Pad) is missing from the pure-Go backend.
			xy := vars["xy"].ValueGraph(g)
			x := ReduceAllSum(Mul(xy, Const(g, tensorOf(dtype, []float64{1, 0}, []int{2}))))
			y := ReduceAllSum(Mul(xy, Const(g, tensorOf(dtype, []float64{0, 1}, []int{2}))))
			return Rosenbrock(x, y)
		}
	case "mlp":
		var flatX []float64
		for _, row := range p.X {
			flatX = append(flatX, row...)
		}
		batch, in := len(p.X), len(p.X[0])
		labels := make([]int32, len(p.Y))
		for i, y := range p.Y {
			labels[i] = int32(y)
		}
		return func(ctx *context.Context, g *Graph) *Node {
			x := Const(g, tensorOf(dtype, flatX, []int{batch, in}))
			return crossEntropy(mlpLogits(vars, x), Const(g, labels))
		}
	}
	t.Fatalf("problem %q has no Go loss", name)
	return nil
}

// mlpLogits is the golden MLP: tanh(x·w1 + b1)·w2 + b2.
func mlpLogits(vars map[string]*context.Variable, x *Node) *Node {
	g := x.Graph()
	h := Tanh(Add(MatMul(x, vars["w1"].ValueGraph(g)), InsertAxes(vars["b1"].ValueGraph(g), 0)))
	return Add(MatMul(h, vars["w2"].ValueGraph(g)), InsertAxes(vars["b2"].ValueGraph(g), 0))
}

// crossEntropy is torch's F.cross_entropy with integer labels and mean reduction.
func crossEntropy(logits, labels *Node) *Node {
	oneHot := OneHot(labels, logits.Shape().Dim(-1), logits.DType())
	return ReduceAllMean(Neg(ReduceSum(Mul(oneHot, LogSoftmax(logits, -1)), -1)))
}

func tensorOf(dtype dtypes.DType, flat []float64, shape []int) *tensors.Tensor {
	t, err := floats.ToTensor(dtype, flat, shape...)
	if err != nil {
		panic(err) // the goldens are float32 or float64
	}
	return t
}

// flatParams reads the problem's variables (in the golden's order) as one vector.
func flatParams(t *testing.T, gf *goldenFile, problemName string, ctx *context.Context) []float64 {
	t.Helper()
	var out []float64
	for _, spec := range gf.Problems[problemName].Params {
		v := ctx.GetVariable(spec.Name)
		if v == nil {
			t.Fatalf("no variable %q", spec.Name)
		}
		val, err := v.Value()
		if err != nil {
			t.Fatal(err)
		}
		flat, err := floats.FromTensor(val)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, flat...)
	}
	return out
}

// relErr is the error measure of the tolerances: relative for |want| ≥ 1, absolute below.
func relErr(got, want float64) float64 {
	if math.IsNaN(got) != math.IsNaN(want) {
		return math.Inf(1)
	}
	return math.Abs(got-want) / math.Max(math.Abs(want), 1)
}

// trajectoryErr compares one step and returns the worst error and where it was.
func trajectoryErr(gotLoss, wantLoss float64, got, want []float64) (float64, string) {
	worst, where := relErr(gotLoss, wantLoss), "loss"
	if len(got) != len(want) {
		return math.Inf(1), fmt.Sprintf("%d params, want %d", len(got), len(want))
	}
	for i := range got {
		if e := relErr(got[i], want[i]); e > worst {
			worst, where = e, fmt.Sprintf("param %d (got %.9g, want %.9g)", i, got[i], want[i])
		}
	}
	return worst, where
}

func TestGoldenTrajectories(t *testing.T) {
	gf := loadGolden(t)
	be := testbackend.Get(t)
	if gf.TorchVersion == "" || len(gf.Cases) == 0 {
		t.Fatalf("goldens have no torch version or no cases")
	}
	t.Logf("goldens from torch %s: %d cases of %d steps", gf.TorchVersion, len(gf.Cases), gf.Steps)
	worstByDType := map[string]float64{}
	for _, c := range gf.Cases {
		t.Run(c.Name, func(t *testing.T) {
			if len(c.Loss) != gf.Steps || len(c.Params) != gf.Steps {
				t.Fatalf("golden has %d losses and %d param vectors, want %d", len(c.Loss), len(c.Params), gf.Steps)
			}
			opt, err := optimizerFor(c)
			if err != nil {
				t.Fatal(err)
			}
			dtype := dtypes.Float32
			tol := tolFloat32
			if c.DType == "float64" {
				dtype, tol = dtypes.Float64, tolFloat64
			}
			ctx := context.New()
			loss := problem(t, gf, c.Problem, dtype, ctx)
			worst := 0.0
			key := c.DType

			switch o := opt.(type) {
			case Optimizer:
				worst = replay(t, be, gf, c, ctx, loss, o, gf.Steps, tol)
			case *LBFGSOptimizer:
				if dtype != dtypes.Float64 {
					t.Fatalf("L-BFGS goldens are float64, got %s", c.DType)
				}
				tol, key = tolLBFGS, "lbfgs"
				obj, err := NewObjective(be, ctx, loss)
				if err != nil {
					t.Fatal(err)
				}
				for k := 0; k < gf.Steps; k++ {
					l, err := o.StepObjective(obj)
					if err != nil {
						t.Fatalf("step %d: %v", k+1, err)
					}
					if o.FuncEvals() != c.FuncEvals[k] {
						t.Fatalf("step %d: %d function evaluations so far, torch made %d", k+1, o.FuncEvals(), c.FuncEvals[k])
					}
					e, where := trajectoryErr(l, c.Loss[k], flatParams(t, gf, c.Problem, ctx), c.Params[k])
					if os.Getenv("OPTIM_DEBUG") != "" {
						t.Logf("step %d: err %.3g at %s", k+1, e, where)
					}
					if e > tol {
						t.Fatalf("step %d: error %.3g > %.0e at %s", k+1, e, tol, where)
					}
					worst = math.Max(worst, e)
				}
			default:
				t.Fatalf("unexpected optimizer type %T", opt)
			}
			t.Logf("worst error over %d steps: %.2e (tolerance %.0e)", gf.Steps, worst, tol)
			worstByDType[key] = math.Max(worstByDType[key], worst)
		})
	}
	var summary []string
	for k, v := range worstByDType {
		summary = append(summary, fmt.Sprintf("%s %.2e", k, v))
	}
	t.Logf("worst errors: %s", strings.Join(summary, ", "))
}
