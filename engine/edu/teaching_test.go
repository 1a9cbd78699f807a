package edu

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/firnglacier/firn/engine/constants"
)

// meanStd returns the mean and the standard deviation of x.
func meanStd(x []float64) (mean, std float64) {
	for _, v := range x {
		mean += v
	}
	mean /= float64(len(x))
	for _, v := range x {
		std += (v - mean) * (v - mean)
	}
	return mean, math.Sqrt(std / float64(len(x)-1))
}

// TestAddTempBiasNoise: the noisy ramp is the ramp plus Gaussian noise of
// the given σ on the ramp's years only (mean 0 within 4 standard errors,
// σ within 5 % over 4000 years), the same for the same seed, another for
// another seed, and the ramp itself for σ = 0.
func TestAddTempBiasNoise(t *testing.T) {
	const year, n, sigma = 10, 4000, 0.5
	ramp := NewMassBalance(3000, 4).AddTempBias(year, 2, n)
	for _, tc := range []struct {
		name      string
		mb        *MassBalance
		wantSigma float64
	}{
		{"σ = 0.5 K", NewMassBalance(3000, 4).AddTempBiasNoise(year, 2, n, sigma, 7), sigma},
		{"another seed", NewMassBalance(3000, 4).AddTempBiasNoise(year, 2, n, sigma, 8), sigma},
		{"σ = 0 is the ramp", NewMassBalance(3000, 4).AddTempBiasNoise(year, 2, n, 0, 7), 0},
	} {
		var d []float64
		for y := year; y < year+n; y++ {
			d = append(d, tc.mb.TempBiasAt(float64(y))-ramp.TempBiasAt(float64(y)))
		}
		mean, std := meanStd(d)
		if math.Abs(mean) > 4*sigma/math.Sqrt(n)+1e-12 || math.Abs(std-tc.wantSigma) > 0.05*sigma {
			t.Errorf("%s: noise of mean %.4f K and σ %.4f K, want 0 and %g", tc.name, mean, std, tc.wantSigma)
		}
		for _, y := range []float64{0, year - 1, year + n, year + n + 100} {
			if got, want := tc.mb.TempBiasAt(y), ramp.TempBiasAt(y); got != want {
				t.Errorf("%s: year %g outside the ramp has %g K, want the ramp's %g", tc.name, y, got, want)
			}
		}
	}
	a := NewMassBalance(3000, 4).AddTempBiasNoise(0, 1, 50, 0.3, 1)
	b := NewMassBalance(3000, 4).AddTempBiasNoise(0, 1, 50, 0.3, 1)
	c := NewMassBalance(3000, 4).AddTempBiasNoise(0, 1, 50, 0.3, 2)
	if a.TempBiasAt(20) != b.TempBiasAt(20) || a.TempBiasAt(20) == c.TempBiasAt(20) {
		t.Errorf("year 20: seed 1 gives %g and %g K, seed 2 %g K: want the same twice, then another", a.TempBiasAt(20), b.TempBiasAt(20), c.TempBiasAt(20))
	}
}

