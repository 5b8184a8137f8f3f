package book

import (
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/godl-book/godl/pkg/augment"
	"github.com/godl-book/godl/pkg/datasets"
	"github.com/godl-book/godl/pkg/models"
	"github.com/godl-book/godl/pkg/optim"
	"github.com/godl-book/godl/pkg/training"
	"github.com/godl-book/godl/pkg/viz"
)

// AugmentGallery shows im under each transform of chapter 11: one row per transform, the
// original first and then draws results, each from its own random source (seed, row, draw),
// captioned with the transform's name under the original.
func AugmentGallery(im augment.Image, draws int, seed uint64, ts ...augment.Transform) (*viz.ImageGrid, error) {
	if err := im.Check(); err != nil {
		return nil, err
	}
	if draws < 1 || len(ts) == 0 {
		return nil, fmt.Errorf("book: AugmentGallery: %d draws of %d transforms, want ≥ 1 of ≥ 1", draws, len(ts))
	}
	var pix []float32
	var captions []string
	for row, t := range ts {
		p, err := augment.Compose(t)
		if err != nil {
			return nil, err
		}
		pix = append(pix, im.Pix...)
		captions = append(captions, ShortName(t))
		for d := range draws {
			out := im.Clone()
			if err := p.Apply(rand.New(rand.NewPCG(seed, uint64(row*1000+d))), out); err != nil {
				return nil, err
			}
			pix = append(pix, out.Pix...)
			captions = append(captions, "")
		}
	}
	return viz.Images(pix, im.H, im.W, im.C).Captions(captions...).Cols(draws + 1), nil
}

// ShortName is a transform's name without its parameters: "RandomCrop".
func ShortName(t augment.Transform) string {
	name, _, _ := strings.Cut(t.String(), "(")
	return name
}

// AugmentRun is one training of chapter 11's ablation: a model trained with or without an
// augmentation pipeline, its history (Fit's held-out set is the validation split) and its
// accuracy at the end on the test set and on a shifted copy of it.
type AugmentRun struct {
	Name     string           `json:"name"`     // "none" or the pipeline's label
	Pipeline string           `json:"pipeline"` // the pipeline, as its String gives it; "" for none
	Seed     uint64           `json:"seed"`
	Params   int              `json:"params"`
	History  []training.Epoch `json:"history"`
	Test     float64          `json:"test"`    // accuracy on the test set
	Shifted  float64          `json:"shifted"` // accuracy on the shifted test set
}

// Valid is the validation accuracy after the last epoch.
func (r AugmentRun) Valid() float64 { return r.History[len(r.History)-1].TestAccuracy }

// Gap is the generalization gap at the end: training accuracy (the last epoch's mean over its
// batches, on the images as augmented) minus validation accuracy.
func (r AugmentRun) Gap() float64 { return r.History[len(r.History)-1].TrainAccuracy - r.Valid() }

// Rate is the median training throughput, in examples per second, over the epochs after the
// first (whose time includes compiling the graph).
func (r AugmentRun) Rate() float64 {
	var rates []float64
	for _, e := range r.History[min(1, len(r.History)-1):] {
		rates = append(rates, e.ExamplesPerSecond())
	}
	slices.Sort(rates)
	return rates[len(rates)/2]
}

// AugmentSetup is what chapter 11's ablation trains on: the training subset, the validation
// split that Fit reports after every epoch, and the two test sets measured at the end.
type AugmentSetup struct {
	Train, Valid, Test, Shifted *datasets.Dataset
	Epochs, BatchSize           int
	LearningRate                float64
}

// AugmentData returns chapter 11's data: the first trainN Fashion-MNIST training images, the
// next validN as the validation split, the test set (its first 1,000 in quick mode) and a copy of
// it with every image moved once by shift, drawn from seed.
func AugmentData(trainN, validN int, shift *augment.Pipeline, seed uint64) (AugmentSetup, error) {
	all, test, err := datasets.FashionMNIST(datasets.Quick(), datasets.Quiet())
	if err != nil {
		return AugmentSetup{}, err
	}
	if trainN < 1 || validN < 1 || trainN+validN > all.Len() {
		return AugmentSetup{}, fmt.Errorf("book: AugmentData: %d training and %d validation images of %d",
			trainN, validN, all.Len())
	}
	ids := make([]int, validN)
	for i := range ids {
		ids[i] = trainN + i
	}
	valid, err := all.Subset(ids)
	if err != nil {
		return AugmentSetup{}, err
	}
	valid.Name = "fashion-mnist/valid"
	fn, err := shift.For(test)
	if err != nil {
		return AugmentSetup{}, err
	}
	shifted, err := test.Transformed("shifted", fn, seed)
	if err != nil {
		return AugmentSetup{}, err
	}
	return AugmentSetup{Train: all.Take(trainN), Valid: valid, Test: test, Shifted: shifted}, nil
}

