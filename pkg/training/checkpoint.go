package training

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/godl-book/godl/internal/repo"
	"github.com/godl-book/godl/pkg/backend"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/context/checkpoints"
	"github.com/gomlx/gomlx/pkg/ml/train/metrics"
)

// runFile holds what a checkpoint keeps besides the weights.
const runFile = "run.json"

type savedRun struct {
	Classes    []string  `json:"classes"`
	History    []Epoch   `json:"history"`
	BatchSize  int       `json:"batch_size"`
	Mean       []float32 `json:"mean,omitempty"`
	Std        []float32 `json:"std,omitempty"`
	InputShape []int     `json:"input_shape"`
}

// Save writes the weights and the history to dir, replacing a checkpoint saved there before. It
// writes a new checkpoint in a folder beside dir, syncs it to disk and swaps it in with a rename,
// so a crash at any moment leaves the old checkpoint or the new one whole. A folder that holds
// anything else is left alone, with an error.
func (r *Run) Save(dir string) error {
	return saveFolder(dir, r.Context, runFile, savedRun{r.Classes, r.History, r.BatchSize, r.Mean, r.Std, r.InputShape})
}

// saveFolder writes the variables of ctx, and state as JSON in the file named file, to dir the
// way Run.Save describes.
func saveFolder(dir string, ctx *context.Context, file string, state any) error {
	cleanUp(dir, true)
	if err := checkTarget(dir, file); err != nil {
		return err
	}
	parent, base := filepath.Split(filepath.Clean(dir))
	parent = filepath.Clean(parent)
	tmp, err := os.MkdirTemp(parent, "."+base+savingSuffix)
	if err != nil {
		return fmt.Errorf("training: save to %s: %w", dir, err)
	}
	defer os.RemoveAll(tmp) // after the swap it holds the old checkpoint, or nothing
	if err := writeFolder(tmp, ctx, file, state); err != nil {
		return fmt.Errorf("training: save to %s: %w", dir, err)
	}
	if err := swapIn(tmp, dir); err != nil {
		return fmt.Errorf("training: save to %s: %w", dir, err)
	}
	if err := syncFolder(parent, false); err != nil {
		return fmt.Errorf("training: save to %s: %w", dir, err)
	}
	return nil
}

// writeFolder writes the checkpoint into the new folder tmp and syncs it to disk.
func writeFolder(tmp string, ctx *context.Context, file string, state any) error {
	loader := ctx.Loader() // the handler attaches itself to ctx, to load from tmp: put it back
	defer ctx.SetLoader(loader)
	var running []*context.Variable // the metrics' running sums, named per process, not the model's
	for v := range ctx.IterVariables() {
		if scope := context.ScopeSeparator + metrics.Scope; v.Scope() == scope ||
			strings.HasPrefix(v.Scope(), scope+context.ScopeSeparator) {
			running = append(running, v)
		}
	}
	h, err := checkpoints.Build(ctx).Dir(tmp).Keep(1).ExcludeVars(running...).Done()
	if err != nil {
		return err
	}
	if err := h.Save(); err != nil {
		return err
	}
	data, err := json.MarshalIndent(state, "", " ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(tmp, file), data, 0o644); err != nil {
		return err
	}
	return syncFolder(tmp, true)
}

// trainerFile holds what a Trainer's checkpoint keeps besides its variables.
const trainerFile = "trainer.json"

type savedTrainer struct {
	History []Epoch `json:"history"`
	BaseLR  float64 `json:"base_lr,omitempty"` // where the learning rate schedule started
}

// Save writes the Trainer's variables (weights, optimizer state, step count, random state) and
// its History to dir, with Run.Save's atomic writer; a Trainer with Checkpoint(dir) resumes from
// it.
func (t *Trainer) Save(dir string) error {
	return saveFolder(dir, t.Context, trainerFile, savedTrainer{t.History, t.baseLR})
}

// resume loads the Trainer's checkpoint in dir into its context, if there is one; it fails when
// dir holds something else or cannot take a checkpoint.
func (t *Trainer) resume(dir string) (bool, error) {
	cleanUp(dir, false)
	if err := checkTarget(dir, trainerFile); err != nil {
		return false, err
	}
	path := filepath.Join(dir, trainerFile)
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil // no checkpoint yet
	}
	if err != nil {
		return false, fmt.Errorf("training: resume: %w", err)
	}
	var saved savedTrainer
	if err := json.Unmarshal(data, &saved); err != nil {
		return false, fmt.Errorf("training: resume from %s: %w", path, err)
	}
	loader := t.Context.Loader()
	defer t.Context.SetLoader(loader)
	h, err := checkpoints.Build(t.Context).Dir(dir).Immediate().Done()
	if err != nil {
		return false, fmt.Errorf("training: resume from %s: %w", dir, firstLine(err))
	}
	if names, err := h.ListCheckpoints(); err != nil || len(names) == 0 {
		return false, fmt.Errorf("training: resume from %s: it holds no variables "+
			"(is its checkpoint-*.bin file missing?)", dir)
	}
	t.History, t.baseLR = saved.History, saved.BaseLR
	return true, nil
}

