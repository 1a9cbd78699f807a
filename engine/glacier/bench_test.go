package glacier

import (
	"context"
	"testing"

	"github.com/firnglacier/firn/engine/dynamics"
)

// BenchmarkPrepareHintereisferner times the chain on Hintereisferner (RGI 6
// outline, SRTM DEM): reading the files, the whole of Prepare, and each of
// its steps alone, so that each step's share shows. OGGM takes about 17 s to
// prepare the same glacier on this kind of machine (issue 18).
func BenchmarkPrepareHintereisferner(b *testing.B) {
	b.Run("read outline and DEM", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			hef(b)
		}
	})
	o, d := hef(b)
	b.Run("prepare", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := Prepare(o, d, Options{}); err != nil {
				b.Fatal(err)
			}
		}
	})
	c, obs := hefMB(b)
	b.Run("read climate and WGMS", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			hefMB(b)
		}
	})
	mbo := Options{MassBalance: MBOptions{Climate: c, Observations: obs}}
	b.Run("prepare calibrated", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := Prepare(o, d, mbo); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("region", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := NewRegion(o, d, RegionOptions{}); err != nil {
				b.Fatal(err)
			}
		}
	})
	r, err := NewRegion(o, d, RegionOptions{})
	if err != nil {
		b.Fatal(err)
	}
	b.Run("flowline", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, _, err := ElevationBandFlowline(r, 0); err != nil {
				b.Fatal(err)
			}
		}
	})
	fl, _, err := ElevationBandFlowline(r, 0)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("calibration and apparent balance", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			m, cal, err := Calibrate(fl, mbo.MassBalance)
			if err != nil {
				b.Fatal(err)
			}
			years := make([]float64, len(cal.Years))
			for i, y := range cal.Years {
				years[i] = float64(y)
			}
			if _, _, err := ApparentBalance(fl, m, years); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("inversion", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			mb, _ := LinearApparentBalance(fl, 0)
			if _, err := Invert(fl, mb, DefaultInversion()); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkRunHintereisferner times 100 years of the calibrated, inverted
// Hintereisferner in the constant climate of 1972–2002 (firn glacier run
// --y0 1987 --halfsize 15 --years 100): building the model and the run.
// OGGM takes about 2 s (issue 18).
func BenchmarkRunHintereisferner(b *testing.B) {
	o, d := hef(b)
	c, obs := hefMB(b)
	g, err := Prepare(o, d, Options{MassBalance: MBOptions{Climate: c, Observations: obs}})
	if err != nil {
		b.Fatal(err)
	}
	mb, err := g.ConstantClimate(1987, 15)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("model", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := g.Model(mb, 0); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("100 years", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			m, err := g.Model(mb, 0)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := m.Run(context.Background(), dynamics.RunOptions{EndYear: 100}); err != nil {
				b.Fatal(err)
			}
		}
	})
}
