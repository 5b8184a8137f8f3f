package book

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/train/optimizers"

	"github.com/godl-book/godl/internal/repo"
	"github.com/godl-book/godl/pkg/backend"
	"github.com/godl-book/godl/pkg/datasets"
	"github.com/godl-book/godl/pkg/layers"
	"github.com/godl-book/godl/pkg/models"
	"github.com/godl-book/godl/pkg/optim"
	"github.com/godl-book/godl/pkg/training"
	"github.com/godl-book/godl/pkg/viz"
)

// DropFn is a dropout layer (暂退法 / 丢弃法, chapter 08): it drops values of x with probability
// rate while ctx is training, and is the identity otherwise. GoMLX's layers.DropoutStatic is
// one; chapter 08 writes another by hand.
type DropFn func(ctx *context.Context, x *graph.Node, rate float64) *graph.Node

// DropoutDraws applies drop at rate to x draws times at once — to a [draws, len(x)] tensor whose
// every row is x — in a context seeded with seed, in training mode or not, and returns the
// output row by row. Chapter 08 measures dropout's statistics over the rows.
func DropoutDraws(b backends.Backend, drop DropFn, x []float32, rate float64, draws int, seed int64,
	train bool) ([][]float32, error) {
	if len(x) == 0 || draws < 1 {
		return nil, fmt.Errorf("book: dropout draws: %d values, %d draws; want at least one of each", len(x), draws)
	}
	ctx := context.New()
	if err := ctx.SetRNGStateFromSeed(seed); err != nil {
		return nil, fmt.Errorf("book: dropout draws: %w", err)
	}
	n := len(x)
	out, err := context.ExecOnce(b, ctx.Checked(false), func(ctx *context.Context, x *graph.Node) *graph.Node {
		ctx.SetTraining(x.Graph(), train)
		return drop(ctx, graph.BroadcastToDims(graph.InsertAxes(x, 0), draws, n), rate)
	}, x)
	if err != nil {
		return nil, fmt.Errorf("book: dropout draws at rate %g: %w", rate, err)
	}
	flat, err := tensors.CopyFlatData[float32](out)
	if err != nil {
		return nil, fmt.Errorf("book: dropout draws: %w", err)
	}
	rows := make([][]float32, draws)
	for i := range rows {
		rows[i] = flat[i*len(x) : (i+1)*len(x)]
	}
	return rows, nil
}

// SigmaBound is how many standard errors a measured dropout statistic may be off its expected
// value in chapter 08's checks: a correct dropout fails one check with probability about 6·10⁻⁵.
const SigmaBound = 4

// DropoutStats summarizes draws of dropout at Rate on the values X (chapter 08). A value is
// kept, scaled by 1/(1−p), with probability 1−p, so output i has mean X[i] and variance
// X[i]²·p/(1−p); each tolerance is SigmaBound standard errors of its measurement.
type DropoutStats struct {
	Rate    float64
	Draws   int
	X       []float64
	Zeros   float64   // fraction of all outputs that are 0; expected Rate
	Mean    []float64 // mean of output i over the draws; expected X[i]
	Var     []float64 // variance of output i over the draws (divided by Draws); expected X[i]²·p/(1−p)
	ZeroTol float64
	MeanTol []float64
	VarTol  []float64
}

// ExpectedVar is the variance of output i: X[i]²·p/(1−p).
func (s *DropoutStats) ExpectedVar(i int) float64 { return s.X[i] * s.X[i] * s.Rate / (1 - s.Rate) }

