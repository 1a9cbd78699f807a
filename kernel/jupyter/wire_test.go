package jupyter_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"strings"
	"sync"
	"testing"

	"github.com/go-zeromq/zmq4"

	"github.com/firnglacier/firn/kernel/jupyter"
)

// watchWriter keeps a process's standard error and tells when a text
// has appeared in it.
type watchWriter struct {
	mu   sync.Mutex
	buf  bytes.Buffer
	text string
	seen chan struct{}
	once sync.Once
}

func (w *watchWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	if strings.Contains(w.buf.String(), w.text) {
		w.once.Do(func() { close(w.seen) })
	}
	return len(p), nil
}

// rawMessage is a wire message made by hand: header, parent, metadata
// and content, signed with key by HMAC-SHA256 as Jupyter's messaging
// specification says (this test's own signing, not the package's).
func rawMessage(t *testing.T, key, msgID, msgType string, content any, corrupt bool) zmq4.Msg {
	t.Helper()
	header, _ := json.Marshal(map[string]any{
		"msg_id": msgID, "session": "raw-session", "username": "test", "date": "2026-01-01T00:00:00.000000Z",
		"msg_type": msgType, "version": "5.3",
	})
	body, _ := json.Marshal(content)
	parts := [][]byte{header, []byte("{}"), []byte("{}"), body}
	mac := hmac.New(sha256.New, []byte(key))
	for _, p := range parts {
		mac.Write(p)
	}
	sig := hex.EncodeToString(mac.Sum(nil))
	if corrupt {
		sig = strings.Repeat("0", len(sig))
	}
	return zmq4.NewMsgFrom(append([][]byte{[]byte("<IDS|MSG>"), []byte(sig)}, parts...)...)
}

// TestSignatures: the kernel refuses a request whose HMAC-SHA256
// signature is wrong (it answers nothing and says so on its standard
// error), or that replays a signature, and answers a well signed one,
// signing its reply with the connection's key.
func TestSignatures(t *testing.T) {
	// The refusals are written in order: the replay's comes last.
	stderr := &watchWriter{text: "a replay", seen: make(chan struct{})}
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	k, err := jupyter.Start(ctx, jupyter.StartOptions{Argv: firnArgv(), Dir: t.TempDir(), Stderr: stderr})
	if err != nil {
		t.Fatal(err)
	}
	defer k.Shutdown(ctx)

	dealer := zmq4.NewDealer(ctx, zmq4.WithID(zmq4.SocketIdentity("raw-client")), zmq4.WithLogger(log.New(io.Discard, "", 0)))
	defer dealer.Close()
	if err := dealer.Dial(fmt.Sprintf("tcp://%s:%d", k.Info.IP, k.Info.ShellPort)); err != nil {
		t.Fatal(err)
	}
	good := rawMessage(t, k.Info.Key, "good-1", "kernel_info_request", map[string]any{}, false)
	for _, m := range []zmq4.Msg{
		rawMessage(t, k.Info.Key, "forged", "kernel_info_request", map[string]any{}, true),
		rawMessage(t, "not the key", "wrong-key", "kernel_info_request", map[string]any{}, false),
		good,
		good, // a replay: refused
		rawMessage(t, k.Info.Key, "good-2", "kernel_info_request", map[string]any{}, false),
	} {
		if err := dealer.SendMulti(m); err != nil {
			t.Fatal(err)
		}
	}
	// One socket keeps its order and the kernel answers shell requests in
	// order: had it taken a refused request, that reply would come first.
	for _, want := range []string{"good-1", "good-2"} {
		reply, err := dealer.Recv()
		if err != nil {
			t.Fatal(err)
		}
		f := reply.Frames
		i := 0
		for i < len(f) && string(f[i]) != "<IDS|MSG>" {
			i++
		}
		if len(f) < i+6 {
			t.Fatalf("reply frames %q", f)
		}
		mac := hmac.New(sha256.New, []byte(k.Info.Key))
		for _, p := range f[i+2 : i+6] {
			mac.Write(p)
		}
		if got := string(f[i+1]); got != hex.EncodeToString(mac.Sum(nil)) {
			t.Errorf("the reply's signature %s is not the HMAC-SHA256 of its frames", got)
		}
		var header, parent struct {
			MsgType string `json:"msg_type"`
			MsgID   string `json:"msg_id"`
		}
		_ = json.Unmarshal(f[i+2], &header)
		_ = json.Unmarshal(f[i+3], &parent)
		if header.MsgType != "kernel_info_reply" || parent.MsgID != want {
			t.Errorf("got %s to %s, want kernel_info_reply to %s", header.MsgType, parent.MsgID, want)
		}
	}
	select {
	case <-stderr.seen:
	case <-ctx.Done():
		t.Fatal("the kernel did not say it refused the replay")
	}
	stderr.mu.Lock()
	log := stderr.buf.String()
	stderr.mu.Unlock()
	if n := strings.Count(log, "its signature is wrong"); n != 2 || !strings.Contains(log, "a replay") {
		t.Errorf("standard error: want 2 wrong signatures and a replay refused:\n%s", log)
	}
}

// TestHeartbeat: the heartbeat socket echoes a ping.
func TestHeartbeat(t *testing.T) {
	k, ctx := startFirn(t)
	if err := jupyter.Heartbeat(ctx, k.Info); err != nil {
		t.Fatal(err)
	}
}
