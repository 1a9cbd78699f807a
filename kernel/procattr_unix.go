//go:build unix

package kernel

import (
	"os/exec"
	"syscall"
)

// setProcessGroup puts the kernel in its own process group, so that a
// Ctrl-C typed at a terminal reaches the REPL (which interrupts the cell)
// and not the kernel.
func setProcessGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
}
