//go:build !linux

package training

import (
	"errors"
	"io/fs"
	"os"
)

// swapIn puts the folder tmp in the place of dir with two renames.
func swapIn(tmp, dir string) error {
	if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		return os.Rename(tmp, dir)
	}
	return swapByRenames(tmp, dir)
}
