package check

import (
	"strings"
	"testing"
)

// capture runs f and returns the failure message it produced, or "" if every check held.
func capture(t *testing.T, f func()) (failure string) {
	t.Helper()
	saved := fail
	defer func() { fail = saved }()
	fail = func(msg string) { failure = msg }
	f()
	return failure
}

func TestChecks(t *testing.T) {
	for _, tc := range []struct {
		name    string
		run     func()
		wantErr string // "" when the check must hold
	}{
		{"at least holds", func() { AtLeast("acc", 0.9, 0.89) }, ""},
		{"at least fails", func() { AtLeast("acc", 0.5, 0.89) }, "✗ acc: 0.5 ≥ 0.89"},
		{"at most fails", func() { AtMost("loss", 2, 1) }, "✗ loss"},
		{"near holds", func() { Near("pi", 3.1416, 3.14159, 1e-3) }, ""},
		{"near fails", func() { Near("pi", 3, 3.14159, 1e-3) }, "✗ pi"},
		{"equal fails", func() { Equal("shape", "[2 3]", "[3 2]") }, "✗ shape: [2 3] == [3 2]"},
		{"true fails", func() { True("falls", false) }, "✗ falls: false"},
		{"allclose holds", func() { AllClose("v", []float32{1, 2}, []float32{1, 2.0000001}, 1e-6, 0) }, ""},
		{"allclose fails", func() { AllClose("v", []float64{1, 2}, []float64{1, 2.1}, 1e-3, 0) }, "worst at [1]"},
		{"allclose length", func() { AllClose("v", []float64{1}, []float64{1, 2}, 0, 0) }, "length 1, want 2"},
	} {
		got := capture(t, tc.run)
		if tc.wantErr == "" && got != "" {
			t.Errorf("%s: failed with %q, want it to hold", tc.name, got)
		}
		if tc.wantErr != "" && !strings.Contains(got, tc.wantErr) {
			t.Errorf("%s: failure %q, want one containing %q", tc.name, got, tc.wantErr)
		}
	}
}
