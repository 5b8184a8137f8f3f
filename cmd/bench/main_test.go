package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/godl-book/godl/pkg/backend"
)

// TestDryRun runs the benchmark at tiny sizes on every available backend and checks that each one
// gets a row of numbers.
func TestDryRun(t *testing.T) {
	var out, errs bytes.Buffer
	if err := run([]string{"-dry-run"}, &out, &errs); err != nil {
		t.Fatalf("bench -dry-run: %v\n%s%s", err, errs.String(), out.String())
	}
	t.Log("\n" + out.String())
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	for _, c := range backend.Available() {
		found := false
		for _, l := range lines[2:] {
			fields := strings.Fields(l)
			if len(fields) == 8 && fields[0] == c.Name {
				found = true
			}
		}
		if !found {
			t.Errorf("no row of 8 columns for backend %s in:\n%s", c.Name, out.String())
		}
	}
}
