package book

import (
	"math"
	"path/filepath"
	"strings"
	"testing"

	gomlxlayers "github.com/gomlx/gomlx/pkg/ml/layers"

	"github.com/godl-book/godl/internal/testbackend"
	"github.com/godl-book/godl/pkg/datasets"
	"github.com/godl-book/godl/pkg/optim"
	"github.com/godl-book/godl/pkg/training"
)

// TestSummarizeDropout checks the statistics on draws worked out by hand: x = 2 kept (as 4) in
// 3 of 4 draws at p = 0.5 has mean 3 and variance 16·(1/4)(3/4) = 3.
func TestSummarizeDropout(t *testing.T) {
	for _, tc := range []struct {
		name           string
		x              []float32
		rate           float64
		rows           [][]float32
		zeros          float64
		mean, variance []float64
	}{
		{"p=0.5", []float32{2, -1}, 0.5, [][]float32{{4, 0}, {0, -2}, {4, 0}, {4, -2}}, 3.0 / 8,
			[]float64{3, -1}, []float64{3, 1}},
		{"p=0.75", []float32{1}, 0.75, [][]float32{{0}, {0}, {0}, {4}}, 0.75, []float64{1}, []float64{3}},
		{"p=0", []float32{3}, 0, [][]float32{{3}, {3}}, 0, []float64{3}, []float64{0}},
	} {
		s, err := SummarizeDropout(tc.x, tc.rate, tc.rows)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if s.Zeros != tc.zeros || s.Draws != len(tc.rows) {
			t.Errorf("%s: zeros %g over %d draws, want %g over %d", tc.name, s.Zeros, s.Draws, tc.zeros, len(tc.rows))
		}
		for i := range tc.x {
			if math.Abs(s.Mean[i]-tc.mean[i]) > 1e-12 || math.Abs(s.Var[i]-tc.variance[i]) > 1e-12 {
				t.Errorf("%s: value %d mean %g variance %g, want %g and %g", tc.name, i, s.Mean[i], s.Var[i],
					tc.mean[i], tc.variance[i])
			}
		}
	}
}

// TestDropoutTolerances checks the tolerances against their formulas at p = 0.2, n = 100:
// δ = 4·√(0.2·0.8/100) = 0.16, c = x/0.8.
func TestDropoutTolerances(t *testing.T) {
	rows := make([][]float32, 100)
	for i := range rows {
		rows[i] = []float32{2, 1}
	}
	s, err := SummarizeDropout([]float32{2, 1}, 0.2, rows)
	if err != nil {
		t.Fatal(err)
	}
	d, c := 0.16, 2.5
	for name, got := range map[string][2]float64{
		"zero fraction": {s.ZeroTol, 4 * math.Sqrt(0.16/200)},
		"mean":          {s.MeanTol[0], c * d},
		"variance":      {s.VarTol[0], c * c * (0.6*d + d*d)},
		"expected var":  {s.ExpectedVar(1), 0.25},
	} {
		if math.Abs(got[0]-got[1]) > 1e-12 {
			t.Errorf("%s tolerance %g, want %g", name, got[0], got[1])
		}
	}
}

func TestSummarizeDropoutRejects(t *testing.T) {
	for name, tc := range map[string]struct {
		x    []float32
		rate float64
		rows [][]float32
		want string
	}{
		"zero input": {[]float32{1, 0}, 0.5, [][]float32{{2, 0}}, "x[1] is 0"},
		"rate 1":     {[]float32{1}, 1, [][]float32{{0}}, "rate 1"},
		"ragged":     {[]float32{1, 2}, 0.5, [][]float32{{2, 4}, {2}}, "draw 1 has 1 values"},
		"no draws":   {[]float32{1}, 0.5, nil, "no draws"},
	} {
		if _, err := SummarizeDropout(tc.x, tc.rate, tc.rows); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one that says %q", name, err, tc.want)
		}
	}
}

