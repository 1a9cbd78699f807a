package display

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"testing"
)

// published is one call of a Publisher.
type published struct {
	update bool
	id     string
	b      Bundle
}

// recorder is a Publisher that records its calls. It has no lock on
// purpose: a Display promises to call it from one goroutine at a time,
// and the race detector checks that promise in the concurrent tests.
type recorder struct {
	calls []published
}

func (r *recorder) Publish(id string, b Bundle) { r.calls = append(r.calls, published{false, id, b}) }
func (r *recorder) Update(id string, b Bundle)  { r.calls = append(r.calls, published{true, id, b}) }

func TestShowAndUpdate(t *testing.T) {
	rec := &recorder{}
	d := New(rec)
	h1 := d.Show(Markdown("# one"))
	h1.Update("one, updated")
	h2 := d.Show(42)
	h1.Update(HTML("<b>one</b>"))
	var nilHandle *Handle
	nilHandle.Update("nothing")

	type want struct {
		update bool
		n      int // the display: 1 or 2
		text   string
	}
	wants := []want{{false, 1, "# one"}, {true, 1, "one, updated"}, {false, 2, "42"}, {true, 1, "one"}}
	if len(rec.calls) != len(wants) {
		t.Fatalf("%d calls, want %d: %+v", len(rec.calls), len(wants), rec.calls)
	}
	idRE := regexp.MustCompile(`^firn-[0-9a-f]{8}-[0-9]+$`)
	prefix := strings.TrimSuffix(rec.calls[0].id, "1")
	for i, w := range wants {
		c := rec.calls[i]
		if !idRE.MatchString(c.id) {
			t.Errorf("call %d: id %q, want firn-<8 hex digits>-<n>", i, c.id)
		}
		if c.update != w.update || c.id != fmt.Sprint(prefix, w.n) || c.b.Data[mimeText] != w.text {
			t.Errorf("call %d = {update %v, id %s, text %q}, want {%v, %s%d, %q}", i, c.update, c.id, c.b.Data[mimeText], w.update, prefix, w.n, w.text)
		}
	}
	if h1.id == h2.id {
		t.Error("two displays with one id")
	}
	// Another Display has other ids.
	if other := New(&recorder{}).Show(1); strings.HasPrefix(other.id, prefix) {
		t.Errorf("two Displays share the id prefix %q", prefix)
	}
}

func TestShowConcurrent(t *testing.T) {
	rec := &recorder{}
	d := New(rec)
	const goroutines, shows = 16, 50
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			for i := range shows {
				h := d.Show(Rows([]string{"g", "i"}, [][]any{{g, i}}))
				h.Update(fmt.Sprint(g, " ", i, " done"))
			}
		})
	}
	wg.Wait()
	if got, want := len(rec.calls), 2*goroutines*shows; got != want {
		t.Fatalf("%d calls, want %d", got, want)
	}
	// Every display is published once, then updated once, with its own id.
	state := map[string]int{}
	for _, c := range rec.calls {
		switch s := state[c.id]; {
		case !c.update && s == 0:
			state[c.id] = 1
		case c.update && s == 1:
			state[c.id] = 2
		default:
			t.Fatalf("call %+v in state %d", c, s)
		}
	}
	if len(state) != goroutines*shows {
		t.Errorf("%d display ids, want %d", len(state), goroutines*shows)
	}
}

func TestShowWithoutPublisher(t *testing.T) {
	var out bytes.Buffer
	d := &Display{stdout: &out}
	h := d.Show(Rows([]string{"a", "b"}, [][]any{{1, "x"}}))
	h.Update(Markdown("**done**"))
	d.Show(PNG(pngOf(t, 2, 2)))
	d.Show(Bundle{Data: map[string]any{mimeSVG: "<svg/>"}})
	want := "a  b\n-  -\n1  x\n**done**\nPNG image, 2 × 2 pixels\n[display of image/svg+xml]\n"
	if out.String() != want {
		t.Errorf("printed %q, want %q", out.String(), want)
	}
	// New(nil) prints too, and so does a nil *Display (to os.Stdout).
	if New(nil).pub != nil {
		t.Error("New(nil) has a Publisher")
	}
}
