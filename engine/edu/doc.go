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
package edu
