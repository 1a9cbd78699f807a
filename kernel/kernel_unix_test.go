//go:build unix

package kernel

import (
	"errors"
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
