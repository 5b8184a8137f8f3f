package viz

import (
	"os"
	"syscall"
	"unsafe"
)

// unread returns how many bytes written to the pipe f its reader has not read yet; ok is false
// where f is not a pipe (a terminal, a file).
func unread(f *os.File) (n int, ok bool) {
	if st, err := f.Stat(); err != nil || st.Mode()&os.ModeNamedPipe == 0 {
		return 0, false
	}
	conn, err := f.SyscallConn()
	if err != nil {
		return 0, false
	}
	var count int32
	var errno syscall.Errno
	// Control, not Fd: Fd would switch the pipe to blocking mode.
	err = conn.Control(func(fd uintptr) {
		_, _, errno = syscall.Syscall(syscall.SYS_IOCTL, fd, syscall.TIOCINQ, uintptr(unsafe.Pointer(&count)))
	})
	return int(count), err == nil && errno == 0
}
