package kernel

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strings"
	"time"

	"github.com/firnglacier/firn/kernel/protocol"
)

// MemoryLimitError is the cause of a cell stopped for using too much
// memory.
type MemoryLimitError struct {
	InUse, Limit int64 // bytes
}

func (e *MemoryLimitError) Error() string {
	return fmt.Sprintf("memory limit: the kernel uses %s, more than its limit of %s", bytesText(e.InUse), bytesText(e.Limit))
}

func bytesText(b int64) string {
	switch {
	case b >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(b)/(1<<30))
	default:
		return fmt.Sprintf("%.0f MiB", float64(b)/(1<<20))
	}
}

// memoryInUse is the memory the Go runtime holds from the OS and has not
// returned (bytes): all its classes minus the heap released back.
func memoryInUse() int64 {
	s := []metrics.Sample{{Name: "/memory/classes/total:bytes"}, {Name: "/memory/classes/heap/released:bytes"}}
	metrics.Read(s)
	return int64(s[0].Value.Uint64()) - int64(s[1].Value.Uint64())
}

// watchMemory checks the process's memory every 20 ms. Over the limit it
// calls stop with a *MemoryLimitError (which stops the running cell); if
// no cell was running and a full collection does not bring the process
// back under the limit, it calls exitIdle, which ends the kernel unless a
// cell has started meanwhile (the reason goes to the kernel's stderr, and
// the client reports it and starts a fresh kernel). The Go runtime is
// also told the limit so that it collects harder near it. With limitAS
// (Linux) the process's address space is capped too (see
// limitAddressSpace).
func watchMemory(limit int64, limitAS bool, stop func(error) bool, exitIdle func(error) bool) func() {
	debug.SetMemoryLimit(limit * 9 / 10)
	if limitAS {
		// A failure leaves the watch alone to keep the limit.
		_, _ = limitAddressSpace(limit)
	}
	done := make(chan struct{})
	go func() {
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
			}
			inUse := memoryInUse()
			if inUse <= limit {
				continue
			}
			if stop(&MemoryLimitError{InUse: inUse, Limit: limit}) {
				continue // the cell stops; its garbage goes with the next collection
			}
			runtime.GC()
			debug.FreeOSMemory()
			if inUse = memoryInUse(); inUse > limit && exitIdle(&MemoryLimitError{InUse: inUse, Limit: limit}) {
				return
			}
		}
	}()
	return func() { close(done) }
}

// memoryDeath reports whether a kernel's stderr (the runtime's crash
// output) says it died for want of memory: the Go runtime could not map
// more ("fatal error: out of memory", "runtime: out of memory", "cannot
// allocate memory"), a new thread could not get its stack ("pthread_create
// failed", "failed to create new OS thread"), or the kernel ended itself
// because it could not get back under its limit ("firn kernel: memory
// limit: ...").
func memoryDeath(stderr string) bool {
	for _, line := range strings.Split(stderr, "\n") {
		line = strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(line, "fatal error:") && (strings.Contains(line, "out of memory") || strings.Contains(line, "cannot allocate memory")),
			strings.HasPrefix(line, "runtime/cgo: pthread_create failed"),
			strings.HasPrefix(line, "runtime: failed to create new OS thread"),
			strings.HasPrefix(line, "firn kernel: memory limit:"):
			return true
		}
	}
	return false
}

// memoryLimitReply returns, when process p died for passing its memory
// limit while running the execute request m (call c), the error a
// kernel gives a failed cell: an error message published to the call's
// out and the execute_reply, which it returns. Otherwise, also for a
// request the kernel had not started (its execute_input never came), it
// returns nil.
func (k *Kernel) memoryLimitReply(p *instance, c *call, m *protocol.Message) *protocol.Message {
	<-p.exited // wait has read what was in the pipe (the cell's execute_input)
	p.mu.Lock()
	oom, cause := p.outOfMemory, p.cause
	p.mu.Unlock()
	k.mu.Lock()
	count := c.cell
	k.mu.Unlock()
	if !oom || count == 0 {
		return nil
	}
	msg := fmt.Sprintf("cell [%d] passed the kernel's memory limit of %s", count, bytesText(k.opts.MemoryLimit))
	next := "A new kernel starts: the variables of earlier cells are gone."
	if k.opts.NoAutoRestart {
		next = "Restart the kernel to go on."
	}
	content := protocol.ErrorContent{EName: "MemoryLimit", EValue: msg, Traceback: []string{
		"MemoryLimit: " + msg,
		"The kernel process ended (" + cause + "). " + next,
	}}
	if c.out != nil {
		if e, err := protocol.New(p.session, protocol.IOPub, protocol.Error, &m.Header, content); err == nil {
			c.out(e)
		}
	}
	reply, err := protocol.New(p.session, protocol.Shell, protocol.ExecuteReply, &m.Header, protocol.ExecuteReplyContent{
		Status: "error", ExecutionCount: count, EName: content.EName, EValue: content.EValue, Traceback: content.Traceback,
	})
	if err != nil {
		return nil
	}
	return reply
}
