package bench

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

type errString string

func (e errString) Error() string { return string(e) }

var sprintf = fmt.Sprintf

// fakePython writes an executable that ignores its arguments, prints out and exits with status:
// a stand-in for a Python running bench/peers.py.
func fakePython(t *testing.T, out string, status int) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "python")
	script := fmt.Sprintf("#!/bin/sh\ncat <<'EOF'\n%s\nEOF\necho 'peers.py: a message' >&2\nexit %d\n", out, status)
	if err := os.WriteFile(path, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestPeersReadsTheScriptsRows(t *testing.T) {
	python := fakePython(t, `{"row": "lenet", "examples_per_sec": 1234.5, "ms_per_step": 51.8, "steps": 30, "final_loss": 2.25, "side": "PyTorch 2.15.0 eager", "threads": 2}
{"row": "matmul", "gflops": 40.5, "ms_per_step": 53.0, "steps": 12, "side": "PyTorch 2.15.0 eager", "threads": 2}`, 0)
	ms, skipped := Peers(python, []string{"torch"}, Config{}, "")
	want := []Measurement{
		{Row: LeNetStep, Side: "PyTorch 2.15.0 eager", ExamplesPerSec: 1234.5, StepTime: 51800 * time.Microsecond,
			Steps: 30, Loss: 2.25},
		{Row: MatMulRow, Side: "PyTorch 2.15.0 eager", GFLOPS: 40.5, StepTime: 53 * time.Millisecond, Steps: 12},
	}
	if len(ms) != len(want) || len(skipped) != 0 {
		t.Fatalf("Peers() = %+v, skipped %v; want %+v", ms, skipped, want)
	}
	for i := range want {
		if ms[i] != want[i] {
			t.Errorf("row %d: %+v, want %+v", i, ms[i], want[i])
		}
	}
}

func TestPeersSkipsMissingFrameworks(t *testing.T) {
	ms, skipped := Peers(fakePython(t, "", notInstalled), []string{"jax", "torch-compile"}, Config{}, "")
	if len(ms) != 0 || len(skipped) != 2 || skipped[0] != "peers.py: a message" {
		t.Errorf("Peers() = %+v, skipped %q; want nothing measured, two skipped with peers.py's message", ms, skipped)
	}
}

func TestPeersErrors(t *testing.T) {
	for name, python := range map[string]string{
		"nothing printed":     fakePython(t, "", 0),
		"crash":               fakePython(t, "Traceback (most recent call last):", 1),
		"no such interpreter": filepath.Join(t.TempDir(), "missing-python"),
	} {
		ms, _ := Peers(python, []string{"torch"}, Config{}, "")
		if len(ms) != 1 || ms[0].Err == nil || !strings.Contains(ms[0].Err.Error(), "bench: ") ||
			!strings.Contains(ms[0].Err.Error(), "--framework torch") {
			t.Errorf("%s: %+v, want one measurement whose error names bench and the framework", name, ms)
		}
	}
}

func TestPeersStopsASlowFramework(t *testing.T) {
	python := filepath.Join(t.TempDir(), "python")
	script := "#!/bin/sh\necho '{\"row\": \"lenet\", \"examples_per_sec\": 10, \"ms_per_step\": 6400, \"steps\": 1, \"side\": \"S\"}'\nexec sleep 30\n"
	if err := os.WriteFile(python, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	ms, _ := Peers(python, []string{"jax"}, Config{PeerTimeout: 500 * time.Millisecond}, "")
	if time.Since(start) > 10*time.Second {
		t.Errorf("Peers took %s with a timeout of 0.5 s", time.Since(start))
	}
	if len(ms) != 2 || ms[0].Side != "S" || ms[1].Err == nil || !strings.Contains(ms[1].Err.Error(), "-peer-timeout") {
		t.Errorf("Peers() = %+v, want the printed row and an error naming -peer-timeout", ms)
	}
}
