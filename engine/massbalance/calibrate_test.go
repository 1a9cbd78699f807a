package massbalance

import (
	"bytes"
	"math"
	"strings"
	"testing"
)

func hefData(t testing.TB) (Hypsometry, []Observation) {
	t.Helper()
	const hypso, wgms = "Hintereisferner_V5_hypso.csv", "mbdata_WGMS-00491.csv"
	hs, err := ReadRGIHypsometry(bytes.NewReader(hefFile(t, hypso)), hypso)
	if err != nil {
		t.Fatal(err)
	}
	obs, err := ReadWGMS(bytes.NewReader(hefFile(t, wgms)), wgms)
	if err != nil {
		t.Fatal(err)
	}
	return hs[0], obs
}

func TestBrent(t *testing.T) {
	tests := []struct {
		name     string
		f        func(float64) float64
		a, b     float64
		root     float64
		maxEvals int
	}{
		{"linear", func(x float64) float64 { return 3 - 0.5*x }, 0.1, 50, 6, 5},
		{"cube", func(x float64) float64 { return x*x*x - 2 }, 0, 2, math.Cbrt(2), 20},
		{"cos", func(x float64) float64 { return math.Cos(x) - x }, 0, 1, 0.7390851332151607, 20},
		{"steep", func(x float64) float64 { return math.Exp(x) - 1e4 }, 0, 20, math.Log(1e4), 40},
		// A triple root: flat, so slow (Brent's worst case is about
		// the square of bisection's 42 steps).
		{"flat near root", func(x float64) float64 { return math.Pow(x-1, 3) }, 0, 3, 1, 200},
		{"root at an end", func(x float64) float64 { return x - 2 }, 2, 5, 2, 1},
	}
	for _, tc := range tests {
		n := 0
		f := func(x float64) (float64, error) { n++; return tc.f(x), nil }
		x, err := brent(f, tc.a, tc.b, tc.f(tc.a), tc.f(tc.b), 1e-12, 300)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if math.Abs(x-tc.root) > 1e-6 && !(tc.name == "flat near root" && math.Abs(x-tc.root) < 1e-4) {
			t.Errorf("%s: root %.15g, want %.15g", tc.name, x, tc.root)
		}
		if n > tc.maxEvals {
			t.Errorf("%s: %d evaluations, want at most %d", tc.name, n, tc.maxEvals)
		}
	}
	if _, err := brent(func(x float64) (float64, error) { return x * x, nil }, 1, 2, 1, 4, 1e-9, 100); err == nil {
		t.Error("no sign change must fail")
	}
}

func TestReadHEFData(t *testing.T) {
	h, obs := hefData(t)
	if h.Name != "RGI50-11.00897" || h.Area != 8.036e6 || len(h.Elevation) != 26 || h.Elevation[0] != 2425 || h.Elevation[25] != 3675 {
		t.Errorf("hypsometry %s: %g m², %d bands %v", h.Name, h.Area, len(h.Elevation), h.Elevation)
	}
	if err := h.Validate(); err != nil {
		t.Error(err)
	}
	// The README: 1953–2020, 68 years, mean −653 mm w.e.
	var mean float64
	for _, o := range obs {
		mean += o.Annual / float64(len(obs))
	}
	if len(obs) != 68 || obs[0].Year != 1953 || obs[67].Year != 2020 || math.Abs(mean*1000+653) > 1 {
		t.Errorf("%d observations %d–%d, mean %.0f mm w.e.", len(obs), obs[0].Year, obs[len(obs)-1].Year, mean*1000)
	}
	if !math.IsNaN(obs[0].Winter) || obs[60].Year != 2013 || obs[60].Winter != 1.331 || obs[60].Summer != -1.841 {
		t.Errorf("seasonal balances: %+v %+v", obs[0], obs[60])
	}
}

