package bench

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// fakePython writes an executable that ignores its arguments and prints out, as a stand-in for
// a Python running bench/pytorch_lenet.py --json.
func fakePython(t *testing.T, out string, status int) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "python")
	script := "#!/bin/sh\ncat <<'EOF'\n" + out + "\nEOF\nexit " + string(rune('0'+status)) + "\n"
	if err := os.WriteFile(path, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestPyTorchReadsTheScriptsRow(t *testing.T) {
	python := fakePython(t, `{"backend": "pytorch-cpu", "examples_per_sec": 1234.5, "ms_per_step": 51.8, "steps": 30, `+
		`"final_loss": 2.25, "gflops": 40.5, "products": 12, "torch": "1.13.0", "threads": 2}`, 0)
	r := PyTorch(python, Config{})
	if r.Err != nil {
		t.Fatal(r.Err)
	}
	want := Result{Backend: "pytorch-cpu (torch 1.13.0, 2 threads)", ExamplesPerSec: 1234.5,
		StepTime: 51800 * time.Microsecond, Steps: 30, FinalLoss: 2.25, GFLOPS: 40.5, MatMulReps: 12}
	if r != want {
		t.Errorf("PyTorch() = %+v, want %+v", r, want)
	}
}

func TestPyTorchErrors(t *testing.T) {
	for name, python := range map[string]string{
		"no torch (status 0, nothing printed)": fakePython(t, "", 0),
		"crash":                                fakePython(t, "Traceback (most recent call last):", 1),
		"no such interpreter":                  filepath.Join(t.TempDir(), "missing-python"),
	} {
		if r := PyTorch(python, Config{}); r.Err == nil || !strings.Contains(r.Err.Error(), "pytorch") {
			t.Errorf("%s: error %v, want one that names pytorch", name, r.Err)
		}
	}
}
