package compute

import (
	"os/exec"
	"syscall"
)

// diesWithParent makes a local worker receive SIGTERM when the process
// that started it ends, however it ends (a kernel killed over its memory
// limit, kill -9): its chunks then go back to the broker instead of the
// worker living on without anyone to stop it.
func diesWithParent(c *exec.Cmd) {
	c.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
}