// TestDropoutDrawsGoMLX runs GoMLX's DropoutStatic through DropoutDraws: the identity outside
// training; in training, zeros at about the rate, every kept value x/(1−p) to within 3·10⁻⁷
// relative (GoMLX computes 1−p in float32 from p rounded to float32, which moves it by up to
// 2.2·10⁻⁷ at p = 0.9), and the mean and variance within their tolerances.
func TestDropoutDrawsGoMLX(t *testing.T) {
	b := testbackend.Get(t)
	x := []float32{-2, 0.5, 3}
	var all []*DropoutStats
	for _, p := range []float64{0.1, 0.5, 0.9} {
		eval, err := DropoutDraws(b, gomlxlayers.DropoutStatic, x, p, 10, 7, false)
		if err != nil {
			t.Fatal(err)
		}
		for _, row := range eval {
			for i, v := range row {
				if v != x[i] {
					t.Fatalf("p=%g evaluation: %v, want x = %v", p, row, x)
				}
			}
		}
		rows, err := DropoutDraws(b, gomlxlayers.DropoutStatic, x, p, 4000, 7, true)
		if err != nil {
			t.Fatal(err)
		}
		for _, row := range rows {
			for i, v := range row {
				want := float64(x[i]) / (1 - p)
				if v != 0 && math.Abs(float64(v)-want) > 3e-7*math.Abs(want) {
					t.Fatalf("p=%g: kept value %v of x = %v, want %v", p, v, x[i], want)
				}
			}
		}
		s, err := SummarizeDropout(x, p, rows)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, s)
		if math.Abs(s.Zeros-p) > s.ZeroTol {
			t.Errorf("p=%g: %.4f of the values dropped, want within %.4f", p, s.Zeros, s.ZeroTol)
		}
		for i := range x {
			if math.Abs(s.Mean[i]-float64(x[i])) > s.MeanTol[i] || math.Abs(s.Var[i]-s.ExpectedVar(i)) > s.VarTol[i] {
				t.Errorf("p=%g, x=%g: mean %g, variance %g; want %g ± %g and %g ± %g", p, x[i], s.Mean[i], s.Var[i],
					x[i], s.MeanTol[i], s.ExpectedVar(i), s.VarTol[i])
			}
		}
	}
	if svg, err := DropoutVarianceFigure(all).SVG(); err != nil || !strings.Contains(svg, "p/(1−p)") {
		t.Errorf("variance figure: %v", err)
	}
	if _, err := DropoutDraws(b, gomlxlayers.DropoutStatic, nil, 0.5, 10, 1, true); err == nil {
		t.Error("no values: no error")
	}
}

