// Package massbalance holds the surface mass-balance models that drive the
// flowline dynamics.
//
// The dynamics calls a [Model] once per model year, at the first time step
// of that year, with the ice-surface elevation of every point of a flowline
// at that moment (the elevation feedback), and holds the answer for every
// step of the year — OGGM's default ("annual" mass-balance elevation
// feedback). A model writes its answer in metres of ice per second, the unit
// the dynamics integrates; the models here are configured in the units
// glaciologists quote: metres or millimetres of water equivalent (w.e.) per
// year. One m w.e. is RhoWater/RhoIce = 1.111 m of ice.
//
//	mb := massbalance.Linear{ELA: 2600, Gradient: 3}        // 3 mm w.e. m⁻¹ yr⁻¹
//	warmer := massbalance.Biased{Model: mb, Bias: -0.5}      // 0.5 m w.e. yr⁻¹ less
//	out := make([]float64, len(z))
//	err := warmer.AnnualBalance(2000, z, out)                 // m ice s⁻¹
//
// [Linear] is also OGGM-Edu's model, and the one home of both the
// experiment file's linear mass balance and the teaching API's
// edu.MassBalance: a second gradient above the ELA, and a temperature
// bias — constant, in steps, a yearly series, random — that moves the ELA
// by [ELAPerKelvin] (150 m) per kelvin:
//
//	alpine := massbalance.Linear{ELA: 3000, Gradient: 7, GradientAbove: 2, TempBias: 0.5}
//	alpine.ELAAt(0)                                           // 3075 m
//
// The interface leaves room for models with a climate (the temperature-index
// model): they read the year, may fail (no climate for that year) and must
// not allocate in AnnualBalance, which runs inside the time loop.
//
// [MonthlyTI] is OGGM's monthly temperature-index model (MonthlyTIModel;
// OGGM docs, "Monthly temperature index model calibrated on geodetic MB
// data"), driven by a [github.com/firnglacier/firn/engine/climate.Monthly]
// series at a reference height: the temperature lapses at −6.5 K/km,
// precipitation, times a factor 2.5, is solid below 0 °C and liquid above
// 2 °C, and melt is MeltFactor (kg m⁻² day⁻¹ K⁻¹) times 365/12 days times
// the degrees above −1 °C, month by month ([TIParams]). It runs in the
// historical climate (year Y has the climate of year Y), in a constant
// climate ([MonthlyTI.Constant]: the mean annual cycle of a period) or in a
// random one ([MonthlyTI.Random]: each year draws a whole year of a period,
// reproducibly from a seed); AnnualBalanceWE and MonthlyBalance give the
// balance in m w.e. and month by month. [CalibrateMeltFactor] fits the melt
// factor to observed balances (WGMS, [ReadWGMS]) over a glacier's
// hypsometry ([ReadRGIHypsometry]) and [Verify] scores the model on other
// years:
//
//	ti := massbalance.NewMonthlyTI(clim)                   // OGGM's defaults
//	ti.FirstMonth = 10                                      // WGMS years: Oct–Sep
//	cal, err := massbalance.CalibrateMeltFactor(ti, hyps, obs, 1980, 2003)
//	ti.MeltFactor = cal.MeltFactor
//	v, err := massbalance.Verify(ti, hyps, obs, 1953, 1979) // v.R, v.Bias
//	cst, err := ti.Constant(1985, 2015)                     // a Model for a run
//
// [CalibrateThreeStep] is OGGM's three-step calibration to a mean balance
// (mb_calibration_from_scalar_mb): the melt factor within [Bounds]; if no
// value matches, the precipitation factor with the melt factor at its
// closer bound; then the temperature bias. [CalibrateWGMS] takes the
// target from observed balances, [CalibrateGeodetic] from a geodetic
// mean:
//
//	c, err := massbalance.CalibrateWGMS(ti, hyps, obs, 1980, 2003, massbalance.DefaultBounds())
//	ti = c.Apply(ti)                                         // c.Steps, c.Residual
package massbalance
