package glacier

import (
	"context"
	"math"
	"testing"

	"github.com/firnglacier/firn/engine/dynamics"
	"github.com/firnglacier/firn/engine/massbalance"
)

// fixedHeights is a mass-balance model evaluated at the heights it was
// made with, whatever the surface: OGGM's mb_elev_feedback='never'.
type fixedHeights struct {
	massbalance.Model
	z []float64
}

func (f fixedHeights) AnnualBalance(year float64, _ []float64, mb []float64) error {
	return f.Model.AnnualBalance(year, f.z, mb)
}

// oggmTestHEF prepares Hintereisferner as OGGM's test suite prepares its
// test glacier (oggm/tests/funcs.py, init_hef): the temperature-index
// model calibrated to the mean of every WGMS year the climate covers
// (prcp_fac 2.5, as Firn's calibration keeps), the apparent balance from
// the years 1953–2002, trapezoid sections with λ = 1, and the inversion
// calibrated to OGGM's 0.573 km³. OGGM fits A and the sliding f_s
// together to that one volume; Firn fits A without sliding.
func oggmTestHEF(t *testing.T) (*Glacier, float64) {
	t.Helper()
	o, d := hef(t)
	c, obs := hefMB(t)
	g, err := Prepare(o, d, Options{})
	if err != nil {
		t.Fatal(err)
	}
	opt := MBOptions{Climate: c, Observations: obs}
	ys := observedYears(obs, c, 10)
	opt.FirstYear, opt.LastYear = ys[0], ys[len(ys)-1]
	ti, cal, err := Calibrate(g.Flowline, opt)
	if err != nil {
		t.Fatal(err)
	}
	var years []float64
	for y := 1953; y <= 2002; y++ {
		years = append(years, float64(y))
	}
	app, residual, err := ApparentBalance(g.Flowline, ti, years)
	if err != nil {
		t.Fatal(err)
	}
	cal.ApparentResidual = residual
	p := DefaultInversion()
	p.Lambda = 1
	if g.Inversion, err = CalibrateGlenA(g.Flowline, app, p, 0.573e9); err != nil {
		t.Fatal(err)
	}
	g.MB, g.Calibration = &ti, cal
	t.Logf("OGGM's test glacier: calibrated on %d–%d (%v); A = %.3g Pa⁻³ s⁻¹ for %.4f km³",
		opt.FirstYear, opt.LastYear, cal.ThreeStep, g.Inversion.Params.GlenA, g.Volume()/1e9)
	return g, o.Area
}

