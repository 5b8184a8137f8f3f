package training

import (
	"errors"
	"os"

	"golang.org/x/sys/unix"
)

// swapIn puts the folder tmp in the place of dir. When dir exists the two are exchanged in one
// atomic rename (Linux's RENAME_EXCHANGE), so dir always holds a whole checkpoint and tmp ends
// up with the old one.
func swapIn(tmp, dir string) error {
	err := unix.Renameat2(unix.AT_FDCWD, tmp, unix.AT_FDCWD, dir, unix.RENAME_EXCHANGE)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, unix.ENOENT):
		return os.Rename(tmp, dir) // no checkpoint yet
	case errors.Is(err, unix.EINVAL) || errors.Is(err, unix.ENOSYS):
		return swapByRenames(tmp, dir) // a file system without exchange
	}
	return err
}
