//go:build unix

package app

import "syscall"

// processRuns reports whether process pid runs (or has ended and not
// been waited for).
func processRuns(pid int) bool { return syscall.Kill(pid, 0) == nil }
