package training

import (
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/godl-book/godl/internal/testbackend"
	"github.com/godl-book/godl/pkg/datasets"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/layers"
	"github.com/gomlx/gomlx/pkg/ml/layers/activations"
	"github.com/gomlx/gomlx/pkg/ml/train/optimizers"
)

// mlp is a small classifier that trains on every backend.
func mlp(ctx *context.Context, images *graph.Node) *graph.Node {
	x := graph.Reshape(images, images.Shape().Dimensions[0], -1)
	x = activations.Relu(layers.Dense(ctx.In("hidden"), x, true, 64))
	return layers.Dense(ctx.In("out"), x, true, 10)
}

func TestFitLearnsMNISTAndRoundTrips(t *testing.T) {
	train, test, err := datasets.MNIST(datasets.Limit(2000), datasets.Quiet())
	if err != nil {
		t.Fatal(err)
	}
	test = test.Take(500)
	dir := t.TempDir()
	var epochs []Epoch
	run, err := Fit(mlp, train, test, optimizers.Adam().LearningRate(1e-3).Done(), Epochs(3), BatchSize(50),
		Normalize(datasets.MNISTMean, datasets.MNISTStd), Checkpoint(dir), NoProgress(),
		OnEpoch(func(e Epoch) { epochs = append(epochs, e) }))
	if err != nil {
		t.Fatal(err)
	}
	if len(run.History) != 3 || len(epochs) != 3 {
		t.Fatalf("history has %d epochs and OnEpoch saw %d, want 3", len(run.History), len(epochs))
	}
	first, last := run.History[0], run.History[2]
	t.Logf("epochs: %+v", run.History)
	if !(last.TrainLoss < first.TrainLoss) {
		t.Errorf("train loss did not fall: %.3f → %.3f", first.TrainLoss, last.TrainLoss)
	}
	if run.TestAccuracy() < 0.85 {
		t.Errorf("test accuracy %.3f after 3 epochs on 2000 MNIST digits, want ≥ 0.85", run.TestAccuracy())
	}
	if last.Examples != 2000 || last.ExamplesPerSecond() <= 0 {
		t.Errorf("epoch examples %d at %.0f/s, want 2000 at a positive rate", last.Examples, last.ExamplesPerSecond())
	}

	ev, err := run.Evaluate(test)
	if err != nil {
		t.Fatal(err)
	}
	total, correct := 0, 0
	for c, row := range ev.Confusion {
		for p, n := range row {
			total += n
			if c == p {
				correct += n
			}
		}
	}
	if total != 500 || math.Abs(float64(correct)/500-ev.Accuracy) > 1e-12 || ev.Accuracy != run.TestAccuracy() {
		t.Errorf("confusion matrix holds %d examples, %d correct; accuracy %.4f, history says %.4f",
			total, correct, ev.Accuracy, run.TestAccuracy())
	}

	restored, err := Load(mlp, dir)
	if err != nil {
		t.Fatal(err)
	}
	ev2, err := restored.Evaluate(test)
	if err != nil {
		t.Fatal(err)
	}
	if ev2.Accuracy != ev.Accuracy || math.Abs(ev2.Loss-ev.Loss) > 1e-6 || len(restored.History) != 3 {
		t.Errorf("restored model: accuracy %.4f loss %.6f history %d; want %.4f %.6f 3",
			ev2.Accuracy, ev2.Loss, len(restored.History), ev.Accuracy, ev.Loss)
	}
}

// TestOnStep checks that OnStep sees every step once, numbered across epochs, with losses whose
// mean over an epoch is that epoch's TrainLoss.
func TestOnStep(t *testing.T) {
	train, test, err := datasets.MNIST(datasets.Limit(256), datasets.Quiet())
	if err != nil {
		t.Fatal(err)
	}
	var steps []int
	var losses []float64
	run, err := Fit(mlp, train, test.Take(64), optimizers.Adam().Done(), Epochs(2), BatchSize(64), NoProgress(),
		OnStep(func(step int, loss float64) { steps, losses = append(steps, step), append(losses, loss) }))
	if err != nil {
		t.Fatal(err)
	}
	if len(steps) != 8 {
		t.Fatalf("OnStep called %d times, want 8 (2 epochs of 256/64 steps)", len(steps))
	}
	for i, s := range steps {
		if s != i+1 {
			t.Errorf("call %d got step %d, want %d", i, s, i+1)
		}
	}
	for e, epoch := range run.History {
		mean := 0.0
		for _, l := range losses[4*e : 4*e+4] {
			mean += l / 4
		}
		if math.Abs(mean-epoch.TrainLoss) > 1e-6 {
			t.Errorf("epoch %d: mean of OnStep losses %.7f, TrainLoss %.7f", e+1, mean, epoch.TrainLoss)
		}
	}
}

