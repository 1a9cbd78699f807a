package repl

import (
	"go/scanner"
	"go/token"
	"strings"
)

// inputState describes Go source typed so far.
type inputState struct {
	// incomplete: more lines are needed before the source can be run
	// (open brackets, an unterminated raw string or /* comment, or a last
	// token that cannot end a statement).
	incomplete bool
	// hasCode: the source holds at least one token that is not a comment.
	hasCode bool
	// decl: the first token starts a top-level declaration (import, const,
	// var, type, or a func or method declaration — not a func literal).
	decl bool
	// firstLine is the 1-based line of the first token (0 without code).
	firstLine int
}

// analyze scans src with go/scanner and reports whether it is complete.
//
// Brackets inside strings, runes and comments are not counted: the
// scanner skips them. A statement continues on the next line exactly when
// Go would not insert a semicolon at the end of the line: after an
// operator, a comma, a dot, a colon, or a keyword such as func or else.
// Errors other than an unterminated raw string or block comment (a stray
// character, an unterminated "string") make the source complete, so the
// kernel reports them instead of the prompt waiting for more.
func analyze(src string) inputState {
	var st inputState
	fset := token.NewFileSet()
	file := fset.AddFile("", fset.Base(), len(src))
	unterminated := false
	var s scanner.Scanner
	s.Init(file, []byte(src), func(_ token.Position, msg string) {
		if msg == "raw string literal not terminated" || msg == "comment not terminated" {
			unterminated = true
		}
	}, 0)

	depth := 0
	unbalanced := false
	last := token.ILLEGAL
	var toks []token.Token // the first few tokens, to classify declarations
	for {
		pos, tok, lit := s.Scan()
		if tok == token.EOF {
			break
		}
		if tok == token.SEMICOLON && lit != ";" {
			continue // inserted at a newline or at the end: not typed
		}
		if !st.hasCode {
			st.hasCode = true
			st.firstLine = file.Line(pos)
		}
		if len(toks) < 64 {
			toks = append(toks, tok)
		}
		switch tok {
		case token.LPAREN, token.LBRACK, token.LBRACE:
			depth++
		case token.RPAREN, token.RBRACK, token.RBRACE:
			depth--
			if depth < 0 {
				unbalanced = true
			}
		}
		last = tok
	}
	st.decl = isDecl(toks)
	switch {
	case !st.hasCode:
		st.incomplete = unterminated // an open /* comment
	case unbalanced:
		st.incomplete = false // a stray closing bracket: let the kernel say so
	case unterminated || depth > 0:
		st.incomplete = true
	default:
		st.incomplete = !endsStatement(last)
	}
	return st
}

// endsStatement reports whether Go inserts a semicolon after tok at the end
// of a line (The Go Programming Language Specification, "Semicolons"), or
// tok is a typed semicolon. ILLEGAL counts as an end: the kernel reports it.
func endsStatement(tok token.Token) bool {
	switch tok {
	case token.IDENT, token.INT, token.FLOAT, token.IMAG, token.CHAR, token.STRING,
		token.BREAK, token.CONTINUE, token.FALLTHROUGH, token.RETURN,
		token.INC, token.DEC, token.RPAREN, token.RBRACK, token.RBRACE,
		token.SEMICOLON, token.ILLEGAL:
		return true
	}
	return false
}

// isDecl reports whether toks start a top-level declaration. A func
// followed by a name, or by a parenthesised receiver, a name and a "(",
// is a declaration; any other func starts a func literal (an expression).
func isDecl(toks []token.Token) bool {
	if len(toks) == 0 {
		return false
	}
	switch toks[0] {
	case token.IMPORT, token.CONST, token.VAR, token.TYPE:
		return true
	case token.FUNC:
	default:
		return false
	}
	if len(toks) < 2 {
		return false
	}
	if toks[1] == token.IDENT {
		return true
	}
	if toks[1] != token.LPAREN {
		return false
	}
	depth := 0
	for i := 1; i < len(toks); i++ {
		switch toks[i] {
		case token.LPAREN:
			depth++
		case token.RPAREN:
			depth--
			if depth == 0 {
				// a method name and its parameters; a func literal has a
				// result type or its body here
				return i+2 < len(toks) && toks[i+1] == token.IDENT && toks[i+2] == token.LPAREN
			}
		}
	}
	return false
}