// SummarizeDropout measures rows (each a dropout draw of x at rate) against what inverted dropout
// promises. Every x must be nonzero (so a dropped value is told from a kept one) and rate in
// [0, 1). The tolerances follow from the number of zeros K in a column of n draws, a
// binomial count: the fraction K/n has standard error δ = √(p(1−p)/n); the column's mean is
// c·(1−K/n) with c = x/(1−p), off by at most |c|·δ per standard error; its variance is
// c²·(K/n)(1−K/n), off by at most c²(|1−2p|·zδ + (zδ)²) when K/n is within zδ of p.
func SummarizeDropout(x []float32, rate float64, rows [][]float32) (*DropoutStats, error) {
	if !(rate >= 0 && rate < 1) {
		return nil, fmt.Errorf("book: dropout rate %g, want in [0, 1)", rate)
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("book: dropout statistics of no draws")
	}
	s := &DropoutStats{Rate: rate, Draws: len(rows), X: make([]float64, len(x)),
		Mean: make([]float64, len(x)), Var: make([]float64, len(x))}
	for i, v := range x {
		if v == 0 {
			return nil, fmt.Errorf("book: dropout statistics: x[%d] is 0, so a dropped value looks like a kept one", i)
		}
		s.X[i] = float64(v)
	}
	zeros := 0
	for r, row := range rows {
		if len(row) != len(x) {
			return nil, fmt.Errorf("book: dropout statistics: draw %d has %d values, want %d", r, len(row), len(x))
		}
		for i, v := range row {
			if v == 0 {
				zeros++
			}
			s.Mean[i] += float64(v)
		}
	}
	n := float64(len(rows))
	for i := range s.Mean {
		s.Mean[i] /= n
	}
	for _, row := range rows {
		for i, v := range row {
			d := float64(v) - s.Mean[i]
			s.Var[i] += d * d
		}
	}
	s.Zeros = float64(zeros) / (n * float64(len(x)))
	for i := range s.Var {
		s.Var[i] /= n
	}
	s.setTolerances()
	return s, nil
}

// setTolerances sets ZeroTol, MeanTol and VarTol from Rate, Draws and X.
func (s *DropoutStats) setTolerances() {
	p, n := s.Rate, float64(s.Draws)
	s.ZeroTol = SigmaBound * math.Sqrt(p*(1-p)/(n*float64(len(s.X))))
	zd := SigmaBound * math.Sqrt(p*(1-p)/n)
	s.MeanTol, s.VarTol = make([]float64, len(s.X)), make([]float64, len(s.X))
	for i, x := range s.X {
		c := x / (1 - p)
		s.MeanTol[i] = math.Abs(c) * zd
		s.VarTol[i] = c * c * (math.Abs(1-2*p)*zd + zd*zd)
	}
}

// OverfitEpoch is one epoch of an OverfitStudy: loss and accuracy on the training and the
// validation set, both measured after the epoch with dropout off.
type OverfitEpoch struct {
	TrainLoss float64 `json:"train_loss"`
	TrainAcc  float64 `json:"train_acc"`
	ValidLoss float64 `json:"valid_loss"`
	ValidAcc  float64 `json:"valid_acc"`
}

// Hidden is what a hidden layer of a trained MLP computes on the validation set (chapter 08):
// the fraction of its ReLU outputs that are exactly 0, their mean, and each unit's mean.
type Hidden struct {
	Zeros     float64   `json:"zeros"`
	Mean      float64   `json:"mean"`
	UnitMeans []float64 `json:"unit_means"`
}

// Dead counts the units whose output is 0 on every example: units that never fire.
func (h Hidden) Dead() int {
	n := 0
	for _, m := range h.UnitMeans {
		if m == 0 {
			n++
		}
	}
	return n
}

// OverfitStudy is one run of chapter 08's overfitting experiment: models.MLP with two hidden
// layers of Width units and dropout rates Input and HiddenRate, trained on a small training set
// and watched on a validation set after every epoch; the test set is scored once, at the end.
type OverfitStudy struct {
	Input      float64        `json:"input"`
	HiddenRate float64        `json:"hidden_rate"`
	Width      int            `json:"width"`
	Seed       uint64         `json:"seed"`
	Params     int            `json:"params"`
	Seconds    float64        `json:"seconds"`
	Epochs     []OverfitEpoch `json:"epochs"`
	Test       float64        `json:"test_accuracy"`
	Layers     []Hidden       `json:"layers"`
}

// Last is the final epoch.
func (s *OverfitStudy) Last() OverfitEpoch { return s.Epochs[len(s.Epochs)-1] }

