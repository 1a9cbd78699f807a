//go:build !unix

package app

import "os"

// processRuns reports whether process pid runs (on Windows: whether it
// can be opened).
func processRuns(pid int) bool {
	p, err := os.FindProcess(pid)
	if err != nil {
		return false
	}
	p.Release()
	return true
}
