// Package edu is Firn's teaching API: glaciers in a few lines of Go, in
// the spirit of OGGM-Edu (GlacierBed, MassBalance, Glacier,
// SurgingGlacier, GlacierCollection), on Firn's compiled flowline model.
//
//	bed := edu.NewBed(3400, 1400, 300)          // top and bottom altitude (m), width (m)
//	mb := edu.NewMassBalance(3000, 4)            // ELA (m), gradient (mm w.e. per m per year)
//	g := edu.NewGlacier(bed, mb)
//	g.ProgressToEquilibrium()
//	mb.TempBias = 0.5                            // half a degree warmer: the ELA rises 75 m
//	g.ProgressToEquilibrium()
//	tau, _ := g.ResponseTime()                   // years
//	fmt.Println(g)                               // a one-screen summary
//
// A real glacier (RealGlacier) is prepared by OGGM's chain (engine/glacier)
// from its outline, a DEM, a climate and mass-balance observations —
// Hintereisferner from the data Firn ships, or any glacier from files —
// and runs from today's ice in a constant, random or historical climate,
// warmed by a temperature bias:
//
//	hef, _ := edu.Hintereisferner()              // or edu.PrepareGlacier(outline, id, dem, climate, wgms)
//	warm := hef.Copy()
//	warm.Climate.TempBias = 2                    // +2 °C on the constant climate of 1973–2003
//	warm.ProgressToYear(100)                     // 100 years from today
//	h, _ := hef.ThicknessMap()                   // today's thickness on the map (plots.RealGlacierMap)
//
// The mass balance has OGGM-Edu's options: several gradients between
// altitude breakpoints (NewMassBalanceBreakpoints), a warming ramped over
// years with or without year-to-year noise (AddTempBias,
// AddTempBiasNoise), a random climate drawn within a temperature range
// (AddRandomClimate) or around 0 every year (SetRandomClimate), and a
// balance month by month in either hemisphere (MonthlyBalance):
//
//	mb.AddTempBiasNoise(100, 2, 50, 0.3, 1)     // +2 K over 50 years from year 100, σ 0.3 K
//	g.AddRandomClimate(30, -0.5, 1, 7)         // 30 years between −0.5 and +1 K from now
//	b, _ := mb.MonthlyBalance(10, 7, 2500)      // July of year 10 at 2500 m, m w.e.
//
// A glacier's water: Glacier.Runoff gives the yearly runoff of its
// catchment and its parts (melt and rain on and off the glacier), and
// PeakWater its peak; plots.Runoff draws them. Collections vary a
// parameter, also the bed's slope (Vary(g, "slope", 3, 6, 10)), and
// Reset; plots.Collection draws one in a call, plots.Bed and
// plots.GlacierBed a bed from the side and from above.
//
// Every value prints a readable summary (String), so a notebook cell that
// ends with one shows something useful. Glaciers record their history
// (volume, area, length, ELA and specific mass balance every year) and
// their state (thickness, surface and velocity along the bed every year);
// the plots package draws them.
//
// Units: altitudes, lengths and thicknesses in m, areas in m², volumes in
// m³ (summaries show km), mass balance in m w.e. per year (gradients in mm
// w.e. per m per year), velocities in m per year, temperatures in K, time
// in years.
//
// Values that cannot make a bed (a width that is not positive, an
// altitude that is not a number) make NewBed panic, which a notebook shows
// as the error of the cell and line that made the bed; a year that is not
// a number makes ProgressToYear fail at once. A progress that fails or is
// interrupted leaves the glacier at the end of the last whole year it
// completed, as its history says.
//
// Definitions:
//   - A temperature bias ΔT raises the ELA by ELAPerKelvin·ΔT (150 m K⁻¹).
//   - Equilibrium: the mean volume of successive 50-year windows changes
//     by less than 1e-4 (as dynamics.Model.RunToEquilibrium).
//   - Response time: after a change of climate applied when an
//     equilibrium was reached, the years until the volume has made
//     1 − 1/e of its change to the next equilibrium (e-folding time).
//   - AAR: the share of the ice-covered area above the ELA.
//   - Length: the length of the bed under ice thicker than the glacier's
//     LengthThreshold (DefaultLengthThreshold, 10 m), so that a glacier
//     growing from a bare bed does not jump to the ELA in its first year
//     (see DefaultLengthThreshold); area and volume count all ice.
//   - Monthly balance: the annual balance split into a winter (7 months
//     of snow, 7/12 of the Precipitation) and a summer balance, each
//     spread evenly over its months; the hydrological year starts in
//     October in the north, April in the south (MonthlyBalance).
//   - Runoff: melt and liquid precipitation on and off the glacier over
//     a fixed catchment, the largest glacier area of the run; runoff −
//     precipitation = −(glacier mass change), every year (Runoff).
package edu
