// Package testbackend gives tests the backend that godl picks by default (see pkg/backend),
// failing the test with the reason when there is none.
package testbackend

import (
	"testing"

	"github.com/gomlx/gomlx/backends"

	"github.com/godl-book/godl/pkg/backend"
)

// Get returns backend.Default(), or fails t with its error.
func Get(t testing.TB) backends.Backend {
	t.Helper()
	b, err := backend.Default()
	if err != nil {
		t.Fatalf("backend: %v", err)
	}
	return b
}
