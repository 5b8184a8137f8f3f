// Package backend picks the GoMLX backend that godl runs on, without network access.
//
// GoMLX can compute with XLA through a PJRT plugin (a shared library, CPU or CUDA) or with its
// pure-Go engine. GoMLX's own XLA backend downloads a CPU plugin from the internet on first
// use; godl never lets it: it looks for plugins already on disk (the `xla-cpu-pjrt` wheel that
// `make setup` installs, or JAX's CUDA plugin) and otherwise falls back to pure Go.
// Chapter 00 explains the choice and how to override it with $GOMLX_BACKEND.
package backend

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/gomlx/gomlx/backends"
	_ "github.com/gomlx/gomlx/backends/simplego" // registers "go"
	"github.com/gomlx/gomlx/backends/xla"        // registers "xla"
)

// Choice is a backend configuration with the reason it was picked.
type Choice struct {
	// Config is what GoMLX's backends.NewWithConfig takes, e.g. "go" or "xla:/abs/path/plugin.so".
	Config string
	// Name is a short human name: "xla-cpu", "xla-cuda" or "go".
	Name string
	// Reason says why this backend was chosen, in a few words.
	Reason string
}

func (c Choice) String() string { return fmt.Sprintf("%s (%s)", c.Name, c.Reason) }

// Environment variables read by this package.
const (
	// EnvBackend is GoMLX's own variable: when set, it wins. "xla" and "xla:cpu" are mapped to the
	// plugin found on disk, so they never trigger a download; "auto" means the automatic choice.
	EnvBackend = backends.ConfigEnvVar
	// EnvCPUPlugin points to a CPU PJRT plugin (.so) to use instead of searching for one.
	EnvCPUPlugin = "GODL_PJRT_CPU"
)

func init() {
	// Never download plugins: offline, that download has no timeout and hangs.
	xla.EnableAutoInstall(false)
}

// Choose decides which backend to use, without loading it: $GOMLX_BACKEND if set (other than
// "auto"), else XLA with a CUDA plugin (when a GPU is present) or a CPU plugin found on disk,
// else pure Go.
func Choose() Choice {
	if cfg := strings.TrimSpace(os.Getenv(EnvBackend)); cfg != "" && cfg != "auto" {
		return fromEnv(cfg)
	}
	choices := Available()
	return choices[0]
}

// Available lists every backend that can run here, best first. Pure Go is always last.
func Available() []Choice {
	var out []Choice
	if cuda := FindCUDAPlugin(); cuda != "" {
		out = append(out, Choice{Config: "xla:" + cuda, Name: "xla-cuda",
			Reason: "GPU present and CUDA PJRT plugin found at " + cuda})
	}
	if cpu := FindCPUPlugin(); cpu != "" {
		out = append(out, Choice{Config: "xla:" + cpu + ",shared_buffers", Name: "xla-cpu",
			Reason: "CPU PJRT plugin found at " + cpu})
	}
	reason := "no PJRT plugin found on disk (run `make setup`); pure Go is slower and lacks some gradients"
	if len(out) > 0 {
		reason = "always available"
	}
	return append(out, Choice{Config: "go", Name: "go", Reason: reason})
}

func fromEnv(cfg string) Choice {
	reason := "$" + EnvBackend + "=" + cfg
	name, rest, _ := strings.Cut(cfg, ":")
	switch {
	case name == "go":
		return Choice{Config: cfg, Name: "go", Reason: reason}
	case name == "xla" && (rest == "" || rest == "cpu"):
		if cpu := FindCPUPlugin(); cpu != "" {
			return Choice{Config: "xla:" + cpu + ",shared_buffers", Name: "xla-cpu", Reason: reason + ", plugin " + cpu}
		}
	case name == "xla" && rest == "cuda":
		if cuda := FindCUDAPlugin(); cuda != "" {
			return Choice{Config: "xla:" + cuda, Name: "xla-cuda", Reason: reason + ", plugin " + cuda}
		}
	}
	return Choice{Config: cfg, Name: name, Reason: reason}
}

var (
	defaultOnce    sync.Once
	defaultBackend backends.Backend
	defaultChoice  Choice
	defaultErr     error
)

// Default returns the process-wide backend, creating it on first use and printing one line to
// stderr that says which backend runs and why. If an XLA plugin fails to load, it falls back to
// pure Go (and says so) unless $GOMLX_BACKEND asked for that plugin explicitly.
func Default() (backends.Backend, error) {
	defaultOnce.Do(func() {
		defaultChoice = Choose()
		defaultBackend, defaultErr = Load(defaultChoice)
		if defaultErr != nil && defaultChoice.Name != "go" && !strings.Contains(defaultChoice.Reason, "$"+EnvBackend) {
			failed := defaultChoice
			defaultChoice = Choice{Config: "go", Name: "go",
				Reason: fmt.Sprintf("%s failed to load: %v", failed.Name, defaultErr)}
			defaultBackend, defaultErr = Load(defaultChoice)
		}
		if defaultErr == nil {
			fmt.Fprintf(os.Stderr, "godl: backend %s\n", shortenPaths(defaultChoice.String()))
		}
	})
	return defaultBackend, defaultErr
}

