//go:build !linux

package viz

import "os"

// unread cannot tell outside Linux how much of f is unread: show then relies on gonbui.Sync
// alone, which keeps text printed after a figure after it.
func unread(f *os.File) (n int, ok bool) { return 0, false }