// Gap is the final training accuracy minus the final validation accuracy: how much the network
// knows its training set better than new digits.
func (s *OverfitStudy) Gap() float64 { return s.Last().TrainAcc - s.Last().ValidAcc }

// StudyOverfit trains models.MLP(10, {width, width}, MLPDropout(input, hidden)) on train with
// opt (training.Fit, seeded with seed; opts add epochs and such), evaluates it on train and valid
// after every epoch with dropout off, scores test at the end, and measures both hidden layers on
// valid.
func StudyOverfit(train, valid, test *datasets.Dataset, width int, input, hidden float64, seed uint64,
	opt optimizers.Interface, opts ...training.Option) (*OverfitStudy, error) {
	if train == nil || valid == nil || test == nil {
		return nil, fmt.Errorf("book: overfit study: want training, validation and test sets")
	}
	if width < 1 || !(input >= 0 && input < 1) || !(hidden >= 0 && hidden < 1) {
		return nil, fmt.Errorf("book: overfit study: width %d, dropout %g and %g; want width ≥ 1 and rates in [0, 1)",
			width, input, hidden)
	}
	b, err := backend.Default()
	if err != nil {
		return nil, err
	}
	model := models.MLP(10, []int{width, width}, models.MLPDropout(input, hidden))
	ctx := context.New()
	s := &OverfitStudy{Input: input, HiddenRate: hidden, Width: width, Seed: seed}
	// A Run over the trainer's context evaluates the weights as they are after each epoch.
	probe := &training.Run{Model: model, Context: ctx, Backend: b, Classes: train.Classes, BatchSize: 500}
	var evalErr error
	onEpoch := func(e training.Epoch) {
		ev, err := probe.Evaluate(train)
		if err != nil {
			evalErr = err
			return
		}
		s.Epochs = append(s.Epochs, OverfitEpoch{TrainLoss: ev.Loss, TrainAcc: ev.Accuracy,
			ValidLoss: e.TestLoss, ValidAcc: e.TestAccuracy})
		s.Seconds += e.Seconds
	}
	opts = append(opts[:len(opts):len(opts)], training.WithContext(ctx), training.WithBackend(b),
		training.Seed(seed), training.OnEpoch(onEpoch))
	run, err := training.Fit(model, train, valid, opt, opts...)
	if err == nil {
		err = evalErr
	}
	if err != nil {
		return nil, fmt.Errorf("book: overfit study (dropout %g, %g): %w", input, hidden, err)
	}
	s.Params = models.NumParams(run.Context)
	ev, err := run.Evaluate(test)
	if err != nil {
		return nil, err
	}
	s.Test = ev.Accuracy
	if s.Layers, err = hiddenLayers(b, ctx, width, valid); err != nil {
		return nil, err
	}
	return s, nil
}

// hiddenLayers runs the first two layers of a trained MLP (scopes fc1 and fc2) on d in
// evaluation mode and summarizes their ReLU outputs.
func hiddenLayers(b backends.Backend, ctx *context.Context, width int, d *datasets.Dataset) ([]Hidden, error) {
	exec, err := context.NewExec(b, ctx.Reuse(), func(ctx *context.Context, images *graph.Node) (h1, h2 *graph.Node) {
		h1 = layers.ReLU(layers.Dense(ctx.In("fc1"), layers.Flatten(images), width))
		h2 = layers.ReLU(layers.Dense(ctx.In("fc2"), h1, width))
		return h1, h2
	})
	if err != nil {
		return nil, fmt.Errorf("book: hidden layers: %w", err)
	}
	out := []Hidden{{UnitMeans: make([]float64, width)}, {UnitMeans: make([]float64, width)}}
	loader := datasets.NewLoader(d, 500)
	defer loader.Close()
	rows := 0
	for {
		batch, err := loader.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("book: hidden layers on %s: %w", d.Name, err)
		}
		hs, err := exec.Exec(batch.Images)
		if err != nil {
			return nil, fmt.Errorf("book: hidden layers on %s: %w", d.Name, err)
		}
		for l, h := range hs {
			flat, err := tensors.CopyFlatData[float32](h)
			if err != nil {
				return nil, err
			}
			for k, v := range flat {
				out[l].UnitMeans[k%width] += float64(v)
				if v == 0 {
					out[l].Zeros++
				}
			}
		}
		rows += batch.Images.Shape().Dimensions[0]
	}
	for l := range out {
		out[l].Zeros /= float64(rows * width)
		for k := range out[l].UnitMeans {
			out[l].UnitMeans[k] /= float64(rows)
			out[l].Mean += out[l].UnitMeans[k] / float64(width)
		}
	}
	return out, nil
}

