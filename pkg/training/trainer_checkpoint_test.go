package training

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/godl-book/godl/pkg/datasets"
	"github.com/godl-book/godl/pkg/layers"
	"github.com/godl-book/godl/pkg/losses"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/train/optimizers"
)

// noisyTask fits y = 3x + 1 with noise added to x from the context's random state, so a resumed
// run matches an uninterrupted one only if that state is restored too.
func noisyTask() Task {
	return Task{
		Network: func(ctx *context.Context, inputs []*Node) []*Node {
			x := inputs[0]
			noise := MulScalar(ctx.RandomNormal(x.Graph(), x.Shape()), 0.01)
			return []*Node{layers.Dense(ctx.In("affine"), Add(x, noise), 1)}
		},
		Loss: losses.ForTrainer(losses.MSE),
	}
}

// shuffledLine is 4 shuffled batches of 16 of line's data.
func shuffledLine() *datasets.TensorLoader { return line(4, 16, 1, datasets.Shuffle(5)) }

// dying fails on its n-th batch, as a run killed mid-epoch stops.
type dying struct {
	*datasets.TensorLoader
	n int
}

func (d *dying) Yield() (any, []*tensors.Tensor, []*tensors.Tensor, error) {
	if d.n--; d.n == 0 {
		return nil, nil, nil, errors.New("killed")
	}
	return d.TensorLoader.Yield()
}

// variables returns every variable of ctx (weights, optimizer state, step count, random state)
// but the metrics' running sums as its flat values in float64, by scoped name.
func variables(t *testing.T, ctx *context.Context) map[string][]float64 {
	t.Helper()
	out := map[string][]float64{}
	for v := range ctx.IterVariables() {
		if strings.HasPrefix(v.Scope(), "/metrics") {
			continue
		}
		val, err := v.Value()
		if err != nil {
			t.Fatal(err)
		}
		var flat []float64
		switch x := val.Value().(type) {
		case float32:
			flat = []float64{float64(x)}
		case int64:
			flat = []float64{float64(x)}
		default:
			switch val.DType().GoStr() {
			case "float32":
				for _, f := range tensors.MustCopyFlatData[float32](val) {
					flat = append(flat, float64(f))
				}
			case "uint64":
				for _, u := range tensors.MustCopyFlatData[uint64](val) {
					flat = append(flat, float64(u))
				}
			default:
				t.Fatalf("variable %s of dtype %s", v.ScopeAndName(), val.DType())
			}
		}
		out[v.ScopeAndName()] = flat
	}
	return out
}

func sameVariables(t *testing.T, what string, got, want map[string][]float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d variables, want %d", what, len(got), len(want))
	}
	for name, w := range want {
		if g, ok := got[name]; !ok || !slices.Equal(g, w) {
			t.Errorf("%s: %s = %v, want %v", what, name, g, w)
		}
	}
}

