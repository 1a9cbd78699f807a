package experiment

import (
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/firnglacier/firn/engine/geometry"
	"github.com/firnglacier/firn/engine/massbalance"
)

func mustParse(t *testing.T, doc, name string) *Spec {
	t.Helper()
	s, err := Parse([]byte(doc), name)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func mustLoad(t *testing.T, path string) *Spec {
	t.Helper()
	s, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// values returns the Spec without its source positions, which differ
// between formats.
func values(s *Spec) Spec {
	v := *s
	v.src = nil
	return v
}

func TestTestdataFilesAreValid(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.*")
	for _, f := range files {
		if strings.HasSuffix(f, ".golden") {
			continue
		}
		s := mustLoad(t, f)
		if _, err := s.Glacier(); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
}

func TestJSONAndYAMLGiveIdenticalSpecs(t *testing.T) {
	j, y := mustLoad(t, "testdata/tributary.json"), mustLoad(t, "testdata/tributary.yaml")
	if !reflect.DeepEqual(values(j), values(y)) {
		t.Errorf("tributary.json and tributary.yaml differ:\n%+v\n%+v", values(j), values(y))
	}
	// The base documents of the error tests, too.
	if j, y := mustParse(t, baseJSON, "a.json"), mustParse(t, baseYAML, "a.yaml"); !reflect.DeepEqual(values(j), values(y)) {
		t.Errorf("baseJSON and baseYAML differ:\n%+v\n%+v", values(j), values(y))
	}
}

// rect_ela2600.json is the contract's example with a bed rounded to cm;
// rect_ela2600.yaml says the same with a linear bed and defaults.
func TestContractExample(t *testing.T) {
	j, y := mustLoad(t, "testdata/rect_ela2600.json"), mustLoad(t, "testdata/rect_ela2600.yaml")
	if len(j.Flowlines) != 1 || len(j.Flowlines[0].Bed) != 200 {
		t.Fatalf("want one flowline of 200 points, got %+v", j.Flowlines)
	}
	for i := range j.Flowlines[0].Bed {
		if d := math.Abs(j.Flowlines[0].Bed[i] - y.Flowlines[0].Bed[i]); d > 0.005 {
			t.Errorf("bed[%d]: %g in JSON, %g in YAML", i, j.Flowlines[0].Bed[i], y.Flowlines[0].Bed[i])
		}
	}
	jv, yv := values(j), values(y)
	jv.Flowlines, yv.Flowlines = nil, nil
	yv.Description = ""
	if !reflect.DeepEqual(jv, yv) {
		t.Errorf("JSON and YAML differ:\n%+v\n%+v", jv, yv)
	}
	jf, yf := j.Flowlines[0], y.Flowlines[0]
	jf.Bed, yf.Bed = nil, nil
	if !reflect.DeepEqual(jf, yf) {
		t.Errorf("flowlines differ:\n%+v\n%+v", jf, yf)
	}
	want := Spec{
		Flowlines:   []FlowlineSpec{{Name: "main", Dx: 100, Shapes: make([]geometry.Shape, 200), Width: fill(200, 300)}},
		MassBalance: MassBalanceSpec{Type: MassBalanceLinear, ELA: 2600, Gradient: 3},
		Dynamics:    DefaultDynamics(),
		Years:       YearsSpec{Start: 0, End: 700, Every: 1},
	}
	jv.Flowlines = []FlowlineSpec{jf}
	if !reflect.DeepEqual(jv, want) {
		t.Errorf("got  %+v\nwant %+v", jv, want)
	}
}

func fill(n int, v float64) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = v
	}
	return out
}

func TestLinearBedEqualsList(t *testing.T) {
	const top, bottom, n = 3000.0, 1000.0, 200
	bed := make([]float64, n)
	for i := range bed {
		bed[i] = top - (top-bottom)*float64(i)/(n-1)
	}
	list := make([]string, n)
	for i, z := range bed {
		list[i] = strconv.FormatFloat(z, 'g', -1, 64)
	}
	explicit := strings.Replace(baseJSON, `"bed": {"top_m": 3000, "bottom_m": 1000, "points": 200}`, `"bed_m": [`+strings.Join(list, ", ")+`]`, 1)
	a, b := mustParse(t, baseJSON, "linear.json"), mustParse(t, explicit, "list.json")
	if !reflect.DeepEqual(values(a), values(b)) {
		t.Errorf("linear bed and its list differ:\n%v\n%v", a.Flowlines[0].Bed, b.Flowlines[0].Bed)
	}

	// Bumps add height·exp(−((i − point)/half_width)²).
	bumpy := mustParse(t, strings.Replace(baseYAML, "points: 200}",
		"points: 200, bumps: [{point: 30, height_m: 170, half_width_points: 5}, {point: 100, height_m: -20, half_width_points: 2.5}]}", 1), "bumps.yaml")
	for i, z := range bumpy.Flowlines[0].Bed {
		x1, x2 := (float64(i)-30)/5, (float64(i)-100)/2.5
		want := bed[i] + 170*math.Exp(-x1*x1) - 20*math.Exp(-x2*x2)
		if math.Abs(z-want) > 1e-9 {
			t.Errorf("bed[%d] = %.12g, want %.12g", i, z, want)
		}
	}
}

func TestDefaults(t *testing.T) {
	s := mustParse(t, `{"flowlines": [{"dx_m": 50, "bed_m": [10, 5, 0], "width_m": 100}],
		"mass_balance": {"type": "constant", "mb_m_we_per_year": 1},
		"years": {"end": 10}}`, "min.json")
	want := &Spec{
		Flowlines:   []FlowlineSpec{{Name: "main", Dx: 50, Bed: []float64{10, 5, 0}, Shapes: make([]geometry.Shape, 3), Width: []float64{100, 100, 100}}},
		MassBalance: MassBalanceSpec{Type: MassBalanceConstant, Balance: 1},
		Dynamics:    DynamicsSpec{Solver: "flux-based", GlenA: 2.4e-24, GlenN: 3, SlidingFs: 0, Rho: 900, G: 9.80665, CFL: 0},
		Years:       YearsSpec{Start: 0, End: 10, Every: 1},
	}
	if got := values(s); !reflect.DeepEqual(&got, want) {
		t.Errorf("got  %+v\nwant %+v", got, *want)
	}
	if s.InitialThickness()[0] != nil {
		t.Error("InitialThickness of a flowline without initial_thickness_m must be nil")
	}
	// Every dynamics key, given.
	s = mustParse(t, `flowlines: [{dx_m: 50, bed_m: [10, 5, 0], width_m: 100}]
mass_balance: {type: constant, mb_m_we_per_year: 1}
dynamics: {solver: semi-implicit, glen_a: 1e-24, glen_n: 3.5, sliding_fs: 5.7e-20, rho_kg_m3: 917, g_m_s2: 9.81, cfl: 0.3}
years: {start: 1900, end: 2000, every: 5}
length_threshold_m: 10
`, "all.yaml")
	wantDyn := DynamicsSpec{Solver: "semi-implicit", GlenA: 1e-24, GlenN: 3.5, SlidingFs: 5.7e-20, Rho: 917, G: 9.81, CFL: 0.3}
	if s.Dynamics != wantDyn || s.Years != (YearsSpec{1900, 2000, 5}) || s.LengthThreshold != 10 {
		t.Errorf("got %+v %+v %g", s.Dynamics, s.Years, s.LengthThreshold)
	}
}

func TestShapes(t *testing.T) {
	s := mustParse(t, `flowlines:
  - dx_m: 100
    bed_m: [400, 300, 200, 100]
    shape: [rectangular, trapezoidal, parabolic, trapezoidal]
    width_m: [300, 200, 0, 0]
    lambda: 2
    parabola_p: 0.005
mass_balance: {type: linear, ela_m: 250, gradient_mm_we_per_m: 3}
years: {end: 10}
`, "mixed.yaml")
	g, err := s.Glacier()
	if err != nil {
		t.Fatal(err)
	}
	fl := g.MainLine()
	wantShapes := []geometry.Shape{geometry.Rectangular, geometry.Trapezoidal, geometry.Parabolic, geometry.Trapezoidal}
	if !reflect.DeepEqual(fl.Shapes, wantShapes) || !reflect.DeepEqual(fl.Width, []float64{300, 200, 0, 0}) ||
		!reflect.DeepEqual(fl.Lambda, fill(4, 2)) || !reflect.DeepEqual(fl.ParabolaP, fill(4, 0.005)) {
		t.Errorf("got %+v", fl)
	}
	// One shape for all points.
	s = mustParse(t, `{"flowlines": [{"dx_m": 100, "bed_m": [2, 1], "shape": "trapezoidal", "width_m": 0, "lambda": 1}],
		"mass_balance": {"type": "constant", "mb_m_we_per_year": 0}, "years": {"end": 1}}`, "trap.json")
	if !reflect.DeepEqual(s.Flowlines[0].Shapes, []geometry.Shape{geometry.Trapezoidal, geometry.Trapezoidal}) {
		t.Errorf("got %v", s.Flowlines[0].Shapes)
	}
	// A trapezoid with neither a bottom width nor sloping walls has no
	// section; the semi-implicit solver takes no parabola.
	for doc, want := range map[string]string{
		`{"flowlines": [{"dx_m": 100, "bed_m": [2, 1], "shape": ["trapezoidal", "trapezoidal"], "width_m": [0, 1], "lambda": 0}],
		"mass_balance": {"type": "constant", "mb_m_we_per_year": 0}, "years": {"end": 1}}`: "x.json:1: flowlines[0].width_m[0]: a trapezoid with bottom width 0 and lambda 0 has no section",
		`{"flowlines": [{"dx_m": 100, "bed_m": [2, 1], "shape": ["trapezoidal", "parabolic"], "width_m": 1, "lambda": 1, "parabola_p": 0.01}],
		"mass_balance": {"type": "constant", "mb_m_we_per_year": 0}, "years": {"end": 1}, "dynamics": {"solver": "semi-implicit"}}`: "x.json:2: dynamics.solver: the semi-implicit solver handles rectangular and trapezoidal beds, but flowlines[0].shape[1] is parabolic",
	} {
		if _, err := Parse([]byte(doc), "x.json"); err == nil || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("got  %v\nwant %s…", err, want)
		}
	}
}

