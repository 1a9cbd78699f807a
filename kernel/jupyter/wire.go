package jupyter

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/firnglacier/firn/kernel/protocol"
)

// delimiter separates the routing identities from the message.
var delimiter = []byte("<IDS|MSG>")

// frames is one message on the wire: the routing prefix (identities, or
// the topic on iopub), the delimiter, the signature, the four
// dictionaries and any binary buffers.
type frames struct {
	ids                               [][]byte
	sig                               []byte
	header, parent, metadata, content []byte
	buffers                           [][]byte
}

// parseFrames splits a multipart message.
func parseFrames(fs [][]byte) (*frames, error) {
	at := -1
	for i, f := range fs {
		if bytes.Equal(f, delimiter) {
			at = i
			break
		}
	}
	if at < 0 {
		return nil, errors.New("no <IDS|MSG> delimiter")
	}
	rest := fs[at+1:]
	if len(rest) < 5 {
		return nil, fmt.Errorf("%d frames after the delimiter, want at least 5 (signature, header, parent header, metadata, content)", len(rest))
	}
	return &frames{
		ids: fs[:at], sig: rest[0],
		header: rest[1], parent: rest[2], metadata: rest[3], content: rest[4],
		buffers: rest[5:],
	}, nil
}

// list returns the frames of a message to send.
func (f *frames) list() [][]byte {
	out := make([][]byte, 0, len(f.ids)+6+len(f.buffers))
	out = append(out, f.ids...)
	out = append(out, delimiter, f.sig, f.header, f.parent, f.metadata, f.content)
	return append(out, f.buffers...)
}

// signed signs the message's dictionaries.
func (f *frames) signed(s *signer) *frames {
	f.sig = s.sign(f.header, f.parent, f.metadata, f.content)
	if f.sig == nil {
		f.sig = []byte{}
	}
	return f
}

// message decodes the dictionaries into a protocol message of channel.
func (f *frames) message(channel string) (*protocol.Message, error) {
	m := &protocol.Message{Channel: channel}
	if err := json.Unmarshal(f.header, &m.Header); err != nil {
		return nil, fmt.Errorf("header: %w", err)
	}
	if m.Header.MsgType == "" {
		return nil, errors.New("header without msg_type")
	}
	var parent protocol.Header
	if len(f.parent) > 0 {
		if err := json.Unmarshal(f.parent, &parent); err != nil {
			return nil, fmt.Errorf("parent_header: %w", err)
		}
	}
	if parent.MsgID != "" {
		m.ParentHeader = &parent
	}
	if len(f.metadata) > 0 {
		if err := json.Unmarshal(f.metadata, &m.Metadata); err != nil {
			return nil, fmt.Errorf("metadata: %w", err)
		}
	}
	if m.Metadata == nil {
		m.Metadata = map[string]any{}
	}
	if len(bytes.TrimSpace(f.content)) == 0 {
		m.Content = json.RawMessage("{}")
	} else {
		if !json.Valid(f.content) {
			return nil, errors.New("content is not JSON")
		}
		m.Content = json.RawMessage(f.content)
	}
	return m, nil
}

// encode returns the frames of m, with parent as its parent header
// (nil: m's own, marshalled).
func encode(m *protocol.Message, parent []byte) (*frames, error) {
	h := m.Header
	h.Date = jupyterDate(h.Date)
	header, err := json.Marshal(h)
	if err != nil {
		return nil, err
	}
	if parent == nil {
		if m.ParentHeader == nil {
			parent = []byte("{}")
		} else {
			p := *m.ParentHeader
			p.Date = jupyterDate(p.Date)
			if parent, err = json.Marshal(p); err != nil {
				return nil, err
			}
		}
	}
	metadata := []byte("{}")
	if len(m.Metadata) > 0 {
		if metadata, err = json.Marshal(m.Metadata); err != nil {
			return nil, err
		}
	}
	content := []byte(m.Content)
	if len(content) == 0 {
		content = []byte("{}")
	}
	return &frames{header: header, parent: parent, metadata: metadata, content: content}, nil
}

// jupyterDate writes a date with microseconds, as jupyter_client parses
// it (its pattern allows at most six digits of a second).
func jupyterDate(s string) string {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		if s == "" {
			return time.Now().UTC().Format(dateFormat)
		}
		return s
	}
	return t.UTC().Format(dateFormat)
}

const dateFormat = "2006-01-02T15:04:05.000000Z"

// replays remembers the signatures of recent messages: a message whose
// signature was seen before is a replay and is refused, as
// jupyter_client's Session does.
type replays struct {
	seen  map[string]struct{}
	order []string
	next  int
}

const replayMemory = 1 << 14

// fresh records sig and reports whether it was new.
func (r *replays) fresh(sig []byte) bool {
	if len(sig) == 0 {
		return true // unsigned connection: nothing to compare
	}
	if r.seen == nil {
		r.seen = make(map[string]struct{}, replayMemory)
		r.order = make([]string, replayMemory)
	}
	k := string(sig)
	if _, ok := r.seen[k]; ok {
		return false
	}
	if old := r.order[r.next]; old != "" {
		delete(r.seen, old)
	}
	r.order[r.next] = k
	r.next = (r.next + 1) % replayMemory
	r.seen[k] = struct{}{}
	return true
}
