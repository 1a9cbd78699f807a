//go:build windows

package kernel

import (
	"errors"
	"os/exec"
	"syscall"
)

// setProcessAttr gives the kernel its own process group, so that a
// Ctrl-C typed at a console reaches the REPL and not the kernel. A
// kernel under another account is not available on Windows.
func setProcessAttr(cmd *exec.Cmd, as *Account) error {
	if as != nil {
		return errors.New("kernel: running a kernel as another account (" + as.Name + ") is not available on Windows")
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{CreationFlags: syscall.CREATE_NEW_PROCESS_GROUP}
	return nil
}

// limitCPU is not available on Windows: the limit is not set.
func limitCPU(uint64) error { return errors.ErrUnsupported }

// atCPULimit does nothing on Windows (no CPU time limit).
func atCPULimit(func()) {}

const cpuLimitNote = "stopped"

// cpuLimitDeath is false on Windows (no CPU time limit).
func cpuLimitDeath([]string, string) bool { return false }
