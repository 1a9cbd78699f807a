package experiment

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"
)

// rangeDoc is an experiment that gives every numeric key of the file, one
// per line, as ${key}; the same text is read as JSON and as YAML.
const rangeDoc = `{
 "flowlines": [
  {
   "name": "main",
   "dx_m": ${dx_m},
   "bed": {
    "top_m": ${top_m},
    "bottom_m": ${bottom_m},
    "points": ${points},
    "bumps": [{
     "point": ${point},
     "height_m": ${height_m},
     "half_width_points": ${half_width_points}
    }]
   },
   "shape": "trapezoidal",
   "width_m": ${width_m},
   "lambda": ${lambda},
   "parabola_p": ${parabola_p},
   "initial_thickness_m": ${initial_thickness_m}
  },
  {
   "name": "side",
   "dx_m": 100,
   "bed_m": [3200, ${bed_m}],
   "width_m": 100,
   "flows_to": {"flowline": "main",
    "point": ${flows_to_point}}
  }
 ],
 "mass_balance": ${mass_balance},
 "dynamics": {
  "glen_n": ${glen_n},
  "glen_a": ${glen_a},
  "sliding_fs": ${sliding_fs},
  "rho_kg_m3": ${rho_kg_m3},
  "g_m_s2": ${g_m_s2},
  "cfl": ${cfl}
 },
 "years": {
  "start": ${start},
  "end": ${end},
  "every": ${every}
 },
 "length_threshold_m": ${length_threshold_m}
}
`

const linearMB = `{
  "type": "linear",
  "ela_m": ${ela_m},
  "gradient_mm_we_per_m": ${gradient_mm_we_per_m},
  "gradient_above_mm_we_per_m": ${gradient_above_mm_we_per_m},
  "max_mb_m_we": ${max_mb_m_we},
  "temp_bias_k": ${temp_bias_k},
  "bias_m_we_per_year": ${bias_m_we_per_year}
 }`

const constantMB = `{
  "type": "constant",
  "mb_m_we_per_year": ${mb_m_we_per_year}
 }`

// rangeDefaults are valid values of every key.
var rangeDefaults = map[string]string{
	"dx_m": "100", "top_m": "3000", "bottom_m": "1000", "points": "200",
	"point": "100", "height_m": "50", "half_width_points": "5",
	"width_m": "160", "lambda": "2", "parabola_p": "0", "initial_thickness_m": "0",
	"bed_m": "2800", "flows_to_point": "28",
	"ela_m": "2600", "gradient_mm_we_per_m": "3", "gradient_above_mm_we_per_m": "2",
	"max_mb_m_we": "2", "temp_bias_k": "0.5", "bias_m_we_per_year": "-0.2", "mb_m_we_per_year": "0.5",
	"glen_n": "3", "glen_a": "2.4e-24", "sliding_fs": "5.7e-20", "rho_kg_m3": "900", "g_m_s2": "9.81", "cfl": "0.02",
	"start": "0", "end": "10", "every": "1",
	"length_threshold_m": "1",
}

// expand returns the document with key set to value, and the line that
// value is on.
func expand(t *testing.T, key, value string) (doc string, line int) {
	t.Helper()
	mb := linearMB
	if key == "mb_m_we_per_year" {
		mb = constantMB
	}
	doc = strings.Replace(rangeDoc, "${mass_balance}", mb, 1)
	for k, v := range rangeDefaults {
		if k == key {
			v = value
		}
		doc = strings.Replace(doc, "${"+k+"}", v, 1)
	}
	if i := strings.Index(doc, "${"); i >= 0 {
		t.Fatalf("no value for %s", doc[i:])
	}
	field := key
	if key == "flows_to_point" {
		field = "point"
	}
	at := `"` + field + `": ` + value
	if key == "bed_m" {
		at = value
	}
	i := strings.LastIndex(doc, at) // "point" is also a bump's key
	if key == "point" {
		i = strings.Index(doc, at)
	}
	if i < 0 {
		t.Fatalf("document lacks %q", at)
	}
	return doc, strings.Count(doc[:i], "\n") + 1
}

func TestRangeDocIsValid(t *testing.T) {
	for _, name := range []string{"r.json", "r.yaml"} {
		for _, key := range []string{"dx_m", "mb_m_we_per_year"} {
			doc, _ := expand(t, key, rangeDefaults[key])
			if _, err := Parse([]byte(doc), name); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
		}
	}
}

