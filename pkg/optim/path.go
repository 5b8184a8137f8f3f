package optim

import (
	"fmt"

	"github.com/godl-book/godl/pkg/backend"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// Minimizer is any optimizer of this package: an [Optimizer] (SGD, Adam, ...), which updates
// variables inside a graph, or an [*LBFGSOptimizer], driven from the host. [Path] runs either;
// both report an invalid setting with Err.
type Minimizer interface {
	Err() error
}

// Path runs an optimizer for steps steps on a function of two variables, starting at start,
// and returns the points it visits, start first (steps+1 points) — the trails chapter 05
// ("05-optimizers") draws over Rosenbrock's contours. For an [*LBFGSOptimizer] one step is one
// Step call. f builds the scalar to minimise from the scalar nodes x and y, in float64.
// A graph optimizer's state lives in Path's own context, so one optimizer can draw many paths;
// an LBFGSOptimizer keeps its history, so give each path a fresh one.
func Path(opt Minimizer, f func(x, y *Node) *Node, start [2]float64, steps int) ([][2]float64, error) {
	if f == nil {
		return nil, fmt.Errorf("optim: Path: nil function")
	}
	if steps < 0 {
		return nil, fmt.Errorf("optim: Path: %d steps, want ≥ 0", steps)
	}
	be, err := backend.Default()
	if err != nil {
		return nil, fmt.Errorf("optim: Path: %w", err)
	}
	// Two scalar variables rather than one vector: slicing a vector needs a gradient (Pad) that
	// GoMLX's pure-Go backend lacks.
	ctx := context.New()
	xVar, yVar := ctx.VariableWithValue("x", start[0]), ctx.VariableWithValue("y", start[1])
	loss := func(ctx *context.Context, g *Graph) *Node {
		out := f(xVar.ValueGraph(g), yVar.ValueGraph(g))
		if out == nil || !out.Shape().IsScalar() {
			panic(fmt.Errorf("optim: Path: f must return a scalar"))
		}
		if out.DType() != dtypes.Float64 {
			out = ConvertDType(out, dtypes.Float64)
		}
		return out
	}
	path := [][2]float64{start}
	read := func() error {
		var p [2]float64
		for i, v := range []*context.Variable{xVar, yVar} {
			t, err := v.Value()
			if err != nil {
				return fmt.Errorf("optim: Path: %w", err)
			}
			flat, err := tensors.CopyFlatData[float64](t)
			if err != nil {
				return fmt.Errorf("optim: Path: %w", err)
			}
			p[i] = flat[0]
		}
		path = append(path, p)
		return nil
	}

	switch o := opt.(type) {
	case *LBFGSOptimizer:
		obj, err := NewObjective(be, ctx, loss)
		if err != nil {
			return nil, fmt.Errorf("optim: Path: %w", err)
		}
		for i := 0; i < steps; i++ {
			if _, err := o.StepObjective(obj); err != nil {
				return nil, fmt.Errorf("optim: Path: step %d: %w", i+1, err)
			}
			if err := read(); err != nil {
				return nil, err
			}
		}
	case Optimizer:
		if err := o.Err(); err != nil {
			return nil, fmt.Errorf("optim: Path: %w", err)
		}
		exec, err := context.NewExec(be, ctx, func(ctx *context.Context, g *Graph) *Node {
			l := loss(ctx, g)
			o.UpdateGraph(ctx, g, l)
			return l
		})
		if err != nil {
			return nil, fmt.Errorf("optim: Path: %w", err)
		}
		for i := 0; i < steps; i++ {
			if _, err := exec.Exec(); err != nil {
				return nil, fmt.Errorf("optim: Path: step %d: %w", i+1, err)
			}
			if err := read(); err != nil {
				return nil, err
			}
		}
	default:
		return nil, fmt.Errorf("optim: Path: optimizer of type %T, want an optim.Optimizer or *optim.LBFGSOptimizer", opt)
	}
	return path, nil
}

// Rosenbrock is Rosenbrock's banana function (1 − x)² + 100·(y − x²)², minimum 0 at (1, 1) at
// the end of a long curved valley: chapter 05's test track for optimizers.
func Rosenbrock(x, y *Node) *Node {
	return Add(Square(OneMinus(x)), MulScalar(Square(Sub(y, Square(x))), 100))
}