// TestAddRandomClimate: a random climate by a range draws each year's
// bias uniformly in the range (all inside it, mean (lo+hi)/2 and variance
// (hi−lo)²/12 within sampling error over 4000 years), over its years
// only, on top of what is there; a glacier's starts at its current year;
// a range upside down is an error.
func TestAddRandomClimate(t *testing.T) {
	const n = 4000
	for _, tc := range []struct {
		name     string
		lo, hi   float64
		base     *MassBalance
		baseBias float64 // K, the bias under the random climate
	}{
		{"−1 to 1 K", -1, 1, NewMassBalance(3000, 4), 0},
		{"0.5 to 2 K on a step of 1 K", 0.5, 2, NewMassBalance(3000, 4).AddTempBiasStep(0, 1), 1},
	} {
		mb, err := tc.base.AddRandomClimate(100, n, tc.lo, tc.hi, 3)
		if err != nil {
			t.Fatal(err)
		}
		var d []float64
		for y := 100; y < 100+n; y++ {
			v := mb.TempBiasAt(float64(y)) - tc.baseBias
			if v < tc.lo || v > tc.hi {
				t.Fatalf("%s: year %d has %g K, outside the range", tc.name, y, v)
			}
			d = append(d, v)
		}
		mean, std := meanStd(d)
		wantStd := (tc.hi - tc.lo) / math.Sqrt(12)
		if math.Abs(mean-(tc.lo+tc.hi)/2) > 4*wantStd/math.Sqrt(n) || math.Abs(std-wantStd) > 0.05*wantStd {
			t.Errorf("%s: mean %.4f K, σ %.4f K; want %g and %.4f", tc.name, mean, std, (tc.lo+tc.hi)/2, wantStd)
		}
		for _, y := range []float64{99, 100 + n} {
			if got := mb.TempBiasAt(y); got != tc.baseBias {
				t.Errorf("%s: year %g outside the random years has %g K, want %g", tc.name, y, got, tc.baseBias)
			}
		}
	}
	if _, err := NewMassBalance(3000, 4).AddRandomClimate(0, 10, 1, -1, 0); err == nil || !strings.Contains(err.Error(), "range 1 to -1 K") {
		t.Errorf("upside-down range: %v", err)
	}
	g := NewGlacier(NewBed(3400, 1400, 300), NewMassBalance(3000, 4))
	if err := g.ProgressToYear(50); err != nil {
		t.Fatal(err)
	}
	if err := g.AddRandomClimate(20, 1, 1.5, 9); err != nil {
		t.Fatal(err)
	}
	if b49, b50, b69, b70 := g.MassBalance.TempBiasAt(49), g.MassBalance.TempBiasAt(50), g.MassBalance.TempBiasAt(69), g.MassBalance.TempBiasAt(70); b49 != 0 || b50 < 1 || b69 < 1 || b70 != 0 {
		t.Errorf("glacier at year 50: bias %g, %g, %g, %g K in years 49, 50, 69, 70; want 0, 1–1.5, 1–1.5, 0", b49, b50, b69, b70)
	}
}

// TestMassBalanceBreakpoints: a cell's several gradients give the
// balances worked out by hand, a glacier on one gradient split at a
// breakpoint is the glacier of that one gradient, and a glacier in
// equilibrium under several gradients has a specific balance near 0 (as
// the one-gradient glacier: 0.015 m w.e./yr, the ice that flows onto the
// ice-free point beyond the front and melts there in the year, which the
// balance over the year's ice does not count) and is shorter when its
// tongue melts faster (10 instead of 5 mm w.e./m below 2500 m).
func TestMassBalanceBreakpoints(t *testing.T) {
	mb, err := NewMassBalanceBreakpoints(3000, []float64{2, 5, 10}, []float64{3100, 2500})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ z, want float64 }{
		{3300, 0.5 + 0.4}, {3100, 0.5}, {3000, 0}, {2700, -1.5}, {2500, -2.5}, {2000, -2.5 - 5},
	} {
		if got := mb.Balance(0, tc.z); math.Abs(got-tc.want) > 1e-12 {
			t.Errorf("b(%g m) = %g m w.e./yr, want %g", tc.z, got, tc.want)
		}
	}
	for _, tc := range []struct {
		grads, bps []float64
		want       string
	}{
		{[]float64{2, 5}, []float64{3100, 2500}, "2 gradients for 2 breakpoints"},
		{[]float64{2, 5, 10}, []float64{2500, 3100}, "list them from the top down"},
		{[]float64{4}, nil, "no breakpoints"},
	} {
		if _, err := NewMassBalanceBreakpoints(3000, tc.grads, tc.bps); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v at %v: error %v, want %q", tc.grads, tc.bps, err, tc.want)
		}
	}
	split, _ := NewMassBalanceBreakpoints(3000, []float64{4, 4}, []float64{2600})
	one := NewGlacier(NewBed(3400, 1400, 300), NewMassBalance(3000, 4))
	two := NewGlacier(NewBed(3400, 1400, 300), split)
	for _, g := range []*Glacier{one, two} {
		if err := g.ProgressToYear(200); err != nil {
			t.Fatal(err)
		}
	}
	if v1, v2 := one.Diagnostics().Volume, two.Diagnostics().Volume; math.Abs(v1-v2) > 1e-9*v1 {
		t.Errorf("one gradient split at a breakpoint: %g m³, the one gradient %g m³", v2, v1)
	}
	gentle, _ := NewMassBalanceBreakpoints(3000, []float64{2, 5, 5}, []float64{3100, 2500})
	var length []float64
	for _, m := range []*MassBalance{mb, gentle} {
		g := NewGlacier(NewBed(3400, 1400, 300), m)
		if err := g.ProgressToEquilibrium(); err != nil {
			t.Fatal(err)
		}
		h := g.History()
		if b := h.SpecificBalance[h.Len()-1]; math.Abs(b) > 0.05 {
			t.Errorf("%v: specific balance in equilibrium %g m w.e./yr, want 0", m.Gradients, b)
		}
		length = append(length, g.Diagnostics().Length)
	}
	if !(length[0] < length[1]) {
		t.Errorf("in equilibrium %g m long with 10 mm w.e./m below 2500 m, %g m with 5", length[0], length[1])
	}
}

