package run

import (
	"bytes"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/firnglacier/firn/notebooks"
)

// Tags of the parameters cells, as papermill names them.
const (
	ParametersTag         = "parameters"
	InjectedParametersTag = "injected-parameters"
)

// A Parameter is one NAME=VALUE given to the run. Value is text: it is
// read as the default of Name is typed.
type Parameter struct {
	Name, Value string
}

// ParseParameter reads "NAME=VALUE".
func ParseParameter(s string) (Parameter, error) {
	name, value, ok := strings.Cut(s, "=")
	name = strings.TrimSpace(name)
	if !ok || !token.IsIdentifier(name) {
		return Parameter{}, fmt.Errorf("parameter %q: want NAME=VALUE with NAME a Go identifier", s)
	}
	return Parameter{Name: name, Value: value}, nil
}

// paramKind is how a default is typed.
type paramKind int

const (
	kindInt paramKind = iota
	kindFloat
	kindString
	kindBool
)

func (k paramKind) String() string {
	return [...]string{"an integer", "a number", "a string", "true or false"}[k]
}

// declared is a variable of the parameters cell with its kind.
type declared struct {
	name string
	kind paramKind
}

// readDefaults returns the variables the parameters cell declares, in
// order, with the kinds of their defaults. cell is the cell's source;
// where names the cell in errors.
func readDefaults(src, where string) ([]declared, error) {
	fset := token.NewFileSet()
	// Wrapped in a function body so that := and var both parse; the
	// wrapper keeps line numbers (it is on line 1, before the cell).
	f, err := parser.ParseFile(fset, "", "package p; func _() {"+src+"\n}", 0)
	if err != nil {
		return nil, fmt.Errorf("%s: the parameters cell does not parse: %w", where, err)
	}
	body := f.Decls[0].(*ast.FuncDecl).Body.List
	var out []declared
	add := func(id *ast.Ident, typ ast.Expr, value ast.Expr) error {
		if id.Name == "_" {
			return nil
		}
		k, ok := kindOf(typ, value)
		if !ok {
			line := fset.Position(id.Pos()).Line
			return fmt.Errorf("%s, line %d: parameter %s: its default must be an integer, number, string or bool literal (or typed as one)", where, line, id.Name)
		}
		out = append(out, declared{id.Name, k})
		return nil
	}
	for _, s := range body {
		switch s := s.(type) {
		case *ast.AssignStmt:
			if s.Tok != token.DEFINE || len(s.Lhs) != len(s.Rhs) {
				continue
			}
			for i, l := range s.Lhs {
				if id, ok := l.(*ast.Ident); ok {
					if err := add(id, nil, s.Rhs[i]); err != nil {
						return nil, err
					}
				}
			}
		case *ast.DeclStmt:
			gd, ok := s.Decl.(*ast.GenDecl)
			if !ok || gd.Tok != token.VAR {
				continue
			}
			for _, sp := range gd.Specs {
				vs := sp.(*ast.ValueSpec)
				for i, id := range vs.Names {
					var v ast.Expr
					if i < len(vs.Values) {
						v = vs.Values[i]
					}
					if err := add(id, vs.Type, v); err != nil {
						return nil, err
					}
				}
			}
		}
	}
	return out, nil
}

// kindOf types a default from its declared type or its value.
func kindOf(typ, value ast.Expr) (paramKind, bool) {
	if id, ok := typ.(*ast.Ident); ok {
		switch id.Name {
		case "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64":
			return kindInt, true
		case "float32", "float64":
			return kindFloat, true
		case "string":
			return kindString, true
		case "bool":
			return kindBool, true
		}
		return 0, false
	}
	if typ != nil {
		return 0, false
	}
	switch v := value.(type) {
	case *ast.BasicLit:
		switch v.Kind {
		case token.INT:
			return kindInt, true
		case token.FLOAT:
			return kindFloat, true
		case token.STRING:
			return kindString, true
		}
	case *ast.Ident:
		if v.Name == "true" || v.Name == "false" {
			return kindBool, true
		}
	case *ast.UnaryExpr: // -3, -2.5
		if v.Op == token.SUB || v.Op == token.ADD {
			return kindOf(nil, v.X)
		}
	case *ast.CallExpr: // float64(3000)
		if len(v.Args) == 1 {
			return kindOf(v.Fun, nil)
		}
	}
	return 0, false
}

