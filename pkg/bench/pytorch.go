package bench

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/godl-book/godl/pkg/backend"
)

// PyTorchScript is bench/pytorch_lenet.py, relative to the repository root.
var PyTorchScript = filepath.Join("bench", "pytorch_lenet.py")

// PyTorch runs bench/pytorch_lenet.py with the given Python interpreter and cfg's sizes, and
// returns its measurements as a row named "pytorch-cpu (torch <version>, <n> threads)", so that
// Print can put PyTorch next to the Go backends. A Python without torch is an error here.
func PyTorch(python string, cfg Config) Result {
	cfg = cfg.withDefaults()
	r := Result{Backend: "pytorch-cpu"}
	root := backend.RepoRoot()
	if root == "" {
		r.Err = fmt.Errorf("pytorch: cannot find the godl repository (for %s) from the working directory", PyTorchScript)
		return r
	}
	args := []string{filepath.Join(root, PyTorchScript), "--json",
		"--batch", strconv.Itoa(cfg.Batch), "--steps", strconv.Itoa(cfg.Steps), "--warmup", strconv.Itoa(cfg.Warmup),
		"--matmul", strconv.Itoa(cfg.MatMul), "--reps", strconv.Itoa(cfg.MatMulReps)}
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(python, args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		r.Err = fmt.Errorf("pytorch: %s %s: %v: %s", python, PyTorchScript, err, strings.TrimSpace(stderr.String()))
		return r
	}
	var row struct {
		ExamplesPerSec float64 `json:"examples_per_sec"`
		MsPerStep      float64 `json:"ms_per_step"`
		Steps          int     `json:"steps"`
		FinalLoss      float32 `json:"final_loss"`
		GFLOPS         float64 `json:"gflops"`
		Products       int     `json:"products"`
		Torch          string  `json:"torch"`
		Threads        int     `json:"threads"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &row); err != nil || row.Steps == 0 {
		r.Err = fmt.Errorf("pytorch: %s printed %q, want a JSON row (stderr: %s)", PyTorchScript,
			strings.TrimSpace(stdout.String()), strings.TrimSpace(stderr.String()))
		return r
	}
	r.Backend = fmt.Sprintf("pytorch-cpu (torch %s, %d threads)", row.Torch, row.Threads)
	r.ExamplesPerSec, r.Steps, r.FinalLoss = row.ExamplesPerSec, row.Steps, row.FinalLoss
	r.StepTime = time.Duration(row.MsPerStep * float64(time.Millisecond))
	r.GFLOPS, r.MatMulReps = row.GFLOPS, row.Products
	return r
}
