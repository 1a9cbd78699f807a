package notebooks

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// percentRoundTrip writes nb in the percent form, parses it and returns
// the text and the notebook read back.
func percentRoundTrip(t *testing.T, nb *Notebook) (string, *Notebook) {
	t.Helper()
	var b bytes.Buffer
	if err := WritePercent(&b, nb); err != nil {
		t.Fatalf("WritePercent: %v", err)
	}
	text := b.String()
	back, err := ParsePercent(strings.NewReader(text), "rt.go")
	if err != nil {
		t.Fatalf("ParsePercent: %v\n%s", err, text)
	}
	return text, back
}

// comparable returns the notebook as .ipynb without outputs and execution
// counts, which the percent form leaves out.
func withoutOutputs(t *testing.T, nb *Notebook) string {
	t.Helper()
	c := *nb
	c.Extra = nil
	c.NBFormatMinor = 5
	c.Cells = nil
	for _, cell := range nb.Cells {
		cc := *cell
		cc.Outputs, cc.ExecutionCount, cc.Extra = nil, nil, nil
		c.Cells = append(c.Cells, &cc)
	}
	return string(writeBytes(t, &c))
}

func TestPercentRoundTripSources(t *testing.T) {
	sources := []string{
		"",
		"x",
		"x\n",
		"\n",
		"\n\n",
		"\nleading",
		"trailing\n\n\n",
		"a\n\nb",
		"// %%",
		"// %% [markdown]",
		"x := 1\n// %% not a marker\ny := 2",
		`// \%% escaped once`,
		`// \\%% escaped twice`,
		"// %%x",
		"%% in markdown",
		"   indented\n\ttab",
		"// ---\nheader-like",
		"trailing space \nline",
		"//\n// \n//  two spaces",
		"crlf\r\nline\r\n",
		"unicode ❄ 氷河 \u2028 sep",
	}
	for _, typ := range []string{Code, Markdown, Raw} {
		for _, src := range sources {
			nb := New()
			nb.AddCell(NewCell(typ, src))
			nb.AddCell(NewCell(Code, "after"))
			text, back := percentRoundTrip(t, nb)
			if len(back.Cells) != 2 {
				t.Errorf("%s %q: %d cells back, want 2:\n%s", typ, src, len(back.Cells), text)
				continue
			}
			if c := back.Cells[0]; c.Type != typ || c.Source != src || c.ID != nb.Cells[0].ID {
				t.Errorf("%s %q: got %s %q id %q back:\n%s", typ, src, c.Type, c.Source, c.ID, text)
			}
			// As the last cell too.
			nb.Cells = nb.Cells[:1]
			text, back = percentRoundTrip(t, nb)
			if len(back.Cells) != 1 || back.Cells[0].Source != src {
				t.Errorf("%s %q as last cell: got %d cells back:\n%s", typ, src, len(back.Cells), text)
			}
		}
	}
}

func TestPercentRoundTripMetadata(t *testing.T) {
	metas := []map[string]any{
		{},
		{"tags": []any{"parameters"}},
		{"tags": []any{"a", "b"}, "collapsed": false, "scrolled": json.Number("1.0")},
		{"jupyter": map[string]any{"source_hidden": true}, "slideshow": map[string]any{"slide_type": "slide"}},
		{"id": "metadata called id"},
		{"metadata": map[string]any{"x": json.Number("1e-07")}},
		{"weird key": "v", "ü": []any{}},
		{"title": "A cell title", "s": "with \"quotes\" and = and ]"},
		{"n": nil, "deep": map[string]any{"a": []any{map[string]any{"b": json.Number("12345678901234567890")}}}},
	}
	for _, m := range metas {
		nb := New()
		c := nb.AddCell(NewCell(Markdown, "text"))
		c.Metadata = m
		text, back := percentRoundTrip(t, nb)
		if got := back.Cells[0].Metadata; !reflect.DeepEqual(got, m) {
			t.Errorf("metadata %v came back as %v:\n%s", m, got, text)
		}
		if back.Cells[0].ID != c.ID {
			t.Errorf("id %q came back as %q", c.ID, back.Cells[0].ID)
		}
	}
}

