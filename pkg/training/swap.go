package training

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
)

// swapByRenames moves dir aside, tmp in its place and the old checkpoint into tmp (removed by the
// caller), where the atomic exchange is not available. A crash between the first two renames
// leaves dir missing and the old checkpoint aside, which cleanUp puts back.
func swapByRenames(tmp, dir string) error {
	aside := tmp + asideSuffix
	if err := os.Rename(dir, aside); err != nil {
		return err
	}
	if err := os.Rename(tmp, dir); err != nil {
		return err
	}
	return os.Rename(aside, tmp)
}

const asideSuffix = ".old"

// cleanUp tidies what killed Saves of dir left beside it: it puts back an old checkpoint left
// aside when dir is missing and, with removeUnfinished (Save, not Load, which must not disturb
// a Save running in another process), removes the folders of unfinished saves.
func cleanUp(dir string, removeUnfinished bool) {
	parent, base := filepath.Split(filepath.Clean(dir))
	left, _ := filepath.Glob(filepath.Join(filepath.Clean(parent), "."+base+savingSuffix+"*"))
	for _, p := range left {
		if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) && filepath.Ext(p) == asideSuffix {
			if os.Rename(p, dir) == nil {
				continue
			}
		}
		if removeUnfinished {
			os.RemoveAll(p)
		}
	}
}