func trainerFor(t *testing.T, opts ...Option) *Trainer {
	t.Helper()
	tr, err := NewTrainer(noisyTask(), optimizers.Adam().LearningRate(0.05).Done(),
		append([]Option{Epochs(4), Seed(3), CosineDecay(), NoProgress()}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

// A run killed in its third epoch and started again with the same options resumes from the
// checkpoint of epoch 2 and ends with the variables and history of a run never interrupted.
func TestTrainerResumesFromItsCheckpoint(t *testing.T) {
	whole := trainerFor(t)
	if err := whole.Fit(shuffledLine(), line(1, 16, 2)); err != nil {
		t.Fatal(err)
	}

	dir := filepath.Join(t.TempDir(), "ckpt")
	killed := trainerFor(t, Checkpoint(dir), SaveEvery(2))
	err := killed.Fit(&dying{shuffledLine(), 2*4 + 3}, line(1, 16, 2))
	if err == nil || !strings.Contains(err.Error(), "killed") || len(killed.History) != 2 {
		t.Fatalf("killed run: error %v after %d epochs, want killed after 2", err, len(killed.History))
	}

	steps := 0
	resumed := trainerFor(t, Checkpoint(dir), SaveEvery(2), OnStep(func(int, float64) { steps++ }))
	if err := resumed.Fit(shuffledLine(), line(1, 16, 2)); err != nil {
		t.Fatal(err)
	}
	if steps != 2*4 || len(resumed.History) != 4 {
		t.Fatalf("resumed run: %d steps, %d epochs; want 8 steps (epochs 3 and 4) and a history of 4",
			steps, len(resumed.History))
	}
	for i, e := range resumed.History {
		w := whole.History[i]
		if e.Epoch != i+1 || e.TrainLoss != w.TrainLoss || e.TestLoss != w.TestLoss || e.LearningRate != w.LearningRate {
			t.Errorf("resumed epoch %+v, want %+v", e, w)
		}
	}
	sameVariables(t, "resumed run", variables(t, resumed.Context), variables(t, whole.Context))

	again := trainerFor(t, Checkpoint(dir), OnStep(func(int, float64) { steps++ }))
	if err := again.Fit(shuffledLine(), nil); err != nil || steps != 8 || len(again.History) != 4 {
		t.Errorf("a finished run started again: error %v, %d more steps, %d epochs; want nothing to do",
			err, steps-8, len(again.History))
	}
}

// A checkpoint folder that cannot take the Trainer's checkpoint fails before any step; a save
// that fails after training keeps the trained state in the Trainer, which can save it elsewhere.
func TestTrainerCheckpointFailures(t *testing.T) {
	busy := t.TempDir()
	if err := os.WriteFile(filepath.Join(busy, runFile), []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	steps := 0
	tr := trainerFor(t, Checkpoint(busy), OnStep(func(int, float64) { steps++ }))
	if err := tr.Fit(shuffledLine(), nil); err == nil || steps != 0 || !strings.Contains(err.Error(), busy) ||
		!strings.Contains(err.Error(), trainerFile) {
		t.Errorf("Fit into a folder of Fit's checkpoint: %d steps, error %v; want an error naming it and %s before any step",
			steps, err, trainerFile)
	}

	whole := trainerFor(t)
	if err := whole.Fit(shuffledLine(), nil); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "ckpt")
	spoil := OnEpoch(func(e Epoch) { // the folder's name is taken by a file before the last save
		if e.Epoch == 4 {
			os.WriteFile(dir, []byte("mine"), 0o644)
		}
	})
	tr = trainerFor(t, Checkpoint(dir), spoil)
	err := tr.Fit(shuffledLine(), nil)
	if err == nil || !strings.HasPrefix(err.Error(), "training: ") ||
		!strings.Contains(err.Error(), "Save it elsewhere") || len(tr.History) != 4 {
		t.Fatalf("a save that fails: error %v with %d epochs; want a training: error after 4", err, len(tr.History))
	}
	sameVariables(t, "after a failed save", variables(t, tr.Context), variables(t, whole.Context))

	elsewhere := filepath.Join(t.TempDir(), "ckpt")
	if err := tr.Save(elsewhere); err != nil {
		t.Fatal(err)
	}
	restored := trainerFor(t, Checkpoint(elsewhere))
	if err := restored.Fit(shuffledLine(), nil); err != nil || len(restored.History) != 4 {
		t.Fatalf("resuming the saved run: error %v, %d epochs; want 4", err, len(restored.History))
	}
	sameVariables(t, "restored", variables(t, restored.Context), variables(t, whole.Context))

	wider := Task{Loss: noisyTask().Loss, Network: func(ctx *context.Context, inputs []*Node) []*Node {
		return []*Node{layers.Dense(ctx.In("affine"), Concatenate([]*Node{inputs[0], inputs[0]}, -1), 1)}
	}}
	other, err := NewTrainer(wider, optimizers.Adam().Done(), Epochs(5), Checkpoint(elsewhere), NoProgress())
	if err != nil {
		t.Fatal(err)
	}
	err = other.Fit(shuffledLine(), nil)
	t.Logf("another network: %v", err)
	if err == nil || !strings.HasPrefix(err.Error(), "training: ") || !strings.Contains(err.Error(), elsewhere) {
		t.Errorf("resuming another network's checkpoint: error %v, want a training: error naming the folder", err)
	}
	if err := os.WriteFile(filepath.Join(elsewhere, trainerFile), []byte("{"), 0o644); err != nil {
		t.Fatal(err)
	}
	err = trainerFor(t, Checkpoint(elsewhere)).Fit(shuffledLine(), nil)
	if err == nil || !strings.Contains(err.Error(), "training: resume from "+filepath.Join(elsewhere, trainerFile)) {
		t.Errorf("resuming from a damaged %s: error %v, want one naming it", trainerFile, err)
	}
}

func TestFitRefusesTrainerOptions(t *testing.T) {
	_, err := fitTiny(t, Checkpoint(t.TempDir()), SaveEvery(1))
	if err == nil || !strings.Contains(err.Error(), "SaveEvery") {
		t.Errorf("Fit with SaveEvery: error %v, want one naming SaveEvery", err)
	}
}