func TestPercentRoundTripHeader(t *testing.T) {
	metas := []map[string]any{
		{},
		New().Metadata,
		{"kernelspec": map[string]any{"name": "firn", "display_name": "Go (Firn)", "language": "go"}},
		{"strings": map[string]any{"num": "4", "bool": "true", "empty": "", "colon": "a: b", "hash": "a #b", "quote": "\"", "dot": ".go",
			"nl": "a\nb", "sep": "a\u2028b", "space": "trailing ", "yes": "yes", "unicode": "Ålesund"}},
		{"values": map[string]any{"n": json.Number("1.0"), "e": json.Number("1e-07"), "t": true, "null": nil, "list": []any{"a", json.Number("1")}, "empty": map[string]any{}}},
		{"weird key": map[string]any{"": "empty key", "a: b": "x", "- dash": "y"}},
	}
	for _, m := range metas {
		nb := New()
		nb.Metadata = m
		nb.AddCell(NewCell(Code, "x"))
		text, back := percentRoundTrip(t, nb)
		if !reflect.DeepEqual(back.Metadata, m) {
			t.Errorf("header metadata %v came back as %v:\n%s", m, back.Metadata, text)
		}
	}
}

// TestPercentFixtures converts the fixtures to the percent form, compares
// with the golden files testdata/*.go.golden (go test -update rewrites them), and
// converts back, which must lose only outputs and execution counts.
func TestPercentFixtures(t *testing.T) {
	for _, name := range fixtures {
		t.Run(name, func(t *testing.T) {
			_, nb := readFixture(t, name)
			text, back := percentRoundTrip(t, nb)
			golden := filepath.Join("testdata", strings.TrimSuffix(name, ".ipynb")+".go.golden")
			if *update {
				if err := os.WriteFile(golden, []byte(text), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if text != string(want) {
				t.Errorf("percent form differs from %s: %s", golden, diffLine([]byte(text), want))
			}
			if nb.NBFormatMinor < 5 { // ids are new
				for i := range nb.Cells {
					nb.Cells[i].ID = back.Cells[i].ID
				}
			}
			if got, want := withoutOutputs(t, back), withoutOutputs(t, nb); got != want {
				t.Errorf("percent round trip changed the notebook: %s", diffLine([]byte(got), []byte(want)))
			}
		})
	}
}

func TestParsePercent(t *testing.T) {
	brief := `// ---
// jupyter:
//   kernelspec:
//     display_name: Go (Firn)
//     language: go
//     name: firn
// ---

// %% [markdown]
// # Title
//
// Text with $math$.

// %%
g := edu.NewGlacier(edu.NewBed(3400, 1400, 300), edu.NewMassBalance(3000, 4))

// %% tags=["parameters"]
years := 300
`
	jupytext := `// ---
// jupyter:
//   jupytext:
//     text_representation:
//       extension: .go
//       format_name: percent
//       format_version: '1.3'
//       jupytext_version: 1.16.1
//   kernelspec:
//     display_name: Go (gonb)
//     language: go
//     name: gonb
//   list:
//   - a
//   - 2
// ---

// %% Load the data [markdown] key="v"
// text
`
	type cell struct {
		typ, src string
		meta     map[string]any
	}
	tests := []struct {
		name  string
		text  string
		meta  map[string]any // notebook metadata; nil: New's
		cells []cell
	}{
		{"brief", brief, map[string]any{"kernelspec": map[string]any{"display_name": "Go (Firn)", "language": "go", "name": "firn"}}, []cell{
			{Markdown, "# Title\n\nText with $math$.", map[string]any{}},
			{Code, "g := edu.NewGlacier(edu.NewBed(3400, 1400, 300), edu.NewMassBalance(3000, 4))", map[string]any{}},
			{Code, "years := 300", map[string]any{"tags": []any{"parameters"}}},
		}},
		{"jupytext", jupytext, map[string]any{
			"jupytext": map[string]any{"text_representation": map[string]any{"extension": ".go", "format_name": "percent",
				"format_version": "1.3", "jupytext_version": "1.16.1"}},
			"kernelspec": map[string]any{"display_name": "Go (gonb)", "language": "go", "name": "gonb"},
			"list":       []any{"a", json.Number("2")},
		}, []cell{{Markdown, "text", map[string]any{"title": "Load the data", "key": "v"}}}},
		{"no markers", "package main\n\nfunc main() {}\n", nil, []cell{{Code, "package main\n\nfunc main() {}", map[string]any{}}}},
		{"text before the first marker", "x := 1\n\n// %%\ny := 2\n", nil, []cell{
			{Code, "x := 1", map[string]any{}}, {Code, "y := 2", map[string]any{}}}},
		{"empty", "", nil, nil},
		{"md alias", "// %% [md]\n// a\n", nil, []cell{{Markdown, "a", map[string]any{}}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			nb, err := ParsePercent(strings.NewReader(tc.text), "p.go")
			if err != nil {
				t.Fatal(err)
			}
			want := tc.meta
			if want == nil {
				want = New().Metadata
			}
			if !reflect.DeepEqual(nb.Metadata, want) {
				t.Errorf("metadata %v, want %v", nb.Metadata, want)
			}
			if len(nb.Cells) != len(tc.cells) {
				t.Fatalf("%d cells, want %d", len(nb.Cells), len(tc.cells))
			}
			for i, c := range nb.Cells {
				w := tc.cells[i]
				if c.Type != w.typ || c.Source != w.src || !reflect.DeepEqual(c.Metadata, w.meta) || !ValidID(c.ID) {
					t.Errorf("cell %d: %s %q %v id %q; want %s %q %v", i, c.Type, c.Source, c.Metadata, c.ID, w.typ, w.src, w.meta)
				}
			}
		})
	}
}

func TestParsePercentErrors(t *testing.T) {
	tests := []struct {
		name, text string
		partial    bool
		msg        string
	}{
		{"unclosed header", "// ---\n// jupyter:\n", false, "p.go: line 1, column 1: header not closed"},
		{"bad header line", "// ---\n// jupyter:\nkernelspec:\n// ---\n", true, "p.go: line 3, column 1: header: header line"},
		{"bad indentation", "// ---\n// jupyter:\n//   a: 1\n//  b: 2\n// ---\n", true, "line 4, column 1: header: unexpected indentation"},
		{"unknown cell type", "// %%\nx\n\n// %% [python]\ny\n", true, "p.go: line 4, column 1: cells[1]: cell_type: unknown cell type [python]"},
		{"id not a string", "// %% id=5\nx\n", true, "line 1, column 1: cells[0]: id: cell id is not a string"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			nb, err := ParsePercent(strings.NewReader(tc.text), "p.go")
			if err == nil || !strings.Contains(err.Error(), tc.msg) {
				t.Fatalf("error %v, want one containing %q", err, tc.msg)
			}
			var re *ReadError
			if !errors.As(err, &re) {
				t.Errorf("%T is not a *ReadError", err)
			}
			if (nb != nil) != tc.partial {
				t.Errorf("notebook %v, want partial=%v", nb, tc.partial)
			}
		})
	}
}

func TestMarkerEscape(t *testing.T) {
	for _, tc := range []struct{ line, escaped string }{
		{"// %%", `// \%%`},
		{"// %% [markdown]", `// \%% [markdown]`},
		{`// \%%`, `// \\%%`},
		{"//%%", "//%%"},
		{"x // %%", "x // %%"},
		{"// x %%", "// x %%"},
	} {
		if got := escapeMarker(tc.line); got != tc.escaped {
			t.Errorf("escapeMarker(%q) = %q, want %q", tc.line, got, tc.escaped)
		}
		if got := unescapeMarker(tc.escaped); got != tc.line {
			t.Errorf("unescapeMarker(%q) = %q, want %q", tc.escaped, got, tc.line)
		}
		if isMarker(tc.escaped) {
			t.Errorf("escaped line %q reads as a marker", tc.escaped)
		}
	}
}

func TestWritePercentErrors(t *testing.T) {
	bad := New()
	bad.Metadata["f"] = func() {}
	badCell := New()
	badCell.AddCell(NewCell(Code, "x")).Metadata["f"] = func() {}
	unknown := New()
	unknown.Cells = append(unknown.Cells, &Cell{Type: "heading"})
	for name, nb := range map[string]*Notebook{"header": bad, "cell metadata": badCell, "cell type": unknown} {
		if err := WritePercent(io.Discard, nb); err == nil || !strings.HasPrefix(err.Error(), "write percent: ") {
			t.Errorf("%s: error %v", name, err)
		}
	}
}

// TestPercentCodingLine reads Jupytext percent files that start with a
// coding comment (Jupytext writes one when asked, and keeps it in
// metadata.jupytext.encoding): the line is no cell of its own, the header
// after it is read, and writing the notebook back puts the line first
// again.
func TestPercentCodingLine(t *testing.T) {
	const coding = "// -*- coding: utf-8 -*-"
	header := `// ---
// jupyter:
//   kernelspec:
//     display_name: Go (Firn)
//     language: go
//     name: firn
// ---
`
	cells := `
// %% [markdown] id="md"
// # Title

// %% id="code"
x := 1
`
	cases := []struct {
		name, text string
		cells      int
		kernelspec bool
		// roundTrip is the text written back ("" : the same as text).
		roundTrip string
	}{
		{"coding, header, cells", coding + "\n" + header + cells, 2, true, ""},
		{"coding, blank, header", coding + "\n\n" + header + cells, 2, true, coding + "\n" + header + cells},
		{"coding, no header", coding + "\n" + cells, 2, true, ""},
		{"coding only", coding + "\n", 0, true, ""},
		{"emacs style", "// vim: set fileencoding=utf-8 : -*- coding: latin-1 -*-\n" + header + cells, 2, true, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			nb, err := ParsePercent(strings.NewReader(tc.text), "coding.go")
			if err != nil {
				t.Fatalf("ParsePercent: %v", err)
			}
			if len(nb.Cells) != tc.cells {
				var srcs []string
				for _, c := range nb.Cells {
					srcs = append(srcs, c.Source)
				}
				t.Fatalf("%d cells %q, want %d", len(nb.Cells), srcs, tc.cells)
			}
			first := strings.SplitN(tc.text, "\n", 2)[0]
			jt, _ := nb.Metadata["jupytext"].(map[string]any)
			if jt["encoding"] != first {
				t.Errorf("metadata.jupytext.encoding = %v, want %q", jt["encoding"], first)
			}
			if tc.kernelspec && nb.KernelSpec().Mismatch() != "" {
				t.Errorf("kernelspec %v: %s", nb.Metadata["kernelspec"], nb.KernelSpec().Mismatch())
			}
			var b bytes.Buffer
			if err := WritePercent(&b, nb); err != nil {
				t.Fatalf("WritePercent: %v", err)
			}
			want := tc.roundTrip
			if want == "" {
				want = tc.text
			}
			if !strings.HasPrefix(b.String(), first+"\n// ---\n") {
				t.Errorf("written back, the file does not start with the coding line and then the header:\n%s", b.String())
			}
			if tc.cells > 0 && strings.Contains(want, header) && b.String() != want {
				t.Errorf("written back:\n%s\nwant:\n%s", b.String(), want)
			}
			if n := strings.Count(b.String(), first); n != 1 {
				t.Errorf("the coding line is written %d times:\n%s", n, b.String())
			}
		})
	}
}
