//go:build unix

package symbols

import (
	"os"

	"golang.org/x/sys/unix"
)

// dupFile returns a new *os.File on a duplicate of f's descriptor (close
// on exec), without changing f (Fd would make a non-blocking f blocking).
func dupFile(f *os.File) (*os.File, error) {
	if f == nil {
		return nil, os.ErrInvalid
	}
	rc, err := f.SyscallConn()
	if err != nil {
		return nil, err
	}
	nfd, derr := -1, error(nil)
	if err := rc.Control(func(fd uintptr) { nfd, derr = unix.FcntlInt(fd, unix.F_DUPFD_CLOEXEC, 0) }); err != nil {
		return nil, err
	}
	if derr != nil {
		return nil, os.NewSyscallError("dup", derr)
	}
	return os.NewFile(uintptr(nfd), f.Name()), nil
}
