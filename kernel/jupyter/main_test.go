package jupyter_test

import (
	"context"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/firnglacier/firn/kernel"
	"github.com/firnglacier/firn/kernel/jupyter"
	"github.com/firnglacier/firn/kernel/protocol"
)

// The test binary is also the firn program for the kernels these tests
// start: run as `TESTBIN kernel --connection-file FILE`, it is `firn
// kernel` with Jupyter's carrier, as a kernelspec starts it.
func TestMain(m *testing.M) {
	if len(os.Args) > 1 && os.Args[1] == "kernel" {
		os.Exit(kernel.MainWith(os.Args[2:], os.Stderr, jupyter.ListenKernel))
	}
	os.Exit(m.Run())
}

// testTimeout bounds every wait: a hung kernel fails its test, not the run.
const testTimeout = 90 * time.Second

// firnArgv is the kernelspec argv of the test binary as the firn kernel.
func firnArgv() []string {
	return []string{os.Args[0], "kernel", "--connection-file", "{connection_file}"}
}

// startFirn starts a Firn kernel over ZeroMQ in a temporary workspace.
func startFirn(t testing.TB) (*jupyter.Kernel, context.Context) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	t.Cleanup(cancel)
	k, err := jupyter.Start(ctx, jupyter.StartOptions{Argv: firnArgv(), Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		sctx, scancel := context.WithTimeout(context.Background(), testTimeout)
		defer scancel()
		_ = k.Shutdown(sctx)
	})
	return k, ctx
}

// outputs collects the messages a request published.
type outputs struct {
	mu   sync.Mutex
	msgs []*protocol.Message
}

func (o *outputs) add(m *protocol.Message) {
	o.mu.Lock()
	o.msgs = append(o.msgs, m)
	o.mu.Unlock()
}

// text is the visible output: streams, the text/plain of results and
// displays, errors.
func (o *outputs) text() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	var b strings.Builder
	for _, m := range o.msgs {
		switch m.Type() {
		case protocol.Stream:
			var c protocol.StreamContent
			_ = m.Decode(&c)
			b.WriteString(c.Text)
		case protocol.ExecuteResult, protocol.DisplayData, protocol.UpdateDisplayData:
			var c protocol.DisplayDataContent
			_ = m.Decode(&c)
			s, _ := c.Data["text/plain"].(string)
			b.WriteString("[" + m.Type() + "] " + s + "\n")
		case protocol.Error:
			var c protocol.ErrorContent
			_ = m.Decode(&c)
			b.WriteString("[error] " + c.EName + ": " + c.EValue + "\n")
		}
	}
	return b.String()
}

func execute(t testing.TB, ctx context.Context, k *jupyter.Kernel, code string) (protocol.ExecuteReplyContent, string) {
	t.Helper()
	var o outputs
	reply, err := k.Execute(ctx, code, o.add)
	if err != nil {
		t.Fatalf("execute %q: %v", code, err)
	}
	return reply, o.text()
}

// TestKernelOverZeroMQ runs cells on a Firn kernel started as Jupyter
// starts it, through its ZeroMQ sockets.
func TestKernelOverZeroMQ(t *testing.T) {
	k, ctx := startFirn(t)
	info, err := k.KernelInfo(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if info.Implementation != "firn" || info.LanguageInfo.Name != "go" || info.ProtocolVersion != protocol.Version {
		t.Errorf("kernel_info = %+v", info)
	}
	for _, tc := range []struct{ code, want, status string }{
		{"1+1", "[execute_result] 2\n", "ok"},
		{`fmt.Println("hello")`, "hello\n", "ok"},
		{"x := 40", "", "ok"},
		{"x + 2", "[execute_result] 42\n", "ok"},
		{"undefinedName", "[error] CompileError: ", "error"},
	} {
		reply, out := execute(t, ctx, k, tc.code)
		if reply.Status != tc.status || !strings.HasPrefix(out, tc.want) {
			t.Errorf("%q: status %s, output %q; want %s, %q", tc.code, reply.Status, out, tc.status, tc.want)
		}
	}
}
