//go:build unix

package kernel

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"
)

// A kernel that does not answer an interrupt is killed and restarted,
// and the client says so.
func TestKernelKilledWhenInterruptFails(t *testing.T) {
	k, ctx := startKernel(t, Options{InterruptGrace: 200 * time.Millisecond})
	run(t, ctx, k, "x := 1")
	pid := k.Pid()
	_, _, err := cellStarted(t, ctx, k, "fmt.Println(\"started\")\nfor {}", func() {
		// A stopped process cannot answer: the interrupt must be enforced.
		if err := syscall.Kill(pid, syscall.SIGSTOP); err != nil {
			t.Error(err)
		}
		// kill returns before the process has stopped: on a busy machine
		// it could still read the interrupt and answer. Go on once the
		// system says it is stopped.
		waitStopped(t, pid)
		if err := k.Interrupt(); err != nil {
			t.Error(err)
		}
	})
	var died *DiedError
	if !errors.As(err, &died) || !strings.Contains(died.Cause, "did not stop") {
		t.Fatalf("err = %v, want a *DiedError saying the cell did not stop", err)
	}
	waitEvent(t, k, EventRestarted)
	if k.Pid() == pid {
		t.Error("same process after the restart")
	}
	if reply, out := run(t, ctx, k, "x"); reply.Status != "error" || !strings.Contains(out, "undefined: x") {
		t.Errorf("fresh kernel should not know x: %s %q", reply.Status, out)
	}
	if _, out := run(t, ctx, k, "1+1"); out != "[execute_result] 2\n" {
		t.Errorf("after restart: %q", out)
	}
}

// waitStopped waits until the system reports process pid stopped (state
// T in /proc/PID/stat on Linux; elsewhere it returns at once).
func waitStopped(t *testing.T, pid int) {
	t.Helper()
	path := fmt.Sprintf("/proc/%d/stat", pid)
	deadline := time.Now().Add(testTimeout)
	for time.Now().Before(deadline) {
		b, err := os.ReadFile(path)
		if err != nil {
			return // no /proc: nothing to wait on
		}
		// The state follows the command name in parentheses.
		if i := bytes.LastIndexByte(b, ')'); i >= 0 && i+2 < len(b) && (b[i+2] == 'T' || b[i+2] == 't') {
			return
		}
		time.Sleep(time.Millisecond)
	}
	t.Fatalf("process %d did not stop", pid)
}

// TestKernelCPULimit: a kernel with a CPU time limit that a cell spends
// in a loop is ended by the system, and the cell's error says why.
func TestKernelCPULimit(t *testing.T) {
	k, ctx := startKernel(t, Options{CPULimit: time.Second})
	_, err := k.Execute(ctx, "n := 0\nfor { n++ }", nil)
	var died *DiedError
	if !errors.As(err, &died) || died.Name != "CPULimit" || !strings.Contains(died.Cause, "it used up its CPU time, 1s (a limit of this server; a restart gives it a fresh budget)") {
		t.Fatalf("a cell past the CPU limit: %v (%+v)", err, died)
	}
	// The kernel restarts with a fresh budget.
	if reply, out := run(t, ctx, k, "1+1"); reply.Status != "ok" || !strings.Contains(out, "2") {
		t.Errorf("after the restart: %+v %q", reply, out)
	}
}
