package session

import (
	"strconv"
	"sync"
)

// Default bounds of a session's replay buffer.
const (
	DefaultMaxFrames = 200_000
	DefaultMaxBytes  = 64 << 20
)

// Log is a session's replay buffer: the frames it sent, numbered by seq
// from 1, encoded once and shared by every reader. It keeps the newest
// frames within its bounds and drops the oldest. Its methods are safe
// for concurrent use.
//
// Readers pull: each connected client reads the frames after the last
// one it sent, and waits on the channel Read returns when there are none.
// A slow client therefore never holds up the kernel or the other clients;
// if it falls behind the bounds it gets a gap.
type Log struct {
	mu        sync.Mutex
	frames    []logFrame // frames[head:] are kept
	head      int
	bytes     int
	next      int64 // seq of the next frame
	maxFrames int
	maxBytes  int
	notify    chan struct{} // closed and replaced on every append
	closed    bool
}

type logFrame struct {
	seq  int64
	data []byte
}

// NewLog returns an empty log that keeps at most maxFrames frames and
// maxBytes bytes of them (the newest frame is always kept); zero means
// the default.
func NewLog(maxFrames, maxBytes int) *Log {
	if maxFrames <= 0 {
		maxFrames = DefaultMaxFrames
	}
	if maxBytes <= 0 {
		maxBytes = DefaultMaxBytes
	}
	return &Log{next: 1, maxFrames: maxFrames, maxBytes: maxBytes, notify: make(chan struct{})}
}

// Append numbers the frame body (a JSON object without "seq") and keeps
// it; it returns the frame's seq, or 0 when the log is closed.
func (l *Log) Append(body []byte) int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return 0
	}
	seq := l.next
	l.next++
	data := make([]byte, 0, len(body)+24)
	data = append(data, `{"seq":`...)
	data = strconv.AppendInt(data, seq, 10)
	if len(body) > 2 {
		data = append(data, ',')
	}
	data = append(data, body[1:]...)
	l.frames = append(l.frames, logFrame{seq, data})
	l.bytes += len(data)
	for len(l.frames)-l.head > 1 && (len(l.frames)-l.head > l.maxFrames || l.bytes > l.maxBytes) {
		l.bytes -= len(l.frames[l.head].data)
		l.frames[l.head] = logFrame{}
		l.head++
	}
	if l.head > 1024 && l.head > len(l.frames)/2 {
		l.frames = append([]logFrame(nil), l.frames[l.head:]...)
		l.head = 0
	}
	close(l.notify)
	l.notify = make(chan struct{})
	return seq
}

// Batch is what Read returns.
type Batch struct {
	// Gap is set when frames the reader asked for are gone (dropped, or
	// from before the session's seq numbering: since beyond the last
	// seq). The reader must send a gap frame with seq GapSeq first, and
	// its client must reload.
	Gap    bool
	GapSeq int64
	// Frames are the encoded frames after since, oldest first.
	Frames [][]byte
	// Last is the seq of the last frame in Frames (or GapSeq, or since).
	Last int64
}

// Read returns up to max frames with seq > since. When there are none
// it returns the channel that is closed on the next append (or on
// Close), and closed reports whether the log is closed.
func (l *Log) Read(since int64, max int) (b Batch, wait <-chan struct{}, closed bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	b.Last = since
	last := l.next - 1
	first := last + 1 // seq of the oldest frame kept
	if len(l.frames) > l.head {
		first = l.frames[l.head].seq
	}
	switch {
	case since > last:
		b.Gap, b.GapSeq, b.Last = true, last, last
		since = last
	case since < first-1:
		b.Gap, b.GapSeq, b.Last = true, first-1, first-1
		since = first - 1
	}
	i := l.head + int(since-first+1)
	for ; i < len(l.frames) && len(b.Frames) < max; i++ {
		b.Frames = append(b.Frames, l.frames[i].data)
		b.Last = l.frames[i].seq
	}
	return b, l.notify, l.closed
}

// LastSeq is the seq of the newest frame (0 if none).
func (l *Log) LastSeq() int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.next - 1
}

// Close ends the log: readers get what is kept and then closed.
func (l *Log) Close() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.closed {
		l.closed = true
		close(l.notify) // stays closed: readers must not wait any more
	}
}
