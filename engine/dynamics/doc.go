// Package dynamics is Firn's flowline glacier model: the shallow-ice
// approximation with Glen's flow law (creep parameter A, exponent n) and
// optional basal sliding (f_s), on the flowlines of a
// [github.com/firnglacier/firn/engine/geometry.Glacier], driven by a
// [github.com/firnglacier/firn/engine/massbalance.Model].
//
// Two solvers reproduce OGGM's (Maussion et al. 2019, GMD 12, 909; OGGM
// docs, "Ice dynamics"):
//
//   - FluxBased: on a staggered grid, explicit with an adaptive CFL time
//     step; any bed shapes and tributaries, whose outflow enters the
//     receiving line in the same step (mass conserved).
//   - SemiImplicit: one tridiagonal solve per step; a single flowline of
//     rectangular or trapezoidal points; larger stable steps.
//
// Time: the mass balance is evaluated once per model year, at the first
// step of the year, from the surface of that moment (elevation feedback),
// and explicit flux-based steps never cross a calendar-month boundary
// (OGGM's run loop; see nextMonthStart for why this matters to the
// ablating front). Firn's explicit step also respects the stability limit
// of explicit diffusion, which OGGM's does not. Firn's own steps of
// either solver are linearly implicit steps of the
// solver's discretisation (Rosenbrock methods with the Jacobian of the
// fluxes — in place of OGGM's frozen diffusivity for the semi-implicit
// solver: L-stable, so stable for long steps): third-order ROS3 for the
// semi-implicit solver, second-order ROS2 for the flux-based one. An
// estimate of the local error controls their length
// (Params.StepTolerance); they end only at year ends, and keep the volume
// exact on any shape (see Params.OGGMSteps, which restores OGGM's steps
// for both solvers). The semi-implicit solver takes a single flowline;
// the flux-based one solves a glacier's tributaries with its main line in
// each step.
//
// Units are SI: metres, seconds, m³ and m², years only for model time.
//
// # Use
//
//	fl := geometry.NewFlowline("main", 100, bed) // bed elevations, m
//	fl.SetRectangular(300)
//	g, _ := geometry.NewGlacier(fl)
//	m, _ := dynamics.NewModel(g, massbalance.Linear{ELA: 2600, Gradient: 3}, dynamics.DefaultParams(), 0)
//	hist, err := m.Run(ctx, dynamics.RunOptions{EndYear: 700, Progress: report})
//	hist.WriteCSV(os.Stdout) // year,volume_m3,area_m2,length_m
//
// A run checks ctx between time steps, so cancelling it stops within one
// step; a step allocates nothing. [Model.Account] keeps the mass account
// (mass-balance input, ice clipped at the front, outflow) that balances the
// volume change. A run whose time step falls below Params.MinStep fails
// with [ErrUnstable]; one whose thickness, velocity or mass balance stops
// being a finite number fails with [ErrNotFinite], naming the year, the
// quantity, the point and the flowline (the step checks its largest
// velocity and diffusivity, which any NaN or infinity reaches, so the
// check costs two comparisons). [Model.Clone] and [Model.CopyFrom] keep
// and restore a checkpoint without allocating.
//
// # Verification
//
// The tests run OGGM's idealized experiments (OGGM's results are in the
// repository's testdata/oggm): with OGGM's time steps they agree to about
// 1e-12 in volume with identical step counts on smooth beds, and within
// 3e-4 on the bumpy bed and with a tributary, where a front switching
// between two cells amplifies rounding differences; with Firn's own steps
// within 1 % (OGGM's flux-based results there carry a time-stepping
// error). Firn's own steps of either solver stay at least as close to a
// converged run (steps of at most 1/120 year) as OGGM's steps, and the
// linearly implicit ones do not flip-flop even when every step is a year.
// Also Halfar's similarity solution and mass conservation to 1e-9.
package dynamics
