package desktop

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
)

// Events between the Go side and the page (Wails events).
const (
	// EventCommand goes to the page with a Command.
	EventCommand = "firn:command"
	// EventReply comes from the page with the Reply to a Command.
	EventReply = "firn:reply"
	// EventOpened comes from the page with the workspace path of the
	// notebook it opened ("" for the start page).
	EventOpened = "firn:opened"
	// EventReady comes from the page once it has started (and opened
	// its first notebook).
	EventReady = "firn:ready"
	// EventPageError comes from the page with an uncaught error or a
	// failed start, for the log.
	EventPageError = "firn:page-error"
)

// Commands the page carries out (frontend/src/shell/desktop.ts).
const (
	// CmdOpen opens Command.Path (workspace relative).
	CmdOpen = "open"
	// CmdSave saves the open notebook; Reply.Path is its path ("" if
	// none is open).
	CmdSave = "save"
	// CmdCurrent answers the open notebook's path without saving.
	CmdCurrent = "current"
	// CmdNotify shows Command.Text in the page (a toast).
	CmdNotify = "notify"
)

// Command is a request to the page.
type Command struct {
	ID   int64  `json:"id"`
	Cmd  string `json:"cmd"`
	Path string `json:"path,omitempty"`
	Text string `json:"text,omitempty"`
}

// Reply is the page's answer to a Command.
type Reply struct {
	ID    int64  `json:"id"`
	Path  string `json:"path"`
	Error string `json:"error"`
}

// Page carries out commands in the page.
type Page interface {
	Do(ctx context.Context, c Command) (Reply, error)
}

// Bridge is a Page over events: Do emits EventCommand and waits for the
// EventReply with the same id, which the caller hands to Deliver.
type Bridge struct {
	emit func(event string, data any)

	mu      sync.Mutex
	next    int64
	waiting map[int64]chan Reply
}

// NewBridge returns a Bridge that sends events with emit (Wails'
// runtime.EventsEmit).
func NewBridge(emit func(event string, data any)) *Bridge {
	return &Bridge{emit: emit, waiting: map[int64]chan Reply{}}
}

// Do sends c to the page and waits for its reply or the end of ctx. A
// reply with an error becomes the error.
func (b *Bridge) Do(ctx context.Context, c Command) (Reply, error) {
	ch := make(chan Reply, 1)
	b.mu.Lock()
	b.next++
	c.ID = b.next
	b.waiting[c.ID] = ch
	b.mu.Unlock()
	defer func() {
		b.mu.Lock()
		delete(b.waiting, c.ID)
		b.mu.Unlock()
	}()
	b.emit(EventCommand, c)
	select {
	case r := <-ch:
		if r.Error != "" {
			return r, fmt.Errorf("%s: %s", c.Cmd, r.Error)
		}
		return r, nil
	case <-ctx.Done():
		return Reply{}, fmt.Errorf("%s: the window did not answer: %w", c.Cmd, ctx.Err())
	}
}

// Deliver hands the data of an EventReply (a JSON object, as Wails
// decodes it) to the Do waiting for it; stray replies are dropped.
func (b *Bridge) Deliver(data any) error {
	raw, err := json.Marshal(data)
	if err != nil {
		return fmt.Errorf("desktop: reply: %w", err)
	}
	var r Reply
	if err := json.Unmarshal(raw, &r); err != nil {
		return fmt.Errorf("desktop: reply %s: %w", raw, err)
	}
	b.mu.Lock()
	ch, ok := b.waiting[r.ID]
	b.mu.Unlock()
	if !ok {
		return errors.New("desktop: a reply nobody waits for (its command timed out?)")
	}
	select {
	case ch <- r:
	default:
	}
	return nil
}

// PathOf returns the string data of an event such as EventOpened.
func PathOf(data []any) string {
	if len(data) == 0 {
		return ""
	}
	s, _ := data[0].(string)
	return s
}
