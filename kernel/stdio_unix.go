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
