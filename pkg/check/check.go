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

// Near checks that |got - want| ≤ tol; equal infinities are near, NaN is near nothing.
func Near(name string, got, want, tol float64) {
	report(isClose(got, want, 0, tol, false), name, fmt.Sprintf("%.6g ≈ %.6g (±%.2g)", got, want, tol))
}

// Equal checks that got == want.
func Equal[T comparable](name string, got, want T) {
	report(got == want, name, fmt.Sprintf("%v == %v", got, want))
}

// AllClose checks element-wise that |got[i] - want[i]| ≤ atol + rtol·|want[i]|, with numpy's
// allclose semantics: a NaN on either side is never close, infinities are close only to the same
// infinity, and two empty slices are close.
func AllClose[T ~float32 | ~float64](name string, got, want []T, rtol, atol float64) {
	allClose(name, got, want, rtol, atol, false)
}

// AllCloseEqualNaN is AllClose where NaN is close to NaN, numpy's allclose(..., equal_nan=True).
func AllCloseEqualNaN[T ~float32 | ~float64](name string, got, want []T, rtol, atol float64) {
	allClose(name, got, want, rtol, atol, true)
}

func allClose[T ~float32 | ~float64](name string, got, want []T, rtol, atol float64, equalNaN bool) {
	if len(got) != len(want) {
		report(false, name, fmt.Sprintf("length %d, want %d", len(got), len(want)))
		return
	}
	bad, at, worst := 0, -1, 0.0
	for i := range got {
		g, w := float64(got[i]), float64(want[i])
		if isClose(g, w, rtol, atol, equalNaN) {
			continue
		}
		bad++
		excess := math.Abs(g-w) - (atol + rtol*math.Abs(w))
		if math.IsNaN(excess) {
			excess = math.Inf(1)
		}
		if at < 0 || excess > worst {
			worst, at = excess, i
		}
	}
	tols := fmt.Sprintf("rtol=%.2g atol=%.2g", rtol, atol)
	if bad == 0 {
		report(true, name, fmt.Sprintf("%d values within %s", len(got), tols))
		return
	}
	report(false, name, fmt.Sprintf("%d of %d values outside %s (worst at [%d]: %v vs %v)",
		bad, len(got), tols, at, got[at], want[at]))
}

// isClose is numpy's isclose for one pair: |got - want| ≤ atol + rtol·|want|, an infinity close
// only to itself, NaN close to NaN only when equalNaN.
func isClose(got, want, rtol, atol float64, equalNaN bool) bool {
	switch {
	case math.IsNaN(got) || math.IsNaN(want):
		return equalNaN && math.IsNaN(got) && math.IsNaN(want)
	case got == want:
		return true
	case math.IsInf(got, 0) || math.IsInf(want, 0):
		return false
	}
	return math.Abs(got-want) <= atol+rtol*math.Abs(want)
}
