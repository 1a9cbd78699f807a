package experiment

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/firnglacier/firn/engine/geometry"
)

var update = flag.Bool("update", false, "rewrite testdata/errors.golden")

// The valid experiment that the error cases break, one edit each: a main
// flowline and a tributary.
const baseJSON = `{
  "flowlines": [
    {
      "name": "main",
      "dx_m": 100,
      "bed": {"top_m": 3000, "bottom_m": 1000, "points": 200},
      "width_m": 300
    },
    {
      "name": "side",
      "dx_m": 100,
      "bed": {"top_m": 3200, "bottom_m": 2740, "points": 30},
      "width_m": 200,
      "flows_to": {
        "flowline": "main",
        "point": 28
      }
    }
  ],
  "mass_balance": {"type": "linear", "ela_m": 2600, "gradient_mm_we_per_m": 3},
  "years": {"start": 0, "end": 700}
}
`

const baseYAML = `flowlines:
  - name: main
    dx_m: 100
    bed: {top_m: 3000, bottom_m: 1000, points: 200}
    width_m: 300
  - name: side
    dx_m: 100
    bed: {top_m: 3200, bottom_m: 2740, points: 30}
    width_m: 200
    flows_to:
      flowline: main
      point: 28
mass_balance: {type: linear, ela_m: 2600, gradient_mm_we_per_m: 3}
years: {start: 0, end: 700}
`

// edit replaces the first old in a base document by new; the error must be
// on the line where the first occurrence of at in the edited document ends.
type edit struct{ old, new, at string }

func (e edit) apply(t *testing.T, base string) (doc string, line int) {
	t.Helper()
	if !strings.Contains(base, e.old) {
		t.Fatalf("base document lacks %q", e.old)
	}
	doc = strings.Replace(base, e.old, e.new, 1)
	i := strings.Index(doc, e.at)
	if i < 0 {
		t.Fatalf("edited document lacks %q", e.at)
	}
	return doc, strings.Count(doc[:i+len(e.at)-1], "\n") + 1
}

// jsonList and yamlList return a list of n values v, with bad at index i,
// one per line.
func jsonList(n, i int, v, bad string) string {
	items := make([]string, n)
	for k := range items {
		items[k] = v
	}
	if i >= 0 {
		items[i] = bad
	}
	return "[\n        " + strings.Join(items, ",\n        ") + "\n      ]"
}

func yamlList(n, i int, v, bad string) string {
	var b strings.Builder
	for k := 0; k < n; k++ {
		x := v
		if k == i {
			x = bad
		}
		b.WriteString("\n      - " + x)
	}
	return b.String()
}

