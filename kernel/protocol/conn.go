package protocol

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sync"
)

// MaxMessageSize bounds one message (64 MiB): a figure or a table is far
// smaller; a larger line means a corrupt or hostile stream.
const MaxMessageSize = 64 << 20

// Transport carries the protocol's messages between a kernel and one
// client, whatever is underneath: Conn over a pipe or a socket, Jupyter's
// ZeroMQ sockets, a remote worker's connection. Send may be called from
// many goroutines, Receive from one; Receive returns io.EOF when the
// other side has gone cleanly. A message's Channel says which of
// Jupyter's channels it belongs to (shell, control, iopub, stdin).
type Transport interface {
	Send(m *Message) error
	Receive() (*Message, error)
}

// Conn reads and writes newline-delimited JSON messages on a byte stream.
// Send may be called from many goroutines; Receive from one.
type Conn struct {
	r  *bufio.Reader
	mu sync.Mutex
	w  *bufio.Writer
}

// NewConn returns a connection reading from r and writing to w.
func NewConn(r io.Reader, w io.Writer) *Conn {
	return &Conn{r: bufio.NewReaderSize(r, 64<<10), w: bufio.NewWriterSize(w, 64<<10)}
}

// Send writes one message and flushes it.
func (c *Conn) Send(m *Message) error {
	b, err := json.Marshal(m)
	if err != nil {
		return fmt.Errorf("protocol: encode %s: %w", m.Header.MsgType, err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, err := c.w.Write(append(b, '\n')); err != nil {
		return fmt.Errorf("protocol: send %s: %w", m.Header.MsgType, err)
	}
	if err := c.w.Flush(); err != nil {
		return fmt.Errorf("protocol: send %s: %w", m.Header.MsgType, err)
	}
	return nil
}

// Receive reads the next message. It returns io.EOF when the stream
// ends cleanly between messages.
func (c *Conn) Receive() (*Message, error) {
	var line []byte
	for {
		chunk, err := c.r.ReadSlice('\n')
		line = append(line, chunk...)
		if len(line) > MaxMessageSize {
			return nil, fmt.Errorf("protocol: message longer than %d bytes", MaxMessageSize)
		}
		if err == nil {
			break
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if errors.Is(err, io.EOF) && len(line) > 0 {
			return nil, fmt.Errorf("protocol: stream ended inside a message: %w", io.ErrUnexpectedEOF)
		}
		return nil, err
	}
	var m Message
	if err := json.Unmarshal(line, &m); err != nil {
		return nil, fmt.Errorf("protocol: bad message: %w", err)
	}
	if m.Header.MsgType == "" {
		return nil, errors.New("protocol: message without header.msg_type")
	}
	return &m, nil
}