// OverfitPath is where chapter 08 keeps a study, under training.Dir.
func OverfitPath(name string) string {
	return training.Dir(filepath.Join("08-dropout", name+".json"))
}

// SaveOverfit writes studies as JSON to path, creating its folder: a later notebook cell (a new
// process under GoNB) reads them back with LoadOverfit.
func SaveOverfit(path string, studies ...*OverfitStudy) error {
	return saveJSON(path, "overfit studies", studies)
}

// LoadOverfit reads back the studies SaveOverfit wrote to path.
func LoadOverfit(path string) ([]*OverfitStudy, error) {
	studies, err := loadJSON[[]*OverfitStudy](path, "run the overfitting study first")
	if err != nil {
		return nil, err
	}
	for i, s := range studies {
		if s == nil || len(s.Epochs) == 0 || len(s.Layers) != 2 {
			return nil, fmt.Errorf("book: %s: study %d has no epochs or not two hidden layers", path, i)
		}
	}
	if len(studies) == 0 {
		return nil, fmt.Errorf("book: %s: no studies", path)
	}
	return studies, nil
}

// DropoutColors gives chapter 08's two networks one colour each in all its figures: the
// network without dropout in blue, the one with dropout in orange; a lighter shade marks the
// training set.
var DropoutColors = map[string]string{
	"no dropout, train": "#9ecae1", "no dropout, valid": "#1f77b4",
	"dropout, train": "#fdae6b", "dropout, valid": "#e6550d",
	"no dropout": "#1f77b4", "dropout": "#e6550d",
}

// OverfitFigure draws accuracy (left) and loss (right) per epoch on the training and the
// validation set, for the network without dropout and the one with it.
func OverfitFigure(without, with *OverfitStudy) viz.Figure {
	var acc, loss []viz.Series
	for _, arm := range []struct {
		name string
		s    *OverfitStudy
	}{{"no dropout", without}, {"dropout", with}} {
		var ta, va, tl, vl []float64
		for _, e := range arm.s.Epochs {
			ta, va = append(ta, 100*e.TrainAcc), append(va, 100*e.ValidAcc)
			tl, vl = append(tl, e.TrainLoss), append(vl, e.ValidLoss)
		}
		acc = append(acc, viz.Series{Name: arm.name + ", train", Y: ta}, viz.Series{Name: arm.name + ", valid", Y: va})
		loss = append(loss, viz.Series{Name: arm.name + ", train", Y: tl}, viz.Series{Name: arm.name + ", valid", Y: vl})
	}
	return viz.Row(
		viz.Lines("accuracy (%), dropout off when measuring", acc...).XLabel("epoch").Colors(DropoutColors),
		viz.Lines("cross-entropy loss", loss...).XLabel("epoch").LogY().Colors(DropoutColors))
}

// SweepPoint is one dropout rate of chapter 08's sweep: its runs, one per seed.
type SweepPoint struct {
	Rate float64
	Runs []*OverfitStudy
}

// MeanValid is the final validation accuracy averaged over the seeds.
func (p SweepPoint) MeanValid() float64 {
	return meanOf(p.Runs, func(s *OverfitStudy) float64 { return s.Last().ValidAcc })
}

// MeanGap is the final train−valid accuracy gap averaged over the seeds.
func (p SweepPoint) MeanGap() float64 { return meanOf(p.Runs, (*OverfitStudy).Gap) }

// Spread is the largest minus the smallest final validation accuracy over the seeds.
func (p SweepPoint) Spread() float64 {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, s := range p.Runs {
		lo, hi = math.Min(lo, s.Last().ValidAcc), math.Max(hi, s.Last().ValidAcc)
	}
	return hi - lo
}

