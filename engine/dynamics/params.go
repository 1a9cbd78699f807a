package dynamics

import (
	"fmt"
	"math"

	"github.com/firnglacier/firn/engine/constants"
)

// Solver selects the numerical scheme.
type Solver uint8

const (
	// FluxBased is OGGM's explicit flux-based scheme on a staggered grid
	// with an adaptive (CFL) time step. It handles every bed shape and
	// tributaries.
	FluxBased Solver = iota
	// SemiImplicit is OGGM's semi-implicit scheme: one tridiagonal solve
	// per step with the diffusivity frozen. It handles a single flowline of
	// rectangular or trapezoidal points.
	SemiImplicit
)

// String returns the solver's name as the experiment file spells it.
func (s Solver) String() string {
	switch s {
	case FluxBased:
		return "flux-based"
	case SemiImplicit:
		return "semi-implicit"
	}
	return fmt.Sprintf("Solver(%d)", s)
}

// ParseSolver returns the solver named "flux-based" or "semi-implicit".
func ParseSolver(name string) (Solver, error) {
	switch name {
	case "flux-based", "fluxbased", "FluxBased":
		return FluxBased, nil
	case "semi-implicit", "semiimplicit", "SemiImplicit":
		return SemiImplicit, nil
	}
	return 0, fmt.Errorf("unknown solver %q (want flux-based or semi-implicit)", name)
}

// Params are the ice-flow parameters and numerical settings. The zero
// value is not usable; start from DefaultParams.
type Params struct {
	// Solver is the numerical scheme.
	Solver Solver
	// GlenA is the creep parameter A of Glen's flow law, Pa⁻ⁿ s⁻¹.
	GlenA float64
	// GlenN is the exponent n of Glen's flow law (dimensionless).
	GlenN float64
	// SlidingFs is the basal sliding parameter f_s, Pa⁻ⁿ m² s⁻¹ (0: none).
	SlidingFs float64
	// RhoIce is the ice density, kg m⁻³.
	RhoIce float64
	// G is the acceleration of gravity, m s⁻².
	G float64
	// CFL is the Courant number that limits the time step
	// (dimensionless); 0 means the solver's default (0.02 flux-based,
	// 0.5 semi-implicit). Firn's own steps take it only for their first
	// step; their length is then error-controlled (StepTolerance).
	CFL float64
	// MinStep is the shortest time step accepted before the run fails as
	// unstable, s; 0 means 60 s.
	MinStep float64
	// LengthThreshold is the ice thickness above which a point of the main
	// flowline counts towards the glacier length, m.
	LengthThreshold float64
	// OGGMSteps makes the flux-based solver choose its time step as OGGM
	// does, from the CFL condition on the velocity alone, reproducing
	// OGGM's results to rounding. OGGM's explicit step can exceed the
	// stability limit of explicit diffusion, Δt ≤ Δx²/(2n·D_max), with
	// D = |q/(∂s/∂x)|/w the SIA diffusivity of the section (n·D is the
	// diffusivity of a small perturbation of the nonlinear SIA; see
	// stepFluxBased), where the ice is thick and the surface gentle: an
	// ice cap, or the bumpy and tributary reference cases, where OGGM's
	// result then carries a time-stepping error of 0.7–0.9 % in volume.
	//
	// By default the flux-based solver takes Firn's own steps:
	// second-order linearly implicit steps of the same discretisation
	// (ROS2, see stepFluxROS2; a glacier's tributaries are solved with its
	// main line, see couple), error-controlled (StepTolerance) and ending
	// at year ends only. In 1 550 – 2 860 steps over 700 years instead of
	// OGGM's 8 670 – 26 550 (and 10 280 – 33 200 explicit ones within the
	// stability limit), they are at least as close to a converged run
	// (explicit steps ten times shorter than OGGM's) as OGGM's steps —
	// 6.0e-5, 7.8e-5, 7.3e-5, 6.5e-5 and 5.8e-5 at worst on rect_ela2600,
	// with sliding, on the trapezoid, on the bumpy bed and with the
	// tributary against OGGM's 8.1e-5, 9.9e-5, 3.2e-4, 7.1e-3 and 9.2e-3,
	// and 5.0e-4 on the parabola at year 50 against 1.7e-3, from the start
	// from no ice (TestFluxBasedOwnStepsConverge).
	//
	// For the semi-implicit solver OGGMSteps keeps OGGM's update (the
	// diffusivity frozen over a step) and calendar (steps end at every
	// month start and at the CFL limit), reproducing OGGM's results to
	// rounding. By default Firn takes third-order linearly implicit steps
	// (ROS3, a Rosenbrock method with the Jacobian in place of the frozen
	// diffusivity, which makes long steps stable) with an error-controlled
	// length: the local error estimate must stay within StepTolerance, and
	// steps end at year ends (where the mass balance is evaluated again)
	// but not at month starts (see stepSemiImplicit). Against a converged
	// run (steps of at most 1/120 year) its volumes differ by at most
	// 4.5e-5 on rect_ela2600 (year 400, while the front advances) — OGGM's
	// monthly steps by 2.3e-4 — and by at most 6.7e-5, 2.5e-5 and 4.1e-5
	// with sliding, on the trapezoid and on the bumpy bed (monthly steps:
	// 2.8e-4, 1.1e-3, 1.6e-4), in 700 – 870 steps over 700 years (one a
	// year but while a front advances fast) instead of 8 400 – 14 400.
	// The flux-based solver's explicit steps are month-long at most in
	// either mode (see nextMonthStart).
	OGGMSteps bool
	// StepTolerance is the tolerance on the local error of one linearly
	// implicit step with Firn's own steps, m of ice: the RMS over the
	// glacier's points of the difference between the step's solution and
	// its embedded solution of one order lower (semi-implicit: third and
	// second order, see stepSemiImplicit; flux-based: second and first,
	// of the sections, divided by the mean top width, see stepFluxROS2);
	// 0 means DefaultStepTolerance (semi-implicit) or
	// DefaultFluxStepTolerance (flux-based). Ignored with OGGMSteps.
	StepTolerance float64
}