// Every numeric key of the file refuses values below and above its
// range, with the range and the unit in the message, and NaN and
// infinity where YAML can write them (JSON cannot: its 1e999 is refused
// as out of range).
func TestRanges(t *testing.T) {
	type bad struct {
		value string
		msg   string // a part of the message
	}
	rows := []struct {
		key   string
		path  string
		below bad
		above bad
	}{
		{"dx_m", "flowlines[0].dx_m", bad{"5", "must be 10 to 10000 m, got 5 m"}, bad{"1e308", "must be 10 to 10000 m, got 1e+308 m"}},
		{"top_m", "flowlines[0].bed.top_m", bad{"-11001", "must be -11000 to 9000 m, got -11001 m"}, bad{"9001", "must be -11000 to 9000 m"}},
		{"bottom_m", "flowlines[0].bed.bottom_m", bad{"-20000", "must be -11000 to 9000 m"}, bad{"1e5", "must be -11000 to 9000 m, got 100000 m"}},
		{"points", "flowlines[0].bed.points", bad{"1", "want 2 to 10000 points, got 1"}, bad{"1e6", "want 2 to 10000 points, got 1000000"}},
		{"point", "flowlines[0].bed.bumps[0].point", bad{"-1", "must be 0 to 199 (a point of the bed), got -1"}, bad{"199.5", "must be 0 to 199"}},
		{"height_m", "flowlines[0].bed.bumps[0].height_m", bad{"-20001", "must be -20000 to 20000 m, got -20001"}, bad{"20001", "must be -20000 to 20000 m"}},
		{"half_width_points", "flowlines[0].bed.bumps[0].half_width_points", bad{"0", "must be more than 0 and at most 200 points, got 0"}, bad{"201", "must be more than 0 and at most 200 points"}},
		{"width_m", "flowlines[0].width_m", bad{"-1", "must not be negative, got -1 m"}, bad{"100001", "must be 0 to 100000 m, got 100001 m"}},
		{"lambda", "flowlines[0].lambda", bad{"-1", "must not be negative, got -1"}, bad{"21", "must be 0 to 20, got 21"}},
		{"parabola_p", "flowlines[0].parabola_p", bad{"1e-7", "must be 0 (where no point is parabolic) or 1e-06 to 1 m⁻¹, got 1e-07 m⁻¹"}, bad{"2", "or 1e-06 to 1 m⁻¹, got 2 m⁻¹"}},
		{"initial_thickness_m", "flowlines[0].initial_thickness_m", bad{"-1", "must be 0 to 5000 m, got -1 m"}, bad{"5001", "must be 0 to 5000 m"}},
		{"bed_m", "flowlines[1].bed_m[1]", bad{"-11001", "must be -11000 to 9000 m"}, bad{"9001", "must be -11000 to 9000 m, got 9001 m"}},
		{"flows_to_point", "flowlines[1].flows_to.point", bad{"-1", `"main" has points 0 to 199, got -1`}, bad{"200", `"main" has points 0 to 199, got 200`}},
		{"ela_m", "mass_balance.ela_m", bad{"-11001", "must be -11000 to 9000 m"}, bad{"9001", "must be -11000 to 9000 m, got 9001 m"}},
		{"gradient_mm_we_per_m", "mass_balance.gradient_mm_we_per_m", bad{"0", "must be more than 0 and at most 100 mm w.e. m⁻¹ yr⁻¹, got 0"}, bad{"101", "at most 100 mm w.e. m⁻¹ yr⁻¹, got 101"}},
		{"gradient_above_mm_we_per_m", "mass_balance.gradient_above_mm_we_per_m", bad{"0", "must be more than 0 and at most 100 mm w.e. m⁻¹ yr⁻¹, got 0"}, bad{"101", "at most 100 mm w.e. m⁻¹ yr⁻¹"}},
		{"max_mb_m_we", "mass_balance.max_mb_m_we", bad{"-1", "must be 0 (no cap) to 20 m w.e. yr⁻¹, got -1"}, bad{"21", "must be 0 (no cap) to 20 m w.e. yr⁻¹, got 21"}},
		{"temp_bias_k", "mass_balance.temp_bias_k", bad{"-21", "must be -20 to 20 K, got -21 K"}, bad{"21", "must be -20 to 20 K"}},
		{"bias_m_we_per_year", "mass_balance.bias_m_we_per_year", bad{"-21", "must be -20 to 20 m w.e. yr⁻¹"}, bad{"21", "must be -20 to 20 m w.e. yr⁻¹, got 21"}},
		{"mb_m_we_per_year", "mass_balance.mb_m_we_per_year", bad{"-21", "must be -20 to 20 m w.e. yr⁻¹, got -21"}, bad{"21", "must be -20 to 20 m w.e. yr⁻¹"}},
		{"glen_n", "dynamics.glen_n", bad{"0.5", "must be 1 to 5, got 0.5"}, bad{"6", "must be 1 to 5, got 6"}},
		{"glen_a", "dynamics.glen_a", bad{"1e-29", "must be 1e-28 to 1e-20 Pa⁻ⁿ s⁻¹ for n = 3"}, bad{"1e300", "(a strain rate of 1e-13 to 1e-05 s⁻¹ under a stress of 100 kPa), got 1e+300"}},
		{"sliding_fs", "dynamics.sliding_fs", bad{"-1e-20", "must be 0 (no sliding) to 1e-16 Pa⁻ⁿ m² s⁻¹ for n = 3"}, bad{"1e-15", "(sliding at most 0.001 m s⁻¹ under 100 kPa and 100 m of ice), got 1e-15"}},
		{"rho_kg_m3", "dynamics.rho_kg_m3", bad{"499", "must be 500 to 1000 kg m⁻³, got 499 kg m⁻³"}, bad{"1001", "must be 500 to 1000 kg m⁻³"}},
		{"g_m_s2", "dynamics.g_m_s2", bad{"0.01", "must be 0.1 to 25 m s⁻², got 0.01 m s⁻²"}, bad{"26", "must be 0.1 to 25 m s⁻²"}},
		{"cfl", "dynamics.cfl", bad{"-0.1", "must be 0 (the solver's default) to 1, got -0.1"}, bad{"1.5", "must be 0 (the solver's default) to 1, got 1.5"}},
		{"start", "years.start", bad{"-2e6", "must be -1000000 to 1000000 years, got -2e+06 years"}, bad{"2e6", "must be -1000000 to 1000000 years"}},
		{"end", "years.end", bad{"0", "must be after years.start (0), got 0"}, bad{"1e12", "the run would last 1e+12 years; a run lasts at most 100000 years (years.end − years.start), so years.end must be at most 100000"}},
		{"every", "years.every", bad{"0.5", "must be a whole number of years from 1 to 100000, got 0.5"}, bad{"200000", "must be a whole number of years from 1 to 100000, got 200000"}},
		{"length_threshold_m", "length_threshold_m", bad{"-1", "must be 0 to 1000 m, got -1 m"}, bad{"1001", "must be 0 to 1000 m, got 1001 m"}},
	}
	seen := map[string]bool{}
	for _, row := range rows {
		seen[row.key] = true
		cases := []struct {
			name, file string
			bad
			path string
		}{
			{"below/json", "r.json", row.below, row.path},
			{"below/yaml", "r.yaml", row.below, row.path},
			{"above/json", "r.json", row.above, row.path},
			{"above/yaml", "r.yaml", row.above, row.path},
			{"NaN/yaml", "r.yaml", bad{".nan", "want a finite number, got .nan"}, row.path},
			{"+Inf/yaml", "r.yaml", bad{".inf", "want a finite number, got .inf"}, row.path},
			{"-Inf/yaml", "r.yaml", bad{"-.inf", "want a finite number, got -.inf"}, row.path},
			{"overflow/json", "r.json", bad{"1e999", "number 1e999 is out of range"}, ""},
		}
		for _, tc := range cases {
			t.Run(row.key+"/"+tc.name, func(t *testing.T) {
				doc, line := expand(t, row.key, tc.value)
				_, err := Parse([]byte(doc), tc.file)
				var e *Error
				if !errors.As(err, &e) {
					t.Fatalf("got %v, want an *Error", err)
				}
				want := fmt.Sprintf("%s:%d: ", tc.file, line)
				if tc.path != "" {
					want += tc.path + ": "
				}
				if msg := err.Error(); !strings.HasPrefix(msg, want) || !strings.Contains(msg, tc.msg) {
					t.Errorf("got  %s\nwant %s…%s…", msg, want, tc.msg)
				}
			})
		}
	}
	for key := range rangeDefaults {
		if !seen[key] {
			t.Errorf("no row for %s", key)
		}
	}
}

