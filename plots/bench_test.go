package plots

import (
	"math"
	"testing"

	"github.com/firnglacier/firn/engine/dynamics"
)

// lineHistory is a run of n yearly records with a smooth volume curve.
func lineHistory(n int) *dynamics.History {
	h := &dynamics.History{
		Year: make([]float64, n), Volume: make([]float64, n),
		Area: make([]float64, n), Length: make([]float64, n),
	}
	for i := range n {
		t := float64(i)
		h.Year[i] = t
		h.Volume[i] = 5e8 * (1 - math.Exp(-t/200)) * (1 + 0.05*math.Sin(t/15))
		h.Area[i] = 3e6 * (1 - math.Exp(-t/150))
		h.Length[i] = 1e4 * (1 - math.Exp(-t/150))
	}
	return h
}

// benchRender builds and renders a 1,000-point line plot (one time series).
func benchRender(b *testing.B, render func(*Figure) ([]byte, error)) {
	runs := []*dynamics.History{lineHistory(1000)}
	b.ReportAllocs()
	for b.Loop() {
		f, err := TimeSeries(runs, nil, TimeSeriesOptions{})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := render(f); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkLine1000SVG(b *testing.B) { benchRender(b, (*Figure).SVG) }

func BenchmarkLine1000PNG(b *testing.B) { benchRender(b, (*Figure).PNG) }
