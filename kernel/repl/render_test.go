package repl

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/firnglacier/firn/kernel/protocol"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// iopub builds a published message with content.
func iopub(t *testing.T, msgType string, content any) *protocol.Message {
	t.Helper()
	m, err := protocol.New("s", protocol.IOPub, msgType, &protocol.Header{MsgID: "req"}, content)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func stream(t *testing.T, name, text string) *protocol.Message {
	return iopub(t, protocol.Stream, protocol.StreamContent{Name: name, Text: text})
}

func result(t *testing.T, text string) *protocol.Message {
	return iopub(t, protocol.ExecuteResult, protocol.ExecuteResultContent{ExecutionCount: 1, Data: protocol.Bundle{"text/plain": text}})
}

func display(t *testing.T, update bool, id string, data protocol.Bundle) *protocol.Message {
	typ := protocol.DisplayData
	if update {
		typ = protocol.UpdateDisplayData
	}
	c := protocol.DisplayDataContent{Data: data}
	if id != "" {
		c.Transient = &protocol.Transient{DisplayID: id}
	}
	return iopub(t, typ, c)
}

func text(s string) protocol.Bundle { return protocol.Bundle{"text/plain": s} }

func raw(msgType, content string) *protocol.Message {
	return &protocol.Message{Header: protocol.Header{MsgType: msgType}, Content: json.RawMessage(content)}
}

func TestRender(t *testing.T) {
	pngData := testPNG()
	png64 := base64.StdEncoding.EncodeToString(pngData)
	const svg = `<svg xmlns="http://www.w3.org/2000/svg"/>`
	plot := protocol.Bundle{"image/png": png64, "image/svg+xml": svg, "text/plain": "<Figure>"}
	type file struct{ name, content string }
	tests := []struct {
		name     string
		terminal bool
		images   string
		existing []string // plot files already in the folder
		msgs     func(t *testing.T) []*protocol.Message
		out, err string
		files    []file
	}{
		{name: "partial lines kept", msgs: func(t *testing.T) []*protocol.Message {
			return []*protocol.Message{stream(t, "stdout", "a"), stream(t, "stdout", "b\n"), stream(t, "stdout", "c")}
		}, out: "ab\nc"},
		{name: "terminal ends on a fresh line", terminal: true, msgs: func(t *testing.T) []*protocol.Message {
			return []*protocol.Message{stream(t, "stdout", "a"), stream(t, "stdout", "b\n"), stream(t, "stdout", "c")}
		}, out: "ab\nc\n"},
		{name: "stderr apart", msgs: func(t *testing.T) []*protocol.Message {
			return []*protocol.Message{stream(t, "stderr", "warn\n"), stream(t, "stdout", "ok\n")}
		}, out: "ok\n", err: "warn\n"},
		{name: "result", msgs: func(t *testing.T) []*protocol.Message {
			return []*protocol.Message{result(t, "42")}
		}, out: "42\n"},
		{name: "result after a partial line", msgs: func(t *testing.T) []*protocol.Message {
			return []*protocol.Message{stream(t, "stdout", "x"), result(t, "42")}
		}, out: "x\n42\n"},
		{name: "status and input skipped", msgs: func(t *testing.T) []*protocol.Message {
			return []*protocol.Message{iopub(t, protocol.Status, protocol.StatusContent{ExecutionState: "busy"}),
				iopub(t, protocol.ExecuteInput, protocol.ExecuteInputContent{Code: "1"}), result(t, "1")}
		}, out: "1\n"},
		{name: "error", msgs: func(t *testing.T) []*protocol.Message {
			return []*protocol.Message{iopub(t, protocol.Error, protocol.ErrorContent{EName: "CompileError", EValue: "cell 3 line 1: undefined: y",
				Traceback: []string{"cell 3 line 1: undefined: y", "y + 1\n^"}})}
		}, err: "CompileError: cell 3 line 1: undefined: y\ny + 1\n^\n"},
		{name: "error in red", terminal: true, msgs: func(t *testing.T) []*protocol.Message {
			return []*protocol.Message{iopub(t, protocol.Error, protocol.ErrorContent{EName: "panic", EValue: "boom", Traceback: []string{"panic: boom", "main.f()"}})}
		}, err: "\x1b[31mpanic: boom\x1b[0m\n\x1b[31mmain.f()\x1b[0m\n"},
		{name: "error colours stripped off a terminal", msgs: func(t *testing.T) []*protocol.Message {
			return []*protocol.Message{iopub(t, protocol.Error, protocol.ErrorContent{EName: "E", EValue: "v", Traceback: []string{"\x1b[1;31mline\x1b[0m"}})}
		}, err: "E: v\nline\n"},
		{name: "progress rewritten on a terminal", terminal: true, msgs: func(t *testing.T) []*protocol.Message {
			return []*protocol.Message{display(t, false, "p", text("0%")), display(t, true, "p", text("50%")), display(t, true, "p", text("100%"))}
		}, out: "0%\r\x1b[J50%\r\x1b[J100%\n"},
		{name: "progress final state in a log", msgs: func(t *testing.T) []*protocol.Message {
			return []*protocol.Message{display(t, false, "p", text("0%")), display(t, true, "p", text("50%")), display(t, true, "p", text("100%"))}
		}, out: "100%\n"},
		{name: "progress held until other output", msgs: func(t *testing.T) []*protocol.Message {
			return []*protocol.Message{display(t, false, "p", text("0%")), display(t, true, "p", text("50%")),
				stream(t, "stdout", "half way\n"), display(t, true, "p", text("100%"))}
		}, out: "50%\nhalf way\n100%\n"},
		{name: "terminal progress then output below", terminal: true, msgs: func(t *testing.T) []*protocol.Message {
			return []*protocol.Message{display(t, false, "p", text("1/2")), stream(t, "stdout", "log\n"), display(t, true, "p", text("2/2"))}
		}, out: "1/2\nlog\n2/2\n"},
		{name: "multi-line display rewritten", terminal: true, msgs: func(t *testing.T) []*protocol.Message {
			return []*protocol.Message{display(t, false, "d", text("a\nb\n")), display(t, true, "d", text("c\nd"))}
		}, out: "a\nb\r\x1b[1A\x1b[Jc\nd\n"},
		{name: "two displays", terminal: true, msgs: func(t *testing.T) []*protocol.Message {
			return []*protocol.Message{display(t, false, "a", text("A0")), display(t, false, "b", text("B0")),
				display(t, true, "b", text("B1")), display(t, true, "a", text("A1"))}
		}, out: "A0\nB0\r\x1b[JB1\nA1\n"},
		{name: "update without id ignored", msgs: func(t *testing.T) []*protocol.Message {
			return []*protocol.Message{display(t, true, "", text("x")), result(t, "1")}
		}, out: "1\n"},
		{name: "plot files", images: ImagesNone, msgs: func(t *testing.T) []*protocol.Message {
			return []*protocol.Message{display(t, false, "", plot)}
		}, out: "plot written to PLOTS/plot-001.png\nplot written to PLOTS/plot-001.svg\n",
			files: []file{{"plot-001.png", string(pngData)}, {"plot-001.svg", svg}}},
		{name: "plot numbering goes on", images: ImagesNone, existing: []string{"plot-007.png", "plot-002.svg", "notes.txt"},
			msgs: func(t *testing.T) []*protocol.Message {
				return []*protocol.Message{iopub(t, protocol.ExecuteResult, protocol.ExecuteResultContent{Data: protocol.Bundle{"image/svg+xml": []any{"<svg", "/>"}}})}
			}, out: "plot written to PLOTS/plot-008.svg\n", files: []file{{"plot-008.svg", "<svg/>"}}},
		{name: "plot inline with kitty", terminal: true, images: ImagesKitty, msgs: func(t *testing.T) []*protocol.Message {
			return []*protocol.Message{display(t, false, "", protocol.Bundle{"image/png": png64})}
		}, out: "\x1b_Gf=100,a=T,m=0;" + png64 + "\x1b\\\nplot written to PLOTS/plot-001.png\n",
			files: []file{{"plot-001.png", string(pngData)}}},
		{name: "plot update written once at the end", terminal: true, msgs: func(t *testing.T) []*protocol.Message {
			return []*protocol.Message{display(t, false, "f", protocol.Bundle{"image/svg+xml": "<svg>1</svg>"}),
				display(t, true, "f", protocol.Bundle{"image/svg+xml": "<svg>2</svg>"}),
				display(t, true, "f", protocol.Bundle{"image/svg+xml": "<svg>3</svg>"})}
		}, out: "plot written to PLOTS/plot-001.svg\nplot written to PLOTS/plot-002.svg\n",
			files: []file{{"plot-001.svg", "<svg>1</svg>"}, {"plot-002.svg", "<svg>3</svg>"}}},
		{name: "bad base64", msgs: func(t *testing.T) []*protocol.Message {
			return []*protocol.Message{display(t, false, "", protocol.Bundle{"image/png": "%%%"})}
		}, err: "firn: display has an image/png that is not base64: illegal base64 data at input byte 0\n"},
		{name: "base64 with line breaks", msgs: func(t *testing.T) []*protocol.Message {
			return []*protocol.Message{display(t, false, "", protocol.Bundle{"image/png": png64[:10] + "\n" + png64[10:]})}
		}, out: "plot written to PLOTS/plot-001.png\n", files: []file{{"plot-001.png", string(pngData)}}},
		{name: "no text form", msgs: func(t *testing.T) []*protocol.Message {
			return []*protocol.Message{display(t, false, "", protocol.Bundle{"text/html": "<b>x</b>", "image/jpeg": "..."})}
		}, out: "(image/jpeg, text/html: nothing to show in a terminal)\n"},
		{name: "json", msgs: func(t *testing.T) []*protocol.Message {
			return []*protocol.Message{display(t, false, "", protocol.Bundle{"application/json": map[string]any{"a": 1}})}
		}, out: "{\n  \"a\": 1\n}\n"},
		{name: "weird messages", msgs: func(t *testing.T) []*protocol.Message {
			return []*protocol.Message{nil, raw(protocol.Stream, `[1,2]`), raw("comm_open", `{}`), raw(protocol.Error, ``),
				raw(protocol.DisplayData, `{"data":null}`), raw(protocol.ExecuteResult, `{"data":{"text/plain":7}}`), result(t, "ok")}
		}, out: "(text/plain: nothing to show in a terminal)\nok\n",
			err: "firn: unreadable message from the kernel: protocol: stream content: json: cannot unmarshal array into Go value of type protocol.StreamContent\nerror\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for _, name := range tt.existing {
				if err := os.WriteFile(filepath.Join(dir, name), nil, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			images := tt.images
			if images == "" {
				images = ImagesNone
			}
			var out, errb bytes.Buffer
			r := newRenderer(&out, &errb, tt.terminal, tt.terminal, images, dir)
			r.begin()
			for _, m := range tt.msgs(t) {
				r.handle(m)
			}
			r.finish()
			if got := strings.ReplaceAll(out.String(), dir, "PLOTS"); got != tt.out {
				t.Errorf("out:\n got %q\nwant %q", got, tt.out)
			}
			if got := errb.String(); got != tt.err {
				t.Errorf("err:\n got %q\nwant %q", got, tt.err)
			}
			entries, _ := os.ReadDir(dir)
			if n := len(entries) - len(tt.existing); n != len(tt.files) {
				t.Errorf("%d new files in the plot folder, want %d", n, len(tt.files))
			}
			for _, f := range tt.files {
				b, err := os.ReadFile(filepath.Join(dir, f.name))
				if err != nil {
					t.Error(err)
				} else if string(b) != f.content {
					t.Errorf("%s holds %q, want %q", f.name, b, f.content)
				}
			}
		})
	}
}

func TestReplyErrorShownOnce(t *testing.T) {
	reply := protocol.ExecuteReplyContent{Status: "error", EName: "KernelDied", EValue: "out of memory"}
	var out, errb bytes.Buffer
	r := newRenderer(&out, &errb, false, false, ImagesNone, t.TempDir())
	r.begin()
	r.replyError(reply) // the kernel published no error message
	r.begin()
	r.handle(iopub(t, protocol.Error, protocol.ErrorContent{EName: "E", EValue: "v"}))
	r.replyError(reply) // already shown by the message
	if want := "KernelDied: out of memory\nE: v\n"; errb.String() != want {
		t.Errorf("got %q, want %q", errb.String(), want)
	}
}

// TestRenderRecorded renders a recorded cell (a model run with a progress
// display, a log line, a plot, a result and a late error) for a terminal
// and for a log, against golden files (go test -update rewrites them).
func TestRenderRecorded(t *testing.T) {
	f, err := os.Open(filepath.Join("testdata", "run.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var msgs []*protocol.Message
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var m protocol.Message
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatal(err)
		}
		msgs = append(msgs, &m)
	}
	for _, mode := range []struct {
		name     string
		terminal bool
	}{{"terminal", true}, {"log", false}} {
		t.Run(mode.name, func(t *testing.T) {
			dir := t.TempDir()
			var buf bytes.Buffer
			r := newRenderer(&buf, &buf, mode.terminal, mode.terminal, ImagesNone, dir)
			r.begin()
			for _, m := range msgs {
				r.handle(m)
			}
			r.finish()
			got := strings.ReplaceAll(buf.String(), dir, "PLOTS")
			golden := filepath.Join("testdata", "run."+mode.name+".golden")
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if got != string(want) {
				t.Errorf("%s differs:\n got %q\nwant %q", golden, got, want)
			}
			if _, err := os.Stat(filepath.Join(dir, "plot-001.svg")); err != nil {
				t.Error(err)
			}
		})
	}
}
