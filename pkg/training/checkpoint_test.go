package training

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/godl-book/godl/pkg/datasets"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/layers"
	"github.com/gomlx/gomlx/pkg/ml/train/optimizers"
)

// tiny is a linear classifier, quick to compile.
func tiny(ctx *context.Context, images *graph.Node) *graph.Node {
	x := graph.Reshape(images, images.Shape().Dimensions[0], -1)
	return layers.Dense(ctx.In("out"), x, true, 10)
}

func fitTiny(t *testing.T, opts ...Option) (*Run, error) {
	t.Helper()
	train, test, err := datasets.MNIST(datasets.Limit(64), datasets.Quiet())
	if err != nil {
		t.Fatal(err)
	}
	return Fit(tiny, train, test.Take(32), optimizers.Adam().Done(), append(opts, BatchSize(32), NoProgress())...)
}

func TestLoadChecksTheModel(t *testing.T) {
	dir := t.TempDir()
	if _, err := fitTiny(t, Checkpoint(dir)); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(tiny, dir); err != nil {
		t.Fatalf("Load of the saved model: %v", err)
	}
	wider := func(ctx *context.Context, images *graph.Node) *graph.Node {
		x := graph.Reshape(images, images.Shape().Dimensions[0], -1)
		return layers.Dense(ctx.In("out"), x, true, 12)
	}
	renamed := func(ctx *context.Context, images *graph.Node) *graph.Node {
		x := graph.Reshape(images, images.Shape().Dimensions[0], -1)
		return layers.Dense(ctx.In("classifier"), x, true, 10)
	}
	for name, c := range map[string]struct {
		model Model
		want  string
	}{
		"other shape": {wider, "shape"},
		"other scope": {renamed, "/classifier"},
		"two layers":  {mlp, "/hidden"},
	} {
		_, err := Load(c.model, dir)
		t.Logf("%s: %v", name, err)
		if err == nil || !strings.HasPrefix(err.Error(), "training: load") || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: Load error %v, want one starting with training: load and naming %q", name, err, c.want)
		}
	}
	bins, _ := filepath.Glob(filepath.Join(dir, "*.bin"))
	if len(bins) != 1 {
		t.Fatalf("checkpoint holds weight files %v, want one", bins)
	}
	if err := os.Remove(bins[0]); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(tiny, dir); err == nil || !strings.HasPrefix(err.Error(), "training: load") {
		t.Errorf("Load without the weights file: error %v, want a training: load error", err)
	}
}

// TestFitChecksTheCheckpointFolder: a folder that cannot take the checkpoint fails before any
// training step, and a save that fails after training returns the trained run with the error.
func TestFitChecksTheCheckpointFolder(t *testing.T) {
	busy := t.TempDir()
	if err := os.WriteFile(filepath.Join(busy, "notes.txt"), []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	steps := 0
	run, err := fitTiny(t, Checkpoint(busy), OnStep(func(int, float64) { steps++ }))
	if err == nil || run != nil || steps != 0 || !strings.Contains(err.Error(), busy) {
		t.Errorf("Fit into a folder of other files: run %v, %d steps, error %v; want an error naming it before any step",
			run != nil, steps, err)
	}
	dir := filepath.Join(t.TempDir(), "ckpt")
	spoil := OnEpoch(func(Epoch) { // the folder fills up during training
		if err := os.MkdirAll(dir, 0o755); err == nil {
			os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("mine"), 0o644)
		}
	})
	run, err = fitTiny(t, Checkpoint(dir), spoil)
	if err == nil || run == nil || len(run.History) != 1 {
		t.Errorf("Fit whose save fails: run %v, error %v; want the trained run and the error", run != nil, err)
	}
}

// saveLoopEnv makes the test binary a process that saves a checkpoint again and again.
const saveLoopEnv = "GODL_TEST_SAVE_LOOP"

