package main

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestDryRun runs two workers for two epochs of one batch each and checks the lines against the
// original's formats: a worker number (the original's process id) before each training line, one
// test line at the end.
func TestDryRun(t *testing.T) {
	var out bytes.Buffer
	dir := filepath.Join(t.TempDir(), "MNIST_hogwild")
	args := []string{"-dry-run", "-epochs", "2", "-limit", "500", "-save_model", "-save-dir", dir}
	if err := run(args, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	trainLine := regexp.MustCompile(`^[01]\tTrain Epoch: [12] \[0/500 \(0%\)\]\tLoss: \d+\.\d{6}$`)
	testLine := regexp.MustCompile(`^Test set: Average loss: \d+\.\d{4}, Accuracy: \d+/500 \(\d+%\)$`)
	seen := map[string]int{}
	for _, line := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		switch {
		case trainLine.MatchString(line):
			seen[line[:1]+line[strings.Index(line, "Epoch: ")+7:][:1]]++ // worker and epoch
		case testLine.MatchString(line):
			seen["test"]++
		case line != "":
			t.Errorf("unexpected line %q", line)
		}
	}
	for _, k := range []string{"01", "02", "11", "12", "test"} {
		if seen[k] != 1 {
			t.Errorf("%d lines for %q (worker, epoch), want 1:\n%s", seen[k], k, out.String())
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "run.json")); err != nil {
		t.Errorf("-save_model wrote no model: %v", err)
	}
}

func TestBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"-epochs", "0"}, {"-num-processes", "0"}, {"-lr", "-1"}, {"-momentum", "1"},
		{"-test-batch-size", "0"}, {"-log-interval", "0"}, {"-seed", "-1"}, {"extra"}, {"-no-such-flag"},
	} {
		if err := run(append(args, "-limit", "100"), io.Discard, io.Discard); err == nil {
			t.Errorf("%v: no error", args)
		}
	}
}
