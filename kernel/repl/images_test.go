package repl

import (
	"bytes"
	"encoding/base64"
	"strings"
	"testing"
)

func TestWriteKitty(t *testing.T) {
	tests := []struct {
		name   string
		size   int   // bytes of "PNG" data
		chunks []int // expected base64 lengths of the escapes
	}{
		{"empty", 0, []int{0}},
		{"small", 10, []int{16}},
		{"exactly one chunk", 3072, []int{4096}},
		{"one byte over", 3073, []int{4096, 4}},
		{"three chunks", 3072*2 + 300, []int{4096, 4096, 400}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := make([]byte, tt.size)
			for i := range data {
				data[i] = byte(i * 7)
			}
			var b bytes.Buffer
			if err := writeKitty(&b, data); err != nil {
				t.Fatal(err)
			}
			out := b.String()
			if !strings.HasSuffix(out, "\x1b\\") {
				t.Fatalf("output does not end with ST: %q", out[max(0, len(out)-10):])
			}
			escapes := strings.Split(strings.TrimSuffix(out, "\x1b\\"), "\x1b\\")
			if len(escapes) != len(tt.chunks) {
				t.Fatalf("%d escapes, want %d", len(escapes), len(tt.chunks))
			}
			var payload strings.Builder
			for i, e := range escapes {
				keys, chunk, ok := strings.Cut(strings.TrimPrefix(e, "\x1b_G"), ";")
				if !ok || !strings.HasPrefix(e, "\x1b_G") {
					t.Fatalf("escape %d is not a graphics command: %q", i, e[:min(len(e), 20)])
				}
				more := "m=1"
				if i == len(escapes)-1 {
					more = "m=0"
				}
				wantKeys := more
				if i == 0 {
					wantKeys = "f=100,a=T," + more
				}
				if keys != wantKeys {
					t.Errorf("escape %d keys %q, want %q", i, keys, wantKeys)
				}
				if len(chunk) != tt.chunks[i] {
					t.Errorf("escape %d carries %d bytes, want %d", i, len(chunk), tt.chunks[i])
				}
				payload.WriteString(chunk)
			}
			got, err := base64.StdEncoding.DecodeString(payload.String())
			if err != nil || !bytes.Equal(got, data) {
				t.Errorf("the chunks do not join to the image (err %v)", err)
			}
		})
	}
}

func TestWriteSixel(t *testing.T) {
	var b bytes.Buffer
	if err := writeSixel(&b, testPNG()); err != nil {
		t.Fatal(err)
	}
	// DCS ... q (sixel data) ... ST
	if out := b.String(); !strings.HasPrefix(out, "\x1bP") || !strings.Contains(out, "q") || !strings.HasSuffix(out, "\x1b\\") {
		t.Errorf("not a sixel image: %q", out)
	}
	if err := writeSixel(&b, []byte("not a png")); err == nil {
		t.Error("no error for bad PNG data")
	}
}

func TestImageMode(t *testing.T) {
	tests := []struct {
		mode     string
		terminal bool
		env      map[string]string
		want     string
	}{
		{"", true, nil, ImagesNone},
		{"auto", true, map[string]string{"TERM": "xterm-kitty"}, ImagesKitty},
		{"auto", true, map[string]string{"TERM": "xterm-256color", "KITTY_WINDOW_ID": "1"}, ImagesKitty},
		{"auto", true, map[string]string{"TERM_PROGRAM": "WezTerm"}, ImagesKitty},
		{"auto", true, map[string]string{"TERM": "xterm-kitty", "TMUX": "/tmp/tmux-0/default,1,0"}, ImagesNone},
		{"auto", true, map[string]string{"TERM": "screen-256color", "KITTY_WINDOW_ID": "1"}, ImagesNone},
		{"auto", false, map[string]string{"TERM": "xterm-kitty"}, ImagesNone},
		{"auto", true, map[string]string{"FIRN_IMAGES": "sixel"}, ImagesSixel},
		{"auto", false, map[string]string{"FIRN_IMAGES": "Kitty"}, ImagesKitty},
		{"auto", true, map[string]string{"TERM": "xterm-kitty", "FIRN_IMAGES": "none"}, ImagesNone},
		{"sixel", false, nil, ImagesSixel},
		{"kitty", false, map[string]string{"FIRN_IMAGES": "none"}, ImagesKitty},
		{"none", true, map[string]string{"TERM": "xterm-kitty"}, ImagesNone},
	}
	for _, tt := range tests {
		got, err := imageMode(tt.mode, tt.terminal, func(k string) string { return tt.env[k] })
		if err != nil || got != tt.want {
			t.Errorf("imageMode(%q, %v, %v) = %q, %v; want %q", tt.mode, tt.terminal, tt.env, got, err, tt.want)
		}
	}
	if _, err := imageMode("iterm", true, func(string) string { return "" }); err == nil {
		t.Error("no error for an unknown mode")
	}
}
