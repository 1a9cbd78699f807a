package kernel

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"sync"
)

// syncMarker is written to a captured stream to learn when everything
// written before it has been forwarded. The record and group separators
// make it vanishingly unlikely in real output; the marker never reaches
// the client.
var syncMarker = []byte("\x1e\x1dfirn-sync\x1d\x1e")

// streamCapture forwards what the process writes to one of its own file
// descriptors (1 or 2, redirected into a pipe) as stream messages, and
// can wait until everything written so far has been forwarded (sync), so
// that a cell's output always precedes its reply and its displays.
type streamCapture struct {
	name  string
	w     *os.File // the process's descriptor (os.Stdout or os.Stderr after redirection)
	r     io.Reader
	emit  func(name, text string)
	mu    sync.Mutex // one sync at a time
	acked chan struct{}
	done  chan struct{}
}

func newStreamCapture(name string, w *os.File, r io.Reader, emit func(name, text string)) *streamCapture {
	c := &streamCapture{name: name, w: w, r: r, emit: emit, acked: make(chan struct{}, 1), done: make(chan struct{})}
	go c.pump()
	return c
}

// pump reads the pipe, splits out sync markers and forwards the text.
func (c *streamCapture) pump() {
	defer close(c.done)
	buf := make([]byte, 0, 64<<10)
	chunk := make([]byte, 32<<10)
	for {
		n, err := c.r.Read(chunk)
		buf = append(buf, chunk[:n]...)
		for {
			i := bytes.Index(buf, syncMarker)
			if i < 0 {
				break
			}
			if i > 0 {
				c.emit(c.name, string(buf[:i]))
			}
			buf = append(buf[:0], buf[i+len(syncMarker):]...)
			c.acked <- struct{}{}
		}
		// Forward all but a possible start of a marker.
		keep := partialMarker(buf)
		if len(buf)-keep > 0 {
			c.emit(c.name, string(buf[:len(buf)-keep]))
			buf = append(buf[:0], buf[len(buf)-keep:]...)
		}
		if err != nil {
			if len(buf) > 0 {
				c.emit(c.name, string(buf))
			}
			return
		}
	}
}

// partialMarker is the length of the longest suffix of b that is a
// prefix of the marker.
func partialMarker(b []byte) int {
	for k := min(len(b), len(syncMarker)-1); k > 0; k-- {
		if bytes.Equal(b[len(b)-k:], syncMarker[:k]) {
			return k
		}
	}
	return 0
}

// sync returns once everything written to the stream before the call has
// been emitted.
func (c *streamCapture) sync() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, err := c.w.Write(syncMarker); err != nil {
		return fmt.Errorf("kernel: sync %s: %w", c.name, err)
	}
	select {
	case <-c.acked:
		return nil
	case <-c.done:
		return fmt.Errorf("kernel: %s capture ended", c.name)
	}
}
