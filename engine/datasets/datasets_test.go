package datasets

import (
	"math"
	"strings"
	"testing"
)

func TestHintereisferner(t *testing.T) {
	g, err := Hintereisferner()
	if err != nil {
		t.Fatal(err)
	}
	if err := g.Climate.Validate(); err != nil {
		t.Error(err)
	}
	if err := g.Hypsometry.Validate(); err != nil {
		t.Error(err)
	}
	n := g.Climate.Len()
	for _, tc := range []struct {
		what      string
		got, want float64
	}{
		{"climate months", float64(n), 2424},
		{"reference height", g.Climate.RefHeight, 3160},
		{"first climate year", float64(g.Climate.Years[0]), 1801},
		{"area m²", g.Hypsometry.Area, 8.036e6},
		{"observations", float64(len(g.Observations)), 68},
		{"first observation", g.Observations[0].Annual, -0.540},
		{"profiles", float64(len(g.Profiles)), 40},
		{"lengths", float64(len(g.Lengths.Year)), 97},
		{"last length change", g.Lengths.Change[len(g.Lengths.Change)-1], -2918},
		{"outline area km²", g.Outline.Area, 8.036},
		{"outline centre longitude", g.Outline.CenLon, 10.7584},
		{"DEM columns", float64(g.DEM.Width), 96},
		{"DEM rows", float64(g.DEM.Height), 96},
	} {
		if math.Abs(tc.got-tc.want) > 1e-9*math.Max(1, math.Abs(tc.want)) {
			t.Errorf("%s = %g, want %g", tc.what, tc.got, tc.want)
		}
	}
	if b, ok := g.Observed(2003); !ok || math.Abs(b-(-1.796)) > 1e-9 {
		t.Errorf("Observed(2003) = %g, %v; want -1.796", b, ok)
	}
	if _, ok := g.Observed(1900); ok {
		t.Error("Observed(1900) found a balance")
	}
	p, ok := g.Profile(1964)
	if !ok || p.Elevation[0] != 2425 || math.Abs(p.Balance[0]-(-6.87)) > 1e-9 {
		t.Errorf("Profile(1964) = %v, %v", p, ok)
	}
	for _, s := range []string{"Hintereisferner (RGI60-11.00897, WGMS 491)", "2424 months", "HISTALP"} {
		if !strings.Contains(g.String(), s) {
			t.Errorf("String lacks %q:\n%s", s, g)
		}
	}
	// Fresh values every call.
	g.Climate.Temp[0] = 99
	g2, _ := Hintereisferner()
	if g2.Climate.Temp[0] == 99 {
		t.Error("a change of one call's climate shows in the next call's")
	}
}

func TestMeanProfile(t *testing.T) {
	g, err := Hintereisferner()
	if err != nil {
		t.Fatal(err)
	}
	p, err := g.MeanProfile(1964, 2003)
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i < len(p.Elevation); i++ {
		if p.Elevation[i] <= p.Elevation[i-1] {
			t.Fatalf("elevations not increasing: %v", p.Elevation)
		}
	}
	// The balance grows with altitude, negative at the tongue.
	if p.Balance[0] > -3 || p.Balance[len(p.Balance)-1] < 0 {
		t.Errorf("mean profile %v", p)
	}
	if _, err := g.MeanProfile(1900, 1910); err == nil || !strings.Contains(err.Error(), "1964–2003") {
		t.Errorf("MeanProfile(1900, 1910): err = %v", err)
	}
}

func TestBalanceProfileModel(t *testing.T) {
	p := BalanceProfile{Year: 2000, Elevation: []float64{2500, 2600, 2700}, Balance: []float64{-3, -1, 0.5}}
	z := []float64{2000, 2500, 2550, 2700, 3000}
	want := []float64{-3, -3, -2, 0.5, 0.5}
	mb := make([]float64, len(z))
	if err := p.AnnualBalanceWE(0, z, mb); err != nil {
		t.Fatal(err)
	}
	for i := range z {
		if math.Abs(mb[i]-want[i]) > 1e-12 {
			t.Errorf("balance at %g m = %g, want %g", z[i], mb[i], want[i])
		}
	}
	if err := p.AnnualBalance(0, z, mb[:2]); err == nil {
		t.Error("no error for a short output slice")
	}
	if err := (BalanceProfile{}).AnnualBalanceWE(0, z, mb); err == nil {
		t.Error("no error for an empty profile")
	}
}

func TestReadErrors(t *testing.T) {
	for _, tc := range []struct{ name, data, want string }{
		{"header", "Z,1964\n2400,-5\n", "ALTITUDE"},
		{"year", "ALTITUDE,abc\n2400,-5\n", "not a year"},
		{"balance", "ALTITUDE,1964\n2400,x\n", "not a balance"},
		{"order", "ALTITUDE,1964\n2500,-5\n2400,-6\n", "want increasing"},
	} {
		_, err := readProfiles(strings.NewReader(tc.data), "p.csv")
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want %q", tc.name, err, tc.want)
		}
	}
	if _, err := readLengths(strings.NewReader("year,dl\n1900,x\n"), "l.csv"); err == nil {
		t.Error("readLengths: no error for a bad length")
	}
}