func TestTributaryGlacier(t *testing.T) {
	s := mustLoad(t, "testdata/tributary.json")
	g, err := s.Glacier()
	if err != nil {
		t.Fatal(err)
	}
	if len(g.Lines) != 2 || g.Main != 0 || !reflect.DeepEqual(g.Into, []int{-1, 0}) || !reflect.DeepEqual(g.Order, []int{1, 0}) {
		t.Fatalf("got glacier %+v", g)
	}
	side := g.Lines[1]
	if side.Name != "side" || side.Len() != 30 || *side.FlowsTo != (geometry.Junction{Line: "main", Point: 28}) ||
		side.Shapes[0] != geometry.Parabolic || side.ParabolaP[29] != 0.005 {
		t.Errorf("got tributary %+v", side)
	}
	// The glacier does not share the Spec's slices.
	g.Lines[0].Width[0] = -1
	if s.Flowlines[0].Width[0] != 300 {
		t.Error("Glacier shares its widths with the Spec")
	}
	if s.Years != (YearsSpec{0, 500, 10}) || s.LengthThreshold != 1 || s.Dynamics.SlidingFs != 5.7e-20 || s.Dynamics.CFL != 0.02 {
		t.Errorf("got %+v", values(s))
	}
}

func TestTributaryCycle(t *testing.T) {
	doc := `flowlines:
  - {name: main, dx_m: 100, bed_m: [3, 2, 1], width_m: 100}
  - {name: a, dx_m: 100, bed_m: [3, 2], width_m: 100, flows_to: {flowline: b, point: 1}}
  - {name: b, dx_m: 100, bed_m: [3, 2], width_m: 100, flows_to: {flowline: a, point: 1}}
mass_balance: {type: constant, mb_m_we_per_year: 0}
years: {end: 1}
`
	want := `c.yaml:3: flowlines[1].flows_to: flowline "a" is part of a cycle of tributaries that never reaches the main flowline "main"`
	if _, err := Parse([]byte(doc), "c.yaml"); err == nil || err.Error() != want {
		t.Errorf("got  %v\nwant %s", err, want)
	}
	doc = strings.Replace(doc, "dx_m: 100, bed_m: [3, 2], width_m: 100, flows_to: {flowline: a", "dx_m: 50, bed_m: [3, 2], width_m: 100, flows_to: {flowline: main", 1)
	want = `c.yaml:3: flowlines[1].dx_m: is 100 m but "b", which it flows into, has 50 m: all flowlines of a glacier share one dx`
	if _, err := Parse([]byte(doc), "c.yaml"); err == nil || err.Error() != want {
		t.Errorf("got  %v\nwant %s", err, want)
	}
}

