// Package check holds the assertions that notebooks use to check their own results.
//
// Each check prints one line — "✓ name: detail" when it holds — so a reader sees what was
// verified. When it fails it prints "✗ name: detail" to stderr and ends the cell's program with
// exit status 1: GoNB shows that status under the cell, and the notebook harness fails the run.
package check

import (
	"fmt"
	"math"
	"os"
)

// fail ends the program; tests replace it.
var fail = func(msg string) {
	fmt.Fprintln(os.Stderr, msg)
	os.Exit(1)
}

func report(ok bool, name, detail string) {
	if ok {
		fmt.Printf("✓ %s: %s\n", name, detail)
		return
	}
	fail(fmt.Sprintf("✗ %s: %s", name, detail))
}

// True checks that cond holds.
func True(name string, cond bool) { report(cond, name, fmt.Sprint(cond)) }

// AtLeast checks that got ≥ min, e.g. an accuracy that must be reached.
func AtLeast(name string, got, min float64) {
	report(got >= min, name, fmt.Sprintf("%.4g ≥ %.4g", got, min))
}

// AtMost checks that got ≤ max, e.g. a loss that must have fallen below a bound.
func AtMost(name string, got, max float64) {
	report(got <= max, name, fmt.Sprintf("%.4g ≤ %.4g", got, max))
}

// Near checks that |got - want| ≤ tol.
func Near(name string, got, want, tol float64) {
	report(math.Abs(got-want) <= tol, name, fmt.Sprintf("%.6g ≈ %.6g (±%.2g)", got, want, tol))
}

// Equal checks that got == want.
func Equal[T comparable](name string, got, want T) {
	report(got == want, name, fmt.Sprintf("%v == %v", got, want))
}

// AllClose checks element-wise that |got[i] - want[i]| ≤ atol + rtol·|want[i]|, as numpy.allclose.
func AllClose[T ~float32 | ~float64](name string, got, want []T, rtol, atol float64) {
	if len(got) != len(want) {
		report(false, name, fmt.Sprintf("length %d, want %d", len(got), len(want)))
		return
	}
	worst, at := 0.0, -1
	for i := range got {
		diff := math.Abs(float64(got[i]) - float64(want[i]))
		excess := diff - (atol + rtol*math.Abs(float64(want[i])))
		if at < 0 || excess > worst {
			worst, at = excess, i
		}
	}
	if len(got) == 0 {
		report(true, name, "0 values")
		return
	}
	report(worst <= 0, name, fmt.Sprintf("%d values within rtol=%.2g atol=%.2g (worst at [%d]: %v vs %v)",
		len(got), rtol, atol, at, got[at], want[at]))
}