// TestMonthlyBalance: the months of a year add up to the annual balance
// at every altitude, in both hemispheres; a winter month has 1/12 of the
// precipitation; the south's month is the north's six months away; the
// hydrological year starts in October in the north, April in the south.
func TestMonthlyBalance(t *testing.T) {
	north := NewMassBalance(3000, 4).AddTempBiasStep(5, 1)
	south := north.Copy()
	south.Hemisphere = South
	for _, tc := range []struct {
		name   string
		mb     *MassBalance
		months []int
	}{
		{"north", north, []int{10, 11, 12, 1, 2, 3, 4, 5, 6, 7, 8, 9}},
		{"south", south, []int{4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3}},
	} {
		if got := tc.mb.Hemisphere.HydroMonths(); !slices.Equal(got, tc.months) {
			t.Errorf("%s: hydrological year %v, want %v", tc.name, got, tc.months)
		}
		for _, year := range []float64{0, 7} {
			for _, z := range []float64{2000, 3000, 3400, 4000} {
				sum := 0.0
				for k, m := range tc.months {
					b, err := tc.mb.MonthlyBalance(year, m, z)
					if err != nil {
						t.Fatal(err)
					}
					if k < WinterMonths && b != tc.mb.Precipitation/12 {
						t.Errorf("%s: winter month %d at %g m: %g m w.e., want P/12 = %g", tc.name, m, z, b, tc.mb.Precipitation/12)
					}
					sum += b
				}
				if want := tc.mb.Balance(year, z); math.Abs(sum-want) > 1e-12 {
					t.Errorf("%s, year %g, %g m: months add up to %g m w.e., the year is %g", tc.name, year, z, sum, want)
				}
			}
		}
	}
	for m := 1; m <= 12; m++ {
		n, _ := north.MonthlyBalance(0, m, 2500)
		s, _ := south.MonthlyBalance(0, (m+5)%12+1, 2500)
		if n != s {
			t.Errorf("month %d in the north %g m w.e., month %d in the south %g", m, n, (m+5)%12+1, s)
		}
	}
	if jul, _ := north.MonthlyBalance(0, 7, 2500); !(jul < 0) {
		t.Errorf("July at 2500 m in the north: %g m w.e., want melt", jul)
	}
	if !strings.HasSuffix(south.String(), ", southern hemisphere") || strings.Contains(north.String(), "hemisphere") {
		t.Errorf("summaries: %q, %q", north, south)
	}
	if _, err := north.MonthlyBalance(0, 13, 2500); err == nil {
		t.Error("month 13 has a balance")
	}
}

// TestLengthRisesFromNoIce: a glacier grown from a bare bed has no length
// in its first years and a length that then grows year by year, where
// counting any ice makes it jump to the ELA (4 km) in year 1; the
// threshold is settable and a negative one is refused.
func TestLengthRisesFromNoIce(t *testing.T) {
	for _, tc := range []struct {
		name       string
		threshold  float64
		wantYear1  float64 // m
		minChanges int     // different lengths in the first 100 years
	}{
		{"default (10 m)", DefaultLengthThreshold, 0, 20},
		{"OGGM's 2 m", 2, 0, 10},
		{"any ice", 0, 4000, 1},
	} {
		g := NewGlacier(NewBed(3400, 1400, 300), NewMassBalance(3000, 4))
		g.LengthThreshold = tc.threshold
		if err := g.ProgressToYear(100); err != nil {
			t.Fatal(err)
		}
		l := g.History().Length
		if l[1] != tc.wantYear1 {
			t.Errorf("%s: length %g m in year 1, want %g", tc.name, l[1], tc.wantYear1)
		}
		changes := 0
		for y := 1; y <= 100; y++ {
			if l[y] < l[y-1] {
				t.Errorf("%s: the growing glacier shortens from %g to %g m in year %d", tc.name, l[y-1], l[y], y)
			}
			if l[y] != l[y-1] {
				changes++
			}
		}
		if changes < tc.minChanges {
			t.Errorf("%s: the length changes in %d of 100 years, want %d or more: %v", tc.name, changes, tc.minChanges, l[:20])
		}
		if d := g.Diagnostics().Length; d != l[100] {
			t.Errorf("%s: Diagnostics length %g m, history %g m", tc.name, d, l[100])
		}
	}
	g := NewGlacier(NewBed(3400, 1400, 300), NewMassBalance(3000, 4))
	g.LengthThreshold = -1
	if err := g.ProgressToYear(10); err == nil || !strings.Contains(err.Error(), "length threshold -1 m") {
		t.Errorf("negative threshold: %v", err)
	}
}

