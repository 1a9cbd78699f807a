//go:build unix

package kernel

import (
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// redirectStdio points the process's descriptor 1 into a pipe, so that
// everything written to it can be forwarded as stream messages, and
// os.Stderr to another pipe; it returns the read ends and the original
// stderr. Descriptor 2 stays the client's: there the Go runtime writes
// fatal errors ("fatal error: runtime: out of memory", a panic no one
// recovered) and the C library its own, which the client reports as the
// cause of the kernel's death. Cells write through duplicates of
// os.Stdout and os.Stderr (see kernel/internal/symbols).
func redirectStdio() (stdout, stderr, origStderr *os.File, err error) {
	r, w, err := os.Pipe()
	if err != nil {
		return nil, nil, nil, err
	}
	if err := unix.Dup2(int(w.Fd()), 1); err != nil {
		return nil, nil, nil, fmt.Errorf("kernel: redirect descriptor 1: %w", err)
	}
	w.Close()
	er, ew, err := os.Pipe()
	if err != nil {
		return nil, nil, nil, err
	}
	origStderr = os.Stderr
	os.Stderr = ew
	return r, er, origStderr, nil
}

// protocolFiles returns the protocol pipes, descriptors 3 and 4, moved to
// descriptors of their own that programs started by a trusted cell do
// not inherit (close on exec), and puts /dev/null in their place: a cell
// that closes descriptor 3 or 4 (os.NewFile(4, "").Close(), in a trusted
// kernel) closes nothing the kernel needs.
func protocolFiles() (requests, replies *os.File, err error) {
	null, err := unix.Open(os.DevNull, unix.O_RDWR|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, nil, fmt.Errorf("open %s: %w", os.DevNull, err)
	}
	defer unix.Close(null)
	move := func(fd int, name string) (*os.File, error) {
		if _, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0); err != nil {
			return nil, fmt.Errorf("descriptor %d: %w", fd, err)
		}
		nfd, err := unix.FcntlInt(uintptr(fd), unix.F_DUPFD_CLOEXEC, 10)
		if err != nil {
			return nil, fmt.Errorf("descriptor %d: %w", fd, err)
		}
		if err := unix.Dup2(null, fd); err != nil {
			unix.Close(nfd)
			return nil, fmt.Errorf("descriptor %d: %w", fd, err)
		}
		return os.NewFile(uintptr(nfd), name), nil
	}
	if requests, err = move(requestFD, "kernel-requests"); err != nil {
		return nil, nil, err
	}
	if replies, err = move(replyFD, "kernel-replies"); err != nil {
		requests.Close()
		return nil, nil, err
	}
	return requests, replies, nil
}
