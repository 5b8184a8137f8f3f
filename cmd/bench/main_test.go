package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/godl-book/godl/pkg/backend"
)

// TestDryRun runs two rows at tiny sizes on every available backend and checks that each backend
// gets a line of numbers in both (pkg/bench's tests run every row).
func TestDryRun(t *testing.T) {
	var out, errs bytes.Buffer
	if err := run([]string{"-dry-run", "-rows", "lenet,matmul"}, &out, &errs); err != nil {
		t.Fatalf("bench -dry-run: %v\n%s%s", err, errs.String(), out.String())
	}
	t.Log("\n" + out.String())
	for _, c := range backend.Available() {
		lines := 0
		for _, l := range strings.Split(out.String(), "\n") {
			if fields := strings.Fields(l); len(fields) == 6 && fields[0] == "godl" && fields[1] == c.Name {
				lines++
			}
		}
		if lines != 2 {
			t.Errorf("%d lines of numbers for godl %s, want 2 (LeNet-5 and matmul) in:\n%s", lines, c.Name, out.String())
		}
	}
}

// TestBadFlags checks that wrong rows, frameworks and arguments are refused with the flag named.
func TestBadFlags(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"-rows", "lenet,vgg"}, `-rows: unknown row "vgg"`},
		{[]string{"-frameworks", "tensorflow"}, `-frameworks: unknown framework "tensorflow"`},
		{[]string{"lenet"}, `unexpected argument "lenet"`},
	} {
		var out, errs bytes.Buffer
		if err := run(c.args, &out, &errs); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("bench %v: error %v, want one with %q", c.args, err, c.want)
		}
	}
}