// TestRunoff checks the runoff of a glacier that retreats under a
// warming: the water balance Total − Precipitation = −ΔV·ρ_ice/ρ_water
// every year and over the run; the catchment is the largest glacier area
// and its ice-free part gives exactly its precipitation; the balance
// model's melt matches the mass conservation's to 2 % (the residual);
// in equilibrium the runoff is the precipitation on the catchment; and
// the runoff rises above that, peaks and falls back as the glacier
// shrinks (peak water).
func TestRunoff(t *testing.T) {
	g := NewGlacier(NewBed(3400, 1400, 300), NewMassBalance(3000, 4))
	if err := g.ProgressToEquilibrium(); err != nil {
		t.Fatal(err)
	}
	start := g.Year()
	g.AddTempBias(1.5, 100)
	if err := g.ProgressToYear(start + 400); err != nil {
		t.Fatal(err)
	}
	r, err := g.Runoff()
	if err != nil {
		t.Fatal(err)
	}
	h := g.History()
	if r.Len() != h.Len()-1 {
		t.Fatalf("%d years of runoff for %d records", r.Len(), h.Len())
	}
	if want := slices.Max(h.Area); math.Abs(r.CatchmentArea-want) > 1e-6*want {
		t.Errorf("catchment %g m², the largest glacier area %g m²", r.CatchmentArea, want)
	}
	total, prcp := r.Total(), r.Precipitation()
	P := g.MassBalance.Precipitation
	var sumExcess, sumMelt, sumResidual float64
	for k := range r.Year {
		dm := (h.Volume[k+1] - h.Volume[k]) * constants.RhoIce / constants.RhoWater
		if d := total[k] - prcp[k] + dm; math.Abs(d) > 1e-9*total[k] {
			t.Fatalf("year %g: runoff − precipitation + ΔM = %g m³", r.Year[k], d)
		}
		off := r.CatchmentArea - r.GlacierArea[k]
		if d := r.MeltOffGlacier[k] + r.LiquidPrecipOffGlacier[k] - P*off; math.Abs(d) > 1e-9*total[k] {
			t.Errorf("year %g: off the glacier %g m³ more water than its precipitation", r.Year[k], d)
		}
		if r.MeltOnGlacier[k] < 0 {
			t.Errorf("year %g: melt on the glacier %g m³", r.Year[k], r.MeltOnGlacier[k])
		}
		sumExcess += total[k] - prcp[k]
		sumMelt += r.MeltOnGlacier[k]
		sumResidual += math.Abs(r.Residual[k])
	}
	lost := (h.Volume[0] - h.Volume[h.Len()-1]) * constants.RhoIce / constants.RhoWater
	if math.Abs(sumExcess-lost) > 1e-9*math.Abs(lost) {
		t.Errorf("over the run: runoff − precipitation %g m³, water of the ice lost %g m³", sumExcess, lost)
	}
	// The part of the run from equilibrium on.
	k0 := slices.Index(r.Year, start)
	var residualWarm, meltWarm float64
	for k := k0; k < r.Len(); k++ {
		residualWarm += math.Abs(r.Residual[k])
		meltWarm += r.MeltOnGlacier[k]
	}
	if residualWarm > 0.02*meltWarm {
		t.Errorf("from equilibrium on, |residual| adds up to %.3g m³, %.1f %% of the melt on the glacier %.3g m³", residualWarm, 100*residualWarm/meltWarm, meltWarm)
	}
	eq := total[k0] / prcp[k0]
	if math.Abs(eq-1) > 0.005 {
		t.Errorf("in equilibrium the runoff is %.4f times the precipitation, want 1", eq)
	}
	peakYear, peak := r.PeakWater(11)
	if y, p := r.From(start).PeakWater(11); y != peakYear || p != peak || r.From(start).Year[0] != start || r.From(start).Len() != r.Len()-k0 {
		t.Errorf("from year %g: peak %g m³/yr in year %g, of the whole run %g in %g", start, p, y, peak, peakYear)
	}
	end := total[r.Len()-1]
	if !(peakYear > start && peakYear < start+300) || !(peak > 1.1*total[k0]) || !(end < 0.95*peak) {
		t.Errorf("peak water %.3g m³/yr in year %g (warming from %g); %.3g m³/yr in equilibrium, %.3g at the end", peak, peakYear, start, total[k0], end)
	}
	t.Logf("equilibrium %.3g m³/yr, peak %.3g m³/yr in year %g (+%g years), end %.3g m³/yr; residual %.2f %% of melt over the whole run", total[k0], peak, peakYear, peakYear-start, end, 100*sumResidual/sumMelt)
	if _, err := NewGlacier(NewBed(3400, 1400, 300), NewMassBalance(3000, 4)).Runoff(); err == nil {
		t.Error("runoff of a glacier without history")
	}
}

