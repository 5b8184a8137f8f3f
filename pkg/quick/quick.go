// Package quick tells whether godl runs in quick mode, the shrunken run CI uses.
//
// Every notebook runs in two sizes: full (what a reader runs, the default) and quick
// ($GODL_QUICK=1: fewer examples and steps, same code and same kinds of checks).
package quick

import (
	"os"
	"strings"
)

// Env is the variable that turns quick mode on when set to 1, true or yes.
const Env = "GODL_QUICK"

// On reports whether quick mode is on.
func On() bool {
	switch strings.ToLower(strings.TrimSpace(os.Getenv(Env))) {
	case "1", "true", "yes", "on":
		return true
	}
	return false
}

// Pick returns quickValue in quick mode and fullValue otherwise.
func Pick[T any](quickValue, fullValue T) T {
	if On() {
		return quickValue
	}
	return fullValue
}

// Mode names the current mode, "quick" or "full", for printing.
func Mode() string { return Pick("quick", "full") }
