package book

import (
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/godl-book/godl/pkg/activations"
	"github.com/godl-book/godl/pkg/datasets"
	"github.com/godl-book/godl/pkg/optim"
	"github.com/godl-book/godl/pkg/training"
)

func TestActivationCurvesAndFigure(t *testing.T) {
	xs := []float64{-3, -1, -0.5, 0.5, 1, 3}
	curves, err := ActivationCurves(activations.All(), xs)
	if err != nil {
		t.Fatal(err)
	}
	if len(curves) != 6 {
		t.Fatalf("%d curves, want 6", len(curves))
	}
	for _, c := range curves {
		for i := range xs {
			if math.Abs(c.Value[i]-c.ClosedValue[i]) > 1e-12 || math.Abs(c.Deriv[i]-c.ClosedDeriv[i]) > 1e-12 {
				t.Errorf("%s at %g: autodiff %g, %g; closed %g, %g", c.Name, xs[i], c.Value[i], c.Deriv[i],
					c.ClosedValue[i], c.ClosedDeriv[i])
			}
		}
	}
	svg, err := ActivationFigure(curves).SVG()
	if err != nil || !strings.Contains(svg, "GELU") {
		t.Errorf("figure: %v, GELU in the legend: %v", err, strings.Contains(svg, "GELU"))
	}
}

// TestActivationGoldens replays the committed goldens: every case within float32's reach of torch.
func TestActivationGoldens(t *testing.T) {
	version, errs, err := ActivationGoldens()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(version, "1.13") || len(errs) != 8 {
		t.Fatalf("torch %q, %d cases; want 1.13 and 8", version, len(errs))
	}
	for _, e := range errs {
		// |value| reaches 100, so 1e-6·(1 + 100) bounds float32 rounding.
		if e.Value > 1.1e-4 || e.Gradient > 1e-6 || e.Points != 92 {
			t.Errorf("%s %v: value error %g, gradient error %g over %d points", e.Name, e.Params, e.Value, e.Gradient, e.Points)
		}
	}
	if got := errs[6].Case(); got != "ELU(alpha=0.5)" {
		t.Errorf("case 6 is %s, want ELU(alpha=0.5)", got)
	}
	if _, _, err := activationGoldens("no-such.json"); err == nil || !strings.HasPrefix(err.Error(), "book: ") {
		t.Errorf("missing file: error %v, want one starting with book:", err)
	}
}

// TestStudyDepth runs a small study end to end: the norms have one entry per layer, the
// history one per epoch, and Save/LoadDepthStudy round-trip it.
func TestStudyDepth(t *testing.T) {
	train, test, err := datasets.MNIST(datasets.Limit(256), datasets.Quiet())
	if err != nil {
		t.Fatal(err)
	}
	sigmoid, _ := activations.Named("Sigmoid")
	s, err := StudyDepth(sigmoid, 6, 16, 64, train, test, optim.Adam(1e-3).Done(), training.Epochs(2),
		training.NoProgress())
	if err != nil {
		t.Fatal(err)
	}
	if len(s.InitNorms) != 7 || len(s.TrainedNorms) != 7 || len(s.History) != 2 || len(s.StepLoss) != 8 {
		t.Fatalf("%d and %d norms, %d epochs, %d steps; want 7, 7, 2, 8",
			len(s.InitNorms), len(s.TrainedNorms), len(s.History), len(s.StepLoss))
	}
	// Six sigmoid layers: the first layer's gradient is far below the last one's.
	if !(s.InitNorms[0] < 1e-2*s.InitNorms[6]) {
		t.Errorf("sigmoid norms at init %v: want the first < 1%% of the last", s.InitNorms)
	}
	if s.TestAccuracy() != s.History[1].TestAccuracy {
		t.Errorf("TestAccuracy %v, want the last epoch's %v", s.TestAccuracy(), s.History[1].TestAccuracy)
	}
	if p := DepthStudyPath("ReLU"); !strings.HasSuffix(p, filepath.Join("07-activations", "ReLU.json")) {
		t.Errorf("DepthStudyPath(ReLU) = %s", p)
	}
	path := filepath.Join(t.TempDir(), "sub", "study.json")
	if err := s.Save(path); err != nil {
		t.Fatal(err)
	}
	back, err := LoadDepthStudy(path)
	if err != nil {
		t.Fatal(err)
	}
	if back.Params != s.Params || back.InitNorms[3] != s.InitNorms[3] || !reflect.DeepEqual(back.History[1], s.History[1]) {
		t.Errorf("round trip changed the study: %+v, want %+v", back, s)
	}
	if _, err := GradNormFigure(s, back).SVG(); err != nil {
		t.Error(err)
	}
	if _, err := DepthCurves(4, s).SVG(); err != nil {
		t.Error(err)
	}
	bad := filepath.Join(t.TempDir(), "bad.json")
	if err := os.WriteFile(bad, []byte(`{"init_norms":[1],"trained_norms":[]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadDepthStudy(bad); err == nil || !strings.Contains(err.Error(), "bad.json") {
		t.Errorf("inconsistent study: error %v, want one naming the file", err)
	}
}

func TestMovingMean(t *testing.T) {
	got := movingMean([]float64{1, 3, 5, 7}, 2)
	want := []float64{1, 2, 4, 6}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("movingMean = %v, want %v", got, want)
		}
	}
}
