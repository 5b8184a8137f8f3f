package bench

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/godl-book/godl/internal/repo"
	"github.com/godl-book/godl/pkg/datasets"
)

// PeersScript is bench/peers.py, relative to the repository root.
var PeersScript = filepath.Join("bench", "peers.py")

// Frameworks are the peers' sides, as bench/peers.py --framework names them.
var Frameworks = []string{"torch", "torch-compile", "jax"}

// notInstalled is peers.py's exit status when the Python lacks the framework.
const notInstalled = 3

// DefaultPeerTimeout bounds each framework's process in Peers.
const DefaultPeerTimeout = 5 * time.Minute

func (c Config) peerTimeout() time.Duration {
	if c.PeerTimeout <= 0 {
		return DefaultPeerTimeout
	}
	return c.PeerTimeout
}

// Peers runs bench/peers.py with the given Python for each framework in frameworks (Frameworks
// when nil), one process each, with cfg's rows and sizes and GOMAXPROCS threads, and returns their
// measurements; a process still running after cfg.PeerTimeout is stopped, and what it printed by
// then is kept. A framework that this Python lacks is left out and named in skipped (Debian's
// torch 1.13 has no torch.compile, and no JAX); any other failure is a Measurement with Err set.
// The Fit row needs MNIST in mnistDir as WriteMNIST writes it ("" leaves the row out).
func Peers(python string, frameworks []string, cfg Config, mnistDir string) (out []Measurement, skipped []string) {
	cfg = cfg.withDefaults()
	if frameworks == nil {
		frameworks = Frameworks
	}
	root := repo.Root()
	if root == "" {
		return []Measurement{{Side: "peers",
			Err: fmt.Errorf("bench: cannot find the godl repository (for %s) from the working directory", PeersScript)}}, nil
	}
	var rows []string
	for _, r := range cfg.Rows {
		if r != FitEpoch || mnistDir != "" {
			rows = append(rows, string(r))
		}
	}
	for _, fw := range frameworks {
		args := []string{filepath.Join(root, PeersScript), "--framework", fw, "--rows", strings.Join(rows, ","),
			"--batch", strconv.Itoa(cfg.Batch), "--warmup", strconv.Itoa(cfg.Warmup),
			"--min-time", strconv.FormatFloat(cfg.MinTime.Seconds(), 'f', -1, 64),
			"--matmul", strconv.Itoa(cfg.MatMul), "--resnet-size", strconv.Itoa(cfg.ResNetSize),
			"--threads", strconv.Itoa(runtime.GOMAXPROCS(0)), "--fit-limit", strconv.Itoa(cfg.FitLimit)}
		if mnistDir != "" {
			args = append(args, "--mnist", mnistDir)
		}
		var stdout, stderr bytes.Buffer
		ctx, cancel := context.WithTimeout(context.Background(), cfg.peerTimeout())
		cmd := exec.CommandContext(ctx, python, args...)
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		cmd.WaitDelay = 5 * time.Second // torch.compile's worker processes may hold the pipes open
		runErr := cmd.Run()
		if ctx.Err() != nil {
			runErr = fmt.Errorf("stopped after %s (-peer-timeout): %w", cfg.peerTimeout(), runErr)
		}
		cancel()
		if exit := (*exec.ExitError)(nil); errors.As(runErr, &exit) && exit.ExitCode() == notInstalled {
			skipped = append(skipped, strings.TrimSpace(stderr.String()))
			continue
		}
		got, err := parsePeerRows(stdout.Bytes())
		for _, m := range got {
			cfg.report(m)
		}
		out = append(out, got...)
		if runErr == nil && err == nil && len(got) == 0 {
			err = errors.New("printed no measurement")
		}
		if runErr != nil || err != nil {
			out = append(out, Measurement{Side: fw, Err: fmt.Errorf("bench: %s %s --framework %s: %v: %s",
				python, PeersScript, fw, errors.Join(runErr, err), lastLines(stderr.String(), 5))})
			cfg.report(out[len(out)-1])
		}
	}
	return out, skipped
}

// parsePeerRows reads peers.py's JSON lines.
func parsePeerRows(stdout []byte) ([]Measurement, error) {
	var out []Measurement
	sc := bufio.NewScanner(bytes.NewReader(stdout))
	for sc.Scan() {
		var row struct {
			Row            Row     `json:"row"`
			Side           string  `json:"side"`
			ExamplesPerSec float64 `json:"examples_per_sec"`
			GFLOPS         float64 `json:"gflops"`
			MsPerStep      float64 `json:"ms_per_step"`
			Steps          int     `json:"steps"`
			FinalLoss      float32 `json:"final_loss"`
		}
		if err := json.Unmarshal(sc.Bytes(), &row); err != nil || row.Side == "" || row.Steps == 0 {
			return out, fmt.Errorf("printed %q, want a JSON row with side and steps", sc.Text())
		}
		m := Measurement{Row: row.Row, Side: row.Side, ExamplesPerSec: row.ExamplesPerSec, GFLOPS: row.GFLOPS,
			Steps: row.Steps, Loss: row.FinalLoss, StepTime: time.Duration(row.MsPerStep * float64(time.Millisecond))}
		out = append(out, m)
	}
	return out, nil
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// WriteMNIST writes MNIST's training images (the first limit, all when limit ≤ 0) into dir as raw
// bytes for bench/peers.py: train-images.u8 (28·28 bytes per image, row by row) and
// train-labels.u8 (one byte per label).
func WriteMNIST(dir string, limit int) error {
	trainSet, _, err := datasets.MNIST(datasets.Quiet())
	if err != nil {
		return err
	}
	trainSet = trainSet.Take(limit)
	pix := make([]byte, trainSet.Len()*trainSet.ImageSize())
	labels := make([]byte, trainSet.Len())
	for i := range trainSet.Len() {
		l, err := trainSet.Read(i, pix[i*trainSet.ImageSize():])
		if err != nil {
			return err
		}
		labels[i] = byte(l)
	}
	if err := os.WriteFile(filepath.Join(dir, "train-images.u8"), pix, 0o644); err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "train-labels.u8"), labels, 0o644); err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	return nil
}
