package repl

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/mattn/go-sixel"
)

// Image modes (Options.Images).
const (
	ImagesAuto  = "auto"  // kitty when the terminal speaks it, else none
	ImagesKitty = "kitty" // the kitty graphics protocol (kitty, WezTerm, Konsole, Ghostty)
	ImagesSixel = "sixel" // sixel graphics (xterm -ti vt340, foot, mlterm, WezTerm)
	ImagesNone  = "none"  // plots are only written to files
)

// imageMode decides how plots are drawn in the terminal. FIRN_IMAGES
// overrides "auto"; auto picks kitty when TERM is xterm-kitty,
// KITTY_WINDOW_ID is set or TERM_PROGRAM is WezTerm, and none inside tmux
// or screen (they drop graphics) or when the output is not a terminal.
// Sixel is never guessed: detecting it needs a terminal query.
func imageMode(mode string, terminal bool, getenv func(string) string) (string, error) {
	switch mode {
	case ImagesKitty, ImagesSixel, ImagesNone:
		return mode, nil
	case "", ImagesAuto:
	default:
		return "", fmt.Errorf("repl: images %q: want auto, kitty, sixel or none", mode)
	}
	switch env := strings.ToLower(getenv("FIRN_IMAGES")); env {
	case ImagesKitty, ImagesSixel, ImagesNone:
		return env, nil
	}
	if !terminal {
		return ImagesNone, nil
	}
	term := getenv("TERM")
	if getenv("TMUX") != "" || strings.HasPrefix(term, "screen") || strings.HasPrefix(term, "tmux") {
		return ImagesNone, nil
	}
	if term == "xterm-kitty" || getenv("KITTY_WINDOW_ID") != "" || getenv("TERM_PROGRAM") == "WezTerm" {
		return ImagesKitty, nil
	}
	return ImagesNone, nil
}

// kittyChunk is the largest base64 payload of one kitty graphics escape.
const kittyChunk = 4096

// writeKitty draws a PNG at the cursor with the kitty graphics protocol:
// the base64 data in chunks of at most 4096 bytes, the first carrying the
// keys f=100 (PNG) and a=T (transmit and display), each m=1 except the
// last (m=0). See https://sw.kovidgoyal.net/kitty/graphics-protocol/.
func writeKitty(w io.Writer, pngData []byte) error {
	data := base64.StdEncoding.EncodeToString(pngData)
	var b strings.Builder
	for first := true; first || data != ""; first = false {
		n := min(len(data), kittyChunk)
		chunk := data[:n]
		data = data[n:]
		more := 0
		if data != "" {
			more = 1
		}
		b.WriteString("\x1b_G")
		if first {
			b.WriteString("f=100,a=T,")
		}
		fmt.Fprintf(&b, "m=%d;%s\x1b\\", more, chunk)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// writeSixel draws a PNG at the cursor as sixel graphics.
func writeSixel(w io.Writer, pngData []byte) error {
	img, err := png.Decode(bytes.NewReader(pngData))
	if err != nil {
		return fmt.Errorf("sixel: %w", err)
	}
	var b bytes.Buffer
	if err := sixel.NewEncoder(&b).Encode(img); err != nil {
		return fmt.Errorf("sixel: %w", err)
	}
	_, err = w.Write(b.Bytes())
	return err
}

// plotFiles numbers and writes the plots of a session: plot-001.png,
// plot-002.svg, ... in dir. Numbering continues after the highest plot
// already in dir, so plots of earlier sessions are never overwritten.
type plotFiles struct {
	dir  string
	next int // 0 until dir was looked at
}

var plotName = regexp.MustCompile(`^plot-(\d+)\.[A-Za-z0-9]+$`)

// reserve returns the next plot number.
func (p *plotFiles) reserve() int {
	if p.next == 0 {
		p.next = 1
		entries, _ := os.ReadDir(p.dir) // a missing folder has no plots
		for _, e := range entries {
			if m := plotName.FindStringSubmatch(e.Name()); m != nil {
				if n, err := strconv.Atoi(m[1]); err == nil && n >= p.next {
					p.next = n + 1
				}
			}
		}
	}
	n := p.next
	p.next++
	return n
}

// write writes plot number n with extension ext (without dot) and returns
// its path.
func (p *plotFiles) write(n int, ext string, data []byte) (string, error) {
	path := filepath.Join(p.dir, fmt.Sprintf("plot-%03d.%s", n, ext))
	if err := writeFileAtomic(path, data, 0o644); err != nil {
		return "", fmt.Errorf("writing plot: %w", err)
	}
	return path, nil
}
