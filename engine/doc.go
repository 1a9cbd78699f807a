// Package engine is Firn's compiled glacier model. It holds no code of its
// own: the model lives in small sub-packages, each of which a notebook cell
// or a command can use on its own.
//
//   - [github.com/firnglacier/firn/engine/constants]: physical constants and
//     OGGM's defaults, named once (SI units).
//   - [github.com/firnglacier/firn/engine/geometry]: flowlines, bed shapes
//     (rectangular, parabolic, trapezoidal, mixed) and glaciers made of a main
//     flowline and tributaries.
//   - [github.com/firnglacier/firn/engine/massbalance]: the surface mass
//     balance as an interface, with linear, constant and biased models and
//     the monthly temperature-index model with its calibration.
//   - [github.com/firnglacier/firn/engine/climate]: monthly climate from CSV
//     and NetCDF classic files.
//   - [github.com/firnglacier/firn/engine/glacier]: a real glacier from its
//     outline and a DEM, as OGGM prepares it: its map, elevation-band
//     flowline and ice thickness from mass conservation.
//   - [github.com/firnglacier/firn/engine/edu]: the teaching API.
//   - [github.com/firnglacier/firn/engine/dynamics]: the shallow-ice
//     flowline model (flux-based and semi-implicit solvers), runs, yearly
//     diagnostics and the mass account.
//   - [github.com/firnglacier/firn/engine/experiment]: the experiment file
//     (JSON or YAML) that `firn model run` reads, checked with messages
//     that name the file, line and key, and built into a dynamics model.
//
// The engine knows nothing of interpreters, servers or clusters (see
// DESIGN.md). Everything is SI inside: metres, seconds, kilograms; every
// exported quantity says its unit.
//
// The numerics follow OGGM's flowline model (Maussion et al., 2019, "The Open
// Global Glacier Model (OGGM) v1.1", GMD 12, 909–931, section 2.5 and the
// OGGM documentation "Ice dynamics flowline model") and are verified against
// OGGM's own results and Halfar's analytical solution in the tests of the
// dynamics package.
package engine