// literal is value as a Go literal of kind k.
func literal(name, value string, k paramKind) (string, error) {
	bad := func() (string, error) {
		return "", fmt.Errorf("parameter %s=%s: the default is %s", name, value, k)
	}
	v := strings.TrimSpace(value)
	switch k {
	case kindInt:
		if _, err := strconv.ParseInt(v, 10, 64); err != nil {
			return bad()
		}
		return v, nil
	case kindFloat:
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
			return bad() // Inf and NaN are no Go literals (nor JSON numbers)
		}
		s := strconv.FormatFloat(f, 'g', -1, 64)
		if !strings.ContainsAny(s, ".eEIN") {
			s += ".0"
		}
		return s, nil
	case kindBool:
		b, err := strconv.ParseBool(v)
		if err != nil {
			return bad()
		}
		return strconv.FormatBool(b), nil
	default:
		return strconv.Quote(value), nil
	}
}

// typed is a parameter's value as the metadata records it, with its type
// as papermill records it: a number (json.Number: 3200, 3100.5) for an
// integer or float default, a bool, or the string as given. lit is the
// value as a Go literal of kind k (literal's result).
func typed(value, lit string, k paramKind) any {
	switch k {
	case kindInt, kindFloat:
		return json.Number(lit)
	case kindBool:
		return lit == "true"
	default:
		return value
	}
}

// inject replaces an injected-parameters cell of an earlier run and, when
// params are given, adds a new one after the parameters cell. It returns
// the parameters as recorded in the metadata (name → value, typed as
// typed says).
func inject(nb *notebooks.Notebook, params []Parameter, file string) (map[string]any, error) {
	nb.Cells = slices.DeleteFunc(nb.Cells, func(c *notebooks.Cell) bool { return c.HasTag(InjectedParametersTag) })
	if len(params) == 0 {
		return nil, nil
	}
	at := slices.IndexFunc(nb.Cells, func(c *notebooks.Cell) bool { return c.Type == notebooks.Code && c.HasTag(ParametersTag) })
	if at < 0 {
		return nil, fmt.Errorf("%s: no code cell is tagged %q, so parameters cannot be set: tag the cell that holds the defaults", file, ParametersTag)
	}
	cell := nb.Cells[at]
	where := fmt.Sprintf("%s: cell %d (id %s)", file, at+1, cell.ID)
	defaults, err := readDefaults(cell.Source, where)
	if err != nil {
		return nil, err
	}
	var b strings.Builder
	b.WriteString("// Parameters injected by firn run\n")
	recorded := map[string]any{}
	for _, p := range params {
		i := slices.IndexFunc(defaults, func(d declared) bool { return d.name == p.Name })
		if i < 0 {
			names := make([]string, len(defaults))
			for k, d := range defaults {
				names[k] = d.name
			}
			return nil, fmt.Errorf("%s: parameter %s is not declared in the parameters cell, which declares: %s", where, p.Name, strings.Join(names, ", "))
		}
		lit, err := literal(p.Name, p.Value, defaults[i].kind)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", where, err)
		}
		fmt.Fprintf(&b, "%s = %s\n", p.Name, lit)
		recorded[p.Name] = typed(p.Value, lit, defaults[i].kind)
	}
	// A fixed id (made unique if a user's cell has it) keeps runs
	// reproducible.
	injected := notebooks.NewCell(notebooks.Code, strings.TrimSuffix(b.String(), "\n"))
	injected.ID = InjectedParametersTag
	injected = nb.AddCell(injected)
	injected.Metadata = map[string]any{"tags": []any{InjectedParametersTag}}
	nb.Cells = slices.Insert(nb.Cells[:len(nb.Cells)-1], at+1, injected)
	return recorded, nil
}

// CheckParameters says whether Notebook could set params in nb (its
// kernel, the parameters cell, each name declared there, each value of
// its default's kind), without running anything or changing nb: what a
// caller that runs the notebook many times elsewhere checks first.
func CheckParameters(nb *notebooks.Notebook, params []Parameter, name string) error {
	if m := nb.KernelSpec().Mismatch(); m != "" {
		return &ParameterError{Err: fmt.Errorf("%s: %s", name, m)}
	}
	var b bytes.Buffer
	if err := nb.Write(&b); err != nil {
		return err
	}
	cp, err := notebooks.Read(&b, name)
	if err != nil {
		return err
	}
	if _, err := inject(cp, params, name); err != nil {
		return &ParameterError{Err: err}
	}
	return nil
}
