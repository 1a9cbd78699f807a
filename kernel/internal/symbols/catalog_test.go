package symbols

import (
	"errors"
	"sort"
	"strings"
	"testing"
)

func TestCatalog(t *testing.T) {
	std, err := Stdlib(realDir(t), false)
	if err != nil {
		t.Fatal(err)
	}
	c := NewCatalog(std, Firn())
	paths := c.Packages()
	if !sort.StringsAreSorted(paths) {
		t.Error("Packages is not sorted")
	}
	has := map[string]bool{}
	for _, p := range paths {
		has[p] = true
	}
	for _, p := range []string{"fmt", "math", "os", "firn/engine/edu", "firn/plots", "slices"} {
		if !has[p] {
			t.Errorf("Packages lacks %s", p)
		}
	}
	for _, p := range []string{"net/http", ".", "github.com/firnglacier/firn/engine/massbalance"} {
		if has[p] {
			t.Errorf("Packages has %s", p)
		}
	}

	tests := []struct {
		pkg, name string
		kind      Kind
		sig       string
	}{
		{"firn/engine/edu", "NewBed", Func, "func(float64, float64, float64) *edu.Bed"},
		{"firn/engine/edu", "Glacier", Type, "struct"},
		{"firn/engine/edu", "ELAPerKelvin", Const, "untyped float"},
		{"firn/engine/massbalance", "Model", Type, "interface"},
		{"firn/engine/dynamics", "ErrUnstable", Var, "error"},
		{"firn/plots", "Volume", Const, "plots.Quantity"},
		{"fmt", "Println", Func, "func(...interface {}) (int, error)"},
		{"math", "Pi", Const, "untyped float"},
		{"io", "EOF", Var, "error"},
		{"slices", "Contains", Func, "func Contains[S ~[]E, E comparable](s S, v E) bool"},
	}
	for _, tc := range tests {
		m, ok := c.Lookup(tc.pkg, tc.name)
		if !ok || m.Kind != tc.kind || m.Signature != tc.sig {
			t.Errorf("Lookup(%s, %s) = %+v, %v; want %s %q", tc.pkg, tc.name, m, ok, tc.kind, tc.sig)
		}
	}
	ms := c.Members("firn/engine/edu")
	if !sort.SliceIsSorted(ms, func(i, j int) bool { return ms[i].Name < ms[j].Name }) {
		t.Error("Members is not sorted")
	}
	for _, m := range ms {
		if strings.HasPrefix(m.Name, "_") {
			t.Errorf("Members lists the wrapper %s", m.Name)
		}
	}
	if _, ok := c.Lookup("os", "StartProcess"); ok {
		t.Error("the sandbox catalog has os.StartProcess")
	}
	if c.Members("no/such") != nil {
		t.Error("Members of a missing package is not nil")
	}
}

func TestDoc(t *testing.T) {
	tests := []struct {
		key, kind, sig, doc string
	}{
		{"firn/engine/edu", "package", "package edu", "Package edu is Firn's teaching API"},
		{"firn/engine/edu.NewGlacier", "func", "func NewGlacier(bed *Bed, mb *MassBalance) *Glacier", ""},
		{"firn/engine/edu.Glacier.ProgressToYear", "method", "func (g *Glacier) ProgressToYear(year float64) error", "ProgressToYear"},
		{"firn/engine/edu.MassBalance.TempBias", "field", "TempBias float64", "TempBias"},
		{"firn/engine/edu.Glacier", "type", "type Glacier struct", "Glacier is a glacier"},
		{"firn/engine/massbalance.Model.AnnualBalance", "method", "AnnualBalance(year float64, z, mb []float64) error", ""},
		{"firn/engine/constants.RhoIce", "const", "const RhoIce = 900.0", "density of glacier ice"},
		{"firn/plots.Area", "const", "const Area Quantity", ""},
		{"fmt.Println", "func", "func Println(a ...any) (n int, err error)", "Println formats"},
		{"math.Pi", "const", "const Pi = ", ""},
		{"strings.Builder.WriteString", "method", "func (b *Builder) WriteString(s string) (int, error)", ""},
		{"encoding/json.Marshal", "func", "func Marshal(v any) ([]byte, error)", "Marshal returns"},
		{"slices.Contains", "func", "func Contains[S ~[]E, E comparable](s S, v E) bool", ""},
	}
	for _, tc := range tests {
		e, ok := Doc(tc.key)
		if !ok || e.Kind != tc.kind || !strings.HasPrefix(e.Signature, tc.sig) || !strings.Contains(e.Doc, tc.doc) {
			t.Errorf("Doc(%q) = %+v, %v; want %s %q… with %q", tc.key, e, ok, tc.kind, tc.sig, tc.doc)
		}
	}
	for _, key := range []string{"fmt.println", "net/http.Get", "slices.Sort", "os.file"} {
		if _, ok := Doc(key); ok {
			t.Errorf("Doc(%q) found", key)
		}
	}
}

func TestExplain(t *testing.T) {
	yaegiErr := errors.New(`1:21: import "foo/bar" error: unable to find source related to: "foo/bar". Either the GOPATH environment variable, or the Interpreter.Options.GoPath needs to be set`)
	err := Explain(yaegiErr)
	var ie *ImportError
	if !errors.As(err, &ie) || ie.Path != "foo/bar" || !errors.Is(err, yaegiErr) {
		t.Fatalf("Explain: %v", err)
	}
	if want := `1:21: import "foo/bar": no such package for cells; they can import the standard library and firn/`; !strings.HasPrefix(err.Error(), want) || !strings.Contains(err.Error(), "firn/engine/edu") {
		t.Errorf("Explain: %v", err)
	}
	full := Explain(errors.New(`1:8: import "github.com/firnglacier/firn/engine/edu" error: unable to find source related to: "github.com/firnglacier/firn/engine/edu"`))
	if want := `1:8: import "github.com/firnglacier/firn/engine/edu": cells import Firn's packages by short path: import "firn/engine/edu"`; full.Error() != want {
		t.Errorf("Explain: %v\nwant %s", full, want)
	}
	other := errors.New("1:1: undefined: x")
	if Explain(other) != other || Explain(nil) != nil {
		t.Error("Explain changed an unrelated error")
	}
}