func TestMassBalanceModel(t *testing.T) {
	linear := massbalance.Linear{ELA: 2600, Gradient: 3, MaxBalance: 2}
	tests := []struct {
		yaml string
		want massbalance.Model
	}{
		{"{type: linear, ela_m: 2600, gradient_mm_we_per_m: 3, max_mb_m_we: 2}", linear},
		{"{type: linear, ela_m: 2600, gradient_mm_we_per_m: 3, max_mb_m_we: 2, bias_m_we_per_year: -0.5}", massbalance.Biased{Model: linear, Bias: -0.5}},
		{"{type: constant, mb_m_we_per_year: -1}", massbalance.Constant{Balance: -1}},
		{"{type: constant, mb_m_we_per_year: -1, bias_m_we_per_year: 0}", massbalance.Constant{Balance: -1}},
		{"{type: constant, mb_m_we_per_year: 0, bias_m_we_per_year: 1}", massbalance.Biased{Model: massbalance.Constant{}, Bias: 1}},
	}
	for _, tc := range tests {
		s := mustParse(t, strings.Replace(baseYAML, "{type: linear, ela_m: 2600, gradient_mm_we_per_m: 3}", tc.yaml, 1), "mb.yaml")
		got, err := s.MassBalanceModel()
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: got %#v, %v; want %#v", tc.yaml, got, err, tc.want)
		}
	}
}