func TestReadHypsometryErrors(t *testing.T) {
	tests := []struct{ text, want string }{
		{"", "header"},
		{"a,b\n", "no RGIId"},
		{"RGIId,Area,100\n", "no glacier"},
		{"RGIId,Area,100,150\nX,1,0,0\n", "no area"},
		{"RGIId,Area,100,150\nX,1,5,-1\n", "150 m"},
		{"RGIId,Area,100,150\nX,big,5,1\n", "Area"},
		{"RGIId,Area,100,150\nX,1,5\n", "line 2"},
	}
	for _, tc := range tests {
		_, err := ReadRGIHypsometry(strings.NewReader(tc.text), "h.csv")
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "h.csv") {
			t.Errorf("%q: %v, want %q", tc.text, err, tc.want)
		}
	}
	hs, err := ReadRGIHypsometry(strings.NewReader("RGIId , Area,100,150,200\nA,2,250,0,750\nB,1,1,1,2\n"), "h.csv")
	if err != nil || len(hs) != 2 || hs[0].Weight[1] != 0.75 || hs[0].Elevation[1] != 200 || hs[1].Weight[2] != 0.5 || hs[0].Area != 2e6 {
		t.Errorf("%+v %v", hs, err)
	}
}

func TestReadWGMSErrors(t *testing.T) {
	const head = "YEAR,WGMS_ID,ANNUAL_BALANCE,WINTER_BALANCE,SUMMER_BALANCE,REMARKS\n"
	tests := []struct{ text, want string }{
		{"", "header"},
		{"YEAR,B\n", "ANNUAL_BALANCE"},
		{head, "no annual balance"},
		{head + "2000,1,-500,,,\n2000,1,-600,,,\n", "line 3: year 2000 after 2000"},
		{head + "20x0,1,-500,,,\n", "line 2: YEAR"},
		{head + "2000,1,lots,,,\n", "line 2: ANNUAL_BALANCE"},
		{head + "2000,1,-5,w,,\n", "WINTER_BALANCE"},
	}
	for _, tc := range tests {
		_, err := ReadWGMS(strings.NewReader(tc.text), "w.csv")
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "w.csv") {
			t.Errorf("%q: %v, want %q", tc.text, err, tc.want)
		}
	}
	obs, err := ReadWGMS(strings.NewReader(head+"1999,1,,,,\n2000,1,-500,800,\"-1,300\",\"a, b\"\n"), "w.csv")
	if err == nil {
		t.Errorf("a summer balance with a comma must fail: %+v", obs)
	}
	obs, err = ReadWGMS(strings.NewReader(head+"1999,1,,,,\n2000,1,-500,800,-1300,\"a, b\"\n"), "w.csv")
	if err != nil || len(obs) != 1 || obs[0] != (Observation{2000, -0.5, 0.8, -1.3}) {
		t.Errorf("%+v %v", obs, err)
	}
}

func TestSpecificBalance(t *testing.T) {
	h := Hypsometry{Name: "two bands", Elevation: []float64{2500, 2800}, Weight: []float64{0.75, 0.25}}
	tests := []struct {
		model Model
		want  float64
	}{
		{Linear{ELA: 2600, Gradient: 3}, 0.75*-0.3 + 0.25*0.6},
		{Constant{Balance: -0.9}, -0.9},
		{Biased{Model: Constant{Balance: -0.9}, Bias: 0.4}, -0.5},
	}
	for _, tc := range tests {
		got, err := SpecificBalance(tc.model, h, 2000)
		if err != nil || math.Abs(got-tc.want) > 1e-12 {
			t.Errorf("%v: %g (%v), want %g", tc.model, got, err, tc.want)
		}
	}
	if _, err := SpecificBalance(Constant{}, Hypsometry{Name: "bad", Elevation: []float64{1}, Weight: []float64{0.5}}, 0); err == nil {
		t.Error("weights that do not sum to 1 must fail")
	}
	if _, err := SpecificBalance(nil, h, 0); err == nil {
		t.Error("no model must fail")
	}
}