func meanOf(runs []*OverfitStudy, f func(*OverfitStudy) float64) float64 {
	sum := 0.0
	for _, s := range runs {
		sum += f(s)
	}
	return sum / float64(len(runs))
}

// Sweep groups studies by their hidden dropout rate, in the order the rates first appear.
func Sweep(studies []*OverfitStudy) []SweepPoint {
	var points []SweepPoint
	at := map[float64]int{}
	for _, s := range studies {
		i, ok := at[s.HiddenRate]
		if !ok {
			i = len(points)
			at[s.HiddenRate] = i
			points = append(points, SweepPoint{Rate: s.HiddenRate})
		}
		points[i].Runs = append(points[i].Runs, s)
	}
	return points
}

// Best is the point with the highest mean validation accuracy: the rate chosen on validation.
func Best(points []SweepPoint) SweepPoint {
	best := points[0]
	for _, p := range points[1:] {
		if p.MeanValid() > best.MeanValid() {
			best = p
		}
	}
	return best
}

// SweepFigure draws the final validation accuracy (left) and train−valid gap (right) against the
// hidden dropout rate: each seed's run as a point, their mean as a line.
func SweepFigure(points []SweepPoint) viz.Figure {
	var rates, valid, gap []float64
	var seedsV, seedsG []viz.Series
	for _, p := range points {
		rates, valid, gap = append(rates, p.Rate), append(valid, 100*p.MeanValid()), append(gap, 100*p.MeanGap())
		for k, s := range p.Runs {
			if k >= len(seedsV) {
				name := fmt.Sprintf("seed %d", s.Seed)
				seedsV, seedsG = append(seedsV, viz.Series{Name: name}), append(seedsG, viz.Series{Name: name})
			}
			seedsV[k].X, seedsV[k].Y = append(seedsV[k].X, p.Rate), append(seedsV[k].Y, 100*s.Last().ValidAcc)
			seedsG[k].X, seedsG[k].Y = append(seedsG[k].X, p.Rate), append(seedsG[k].Y, 100*s.Gap())
		}
	}
	mean := fmt.Sprintf("mean of %d", len(points[0].Runs))
	v := viz.Lines("validation accuracy (%)", append(seedsV, viz.Series{Name: mean, X: rates, Y: valid})...)
	g := viz.Lines("train − valid accuracy (points)", append(seedsG, viz.Series{Name: mean, X: rates, Y: gap})...)
	return viz.Row(v.XLabel("hidden dropout rate p").Markers(), g.XLabel("hidden dropout rate p").Markers())
}

// UnitMeansFigure draws, for each hidden layer, the histogram of the units' mean activation on
// the validation set, for the network without dropout and the one with it: the share of units
// per bin of width step, from 0.
func UnitMeansFigure(without, with *OverfitStudy, step float64) viz.Figure {
	var panels []viz.Figure
	for l := range without.Layers {
		var series []viz.Series
		for _, arm := range []struct {
			name string
			h    Hidden
		}{{"no dropout", without.Layers[l]}, {"dropout", with.Layers[l]}} {
			series = append(series, histogram(arm.name, arm.h.UnitMeans, step))
		}
		title := fmt.Sprintf("fc%d: units' mean activation", l+1)
		panels = append(panels, viz.Lines(title, series...).XLabel("mean ReLU output").
			YLabel("share of units").Colors(DropoutColors))
	}
	return viz.Row(panels...)
}

// histogram counts values into bins [k·step, (k+1)·step) from 0 to the largest value, as the
// share of values per bin, placed at the bins' centres.
func histogram(name string, values []float64, step float64) viz.Series {
	top := 0.0
	for _, v := range values {
		top = math.Max(top, v)
	}
	bins := int(top/step) + 1
	s := viz.Series{Name: name, X: make([]float64, bins), Y: make([]float64, bins)}
	for k := range s.X {
		s.X[k] = (float64(k) + 0.5) * step
	}
	for _, v := range values {
		s.Y[min(int(math.Max(v, 0)/step), bins-1)] += 1 / float64(len(values))
	}
	return s
}

