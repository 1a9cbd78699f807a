//go:build !linux

package jupyter

import (
	"errors"
	"os"
)

// Elsewhere than on Linux the carrier cannot see a cell wait for input
// (see stdin_linux.go): standard input reads end of file, as in Firn's
// own kernels, rather than waiting for ever on the pipe Jupyter gives,
// and no input_request is sent.

type stdinBridge struct{}

type reader struct{}

func newStdinBridge() (*stdinBridge, error) {
	if f, err := os.Open(os.DevNull); err == nil {
		os.Stdin = f
	}
	return nil, errors.ErrUnsupported
}

func (b *stdinBridge) waiting() (reader, bool) { return reader{}, false }
func (b *stdinBridge) same(r, now reader) bool { return false }
func (b *stdinBridge) line(s string) error     { return errors.ErrUnsupported }
func (b *stdinBridge) eof() error              { return errors.ErrUnsupported }
