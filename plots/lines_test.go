package plots

import (
	"math"
	"strings"
	"testing"
)

func TestLines(t *testing.T) {
	x := []float64{1990, 1991, 1992, 1993}
	fig, err := Lines(x, [][]float64{{-0.5, math.NaN(), -1.1, -0.8}, {-0.6, -0.7, -0.9, -1.0}},
		[]string{"observed", "modelled"}, LinesOptions{XLabel: "Year", YLabel: "Balance (m w.e. yr⁻¹)", Zero: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fig.PNG(); err != nil {
		t.Fatal(err)
	}
	if s := fig.String(); !strings.Contains(s, "2 series") {
		t.Errorf("String = %q, want it to say 2 series", s)
	}
}

func TestLinesErrors(t *testing.T) {
	x := []float64{1, 2, 3}
	for _, tc := range []struct {
		name string
		x    []float64
		ys   [][]float64
		want string
	}{
		{"no series", x, nil, "no series"},
		{"short x", []float64{1}, [][]float64{{1}}, "at least 2"},
		{"length", x, [][]float64{{1, 2}}, "2 values for 3 x values"},
		{"all NaN", x, [][]float64{{math.NaN(), math.NaN(), math.NaN()}}, "no finite value"},
		{"Inf", x, [][]float64{{1, math.Inf(1), 2}}, "value 1 is +Inf"},
		{"x NaN", []float64{1, math.NaN(), 3}, [][]float64{{1, 2, 3}}, "x"},
	} {
		_, err := Lines(tc.x, tc.ys, nil, LinesOptions{})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want it to contain %q", tc.name, err, tc.want)
		}
	}
}
