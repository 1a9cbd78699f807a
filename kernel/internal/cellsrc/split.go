package cellsrc

import (
	"go/ast"
	"go/parser"
	"go/scanner"
	"go/token"
	"slices"
	"strings"
)

// unitKind classifies a top-level piece of a cell.
type unitKind int

const (
	unitImport unitKind = iota // an import declaration
	unitFunc                   // a function or method declaration
	unitDecl                   // a var, const or type declaration
	unitStmt                   // any other statement
)

// A unit is one top-level declaration or statement of a cell.
type unit struct {
	kind       unitKind
	start, end int      // byte offsets in the cell
	node       ast.Node // *ast.GenDecl, *ast.FuncDecl or ast.Stmt
	eff        effects  // what the unit declares
}

// Prefixes that turn blanked cell text into Go files for go/parser.
const (
	filePrefix = "package p;"
	bodyPrefix = "package p; func _() {"
	bodySuffix = "\n}"
)

// parsed holds the files parsed from one cell and maps their positions back
// to cell offsets.
type parsed struct {
	fset   *token.FileSet
	prefix map[*token.File]int
	size   int // length of the cell
}

// off returns the cell offset of pos, clamped to the cell.
func (p *parsed) off(pos token.Pos) int {
	f := p.fset.File(pos)
	if f == nil {
		return 0
	}
	o := f.Offset(pos) - p.prefix[f]
	return max(0, min(o, p.size))
}

// parse parses text (the cell with some parts blanked) wrapped by prefix and
// suffix. Syntax errors are returned with cell offsets.
func (p *parsed) parse(text, prefix, suffix string) (*ast.File, []posError) {
	src := prefix + text + suffix
	var errs []posError
	f, err := parser.ParseFile(p.fset, "", src, parser.SkipObjectResolution)
	if f != nil {
		p.prefix[p.fset.File(f.Package)] = len(prefix)
	}
	if list, ok := err.(scanner.ErrorList); ok {
		for _, e := range list {
			o := max(0, min(e.Pos.Offset-len(prefix), p.size))
			errs = append(errs, posError{o, e.Msg})
		}
	} else if err != nil {
		errs = append(errs, posError{0, err.Error()})
	}
	return f, errs
}

// posError is a syntax error at a cell offset.
type posError struct {
	off int
	msg string
}

// tok is a token found by the scanner, with cell offsets.
type tok struct {
	tok        token.Token
	start, end int
}

// scan returns the cell's tokens (no comments) and its first scanner error.
func scan(src string) ([]tok, *posError) {
	fset := token.NewFileSet()
	file := fset.AddFile("", fset.Base(), len(src))
	var first *posError
	var s scanner.Scanner
	s.Init(file, []byte(src), func(pos token.Position, msg string) {
		if first == nil {
			first = &posError{pos.Offset, msg}
		}
	}, 0)
	var toks []tok
	for {
		pos, t, lit := s.Scan()
		start := file.Offset(pos)
		end := start
		switch {
		case t == token.EOF:
		case t == token.SEMICOLON && lit != ";":
			// automatically inserted: takes no text
		case t == token.STRING && strings.HasPrefix(src[start:], "`"):
			// raw strings: lit has no carriage returns, so measure the source
			if k := strings.IndexByte(src[start+1:], '`'); k >= 0 {
				end = start + k + 2
			} else {
				end = len(src)
			}
		case lit != "":
			end = start + len(lit)
		default:
			end = start + len(t.String())
		}
		toks = append(toks, tok{t, start, min(end, len(src))})
		if t == token.EOF {
			return toks, first
		}
	}
}

// isFuncDecl reports whether the func keyword at toks[k] starts a function
// or method declaration (func Name..., func (recv) Name(...)) rather than a
// function literal.
func isFuncDecl(toks []tok, k int) bool {
	if k+1 >= len(toks) {
		return false
	}
	switch toks[k+1].tok {
	case token.IDENT:
		return true
	case token.LPAREN:
		depth := 0
		for j := k + 1; j < len(toks); j++ {
			switch toks[j].tok {
			case token.LPAREN, token.LBRACK, token.LBRACE:
				depth++
			case token.RPAREN, token.RBRACK, token.RBRACE:
				depth--
				if depth == 0 {
					return j+2 < len(toks) && toks[j+1].tok == token.IDENT && toks[j+2].tok == token.LPAREN
				}
			case token.EOF:
				return false
			}
		}
	}
	return false
}