// TestEvaluateSeesNewWeights checks that Evaluate, which keeps its compiled forward pass between
// calls, reads the variables' current values: with every weight zeroed the logits are all 0 and
// the loss is ln 10.
func TestEvaluateSeesNewWeights(t *testing.T) {
	train, test, err := datasets.MNIST(datasets.Limit(128), datasets.Quiet())
	if err != nil {
		t.Fatal(err)
	}
	run, err := Fit(mlp, train, test.Take(100), optimizers.Adam().Done(), BatchSize(64), NoProgress())
	if err != nil {
		t.Fatal(err)
	}
	before, err := run.Evaluate(test.Take(100))
	if err != nil {
		t.Fatal(err)
	}
	for v := range run.Context.IterVariables() {
		if v.Trainable {
			if err := v.SetValue(tensors.FromShape(v.Shape())); err != nil {
				t.Fatal(err)
			}
		}
	}
	after, err := run.Evaluate(test.Take(100))
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(after.Loss-math.Log(10)) > 1e-6 || after.Loss == before.Loss {
		t.Errorf("loss %.6f before and %.6f after zeroing the weights, want ln 10 = %.6f after", before.Loss, after.Loss, math.Log(10))
	}
}

func TestFitRejectsBadInput(t *testing.T) {
	train, test, err := datasets.MNIST(datasets.Limit(10), datasets.Quiet())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Fit(mlp, train, test, optimizers.Adam().Done(), BatchSize(64), NoProgress()); err == nil {
		t.Error("Fit with 10 examples and batch 64 succeeded, want an error")
	}
	if _, err := Fit(mlp, nil, test, optimizers.Adam().Done()); err == nil {
		t.Error("Fit with no training set succeeded, want an error")
	}
	if _, err := Load(mlp, t.TempDir()); err == nil {
		t.Error("Load from an empty folder succeeded, want an error")
	}
}

func TestFigures(t *testing.T) {
	_, test, err := datasets.MNIST(datasets.Limit(20), datasets.Quiet())
	if err != nil {
		t.Fatal(err)
	}
	run := &Run{Classes: test.Classes, History: []Epoch{
		{Epoch: 1, TrainLoss: 1, TestLoss: 0.9, TrainAccuracy: 0.6, TestAccuracy: 0.7},
		{Epoch: 2, TrainLoss: 0.5, TestLoss: 0.6, TrainAccuracy: 0.8, TestAccuracy: 0.8}}}
	ev := &Evaluation{Classes: test.Classes, PerClass: make([]float64, 10), Confusion: make([][]int, 10)}
	for i := range ev.Confusion {
		ev.Confusion[i] = make([]int, 10)
	}
	for i := range 20 {
		var pix [28 * 28]uint8
		label, _ := test.Read(i, pix[:])
		ev.Labels, ev.Predictions = append(ev.Labels, label), append(ev.Predictions, (label+int32(i%2))%10)
		ev.Confusion[label][ev.Predictions[i]]++
	}
	grid, err := ev.Examples(test, 8)
	if err != nil {
		t.Fatal(err)
	}
	for name, fig := range map[string]interface{ SVG() (string, error) }{
		"curves": run.Curves(), "confusion": ev.ConfusionMatrix(), "per class": ev.PerClassAccuracy(), "grid": grid,
	} {
		svg, err := fig.SVG()
		if err != nil || len(svg) < 100 {
			t.Errorf("%s: %d bytes of SVG, error %v", name, len(svg), err)
		}
	}
	other, _, err := datasets.FashionMNIST(datasets.Limit(20), datasets.Quiet())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ev.Examples(other, 8); err == nil {
		t.Error("Examples on a different data set succeeded, want an error")
	}
}