// Calibration recovers the melt factor of balances made by the model.
func TestCalibrateSynthetic(t *testing.T) {
	h, _ := hefData(t)
	truth := NewMonthlyTI(hefClimate(t))
	truth.FirstMonth = 10
	truth.MeltFactor = 7.3
	var obs []Observation
	for y := 1960; y <= 1990; y++ {
		b, err := SpecificBalance(truth, h, float64(y))
		if err != nil {
			t.Fatal(err)
		}
		obs = append(obs, Observation{Year: y, Annual: b, Winter: math.NaN(), Summer: math.NaN()})
	}
	m := truth
	m.MeltFactor = DefaultMeltFactor
	cal, err := CalibrateMeltFactor(m, h, obs, 1970, 1990)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(cal.MeltFactor-7.3) > 1e-6 || cal.Years != 21 || math.Abs(cal.Modelled-cal.Observed) > 1e-9 {
		t.Errorf("%v (%d evaluations), want melt factor 7.3", cal, cal.Evaluations)
	}
	if m.MeltFactor != DefaultMeltFactor {
		t.Error("CalibrateMeltFactor changed its model")
	}
	m.MeltFactor = cal.MeltFactor
	v, err := Verify(m, h, obs, 1960, 1969)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(v.R-1) > 1e-9 || math.Abs(v.Bias) > 1e-6 || v.RMSE > 1e-6 {
		t.Errorf("verification of a perfect model: %v", v)
	}

	// Errors: no observations; a balance out of reach.
	if _, err := CalibrateMeltFactor(m, h, obs, 2000, 2010); err == nil || !strings.Contains(err.Error(), "2000–2010") {
		t.Errorf("no observations: %v", err)
	}
	wet := []Observation{{Year: 1980, Annual: 25}}
	if _, err := CalibrateMeltFactor(m, h, wet, 1980, 1980); err == nil || !strings.Contains(err.Error(), "precipitation factor") {
		t.Errorf("an observed balance of 25 m w.e./yr: %v", err)
	}
	if _, err := Verify(m, h, obs, 1960, 1961); err == nil {
		t.Error("verification on two years must fail")
	}
}

// TestCalibrateHEF calibrates the melt factor of Hintereisferner on the
// WGMS balances of 1980–2003 and tests the model on 1953–1979, years that
// the calibration did not see (a split-sample test).
//
// The settings: OGGM's defaults (precipitation factor 2.5, −6.5 K/km, melt
// above −1 °C, snow below 0–2 °C, melt_f per day × 365/12 days), HISTALP at
// its 3160 m cell, RGI5 hypsometry (the 2003 glacier), and hydrological
// years (October–September), the years of the WGMS balances: with calendar
// years r drops from about 0.8 to 0.6. The recent period is calibrated
// because the hypsometry is that of the 2003 outline; in the 1950s–70s the
// glacier was larger (about 9 km², WGMS), reached lower and lost more, so
// the model, on the 2003 geometry, is biased positive there.
func TestCalibrateHEF(t *testing.T) {
	h, obs := hefData(t)
	m := NewMonthlyTI(hefClimate(t))
	m.FirstMonth = 10
	cal, err := CalibrateMeltFactor(m, h, obs, 1980, 2003)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("calibration: %v, %d evaluations", cal, cal.Evaluations)
	if cal.Years != 24 || math.Abs(cal.Modelled-cal.Observed) > 1e-6 {
		t.Errorf("calibration: %v", cal)
	}
	if cal.MeltFactor < 3 || cal.MeltFactor > 12 {
		t.Errorf("melt factor %g kg m⁻² day⁻¹ K⁻¹ is not in the range of Alpine glaciers", cal.MeltFactor)
	}
	m.MeltFactor = cal.MeltFactor
	v, err := Verify(m, h, obs, 1953, 1979)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("test years: %v", v)
	if v.R < 0.5 {
		t.Errorf("correlation r = %.3f on the test years, want > 0.5", v.R)
	}
	if math.Abs(v.Bias) > 0.4 {
		t.Errorf("bias %+.0f mm w.e./yr on the test years, want within ±400", v.Bias*1000)
	}

	// The reverse split, for the record.
	m2 := NewMonthlyTI(m.Climate)
	m2.FirstMonth = 10
	cal2, err := CalibrateMeltFactor(m2, h, obs, 1953, 1979)
	if err != nil {
		t.Fatal(err)
	}
	m2.MeltFactor = cal2.MeltFactor
	v2, err := Verify(m2, h, obs, 1980, 2003)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("reverse split: %v; test years: %v", cal2, v2)
	if v2.R < 0.5 || math.Abs(v2.Bias) > 0.4 {
		t.Errorf("reverse split: %v", v2)
	}

	// Calendar years, which the WGMS balances are not.
	m3 := NewMonthlyTI(m.Climate)
	cal3, err := CalibrateMeltFactor(m3, h, obs, 1980, 2002)
	if err != nil {
		t.Fatal(err)
	}
	m3.MeltFactor = cal3.MeltFactor
	v3, err := Verify(m3, h, obs, 1953, 1979)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("calendar years: %v; test years: %v", cal3, v3)
	if v3.R >= v.R {
		t.Errorf("calendar years correlate better (%.3f) than hydrological years (%.3f)", v3.R, v.R)
	}
}