// A Spec built in code is checked against the same ranges; NaN is out of
// every range.
func TestRangesInCode(t *testing.T) {
	valid := func() *Spec {
		doc, _ := expand(t, "dx_m", "100")
		s, err := Parse([]byte(doc), "x.json")
		if err != nil {
			t.Fatal(err)
		}
		s.src = nil
		return s
	}
	nan := math.NaN()
	for _, tc := range []struct {
		set  func(s *Spec)
		want string
	}{
		{func(s *Spec) { s.Flowlines[0].Dx = nan }, "flowlines[0].dx_m: must be 10 to 10000 m, got NaN m"},
		{func(s *Spec) { s.Flowlines[0].Bed[3] = math.Inf(1) }, "flowlines[0].bed_m[3]: must be -11000 to 9000 m, got +Inf m"},
		{func(s *Spec) { s.MassBalance.ELA = nan }, "mass_balance.ela_m: must be -11000 to 9000 m, got NaN m"},
		{func(s *Spec) { s.MassBalance.GradientAbove = -1 }, "mass_balance.gradient_above_mm_we_per_m: must be more than 0 and at most 100 mm w.e. m⁻¹ yr⁻¹, got -1"},
		{func(s *Spec) { s.Dynamics.GlenA = nan }, "dynamics.glen_a: must be 1e-28 to 1e-20 Pa⁻ⁿ s⁻¹ for n = 3"},
		{func(s *Spec) { s.Dynamics.GlenN = nan }, "dynamics.glen_n: must be 1 to 5, got NaN"},
		{func(s *Spec) { s.Years.End = math.Inf(1) }, "years.end: the run would last +Inf years; a run lasts at most 100000 years"},
		{func(s *Spec) { s.LengthThreshold = nan }, "length_threshold_m: must be 0 to 1000 m, got NaN m"},
	} {
		s := valid()
		tc.set(s)
		if err := s.Check(); err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("got  %v\nwant %s", err, tc.want)
		}
	}
}