// TestSweepAndFigures groups studies by rate, picks the best on validation and draws the figures.
func TestSweepAndFigures(t *testing.T) {
	study := func(rate, train, valid float64, seed uint64) *OverfitStudy {
		h := Hidden{Zeros: rate, Mean: 1 - rate, UnitMeans: []float64{0, 0.3, 1 - rate}}
		if h.Dead() != 1 {
			t.Errorf("%d dead units among %v, want 1", h.Dead(), h.UnitMeans)
		}
		return &OverfitStudy{HiddenRate: rate, Seed: seed, Layers: []Hidden{h, h},
			Epochs: []OverfitEpoch{{TrainLoss: 1, TrainAcc: 0.5, ValidLoss: 1, ValidAcc: 0.5},
				{TrainLoss: 0.1, TrainAcc: train, ValidLoss: 0.4, ValidAcc: valid}}}
	}
	studies := []*OverfitStudy{study(0, 1, 0.88, 1), study(0.5, 0.99, 0.91, 1), study(0, 1, 0.90, 2),
		study(0.5, 0.98, 0.93, 2)}
	points := Sweep(studies)
	if len(points) != 2 || points[1].Rate != 0.5 || len(points[1].Runs) != 2 {
		t.Fatalf("sweep %+v, want rates 0 and 0.5 with two runs each", points)
	}
	if g, v, s := points[0].MeanGap(), points[1].MeanValid(), points[1].Spread(); math.Abs(g-0.11) > 1e-12 ||
		math.Abs(v-0.92) > 1e-12 || math.Abs(s-0.02) > 1e-12 {
		t.Errorf("gap %g, valid %g, spread %g; want 0.11, 0.92, 0.02", g, v, s)
	}
	if best := Best(points); best.Rate != 0.5 {
		t.Errorf("best rate %g, want 0.5", best.Rate)
	}
	for name, fig := range map[string]interface{ SVG() (string, error) }{
		"overfit": OverfitFigure(studies[0], studies[1]), "sweep": SweepFigure(points),
		"units": UnitMeansFigure(studies[0], studies[1], 0.25),
	} {
		if svg, err := fig.SVG(); err != nil || !strings.Contains(svg, "<svg") {
			t.Errorf("%s figure: %v", name, err)
		}
	}
	path := filepath.Join(t.TempDir(), "s.json")
	if err := SaveOverfit(path, studies...); err != nil {
		t.Fatal(err)
	}
	back, err := LoadOverfit(path)
	if err != nil || len(back) != 4 || back[3].Last().ValidAcc != 0.93 {
		t.Errorf("round trip: %v, %d studies", err, len(back))
	}
	if !strings.HasSuffix(OverfitPath("x"), filepath.Join("08-dropout", "x.json")) {
		t.Errorf("OverfitPath(x) = %s", OverfitPath("x"))
	}
}

func TestHistogram(t *testing.T) {
	s := histogram("h", []float64{0, 0.1, 0.6, 0.75, 1.2}, 0.5)
	want := []float64{0.4, 0.4, 0.2}
	if len(s.Y) != 3 || s.X[2] != 1.25 {
		t.Fatalf("bins %v at %v, want 3 centred at 0.25, 0.75, 1.25", s.Y, s.X)
	}
	for k := range want {
		if math.Abs(s.Y[k]-want[k]) > 1e-12 {
			t.Errorf("bin %d: %g, want %g", k, s.Y[k], want[k])
		}
	}
}

func TestCompareDrawsAndErrors(t *testing.T) {
	a := [][]float32{{0, 2, 4}, {1, 0, 4}}
	b := [][]float32{{0, 2, 4.000001}, {0, 0, 4}}
	masks, values, rel, err := CompareDraws(a, b)
	up := float64(b[0][2]) // 4 + one float32 ulp
	if err != nil || masks != 1 || values != 2 || rel != (up-4)/up {
		t.Errorf("masks %d, values %d, rel %g, %v; want 1, 2, %g", masks, values, rel, err, (up-4)/up)
	}
	if _, _, _, err := CompareDraws(a, b[:1]); err == nil {
		t.Error("draws of different counts: no error")
	}
	s, err := SummarizeDropout([]float32{2, -1}, 0.5, [][]float32{{4, 0}, {0, -2}, {4, 0}, {4, -2}})
	if err != nil {
		t.Fatal(err)
	}
	// zeros 3/8 against 1/2 ± 4·√(1/4/8); means 3 against 2 ± 4·4·√(1/16); variances 3 against
	// 4 ± 16·(0 + 1²).
	z, m, v := s.Errors()
	if math.Abs(z-0.125/(4*math.Sqrt(1.0/32))) > 1e-12 || math.Abs(m-0.25) > 1e-12 || math.Abs(v-1.0/16) > 1e-12 {
		t.Errorf("errors %g, %g, %g", z, m, v)
	}
}

func TestMinValidLoss(t *testing.T) {
	s := &OverfitStudy{Epochs: []OverfitEpoch{{ValidLoss: 0.5}, {ValidLoss: 0.3}, {ValidLoss: 0.4}}}
	if e, l := s.MinValidLoss(); e != 2 || l != 0.3 {
		t.Errorf("min valid loss %g at epoch %d, want 0.3 at 2", l, e)
	}
}

