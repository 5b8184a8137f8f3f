package backend

import (
	"crypto/sha256"
	"debug/elf"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// pinnedPlugin is the library inside the xla-cpu-pjrt wheel that requirements-pjrt.txt pins by
// hash: its size and SHA-256 (the same as in the wheel's RECORD).
type pinnedPlugin struct {
	size   int64
	sha256 string
}

// wheelPlugin is where the xla-cpu-pjrt wheel puts its library, under site-packages.
var wheelPlugin = filepath.Join("xla_plugins", "xla_cpu_pjrt", "xla_cpu_pjrt.so")

// pinnedPlugins holds the known libraries by GOARCH; other architectures get the ELF checks only.
var pinnedPlugins = map[string]pinnedPlugin{
	"amd64": {259284552, "88c3f28c5900f48ad4a82cab9e79bba9537809743395e341485f8794268820dc"},
}

// elfMachines is the ELF machine each GOARCH loads.
var elfMachines = map[string]elf.Machine{"amd64": elf.EM_X86_64, "arm64": elf.EM_AARCH64}

// VerifyPlugin checks a PJRT plugin before it is loaded: a damaged file (a truncated copy, say)
// would otherwise kill the process with SIGBUS inside dlopen. The file must be an ELF shared
// library for this machine whose headers, sections and loadable segments all lie inside the
// file. The library of the pinned xla-cpu-pjrt wheel must also have the size and SHA-256 of that
// wheel's; the hash is computed once and remembered by path, size and modification time.
func VerifyPlugin(path string) error {
	st, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("backend: plugin %w", err)
	}
	if err := checkELF(path, st.Size()); err != nil {
		return fmt.Errorf("backend: plugin %s: %w", path, err)
	}
	pin, ok := pinnedPlugins[runtime.GOARCH]
	if !ok || !strings.HasSuffix(path, string(filepath.Separator)+wheelPlugin) {
		return nil
	}
	if st.Size() != pin.size {
		return fmt.Errorf("backend: plugin %s: %d bytes, want the %d of the pinned xla-cpu-pjrt wheel "+
			"(reinstall it with `make setup`)", path, st.Size(), pin.size)
	}
	stamp := verifiedStamp(path, st)
	if data, err := os.ReadFile(stamp); err == nil && string(data) == pin.sha256 {
		return nil
	}
	sum, err := fileSHA256(path)
	if err != nil {
		return fmt.Errorf("backend: plugin %s: %w", path, err)
	}
	if sum != pin.sha256 {
		return fmt.Errorf("backend: plugin %s: sha256 %s, want %s of the pinned xla-cpu-pjrt wheel "+
			"(reinstall it with `make setup`)", path, sum, pin.sha256)
	}
	if err := os.MkdirAll(filepath.Dir(stamp), 0o755); err == nil {
		_ = os.WriteFile(stamp, []byte(sum), 0o644) // only a cache: without it the hash is recomputed
	}
	return nil
}

// checkELF checks that the file is a complete ELF shared library for this machine.
func checkELF(path string, size int64) error {
	f, err := elf.Open(path)
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("truncated: its ELF headers reach past the end of its %d bytes", size)
	}
	if err != nil {
		return fmt.Errorf("not an ELF shared library (%d bytes): %w", size, err)
	}
	defer f.Close()
	if f.Type != elf.ET_DYN {
		return fmt.Errorf("ELF type %s, want a shared library (ET_DYN)", f.Type)
	}
	if want, ok := elfMachines[runtime.GOARCH]; ok && f.Machine != want {
		return fmt.Errorf("built for %s, this machine needs %s", f.Machine, want)
	}
	for _, p := range f.Progs {
		if end := p.Off + p.Filesz; p.Type == elf.PT_LOAD && end > uint64(size) {
			return fmt.Errorf("truncated: a loadable segment ends at byte %d, the file has %d", end, size)
		}
	}
	for _, s := range f.Sections {
		if end := s.Offset + s.FileSize; s.Type != elf.SHT_NOBITS && end > uint64(size) {
			return fmt.Errorf("truncated: section %s ends at byte %d, the file has %d", s.Name, end, size)
		}
	}
	return nil
}

// verifiedStamp is the file that remembers a plugin's hash, keyed by its path, size and time.
func verifiedStamp(path string, st os.FileInfo) string {
	h := fnv.New64a()
	fmt.Fprintf(h, "%s\x00%d\x00%d", path, st.Size(), st.ModTime().UnixNano())
	dir, err := os.UserCacheDir()
	if err != nil {
		dir = os.TempDir()
	}
	return filepath.Join(dir, "godl", "verified-plugins", fmt.Sprintf("%x", h.Sum64()))
}

func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
