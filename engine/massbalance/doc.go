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
// The interface leaves room for models with a climate (the temperature-index
// model): they read the year, may fail (no climate for that year) and must
// not allocate in AnnualBalance, which runs inside the time loop.
package massbalance