// DropoutVarianceFigure draws, for each summary, the measured variance of the outputs divided by
// x² (the mean over the values) against the rate, next to the formula p/(1−p) (chapter 08).
func DropoutVarianceFigure(stats []*DropoutStats) viz.Figure {
	measured := viz.Series{Name: "measured Var/x²"}
	formula := viz.Series{Name: "p/(1−p)"}
	for _, s := range stats {
		ratio := 0.0
		for i, x := range s.X {
			ratio += s.Var[i] / (x * x) / float64(len(s.X))
		}
		measured.X, measured.Y = append(measured.X, s.Rate), append(measured.Y, ratio)
		formula.X, formula.Y = append(formula.X, s.Rate), append(formula.Y, s.Rate/(1-s.Rate))
	}
	return viz.Lines("variance of dropout's output, over draws", formula, measured).
		XLabel("dropout rate p").YLabel("Var / x²").LogY().Markers()
}

// Errors returns the worst |measured − expected| / tolerance of the share of zeros, of the
// means and of the variances: all three are at most 1 when dropout keeps its promises. A zero
// tolerance (rate 0) counts any error as infinite.
func (s *DropoutStats) Errors() (zeros, mean, variance float64) {
	ratio := func(err, tol float64) float64 {
		if err == 0 {
			return 0
		}
		return err / tol
	}
	zeros = ratio(math.Abs(s.Zeros-s.Rate), s.ZeroTol)
	for i, x := range s.X {
		mean = math.Max(mean, ratio(math.Abs(s.Mean[i]-x), s.MeanTol[i]))
		variance = math.Max(variance, ratio(math.Abs(s.Var[i]-s.ExpectedVar(i)), s.VarTol[i]))
	}
	return zeros, mean, variance
}

// CompareDraws compares two sets of dropout draws of the same shape value by value: how many
// values are 0 in one and not in the other (the masks differ), how many differ at all, and the
// largest relative difference of the values kept by both.
func CompareDraws(a, b [][]float32) (masks, values int, maxRel float64, err error) {
	if len(a) != len(b) {
		return 0, 0, 0, fmt.Errorf("book: compare draws: %d and %d draws", len(a), len(b))
	}
	for r := range a {
		if len(a[r]) != len(b[r]) {
			return 0, 0, 0, fmt.Errorf("book: compare draws: draw %d has %d and %d values", r, len(a[r]), len(b[r]))
		}
		for i, u := range a[r] {
			v := b[r][i]
			switch {
			case (u == 0) != (v == 0):
				masks++
				values++
			case u != v:
				values++
				maxRel = math.Max(maxRel, math.Abs(float64(u)-float64(v))/math.Abs(float64(v)))
			}
		}
	}
	return masks, values, maxRel, nil
}

// MinValidLoss returns the epoch (from 1) with the lowest validation loss, and that loss.
func (s *OverfitStudy) MinValidLoss() (epoch int, loss float64) {
	loss = math.Inf(1)
	for i, e := range s.Epochs {
		if e.ValidLoss < loss {
			epoch, loss = i+1, e.ValidLoss
		}
	}
	return epoch, loss
}

// MeanValidLoss is the final validation loss averaged over the seeds.
func (p SweepPoint) MeanValidLoss() float64 {
	return meanOf(p.Runs, func(s *OverfitStudy) float64 { return s.Last().ValidLoss })
}

// MeanTest is the test accuracy averaged over the seeds.
func (p SweepPoint) MeanTest() float64 {
	return meanOf(p.Runs, func(s *OverfitStudy) float64 { return s.Test })
}

// SweepOverfit runs StudyOverfit for every seed and every hidden dropout rate (no input dropout),
// each network trained with Adam at learning rate 10⁻³ and opts: chapter 08's sweep, seed by
// seed, in the order of rates.
func SweepOverfit(train, valid, test *datasets.Dataset, width int, rates []float64, seeds []uint64,
	opts ...training.Option) ([]*OverfitStudy, error) {
	var runs []*OverfitStudy
	for _, seed := range seeds {
		for _, p := range rates {
			s, err := StudyOverfit(train, valid, test, width, 0, p, seed, optim.Adam(1e-3).Done(), opts...)
			if err != nil {
				return nil, err
			}
			runs = append(runs, s)
		}
	}
	return runs, nil
}

