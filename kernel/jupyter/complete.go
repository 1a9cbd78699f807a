package jupyter

import (
	"go/scanner"
	"go/token"
	"strings"

	"github.com/firnglacier/firn/kernel/internal/cellsrc"
)

// isComplete answers an is_complete_request for a Go cell: "incomplete"
// while brackets are open, a raw string or a /* comment is not closed,
// or the last line ends where Go would not end a statement (after an
// operator, a comma, a dot); otherwise "complete" when the cell parses
// and "invalid" when it does not (a stray closing bracket, a syntax
// error more lines cannot fix). indent is the next line's indentation
// for an incomplete cell: a tab per open bracket.
func isComplete(code string) (status, indent string) {
	if strings.TrimSpace(code) == "" {
		return "complete", ""
	}
	fset := token.NewFileSet()
	file := fset.AddFile("", fset.Base(), len(code))
	unterminated := false
	var s scanner.Scanner
	s.Init(file, []byte(code), func(_ token.Position, msg string) {
		if msg == "raw string literal not terminated" || msg == "comment not terminated" {
			unterminated = true
		}
	}, 0)
	depth, last := 0, token.ILLEGAL
	for {
		_, tok, lit := s.Scan()
		if tok == token.EOF {
			break
		}
		if tok == token.SEMICOLON && lit != ";" {
			continue // inserted at a newline: not typed
		}
		switch tok {
		case token.LPAREN, token.LBRACK, token.LBRACE:
			depth++
		case token.RPAREN, token.RBRACK, token.RBRACE:
			depth--
			if depth < 0 {
				return "invalid", ""
			}
		}
		last = tok
	}
	switch {
	case unterminated:
		return "incomplete", ""
	case depth > 0:
		return "incomplete", strings.Repeat("\t", depth)
	case !endsStatement(last):
		return "incomplete", "\t"
	}
	var session cellsrc.Session
	if _, err := session.Prepare(code); err != nil {
		return "invalid", ""
	}
	return "complete", ""
}

// endsStatement reports whether Go ends a statement after tok at the end
// of a line (The Go Programming Language Specification, "Semicolons").
// ILLEGAL counts: the kernel reports it.
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
