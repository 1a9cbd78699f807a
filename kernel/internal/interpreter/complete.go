package interpreter

import (
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strings"
	"unicode"

	"github.com/firnglacier/firn/kernel/display"
	"github.com/firnglacier/firn/kernel/internal/symbols"
)

// Go's keywords and builtin functions.
const (
	goKeywords = `break case chan const continue default defer else fallthrough for func go goto
if import interface map package range return select struct switch type var`
	goBuiltinFuncs = `append cap clear close complex copy delete imag len make max min new panic print println real recover`
)

// keywords and builtins offered when completing a bare name.
var goWords = strings.Fields(goKeywords + " " + goBuiltinFuncs + `
bool byte complex128 complex64 error float32 float64 int int16 int32 int64 int8 rune string uint uint16 uint32 uint64 uint8 uintptr any
true false nil iota`)

func isIdentRune(r rune) bool { return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) }

// A Completion is one name offered at the cursor, with what a completion
// popup shows beside it.
type Completion struct {
	Text string
	// Type is the kind of name, as Jupyter's completion types say it:
	// "function", "method", "type", "variable", "constant", "field",
	// "package", "keyword".
	Type string
	// Signature is its declaration without the name's package, as
	// "func(a ...any) (n int, err error)" or a variable's type ("" when
	// unknown).
	Signature string
	// Doc is the first sentence of its doc comment ("" when none).
	Doc string
}

// Complete lists the completions of the name before cursor (a count of
// code points into code): package members after "pkg.", fields and
// methods after "variable.", otherwise variables, functions, types,
// packages, keywords and builtins. The matches replace
// code[start:end] (code points).
func (in *Interpreter) Complete(code string, cursor int) (matches []string, start, end int) {
	cs, start, end := in.Completions(code, cursor)
	for _, c := range cs {
		matches = append(matches, c.Text)
	}
	return matches, start, end
}

// Completions is Complete with each match's kind, signature and one-line
// doc.
func (in *Interpreter) Completions(code string, cursor int) (out []Completion, start, end int) {
	runes := []rune(code)
	cursor = max(0, min(cursor, len(runes)))
	s := cursor
	for s > 0 && (isIdentRune(runes[s-1]) || runes[s-1] == '.') {
		s--
	}
	word := string(runes[s:cursor])
	in.mu.Lock()
	imports := in.imports()
	globals := in.globals
	declared := in.declared
	in.mu.Unlock()

	var candidates []Completion
	partial := word
	start = s
	if i := strings.LastIndex(word, "."); i >= 0 {
		base := word[:i]
		partial = word[i+1:]
		start = s + len([]rune(word[:i+1]))
		if path, ok := imports[base]; ok {
			for _, m := range in.catalog.Members(path) {
				if !strings.HasPrefix(m.Name, partial) {
					continue
				}
				c := Completion{Text: m.Name, Type: memberType(m.Kind), Signature: m.Signature}
				if d, ok := symbols.Doc(path + "." + m.Name); ok {
					c.Signature, c.Doc = d.Signature, firstSentence(d.Doc)
				}
				candidates = append(candidates, c)
			}
		} else if t, ok := globals[base]; ok {
			candidates = typeMembers(t, partial)
		}
	} else {
		for name, t := range globals {
			candidates = append(candidates, Completion{Text: name, Type: "variable", Signature: t.String()})
		}
		for name := range declared {
			candidates = append(candidates, Completion{Text: name, Type: "function"})
		}
		for name, path := range imports {
			c := Completion{Text: name, Type: "package", Signature: "package " + path}
			if d, ok := symbols.Doc(path); ok {
				c.Doc = firstSentence(d.Doc)
			}
			candidates = append(candidates, c)
		}
		for _, w := range goWords {
			candidates = append(candidates, Completion{Text: w, Type: wordType(w)})
		}
	}
	seen := map[string]bool{}
	for _, c := range candidates {
		if seen[c.Text] || !strings.HasPrefix(c.Text, partial) || strings.HasPrefix(c.Text, "__") || strings.ContainsRune(c.Text, 'ʹ') || c.Text == "_" {
			continue
		}
		seen[c.Text] = true
		out = append(out, c)
	}
	sort.Slice(out, func(a, b int) bool { return out[a].Text < out[b].Text })
	return out, start, cursor
}

// memberType is Jupyter's completion type of a package member.
func memberType(k symbols.Kind) string {
	switch k {
	case symbols.Func:
		return "function"
	case symbols.Type:
		return "type"
	case symbols.Const:
		return "constant"
	}
	return "variable"
}

// wordType is the completion type of a Go keyword or predeclared name.
func wordType(w string) string {
	switch {
	case slices.Contains(strings.Fields(goKeywords), w):
		return "keyword"
	case slices.Contains(strings.Fields(goBuiltinFuncs), w):
		return "function"
	case w == "true" || w == "false" || w == "nil" || w == "iota":
		return "constant"
	}
	return "type"
}

// firstSentence is the first sentence of a doc comment, on one line.
func firstSentence(doc string) string {
	doc = strings.Join(strings.Fields(doc), " ")
	for i := 0; i+1 < len(doc); i++ {
		if doc[i] == '.' && doc[i+1] == ' ' {
			return doc[:i+1]
		}
	}
	return doc
}