func TestInitialThickness(t *testing.T) {
	s := mustParse(t, strings.Replace(baseYAML, "width_m: 200", "width_m: 200\n    initial_thickness_m: 50", 1), "h.yaml")
	h := s.InitialThickness()
	if len(h) != 2 || h[0] != nil || !reflect.DeepEqual(h[1], fill(30, 50)) {
		t.Fatalf("got %v", h)
	}
	h[1][0] = -1
	if s.Flowlines[1].InitialThickness[0] != 50 {
		t.Error("InitialThickness shares its slices with the Spec")
	}
	s = mustParse(t, strings.Replace(baseJSON, `"width_m": 300`, `"width_m": 300, "initial_thickness_m": `+jsonList(200, 3, "0", "7.5"), 1), "h.json")
	if h := s.InitialThickness()[0]; len(h) != 200 || h[3] != 7.5 || h[4] != 0 {
		t.Errorf("got %v", h)
	}
}

// JSON is read by encoding/json's tokenizer: tab indentation, escapes that
// YAML lacks, CRLF line ends and a byte-order mark are all fine.
func TestJSONForms(t *testing.T) {
	tabs := strings.ReplaceAll(baseJSON, "  ", "\t")
	crlf := strings.ReplaceAll(baseJSON, "\n", "\r\n")
	escaped := strings.Replace(baseJSON, `"name": "side"`, `"name": "\u0073id\u00e9"`, 1)
	bom := "\xef\xbb\xbf" + baseJSON
	leadingTab := "\t" + baseJSON
	want := values(mustParse(t, baseJSON, "a.json"))
	if s := mustParse(t, strings.Replace(baseJSON, `"years"`, `"description": "a\/b\tc", "years"`, 1), "a.json"); s.Description != "a/b\tc" {
		t.Errorf("description %q, want %q", s.Description, "a/b\tc")
	}
	for name, doc := range map[string]string{"tabs": tabs, "crlf": crlf, "escaped": escaped, "bom": bom, "leading tab": leadingTab} {
		for _, file := range []string{"a.json", "-", "noext"} {
			s, err := Parse([]byte(doc), file)
			if err != nil {
				t.Errorf("%s as %s: %v", name, file, err)
				continue
			}
			got := values(s)
			if name == "escaped" {
				if got.Flowlines[1].Name != "sidé" {
					t.Errorf("escaped: name %q, want sidé", got.Flowlines[1].Name)
				}
				got.Flowlines[1].Name = "side"
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%s as %s: got a different Spec", name, file)
			}
		}
	}
	// Line numbers survive CRLF and tabs.
	for name, doc := range map[string]string{"crlf": crlf, "tabs": tabs} {
		bad := strings.Replace(doc, `"point": 28`, `"point": 280`, 1)
		if _, err := Parse([]byte(bad), "a.json"); err == nil || !strings.HasPrefix(err.Error(), "a.json:16: flowlines[1].flows_to.point:") {
			t.Errorf("%s: got %v", name, err)
		}
	}
}