var errorCases = []struct {
	name       string
	json, yaml edit
	path       string // the key path the message must name
	msg        string // and a part of the message
}{
	{"unknown top-level key",
		edit{`"years"`, `"yeras"`, `"yeras"`}, edit{"years:", "yeras:", "yeras"},
		"yeras", "unknown key (did you mean years?)"},
	{"unknown flowline key",
		edit{`"width_m": 300`, `"widht_m": 300`, "widht_m"}, edit{"width_m: 300", "widht_m: 300", "widht_m"},
		"flowlines[0].widht_m", "did you mean width_m?"},
	{"unknown key without unit",
		edit{`"width_m": 200`, `"width": 200`, `"width"`}, edit{"width_m: 200", "width: 200", "width:"},
		"flowlines[1].width", "did you mean width_m?"},
	{"unknown nested key",
		edit{`"point": 28`, `"point": 28, "pt": 1`, `"pt"`}, edit{"point: 28", "point: 28\n      pt: 1", "pt:"},
		"flowlines[1].flows_to.pt", "unknown key"},
	{"unknown bump key",
		edit{`"points": 200}`, `"points": 200,` + "\n" + `"bumps": [{"point": 3, "heigth_m": 1, "half_width_points": 2}]}`, "heigth_m"},
		edit{"points: 200}", "points: 200,\n      bumps: [{point: 3, heigth_m: 1, half_width_points: 2}]}", "heigth_m"},
		"flowlines[0].bed.bumps[0].heigth_m", "did you mean height_m?"},
	{"duplicate key",
		edit{`"width_m": 300`, `"width_m": 300,` + "\n" + `"width_m": 300`, "\n" + `"width_m": 300`}, edit{"width_m: 300", "width_m: 300\n    width_m: 300", "width_m: 300\n    width_m: 300"},
		"flowlines[0].width_m", "duplicate key (first given on line "},
	{"width is a string",
		edit{`"width_m": 300`, `"width_m": "wide"`, "wide"}, edit{"width_m: 300", "width_m: wide", "wide"},
		"flowlines[0].width_m", `want a number or a list of 200 numbers (one per point), got a string ("wide")`},
	{"quoted number",
		edit{`"dx_m": 100`, `"dx_m": "100"`, `"100"`}, edit{"dx_m: 100", `dx_m: "100"`, `"100"`},
		"flowlines[0].dx_m", `want a number, got a string ("100")`},
	{"width list too short",
		edit{`"width_m": 300`, `"width_m": ` + jsonList(199, -1, "300", ""), `"width_m"`},
		edit{"width_m: 300", "width_m:" + yamlList(199, -1, "300", ""), "width_m"},
		"flowlines[0].width_m", "want a number or a list of 200 numbers (one per point), got a list of 199 values"},
	{"width list item is a string",
		edit{`"width_m": 300`, `"width_m": ` + jsonList(200, 12, "300", `"x"`), `"x"`},
		edit{"width_m: 300", "width_m:" + yamlList(200, 12, "300", `"x"`), `"x"`},
		"flowlines[0].width_m[12]", `want a number, got a string ("x")`},
	{"negative width in a list",
		edit{`"width_m": 300`, `"width_m": ` + jsonList(200, 12, "300", "-5"), "-5"},
		edit{"width_m: 300", "width_m:" + yamlList(200, 12, "300", "-5"), "-5"},
		"flowlines[0].width_m[12]", "must not be negative, got -5 m"},
	{"negative width",
		edit{`"width_m": 200`, `"width_m": -200`, "-200"}, edit{"width_m: 200", "width_m: -200", "-200"},
		"flowlines[1].width_m", "must not be negative, got -200 m"},
	{"zero width of a rectangle",
		edit{`"width_m": 200`, `"width_m": 0`, `"width_m": 0`}, edit{"width_m: 200", "width_m: 0", "width_m: 0"},
		"flowlines[1].width_m", "must be positive for a rectangular bed, got 0 m"},
	{"unknown shape",
		edit{`"width_m": 300`, `"width_m": 300, "shape": "rectangle"`, "rectangle"}, edit{"width_m: 300", "width_m: 300\n    shape: rectangle", "rectangle"},
		"flowlines[0].shape", `unknown bed shape "rectangle" (want rectangular, parabolic or trapezoidal)`},
	{"unknown shape in a list",
		edit{`"width_m": 200`, `"width_m": 200, "shape": ` + jsonList(30, 3, `"rectangular"`, `"round"`), `"round"`},
		edit{"width_m: 200", "width_m: 200\n    shape:" + yamlList(30, 3, "rectangular", "round"), "round"},
		"flowlines[1].shape[3]", `unknown bed shape "round"`},
	{"shape list too long",
		edit{`"width_m": 200`, `"width_m": 200, "shape": ["rectangular", "parabolic"]`, `"shape"`},
		edit{"width_m: 200", "width_m: 200\n    shape: [rectangular, parabolic]", "shape"},
		"flowlines[1].shape", "or a list of 30 of them (one per point), got a list of 2 values"},
	{"parabola without p",
		edit{`"width_m": 300`, `"width_m": 300, "shape": "parabolic"`, "[\n    {"},
		edit{"width_m: 300", "width_m: 300\n    shape: parabolic", "name: main"},
		"flowlines[0].parabola_p", "missing key: the flowline is parabolic, which needs a parabola parameter"},
	{"rectangle without width",
		edit{`"width_m": 300`, `"lambda": 1`, "[\n    {"},
		edit{"width_m: 300", "lambda: 1", "name: main"},
		"flowlines[0].width_m", "missing key: the flowline is rectangular (the default shape), which needs a width"},
	{"tributary into a missing line",
		edit{`"flowline": "main"`, `"flowline": "mian"`, "mian"}, edit{"flowline: main", "flowline: mian", "mian"},
		"flowlines[1].flows_to.flowline", `no flowline is named "mian" (the flowlines are "main", "side")`},
	{"tributary into a point out of range",
		edit{`"point": 28`, `"point": 200`, `"point": 200`}, edit{"point: 28", "point: 200", "point: 200"},
		"flowlines[1].flows_to.point", `"main" has points 0 to 199, got 200`},
	{"tributary into a fractional point",
		edit{`"point": 28`, `"point": 28.5`, `"point": 28.5`}, edit{"point: 28", "point: 28.5", "point: 28.5"},
		"flowlines[1].flows_to.point", "want a whole number, got 28.5"},
	{"tributary without point",
		edit{`"flowline": "main",` + "\n" + `        "point": 28`, `"flowline": "main"`, `"flows_to"`}, edit{"      point: 28\n", "", "flows_to"},
		"flowlines[1].flows_to", "missing key point"},
	{"misspelled flows_to",
		edit{`"width_m": 200,`, `"width_m": 200, "flows_to_": 1,`, "flows_to_"}, edit{"width_m: 200", "width_m: 200\n    flows_to_: 1", "flows_to_"},
		"flowlines[1].flows_to_", "did you mean flows_to?"},
	// The edits below drop a key; "at" is where the enclosing mapping is.
	{"two main flowlines",
		edit{`"width_m": 200,` + "\n" + `      "flows_to": {` + "\n" + `        "flowline": "main",` + "\n" + `        "point": 28` + "\n" + `      }`, `"width_m": 200`, "},\n    {"},
		edit{"    flows_to:\n      flowline: main\n      point: 28\n", "", "- name: side"},
		"flowlines[1]", `flowlines[0] ("main") and flowlines[1] ("side") both lack flows_to`},
	{"misspelled flowlines",
		edit{`"flowlines"`, `"flowline"`, `"flowline"`}, edit{"flowlines:", "flowline:", "flowline:"},
		"flowline", "unknown key (did you mean flowlines?)"},
	{"missing bed",
		edit{`"bed": {"top_m": 3000, "bottom_m": 1000, "points": 200},`, "", "[\n    {"},
		edit{"    bed: {top_m: 3000, bottom_m: 1000, points: 200}\n", "", "- name: main"},
		"flowlines[0]", "missing key bed_m (the bed elevation of each point, m) or bed"},
	{"missing dx",
		edit{`"dx_m": 100,`, "", "[\n    {"}, edit{"    dx_m: 100\n", "", "- name: main"},
		"flowlines[0]", "missing key dx_m (the spacing of the points, m)"},
	{"missing name",
		edit{`"name": "side",`, "", "},\n    {"}, edit{"- name: side\n    dx_m: 100", "- dx_m: 100", "- dx_m: 100"},
		"flowlines[1]", "missing key name"},
	{"missing mass balance",
		edit{`"mass_balance": {"type": "linear", "ela_m": 2600, "gradient_mm_we_per_m": 3},`, "", "{"},
		edit{"mass_balance: {type: linear, ela_m: 2600, gradient_mm_we_per_m: 3}\n", "", "flowlines:"},
		"", "missing key mass_balance"},
	{"missing ELA",
		edit{`"ela_m": 2600, `, "", `"mass_balance"`}, edit{"ela_m: 2600, ", "", "mass_balance"},
		"mass_balance", "missing key ela_m (the equilibrium-line altitude, m)"},
	{"unknown mass-balance type",
		edit{`"type": "linear"`, `"type": "lineal"`, "lineal"}, edit{"type: linear", "type: lineal", "lineal"},
		"mass_balance.type", `unknown mass-balance type "lineal" (want linear, constant or temperature_index)`},
	{"key of the other mass-balance type",
		edit{`"type": "linear"`, `"type": "constant", "mb_m_we_per_year": 1`, "constant"}, edit{"type: linear", "type: constant, mb_m_we_per_year: 1", "constant"},
		"mass_balance.ela_m", "a constant mass balance has no ela_m; it takes type, mb_m_we_per_year, bias_m_we_per_year"},
	{"negative cap",
		edit{`"gradient_mm_we_per_m": 3}`, `"gradient_mm_we_per_m": 3, "max_mb_m_we": -1}`, "max_mb"}, edit{"gradient_mm_we_per_m: 3}", "gradient_mm_we_per_m: 3, max_mb_m_we: -1}", "max_mb"},
		"mass_balance.max_mb_m_we", "must be 0 (no cap) to 20 m w.e. yr⁻¹, got -1 m w.e. yr⁻¹"},
	{"missing end",
		edit{`"start": 0, "end": 700`, `"start": 0`, `"years"`}, edit{"start: 0, end: 700", "start: 0", "years"},
		"years", "missing key end (the year the run ends at)"},
	{"end before start",
		edit{`"start": 0, "end": 700`, `"start": 800,` + "\n" + `"end": 700`, `"end"`}, edit{"years: {start: 0, end: 700}", "years:\n  start: 800\n  end: 700", "end:"},
		"years.end", "must be after years.start (800), got 700"},
	{"zero diagnostics interval",
		edit{`"end": 700`, `"end": 700, "every": 0`, "every"}, edit{"end: 700", "end: 700, every: 0", "every"},
		"years.every", "must be a whole number of years from 1 to 100000, got 0"},
	{"unknown solver",
		edit{`"years"`, `"dynamics": {"solver": "implicit"}, "years"`, "implicit"}, edit{"years:", "dynamics: {solver: implicit}\nyears:", "implicit"},
		"dynamics.solver", `unknown solver "implicit" (want flux-based or semi-implicit)`},
	{"semi-implicit with a tributary",
		edit{`"years"`, `"dynamics": {"solver": "semi-implicit"}, "years"`, "semi-implicit"}, edit{"years:", "dynamics: {solver: semi-implicit}\nyears:", "semi-implicit"},
		"dynamics.solver", "the semi-implicit solver runs a single flowline; this glacier has 2"},
	{"negative Glen A",
		edit{`"years"`, `"dynamics": {"glen_a": -2.4e-24}, "years"`, "glen_a"}, edit{"years:", "dynamics: {glen_a: -2.4e-24}\nyears:", "glen_a"},
		"dynamics.glen_a", "must be 1e-28 to 1e-20 Pa⁻ⁿ s⁻¹ for n = 3 (a strain rate of 1e-13 to 1e-05 s⁻¹ under a stress of 100 kPa), got -2.4e-24"},
	{"both bed forms",
		edit{`"width_m": 300`, `"width_m": 300, "bed_m": [1, 2]`, `"bed"`}, edit{"width_m: 300", "width_m: 300\n    bed_m: [1, 2]", "bed:"},
		"flowlines[0].bed", "give either bed_m (a list of elevations) or bed (a linear bed), not both"},
	{"one-point bed",
		edit{`"points": 200`, `"points": 1`, `"points": 1`}, edit{"points: 200", "points: 1", "points: 1"},
		"flowlines[0].bed.points", "want 2 to 10000 points, got 1"},
	{"bed list with a null",
		edit{`"bed": {"top_m": 3000, "bottom_m": 1000, "points": 200}`, `"bed_m": [3000,` + "\n" + `null]`, "null"},
		edit{"bed: {top_m: 3000, bottom_m: 1000, points: 200}", "bed_m:\n      - 3000\n      -", "-\n"},
		"flowlines[0].bed_m[1]", "want a number, got null"},
	{"negative initial thickness",
		edit{`"width_m": 200`, `"width_m": 200, "initial_thickness_m": ` + jsonList(30, 7, "10", "-1"), "-1"},
		edit{"width_m: 200", "width_m: 200\n    initial_thickness_m:" + yamlList(30, 7, "10", "-1"), "-1"},
		"flowlines[1].initial_thickness_m[7]", "must be 0 to 5000 m, got -1 m"},
	{"negative length threshold",
		edit{`"years"`, `"length_threshold_m": -1, "years"`, "length_threshold_m"}, edit{"years:", "length_threshold_m: -1\nyears:", "length_threshold_m"},
		"length_threshold_m", "must be 0 to 1000 m, got -1 m"},
	{"malformed: missing comma or dash",
		edit{`"dx_m": 100,`, `"dx_m": 100`, `"bed"`}, edit{"    dx_m: 100\n", "     dx_m: 100\n", "dx_m: 100"},
		"", "invalid "},
	{"malformed: unclosed",
		edit{`"width_m": 300`, `"width_m": [300`, "[300\n    }"}, edit{"width_m: 300", "width_m: [300", "width_m: [300"},
		"", "invalid "},
}