// TestSaveSurvivesKill kills a process that saves a checkpoint in a loop, at random moments, and
// loads what is left each time: the old or the new checkpoint, whole.
func TestSaveSurvivesKill(t *testing.T) {
	if dir := os.Getenv(saveLoopEnv); dir != "" {
		saveForever(t, dir)
		return
	}
	if testing.Short() {
		t.Skip("starts 12 processes; skipped with -short")
	}
	dir := filepath.Join(t.TempDir(), "ckpt")
	rng := rand.New(rand.NewPCG(7, 7))
	interrupted, lastEpochs := 0, 0
	for try := range 12 {
		cmd := exec.Command(os.Args[0], "-test.run=^TestSaveSurvivesKill$")
		cmd.Env = append(os.Environ(), saveLoopEnv+"="+dir)
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		ready := make(chan error, 1)
		go func() {
			line, err := bufio.NewReader(out).ReadString('\n')
			if err == nil && line != "saving\n" {
				err = fmt.Errorf("saving process said %q", line)
			}
			ready <- err
		}()
		select {
		case err := <-ready:
			if err != nil {
				cmd.Process.Kill()
				cmd.Wait()
				t.Fatal(err)
			}
		case <-time.After(2 * time.Minute):
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatal("saving process did not start within 2 minutes")
		}
		time.Sleep(time.Duration(rng.IntN(40_000)) * time.Microsecond)
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		cmd.Wait()
		if left, _ := filepath.Glob(filepath.Join(filepath.Dir(dir), ".ckpt.saving-*")); len(left) > 0 {
			interrupted++
		}
		run, err := Load(tiny, dir)
		if err != nil {
			t.Fatalf("kill %d: %v", try+1, err)
		}
		if len(run.History) < lastEpochs {
			t.Errorf("kill %d: checkpoint with %d epochs after one with %d", try+1, len(run.History), lastEpochs)
		}
		lastEpochs = len(run.History)
	}
	t.Logf("12 kills, %d of them during a save (a temporary folder left behind)", interrupted)
	run, err := Load(tiny, dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := run.Save(dir); err != nil {
		t.Errorf("Save after the kills: %v", err)
	}
	if left, _ := filepath.Glob(filepath.Join(filepath.Dir(dir), ".ckpt.saving-*")); len(left) > 0 {
		t.Errorf("Save left %v behind", left)
	}
}

// saveForever trains tiny (or continues the checkpoint in dir) and saves it to dir, with one
// more epoch in its history each time, until killed.
func saveForever(t *testing.T, dir string) {
	run, err := Load(tiny, dir)
	if err != nil {
		if run, err = fitTiny(t); err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; ; i++ {
		run.History = append(run.History, run.History[len(run.History)-1])
		if err := run.Save(dir); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			fmt.Println("saving")
		}
	}
}

// TestCleanUpAfterSwapByRenames: where the folders cannot be exchanged atomically, a crash
// between the renames leaves the old checkpoint aside; the next Load or Save puts it back.
func TestCleanUpAfterSwapByRenames(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ckpt")
	if _, err := fitTiny(t, Checkpoint(dir)); err != nil {
		t.Fatal(err)
	}
	tmp := filepath.Join(filepath.Dir(dir), ".ckpt"+savingSuffix+"123")
	if err := os.Rename(dir, tmp+asideSuffix); err != nil { // the first rename, then the crash
		t.Fatal(err)
	}
	if err := os.Mkdir(tmp, 0o755); err != nil { // the new checkpoint, half written
		t.Fatal(err)
	}
	run, err := Load(tiny, dir)
	if err != nil {
		t.Fatalf("Load after a crash between the renames: %v", err)
	}
	if left, _ := filepath.Glob(tmp + "*"); len(left) != 1 {
		t.Errorf("after Load: %v, want only the unfinished save, which Load leaves alone", left)
	}
	if err := run.Save(dir); err != nil {
		t.Fatal(err)
	}
	if left, _ := filepath.Glob(tmp + "*"); len(left) > 0 {
		t.Errorf("after Save: %v left behind", left)
	}
	if err := os.Mkdir(tmp, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := swapByRenames(tmp, dir); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(tmp, runFile)); err != nil {
		t.Errorf("after swapByRenames the old checkpoint should be in %s: %v", tmp, err)
	}
}