// A cell is a piece of a script run as one execute request.
type cell struct {
	Code string
	Line int // 1-based line of the script where Code starts
}

// splitter cuts a script into cells as its lines arrive (see splitCells).
type splitter struct {
	line    int      // lines seen so far
	chunk   []string // lines of the chunk being read
	chunkAt int      // script line of chunk[0]
	group   []string // consecutive complete declarations not yet emitted
	groupAt int      // script line of group[0]
}

// splitCells cuts a script into cells: each complete top-level statement
// (by the rule of analyze) is a cell, and a run of consecutive top-level
// declarations (import, const, var, type, func) is one cell, so that they
// may refer to each other in any order, as in a Go file. Comment-only and
// blank lines before a cell are dropped; an unfinished last chunk is a cell
// of its own (the kernel then reports what is missing).
func splitCells(src string) []cell {
	var sp splitter
	var cells []cell
	lines := strings.SplitAfter(src, "\n")
	for _, l := range lines {
		if l == "" {
			continue
		}
		cells = append(cells, sp.add(strings.TrimSuffix(strings.TrimSuffix(l, "\n"), "\r"))...)
	}
	return append(cells, sp.end()...)
}

// add takes the next line of the script (without its newline) and returns
// the cells it completes.
func (sp *splitter) add(line string) []cell {
	sp.line++
	if len(sp.chunk) == 0 {
		sp.chunkAt = sp.line
	}
	sp.chunk = append(sp.chunk, line)
	st := analyze(strings.Join(sp.chunk, "\n"))
	if st.incomplete {
		return nil
	}
	if !st.hasCode {
		if len(sp.group) > 0 {
			// comments between declarations stay in the group, so the
			// cell's lines are the script's lines
			sp.group = append(sp.group, sp.chunk...)
			sp.chunk = nil
			return nil
		}
		sp.chunk = nil // comments and blank lines before a cell: dropped
		return nil
	}
	lines, at := sp.trimmedChunk(st)
	sp.chunk = nil
	if st.decl {
		if len(sp.group) == 0 {
			sp.groupAt = at
		} else {
			lines = append(sp.group, lines...)
		}
		sp.group = lines
		return nil
	}
	cells := sp.flushGroup()
	return append(cells, cell{Code: strings.Join(lines, "\n"), Line: at})
}

// trimmedChunk returns the chunk without leading blank or // comment lines
// (when no declaration group is open), and the script line it starts on.
func (sp *splitter) trimmedChunk(st inputState) ([]string, int) {
	lines, at := sp.chunk, sp.chunkAt
	if len(sp.group) > 0 && st.decl {
		return lines, at // keep the comments inside a declaration group
	}
	for len(lines) > 1 && at < sp.chunkAt+st.firstLine-1 {
		t := strings.TrimSpace(lines[0])
		if t != "" && !strings.HasPrefix(t, "//") {
			break
		}
		lines, at = lines[1:], at+1
	}
	return lines, at
}

func (sp *splitter) flushGroup() []cell {
	if len(sp.group) == 0 {
		return nil
	}
	// trailing comment lines of a group are not code; drop them
	g := sp.group
	for len(g) > 0 {
		t := strings.TrimSpace(g[len(g)-1])
		if t != "" && !strings.HasPrefix(t, "//") {
			break
		}
		g = g[:len(g)-1]
	}
	c := cell{Code: strings.Join(g, "\n"), Line: sp.groupAt}
	sp.group = nil
	return []cell{c}
}

// end returns the cells left when the script ends.
func (sp *splitter) end() []cell {
	cells := sp.flushGroup()
	if len(sp.chunk) > 0 {
		st := analyze(strings.Join(sp.chunk, "\n"))
		if st.hasCode {
			lines, at := sp.trimmedChunk(st)
			cells = append(cells, cell{Code: strings.Join(lines, "\n"), Line: at})
		}
		sp.chunk = nil
	}
	return cells
}
