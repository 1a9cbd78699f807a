//go:build windows

package kernel

import (
	"os/exec"
	"syscall"
)

// setProcessGroup gives the kernel its own process group, so that a
// Ctrl-C typed at a console reaches the REPL and not the kernel.
func setProcessGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{CreationFlags: syscall.CREATE_NEW_PROCESS_GROUP}
}
