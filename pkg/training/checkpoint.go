package training

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/godl-book/godl/pkg/backend"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/context/checkpoints"
)

// runFile holds what a checkpoint keeps besides the weights.
const runFile = "run.json"

type savedRun struct {
	Classes   []string  `json:"classes"`
	History   []Epoch   `json:"history"`
	BatchSize int       `json:"batch_size"`
	Mean      []float32 `json:"mean,omitempty"`
	Std       []float32 `json:"std,omitempty"`
}

// Save writes the weights and the history to dir (created if needed), replacing a checkpoint
// saved there before. A folder that holds anything else is left alone, with an error.
func (r *Run) Save(dir string) error {
	if err := clearCheckpoint(dir); err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("training: save: %w", err)
	}
	h, err := checkpoints.Build(r.Context).Dir(dir).Keep(1).Done()
	if err != nil {
		return fmt.Errorf("training: save to %s: %w", dir, err)
	}
	if err := h.Save(); err != nil {
		return fmt.Errorf("training: save to %s: %w", dir, err)
	}
	data, err := json.MarshalIndent(savedRun{r.Classes, r.History, r.BatchSize, r.Mean, r.Std}, "", " ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, runFile), data, 0o644)
}

// clearCheckpoint removes an earlier checkpoint from dir. GoMLX's checkpoint handler would load
// it into the context on creation, overwriting the weights that are about to be saved.
func clearCheckpoint(dir string) error {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) || (err == nil && len(entries) == 0) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("training: save: %w", err)
	}
	if _, err := os.Stat(filepath.Join(dir, runFile)); err != nil {
		return fmt.Errorf("training: save: %s is not empty and holds no checkpoint (%s); choose another folder", dir, runFile)
	}
	if err := os.RemoveAll(dir); err != nil {
		return fmt.Errorf("training: save: replacing the checkpoint in %s: %w", dir, err)
	}
	return nil
}

// Load restores a Run saved by Save (or by Fit with Checkpoint) for the same model.
func Load(model Model, dir string) (*Run, error) {
	data, err := os.ReadFile(filepath.Join(dir, runFile))
	if err != nil {
		return nil, fmt.Errorf("training: load: %w (was the model saved with training.Checkpoint?)", err)
	}
	var saved savedRun
	if err := json.Unmarshal(data, &saved); err != nil {
		return nil, fmt.Errorf("training: load %s: %w", filepath.Join(dir, runFile), err)
	}
	b, err := backend.Default()
	if err != nil {
		return nil, err
	}
	ctx := context.New()
	if _, err := checkpoints.Build(ctx).Dir(dir).Immediate().Done(); err != nil {
		return nil, fmt.Errorf("training: load weights from %s: %w", dir, err)
	}
	return &Run{Model: model, Context: ctx, Backend: b, Classes: saved.Classes, History: saved.History,
		BatchSize: saved.BatchSize, Mean: saved.Mean, Std: saved.Std}, nil
}

// Dir returns the folder for the checkpoint called name: build/checkpoints/name in the godl
// repository (where `make clean` removes it), or under the user's cache folder outside it.
func Dir(name string) string {
	if root := backend.RepoRoot(); root != "" {
		return filepath.Join(root, "build", "checkpoints", name)
	}
	base, err := os.UserCacheDir()
	if err != nil {
		base = os.TempDir()
	}
	return filepath.Join(base, "godl", "checkpoints", name)
}
