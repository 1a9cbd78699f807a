//go:build windows

package kernel

import (
	"os"
)

// redirectStdio points os.Stdout and os.Stderr into pipes (Windows has
// no dup2 for the C runtime's descriptors that Go uses; replacing the
// variables covers everything written through package os and fmt).
func redirectStdio() (stdout, stderr, origStderr *os.File, err error) {
	origStderr = os.Stderr
	or, ow, err := os.Pipe()
	if err != nil {
		return nil, nil, nil, err
	}
	er, ew, err := os.Pipe()
	if err != nil {
		return nil, nil, nil, err
	}
	os.Stdout, os.Stderr = ow, ew
	return or, er, origStderr, nil
}

// protocolFiles returns the protocol pipes, descriptors 3 and 4.
func protocolFiles() (requests, replies *os.File, err error) {
	requests, replies = os.NewFile(requestFD, "kernel-requests"), os.NewFile(replyFD, "kernel-replies")
	if requests == nil || replies == nil {
		return nil, nil, os.ErrInvalid
	}
	return requests, replies, nil
}
