package backend

import (
	"bufio"
	"fmt"

	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// helperEnv makes the test binary act as a program that calls Default twice and prints what it
// got: subprocess tests use it, so that a crash in dlopen fails the test instead of killing it.
const helperEnv = "GODL_BACKEND_TEST_HELPER"

func TestMain(m *testing.M) {
	if os.Getenv(helperEnv) == "1" {
		for range 2 {
			b, err := Default()
			fmt.Printf("backend=%v name=%s err=%v\n", b != nil, Current().Name, err)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// runDefault runs Default twice in a subprocess with the given environment and returns its
// standard output and error.
func runDefault(t *testing.T, env ...string) (stdout, stderr string) {
	t.Helper()
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), append([]string{helperEnv + "=1", "GONB_TMP_DIR="}, env...)...)
	var out, errOut strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		t.Fatalf("Default() with %v: %v\nstdout:\n%s\nstderr:\n%s", env, err, out.String(), errOut.String())
	}
	return out.String(), errOut.String()
}

// copyLibrary writes the first fraction keep of a real shared library (one this test process
// has loaded) to dir/name and returns its path.
func copyLibrary(t *testing.T, dir, name string, keep float64) string {
	t.Helper()
	maps, err := os.Open("/proc/self/maps")
	if err != nil {
		t.Skipf("no /proc/self/maps to find a shared library to damage: %v", err)
	}
	defer maps.Close()
	var lib string
	for sc := bufio.NewScanner(maps); sc.Scan() && lib == ""; {
		if f := strings.Fields(sc.Text()); len(f) == 6 && strings.Contains(filepath.Base(f[5]), ".so") {
			lib = f[5]
		}
	}
	if lib == "" {
		t.Skip("this test binary has no shared library loaded to copy")
	}
	data, err := os.ReadFile(lib)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data[:int(float64(len(data))*keep)], 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestChooseHonoursEnv(t *testing.T) {
	t.Setenv(EnvBackend, "go")
	if c := Choose(); c.Config != "go" || !strings.Contains(c.Reason, EnvBackend) || c.Warning != "" {
		t.Fatalf("Choose() = %+v, want the go backend chosen by $%s, quietly", c, EnvBackend)
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

func TestPluginTypoNamesThePath(t *testing.T) {
	t.Setenv(EnvBackend, "")
	typo := filepath.Join(t.TempDir(), "xla_cpu_pjrt.so.typo")
	t.Setenv(EnvCPUPlugin, typo)
	c := Choose()
	if !strings.Contains(c.Warning, typo) || !strings.Contains(c.Warning, "no such file") {
		t.Fatalf("Choose() with $%s=%s = %+v, want a warning naming the missing path", EnvCPUPlugin, typo, c)
	}
	if venv := findInSitePackages(wheelPlugin); venv != "" && c.Name != "xla-cpu" {
		t.Fatalf("Choose() = %+v, want the plugin in the Python environment (%s) despite the typo", c, venv)
	}
}

func TestBrokenPluginIsAnErrorNotACrash(t *testing.T) {
	fake := filepath.Join(t.TempDir(), "fake.so")
	if err := os.WriteFile(fake, []byte("not a shared library"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(Choice{Config: "xla:" + fake, Name: "xla-cpu"}); err == nil || !strings.Contains(err.Error(), fake) {
		t.Fatalf("Load of a corrupt plugin: %v, want an error naming %s", err, fake)
	}
}

func TestTruncatedPluginIsRejected(t *testing.T) {
	p := copyLibrary(t, t.TempDir(), "truncated.so", 0.5)
	err := VerifyPlugin(p)
	if err == nil || !strings.Contains(err.Error(), "truncated") || !strings.Contains(err.Error(), p) {
		t.Fatalf("VerifyPlugin(half a library) = %v, want an error saying %s is truncated", err, p)
	}
}

// A truncated plugin used to kill the process with SIGBUS in dlopen, by either setting. Named by
// $GOMLX_BACKEND, it gives pure Go; named by $GODL_PJRT_CPU, the search goes on to the Python
// environments, as for a missing file.
func TestTruncatedPluginFallsBackToGo(t *testing.T) {
	p := copyLibrary(t, t.TempDir(), "truncated.so", 0.5)
	search := "go"
	if findInSitePackages(wheelPlugin) != "" {
		search = "xla-cpu"
	}
	for _, tc := range []struct {
		env  []string
		want string
	}{
		{[]string{EnvBackend + "=xla:" + p}, "go"},
		{[]string{EnvBackend + "=", EnvCPUPlugin + "=" + p}, search},
	} {
		env := tc.env
		stdout, stderr := runDefault(t, env...)
		if want := "backend=true name=" + tc.want + " err=<nil>\n"; stdout != want+want {
			t.Errorf("%v: Default() twice printed %q, want %q twice", env, stdout, want)
		}
		if !strings.Contains(stderr, p) || !strings.Contains(stderr, "truncated") ||
			strings.Count(stderr, "godl: backend") != 1 {
			t.Errorf("%v: stderr %q, want one line saying that %s is truncated", env, stderr, p)
		}
	}
}

func TestPinnedPluginMustMatch(t *testing.T) {
	if _, ok := pinnedPlugins[runtime.GOARCH]; !ok {
		t.Skipf("no pinned plugin hash for %s: only the ELF checks apply there", runtime.GOARCH)
	}
	// A whole, valid library where the wheel's should be, but not the wheel's.
	dir := filepath.Join(t.TempDir(), "site-packages", filepath.Dir(wheelPlugin))
	p := copyLibrary(t, dir, filepath.Base(wheelPlugin), 1)
	if err := VerifyPlugin(p); err == nil || !strings.Contains(err.Error(), "pinned xla-cpu-pjrt wheel") {
		t.Fatalf("VerifyPlugin(another library in the wheel's place) = %v, want a mismatch with the pinned wheel", err)
	}
}

func TestInstalledPluginVerifies(t *testing.T) {
	p := findInSitePackages(wheelPlugin)
	if p == "" {
		t.Skip("no xla-cpu-pjrt wheel installed (run `make setup`)")
	}
	if err := VerifyPlugin(p); err != nil {
		t.Fatal(err)
	}
}

func TestUnknownBackendIsAnError(t *testing.T) {
	t.Setenv(EnvBackend, "bogus")
	_, err := Load(Choose())
	if err == nil || !strings.Contains(err.Error(), `"bogus"`) || !strings.Contains(err.Error(), `"xla:cpu"`) {
		t.Fatalf("Load with $%s=bogus: %v, want an error listing the valid names", EnvBackend, err)
	}
	// It used to panic, and after a recover every later Default returned (nil, nil).
	stdout, _ := runDefault(t, EnvBackend+"=bogus")
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	if len(lines) != 2 || lines[0] != lines[1] || !strings.HasPrefix(lines[0], "backend=false name=bogus err=backend: unknown backend") {
		t.Fatalf("Default() twice with $%s=bogus printed %q, want the same error twice", EnvBackend, stdout)
	}
}

func TestNormalChoiceIsQuiet(t *testing.T) {
	_, stderr := runDefault(t, EnvBackend+"=go")
	if stderr != "" {
		t.Fatalf("Default() with $%s=go wrote %q to stderr, want nothing", EnvBackend, stderr)
	}
}

func TestWarningSaidOncePerKernel(t *testing.T) {
	kernel := t.TempDir()
	typo := EnvCPUPlugin + "=" + filepath.Join(kernel, "missing.so")
	var said []string
	for range 2 {
		_, stderr := runDefault(t, EnvBackend+"=", typo, "GONB_TMP_DIR="+kernel)
		said = append(said, stderr)
	}
	if !strings.Contains(said[0], "missing.so: no such file") || said[1] != "" {
		t.Fatalf("two cells of one kernel wrote %q, want the warning in the first only", said)
	}
}

func TestXLAMapsToLocalPlugin(t *testing.T) {
	plugin := copyLibrary(t, t.TempDir(), "xla_cpu_pjrt.so", 1)
	t.Setenv(EnvCPUPlugin, plugin)
	t.Setenv(EnvBackend, "xla:cpu")
	c := Choose()
	if !strings.HasPrefix(c.Config, "xla:"+plugin) {
		t.Fatalf("Choose() with $%s=xla:cpu = %+v, want the local plugin %s", EnvBackend, c, plugin)
	}
}

func TestGoRunsOpsOneAtATime(t *testing.T) {
	for cfg, want := range map[string]string{
		"go":                              "go:ops_sequential",
		"go:parallelism=4":                "go:parallelism=4,ops_sequential",
		"go:ops_parallel":                 "go:ops_parallel",
		"go:parallelism=2,ops_sequential": "go:parallelism=2,ops_sequential",
		"xla:cpu":                         "xla:cpu",
	} {
		if got := goConfig(cfg); got != want {
			t.Errorf("goConfig(%q) = %q, want %q", cfg, got, want)
		}
	}
}

func TestCPUIsDefaultWithoutGPU(t *testing.T) {
	if Choose().Name == "xla-cuda" {
		t.Skip("a GPU is the default here: CPU loads another backend")
	}
	d, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	c, err := CPU()
	if err != nil || c != d {
		t.Errorf("CPU() = %v, %v; want Default's backend %v", c, err, d)
	}
}