// DefaultStepTolerance is the default Params.StepTolerance of the
// semi-implicit solver, 10 cm of ice: the largest of 1 cm, 3 cm, 10 cm,
// 30 cm … with which every semi-implicit reference case stays at least
// three times closer to a converged run than OGGM's monthly steps
// (TestSemiImplicitOwnStepsConverge; 30 cm is not on rect_ela2600: 9.1e-5
// against the monthly steps' 2.3e-4, where year-long steps are taken
// while its front advances). The estimate is that of the embedded
// second-order solution, so the third-order step kept is closer than it.
const DefaultStepTolerance = 0.1

// DefaultFluxStepTolerance is the default Params.StepTolerance of the
// flux-based solver, 2.5 cm of ice: of 2, 2.5, 3 and 4 cm the largest with
// which every flux-based reference case stays at least as close to a
// converged run as OGGM's steps (TestFluxBasedOwnStepsConverge; 3 cm is
// not, with sliding: 9.93e-5 against OGGM's steps' 9.85e-5).
const DefaultFluxStepTolerance = 0.025

// DefaultParams returns OGGM's defaults: A = 2.4e-24 Pa⁻³ s⁻¹, n = 3,
// no sliding, ρ = 900 kg m⁻³, g = 9.80665 m s⁻², the flux-based solver.
func DefaultParams() Params {
	return Params{
		Solver:  FluxBased,
		GlenA:   constants.GlenA,
		GlenN:   constants.GlenN,
		RhoIce:  constants.RhoIce,
		G:       constants.G,
		MinStep: constants.MinStep,
	}
}

func (p Params) validate() error {
	for _, f := range []struct {
		name string
		v    float64
		ok   bool
	}{
		{"glen_a", p.GlenA, p.GlenA > 0},
		{"glen_n", p.GlenN, p.GlenN >= 1},
		{"sliding_fs", p.SlidingFs, p.SlidingFs >= 0},
		{"rho", p.RhoIce, p.RhoIce > 0},
		{"g", p.G, p.G > 0},
		{"cfl", p.CFL, p.CFL >= 0},
		{"min_step", p.MinStep, p.MinStep >= 0},
		{"length_threshold", p.LengthThreshold, p.LengthThreshold >= 0},
		{"step_tolerance", p.StepTolerance, p.StepTolerance >= 0},
	} {
		if !f.ok || math.IsInf(f.v, 0) || math.IsNaN(f.v) {
			return fmt.Errorf("dynamics parameter %s = %g is out of range", f.name, f.v)
		}
	}
	if p.Solver != FluxBased && p.Solver != SemiImplicit {
		return fmt.Errorf("unknown solver %d", p.Solver)
	}
	return nil
}

func (p Params) cfl() float64 {
	switch {
	case p.CFL > 0:
		return p.CFL
	case p.Solver == SemiImplicit:
		return constants.CFLSemiImplicit
	}
	return constants.CFLFluxBased
}

// fluxROS2 reports whether the flux-based solver takes its own linearly
// implicit (ROS2) steps (see stepFluxROS2): unless OGGMSteps.
func (p Params) fluxROS2() bool {
	return p.Solver == FluxBased && !p.OGGMSteps
}

// monthlySteps reports whether steps end at every calendar-month start:
// OGGM's steps, the flux-based solver's explicit ones (whose ablating
// front needs them, see nextMonthStart) and the semi-implicit one's; the
// linearly implicit steps end at year ends only.
func (p Params) monthlySteps() bool {
	return p.OGGMSteps
}

func (p Params) stepTolerance() float64 {
	switch {
	case p.StepTolerance > 0:
		return p.StepTolerance
	case p.Solver == FluxBased:
		return DefaultFluxStepTolerance
	}
	return DefaultStepTolerance
}

func (p Params) minStep() float64 {
	if p.MinStep > 0 {
		return p.MinStep
	}
	return constants.MinStep
}

// glen holds the flow-law factors of one run, precomputed once:
// u = (fd·H^{n+1} + fs·H^{n−1})·(ρg)ⁿ·|α|^{n−1}·α.
type glen struct {
	n       float64
	cubic   bool    // n == 3: powers by multiplication
	fdRhoGn float64 // f_d·(ρg)ⁿ with f_d = 2A/(n+2), Pa⁻ⁿ s⁻¹·Paⁿ m⁻ⁿ
	fsRhoGn float64 // f_s·(ρg)ⁿ
	// diffusionNumber c bounds the flux-based step by Δt ≤ c·Δx²/D_max
	// (see stepFluxBased):
	// 1/(2n), or 0 (no bound) with Params.OGGMSteps.
	diffusionNumber float64
}

func newGlen(p Params) glen {
	rhoGn := math.Pow(p.RhoIce*p.G, p.GlenN)
	return glen{
		n:       p.GlenN,
		cubic:   p.GlenN == 3,
		fdRhoGn: 2 * p.GlenA / (p.GlenN + 2) * rhoGn,
		fsRhoGn: p.SlidingFs * rhoGn,

		diffusionNumber: diffusionNumber(p),
	}
}

func diffusionNumber(p Params) float64 {
	if p.OGGMSteps {
		return 0
	}
	return 1 / (2 * p.GlenN)
}