func TestErrors(t *testing.T) {
	var golden strings.Builder
	for _, tc := range errorCases {
		for _, f := range []struct {
			file string
			base string
			edit edit
		}{{"exp.json", baseJSON, tc.json}, {"exp.yaml", baseYAML, tc.yaml}} {
			t.Run(tc.name+"/"+f.file, func(t *testing.T) {
				doc, line := f.edit.apply(t, f.base)
				_, err := Parse([]byte(doc), f.file)
				if err == nil {
					t.Fatalf("no error for:\n%s", doc)
				}
				fmt.Fprintf(&golden, "%s\n\t%v\n", tc.name, err)
				var e *Error
				if !errors.As(err, &e) {
					t.Fatalf("error %v is a %T, want an *Error", err, err)
				}
				if e.File != f.file || e.Line != line || e.Path != tc.path {
					t.Errorf("got %s:%d: path %q, want %s:%d: path %q\nmessage: %v\ndocument:\n%s", e.File, e.Line, e.Path, f.file, line, tc.path, err, doc)
				}
				want := fmt.Sprintf("%s:%d: ", f.file, line)
				if tc.path != "" {
					want += tc.path + ": "
				}
				if msg := err.Error(); !strings.HasPrefix(msg, want) || !strings.Contains(msg, tc.msg) {
					t.Errorf("got  %s\nwant %s…%s…", msg, want, tc.msg)
				}
			})
		}
	}
	const goldenFile = "testdata/errors.golden"
	if *update {
		if err := os.WriteFile(goldenFile, []byte(golden.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(goldenFile)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got := golden.String(); got != string(want) {
		t.Errorf("error messages differ from %s (review with go test -update and git diff):\n%s", goldenFile, got)
	}
}

// The base documents themselves are valid, so each error comes from its
// edit.
func TestBaseDocumentsAreValid(t *testing.T) {
	for name, doc := range map[string]string{"base.json": baseJSON, "base.yaml": baseYAML} {
		if _, err := Parse([]byte(doc), name); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestSyntaxErrors(t *testing.T) {
	tests := []struct {
		file, doc string
		line      int
		msg       string
	}{
		{"a.json", "{\n  \"years\": {\"end\": 1}\n  \"flowlines\": []\n}", 3, "invalid JSON: invalid character '\"' after object key:value pair"},
		{"a.json", "{\n  \"years\": {\"end\": 1},\n}", 3, "invalid JSON: invalid character '}'"},
		{"a.json", "{\n  \"years\": {\"end\": 1},\n", 3, "invalid JSON: unexpected end of file"},
		{"a.json", "{\"years\": {\"end\": 1}}\n{}", 2, "invalid JSON: unexpected data after the top-level value"},
		{"a.json", "// comment\n{}", 1, "invalid JSON"},
		{"a.json", "{\"a\": 1e999}", 1, "number 1e999 is out of range"},
		{"a.yaml", "years:\n  end: 1\n flowlines: []\n", 3, "invalid YAML: did not find expected key"},
		{"a.yaml", "years:\n  end: [1, 2\nflowlines: []\n", 2, "invalid YAML: did not find expected ',' or ']'"},
		{"a.yaml", "years:\n\tend: 1\n", 2, "invalid YAML: found character that cannot start any token"},
		{"a.yaml", "years: {end: 1}\nmass_balance: *mb\n", 2, "invalid YAML: alias *mb refers to no anchor &mb"},
		{"a.yaml", "years: &y {end: 1}\nmass_balance: *y\n", 2, "YAML aliases (*y) are not supported"},
		{"a.yaml", "years: {end: 1}\n---\nyears: {end: 2}\n", 2, "more than one YAML document"},
		{"a.yaml", strings.Replace(baseYAML, "end: 700", "end: .inf", 1), 14, "years.end: want a finite number, got .inf"},
		{"a.yaml", "", 1, "the file is empty"},
		{"a.json", " \n", 1, "the file is empty"},
		{"-", "[1, 2]", 1, "want an experiment (a mapping of keys: description, flowlines, "},
		{"a.json", `{"mass_balance": {"type": "constant", "mb_m_we_per_year": 0},` + "\n" + `"years": {"end": 1}}`, 1, "a.json:1: missing key flowlines (a list of flowlines"},
		{"a.yaml", "\n# no flowlines\nmass_balance: {type: constant, mb_m_we_per_year: 0}\nyears: {end: 1}", 3, "a.yaml:3: missing key flowlines"},
		{"a.yaml", "flowlines:\n  x: 1\n", 1, "a.yaml:1: flowlines: want a list of flowlines, got a mapping"},
		{"a.json", `{"flowlines": []}`, 1, "flowlines: the list is empty; give at least one flowline"},
		{"-", "years: {end: 1}\nbad", 2, "invalid YAML"},
	}
	for _, tc := range tests {
		_, err := Parse([]byte(tc.doc), tc.file)
		file := tc.file
		if file == "-" {
			file = "<stdin>"
		}
		want := fmt.Sprintf("%s:%d: ", file, tc.line)
		if err == nil || !strings.HasPrefix(err.Error(), want) || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("%s %q:\ngot  %v\nwant %s…%s…", tc.file, tc.doc, err, want, tc.msg)
		}
	}
}

// A Spec built in code has no file and no lines: messages name the key
// path only.
func TestCheckWithoutFile(t *testing.T) {
	s := &Spec{
		Flowlines:   []FlowlineSpec{{Name: "main", Dx: 100, Bed: []float64{3, 2, 1}, Shapes: make([]geometry.Shape, 3), Width: []float64{300, 0, 300}}},
		MassBalance: MassBalanceSpec{Type: MassBalanceConstant},
		Dynamics:    DefaultDynamics(),
		Years:       YearsSpec{End: 10, Every: 1},
	}
	want := "flowlines[0].width_m[1]: must be positive for a rectangular bed, got 0 m"
	if err := s.Check(); err == nil || err.Error() != want {
		t.Errorf("got %v, want %s", err, want)
	}
	if _, err := s.Glacier(); err == nil || err.Error() != want {
		t.Errorf("Glacier: got %v, want %s", err, want)
	}
	s.Flowlines[0].Width[1] = 300
	if err := s.Check(); err != nil {
		t.Error(err)
	}
	s.Flowlines[0].Lambda = []float64{1}
	if err := s.Check(); err == nil || err.Error() != "flowlines[0].lambda: has 1 values, the bed has 3 points" {
		t.Errorf("got %v", err)
	}
}