// Current returns the choice behind Default; call Default first.
func Current() Choice { return defaultChoice }

// Load creates the backend for a choice.
func Load(c Choice) (backends.Backend, error) {
	if c.Name == "xla-cuda" {
		setCUDADataDir(strings.TrimPrefix(c.Config, "xla:"))
	}
	b, err := backends.NewWithConfig(c.Config)
	if err != nil {
		return nil, fmt.Errorf("backend %s: %w", c.Name, err)
	}
	return b, nil
}

// FindCPUPlugin returns the path of an XLA CPU PJRT plugin on disk, or "" if there is none.
// It looks at $GODL_PJRT_CPU, then in the Python environments godl knows about.
func FindCPUPlugin() string {
	if p := os.Getenv(EnvCPUPlugin); p != "" {
		if isFile(p) {
			abs, _ := filepath.Abs(p)
			return abs
		}
		return ""
	}
	return findInSitePackages(filepath.Join("xla_plugins", "xla_cpu_pjrt", "xla_cpu_pjrt.so"))
}

// FindCUDAPlugin returns the path of JAX's CUDA PJRT plugin if an NVIDIA GPU is present, or "".
func FindCUDAPlugin() string {
	if !isFile("/dev/nvidiactl") {
		return ""
	}
	for _, v := range []string{"xla_cuda13", "xla_cuda12"} {
		if p := findInSitePackages(filepath.Join("jax_plugins", v, "xla_cuda_plugin.so")); p != "" {
			return p
		}
	}
	return ""
}

// setCUDADataDir points XLA at the NVIDIA libraries that JAX's wheels install next to the
// plugin; go-xla v0.1.4 otherwise appends a hard-coded developer path to $XLA_FLAGS.
func setCUDADataDir(plugin string) {
	flags := os.Getenv("XLA_FLAGS")
	if strings.Contains(flags, "--xla_gpu_cuda_data_dir") {
		return
	}
	sitePackages := filepath.Dir(filepath.Dir(filepath.Dir(plugin)))
	nvidia := filepath.Join(sitePackages, "nvidia")
	_ = os.Setenv("XLA_FLAGS", strings.TrimSpace(flags+" --xla_gpu_cuda_data_dir="+nvidia))
	_ = os.Setenv("GOPJRT_CUDA_CHECKS", "0")
}

// findInSitePackages looks for rel under the site-packages of the repository's .venv, of
// $VIRTUAL_ENV and of the system and user Python installations.
func findInSitePackages(rel string) string {
	var roots []string
	if root := RepoRoot(); root != "" {
		roots = append(roots, filepath.Join(root, ".venv"))
	}
	if venv := os.Getenv("VIRTUAL_ENV"); venv != "" {
		roots = append(roots, venv)
	}
	if home, err := os.UserHomeDir(); err == nil {
		roots = append(roots, filepath.Join(home, ".local"))
	}
	roots = append(roots, "/usr/local", "/usr")
	for _, r := range roots {
		for _, lib := range []string{"lib", "lib64"} {
			matches, _ := filepath.Glob(filepath.Join(r, lib, "python3*", "*-packages", rel))
			for _, m := range matches {
				if isFile(m) {
					return m
				}
			}
		}
	}
	return ""
}

// RepoRoot returns the root of the godl repository containing the working directory (or
// $GONB_DIR, the notebook's folder under GoNB), or "" when not inside it.
func RepoRoot() string {
	var starts []string
	if d := os.Getenv("GONB_DIR"); d != "" {
		starts = append(starts, d)
	}
	if d, err := os.Getwd(); err == nil {
		starts = append(starts, d)
	}
	if d := os.Getenv("GODL_HOME"); d != "" {
		starts = append(starts, d)
	}
	for _, dir := range starts {
		for {
			data, err := os.ReadFile(filepath.Join(dir, "go.mod"))
			if err == nil && strings.Contains(string(data), "module github.com/godl-book/godl\n") {
				return dir
			}
			parent := filepath.Dir(dir)
			if parent == dir {
				break
			}
			dir = parent
		}
	}
	return ""
}

// shortenPaths writes paths inside the repository relative to its root, to keep the line short.
func shortenPaths(s string) string {
	if root := RepoRoot(); root != "" {
		return strings.ReplaceAll(s, root+string(filepath.Separator), "")
	}
	return s
}

func isFile(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.Mode().IsRegular()
}