// topLevel finds the cell's import and func declarations from its tokens:
// they start a top-level statement (at bracket depth 0, after a semicolon)
// and run to the next semicolon at depth 0. It also reports a package
// clause, which a cell cannot have.
func topLevel(toks []tok) (imports, funcs [][2]int, pkg *tok) {
	depth := 0
	atStart := true
	for k := 0; k < len(toks); k++ {
		t := toks[k]
		if atStart && depth == 0 {
			if t.tok == token.PACKAGE && pkg == nil {
				pkg = &toks[k]
			}
			if t.tok == token.IMPORT || (t.tok == token.FUNC && isFuncDecl(toks, k)) {
				d, j := 0, k
			extent:
				for ; j < len(toks); j++ {
					switch toks[j].tok {
					case token.LPAREN, token.LBRACK, token.LBRACE:
						d++
					case token.RPAREN, token.RBRACK, token.RBRACE:
						d--
					case token.SEMICOLON:
						if d <= 0 {
							break extent
						}
					case token.EOF:
						break extent
					}
				}
				span := [2]int{t.start, toks[max(j-1, k)].end}
				if t.tok == token.IMPORT {
					imports = append(imports, span)
				} else {
					funcs = append(funcs, span)
				}
				k = j // the semicolon (or EOF): the next token starts anew
				atStart = true
				continue
			}
		}
		atStart = false
		switch t.tok {
		case token.LPAREN, token.LBRACK, token.LBRACE:
			depth++
		case token.RPAREN, token.RBRACK, token.RBRACE:
			depth = max(0, depth-1)
		case token.SEMICOLON:
			atStart = depth == 0
		}
	}
	return imports, funcs, pkg
}

// blank returns src with every byte outside the spans replaced by a space,
// newlines kept, so offsets, lines and columns stay those of src.
func blank(src string, spans [][2]int) []byte {
	out := []byte(src)
	keep := make([]bool, len(src))
	for _, s := range spans {
		for k := s[0]; k < s[1]; k++ {
			keep[k] = true
		}
	}
	for k := range out {
		if !keep[k] && out[k] != '\n' {
			out[k] = ' '
		}
	}
	return out
}

// split cuts a cell into its top-level units, in source order, and returns
// them with the parsed files. A syntax error is returned as *Error.
func split(src string) ([]unit, *parsed, error) {
	toks, scanErr := scan(src)
	imports, funcs, pkg := topLevel(toks)
	p := &parsed{fset: token.NewFileSet(), prefix: map[*token.File]int{}, size: len(src)}
	if pkg != nil {
		return nil, nil, newError(src, pkg.start, "a cell cannot have a package clause: write the imports, declarations and statements without it")
	}

	var errs []posError
	if scanErr != nil {
		errs = append(errs, *scanErr)
	}
	impFile, e := p.parse(string(blank(src, imports)), filePrefix, "")
	errs = append(errs, e...)
	funcFile, e := p.parse(string(blank(src, funcs)), filePrefix, "")
	errs = append(errs, e...)

	// Everything else is parsed as the body of a function, so var, const
	// and type declarations and statements keep their source order.
	rest := []byte(src)
	for _, s := range append(append([][2]int{}, imports...), funcs...) {
		for k := s[0]; k < s[1]; k++ {
			if rest[k] != '\n' {
				rest[k] = ' '
			}
		}
	}
	bodyFile, e := p.parse(string(rest), bodyPrefix, bodySuffix)
	errs = append(errs, e...)
	if len(errs) > 0 {
		first := errs[0]
		for _, e := range errs[1:] {
			if e.off < first.off {
				first = e
			}
		}
		return nil, nil, newError(src, first.off, first.msg)
	}

	var units []unit
	for _, d := range impFile.Decls {
		units = append(units, unit{kind: unitImport, start: p.off(d.Pos()), end: p.off(d.End()), node: d})
	}
	for _, d := range funcFile.Decls {
		units = append(units, unit{kind: unitFunc, start: p.off(d.Pos()), end: p.off(d.End()), node: d})
	}
	if len(bodyFile.Decls) > 0 {
		if fd, ok := bodyFile.Decls[0].(*ast.FuncDecl); ok && fd.Body != nil {
			for _, s := range fd.Body.List {
				k := unitStmt
				switch s.(type) {
				case *ast.EmptyStmt:
					continue
				case *ast.DeclStmt:
					k = unitDecl
				}
				units = append(units, unit{kind: k, start: p.off(s.Pos()), end: p.off(s.End()), node: s})
			}
		}
	}
	sortUnits(units)
	return units, p, nil
}

// sortUnits orders units by their start offset.
func sortUnits(u []unit) {
	slices.SortStableFunc(u, func(a, b unit) int { return a.start - b.start })
}
