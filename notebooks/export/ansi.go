package export

import (
	"fmt"
	"html"
	"strconv"
	"strings"
	"unicode/utf8"
)

// ansiColors are the names of the eight ANSI colours in class names, as
// Jupyter writes them: ansi-red-fg, ansi-red-intense-fg, ansi-red-bg, ….
var ansiColors = [8]string{"black", "red", "green", "yellow", "blue", "magenta", "cyan", "white"}

// ansiStyle is the state that SGR sequences set. A colour is -1 (the
// default), 0–15 (the 16 named colours) or 1<<24 | 0xRRGGBB.
type ansiStyle struct {
	fg, bg                    int
	bold, faint, italic, line bool
	inverse, strike           bool
}

var plainStyle = ansiStyle{fg: -1, bg: -1}

const rgbFlag = 1 << 24

// ansiHTML converts terminal text to HTML: the text is escaped, SGR
// sequences (ESC [ … m) become spans with classes for the 16 named colours
// and for bold, italic and so on, and inline colours for 256-colour and
// 24-bit ones; other escape sequences (cursor movement, OSC titles and
// hyperlinks) are dropped.
func ansiHTML(s string) string {
	var b strings.Builder
	b.Grow(len(s) + len(s)/8)
	cur, open := plainStyle, false
	text := func(t string) {
		if t == "" {
			return
		}
		if !open && cur != plainStyle {
			b.WriteString(cur.openTag())
			open = true
		}
		b.WriteString(html.EscapeString(t))
	}
	forEachANSI(s, text, func(params string) {
		next := cur.apply(params)
		if next != cur && open {
			b.WriteString("</span>")
			open = false
		}
		cur = next
	})
	if open {
		b.WriteString("</span>")
	}
	return b.String()
}

// stripANSI removes the escape sequences from terminal text.
func stripANSI(s string) string {
	if !strings.Contains(s, "\x1b") {
		return s
	}
	var b strings.Builder
	forEachANSI(s, func(t string) { b.WriteString(t) }, func(string) {})
	return b.String()
}

// forEachANSI splits s into text, passed to text, and SGR sequences, whose
// parameters are passed to sgr; other escape sequences are skipped, and so
// is an unterminated one at the end.
func forEachANSI(s string, text func(string), sgr func(params string)) {
	for {
		i := strings.IndexByte(s, '\x1b')
		if i < 0 {
			text(s)
			return
		}
		text(s[:i])
		s = s[i+1:]
		if s == "" {
			return
		}
		switch s[0] {
		case '[': // CSI: parameter bytes 0x30–0x3f, intermediate 0x20–0x2f, final 0x40–0x7e
			j := 1
			for j < len(s) && s[j] >= 0x20 && s[j] <= 0x3f {
				j++
			}
			if j == len(s) {
				return
			}
			if s[j] == 'm' {
				sgr(s[1:j])
			}
			s = s[j+1:]
		case ']': // OSC, ended by BEL or ESC \
			end := strings.IndexAny(s, "\a\x1b")
			if end < 0 {
				return
			}
			if s[end] == '\x1b' && end+1 < len(s) && s[end+1] == '\\' {
				end++
			}
			s = s[end+1:]
		default: // a two-byte sequence such as ESC 7 or ESC (B's first part
			_, n := utf8.DecodeRuneInString(s)
			s = s[n:]
		}
	}
}

// apply returns the style after the SGR sequence with the given
// parameters (ECMA-48 section 8.3.117, with the xterm 256-colour and
// 24-bit extensions 38/48;5;n and 38/48;2;r;g;b).
func (st ansiStyle) apply(params string) ansiStyle {
	if params == "" {
		return plainStyle
	}
	ps := strings.FieldsFunc(params, func(r rune) bool { return r == ';' || r == ':' })
	nums := make([]int, 0, len(ps))
	for _, p := range ps {
		n, err := strconv.Atoi(p)
		if err != nil {
			n = -1
		}
		nums = append(nums, n)
	}
	for i := 0; i < len(nums); i++ {
		switch n := nums[i]; {
		case n == 0:
			st = plainStyle
		case n == 1:
			st.bold = true
		case n == 2:
			st.faint = true
		case n == 3:
			st.italic = true
		case n == 4:
			st.line = true
		case n == 7:
			st.inverse = true
		case n == 9:
			st.strike = true
		case n == 22:
			st.bold, st.faint = false, false
		case n == 23:
			st.italic = false
		case n == 24:
			st.line = false
		case n == 27:
			st.inverse = false
		case n == 29:
			st.strike = false
		case n >= 30 && n <= 37:
			st.fg = n - 30
		case n == 39:
			st.fg = -1
		case n >= 40 && n <= 47:
			st.bg = n - 40
		case n == 49:
			st.bg = -1
		case n >= 90 && n <= 97:
			st.fg = n - 90 + 8
		case n >= 100 && n <= 107:
			st.bg = n - 100 + 8
		case n == 38 || n == 48:
			c, used := extendedColor(nums[i+1:])
			i += used
			if c == -2 {
				continue
			}
			if n == 38 {
				st.fg = c
			} else {
				st.bg = c
			}
		}
	}
	return st
}

