package kernel

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// peakRSS is the peak resident memory of kernel process p (bytes): its
// rusage once it has ended, else its VmHWM (Linux).
func peakRSS(t *testing.T, p *instance) int64 {
	t.Helper()
	cmd := p.conn.(*localProcess).cmd
	select {
	case <-p.exited:
	default:
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", cmd.Process.Pid))
		if err == nil {
			for _, line := range strings.Split(string(b), "\n") {
				if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
					kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
					if err != nil {
						t.Fatal(err)
					}
					return kb << 10
				}
			}
		}
		<-p.exited // it ended meanwhile
	}
	ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if !ok {
		t.Fatalf("no rusage: %T", cmd.ProcessState.SysUsage())
	}
	return ru.Maxrss << 10 // KiB on Linux
}

// The memory limit holds for growth in interpreted code and for one big
// allocation in compiled code: the cell fails with MemoryLimit, naming
// itself and the limit, the kernel process never gets much past its
// limit, and the kernel works afterwards (restarted if it died).
func TestKernelMemoryLimitHolds(t *testing.T) {
	const limit = 256 << 20
	// The slack that the package documentation states: the headroom of
	// the address space, the kernel's own footprint (about 30 MB) and a
	// heap arena the runtime reserved before the limit (64 MiB).
	slack := headroom(limit) + 128<<20
	for _, tc := range []struct{ name, code string }{
		{"interpreted growth", `var keep [][]byte
for {
	b := make([]byte, 16<<20)
	for i := 0; i < len(b); i += 4096 {
		b[i] = 1
	}
	keep = append(keep, b)
}`},
		{"appending to a slice", "var grow []byte\nfor {\n\tgrow = append(grow, make([]byte, 1<<20)...)\n}"},
		{"strings.Repeat", "import \"strings\"\ns := strings.Repeat(\"x\", 3<<30)\nlen(s)"},
		{"make", "b := make([]byte, 3<<30)\nlen(b)"},
	} {
		for _, noCgo := range []bool{false, true} {
			name := tc.name
			if noCgo {
				name += ", without cgo"
			}
			t.Run(name, func(t *testing.T) {
				testMemoryLimitHolds(t, tc.code, noCgo, limit, slack)
			})
		}
	}
}

// testMemoryLimitHolds runs code, which grows without end, in a kernel
// with a memory limit of limit: this test binary (with cgo, confined by
// a new start), or it built without cgo (confined in its first start).
func testMemoryLimitHolds(t *testing.T, code string, noCgo bool, limit, slack int64) {
	opts := Options{MemoryLimit: limit}
	if noCgo {
		opts.Command = []string{testBinaryWithoutCgo(t)}
	}
	k, ctx := startKernel(t, opts)
	run(t, ctx, k, "x := 1") // cell [1]
	k.mu.Lock()
	p := k.proc
	k.mu.Unlock()
	reply, out := run(t, ctx, k, code) // cell [2]
	if reply.Status != "error" || reply.EName != "MemoryLimit" || !strings.Contains(out, "cell [2]") || !strings.Contains(out, "256 MiB") {
		t.Errorf("reply %s %s, output:\n%s\nwant the error MemoryLimit naming cell [2] and the limit of 256 MiB", reply.Status, reply.EName, out)
	}
	peak := peakRSS(t, p)
	t.Logf("peak RSS %d MiB (limit %d MiB + slack %d MiB)", peak>>20, limit>>20, slack>>20)
	if peak > limit+slack {
		t.Errorf("the kernel reached %d MiB, more than its limit of %d MiB and the slack of %d MiB", peak>>20, limit>>20, slack>>20)
	}
	// The kernel lives on if it got back under its limit; else
	// it ends (if it has not yet, before it starts another cell)
	// and a new one takes over.
	var o outputs
	_, err := k.Execute(ctx, "1+1", o.add)
	var died *DiedError
	if errors.As(err, &died) {
		if !strings.Contains(died.Cause, "memory limit") {
			t.Errorf("death cause %q", died.Cause)
		}
		waitEvent(t, k, EventRestarted)
		o = outputs{}
		_, err = k.Execute(ctx, "1+1", o.add)
	}
	if err != nil || o.text() != "[execute_result] 2\n" {
		t.Errorf("after the cell: %q, %v", o.text(), err)
	}
}