// TrainAugment trains model on s.Train with Adam and a cosine decay of the learning rate, for
// s.Epochs epochs of s.BatchSize, with the inputs standardized by Fashion-MNIST's mean and std;
// through pipe (nil: no augmentation) when it is given, and from seed (weights and order). It
// returns the run under name.
func TrainAugment(name string, model training.Model, pipe *augment.Pipeline, s AugmentSetup, seed uint64) (AugmentRun, error) {
	opts := []training.Option{training.Epochs(s.Epochs), training.BatchSize(s.BatchSize), training.Seed(seed),
		training.CosineDecay(), training.NoProgress(),
		training.Normalize(datasets.FashionMNISTMean, datasets.FashionMNISTStd)}
	run := AugmentRun{Name: name, Seed: seed}
	if pipe != nil {
		fn, err := pipe.For(s.Train)
		if err != nil {
			return AugmentRun{}, err
		}
		opts = append(opts, training.Augment(fn))
		run.Pipeline = pipe.String()
	}
	fit, err := training.Fit(model, s.Train, s.Valid, optim.Adam(s.LearningRate).Done(), opts...)
	if err != nil {
		return AugmentRun{}, fmt.Errorf("book: TrainAugment %s: %w", name, err)
	}
	run.History, run.Params = fit.History, models.NumParams(fit.Context)
	for _, t := range []struct {
		d   *datasets.Dataset
		acc *float64
	}{{s.Test, &run.Test}, {s.Shifted, &run.Shifted}} {
		ev, err := fit.Evaluate(t.d)
		if err != nil {
			return AugmentRun{}, err
		}
		*t.acc = ev.Accuracy
	}
	return run, nil
}

// AugmentRunsPath is where chapter 11 keeps its ablation's runs between cells.
func AugmentRunsPath() string { return filepath.Join(os.TempDir(), "godl-ch11", "ablation.json") }

// SaveAugmentRuns writes runs to path as JSON, creating its folder.
func SaveAugmentRuns(path string, runs []AugmentRun) error {
	return saveJSON(path, "augmentation runs", runs)
}

// LoadAugmentRuns reads what SaveAugmentRuns wrote.
func LoadAugmentRuns(path string) ([]AugmentRun, error) {
	runs, err := loadJSON[[]AugmentRun](path, "run the ablation cell first")
	if err != nil {
		return nil, err
	}
	for _, r := range runs {
		if len(r.History) == 0 {
			return nil, fmt.Errorf("book: %s: run %s (seed %d) has no epochs", path, r.Name, r.Seed)
		}
	}
	return runs, nil
}

// Spread is the mean, the sample standard deviation (0 for one value) and the range of a
// measurement over seeds.
type Spread struct{ Mean, Std, Min, Max float64 }

func (s Spread) String() string {
	return fmt.Sprintf("%.2f%% ± %.2f (%.2f–%.2f)", 100*s.Mean, 100*s.Std, 100*s.Min, 100*s.Max)
}

// SpreadOf measures f over the runs named name.
func SpreadOf(runs []AugmentRun, name string, f func(AugmentRun) float64) (Spread, error) {
	var v []float64
	for _, r := range runs {
		if r.Name == name {
			v = append(v, f(r))
		}
	}
	if len(v) == 0 {
		return Spread{}, fmt.Errorf("book: no run named %q", name)
	}
	s := Spread{Min: slices.Min(v), Max: slices.Max(v)}
	for _, x := range v {
		s.Mean += x / float64(len(v))
	}
	if len(v) > 1 {
		for _, x := range v {
			s.Std += (x - s.Mean) * (x - s.Mean) / float64(len(v)-1)
		}
		s.Std = math.Sqrt(s.Std)
	}
	return s, nil
}

// AugmentColors gives each contender of chapter 11's ablation one colour in all its figures:
// training curves in the full colour, validation curves lighter.
var AugmentColors = map[string]string{
	"none: train": "#7f7f7f", "none: valid": "#c7c7c7",
	"shift: train": "#1f77b4", "shift: valid": "#aec7e8",
}

// AugmentCurves draws the loss and accuracy per epoch of the first seed's run of each contender,
// training (mean over the epoch's augmented batches) next to validation (after the epoch).
func AugmentCurves(runs []AugmentRun) (viz.Figure, error) {
	var loss, acc []viz.Series
	seen := map[string]bool{}
	for _, r := range runs {
		if seen[r.Name] {
			continue
		}
		seen[r.Name] = true
		var tl, vl, ta, va []float64
		for _, e := range r.History {
			tl, vl = append(tl, e.TrainLoss), append(vl, e.TestLoss)
			ta, va = append(ta, e.TrainAccuracy), append(va, e.TestAccuracy)
		}
		loss = append(loss, viz.Series{Name: r.Name + ": train", Y: tl}, viz.Series{Name: r.Name + ": valid", Y: vl})
		acc = append(acc, viz.Series{Name: r.Name + ": train", Y: ta}, viz.Series{Name: r.Name + ": valid", Y: va})
	}
	if len(loss) == 0 {
		return nil, errors.New("book: AugmentCurves: no runs")
	}
	return viz.Row(
		viz.Lines("loss", loss...).XLabel("epoch").Colors(AugmentColors),
		viz.Lines("accuracy", acc...).XLabel("epoch").Colors(AugmentColors)), nil
}

// LoaderRate measures how many examples per second a Loader over ds prepares in batches of
// batch, with pipe applied to each image (nil: none) on workers goroutines: passes passes, timed
// from the first batch asked to the last received, without training.
func LoaderRate(ds *datasets.Dataset, batch int, pipe *augment.Pipeline, workers, passes int) (float64, error) {
	opts := []datasets.LoaderOption{datasets.Shuffle(1), datasets.Epochs(passes), datasets.Workers(workers)}
	if pipe != nil {
		fn, err := pipe.For(ds)
		if err != nil {
			return 0, err
		}
		opts = append(opts, datasets.Transform(fn))
	}
	l := datasets.NewLoader(ds, batch, opts...)
	defer l.Close()
	start, n := time.Now(), 0
	for {
		b, err := l.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return 0, err
		}
		n += b.Size
		b.Images.FinalizeAll()
		b.Labels.FinalizeAll()
	}
	return float64(n) / time.Since(start).Seconds(), nil
}
