package export

import "testing"

func TestANSIHTML(t *testing.T) {
	for _, tc := range []struct {
		name, in, want string
	}{
		{"plain text is escaped", `a < b & "c"`, `a &lt; b &amp; &#34;c&#34;`},
		{"red", "\x1b[31mred\x1b[0m plain", `<span class="ansi-red-fg">red</span> plain`},
		{"bold bright and background", "\x1b[1;92;44mok\x1b[m", `<span class="ansi-green-intense-fg ansi-blue-bg ansi-bold">ok</span>`},
		{"style changes close the span", "\x1b[31ma\x1b[32mb\x1b[39mc", `<span class="ansi-red-fg">a</span><span class="ansi-green-fg">b</span>c`},
		{"reset of one attribute", "\x1b[1;3mx\x1b[22my\x1b[23mz", `<span class="ansi-bold ansi-italic">x</span><span class="ansi-italic">y</span>z`},
		{"256 colours", "\x1b[38;5;9ma\x1b[38;5;196mb\x1b[48;5;232mc", `<span class="ansi-red-intense-fg">a</span><span style="color:#ff0000">b</span><span style="color:#ff0000;background-color:#080808">c</span>`},
		{"24-bit colour", "\x1b[38;2;1;2;3mx", `<span style="color:#010203">x</span>`},
		{"invalid colours are ignored", "\x1b[38;2;300;0;0mx\x1b[38;5mz", `xz`},
		{"escaped inside a span", "\x1b[31m<script>\x1b[0m", `<span class="ansi-red-fg">&lt;script&gt;</span>`},
		{"cursor movement dropped", "a\x1b[2Kb\x1b[1Ac", `abc`},
		{"OSC hyperlink dropped, text kept", "\x1b]8;;http://x\x07link\x1b]8;;\x1b\\ end", `link end`},
		{"unterminated sequence dropped", "ok\x1b[31", `ok`},
		{"lone escape at the end", "ok\x1b", `ok`},
		{"inverse of the default colours", "\x1b[7mx", `<span style="color:#ffffff;background-color:#1f2328">x</span>`},
		{"empty styled text writes no span", "\x1b[31m\x1b[0mx", `x`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := ansiHTML(tc.in); got != tc.want {
				t.Errorf("ansiHTML(%q)\n got %s\nwant %s", tc.in, got, tc.want)
			}
		})
	}
}

func TestStripANSI(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"plain <b>", "plain <b>"},
		{"\x1b[1;31mpanic\x1b[0m: x", "panic: x"},
		{"a\x1b]0;title\x07b", "ab"},
	} {
		if got := stripANSI(tc.in); got != tc.want {
			t.Errorf("stripANSI(%q) = %q; want %q", tc.in, got, tc.want)
		}
	}
}

func TestTerminalText(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"no control", "no control"},
		{"10%\r50%\r100%\ndone\n", "100%\ndone\n"},
		{"long line\rshort", "shortline"},
		{"windows\r\nlines\r\n", "windows\nlines\n"},
		{"abc\b\bX", "aX"},
		{"\bx", "x"},
		{"é\rab", "ab"},
	} {
		if got := terminalText(tc.in); got != tc.want {
			t.Errorf("terminalText(%q) = %q; want %q", tc.in, got, tc.want)
		}
	}
}