// TestDropoutAgainstTorch replays tools/goldens/dropout.py (torch 1.13) on GoMLX's
// DropoutStatic: every kept value is torch's float32 x/(1−p) to within 2.5·10⁻⁷ relative (the
// two round 1−p differently at p = 0.9; the other 25 of 30 are bit-identical), both are the identity in
// evaluation, and torch's own 20,000 draws meet the tolerances that SummarizeDropout derives — so
// the formulas are not tuned to GoMLX's generator.
func TestDropoutAgainstTorch(t *testing.T) {
	r, err := DropoutTorch(testbackend.Get(t), gomlxlayers.DropoutStatic)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(r.Torch, "1.13") || r.Kept != 30 {
		t.Fatalf("torch %s, %d kept values compared; want 1.13 and 30", r.Torch, r.Kept)
	}
	if r.MaxRel > 2.5e-7 || r.Same < 20 || !r.EvalIdentity || r.TorchWorst > 1 {
		t.Errorf("%+v: want kept values within 2.5e-7 (most identical), the identity in evaluation, "+
			"torch's draws within tolerance", r)
	}
	t.Logf("%d of %d kept values bit-identical to torch's", r.Same, r.Kept)
	if _, err := dropoutTorch(testbackend.Get(t), gomlxlayers.DropoutStatic, "no-such.json"); err == nil ||
		!strings.HasPrefix(err.Error(), "book: ") {
		t.Errorf("missing file: error %v, want one starting with book:", err)
	}
}

// TestStudyOverfit trains two tiny MLPs on 300 MNIST digits: every epoch is recorded with losses
// and accuracies in range, the network without dropout fits its training set better than its
// validation set, the test set is scored, and the hidden layers are summarized unit by unit.
func TestStudyOverfit(t *testing.T) {
	train, test, err := datasets.MNIST(datasets.Limit(600), datasets.Quiet())
	if err != nil {
		t.Fatal(err)
	}
	small, valid, err := train.Take(600).Split(0.5, 1)
	if err != nil {
		t.Fatal(err)
	}
	runs, err := SweepOverfit(small, valid, test.Take(200), 32, []float64{0, 0.5}, []uint64{1},
		training.Epochs(8), training.BatchSize(50), training.NoProgress())
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 2 || runs[1].HiddenRate != 0.5 || runs[0].Params != 784*32+32+32*32+32+32*10+10 {
		t.Fatalf("%d runs, rate %g, %d parameters", len(runs), runs[1].HiddenRate, runs[0].Params)
	}
	for _, s := range runs {
		if len(s.Epochs) != 8 || s.Test <= 0.1 || s.Test > 1 || len(s.Layers) != 2 || len(s.Layers[1].UnitMeans) != 32 {
			t.Fatalf("p=%g: %d epochs, test %g, %d layers", s.HiddenRate, len(s.Epochs), s.Test, len(s.Layers))
		}
		for _, e := range s.Epochs {
			if e.TrainAcc < 0 || e.TrainAcc > 1 || e.ValidAcc < 0 || e.ValidAcc > 1 || !(e.TrainLoss > 0) || !(e.ValidLoss > 0) {
				t.Errorf("p=%g: epoch %+v out of range", s.HiddenRate, e)
			}
		}
		for _, h := range s.Layers {
			if h.Zeros < 0 || h.Zeros > 1 || !(h.Mean > 0) {
				t.Errorf("p=%g: hidden layer %+v out of range", s.HiddenRate, h)
			}
		}
	}
	if g := runs[0].Gap(); g <= 0 {
		t.Errorf("no dropout: train − valid accuracy %g, want > 0 on 300 training digits", g)
	}
	if _, err := StudyOverfit(small, valid, test, 32, 0, 1, 1, optim.Adam(1e-3).Done()); err == nil {
		t.Error("dropout rate 1: no error")
	}
}
