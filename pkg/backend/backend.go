// Package backend picks the GoMLX backend that godl runs on, without network access.
//
// GoMLX can compute with XLA through a PJRT plugin (a shared library, CPU or CUDA) or with its
// pure-Go engine. GoMLX's own XLA backend downloads a CPU plugin from the internet on first
// use; godl never lets it: it looks for plugins already on disk (the `xla-cpu-pjrt` wheel that
// `make setup` installs, or JAX's CUDA plugin) and otherwise falls back to pure Go.
// Chapter 00 explains the choice and how to override it with $GOMLX_BACKEND.
//
// A plugin is checked before it is loaded (see VerifyPlugin): a damaged one would otherwise
// crash the process inside dlopen. The normal choice is made quietly; a fallback or a setting
// that could not be followed is said once on stderr (once per kernel under GoNB).
package backend

import (
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/gomlx/gomlx/backends"
	_ "github.com/gomlx/gomlx/backends/simplego" // registers "go"
	"github.com/gomlx/gomlx/backends/xla"        // registers "xla"

	"github.com/godl-book/godl/internal/repo"
)

// Choice is a backend configuration with the reason it was picked.
type Choice struct {
	// Config is what GoMLX's backends.NewWithConfig takes, e.g. "go" or "xla:/abs/path/plugin.so".
	Config string
	// Name is a short human name: "xla-cpu", "xla-cuda" or "go".
	Name string
	// Reason says why this backend was chosen, in a few words.
	Reason string
	// Warning is set when the choice is a fallback or a setting could not be followed: it says
	// what went wrong, and Default prints it.
	Warning string
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

// validSettings lists what $GOMLX_BACKEND may hold, for error messages.
const validSettings = `"auto", "go", "xla", "xla:cpu", "xla:cuda" or "xla:/path/to/pjrt_plugin.so"`

func init() {
	// Never download plugins: offline, that download has no timeout and hangs.
	xla.EnableAutoInstall(false)
}

// Choose decides which backend to use, without loading it: $GOMLX_BACKEND if set (other than
// "auto"), else XLA with a CUDA plugin (when a GPU is present) or a CPU plugin found on disk,
// else pure Go. Plugins that fail VerifyPlugin are passed over, and the choice says why.
func Choose() Choice {
	if cfg := strings.TrimSpace(os.Getenv(EnvBackend)); cfg != "" && cfg != "auto" {
		return fromEnv(cfg)
	}
	return Available()[0]
}

// Available lists every backend that can run here, best first. Pure Go is always last; when it
// is the only one, its Warning says why (no plugin on disk, or which plugin is unusable).
func Available() []Choice {
	var choices []Choice
	var problems []string
	if cuda := FindCUDAPlugin(); cuda != "" {
		if err := VerifyPlugin(cuda); err != nil {
			problems = append(problems, problem(err))
		} else {
			choices = append(choices, Choice{Config: "xla:" + cuda, Name: "xla-cuda",
				Reason: "GPU present and CUDA PJRT plugin found at " + cuda})
		}
	}
	cpu, note := cpuPlugin()
	if note != "" {
		problems = append(problems, note)
	}
	if cpu != "" {
		if err := VerifyPlugin(cpu); err != nil {
			problems = append(problems, problem(err))
		} else {
			choices = append(choices, Choice{Config: "xla:" + cpu + ",shared_buffers", Name: "xla-cpu",
				Reason: "CPU PJRT plugin found at " + cpu, Warning: note})
		}
	}
	if len(choices) > 0 {
		return append(choices, Choice{Config: "go", Name: "go", Reason: "always available"})
	}
	reason := "no PJRT plugin found on disk (run `make setup`)"
	if len(problems) > 0 {
		reason = "no usable PJRT plugin"
	}
	reason += "; pure Go is slower and lacks some gradients"
	warning := strings.Join(append(problems, "using pure Go: "+reason), "; ")
	return append(choices, Choice{Config: "go", Name: "go", Reason: reason, Warning: warning})
}

func fromEnv(cfg string) Choice {
	reason := "$" + EnvBackend + "=" + cfg
	name, rest, _ := strings.Cut(cfg, ":")
	switch {
	case name == "go":
		return Choice{Config: cfg, Name: "go", Reason: reason}
	case name == "xla" && (rest == "" || rest == "cpu"):
		cpu, note := cpuPlugin()
		if cpu != "" {
			c := Choice{Config: "xla:" + cpu + ",shared_buffers", Name: "xla-cpu",
				Reason: reason + ", plugin " + cpu, Warning: note}
			return verified(c, cpu)
		}
		if note != "" {
			return goFallback(reason, note)
		}
	case name == "xla" && rest == "cuda":
		if cuda := FindCUDAPlugin(); cuda != "" {
			return verified(Choice{Config: "xla:" + cuda, Name: "xla-cuda", Reason: reason + ", plugin " + cuda}, cuda)
		}
	case name == "xla":
		if plugin := pluginPath(cfg); plugin != "" {
			return verified(Choice{Config: cfg, Name: "xla", Reason: reason}, plugin)
		}
	}
	return Choice{Config: cfg, Name: name, Reason: reason}
}

// verified returns c if its plugin passes VerifyPlugin, else pure Go with the reason.
func verified(c Choice, plugin string) Choice {
	if err := VerifyPlugin(plugin); err != nil {
		return goFallback(c.Reason, problem(err))
	}
	return c
}

// problem is an error of this package as a part of a warning, without the package prefix.
func problem(err error) string { return strings.TrimPrefix(err.Error(), "backend: ") }

func goFallback(reason, problem string) Choice {
	return Choice{Config: "go", Name: "go", Reason: reason + " could not be followed",
		Warning: problem + "; using pure Go instead"}
}

// pluginPath returns the plugin file named by an "xla:..." configuration, or "" when it names
// none (e.g. "xla:cpu", which GoMLX looks up itself).
func pluginPath(cfg string) string {
	_, rest, _ := strings.Cut(cfg, ":")
	p, _, _ := strings.Cut(rest, ",")
	if strings.ContainsRune(p, filepath.Separator) || strings.HasSuffix(p, ".so") {
		return p
	}
	return ""
}

var (
	defaultOnce    sync.Once
	defaultBackend backends.Backend
	defaultChoice  Choice
	defaultErr     error
)

// Default returns the process-wide backend, creating it on first use. The normal choice is
// silent (chapter 00 shows it with Current); a fallback, or a setting that could not be
// followed, is printed to stderr once. If an XLA plugin fails to load, it falls back to pure Go
// (and says so) unless $GOMLX_BACKEND asked for that plugin explicitly. Every call returns the
// same backend, or the same error.
func Default() (backends.Backend, error) {
	defaultOnce.Do(func() {
		defaultChoice = Choose()
		defaultBackend, defaultErr = Load(defaultChoice)
		explicit := strings.Contains(defaultChoice.Reason, "$"+EnvBackend)
		if defaultErr != nil && defaultChoice.Name != "go" && !explicit {
			failed := defaultChoice
			defaultChoice = Choice{Config: "go", Name: "go",
				Reason:  fmt.Sprintf("%s failed to load", failed.Name),
				Warning: problem(defaultErr) + "; using pure Go instead"}
			defaultBackend, defaultErr = Load(defaultChoice)
		}
		if defaultErr == nil && defaultChoice.Warning != "" {
			sayOnce("godl: backend " + shortenPaths(defaultChoice.Name+": "+defaultChoice.Warning))
		}
	})
	return defaultBackend, defaultErr
}

// CPU returns Default's backend unless that is a GPU; then the best one that is not (XLA on the
// CPU, else pure Go), loaded anew. It serves the pytorch/examples programs' -no-cuda (cmd/mnist)
// and their default without -cuda (cmd/mnist-hogwild).
func CPU() (backends.Backend, error) {
	if Choose().Name != "xla-cuda" {
		return Default()
	}
	for _, c := range Available() {
		if c.Name != "xla-cuda" {
			return Load(c)
		}
	}
	return nil, errors.New("backend: no backend other than CUDA") // unreachable: pure Go is always there
}

// Current returns the choice behind Default; call Default first.
func Current() Choice { return defaultChoice }

// Load creates the backend for a choice. It checks the plugin of an XLA configuration with
// VerifyPlugin first, and returns an error, never a panic, for a name GoMLX does not know. A
// pure-Go configuration runs its ops one at a time (see goConfig) unless it says ops_parallel.
func Load(c Choice) (b backends.Backend, err error) {
	name, _, _ := strings.Cut(c.Config, ":")
	if !slices.Contains(backends.List(), name) {
		return nil, fmt.Errorf("backend: unknown backend %q (from %s); valid settings of $%s: %s",
			name, orConfig(c), EnvBackend, validSettings)
	}
	if plugin := pluginPath(c.Config); name == "xla" && plugin != "" {
		if err := VerifyPlugin(plugin); err != nil {
			return nil, err
		}
	}
	if c.Name == "xla-cuda" {
		setCUDADataDir(strings.TrimPrefix(c.Config, "xla:"))
	}
	defer func() {
		if r := recover(); r != nil {
			b, err = nil, fmt.Errorf("backend: %s: %v", c.Name, r)
		}
	}()
	b, err = backends.NewWithConfig(goConfig(c.Config))
	if err != nil {
		return nil, fmt.Errorf("backend: %s: %w", c.Name, err)
	}
	return b, nil
}

// goConfig adds ops_sequential to a pure-Go configuration that does not say how to run its ops.
// GoMLX v0.26.0's Go backend deadlocks when it runs independent ops in parallel: each op holds a
// worker of a pool of 2 per core while its parts wait for more workers (simplego/workerspool.go);
// ResNet's gradient hits it on 2 cores. One op at a time avoids it, and large ops (matrix
// products, convolutions) still split across the cores. TestGoBackendDeadlocksOnParallelOps in
// pkg/layers notices when GoMLX fixes it.
func goConfig(cfg string) string {
	name, opts, _ := strings.Cut(cfg, ":")
	switch {
	case name != "go" || strings.Contains(opts, "ops_"):
		return cfg
	case opts == "":
		return "go:ops_sequential"
	}
	return cfg + ",ops_sequential"
}

func orConfig(c Choice) string {
	if c.Reason != "" {
		return c.Reason
	}
	return fmt.Sprintf("configuration %q", c.Config)
}

// FindCPUPlugin returns the path of an XLA CPU PJRT plugin on disk, or "" if there is none.
// It looks at $GODL_PJRT_CPU, then in the Python environments godl knows about.
func FindCPUPlugin() string {
	p, _ := cpuPlugin()
	return p
}

// cpuPlugin is FindCPUPlugin, with a note when $GODL_PJRT_CPU names no file or a damaged one
// (see VerifyPlugin): the search then goes on in the Python environments, and the note says why.
func cpuPlugin() (path, note string) {
	if p := os.Getenv(EnvCPUPlugin); p != "" {
		abs, _ := filepath.Abs(p)
		if !isFile(p) {
			note = fmt.Sprintf("$%s=%s: no such file", EnvCPUPlugin, p)
		} else if err := VerifyPlugin(abs); err != nil {
			note = fmt.Sprintf("$%s: %s", EnvCPUPlugin, problem(err))
		} else {
			return abs, ""
		}
	}
	return findInSitePackages(wheelPlugin), note
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
	if root := repo.Root(); root != "" {
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

// shortenPaths writes paths inside the repository relative to its root, to keep the line short.
func shortenPaths(s string) string {
	if root := repo.Root(); root != "" {
		return strings.ReplaceAll(s, root+string(filepath.Separator), "")
	}
	return s
}

// sayOnce prints msg to stderr, once per GoNB kernel (a marker in $GONB_TMP_DIR remembers it:
// every notebook cell is a new process) or once per process elsewhere.
func sayOnce(msg string) {
	if dir := os.Getenv("GONB_TMP_DIR"); dir != "" {
		h := fnv.New64a()
		h.Write([]byte(msg))
		marker := filepath.Join(dir, fmt.Sprintf("godl-backend-said-%x", h.Sum64()))
		f, err := os.OpenFile(marker, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
		if errors.Is(err, fs.ErrExist) {
			return
		}
		if err == nil {
			f.Close()
		}
	}
	fmt.Fprintln(os.Stderr, msg)
}

func isFile(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.Mode().IsRegular()
}
