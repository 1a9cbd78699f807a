//go:build unix

package kernel

import (
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"syscall"
)

// setProcessAttr puts the kernel in its own process group, so that a
// Ctrl-C typed at a terminal reaches the REPL (which interrupts the cell)
// and not the kernel; with an account, the process runs under it (its
// user and group, no supplementary groups).
func setProcessAttr(cmd *exec.Cmd, as *Account) error {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if as != nil {
		cmd.SysProcAttr.Credential = &syscall.Credential{Uid: as.UID, Gid: as.GID, Groups: []uint32{}}
	}
	return nil
}

// limitCPU sets the process's CPU time limit (RLIMIT_CPU), whole
// seconds: at the limit the system ends it with SIGXCPU (and SIGKILL 5 s
// of CPU later, should it survive).
func limitCPU(seconds uint64) error {
	return syscall.Setrlimit(syscall.RLIMIT_CPU, &syscall.Rlimit{Cur: seconds, Max: seconds + 5})
}

// atCPULimit calls f (in a goroutine of its own) when the process gets
// SIGXCPU, at its soft CPU time limit.
func atCPULimit(f func()) {
	c := make(chan os.Signal, 1)
	signal.Notify(c, syscall.SIGXCPU)
	go func() {
		<-c
		f()
	}()
}

// cpuLimitNote is what a kernel at its CPU time limit says on stderr.
const cpuLimitNote = "stopped"

// cpuLimitDeath reports whether a kernel process ended at its CPU time
// limit, from its stderr notes or its exit status.
func cpuLimitDeath(notes []string, status string) bool {
	for _, n := range notes {
		if strings.Contains(n, "at its CPU time limit") {
			return true
		}
	}
	return strings.Contains(status, "CPU time limit exceeded")
}