// DropoutGoldensFile holds what torch 1.13's F.dropout does, made by tools/goldens/dropout.py.
const DropoutGoldensFile = "pkg/book/testdata/dropout_golden.json"

// DropoutVsTorch is how a dropout function compares with torch's F.dropout (chapter 08).
type DropoutVsTorch struct {
	Torch        string  // torch's version
	Kept, Same   int     // kept values compared, and how many are bit-identical to torch's
	MaxRel       float64 // largest relative difference of a kept value
	EvalIdentity bool    // both are the identity in evaluation mode
	// TorchWorst is the worst error / tolerance of torch's own draws: the share of zeros, the
	// means and the variances held to SummarizeDropout's tolerances.
	TorchWorst float64
}

// DropoutTorch compares drop with the goldens of DropoutGoldensFile on backend b: the float32
// value each input becomes when kept, at every rate, and evaluation mode; and it holds torch's
// own draws to the tolerances SummarizeDropout derives.
func DropoutTorch(b backends.Backend, drop DropFn) (*DropoutVsTorch, error) {
	root := repo.Root()
	if root == "" {
		return nil, fmt.Errorf("book: no godl checkout found for %s (set $%s)", DropoutGoldensFile, repo.HomeEnv)
	}
	return dropoutTorch(b, drop, filepath.Join(root, DropoutGoldensFile))
}

func dropoutTorch(b backends.Backend, drop DropFn, path string) (*DropoutVsTorch, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("book: %w", err)
	}
	var g struct {
		Torch string    `json:"torch_version"`
		X     []float32 `json:"x"`
		Draws int       `json:"draws"`
		Cases []struct {
			P            float64   `json:"p"`
			Kept         []float32 `json:"kept"`
			EvalIdentity bool      `json:"eval_is_identity"`
			Zeros        float64   `json:"zeros"`
			Mean         []float64 `json:"mean"`
			Var          []float64 `json:"var"`
		} `json:"cases"`
	}
	if err := json.Unmarshal(data, &g); err != nil {
		return nil, fmt.Errorf("book: %s: %w", path, err)
	}
	r := &DropoutVsTorch{Torch: g.Torch, EvalIdentity: true}
	x := make([]float64, len(g.X))
	for i, v := range g.X {
		x[i] = float64(v)
	}
	for _, c := range g.Cases {
		if len(c.Kept) != len(x) || len(c.Mean) != len(x) || len(c.Var) != len(x) {
			return nil, fmt.Errorf("book: %s: case p=%g does not have %d values of each kind", path, c.P, len(x))
		}
		// 200 draws keep every value at least once but with probability 0.9²⁰⁰ ≈ 10⁻⁹.
		rows, err := DropoutDraws(b, drop, g.X, c.P, 200, 3, true)
		if err != nil {
			return nil, err
		}
		for i, want := range c.Kept {
			for _, row := range rows {
				if got := row[i]; got != 0 {
					r.Kept++
					if got == want {
						r.Same++
					}
					r.MaxRel = math.Max(r.MaxRel, math.Abs(float64(got-want))/math.Abs(float64(want)))
					break
				}
			}
		}
		eval, err := DropoutDraws(b, drop, g.X, c.P, 1, 3, false)
		if err != nil {
			return nil, err
		}
		for i, v := range eval[0] {
			r.EvalIdentity = r.EvalIdentity && c.EvalIdentity && v == g.X[i]
		}
		s := &DropoutStats{Rate: c.P, Draws: g.Draws, X: x, Zeros: c.Zeros, Mean: c.Mean, Var: c.Var}
		s.setTolerances()
		z, m, v := s.Errors()
		r.TorchWorst = math.Max(r.TorchWorst, max(z, m, v))
	}
	return r, nil
}
