package book

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/train/optimizers"

	"github.com/godl-book/godl/internal/repo"
	"github.com/godl-book/godl/pkg/activations"
	"github.com/godl-book/godl/pkg/backend"
	"github.com/godl-book/godl/pkg/datasets"
	"github.com/godl-book/godl/pkg/models"
	"github.com/godl-book/godl/pkg/probe"
	"github.com/godl-book/godl/pkg/training"
	"github.com/godl-book/godl/pkg/viz"
)

// ActivationCurve is one activation on a grid of inputs (chapter 07): its values and its
// derivative by automatic differentiation, next to both in closed form.
type ActivationCurve struct {
	Name                     string
	X, Value, Deriv          []float64
	ClosedValue, ClosedDeriv []float64
}

// ActivationCurves evaluates each activation and its autodiff derivative at xs (in float64, on
// the default backend), with the closed forms beside them.
func ActivationCurves(acts []activations.Activation, xs []float64) ([]ActivationCurve, error) {
	b, err := backend.Default()
	if err != nil {
		return nil, err
	}
	var out []ActivationCurve
	for _, a := range acts {
		ys, ds, err := activations.Eval(b, a.Apply, xs)
		if err != nil {
			return nil, fmt.Errorf("book: %s: %w", a.Name, err)
		}
		c := ActivationCurve{Name: a.Name, X: xs, Value: ys, Deriv: ds}
		for _, x := range xs {
			c.ClosedValue, c.ClosedDeriv = append(c.ClosedValue, a.F(x)), append(c.ClosedDeriv, a.Deriv(x))
		}
		out = append(out, c)
	}
	return out, nil
}

// ActivationFigure draws the activations (left) and their autodiff derivatives (right), one
// colour per activation in both.
func ActivationFigure(curves []ActivationCurve) viz.Figure {
	var fs, ds []viz.Series
	for _, c := range curves {
		fs = append(fs, viz.Series{Name: c.Name, X: c.X, Y: c.Value})
		ds = append(ds, viz.Series{Name: c.Name, X: c.X, Y: c.Deriv})
	}
	return viz.Row(viz.Lines("activation f(x)", fs...).XLabel("x").YRange(-1.5, 4),
		viz.Lines("derivative f′(x), by autodiff", ds...).XLabel("x").YRange(-0.2, 1.3))
}

// DepthStudy is one arm of chapter 07's vanishing-gradient experiment: a models.DeepMLP trained
// on MNIST, with its training loss at every step and the gradient norm of each layer's weight
// matrix (input side first) on one fixed batch, before and after training.
type DepthStudy struct {
	Activation   string           `json:"activation"`
	Depth        int              `json:"depth"`
	Width        int              `json:"width"`
	Params       int              `json:"params"`
	StepLoss     []float64        `json:"step_loss"`
	InitNorms    []float64        `json:"init_norms"`
	TrainedNorms []float64        `json:"trained_norms"`
	History      []training.Epoch `json:"history"`
}

// StudyDepth builds models.DeepMLP(10, depth, width, act), measures its weight-gradient norms on
// the first probeSize training examples at initialization (a context seeded with 42, as
// training.Fit seeds its own by default), trains it with training.Fit and opts, and measures them again on the same
// batch.
func StudyDepth(act activations.Activation, depth, width, probeSize int, train, test *datasets.Dataset,
	opt optimizers.Interface, opts ...training.Option) (*DepthStudy, error) {
	b, err := backend.Default()
	if err != nil {
		return nil, err
	}
	loader := datasets.NewLoader(train, probeSize)
	batch, err := loader.Next()
	loader.Close()
	if err != nil {
		return nil, fmt.Errorf("book: probe batch of %d from %s: %w", probeSize, train.Name, err)
	}
	model := models.DeepMLP(10, depth, width, act)
	s := &DepthStudy{Activation: act.Name, Depth: depth, Width: width}
	weightNorms := func(ctx *context.Context) ([]float64, error) {
		norms, err := probe.GradNorms(b, ctx, model, batch.Images, batch.Labels)
		var out []float64
		for _, n := range probe.Named(norms, "weight") {
			out = append(out, n.Norm)
		}
		return out, err
	}
	fresh := context.New()
	if err := fresh.SetRNGStateFromSeed(42); err != nil {
		return nil, err
	}
	if s.InitNorms, err = weightNorms(fresh); err != nil {
		return nil, err
	}
	opts = append(opts[:len(opts):len(opts)], training.OnStep(func(_ int, loss float64) { s.StepLoss = append(s.StepLoss, loss) }))
	run, err := training.Fit(model, train, test, opt, opts...)
	if err != nil {
		return nil, err
	}
	s.History, s.Params = run.History, models.NumParams(run.Context)
	if s.TrainedNorms, err = weightNorms(run.Context); err != nil {
		return nil, err
	}
	return s, nil
}

