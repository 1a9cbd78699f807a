// Package constants names the physical constants and the model defaults that
// Firn shares with OGGM, once, in SI units.
//
// The values are OGGM's defaults (oggm/params.cfg and oggm/cfg.py), so that
// an experiment that does not say otherwise runs as it would in OGGM:
//
//	a := constants.GlenA            // Pa⁻³ s⁻¹
//	mIcePerYear := 3e-3 * constants.RhoWater / constants.RhoIce
package constants

const (
	// RhoIce is the density of glacier ice, kg m⁻³.
	RhoIce = 900.0
	// RhoWater is the density of water, kg m⁻³; it converts metres of water
	// equivalent (m w.e.) to kilograms per square metre.
	RhoWater = 1000.0
	// G is the standard acceleration of gravity, m s⁻².
	G = 9.80665
	// SecondsPerYear is the length of a model year, s (365 days, as OGGM).
	SecondsPerYear = 365.0 * 24 * 3600
	// GlenA is the default creep parameter of Glen's flow law, Pa⁻ⁿ s⁻¹.
	GlenA = 2.4e-24
	// GlenN is the default exponent of Glen's flow law (dimensionless).
	GlenN = 3.0
	// SlidingFs is the default basal sliding parameter f_s, Pa⁻ⁿ m² s⁻¹
	// (no sliding). OGGM's customary non-zero value is 5.7e-20.
	SlidingFs = 0.0
	// CFLFluxBased is the default Courant number of the explicit flux-based
	// solver (dimensionless).
	CFLFluxBased = 0.02
	// CFLSemiImplicit is the default Courant number of the semi-implicit
	// solver (dimensionless).
	CFLSemiImplicit = 0.5
	// MinStep is the shortest time step the solvers accept before they
	// report an instability, s.
	MinStep = 60.0
	// EmptyCellWidth is the width, m, over which a positive mass balance
	// feeds a point whose section has zero top width (an empty parabolic
	// cell), so that ice can start to grow there (OGGM's convention).
	EmptyCellWidth = 10.0
)
