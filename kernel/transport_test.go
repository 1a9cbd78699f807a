package kernel_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/firnglacier/firn/kernel"
	"github.com/firnglacier/firn/kernel/protocol"
)

// transportClient is what the transport table drives: a kernel client
// over one transport (the methods of kernel/repl's Backend).
type transportClient interface {
	Execute(ctx context.Context, code string, out func(*protocol.Message)) (protocol.ExecuteReplyContent, error)
	Interrupt() error
	Complete(ctx context.Context, code string, cursorPos int) (protocol.CompleteReplyContent, error)
	Inspect(ctx context.Context, code string, cursorPos int) (protocol.InspectReplyContent, error)
}

// transport is one way of reaching a kernel: start returns a client of
// a fresh kernel whose workspace is dir, stopped when the test ends.
type transport struct {
	name  string
	start func(t *testing.T, dir string) transportClient
}

// transports are the carriers of the kernel protocol the table runs on.
func transports() []transport {
	return []transport{
		{"pipe", launched(kernel.PipeLauncher{})},
		// Windows' path: loopback TCP with a token, interrupts by message.
		{"tcp", launched(kernel.TCPLauncher{})},
		// ZeroMQ: Jupyter's wire protocol (`firn kernel --connection-file`,
		// package kernel/jupyter), interrupts by message on the control
		// socket (transport_zeromq_test.go).
		{"zeromq", startZeroMQ},
	}
}

// launched starts kernels with a launcher of package kernel: the client
// is *kernel.Kernel, over the launcher's transport.
func launched(l kernel.Launcher) func(t *testing.T, dir string) transportClient {
	return func(t *testing.T, dir string) transportClient {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		k, err := kernel.Start(ctx, kernel.Options{
			Command: []string{os.Args[0]}, Env: []string{"FIRN_KERNEL_CHILD=1"}, Dir: dir, Launcher: l,
		})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = k.Shutdown(context.Background()) })
		if got, want := k.Launcher(), l.Info(); got != want {
			t.Errorf("Launcher() = %+v, want %+v", got, want)
		}
		return k
	}
}

// cellOutput is what a cell showed: its published messages in order.
type cellOutput struct {
	mu   sync.Mutex
	msgs []*protocol.Message
}

func (o *cellOutput) add(m *protocol.Message) {
	o.mu.Lock()
	o.msgs = append(o.msgs, m)
	o.mu.Unlock()
}

// of returns the contents of the messages of one type.
func (o *cellOutput) of(t *testing.T, msgType string) []map[string]any {
	t.Helper()
	o.mu.Lock()
	defer o.mu.Unlock()
	var out []map[string]any
	for _, m := range o.msgs {
		if m.Type() == msgType {
			var c map[string]any
			if err := m.Decode(&c); err != nil {
				t.Fatal(err)
			}
			out = append(out, c)
		}
	}
	return out
}

