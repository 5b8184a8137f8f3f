package repo

import (
	"os"
	"path/filepath"
	"testing"
)

func TestRootFromInside(t *testing.T) {
	root := Root()
	if _, err := os.Stat(filepath.Join(root, "internal", "repo", "repo.go")); err != nil {
		t.Fatalf("Root() = %q does not hold internal/repo: %v", root, err)
	}
}

func TestRootIgnoresOtherModules(t *testing.T) {
	other := t.TempDir()
	if err := os.WriteFile(filepath.Join(other, "go.mod"), []byte("module example.com/other\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := rootAbove(filepath.Join(other, "sub")); got != "" {
		t.Fatalf("rootAbove in another module = %q, want \"\"", got)
	}
	want := Root()
	t.Chdir(other)
	t.Setenv("GONB_DIR", "")
	t.Setenv(HomeEnv, "")
	if got := Root(); got != want {
		t.Fatalf("Root() from another module = %q, want %q, found from the package's sources", got, want)
	}
}

func TestRootHonoursGonbDir(t *testing.T) {
	want := Root()
	t.Chdir(t.TempDir())
	t.Setenv("GONB_DIR", filepath.Join(want, "notebooks"))
	if got := Root(); got != want {
		t.Fatalf("Root() with $GONB_DIR in the notebooks folder = %q, want %q", got, want)
	}
}