// Without a known extension the content decides; YAML flow style that is
// not JSON still reads as YAML.
func TestFormatByContent(t *testing.T) {
	want := values(mustParse(t, baseJSON, "a.json"))
	flow := `{flowlines: [{name: main, dx_m: 100, bed: {top_m: 3000, bottom_m: 1000, points: 200}, width_m: 300},
  {name: side, dx_m: 100, bed: {top_m: 3200, bottom_m: 2740, points: 30}, width_m: 200, flows_to: {flowline: main, point: 28}}],
 mass_balance: {type: linear, ela_m: 2600, gradient_mm_we_per_m: 3}, years: {start: 0, end: 700}}`
	for name, doc := range map[string]string{"yaml": baseYAML, "json": baseJSON, "yaml flow": flow} {
		for _, file := range []string{"-", "experiment", "exp.txt"} {
			s, err := Parse([]byte(doc), file)
			if err != nil {
				t.Errorf("%s as %s: %v", name, file, err)
			} else if !reflect.DeepEqual(values(s), want) {
				t.Errorf("%s as %s: got a different Spec", name, file)
			}
		}
	}
	// A .json file must be JSON.
	if _, err := Parse([]byte(baseYAML), "exp.json"); err == nil || !strings.HasPrefix(err.Error(), "exp.json:1: invalid JSON") {
		t.Errorf("YAML in a .json file: got %v", err)
	}
	// JSON is YAML, so a .yaml file may hold JSON.
	if _, err := Parse([]byte(baseJSON), "exp.yml"); err != nil {
		t.Error(err)
	}
}

func TestLoadStdin(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		w.WriteString(strings.Replace(baseYAML, "end: 700", "end: -1", 1))
		w.Close()
	}()
	stdin := os.Stdin
	os.Stdin = r
	defer func() { os.Stdin = stdin }()
	_, err = Load("-")
	if want := "<stdin>:14: years.end: must be after years.start (0), got -1"; err == nil || err.Error() != want {
		t.Errorf("got  %v\nwant %s", err, want)
	}
	if _, err := Load("testdata/no-such-file.json"); err == nil || !strings.Contains(err.Error(), "no-such-file.json") {
		t.Errorf("got %v", err)
	}
}

func FuzzParse(f *testing.F) {
	for _, doc := range []string{baseJSON, baseYAML, `{"flowlines": [{"bed": {"points": 3}}]}`, "a: [1, {b: 2}]"} {
		f.Add([]byte(doc), "f.json")
		f.Add([]byte(doc), "f.yaml")
		f.Add([]byte(doc), "-")
	}
	f.Fuzz(func(t *testing.T, data []byte, name string) {
		s, err := Parse(data, name)
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("error %v is a %T", err, err)
			}
			return
		}
		if _, err := s.Glacier(); err != nil {
			t.Fatalf("Parse accepted a spec whose Glacier fails: %v", err)
		}
		if _, err := s.MassBalanceModel(); err != nil {
			t.Fatalf("Parse accepted a spec whose MassBalanceModel fails: %v", err)
		}
	})
}
