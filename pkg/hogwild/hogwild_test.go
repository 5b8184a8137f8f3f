package hogwild_test

import (
	"math"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/gomlx/gomlx/pkg/core/tensors"

	"github.com/godl-book/godl/internal/testbackend"
	"github.com/godl-book/godl/pkg/datasets"
	"github.com/godl-book/godl/pkg/hogwild"
	"github.com/godl-book/godl/pkg/models"
	"github.com/godl-book/godl/pkg/optim"
	"github.com/godl-book/godl/pkg/training"
)

// lenet has no dropout, so two trainings from one seed take the same steps.
var lenet = models.LeNet5(10, models.Modern())

func digits(t *testing.T, n int) (train, test *datasets.Dataset) {
	t.Helper()
	train, test, err := datasets.MNIST(datasets.Limit(n), datasets.Quiet())
	if err != nil {
		t.Fatal(err)
	}
	return train, test
}

// TestOneWorkerIsSGD checks that one Hogwild worker is plain synchronous SGD with momentum: from
// the same seed, over the same shuffled batches, it ends at the weights training.Fit reaches with
// optim.SGD(lr).Momentum(μ), up to float32 rounding.
func TestOneWorkerIsSGD(t *testing.T) {
	b := testbackend.Get(t)
	train, _ := digits(t, 640) // 10 full batches: Fit drops no partial batch
	cfg := hogwild.Config{Workers: 1, Epochs: 2, BatchSize: 64, LR: 0.05, Momentum: 0.5, Seed: 7,
		Mean: datasets.MNISTMean, Std: datasets.MNISTStd}
	res, err := hogwild.Train(b, lenet, train, cfg)
	if err != nil {
		t.Fatal(err)
	}
	run, err := training.Fit(lenet, train, train.Take(64), optim.SGD(0.05).Momentum(0.5).Done(),
		training.Epochs(2), training.BatchSize(64), training.Seed(7), training.NoProgress(),
		training.Normalize(datasets.MNISTMean, datasets.MNISTStd), training.WithBackend(b))
	if err != nil {
		t.Fatal(err)
	}
	compared := 0
	for v := range res.Context.IterVariables() {
		if !v.Trainable {
			continue
		}
		want := run.Context.GetVariableByScopeAndName(v.Scope(), v.Name())
		if want == nil {
			t.Fatalf("Fit has no variable %s", v.ScopeAndName())
		}
		got, exp := values(t, v.MustValue()), values(t, want.MustValue())
		worst := 0.0
		for i := range got {
			worst = max(worst, math.Abs(float64(got[i]-exp[i]))/(1e-3+math.Abs(float64(exp[i]))))
		}
		if worst > 1e-3 {
			t.Errorf("%s: relative difference %.2g from Fit's SGD, want ≤ 1e-3", v.ScopeAndName(), worst)
		}
		compared++
	}
	if compared != 10 || res.Steps[0] != 20 {
		t.Errorf("compared %d variables after %v steps, want 10 after 20", compared, res.Steps)
	}
}

func values(t *testing.T, x *tensors.Tensor) []float32 {
	t.Helper()
	v, err := tensors.CopyFlatData[float32](x)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestWorkersLearnTogether trains the pytorch/examples Hogwild network with 3 workers on shared
// weights and checks that every worker ran every step and that the shared model learned.
func TestWorkersLearnTogether(t *testing.T) {
	b := testbackend.Get(t)
	train, test := digits(t, 2000)
	var calls atomic.Int64
	cfg := hogwild.Config{Workers: 3, Epochs: 1, BatchSize: 64, LR: 0.05, Momentum: 0.5, Seed: 1,
		Mean: datasets.MNISTMean, Std: datasets.MNISTStd,
		OnStep: func(worker, epoch, batch, batches int, loss float64) {
			if worker < 0 || worker > 2 || epoch != 1 || batch >= batches || math.IsNaN(loss) {
				t.Errorf("OnStep(%d, %d, %d, %d, %g)", worker, epoch, batch, batches, loss)
			}
			calls.Add(1)
		}}
	res, err := hogwild.Train(b, models.HogwildNet, train, cfg)
	if err != nil {
		t.Fatal(err)
	}
	// 2,000 digits in batches of 64: 32 batches (the last of 16) per worker.
	if res.Steps[0] != 32 || res.Steps[1] != 32 || res.Steps[2] != 32 || calls.Load() != 96 {
		t.Errorf("steps %v and %d calls, want 32 per worker and 96", res.Steps, calls.Load())
	}
	run := &training.Run{Model: models.HogwildNet, Context: res.Context, Backend: b, Classes: train.Classes,
		BatchSize: 500, Mean: datasets.MNISTMean, Std: datasets.MNISTStd, InputShape: []int{28, 28, 1}}
	ev, err := run.Evaluate(test)
	if err != nil {
		t.Fatal(err)
	}
	if ev.Accuracy < 0.7 {
		t.Errorf("test accuracy %.3f after 96 shared steps, want ≥ 0.7", ev.Accuracy)
	}
}

func TestBadConfig(t *testing.T) {
	b := testbackend.Get(t)
	train, _ := digits(t, 100)
	good := hogwild.Config{Workers: 2, Epochs: 1, BatchSize: 10, LR: 0.01}
	for name, change := range map[string]func(*hogwild.Config){
		"no workers":     func(c *hogwild.Config) { c.Workers = 0 },
		"no epochs":      func(c *hogwild.Config) { c.Epochs = 0 },
		"batch too big":  func(c *hogwild.Config) { c.BatchSize = 101 },
		"learning rate":  func(c *hogwild.Config) { c.LR = math.NaN() },
		"momentum 1":     func(c *hogwild.Config) { c.Momentum = 1 },
		"negative steps": func(c *hogwild.Config) { c.StepsPerEpoch = -1 },
	} {
		cfg := good
		change(&cfg)
		if _, err := hogwild.Train(b, models.HogwildNet, train, cfg); err == nil || !strings.HasPrefix(err.Error(), "hogwild:") {
			t.Errorf("%s: error %v, want one from hogwild", name, err)
		}
	}
}