// One table of cells, run on a kernel of each transport in order (later
// cells read the state of earlier ones): a value, a stream, a plot, an
// error with its line, an endless loop interrupted, completion and
// inspection. The kernel and its variables survive the error and the
// interrupt.
func TestTransports(t *testing.T) {
	type step struct {
		name  string
		code  string
		check func(t *testing.T, reply protocol.ExecuteReplyContent, o *cellOutput)
	}
	result := func(want string) func(*testing.T, protocol.ExecuteReplyContent, *cellOutput) {
		return func(t *testing.T, reply protocol.ExecuteReplyContent, o *cellOutput) {
			r := o.of(t, protocol.ExecuteResult)
			if reply.Status != "ok" || len(r) != 1 || r[0]["data"].(map[string]any)["text/plain"] != want {
				t.Errorf("reply %s, results %v; want the value %s", reply.Status, r, want)
			}
		}
	}
	steps := []step{
		{"value", "x := 6 * 7\nx", result("42")},
		{"stream", `fmt.Println("hello from cell", 2)`, func(t *testing.T, reply protocol.ExecuteReplyContent, o *cellOutput) {
			s := o.of(t, protocol.Stream)
			if reply.Status != "ok" || len(s) != 1 || s[0]["name"] != "stdout" || s[0]["text"] != "hello from cell 2\n" {
				t.Errorf("reply %s, streams %v", reply.Status, s)
			}
		}},
		{"plot", "g := edu.NewGlacier(edu.NewBed(3400, 1400, 300), edu.NewMassBalance(3000, 4))\ng.ProgressToYear(20)\ndisplay.Show(plots.Glacier(g))", func(t *testing.T, reply protocol.ExecuteReplyContent, o *cellOutput) {
			d := o.of(t, protocol.DisplayData)
			if reply.Status != "ok" || len(d) != 1 {
				t.Fatalf("reply %s, displays %v", reply.Status, d)
			}
			data := d[0]["data"].(map[string]any)
			png, _ := base64.StdEncoding.DecodeString(fmt.Sprint(data["image/png"]))
			if !strings.HasPrefix(string(png), "\x89PNG\r\n\x1a\n") || !strings.Contains(fmt.Sprint(data["image/svg+xml"]), "<svg") {
				t.Errorf("the display is no plot: %.200v", data)
			}
		}},
		{"error with its line", "n := 5\nvar s []int\ns[n] = 1", func(t *testing.T, reply protocol.ExecuteReplyContent, o *cellOutput) {
			e := o.of(t, protocol.Error)
			if reply.Status != "error" || reply.EName != "panic" || len(e) != 1 || !strings.Contains(strings.Join(reply.Traceback, "\n"), "line 3") {
				t.Errorf("reply %+v, errors %v; want a panic at line 3", reply, e)
			}
		}},
		{"state of earlier cells", "fmt.Sprint(x+1, \" \", g.Year())", result(`"43 20"`)},
	}
	for _, tr := range transports() {
		t.Run(tr.name, func(t *testing.T) {
			k := tr.start(t, t.TempDir())
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			for _, s := range steps {
				var o cellOutput
				reply, err := k.Execute(ctx, s.code, o.add)
				if err != nil {
					t.Fatalf("%s: %v", s.name, err)
				}
				s.check(t, reply, &o)
			}

			// An endless loop, interrupted once it runs: the kernel and
			// its variables survive.
			var once sync.Once
			var o cellOutput
			reply, err := k.Execute(ctx, "fmt.Println(\"looping\")\nfor {\n\tx = x + 0\n}", func(m *protocol.Message) {
				o.add(m)
				if m.Type() == protocol.Stream {
					once.Do(func() {
						if err := k.Interrupt(); err != nil {
							t.Error(err)
						}
					})
				}
			})
			if err != nil || reply.Status != "error" || reply.EName != "Interrupted" {
				t.Fatalf("interrupted loop: reply %+v, err %v", reply, err)
			}
			o = cellOutput{}
			if reply, err := k.Execute(ctx, "x", o.add); err != nil {
				t.Fatal(err)
			} else {
				result("42")(t, reply, &o)
			}

			c, err := k.Complete(ctx, "fmt.Printl", 10)
			if err != nil || !contains(c.Matches, "Println") || c.CursorStart != 4 || c.CursorEnd != 10 {
				t.Errorf("complete fmt.Printl: %+v, %v", c, err)
			}
			c, err = k.Complete(ctx, "g.ProgressTo", 12)
			if err != nil || !contains(c.Matches, "ProgressToYear") {
				t.Errorf("complete g.ProgressTo (a variable of an earlier cell): %+v, %v", c, err)
			}
			in, err := k.Inspect(ctx, "edu.NewGlacier(bed, mb)", 6)
			if txt, _ := in.Data["text/plain"].(string); err != nil || !in.Found || !strings.Contains(txt, "func NewGlacier(") {
				t.Errorf("inspect edu.NewGlacier: %+v, %v", in, err)
			}
		})
	}
}

func contains(xs []string, x string) bool {
	for _, s := range xs {
		if s == x {
			return true
		}
	}
	return false
}

// BenchmarkTransports: start to first result, and the round trip of a
// trivial cell, on each transport.
func BenchmarkTransports(b *testing.B) {
	for _, l := range []kernel.Launcher{kernel.PipeLauncher{}, kernel.TCPLauncher{}} {
		opts := kernel.Options{Command: []string{os.Args[0]}, Env: []string{"FIRN_KERNEL_CHILD=1"}, Dir: b.TempDir(), Launcher: l}
		ctx := context.Background()
		b.Run(l.Info().Transport+"/StartToFirstResult", func(b *testing.B) {
			for b.Loop() {
				k, err := kernel.Start(ctx, opts)
				if err != nil {
					b.Fatal(err)
				}
				if reply, err := k.Execute(ctx, "1+1", nil); err != nil || reply.Status != "ok" {
					b.Fatal(reply, err)
				}
				b.StopTimer()
				_ = k.Shutdown(ctx)
				b.StartTimer()
			}
		})
		b.Run(l.Info().Transport+"/TrivialCell", func(b *testing.B) {
			k, err := kernel.Start(ctx, opts)
			if err != nil {
				b.Fatal(err)
			}
			defer k.Shutdown(ctx)
			for b.Loop() {
				if reply, err := k.Execute(ctx, "1+1", nil); err != nil || reply.Status != "ok" {
					b.Fatal(reply, err)
				}
			}
		})
	}
}
