package export

import (
	"bytes"
	"fmt"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// This file is a goldmark extension that protects TeX math from Markdown:
// the text between the delimiters $…$, $$…$$, \(…\) and \[…\] is taken as it
// is (no emphasis, escapes or links inside) and written as a span or div of
// class "math" holding the TeX between \(…\) or \[…\], HTML-escaped, for
// KaTeX to typeset in the page.
//
// The rules follow Jupyter and pandoc's tex_math_dollars: an opening $ must
// be followed by a non-space character, and a closing $ must follow a
// non-space character and not be followed by a digit, so "$5 and $10" is
// text. A backslash escapes the next character inside math (so \$ does not
// close $…$) and outside it (so \$ is a dollar sign). A line that starts
// with $$ or \[ starts a display block that may span lines up to the line
// that ends with the closing delimiter; without a closing delimiter before
// a blank line it is ordinary text.

// kindMath is the kind of a mathInline node.
var kindMath = ast.NewNodeKind("Math")

// kindMathBlock is the kind of a mathBlock node.
var kindMathBlock = ast.NewNodeKind("MathBlock")

// mathInline is inline math; Display is true for $$…$$ and \[…\] in a paragraph.
type mathInline struct {
	ast.BaseInline
	TeX     []byte
	Display bool
}

// Kind implements ast.Node.
func (n *mathInline) Kind() ast.NodeKind { return kindMath }

// Dump implements ast.Node.
func (n *mathInline) Dump(source []byte, level int) {
	ast.DumpHelper(n, source, level, map[string]string{"TeX": string(n.TeX), "Display": fmt.Sprint(n.Display)}, nil)
}

// mathBlock is display math that starts a line: $$…$$ or \[…\].
type mathBlock struct {
	ast.BaseBlock
	TeX   []byte
	close []byte // the closing delimiter
}

// Kind implements ast.Node.
func (n *mathBlock) Kind() ast.NodeKind { return kindMathBlock }

// IsRaw implements ast.Node: the content is not parsed as Markdown.
func (n *mathBlock) IsRaw() bool { return true }

// Dump implements ast.Node.
func (n *mathBlock) Dump(source []byte, level int) {
	ast.DumpHelper(n, source, level, map[string]string{"TeX": string(n.TeX)}, nil)
}

// mathExtension adds the math parsers and renderers to a goldmark.Markdown.
type mathExtension struct{}

func (mathExtension) Extend(m goldmark.Markdown) {
	m.Parser().AddOptions(
		// Before goldmark's block parsers (100–1000), though only the
		// paragraph parser shares a trigger with it.
		parser.WithBlockParsers(util.Prioritized(mathBlockParser{}, 90)),
		// Before goldmark's inline parsers (100–500): emphasis must not
		// see what is inside math. (Backslash escapes are not a parser;
		// goldmark asks the parsers first.)
		parser.WithInlineParsers(util.Prioritized(mathParser{}, 50)),
	)
	m.Renderer().AddOptions(renderer.WithNodeRenderers(util.Prioritized(mathRenderer{}, 50)))
}

// closer returns the closing delimiter for the opening one that starts b,
// and whether it is display math; ok is false if b starts none.
func closer(b []byte) (open, close []byte, display, ok bool) {
	switch {
	case bytes.HasPrefix(b, []byte("$$")):
		return b[:2], []byte("$$"), true, true
	case bytes.HasPrefix(b, []byte("$")):
		return b[:1], []byte("$"), false, true
	case bytes.HasPrefix(b, []byte(`\(`)):
		return b[:2], []byte(`\)`), false, true
	case bytes.HasPrefix(b, []byte(`\[`)):
		return b[:2], []byte(`\]`), true, true
	}
	return nil, nil, false, false
}

// findClose returns the index in s of the delimiter that closes math
// opened by open, or -1. Backslash pairs are skipped, and for $ the pandoc
// rules hold (see the top of this file).
func findClose(s, open, close []byte) int {
	single := len(open) == 1
	for i := 0; i < len(s); i++ {
		if bytes.HasPrefix(s[i:], close) {
			if !single {
				return i
			}
			after := i + 1
			okBefore := i > 0 && !isSpace(s[i-1])
			okAfter := after >= len(s) || s[after] < '0' || s[after] > '9'
			if okBefore && okAfter {
				return i
			}
		}
		if s[i] == '\\' {
			i++
		}
	}
	return -1
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' }

// mathParser parses inline math.
type mathParser struct{}

func (mathParser) Trigger() []byte { return []byte{'$', '\\'} }

func (mathParser) Parse(parent ast.Node, block text.Reader, pc parser.Context) ast.Node {
	line, _ := block.PeekLine()
	open, cl, display, ok := closer(line)
	if !ok {
		return nil
	}
	if len(open) == 1 && (len(line) < 2 || isSpace(line[1])) {
		return nil // "$ 5": an opening $ is followed by a non-space
	}
	l, pos := block.Position()
	block.Advance(len(open))
	var tex []byte
	for {
		line, _ := block.PeekLine()
		if line == nil {
			block.SetPosition(l, pos)
			return nil
		}
		if i := findClose(line, open, cl); i >= 0 {
			tex = append(tex, line[:i]...)
			block.Advance(i + len(cl))
			break
		}
		tex = append(tex, line...)
		block.AdvanceLine()
	}
	if len(bytes.TrimSpace(tex)) == 0 {
		block.SetPosition(l, pos)
		return nil
	}
	return &mathInline{TeX: tex, Display: display}
}

// mathBlockParser parses display math that starts a line.
type mathBlockParser struct{}

func (mathBlockParser) Trigger() []byte { return []byte{'$', '\\'} }

func (mathBlockParser) Open(parent ast.Node, reader text.Reader, pc parser.Context) (ast.Node, parser.State) {
	line, seg := reader.PeekLine()
	pos := pc.BlockOffset()
	if pos < 0 {
		return nil, parser.NoChildren
	}
	open, cl, display, ok := closer(line[pos:])
	if !ok || !display {
		return nil, parser.NoChildren
	}
	rest := line[pos+len(open):]
	if i := findClose(rest, open, cl); i >= 0 {
		// One line: a block only if nothing follows the closer.
		if !util.IsBlank(rest[i+len(cl):]) {
			return nil, parser.NoChildren
		}
		reader.AdvanceToEOL()
		return &mathBlock{TeX: bytes.Clone(rest[:i])}, parser.Close
	}
	// Several lines: a block only if a later line, before a blank line,
	// ends with the closer. The look-ahead reads the source, so it sees
	// container prefixes (> of a quote), which only matter when they hide
	// a blank line.
	src := reader.Source()
	ahead := src[min(seg.Stop, len(src)):]
	for len(ahead) > 0 {
		next, after, _ := bytes.Cut(ahead, []byte("\n"))
		next = bytes.TrimRight(next, " \t\r")
		if len(bytes.Trim(next, " \t>")) == 0 {
			return nil, parser.NoChildren
		}
		if bytes.HasSuffix(next, cl) {
			break
		}
		ahead = after
	}
	if len(ahead) == 0 {
		return nil, parser.NoChildren
	}
	n := &mathBlock{TeX: bytes.Clone(rest), close: cl}
	reader.AdvanceToEOL()
	return n, parser.NoChildren
}

func (mathBlockParser) Continue(node ast.Node, reader text.Reader, pc parser.Context) parser.State {
	n := node.(*mathBlock)
	line, _ := reader.PeekLine()
	if trimmed := bytes.TrimRight(line, " \t\r\n"); bytes.HasSuffix(trimmed, n.close) {
		n.TeX = append(n.TeX, trimmed[:len(trimmed)-len(n.close)]...)
		reader.AdvanceToEOL()
		return parser.Close
	}
	n.TeX = append(n.TeX, line...)
	reader.AdvanceToEOL()
	return parser.Continue | parser.NoChildren
}

func (mathBlockParser) Close(node ast.Node, reader text.Reader, pc parser.Context) {}
func (mathBlockParser) CanInterruptParagraph() bool                                { return true }
func (mathBlockParser) CanAcceptIndentedLine() bool                                { return false }

// mathRenderer writes math as TeX between \( \) or \[ \] in an element of
// class "math", for KaTeX in the page.
type mathRenderer struct{}

func (mathRenderer) RegisterFuncs(r renderer.NodeRendererFuncRegisterer) {
	r.Register(kindMath, func(w util.BufWriter, source []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
		if entering {
			n := node.(*mathInline)
			writeMath(w, "span", n.TeX, n.Display)
		}
		return ast.WalkSkipChildren, nil
	})
	r.Register(kindMathBlock, func(w util.BufWriter, source []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
		if entering {
			writeMath(w, "div", node.(*mathBlock).TeX, true)
			w.WriteByte('\n')
		}
		return ast.WalkSkipChildren, nil
	})
}

// writeMath writes TeX in an element of class "math inline" or "math
// display", between the delimiters KaTeX's script in the page expects.
func writeMath(w util.BufWriter, elem string, tex []byte, display bool) {
	class, open, close := "math inline", `\(`, `\)`
	if display {
		class, open, close = "math display", `\[`, `\]`
	}
	fmt.Fprintf(w, `<%s class="%s">%s`, elem, class, open)
	w.Write(util.EscapeHTML(tex))
	fmt.Fprintf(w, `%s</%s>`, close, elem)
}