// typeMembers are the exported fields and methods of t (and of *t or
// the pointed-to type) that start with partial, documented when t is a
// type of Firn's.
func typeMembers(t reflect.Type, partial string) []Completion {
	base := t
	for base.Kind() == reflect.Pointer {
		base = base.Elem()
	}
	pkg := shortPath(base.PkgPath())
	doc := func(c Completion) Completion {
		if d, ok := symbols.Doc(pkg + "." + base.Name() + "." + c.Text); ok && pkg != "" {
			c.Signature, c.Doc = d.Signature, firstSentence(d.Doc)
		}
		return c
	}
	var out []Completion
	for _, tt := range []reflect.Type{t, reflect.PointerTo(base)} {
		for i := range tt.NumMethod() {
			m := tt.Method(i)
			if strings.HasPrefix(m.Name, partial) {
				out = append(out, doc(Completion{Text: m.Name, Type: "method", Signature: "func" + strings.TrimPrefix(methodType(tt, m), "func")}))
			}
		}
	}
	if base.Kind() == reflect.Struct {
		for i := range base.NumField() {
			if f := base.Field(i); f.IsExported() && strings.HasPrefix(f.Name, partial) {
				out = append(out, doc(Completion{Text: f.Name, Type: "field", Signature: f.Type.String()}))
			}
		}
	}
	return out
}

// methodType is m's signature without its receiver.
func methodType(t reflect.Type, m reflect.Method) string {
	if t.Kind() == reflect.Interface {
		return m.Type.String()
	}
	ft := m.Type // has the receiver first
	var in, out []string
	for i := 1; i < ft.NumIn(); i++ {
		in = append(in, ft.In(i).String())
	}
	for i := range ft.NumOut() {
		out = append(out, ft.Out(i).String())
	}
	sig := "func(" + strings.Join(in, ", ") + ")"
	switch len(out) {
	case 0:
	case 1:
		sig += " " + out[0]
	default:
		sig += " (" + strings.Join(out, ", ") + ")"
	}
	return sig
}

// Inspect documents the name under cursor: a package, a package member,
// a method or field of a variable's type, or a variable.
func (in *Interpreter) Inspect(code string, cursor int) (display.Bundle, bool) {
	runes := []rune(code)
	cursor = max(0, min(cursor, len(runes)))
	s, e := cursor, cursor
	for s > 0 && (isIdentRune(runes[s-1]) || runes[s-1] == '.') {
		s--
	}
	for e < len(runes) && isIdentRune(runes[e]) {
		e++
	}
	parts := strings.Split(strings.Trim(string(runes[s:e]), "."), ".")
	if len(parts) == 0 || parts[0] == "" {
		return display.Bundle{}, false
	}
	in.mu.Lock()
	imports := in.imports()
	globals := in.globals
	declared := in.declared
	in.mu.Unlock()

	if path, ok := imports[parts[0]]; ok {
		key := path
		if len(parts) > 1 {
			key += "." + strings.Join(parts[1:], ".")
		}
		if d, ok := symbols.Doc(key); ok {
			return docBundle(d.Signature, d.Doc), true
		}
		if len(parts) == 2 {
			if m, ok := in.catalog.Lookup(path, parts[1]); ok {
				return docBundle(fmt.Sprintf("%s %s.%s %s", m.Kind, parts[0], m.Name, m.Signature), ""), true
			}
		}
		return display.Bundle{}, false
	}
	if t, ok := globals[parts[0]]; ok {
		base := t
		for base.Kind() == reflect.Pointer {
			base = base.Elem()
		}
		pkg := shortPath(base.PkgPath())
		if len(parts) == 1 {
			sig := fmt.Sprintf("var %s %s", parts[0], t)
			if d, ok := symbols.Doc(pkg + "." + base.Name()); ok && pkg != "" {
				return docBundle(sig, d.Doc), true
			}
			return docBundle(sig, ""), true
		}
		if d, ok := symbols.Doc(pkg + "." + base.Name() + "." + parts[1]); ok && pkg != "" {
			return docBundle(d.Signature, d.Doc), true
		}
		for _, tt := range []reflect.Type{t, reflect.PointerTo(base)} {
			if m, ok := tt.MethodByName(parts[1]); ok {
				return docBundle(fmt.Sprintf("func (%s) %s%s", tt, m.Name, strings.TrimPrefix(m.Type.String(), "func")), ""), true
			}
		}
		if base.Kind() == reflect.Struct {
			if f, ok := base.FieldByName(parts[1]); ok {
				return docBundle(fmt.Sprintf("field %s %s", f.Name, f.Type), ""), true
			}
		}
		return display.Bundle{}, false
	}
	if declared[parts[0]] && len(parts) == 1 {
		return docBundle(parts[0]+" (declared in a cell)", ""), true
	}
	return display.Bundle{}, false
}

// shortPath is the import path cells use for a package of Firn's.
func shortPath(pkgPath string) string {
	const module = "github.com/firnglacier/firn/"
	rest, ok := strings.CutPrefix(pkgPath, module)
	if !ok {
		return pkgPath
	}
	if rest == "kernel/display" {
		return "firn/display"
	}
	return "firn/" + rest
}

func docBundle(signature, doc string) display.Bundle {
	text := signature
	md := "```go\n" + signature + "\n```"
	if doc = strings.TrimSpace(doc); doc != "" {
		text += "\n\n" + doc
		md += "\n\n" + doc
	}
	return display.Bundle{Data: map[string]any{"text/plain": text, "text/markdown": md}}
}
