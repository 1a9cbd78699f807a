package session

import (
	"fmt"
	"strings"
	"testing"
)

func TestLogRead(t *testing.T) {
	l := NewLog(5, 0)
	for i := range 8 {
		l.Append([]byte(fmt.Sprintf(`{"type":"n","i":%d}`, i)))
	}
	// Kept: seq 4..8.
	for _, tc := range []struct {
		since   int64
		gap     bool
		gapSeq  int64
		first   string
		n, last int64
	}{
		{since: 0, gap: true, gapSeq: 3, first: `{"seq":4,"type":"n","i":3}`, n: 5, last: 8},
		{since: 3, first: `{"seq":4,"type":"n","i":3}`, n: 5, last: 8},
		{since: 6, first: `{"seq":7,"type":"n","i":6}`, n: 2, last: 8},
		{since: 8, n: 0, last: 8},
		{since: 20, gap: true, gapSeq: 8, n: 0, last: 8},
	} {
		t.Run(fmt.Sprint(tc.since), func(t *testing.T) {
			b, wait, closed := l.Read(tc.since, 100)
			if b.Gap != tc.gap || (tc.gap && b.GapSeq != tc.gapSeq) || int64(len(b.Frames)) != tc.n || b.Last != tc.last || closed {
				t.Fatalf("%+v closed=%v", b, closed)
			}
			if tc.n > 0 && string(b.Frames[0]) != tc.first {
				t.Errorf("first frame %s", b.Frames[0])
			}
			if tc.n == 0 {
				select {
				case <-wait:
					t.Error("wait is ready with no new frame")
				default:
				}
			}
		})
	}
	_, wait, _ := l.Read(8, 100)
	l.Append([]byte(`{"type":"x"}`))
	<-wait // closed by the append
	l.Close()
	if b, _, closed := l.Read(8, 100); !closed || len(b.Frames) != 1 {
		t.Errorf("after close: %+v %v", b, closed)
	}
	if seq := l.Append([]byte(`{}`)); seq != 0 {
		t.Errorf("append after close: %d", seq)
	}
}

func TestLogByteBound(t *testing.T) {
	l := NewLog(0, 1000)
	body := `{"type":"s","t":"` + strings.Repeat("x", 200) + `"}`
	for range 20 {
		l.Append([]byte(body))
	}
	b, _, _ := l.Read(0, 100)
	if !b.Gap || len(b.Frames) != 4 || b.Last != 20 {
		t.Errorf("kept %d frames (gap %v), want the last 4 within 1000 bytes", len(b.Frames), b.Gap)
	}
}