// DepthStudyPath is where chapter 07 keeps the study of the named activation, under
// training.Dir.
func DepthStudyPath(activation string) string {
	return training.Dir(filepath.Join("07-activations", activation+".json"))
}

// TestAccuracy is the test accuracy after the last epoch.
func (s *DepthStudy) TestAccuracy() float64 { return s.History[len(s.History)-1].TestAccuracy }

// Save writes the study as JSON to path, creating its folder: a later notebook cell (a new
// process under GoNB) reads it back with LoadDepthStudy.
func (s *DepthStudy) Save(path string) error { return saveJSON(path, "depth study", s) }

// LoadDepthStudy reads a study that Save wrote.
func LoadDepthStudy(path string) (*DepthStudy, error) {
	s, err := loadJSON[*DepthStudy](path, "run the depth study first")
	if err != nil {
		return nil, err
	}
	if s == nil || len(s.InitNorms) == 0 || len(s.InitNorms) != len(s.TrainedNorms) || len(s.History) == 0 {
		return nil, fmt.Errorf("book: %s: %d and %d gradient norms, %d epochs; want as many norms before as after training, and epochs",
			path, len(s.InitNorms), len(s.TrainedNorms), len(s.History))
	}
	return s, nil
}

// GradNormFigure draws the studies' weight-gradient norms per layer on a log scale, at
// initialization (left) and after training (right), one colour per activation in both.
func GradNormFigure(studies ...*DepthStudy) viz.Figure {
	var init, trained []viz.Series
	for _, s := range studies {
		init = append(init, viz.Series{Name: s.Activation, Y: s.InitNorms})
		trained = append(trained, viz.Series{Name: s.Activation, Y: s.TrainedNorms})
	}
	panel := func(title string, series []viz.Series) viz.Figure {
		return viz.Lines(title, series...).LogY().Markers().
			XLabel("layer (1 = input side)").YLabel("‖∂loss/∂W‖")
	}
	return viz.Row(panel("at initialization", init), panel("after training", trained))
}

// DepthCurves draws the studies' training loss per step (left, smoothed over a moving window of
// window steps) and test accuracy per epoch (right), one colour per activation in both.
func DepthCurves(window int, studies ...*DepthStudy) viz.Figure {
	var loss, acc []viz.Series
	for _, s := range studies {
		loss = append(loss, viz.Series{Name: s.Activation, Y: movingMean(s.StepLoss, window)})
		var ys []float64
		for _, e := range s.History {
			ys = append(ys, e.TestAccuracy)
		}
		acc = append(acc, viz.Series{Name: s.Activation, Y: ys})
	}
	return viz.Row(viz.Lines("training loss", loss...).XLabel("step"),
		viz.Lines("test accuracy", acc...).XLabel("epoch").Markers().YRange(0, 1))
}

// movingMean is the mean of each value and up to window−1 before it.
func movingMean(xs []float64, window int) []float64 {
	window = max(window, 1)
	out := make([]float64, len(xs))
	sum := 0.0
	for i, x := range xs {
		sum += x
		if i >= window {
			sum -= xs[i-window]
		}
		out[i] = sum / float64(min(i+1, window))
	}
	return out
}

// GoldenError is how far one activation is from PyTorch's goldens (chapter 07).
type GoldenError struct {
	Name            string
	Params          map[string]float64
	Points          int
	Value, Gradient float64 // the largest |godl − torch|
}

