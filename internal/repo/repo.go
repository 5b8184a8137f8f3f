// Package repo finds the root of the godl repository, for the code that reads files from a
// checkout: the PJRT plugin in .venv (backend), the GoMNIST module through go.mod (datasets),
// checkpoints and goldens.
package repo

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// ModulePath is godl's module path, as its go.mod declares it.
const ModulePath = "github.com/godl-book/godl"

// HomeEnv names a godl checkout to use when neither the working directory nor the notebook's
// folder is inside one.
const HomeEnv = "GODL_HOME"

// Root returns the root of the godl repository, or "" when none is found. It looks upwards from,
// in order: $GONB_DIR (a notebook's folder under GoNB), the working directory, $GODL_HOME and the
// folder this package was compiled from (a notebook reaches godl through a replace directive, so
// its sources are on disk). A folder counts only if its go.mod declares godl's module.
func Root() string {
	var starts []string
	for _, env := range []string{"GONB_DIR", "", HomeEnv} {
		if env == "" {
			if d, err := os.Getwd(); err == nil {
				starts = append(starts, d)
			}
		} else if d := os.Getenv(env); d != "" {
			starts = append(starts, d)
		}
	}
	if _, file, _, ok := runtime.Caller(0); ok && filepath.IsAbs(file) {
		starts = append(starts, filepath.Dir(file))
	}
	for _, dir := range starts {
		if root := rootAbove(dir); root != "" {
			return root
		}
	}
	return ""
}

// rootAbove returns the first folder from dir upwards whose go.mod declares godl, or "".
func rootAbove(dir string) string {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return ""
	}
	for {
		if isGodlModule(filepath.Join(dir, "go.mod")) {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

func isGodlModule(goMod string) bool {
	data, err := os.ReadFile(goMod)
	if err != nil {
		return false
	}
	for line := range strings.Lines(string(data)) {
		if f := strings.Fields(line); len(f) == 2 && f[0] == "module" && strings.Trim(f[1], `"`) == ModulePath {
			return true
		}
	}
	return false
}
