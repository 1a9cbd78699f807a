package protocol

import (
	"errors"
	"io"
	"strings"
	"sync"
	"testing"
)

func TestConnRoundTrip(t *testing.T) {
	r, w := io.Pipe()
	send := NewConn(strings.NewReader(""), w)
	recv := NewConn(r, io.Discard)
	big := strings.Repeat("x", 200<<10) // longer than the reader's buffer
	var wg sync.WaitGroup
	const n = 50
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			text := "hello"
			if i == 7 {
				text = big
			}
			m, err := New("s", IOPub, Stream, &Header{MsgID: "p"}, StreamContent{Name: "stdout", Text: text})
			if err != nil {
				t.Error(err)
				return
			}
			if err := send.Send(m); err != nil {
				t.Error(err)
			}
		}()
	}
	go func() { wg.Wait(); w.Close() }()
	got, sawBig := 0, false
	for {
		m, err := recv.Receive()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		var c StreamContent
		if err := m.Decode(&c); err != nil {
			t.Fatal(err)
		}
		if m.Type() != Stream || m.Parent() != "p" || m.Channel != IOPub || (c.Text != "hello" && c.Text != big) {
			t.Fatalf("garbled message: %s %q %s %d bytes", m.Type(), m.Parent(), m.Channel, len(c.Text))
		}
		sawBig = sawBig || c.Text == big
		got++
	}
	if got != n || !sawBig {
		t.Errorf("received %d messages (big one: %v), want %d", got, sawBig, n)
	}
}

func TestConnErrors(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"not json", "hello\n", "bad message"},
		{"no type", `{"header":{}}` + "\n", "without header.msg_type"},
		{"cut", `{"header":{"msg_type":"x"}`, "ended inside a message"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewConn(strings.NewReader(tc.in), io.Discard).Receive()
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want an error containing %q", err, tc.want)
			}
		})
	}
}
