package glacier

import (
	"context"
	"testing"
	"time"

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

// BenchmarkOetztal times the 20 Ötztal glaciers of TestOetztal from their
// files to 100 years in the constant climate: "all" reads the outlines,
// the DEM, the climate and the balances, prepares the glaciers on two
// goroutines (PrepareEach), calibrates one A for them and runs them on
// two goroutines; "steps" does the same on one goroutine, step by step,
// and reports each step's time (ms per set of 20), whose shares the
// package documentation gives. The goal (issue 18) is 5 s on 2 cores.
func BenchmarkOetztal(b *testing.B) {
	target := 0.0
	for _, v := range consensusVolumes(b) {
		target += v
	}
	b.Run("all", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			in := readOetztal(b)
			gs, err := PrepareEach(context.Background(), in.outlines, in.dem, 2, func(i int) (Options, error) { return in.opts[i], nil })
			if err != nil {
				b.Fatal(err)
			}
			if _, err := CalibrateRegionalGlenA(gs, target); err != nil {
				b.Fatal(err)
			}
			if _, err := runEach(gs, 2); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("steps", func(b *testing.B) {
		var read, region, flowline, calib, invert, regional, run time.Duration
		for b.Loop() {
			t0 := time.Now()
			in := readOetztal(b)
			read += time.Since(t0)
			gs := make([]*Glacier, len(in.outlines))
			for i, o := range in.outlines {
				t0 = time.Now()
				r, err := NewRegion(o, in.dem, RegionOptions{})
				if err != nil {
					b.Fatal(err)
				}
				t1 := time.Now()
				region += t1.Sub(t0)
				fl, bands, err := ElevationBandFlowline(r, 0)
				if err != nil {
					b.Fatal(err)
				}
				t2 := time.Now()
				flowline += t2.Sub(t1)
				m, c, err := Calibrate(fl, in.opts[i].MassBalance)
				if err != nil {
					b.Fatal(err)
				}
				years := make([]float64, len(c.Years))
				for k, y := range c.Years {
					years[k] = float64(y)
				}
				mb, _, err := ApparentBalance(fl, m, years)
				if err != nil {
					b.Fatal(err)
				}
				t3 := time.Now()
				calib += t3.Sub(t2)
				inv, err := Invert(fl, mb, DefaultInversion())
				if err != nil {
					b.Fatal(err)
				}
				invert += time.Since(t3)
				gs[i] = &Glacier{Region: r, Bands: bands, Flowline: fl, Inversion: inv, MB: &m, Calibration: c}
			}
			t0 = time.Now()
			if _, err := CalibrateRegionalGlenA(gs, target); err != nil {
				b.Fatal(err)
			}
			regional += time.Since(t0)
			t0 = time.Now()
			if _, err := runEach(gs, 1); err != nil {
				b.Fatal(err)
			}
			run += time.Since(t0)
		}
		n := float64(b.N)
		for _, s := range []struct {
			name string
			d    time.Duration
		}{{"read", read}, {"region", region}, {"flowline", flowline}, {"calibrate", calib}, {"invert", invert}, {"regionalA", regional}, {"run", run}} {
			b.ReportMetric(float64(s.d.Milliseconds())/n, s.name+"-ms")
		}
	})
}
