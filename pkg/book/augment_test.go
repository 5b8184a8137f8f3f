package book

import (
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/godl-book/godl/pkg/augment"
	"github.com/godl-book/godl/pkg/datasets"
	"github.com/godl-book/godl/pkg/models"
	"github.com/godl-book/godl/pkg/training"
)

func TestAugmentGallery(t *testing.T) {
	im, _ := augment.NewImage(4, 6, 3)
	for i := range im.Pix {
		im.Pix[i] = float32(i) / float32(len(im.Pix))
	}
	g, err := AugmentGallery(im, 3, 1, augment.RandomHorizontalFlip(1), augment.Cutout(2))
	if err != nil {
		t.Fatal(err)
	}
	svg, err := g.SVG()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"RandomHorizontalFlip", "Cutout"} {
		if !strings.Contains(svg, want) {
			t.Errorf("gallery SVG lacks %q", want)
		}
	}
	if n := strings.Count(svg, "<image"); n != 8 {
		t.Errorf("gallery has %d images, want 2 rows of the original and 3 draws", n)
	}
	if _, err := AugmentGallery(im, 0, 1, augment.Cutout(2)); err == nil {
		t.Error("0 draws: no error")
	}
	if _, err := AugmentGallery(im, 2, 1, augment.Cutout(0)); err == nil {
		t.Error("Cutout(0): no error")
	}
}

func TestSpreadAndSave(t *testing.T) {
	runs := []AugmentRun{
		{Name: "none", Seed: 1, Test: 0.8, History: []training.Epoch{{TrainAccuracy: 0.9, TestAccuracy: 0.8, Examples: 10, Seconds: 1}}},
		{Name: "none", Seed: 2, Test: 0.9, History: []training.Epoch{{TrainAccuracy: 0.95, TestAccuracy: 0.85, Examples: 30, Seconds: 1}}},
		{Name: "shift", Seed: 1, Test: 0.7, History: []training.Epoch{{TrainAccuracy: 0.7, TestAccuracy: 0.7, Examples: 10, Seconds: 1}}},
	}
	s, err := SpreadOf(runs, "none", func(r AugmentRun) float64 { return r.Test })
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(s.Mean-0.85) > 1e-12 || math.Abs(s.Std-math.Sqrt(0.005)) > 1e-12 || s.Min != 0.8 || s.Max != 0.9 {
		t.Errorf("spread %+v, want mean 0.85, std %.4f, range 0.8–0.9", s, math.Sqrt(0.005))
	}
	if g := runs[1].Gap(); math.Abs(g-0.1) > 1e-12 {
		t.Errorf("gap %g, want 0.1", g)
	}
	if _, err := SpreadOf(runs, "other", func(r AugmentRun) float64 { return r.Test }); err == nil {
		t.Error("SpreadOf an unknown name: no error")
	}
	path := filepath.Join(t.TempDir(), "sub", "runs.json")
	if err := SaveAugmentRuns(path, runs); err != nil {
		t.Fatal(err)
	}
	back, err := LoadAugmentRuns(path)
	if err != nil || len(back) != 3 || back[2].Name != "shift" || back[1].History[0].Examples != 30 {
		t.Errorf("loaded %+v, %v", back, err)
	}
	if _, err := LoadAugmentRuns(filepath.Join(t.TempDir(), "none.json")); err == nil {
		t.Error("loading a missing file: no error")
	}
	if _, err := AugmentCurves(runs); err != nil {
		t.Error(err)
	}
}

// A short ablation run on 256 Fashion-MNIST images: it trains, records the pipeline and measures
// both test sets; the loader prepares augmented images.
func TestTrainAugment(t *testing.T) {
	train, test, err := datasets.FashionMNIST(datasets.Limit(512), datasets.Quiet())
	if err != nil {
		t.Skip("Fashion-MNIST not on this machine:", err)
	}
	pipe, err := augment.Compose(augment.RandomCrop(3, augment.Constant, 0))
	if err != nil {
		t.Fatal(err)
	}
	fn, _ := pipe.For(test)
	shifted, err := test.Take(256).Transformed("shifted", fn, 5)
	if err != nil {
		t.Fatal(err)
	}
	valid, _ := train.Subset(seq(256, 512))
	s := AugmentSetup{Train: train.Take(256), Valid: valid, Test: test.Take(256), Shifted: shifted,
		Epochs: 2, BatchSize: 32, LearningRate: 1e-3}
	run, err := TrainAugment("shift", models.LeNet5(10, models.Modern()), pipe, s, 1)
	if err != nil {
		t.Fatal(err)
	}
	if run.Pipeline == "" || run.Params != 61706 || len(run.History) != 2 || run.Rate() <= 0 {
		t.Errorf("run %+v", run)
	}
	for _, acc := range []float64{run.Test, run.Shifted, run.Valid()} {
		if !(acc > 0.1 && acc <= 1) {
			t.Errorf("accuracies test %.3f, shifted %.3f, valid %.3f: want above chance after 2 epochs",
				run.Test, run.Shifted, run.Valid())
		}
	}
	data, err := AugmentData(300, 200, pipe, 5)
	if err != nil {
		t.Fatal(err)
	}
	if data.Train.Len() != 300 || data.Valid.Len() != 200 || data.Shifted.Len() != data.Test.Len() ||
		data.Valid.Labels[0] != train.Labels[300] {
		t.Errorf("AugmentData: %v, %v, %v, %v", data.Train, data.Valid, data.Test, data.Shifted)
	}
	if _, err := AugmentData(0, 10, pipe, 5); err == nil {
		t.Error("AugmentData(0, 10): no error")
	}
	rate, err := LoaderRate(train, 64, pipe, 2, 2)
	if err != nil || !(rate > 0) {
		t.Errorf("LoaderRate: %g, %v", rate, err)
	}
}

func seq(a, b int) []int {
	s := make([]int, 0, b-a)
	for i := a; i < b; i++ {
		s = append(s, i)
	}
	return s
}