// extendedColor reads 5;n or 2;r;g;b after a 38 or 48 and returns the
// colour and how many numbers it used; -2 if they are invalid.
func extendedColor(nums []int) (color, used int) {
	if len(nums) == 0 {
		return -2, 0
	}
	switch nums[0] {
	case 5:
		if len(nums) < 2 || nums[1] < 0 || nums[1] > 255 {
			return -2, len(nums[:min(2, len(nums))])
		}
		return xterm256(nums[1]), 2
	case 2:
		if len(nums) < 4 {
			return -2, len(nums)
		}
		r, g, b := nums[1], nums[2], nums[3]
		if r < 0 || r > 255 || g < 0 || g > 255 || b < 0 || b > 255 {
			return -2, 4
		}
		return rgbFlag | r<<16 | g<<8 | b, 4
	}
	return -2, 1
}

// xterm256 is colour n of xterm's 256-colour palette: the 16 named
// colours, a 6×6×6 cube and 24 greys.
func xterm256(n int) int {
	switch {
	case n < 16:
		return n
	case n < 232:
		n -= 16
		level := func(v int) int {
			if v == 0 {
				return 0
			}
			return 55 + 40*v
		}
		return rgbFlag | level(n/36)<<16 | level(n/6%6)<<8 | level(n%6)
	default:
		g := 8 + 10*(n-232)
		return rgbFlag | g<<16 | g<<8 | g
	}
}

// openTag is the <span> that shows text in style st.
func (st ansiStyle) openTag() string {
	fg, bg := st.fg, st.bg
	if st.inverse {
		fg, bg = bg, fg
		// Inverse of the default colours: the page's background on its text colour.
		if fg == -1 {
			fg = rgbFlag | 0xffffff
		}
		if bg == -1 {
			bg = rgbFlag | 0x1f2328
		}
	}
	var classes, styles []string
	color := func(c int, kind string) {
		switch {
		case c < 0:
		case c < 8:
			classes = append(classes, "ansi-"+ansiColors[c]+"-"+kind)
		case c < 16:
			classes = append(classes, "ansi-"+ansiColors[c-8]+"-intense-"+kind)
		default:
			prop := "color"
			if kind == "bg" {
				prop = "background-color"
			}
			styles = append(styles, fmt.Sprintf("%s:#%06x", prop, c&^rgbFlag))
		}
	}
	color(fg, "fg")
	color(bg, "bg")
	for _, f := range []struct {
		on   bool
		name string
	}{{st.bold, "bold"}, {st.faint, "faint"}, {st.italic, "italic"}, {st.line, "underline"}, {st.strike, "strike"}} {
		if f.on {
			classes = append(classes, "ansi-"+f.name)
		}
	}
	var b strings.Builder
	b.WriteString("<span")
	if len(classes) > 0 {
		b.WriteString(` class="` + strings.Join(classes, " ") + `"`)
	}
	if len(styles) > 0 {
		b.WriteString(` style="` + strings.Join(styles, ";") + `"`)
	}
	b.WriteString(">")
	return b.String()
}

// terminalText applies what carriage returns and backspaces do on a
// terminal, as Jupyter does for streams: text after a \r overwrites its
// line from the start (a progress counter shows its last state), and a
// backspace deletes the character before it. \r\n is a newline.
func terminalText(s string) string {
	if !strings.ContainsAny(s, "\r\b") {
		return s
	}
	s = strings.ReplaceAll(s, "\r\n", "\n")
	lines := strings.Split(s, "\n")
	for i, line := range lines {
		if !strings.ContainsAny(line, "\r\b") {
			continue
		}
		var cur []rune
		col := 0
		for _, r := range line {
			switch r {
			case '\r':
				col = 0
			case '\b':
				if col > 0 {
					col--
					cur = append(cur[:col], cur[col+1:]...)
				}
			default:
				if col < len(cur) {
					cur[col] = r
				} else {
					cur = append(cur, r)
				}
				col++
			}
		}
		lines[i] = string(cur)
	}
	return strings.Join(lines, "\n")
}