// TestCollectionResetAndSlope: Vary("slope") gives beds that fall at the
// slopes from the same top (the altitude at each point worked out), a
// steeper glacier is shorter and thinner in ice volume after the same
// years, a slope cannot change under ice, and Reset brings every glacier
// back to year 0 so that the same run gives the same numbers.
func TestCollectionResetAndSlope(t *testing.T) {
	base := NewGlacier(NewBed(3400, 1400, 300), NewMassBalance(3000, 4))
	c, err := Vary(base, "slope", 3, 6, 10)
	if err != nil {
		t.Fatal(err)
	}
	for i, deg := range []float64{3, 6, 10} {
		b := c.Glaciers[i].Bed
		for _, k := range []int{0, 50, 199} {
			want := 3400 - math.Tan(deg*math.Pi/180)*100*float64(k)
			if math.Abs(b.Altitude[k]-want) > 1e-9 {
				t.Errorf("slope %g°: point %d at %g m, want %g", deg, k, b.Altitude[k], want)
			}
		}
		if c.Glaciers[i].Name != fmt.Sprintf("slope = %g °", deg) {
			t.Errorf("name %q", c.Glaciers[i].Name)
		}
	}
	if base.Bed.Altitude[199] != 1400 {
		t.Errorf("Vary changed the base bed: it ends at %g m", base.Bed.Altitude[199])
	}
	if err := c.ProgressToYear(300); err != nil {
		t.Fatal(err)
	}
	var first []float64
	for i, g := range c.Glaciers {
		d := g.Diagnostics()
		first = append(first, d.Volume)
		if i > 0 {
			p := c.Glaciers[i-1].Diagnostics()
			if !(d.Length < p.Length && d.Volume < p.Volume) {
				t.Errorf("%s: %g m and %g m³, not shorter and smaller than %s: %g m and %g m³", g.Name, d.Length, d.Volume, c.Glaciers[i-1].Name, p.Length, p.Volume)
			}
		}
	}
	if err := c.Glaciers[0].Set("slope", 4); err == nil || !strings.Contains(err.Error(), "has ice already") {
		t.Errorf("slope under ice: %v", err)
	}
	if _, err := Vary(base, "slope", 95); err == nil || !strings.Contains(err.Error(), "95°") {
		t.Errorf("slope 95°: %v", err)
	}
	c.Reset()
	for _, g := range c.Glaciers {
		if g.Year() != 0 || g.History().Len() != 0 || g.Model() != nil {
			t.Errorf("%s after Reset: year %g, %d records", g.Name, g.Year(), g.History().Len())
		}
	}
	if err := c.Glaciers[2].Set("slope", 4); err != nil {
		t.Errorf("slope after Reset: %v", err)
	}
	c.Glaciers[2].Set("slope", 10)
	if err := c.ProgressToYear(300); err != nil {
		t.Fatal(err)
	}
	for i, g := range c.Glaciers {
		if v := g.Diagnostics().Volume; v != first[i] {
			t.Errorf("%s: %g m³ after Reset and the same run, %g m³ before", g.Name, v, first[i])
		}
	}
}