// modelOf returns the flowline model of g with solver s under mb, as
// [Glacier.Model] makes it, the glacier's length counted where the ice is
// thicker than 1 m (OGGM's min_ice_thick_for_length in these tests).
func modelOf(t *testing.T, g *Glacier, mb massbalance.Model, s dynamics.Solver) *dynamics.Model {
	t.Helper()
	geo, h, err := g.Geometry(DownstreamPoints)
	if err != nil {
		t.Fatal(err)
	}
	p := dynamics.DefaultParams()
	ip := g.Inversion.Params
	p.GlenA, p.GlenN, p.SlidingFs, p.RhoIce = ip.GlenA, ip.GlenN, ip.Fs, ip.RhoIce
	p.Solver, p.LengthThreshold = s, 1
	m, err := dynamics.NewModel(geo, mb, p, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.SetThickness(geo.Main, h); err != nil {
		t.Fatal(err)
	}
	return m
}

// TestHintereisfernerAsInOGGMsTests runs Hintereisferner, prepared from
// its outline, the SRTM DEM and HISTALP as OGGM's tests prepare it
// (oggmTestHEF), through the checks that OGGM's own test suite makes of
// its dynamics on this glacier (oggm/tests/test_models.py, read to learn
// what OGGM expects of it), with OGGM's thresholds. On its elevation-band
// flowline, as Firn's (class TestSemiImplicitModel, hef_elev_gdir, with
// OGGM's trapezoid downstream line, as Firn's):
//
//   - test_equilibrium: in the constant climate around 1930 (OGGM's old
//     t*, a climate close to the glacier's balance; y0 = 1930, halfsize
//     15) with the balance at the starting heights (mb_elev_feedback =
//     'never'), the semi-implicit solver reaches its equilibrium after at
//     least 50 years, the volume within 40 %, the area within 3 % and the
//     length within 300 m of today's, and the flux-based solver's
//     equilibrium equals it within 7e-4 in volume, 6e-5 in area and to
//     the grid point in length;
//   - test_random: 100 years of the random (seed 6) and of the constant
//     climate around 1930 keep the volume within 26 % and the area within
//     10 % of their means.
//
// On its centreline flowlines (class TestHEF, test_commitment; Firn has
// no centrelines yet): in the constant climate of 1972–2002 (OGGM's
// ConstantMassBalance, y0 = 1987, halfsize 15) the glacier of today
// takes more than 100 years to reach its equilibrium. OGGM's centreline
// glacier also ends with less than half its volume; the elevation-band one
// here loses 48.5 % (the test logs it, and does not hold it to that
// bound, made for other flowlines).
//
// The start area is the RGI's within 0.1 % (OGGM's: exactly).
func TestHintereisfernerAsInOGGMsTests(t *testing.T) {
	g, rgiArea := oggmTestHEF(t)
	ctx := context.Background()
	const km3 = 1e9

	t.Run("equilibrium", func(t *testing.T) {
		mb, err := g.ConstantClimate(1930, 15)
		if err != nil {
			t.Fatal(err)
		}
		var ends [2]dynamics.Diagnostics
		for k, s := range []dynamics.Solver{dynamics.SemiImplicit, dynamics.FluxBased} {
			m := modelOf(t, g, mb, s)
			geo := m.Glacier()
			z := make([]float64, geo.MainLine().Len())
			for i, h := range m.Thickness(geo.Main) {
				z[i] = geo.MainLine().Bed[i] + h
			}
			if err := m.SetMassBalance(fixedHeights{mb, z}); err != nil {
				t.Fatal(err)
			}
			d0 := m.Diagnostics()
			if r := d0.Area/1e6/rgiArea - 1; math.Abs(r) > 1e-3 {
				t.Errorf("start area %.4f km², RGI %.4f km² (%+.2e)", d0.Area/1e6, rgiArea, r)
			}
			year, err := m.RunToEquilibrium(ctx, dynamics.EquilibriumOptions{Tolerance: 1e-5})
			if err != nil {
				t.Fatal(err)
			}
			d1 := m.Diagnostics()
			ends[k] = d1
			t.Logf("%v: %.4f km³, %.3f km², %.1f km → equilibrium at year %g: %.4f km³ (%+.1f %%), %.3f km² (%+.2f %%), %.1f km",
				s, d0.Volume/km3, d0.Area/1e6, d0.Length/1e3, year, d1.Volume/km3, 100*(d1.Volume/d0.Volume-1),
				d1.Area/1e6, 100*(d1.Area/d0.Area-1), d1.Length/1e3)
			if s != dynamics.SemiImplicit {
				continue
			}
			if !(year >= 50) {
				t.Errorf("equilibrium after %g years, want at least 50", year)
			}
			if r := d1.Volume/d0.Volume - 1; !(math.Abs(r) <= 0.4) {
				t.Errorf("volume %.4f → %.4f km³ (%+.1f %%), want within 40 %%", d0.Volume/km3, d1.Volume/km3, 100*r)
			}
			if r := d1.Area/d0.Area - 1; !(math.Abs(r) <= 0.03) {
				t.Errorf("area %.3f → %.3f km² (%+.2f %%), want within 3 %%", d0.Area/1e6, d1.Area/1e6, 100*r)
			}
			if dl := d1.Length - d0.Length; !(math.Abs(dl) <= 300.01) {
				t.Errorf("length %.0f → %.0f m, want within 300 m", d0.Length, d1.Length)
			}
		}
		semi, flux := ends[0], ends[1]
		if r := flux.Volume/semi.Volume - 1; !(math.Abs(r) <= 7e-4) {
			t.Errorf("flux-based equilibrium volume %.6f km³, semi-implicit %.6f km³ (%.2e), want within 7e-4", flux.Volume/km3, semi.Volume/km3, r)
		}
		if r := flux.Area/semi.Area - 1; !(math.Abs(r) <= 6e-5) {
			t.Errorf("flux-based equilibrium area %.6f km², semi-implicit %.6f km² (%.2e), want within 6e-5", flux.Area/1e6, semi.Area/1e6, r)
		}
		if flux.Length != semi.Length {
			t.Errorf("flux-based equilibrium length %g m, semi-implicit %g m", flux.Length, semi.Length)
		}
	})

	t.Run("random and constant", func(t *testing.T) {
		for _, s := range []Scenario{
			{Climate: ClimateRandom, Y0: 1930, Halfsize: 15, Seed: 6},
			{Climate: ClimateConstant, Y0: 1930, Halfsize: 15},
		} {
			mb, _, _, err := g.MassBalance(s)
			if err != nil {
				t.Fatal(err)
			}
			m := modelOf(t, g, mb, dynamics.SemiImplicit)
			h, err := m.Run(ctx, dynamics.RunOptions{EndYear: 100})
			if err != nil {
				t.Fatal(err)
			}
			meanV, meanA := mean(h.Volume), mean(h.Area)
			if r := h.Volume[0]/meanV - 1; !(math.Abs(r) <= 0.26) {
				t.Errorf("%v: start volume %.4f km³, mean %.4f km³ (%+.1f %%), want within 26 %%", s, h.Volume[0]/km3, meanV/km3, 100*r)
			}
			if r := h.Area[0]/meanA - 1; !(math.Abs(r) <= 0.1) {
				t.Errorf("%v: start area %.3f km², mean %.3f km² (%+.1f %%), want within 10 %%", s, h.Area[0]/1e6, meanA/1e6, 100*r)
			}
			t.Logf("%v: volume %.4f km³, mean %.4f km³ (start %+.1f %% of it), %.4f km³ at year 100; area mean %.3f km² (start %+.1f %%)",
				s, h.Volume[0]/km3, meanV/km3, 100*(h.Volume[0]/meanV-1), h.Volume[len(h.Volume)-1]/km3, meanA/1e6, 100*(h.Area[0]/meanA-1))
		}
	})

	t.Run("commitment", func(t *testing.T) {
		mb, err := g.ConstantClimate(1987, 15)
		if err != nil {
			t.Fatal(err)
		}
		m, err := g.Model(mb, 0)
		if err != nil {
			t.Fatal(err)
		}
		d0 := m.Diagnostics()
		year, err := m.RunToEquilibrium(ctx, dynamics.EquilibriumOptions{})
		if err != nil {
			t.Fatal(err)
		}
		d1 := m.Diagnostics()
		if !(year > 100) {
			t.Errorf("equilibrium after %g years, want more than 100", year)
		}
		if !(d1.Volume < d0.Volume) {
			t.Errorf("volume %.4f → %.4f km³ at equilibrium: the 1972–2002 climate must shrink the glacier", d0.Volume/km3, d1.Volume/km3)
		}
		t.Logf("1972–2002 climate: %.4f km³, %.3f km², %.1f km → equilibrium at year %g: %.4f km³ (%+.1f %%; OGGM's centreline glacier: below −50 %%), %.3f km², %.1f km",
			d0.Volume/km3, d0.Area/1e6, d0.Length/1e3, year, d1.Volume/km3, 100*(d1.Volume/d0.Volume-1), d1.Area/1e6, d1.Length/1e3)
	})
}

func mean(v []float64) float64 {
	s := 0.0
	for _, x := range v {
		s += x
	}
	return s / float64(len(v))
}
