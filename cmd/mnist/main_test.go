package main

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestDryRun runs the program as the original's -dry-run does (one batch per epoch, the whole test
// set after each) and checks its lines against mnist/main.py's formats.
func TestDryRun(t *testing.T) {
	var out bytes.Buffer
	if err := run([]string{"-dry-run", "-epochs", "2", "-limit", "500", "-test-batch-size", "250"}, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	trainLine := regexp.MustCompile(`^Train Epoch: (\d+) \[0/500 \(0%\)\]\tLoss: \d+\.\d{6}$`)
	testLine := regexp.MustCompile(`^Test set: Average loss: \d+\.\d{4}, Accuracy: \d+/500 \(\d+%\)$`)
	var trains, tests int
	for _, line := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		switch {
		case trainLine.MatchString(line):
			trains++
			if m := trainLine.FindStringSubmatch(line); m[1] != strconv.Itoa(trains) {
				t.Errorf("line %q: epoch %s, want %d", line, m[1], trains)
			}
		case testLine.MatchString(line):
			tests++
		case line != "":
			t.Errorf("unexpected line %q", line)
		}
	}
	if trains != 2 || tests != 2 {
		t.Errorf("%d train and %d test lines, want 2 and 2 (one batch per epoch):\n%s", trains, tests, out.String())
	}
}

// TestLearns trains two epochs on 2,000 digits and saves the model.
func TestLearns(t *testing.T) {
	var out bytes.Buffer
	dir := filepath.Join(t.TempDir(), "mnist_cnn")
	args := []string{"-epochs", "2", "-limit", "2000", "-log-interval", "8", "-save-model", "-save-dir", dir}
	if err := run(args, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	last := regexp.MustCompile(`Accuracy: (\d+)/2000`).FindAllStringSubmatch(out.String(), -1)
	if len(last) != 2 {
		t.Fatalf("want 2 test lines:\n%s", out.String())
	}
	if correct, _ := strconv.Atoi(last[1][1]); correct < 1700 {
		t.Errorf("%d/2000 right after 2 epochs on 2,000 digits, want ≥ 85%%:\n%s", correct, out.String())
	}
	// 2,000 digits in batches of 64 make 32 batches; lines at batches 0, 8, 16, 24 each epoch.
	if n := strings.Count(out.String(), "Train Epoch: 2 ["); n != 4 {
		t.Errorf("%d log lines in epoch 2, want 4 (every 8 of 32 batches)", n)
	}
	if !strings.Contains(out.String(), "[1536/2000 (75%)]") {
		t.Errorf("no line for batch 24 (1536/2000, 75%%):\n%s", out.String())
	}
	if _, err := os.Stat(filepath.Join(dir, "trainer.json")); err != nil {
		t.Errorf("-save-model wrote no checkpoint: %v", err)
	}
}

func TestBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"-epochs", "0"}, {"-batch-size", "-1"}, {"-lr", "0"}, {"-gamma", "-0.5"}, {"-log-interval", "0"},
		{"-limit", "-3"}, {"-epochs", "many"}, {"extra"}, {"-no-such-flag"},
	} {
		var stderr bytes.Buffer
		if err := run(args, io.Discard, &stderr); err == nil {
			t.Errorf("%v: no error", args)
		}
	}
}
