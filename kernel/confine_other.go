//go:build !linux

package kernel

import "errors"

// Outside Linux a kernel process does not confine itself: the sandbox
// is the in-process one, and the memory limit the one watchMemory
// enforces (see confine_linux.go).

func confine(string, string, bool) error { return errors.ErrUnsupported }

func confineInProcess(string, string, bool) (bool, error) { return false, nil }

func confined(string) error { return nil }

func limitAddressSpace(int64) (uint64, error) { return 0, errors.ErrUnsupported }
