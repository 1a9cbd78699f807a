package geometry

import (
	"math"
	"strings"
	"testing"
)

// TestSectionRoundTrip: Thickness inverts Section, and the formulas match
// the closed forms of the package doc, for every shape, from a film of ice
// to a kilometre.
func TestSectionRoundTrip(t *testing.T) {
	fl := NewFlowline("f", 100, make([]float64, 4))
	fl.Shapes = []Shape{Rectangular, Parabolic, Trapezoidal, Trapezoidal}
	fl.Width = []float64{300, 0, 160, 0}
	fl.Lambda = []float64{0, 0, 2, 1}
	fl.ParabolaP = []float64{0, 5e-3, 0, 0}
	for _, h := range []float64{1e-9, 0.1, 1, 50, 300, 1000} {
		want := []struct{ s, w float64 }{
			{300 * h, 300},
			{2.0 / 3 * math.Sqrt(4*h/5e-3) * h, math.Sqrt(4 * h / 5e-3)},
			{(160 + 160 + 2*h) / 2 * h, 160 + 2*h},
			{h / 2 * h, h},
		}
		for i, w := range want {
			s := fl.Section(i, h)
			if math.Abs(s-w.s) > 1e-12*w.s {
				t.Errorf("%v H=%g: section %g, want %g", fl.Shapes[i], h, s, w.s)
			}
			if got := fl.TopWidth(i, h); math.Abs(got-w.w) > 1e-12*w.w {
				t.Errorf("%v H=%g: width %g, want %g", fl.Shapes[i], h, got, w.w)
			}
			if got := fl.Thickness(i, s); math.Abs(got-h) > 1e-12*h {
				t.Errorf("%v: thickness(section(%g)) = %.17g", fl.Shapes[i], h, got)
			}
		}
	}
	if fl.Thickness(1, 1e-300) == 0 {
		t.Error("a tiny parabolic section must not underflow to zero thickness")
	}
	if fl.Thickness(0, -1) != 0 || fl.Thickness(1, 0) != 0 {
		t.Error("no section, no thickness")
	}
}

func TestNewGlacier(t *testing.T) {
	line := func(name string, n int, to *Junction) *Flowline {
		fl := NewFlowline(name, 100, make([]float64, n))
		fl.SetRectangular(300)
		fl.FlowsTo = to
		return fl
	}
	g, err := NewGlacier(line("t2", 5, &Junction{"t1", 2}), line("main", 20, nil), line("t1", 10, &Junction{"main", 9}))
	if err != nil {
		t.Fatal(err)
	}
	if g.Main != 1 || g.MainLine().Name != "main" || g.Points() != 35 {
		t.Errorf("main %d, points %d", g.Main, g.Points())
	}
	if want := []int{0, 2, 1}; len(g.Order) != 3 || g.Order[0] != want[0] || g.Order[1] != want[1] || g.Order[2] != want[2] {
		t.Errorf("order %v, want tributaries before receivers %v", g.Order, want)
	}
	neg := line("main", 5, nil)
	neg.Width[3] = -2
	para := NewFlowline("main", 100, make([]float64, 5))
	para.SetParabolic(0)
	badDx := line("t", 5, &Junction{"main", 1})
	badDx.Dx = 50
	tests := []struct {
		name  string
		lines []*Flowline
		want  string
	}{
		{"none", nil, "no flowlines"},
		{"negative width", []*Flowline{neg}, `"main": width at point 3`},
		{"parabola without P", []*Flowline{para}, "parabola_p at point 0"},
		{"missing line", []*Flowline{line("main", 5, nil), line("t", 5, &Junction{"nowhere", 1})}, `flows to "nowhere"`},
		{"point out of range", []*Flowline{line("main", 5, nil), line("t", 5, &Junction{"main", 5})}, "points 0 to 4"},
		{"two mains", []*Flowline{line("a", 5, nil), line("b", 5, nil)}, "both flow nowhere"},
		{"cycle", []*Flowline{line("main", 5, nil), line("a", 5, &Junction{"b", 1}), line("b", 5, &Junction{"a", 1})}, "cycle"},
		{"duplicate", []*Flowline{line("main", 5, nil), line("main", 5, nil)}, "two flowlines"},
		{"one point", []*Flowline{line("main", 1, nil)}, "at least 2"},
		{"dx", []*Flowline{line("main", 5, nil), badDx}, "share one dx"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewGlacier(tc.lines...)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want it to mention %q", err, tc.want)
			}
		})
	}
}

func TestParseShape(t *testing.T) {
	for _, s := range []Shape{Rectangular, Parabolic, Trapezoidal} {
		got, err := ParseShape(s.String())
		if err != nil || got != s {
			t.Errorf("ParseShape(%q) = %v, %v", s.String(), got, err)
		}
	}
	if _, err := ParseShape("round"); err == nil {
		t.Error("unknown shapes must fail")
	}
}
