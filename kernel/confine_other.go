//go:build !linux

package kernel

import "errors"

// Outside Linux a kernel process does not confine itself: the sandbox
// is the in-process one, and the memory limit the one watchMemory
// enforces (see confine_linux.go).

// fsRules say what a kernel may do with files (confine_linux.go).
type fsRules struct {
	workspace, temp string
	reads           bool
}

// errNoLandlock says the system has no Landlock.
var errNoLandlock = errors.New("no Landlock on this system")

func confine(fsRules, bool) error { return errors.ErrUnsupported }

func confineInProcess(r fsRules, landlock bool) (bool, error) {
	if landlock && r.reads {
		return true, errNoLandlock
	}
	return false, nil
}

func confined(string) error { return nil }

func limitAddressSpace(int64) (uint64, error) { return 0, errors.ErrUnsupported }
