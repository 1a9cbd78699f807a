package kernel

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"time"
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
// back under the limit, the kernel exits with the reason on its crash
// output, and its client reports it and starts a fresh kernel. The Go
// runtime is also told the limit so that it collects harder near it.
func watchMemory(limit int64, stop func(error) bool, exit func(error)) func() {
	debug.SetMemoryLimit(limit * 9 / 10)
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
			if inUse = memoryInUse(); inUse > limit {
				exit(&MemoryLimitError{InUse: inUse, Limit: limit})
				return
			}
		}
	}()
	return func() { close(done) }
}
