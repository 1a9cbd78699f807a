//go:build unix

package kernel

import (
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// redirectStdio points the process's descriptors 1 and 2 into pipes, so
// that everything a cell writes (fmt.Println, os.Stdout.Write, a C
// library, the runtime) can be forwarded as stream messages. It returns
// the read ends and a duplicate of the original stderr for crash output.
func redirectStdio() (stdout, stderr, origStderr *os.File, err error) {
	fd, err := unix.Dup(2)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("kernel: dup stderr: %w", err)
	}
	unix.CloseOnExec(fd)
	origStderr = os.NewFile(uintptr(fd), "original-stderr")
	redirect := func(target int) (*os.File, error) {
		r, w, err := os.Pipe()
		if err != nil {
			return nil, err
		}
		defer w.Close()
		if err := unix.Dup2(int(w.Fd()), target); err != nil {
			return nil, fmt.Errorf("kernel: redirect descriptor %d: %w", target, err)
		}
		return r, nil
	}
	if stdout, err = redirect(1); err != nil {
		return nil, nil, nil, err
	}
	if stderr, err = redirect(2); err != nil {
		return nil, nil, nil, err
	}
	return stdout, stderr, origStderr, nil
}