// Case names the golden case as PyTorch would call it, e.g. "ELU(alpha=0.5)" or "GELU()".
func (e GoldenError) Case() string {
	var params []string
	for k, v := range e.Params {
		params = append(params, fmt.Sprintf("%s=%g", k, v))
	}
	sort.Strings(params)
	return e.Name + "(" + strings.Join(params, ", ") + ")"
}

// ActivationGoldensFile is where tools/goldens/activations.py writes its goldens, relative to
// the repository's root.
const ActivationGoldensFile = "pkg/activations/testdata/activations_golden.json"

// ActivationGoldens replays the goldens of ActivationGoldensFile — torch 1.13's values and
// gradients — in float32 on the default backend, and returns the largest error of each case.
// Cases with parameters use LeakyReLUWithSlope and ELUWithAlpha.
func ActivationGoldens() (torchVersion string, errs []GoldenError, err error) {
	root := repo.Root()
	if root == "" {
		return "", nil, fmt.Errorf("book: no godl checkout found for %s (set $%s)", ActivationGoldensFile, repo.HomeEnv)
	}
	return activationGoldens(filepath.Join(root, ActivationGoldensFile))
}

func activationGoldens(path string) (torchVersion string, errs []GoldenError, err error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return "", nil, fmt.Errorf("book: %w", err)
	}
	var g struct {
		Torch string    `json:"torch_version"`
		X     []float64 `json:"x"`
		Cases []struct {
			Name        string             `json:"name"`
			Params      map[string]float64 `json:"params"`
			Value, Grad []float64
		} `json:"cases"`
	}
	if err := json.Unmarshal(data, &g); err != nil {
		return "", nil, fmt.Errorf("book: %s: %w", path, err)
	}
	b, err := backend.Default()
	if err != nil {
		return "", nil, err
	}
	x32 := make([]float32, len(g.X))
	for i, v := range g.X {
		x32[i] = float32(v)
	}
	for _, c := range g.Cases {
		act, err := goldenFunc(c.Name, c.Params)
		if err != nil {
			return "", nil, fmt.Errorf("book: %s: %w", path, err)
		}
		ys, ds, err := eval32(b, act, x32)
		if err != nil {
			return "", nil, fmt.Errorf("book: %s: %w", c.Name, err)
		}
		if len(c.Value) != len(x32) || len(c.Grad) != len(x32) {
			return "", nil, fmt.Errorf("book: %s: case %s has %d values and %d gradients for %d inputs",
				path, c.Name, len(c.Value), len(c.Grad), len(x32))
		}
		e := GoldenError{Name: c.Name, Params: c.Params, Points: len(x32)}
		for i := range x32 {
			e.Value = max(e.Value, math.Abs(float64(ys[i])-c.Value[i]))
			e.Gradient = max(e.Gradient, math.Abs(float64(ds[i])-c.Grad[i]))
		}
		errs = append(errs, e)
	}
	return g.Torch, errs, nil
}

// goldenFunc is the Go activation for a golden case's name and parameters.
func goldenFunc(name string, params map[string]float64) (activations.Func, error) {
	slope, hasSlope := params["negative_slope"]
	alpha, hasAlpha := params["alpha"]
	switch {
	case len(params) == 0:
		a, err := activations.Named(name)
		return a.Apply, err
	case len(params) == 1 && hasSlope && name == "LeakyReLU":
		return func(x *graph.Node) *graph.Node { return activations.LeakyReLUWithSlope(x, slope) }, nil
	case len(params) == 1 && hasAlpha && name == "ELU":
		return func(x *graph.Node) *graph.Node { return activations.ELUWithAlpha(x, alpha) }, nil
	}
	return nil, fmt.Errorf("case %s with parameters %v: not known", name, params)
}

// eval32 is activations.Eval in float32.
func eval32(b backends.Backend, act activations.Func, xs []float32) (values, derivs []float32, err error) {
	exec, err := graph.NewExec(b, func(x *graph.Node) (*graph.Node, *graph.Node) {
		y := act(x)
		return y, graph.Gradient(graph.ReduceAllSum(y), x)[0]
	})
	if err != nil {
		return nil, nil, err
	}
	defer exec.Finalize()
	out, err := exec.Exec(xs)
	if err != nil {
		return nil, nil, err
	}
	return tensors.MustCopyFlatData[float32](out[0]), tensors.MustCopyFlatData[float32](out[1]), nil
}