// savingSuffix marks the folder a Save writes before swapping it in; a killed Save leaves one.
const savingSuffix = ".saving-"

// syncFolder flushes dir to disk: with files, every file in it first, then the folder itself.
func syncFolder(dir string, files bool) error {
	if files {
		entries, err := os.ReadDir(dir)
		if err != nil {
			return err
		}
		for _, e := range entries {
			if err := syncPath(filepath.Join(dir, e.Name())); err != nil {
				return err
			}
		}
	}
	return syncPath(dir)
}

func syncPath(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}

// checkTarget makes sure dir can take a checkpoint: it is absent, empty or holds one (a file
// named file), and its parent folder can be written.
func checkTarget(dir, file string) error {
	if dir == "" {
		return errors.New("training: checkpoint folder is \"\"")
	}
	entries, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return fmt.Errorf("training: checkpoint folder: %w", err)
	case len(entries) > 0:
		if _, err := os.Stat(filepath.Join(dir, file)); err != nil {
			what := "other files"
			for _, e := range entries {
				if strings.HasPrefix(e.Name(), "checkpoint-") {
					what = "an incomplete checkpoint (an older godl's Save was interrupted): remove it"
				}
			}
			return fmt.Errorf("training: checkpoint folder %s holds no %s but %s; choose another folder", dir, file, what)
		}
	}
	parent := filepath.Dir(filepath.Clean(dir))
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return fmt.Errorf("training: checkpoint folder: %w", err)
	}
	probe, err := os.MkdirTemp(parent, ".godl-probe-")
	if err != nil {
		return fmt.Errorf("training: checkpoint folder %s cannot be written: %w", dir, err)
	}
	return os.Remove(probe)
}

// Load restores a Run saved by Save (or by Fit with Checkpoint) for the same model, on the
// backend of WithBackend if given (other options do not apply). It checks that every weight
// the model asks for is in the checkpoint with its shape, and names the first one that is not.
func Load(model Model, dir string, opts ...Option) (*Run, error) {
	cleanUp(dir, false)
	data, err := os.ReadFile(filepath.Join(dir, runFile))
	if err != nil {
		return nil, fmt.Errorf("training: load: %w (was the model saved with training.Checkpoint?)", err)
	}
	var saved savedRun
	if err := json.Unmarshal(data, &saved); err != nil {
		return nil, fmt.Errorf("training: load %s: %w", filepath.Join(dir, runFile), err)
	}
	if len(saved.InputShape) != 3 {
		return nil, fmt.Errorf("training: load %s: no input_shape [height, width, channels] "+
			"(saved by an older godl): train and save again", filepath.Join(dir, runFile))
	}
	b := newConfig(opts).backend
	if b == nil {
		if b, err = backend.Default(); err != nil {
			return nil, fmt.Errorf("training: load: %w", err)
		}
	}
	ctx := context.New()
	if _, err := checkpoints.Build(ctx).Dir(dir).Immediate().Done(); err != nil {
		return nil, fmt.Errorf("training: load weights from %s: %w", dir, err)
	}
	run := &Run{Model: model, Context: ctx, Backend: b, Classes: saved.Classes, History: saved.History,
		BatchSize: saved.BatchSize, Mean: saved.Mean, Std: saved.Std, InputShape: saved.InputShape}
	if err := run.checkWeights(); err != nil {
		return nil, fmt.Errorf("training: load %s: the checkpoint does not fit the model: %w", dir, err)
	}
	return run, nil
}

// checkWeights runs the model once on a zero example with the weights in reuse mode: a weight
// missing from the context, or of another shape, fails there, named by GoMLX.
func (r *Run) checkWeights() error {
	if r.Context.NumVariables() == 0 {
		return errors.New("it holds no weights (is its checkpoint-*.bin file missing?)")
	}
	exec, err := r.forward()
	if err != nil {
		return err
	}
	zero := tensors.FromShape(shapes.Make(dtypes.Float32, append([]int{1}, r.InputShape...)...))
	if _, err := exec.Exec1(zero); err != nil {
		return firstLine(err)
	}
	return nil
}

// forward returns the compiled forward pass, made on first use, that reads the variables'
// current values on every call.
func (r *Run) forward() (*context.Exec, error) {
	if r.eval == nil {
		exec, err := context.NewExec(r.Backend, r.Context.Reuse(), func(ctx *context.Context, images *graph.Node) *graph.Node {
			return r.Model(ctx, images)
		})
		if err != nil {
			return nil, err
		}
		r.eval = exec
	}
	return r.eval, nil
}

// firstLine keeps the first line of a GoMLX error, without its stack trace.
func firstLine(err error) error {
	msg, _, _ := strings.Cut(err.Error(), "\n")
	return errors.New(msg)
}

// Dir returns the folder for the checkpoint called name: build/checkpoints/name in the godl
// repository (where `make clean` removes it), or under the user's cache folder outside it.
func Dir(name string) string {
	if root := repo.Root(); root != "" {
		return filepath.Join(root, "build", "checkpoints", name)
	}
	base, err := os.UserCacheDir()
	if err != nil {
		base = os.TempDir()
	}
	return filepath.Join(base, "godl", "checkpoints", name)
}
