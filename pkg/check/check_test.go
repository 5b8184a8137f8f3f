package check

import (
	"math"
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

var (
	nan   = math.NaN()
	nan32 = float32(math.NaN())
	inf   = math.Inf(1)
)

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

		// NaN, infinities and empty inputs, as numpy's allclose and isclose treat them.
		{"allclose NaN after index 0", func() { AllClose("v", []float64{1, nan}, []float64{1, 1}, 1e-5, 1e-8) }, "1 of 2 values outside"},
		{"allclose NaN wanted", func() { AllClose("v", []float64{1, 1}, []float64{1, nan}, 1e-5, 1e-8) }, "worst at [1]"},
		{"allclose NaN vs NaN", func() { AllClose("v", []float32{nan32}, []float32{nan32}, 1e-5, 1e-8) }, "worst at [0]"},
		{"allclose equal NaN", func() { AllCloseEqualNaN("v", []float32{1, nan32}, []float32{1, nan32}, 1e-5, 1e-8) }, ""},
		{"allclose equal NaN vs number", func() { AllCloseEqualNaN("v", []float64{nan}, []float64{0}, 1, 1) }, "worst at [0]"},
		{"allclose +Inf vs +Inf", func() { AllClose("v", []float64{inf, -inf}, []float64{inf, -inf}, 0, 0) }, ""},
		{"allclose +Inf vs -Inf", func() { AllClose("v", []float64{inf}, []float64{-inf}, 1, 1) }, "worst at [0]"},
		{"allclose +Inf vs big", func() { AllClose("v", []float64{math.MaxFloat64}, []float64{inf}, 1, 1) }, "worst at [0]"},
		{"allclose worst is the NaN", func() { AllClose("v", []float64{2, nan}, []float64{1, 1}, 0, 0) }, "2 of 2 values outside rtol=0 atol=0 (worst at [1]"},
		{"allclose empty", func() { AllClose("v", []float64{}, nil, 0, 0) }, ""},
		{"allclose empty vs one", func() { AllClose("v", nil, []float32{1}, 0, 0) }, "length 0, want 1"},
		{"at least NaN", func() { AtLeast("acc", nan, 0.5) }, "✗ acc: NaN ≥ 0.5"},
		{"at least NaN bound", func() { AtLeast("acc", 0.9, nan) }, "✗ acc"},
		{"at least +Inf", func() { AtLeast("acc", inf, 0.5) }, ""},
		{"at least -Inf", func() { AtLeast("acc", -inf, 0.5) }, "✗ acc"},
		{"at most NaN", func() { AtMost("loss", nan, 1) }, "✗ loss: NaN ≤ 1"},
		{"at most +Inf", func() { AtMost("loss", inf, 1) }, "✗ loss"},
		{"at most -Inf", func() { AtMost("loss", -inf, 1) }, ""},
		{"near NaN", func() { Near("x", nan, 1, 10) }, "✗ x"},
		{"near NaN vs NaN", func() { Near("x", nan, nan, 10) }, "✗ x"},
		{"near NaN tolerance", func() { Near("x", 1, 1.5, nan) }, "✗ x"},
		{"near +Inf vs +Inf", func() { Near("x", inf, inf, 0) }, ""},
		{"near +Inf vs -Inf", func() { Near("x", inf, -inf, inf) }, "✗ x"},
		{"near +Inf vs number", func() { Near("x", inf, 1, 1e300) }, "✗ x"},
		{"near infinite tolerance", func() { Near("x", 1e300, -1e300, inf) }, ""},
		{"equal NaN", func() { Equal("x", nan, nan) }, "✗ x: NaN == NaN"},
		{"equal +Inf", func() { Equal("x", inf, inf) }, ""},
		{"equal empty", func() { Equal("x", "", "") }, ""},
		{"true holds", func() { True("x", true) }, ""},
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
