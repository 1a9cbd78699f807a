package interpreter

import (
	"fmt"
	"reflect"
	"sort"
	"strings"
	"unicode"

	"github.com/firnglacier/firn/kernel/display"
	"github.com/firnglacier/firn/kernel/internal/symbols"
)

// keywords and builtins offered when completing a bare name.
var goWords = strings.Fields(`break case chan const continue default defer else fallthrough for func go goto
if import interface map package range return select struct switch type var
append cap clear close complex copy delete imag len make max min new panic print println real recover
bool byte complex128 complex64 error float32 float64 int int16 int32 int64 int8 rune string uint uint16 uint32 uint64 uint8 uintptr any
true false nil iota`)

func isIdentRune(r rune) bool { return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) }

// Complete lists the completions of the name before cursor (a count of
// code points into code): package members after "pkg.", fields and
// methods after "variable.", otherwise variables, functions, types,
// packages, keywords and builtins. The matches replace
// code[start:end] (code points).
func (in *Interpreter) Complete(code string, cursor int) (matches []string, start, end int) {
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

	var candidates []string
	partial := word
	start = s
	if i := strings.LastIndex(word, "."); i >= 0 {
		base := word[:i]
		partial = word[i+1:]
		start = s + len([]rune(word[:i+1]))
		if path, ok := imports[base]; ok {
			for _, m := range in.catalog.Members(path) {
				candidates = append(candidates, m.Name)
			}
		} else if t, ok := globals[base]; ok {
			candidates = typeMembers(t)
		}
	} else {
		for name := range globals {
			candidates = append(candidates, name)
		}
		for name := range declared {
			candidates = append(candidates, name)
		}
		for name := range imports {
			candidates = append(candidates, name)
		}
		candidates = append(candidates, goWords...)
	}
	seen := map[string]bool{}
	for _, c := range candidates {
		if seen[c] || !strings.HasPrefix(c, partial) || strings.HasPrefix(c, "__") || strings.ContainsRune(c, 'ʹ') || c == "_" {
			continue
		}
		seen[c] = true
		matches = append(matches, c)
	}
	sort.Strings(matches)
	return matches, start, cursor
}

// typeMembers are the exported fields and methods of t (and of *t or
// the pointed-to type).
func typeMembers(t reflect.Type) []string {
	var out []string
	for _, tt := range []reflect.Type{t, reflect.PointerTo(t)} {
		for i := range tt.NumMethod() {
			out = append(out, tt.Method(i).Name)
		}
	}
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
		for i := range reflect.PointerTo(t).NumMethod() {
			out = append(out, reflect.PointerTo(t).Method(i).Name)
		}
	}
	if t.Kind() == reflect.Struct {
		for i := range t.NumField() {
			if f := t.Field(i); f.IsExported() {
				out = append(out, f.Name)
			}
		}
	}
	return out
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