func TestDirIsInsideTheRepository(t *testing.T) {
	dir := Dir("04-classifier")
	if !strings.HasSuffix(dir, filepath.Join("build", "checkpoints", "04-classifier")) {
		t.Errorf("Dir = %q, want …/build/checkpoints/04-classifier inside the repository", dir)
	}
}

func TestSaveReplacesAnEarlierCheckpoint(t *testing.T) {
	train, test, err := datasets.MNIST(datasets.Limit(500), datasets.Quiet())
	if err != nil {
		t.Fatal(err)
	}
	test = test.Take(200)
	dir := t.TempDir()
	first, err := Fit(mlp, train, test, optimizers.Adam().Done(), BatchSize(50), Seed(1), Checkpoint(dir), NoProgress())
	if err != nil {
		t.Fatal(err)
	}
	second, err := Fit(mlp, train, test, optimizers.Adam().Done(), Epochs(3), BatchSize(50), Seed(2), Checkpoint(dir), NoProgress())
	if err != nil {
		t.Fatal(err)
	}
	restored, err := Load(mlp, dir)
	if err != nil {
		t.Fatal(err)
	}
	ev, err := restored.Evaluate(test)
	if err != nil {
		t.Fatal(err)
	}
	if ev.Accuracy != second.TestAccuracy() || len(restored.History) != 3 {
		t.Errorf("restored accuracy %.4f with %d epochs; want the second run's %.4f with 3 (the first had %.4f)",
			ev.Accuracy, len(restored.History), second.TestAccuracy(), first.TestAccuracy())
	}
	other := t.TempDir()
	if err := os.WriteFile(filepath.Join(other, "notes.txt"), []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := second.Save(other); err == nil {
		t.Error("Save into a folder holding other files succeeded, want an error")
	}
}

func TestCosineDecay(t *testing.T) {
	train, test, err := datasets.MNIST(datasets.Limit(400), datasets.Quiet())
	if err != nil {
		t.Fatal(err)
	}
	run, err := Fit(mlp, train, test.Take(100), optimizers.Adam().LearningRate(1e-3).Done(), Epochs(4), BatchSize(50),
		CosineDecay(), NoProgress())
	if err != nil {
		t.Fatal(err)
	}
	// After epoch e of 4 the rate is 1e-3·(1+cos(π·e/4))/2.
	for i, e := range run.History {
		want := 1e-3 * (1 + math.Cos(math.Pi*float64(i+1)/4)) / 2
		if math.Abs(e.LearningRate-want) > 1e-9 {
			t.Errorf("epoch %d: learning rate %.6g, want %.6g", e.Epoch, e.LearningRate, want)
		}
	}
}

func TestStepLR(t *testing.T) {
	train, test, err := datasets.MNIST(datasets.Limit(200), datasets.Quiet())
	if err != nil {
		t.Fatal(err)
	}
	run, err := Fit(mlp, train, test.Take(50), optimizers.Adam().LearningRate(1e-3).Done(), Epochs(5), BatchSize(50),
		StepLR(2, 0.5), NoProgress())
	if err != nil {
		t.Fatal(err)
	}
	// PyTorch's StepLR(step_size=2, gamma=0.5) stepped after each epoch: 1e-3 in epochs 1–2, then halved.
	want := []float64{1e-3, 1e-3, 5e-4, 5e-4, 2.5e-4}
	for i, e := range run.History {
		if math.Abs(e.LearningRate-want[i]) > 1e-6*want[i] { // the context keeps it in float32
			t.Errorf("epoch %d: learning rate %.6g, want %.6g", e.Epoch, e.LearningRate, want[i])
		}
	}
	for name, opts := range map[string][]Option{
		"negative step size": {StepLR(-1, 0.5)},
		"gamma 0":            {StepLR(1, 0)},
		"with CosineDecay":   {StepLR(1, 0.5), CosineDecay()},
	} {
		if _, err := NewTrainer(mseTask(), optimizers.Adam().Done(), opts...); err == nil {
			t.Errorf("%s: NewTrainer succeeded, want an error", name)
		}
	}
}

// TestDevicesGiveTheSameCurve trains the same network from the same seed on one device and
// data-parallel on two (the XLA CPU plugin shows several): every step's loss must agree up to
// float32 rounding, and the model trained on two devices evaluates and saves like any other.
func TestDevicesGiveTheSameCurve(t *testing.T) {
	b := testbackend.Get(t)
	if b.NumDevices() < 2 {
		t.Skipf("backend %s has %d device: data parallelism needs 2 (the XLA CPU plugin has 4)", b.Name(), b.NumDevices())
	}
	train, test, err := datasets.MNIST(datasets.Limit(640), datasets.Quiet())
	if err != nil {
		t.Fatal(err)
	}
	curves := map[int][]float64{}
	var runs []*Run
	for _, devices := range []int{1, 2} {
		run, err := Fit(mlp, train, test.Take(200), optimizers.Adam().LearningRate(1e-3).Done(), Epochs(2),
			BatchSize(64), Devices(devices), WithBackend(b), NoProgress(),
			OnStep(func(step int, loss float64) { curves[devices] = append(curves[devices], loss) }))
		if err != nil {
			t.Fatalf("Devices(%d): %v", devices, err)
		}
		runs = append(runs, run)
	}
	if len(curves[1]) != 20 || len(curves[2]) != 20 {
		t.Fatalf("%d and %d steps, want 20 each", len(curves[1]), len(curves[2]))
	}
	for i := range curves[1] {
		if d := math.Abs(curves[1][i] - curves[2][i]); d > 1e-5*curves[1][i] {
			t.Errorf("step %d: loss %.7f on one device, %.7f on two", i+1, curves[1][i], curves[2][i])
		}
	}
	if a, b := runs[0].TestAccuracy(), runs[1].TestAccuracy(); a != b || a < 0.5 {
		t.Errorf("test accuracy %.3f on one device, %.3f on two: want equal and ≥ 0.5", a, b)
	}
	if err := runs[1].Save(filepath.Join(t.TempDir(), "two")); err != nil {
		t.Errorf("saving the model trained on two devices: %v", err)
	}
	if _, err := Fit(mlp, train, test, optimizers.Adam().Done(), BatchSize(63), Devices(2), WithBackend(b),
		NoProgress()); err == nil {
		t.Error("Fit with a batch of 63 on 2 devices succeeded, want an error")
	}
	if _, err := NewTrainer(mseTask(), optimizers.Adam().Done(), Devices(b.NumDevices()+1), WithBackend(b)); err == nil {
		t.Error("NewTrainer with more devices than the backend has succeeded, want an error")
	}
}

// Augment runs its function on every training image in every epoch, and the model trains on what
// it returns: images blanked by it carry no information, so the training loss cannot fall far
// below ln 10.
func TestFitAugment(t *testing.T) {
	train, test, err := datasets.MNIST(datasets.Limit(200), datasets.Quiet())
	if err != nil {
		t.Fatal(err)
	}
	var calls atomic.Int64
	blank := func(rng *rand.Rand, pix []float32, h, w, c int) {
		calls.Add(1)
		clear(pix)
	}
	run, err := Fit(mlp, train, test, optimizers.Adam().LearningRate(1e-3).Done(), Epochs(2), BatchSize(50),
		Augment(blank), NoProgress())
	if err != nil {
		t.Fatal(err)
	}
	if calls.Load() != 2*200 {
		t.Errorf("the transform ran %d times, want 2 epochs × 200 images", calls.Load())
	}
	if loss := run.History[1].TrainLoss; loss < 2.0 {
		t.Errorf("training loss %.3f on blanked images, want ≥ 2 (ln 10 ≈ 2.30 for no information)", loss)
	}
	if _, err := NewTrainer(Classification(mlp), optimizers.Adam().Done(), Augment(blank)); err == nil ||
		!strings.Contains(err.Error(), "Augment") {
		t.Errorf("NewTrainer with Augment: error %v, want one naming Augment", err)
	}
}
