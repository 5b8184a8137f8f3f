package backend

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestChooseHonoursEnv(t *testing.T) {
	t.Setenv(EnvBackend, "go")
	if c := Choose(); c.Config != "go" || !strings.Contains(c.Reason, EnvBackend) {
		t.Fatalf("Choose() = %+v, want the go backend chosen by $%s", c, EnvBackend)
	}
}

func TestAutoIsTheAutomaticChoice(t *testing.T) {
	t.Setenv(EnvBackend, "auto")
	if got, want := Choose(), Available()[0]; got != want {
		t.Fatalf("Choose() with $%s=auto = %+v, want the first available %+v", EnvBackend, got, want)
	}
}

func TestPureGoIsAlwaysLast(t *testing.T) {
	t.Setenv(EnvCPUPlugin, filepath.Join(t.TempDir(), "missing.so"))
	all := Available()
	if last := all[len(all)-1]; last.Config != "go" {
		t.Fatalf("last available backend = %+v, want go", last)
	}
}

func TestMissingPluginFallsBackToGo(t *testing.T) {
	t.Setenv(EnvBackend, "")
	t.Setenv(EnvCPUPlugin, filepath.Join(t.TempDir(), "missing.so"))
	if c := Choose(); c.Name != "go" && c.Name != "xla-cuda" {
		t.Fatalf("Choose() with no CPU plugin = %+v, want go", c)
	}
}

func TestBrokenPluginIsAnErrorNotACrash(t *testing.T) {
	fake := filepath.Join(t.TempDir(), "fake.so")
	if err := os.WriteFile(fake, []byte("not a shared library"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(Choice{Config: "xla:" + fake, Name: "xla-cpu"}); err == nil {
		t.Fatal("Load of a corrupt plugin succeeded, want an error")
	}
}

func TestXLAMapsToLocalPlugin(t *testing.T) {
	plugin := filepath.Join(t.TempDir(), "xla_cpu_pjrt.so")
	if err := os.WriteFile(plugin, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv(EnvCPUPlugin, plugin)
	t.Setenv(EnvBackend, "xla:cpu")
	c := Choose()
	if !strings.HasPrefix(c.Config, "xla:"+plugin) {
		t.Fatalf("Choose() with $%s=xla:cpu = %+v, want the local plugin %s", EnvBackend, c, plugin)
	}
}

func TestRepoRoot(t *testing.T) {
	root := RepoRoot()
	if root == "" {
		t.Fatal("RepoRoot() found nothing from inside the repository")
	}
	if _, err := os.Stat(filepath.Join(root, "pkg", "backend")); err != nil {
		t.Fatalf("RepoRoot() = %q does not hold pkg/backend: %v", root, err)
	}
}
