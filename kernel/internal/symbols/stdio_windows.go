//go:build windows

package symbols

import (
	"os"

	"golang.org/x/sys/windows"
)

// dupFile returns a new *os.File on a duplicate of f's handle.
func dupFile(f *os.File) (*os.File, error) {
	if f == nil {
		return nil, os.ErrInvalid
	}
	rc, err := f.SyscallConn()
	if err != nil {
		return nil, err
	}
	var h windows.Handle
	var derr error
	if err := rc.Control(func(fd uintptr) {
		p := windows.CurrentProcess()
		derr = windows.DuplicateHandle(p, windows.Handle(fd), p, &h, 0, false, windows.DUPLICATE_SAME_ACCESS)
	}); err != nil {
		return nil, err
	}
	if derr != nil {
		return nil, os.NewSyscallError("DuplicateHandle", derr)
	}
	return os.NewFile(uintptr(h), f.Name()), nil
}
