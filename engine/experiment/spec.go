package experiment

import (
	"fmt"
	"math"
	"strings"

	"github.com/firnglacier/firn/engine/constants"
	"github.com/firnglacier/firn/engine/geometry"
	"github.com/firnglacier/firn/engine/glacier"
	"github.com/firnglacier/firn/engine/massbalance"
)

// Names of the solvers and mass-balance types, as the file spells them.
const (
	SolverFluxBased     = "flux-based"
	SolverSemiImplicit  = "semi-implicit"
	MassBalanceLinear   = "linear"
	MassBalanceConstant = "constant"
	// MassBalanceTemperatureIndex is the calibrated temperature-index
	// model of a glacier directory (it needs one: Spec.GlacierDir).
	MassBalanceTemperatureIndex = "temperature_index"
)

// Spec is an experiment: the glacier's flowlines, its mass balance, the
// ice-flow parameters and the years to run. Parse and Load return a Spec
// whose defaults are filled in and that has passed Check; a Spec can also
// be built in code (start Dynamics from DefaultDynamics) and checked with
// Check.
type Spec struct {
	// Description is free text about the experiment; optional.
	Description string
	// Flowlines are the glacier's flowlines: one main flowline and any
	// number of tributaries, in the order the file gives them. Empty when
	// GlacierDir is set.
	Flowlines []FlowlineSpec
	// GlacierDir is a glacier directory written by `firn glacier prepare`
	// (the file's glacier.directory; a relative path is relative to the
	// experiment file's folder): the real glacier to run instead of
	// Flowlines, from its inverted thickness.
	GlacierDir string
	// MassBalance is the surface mass-balance model.
	MassBalance MassBalanceSpec
	// Dynamics holds the ice-flow parameters and the solver.
	Dynamics DynamicsSpec
	// Years is the span of the run and the diagnostics interval.
	Years YearsSpec
	// LengthThreshold is the ice thickness above which a point of the main
	// flowline counts towards the glacier length, m (default 0).
	LengthThreshold float64

	// src says where the values came from, for error messages; nil for a
	// Spec built in code.
	src *source
	// real is the glacier of GlacierDir, read by Check.
	real *glacier.Glacier
}

// FlowlineSpec is one flowline. The per-point slices have one value per
// point of Bed; the file may give a single number for all points, which
// Parse expands. Values a point's shape does not use are ignored.
type FlowlineSpec struct {
	// Name identifies the flowline; tributaries name the line they flow
	// into. A glacier of one flowline may leave it out ("main").
	Name string
	// Dx is the spacing of the points, m.
	Dx float64
	// Bed is the bed elevation at each point, m above sea level.
	Bed []float64
	// Shapes is the cross-section shape at each point (default
	// rectangular).
	Shapes []geometry.Shape
	// Width is the width at each point, m: a rectangle's width or a
	// trapezoid's bottom width; nil if not given.
	Width []float64
	// Lambda is the trapezoid side factor at each point (dimensionless: m
	// of width per m of thickness); nil if not given.
	Lambda []float64
	// ParabolaP is the parabola parameter P at each point, m⁻¹ (top width
	// √(4H/P)); nil if not given.
	ParabolaP []float64
	// FlowsTo is the point a tributary flows into; nil for the main
	// flowline.
	FlowsTo *geometry.Junction
	// InitialThickness is the ice thickness at each point at the start of
	// the run, m; nil to start from no ice.
	InitialThickness []float64
}

// MassBalanceSpec is the surface mass-balance model, in the units
// glaciologists quote (water equivalent, w.e.).
type MassBalanceSpec struct {
	// Type is MassBalanceLinear, MassBalanceConstant or
	// MassBalanceTemperatureIndex.
	Type string
	// Climate is a temperature-index model's climate: "constant"
	// (default), "random" or "historical" (glacier.Scenario).
	Climate string
	// Y0 and Halfsize are the centre year and half-length of a constant or
	// random climate's period, years (default halfsize 15); a historical
	// climate runs in the calendar years of Years.
	Y0, Halfsize int
	// Seed selects a random climate's years.
	Seed uint64
	// RampYears is how long a temperature-index model's TempBias takes to
	// be reached, linearly from Years.Start, years; 0: at once.
	RampYears float64
	// ELA is the equilibrium-line altitude of a linear model, m above sea
	// level.
	ELA float64
	// Gradient is the mass-balance gradient of a linear model, mm w.e. per
	// m of elevation per year: everywhere, or below the ELA when
	// GradientAbove is set.
	Gradient float64
	// GradientAbove is a linear model's gradient above the ELA, mm w.e. per
	// m per year; 0 means Gradient.
	GradientAbove float64
	// MaxBalance caps a linear model's balance, m w.e. per year; 0 means
	// no cap.
	MaxBalance float64
	// TempBias is a linear model's temperature bias, K: it raises the ELA
	// by massbalance.ELAPerKelvin (150 m) per K. A temperature-index
	// model's is added to the temperature of its climate.
	TempBias float64
	// Balance is the balance of a constant model, m w.e. per year.
	Balance float64
	// Bias is added to the balance of either type, m w.e. per year
	// (negative: less mass); 0 means none.
	Bias float64
}

// DynamicsSpec holds the ice-flow parameters and the numerical settings.
type DynamicsSpec struct {
	// Solver is SolverFluxBased (default) or SolverSemiImplicit.
	Solver string
	// GlenA is the creep parameter A of Glen's flow law, Pa⁻ⁿ s⁻¹
	// (default 2.4e-24).
	GlenA float64
	// GlenN is the exponent n of Glen's flow law, dimensionless (default 3).
	GlenN float64
	// SlidingFs is the basal sliding parameter f_s, Pa⁻ⁿ m² s⁻¹ (default 0,
	// no sliding).
	SlidingFs float64
	// Rho is the ice density, kg m⁻³ (default 900).
	Rho float64
	// G is the acceleration of gravity, m s⁻² (default 9.80665).
	G float64
	// CFL is the Courant number that limits the time step, dimensionless;
	// 0 (default) means the solver's own default.
	CFL float64
	// OGGMTimeSteps chooses OGGM's time steps instead of Firn's: for the
	// flux-based solver explicit steps from the CFL condition on the
	// velocity only, for the semi-implicit one OGGM's update in steps cut
	// at every month start. Firn's are error-controlled linearly implicit
	// steps that end only at year ends (with tributaries too); see
	// dynamics.Params.OGGMSteps.
	OGGMTimeSteps bool
}

// DefaultDynamics returns OGGM's defaults: the flux-based solver, A =
// 2.4e-24 Pa⁻³ s⁻¹, n = 3, no sliding, ρ = 900 kg m⁻³, g = 9.80665 m s⁻²
// and the solver's default CFL number.
func DefaultDynamics() DynamicsSpec {
	return DynamicsSpec{
		Solver:    SolverFluxBased,
		GlenA:     constants.GlenA,
		GlenN:     constants.GlenN,
		SlidingFs: constants.SlidingFs,
		Rho:       constants.RhoIce,
		G:         constants.G,
	}
}

// YearsSpec is the span of a run, in model years (365 days).
type YearsSpec struct {
	// Start is the year the run starts at, years (default 0).
	Start float64
	// End is the year the run ends at, years; after Start.
	End float64
	// Every is the interval of the diagnostics, years (default 1).
	Every float64
}

// Check reports the first problem of the experiment, as an *Error that
// names the key path (and, for a parsed Spec, the file and line): values
// out of range, per-point lists of the wrong length, flowlines that do not
// form a glacier, a solver that cannot run this glacier. Parse calls it.
func (s *Spec) Check() error {
	if err := s.readGlacier(); err != nil {
		return err
	}
	if _, err := s.Glacier(); err != nil {
		return err
	}
	for i, fl := range s.Flowlines {
		path := fmt.Sprintf("flowlines[%d].initial_thickness_m", i)
		if fl.InitialThickness == nil {
			continue
		}
		if len(fl.InitialThickness) != len(fl.Bed) {
			return s.src.errAt(path, "has %d values, the bed has %d points", len(fl.InitialThickness), len(fl.Bed))
		}
		for j, h := range fl.InitialThickness {
			if err := s.check(s.src.pointPath(path, j), h, thicknessSpan); err != nil {
				return err
			}
		}
	}
	if _, err := s.MassBalanceModel(); err != nil {
		return err
	}
	if err := s.checkDynamics(); err != nil {
		return err
	}
	if err := s.checkYears(); err != nil {
		return err
	}
	return s.check("length_threshold_m", s.LengthThreshold, thresholdSpan)
}

// checkYears checks the span of the run: at most MaxRunYears years, with
// diagnostics every whole number of years.
func (s *Spec) checkYears() error {
	y := s.Years
	if err := s.check("years.start", y.Start, yearSpan); err != nil {
		return err
	}
	if !(y.End > y.Start) {
		return s.src.errAt("years.end", "must be after years.start (%g), got %g", y.Start, y.End)
	}
	if !(y.End-y.Start <= MaxRunYears) {
		return s.src.errAt("years.end", "the run would last %g years; a run lasts at most %g years (years.end − years.start), so years.end must be at most %g",
			y.End-y.Start, MaxRunYears, y.Start+MaxRunYears)
	}
	if err := s.check("years.end", y.End, yearSpan); err != nil {
		return err
	}
	if !(y.Every >= 1 && y.Every <= MaxRunYears) || y.Every != math.Trunc(y.Every) {
		return s.src.errAt("years.every", "must be a whole number of years from 1 to %g, got %g", MaxRunYears, y.Every)
	}
	return nil
}

func (s *Spec) checkDynamics() error {
	d := s.Dynamics
	if err := s.check("dynamics.glen_n", d.GlenN, glenNSpan); err != nil {
		return err
	}
	// A and f_s have units that depend on n: judge them by the strain
	// rate and the sliding speed they give.
	lo, hi := glenARange(d.GlenN)
	if !(d.GlenA >= lo && d.GlenA <= hi) {
		return s.src.errAt("dynamics.glen_a", "must be %s to %s Pa⁻ⁿ s⁻¹ for n = %g (a strain rate of %s to %s s⁻¹ under a stress of 100 kPa), got %g",
			num(lo), num(hi), d.GlenN, num(MinStrainRate), num(MaxStrainRate), d.GlenA)
	}
	if fsMax := slidingMax(d.GlenN); !(d.SlidingFs >= 0 && d.SlidingFs <= fsMax) {
		return s.src.errAt("dynamics.sliding_fs", "must be 0 (no sliding) to %s Pa⁻ⁿ m² s⁻¹ for n = %g (sliding at most %s m s⁻¹ under 100 kPa and 100 m of ice), got %g",
			num(fsMax), d.GlenN, num(MaxSlidingSpeed), d.SlidingFs)
	}
	for _, f := range []struct {
		key string
		v   float64
		r   span
	}{{"rho_kg_m3", d.Rho, rhoSpan}, {"g_m_s2", d.G, gSpan}, {"cfl", d.CFL, cflSpan}} {
		if err := s.check("dynamics."+f.key, f.v, f.r); err != nil {
			return err
		}
	}
	switch d.Solver {
	case SolverFluxBased:
	case SolverSemiImplicit:
		// OGGM's semi-implicit scheme solves one flowline of rectangular
		// or trapezoidal points.
		if len(s.Flowlines) > 1 {
			return s.src.errAt("dynamics.solver", "the semi-implicit solver runs a single flowline; this glacier has %d (use flux-based)", len(s.Flowlines))
		}
		for i, fl := range s.Flowlines {
			for j, sh := range fl.Shapes {
				if sh == geometry.Parabolic {
					return s.src.errAt("dynamics.solver", "the semi-implicit solver handles rectangular and trapezoidal beds, but %s is parabolic (use flux-based)",
						s.src.pointPath(fmt.Sprintf("flowlines[%d].shape", i), j))
				}
			}
		}
	default:
		return s.src.errAt("dynamics.solver", "unknown solver %q (want %s or %s)", d.Solver, SolverFluxBased, SolverSemiImplicit)
	}
	return nil
}

// MassBalanceModel returns the mass-balance model the experiment
// describes: a massbalance.Linear (the model of edu.MassBalance too) or a
// massbalance.Constant, wrapped in a massbalance.Biased if Bias is not 0.
func (s *Spec) MassBalanceModel() (massbalance.Model, error) {
	m := s.MassBalance
	var model massbalance.Model
	switch m.Type {
	case MassBalanceTemperatureIndex:
		return s.temperatureIndex()
	case MassBalanceLinear:
		for _, f := range []struct {
			key string
			v   float64
			r   span
		}{
			{"ela_m", m.ELA, elevationSpan},
			{"gradient_mm_we_per_m", m.Gradient, gradientSpan},
			{"max_mb_m_we", m.MaxBalance, capSpan},
			{"temp_bias_k", m.TempBias, tempBiasSpan},
		} {
			if err := s.check("mass_balance."+f.key, f.v, f.r); err != nil {
				return nil, err
			}
		}
		// 0 is the zero value: a Spec without a second gradient.
		if m.GradientAbove != 0 {
			if err := s.check("mass_balance.gradient_above_mm_we_per_m", m.GradientAbove, gradientSpan); err != nil {
				return nil, err
			}
		}
		model = massbalance.Linear{ELA: m.ELA, Gradient: m.Gradient, GradientAbove: m.GradientAbove, MaxBalance: m.MaxBalance, TempBias: m.TempBias}
	case MassBalanceConstant:
		if err := s.check("mass_balance.mb_m_we_per_year", m.Balance, balanceSpan); err != nil {
			return nil, err
		}
		model = massbalance.Constant{Balance: m.Balance}
	default:
		return nil, s.src.errAt("mass_balance.type", "unknown mass-balance type %q (want %s, %s or %s)", m.Type, MassBalanceLinear, MassBalanceConstant, MassBalanceTemperatureIndex)
	}
	if err := s.check("mass_balance.bias_m_we_per_year", m.Bias, balanceSpan); err != nil {
		return nil, err
	}
	if m.Bias != 0 {
		model = massbalance.Biased{Model: model, Bias: m.Bias}
	}
	return model, nil
}

// InitialThickness returns the initial ice thickness of each flowline, m,
// in the order of Flowlines: a copy of its InitialThickness, nil for a
// flowline that starts without ice.
func (s *Spec) InitialThickness() [][]float64 {
	if s.real != nil {
		_, h, err := s.real.Geometry(glacier.DownstreamPoints)
		if err != nil {
			return [][]float64{nil}
		}
		return [][]float64{h}
	}
	out := make([][]float64, len(s.Flowlines))
	for i, fl := range s.Flowlines {
		if fl.InitialThickness != nil {
			out[i] = append([]float64(nil), fl.InitialThickness...)
		}
	}
	return out
}

// Glacier builds the glacier the flowlines describe. It checks the
// flowlines first, so that an error names the key path (and line) rather
// than only the flowline.
func (s *Spec) Glacier() (*geometry.Glacier, error) {
	if s.real != nil {
		g, _, err := s.real.Geometry(glacier.DownstreamPoints)
		if err != nil {
			return nil, s.src.errAt("glacier.directory", "%v", err)
		}
		return g, nil
	}
	if err := s.checkFlowlines(); err != nil {
		return nil, err
	}
	lines := make([]*geometry.Flowline, len(s.Flowlines))
	for i, f := range s.Flowlines {
		fl := geometry.NewFlowline(f.Name, f.Dx, f.Bed)
		copy(fl.Shapes, f.Shapes)
		copy(fl.Width, f.Width)
		copy(fl.Lambda, f.Lambda)
		copy(fl.ParabolaP, f.ParabolaP)
		if f.FlowsTo != nil {
			j := *f.FlowsTo
			fl.FlowsTo = &j
		}
		lines[i] = fl
	}
	g, err := geometry.NewGlacier(lines...)
	if err != nil {
		// checkFlowlines mirrors NewGlacier's checks, so this is not
		// expected; name the flowline if the message does.
		path := "flowlines"
		for i, f := range s.Flowlines {
			if strings.Contains(err.Error(), fmt.Sprintf("%q", f.Name)) {
				path = fmt.Sprintf("flowlines[%d]", i)
				break
			}
		}
		return nil, s.src.errAt(path, "%v", err)
	}
	return g, nil
}

// checkFlowlines checks what geometry.NewGlacier checks, with key paths.
func (s *Spec) checkFlowlines() error {
	if len(s.Flowlines) == 0 {
		return s.src.errAt("flowlines", "the experiment has no flowlines; give at least one")
	}
	index := make(map[string]int, len(s.Flowlines))
	total := 0
	for i := range s.Flowlines {
		if err := s.checkFlowline(i); err != nil {
			return err
		}
		if total += len(s.Flowlines[i].Bed); total > MaxPoints {
			return s.src.errAt(fmt.Sprintf("flowlines[%d]", i), "the flowlines up to this one have %d points; a glacier has at most %d in all", total, MaxPoints)
		}
		name := s.Flowlines[i].Name
		if j, dup := index[name]; dup {
			return s.src.errAt(fmt.Sprintf("flowlines[%d].name", i), "flowlines[%d] is also named %q; names must be unique", j, name)
		}
		index[name] = i
	}
	main := -1
	into := make([]int, len(s.Flowlines))
	for i, fl := range s.Flowlines {
		p := fmt.Sprintf("flowlines[%d]", i)
		if fl.FlowsTo == nil {
			if main >= 0 {
				return s.src.errAt(p, "flowlines[%d] (%q) and flowlines[%d] (%q) both lack flows_to: a glacier has one main flowline, and each tributary needs flows_to",
					main, s.Flowlines[main].Name, i, fl.Name)
			}
			main, into[i] = i, -1
			continue
		}
		j, ok := index[fl.FlowsTo.Line]
		if !ok {
			return s.src.errAt(p+".flows_to.flowline", "no flowline is named %q (the flowlines are %s)", fl.FlowsTo.Line, s.names())
		}
		if j == i {
			return s.src.errAt(p+".flows_to.flowline", "flowline %q cannot flow into itself", fl.Name)
		}
		if pt, n := fl.FlowsTo.Point, len(s.Flowlines[j].Bed); pt < 0 || pt >= n {
			return s.src.errAt(p+".flows_to.point", "%q has points 0 to %d, got %d", s.Flowlines[j].Name, n-1, pt)
		}
		if s.Flowlines[j].Dx != fl.Dx {
			return s.src.errAt(p+".dx_m", "is %g m but %q, which it flows into, has %g m: all flowlines of a glacier share one dx", fl.Dx, s.Flowlines[j].Name, s.Flowlines[j].Dx)
		}
		into[i] = j
	}
	if main < 0 {
		return s.src.errAt("flowlines", "every flowline has flows_to; the main flowline must have none")
	}
	for i := range s.Flowlines {
		for j, steps := i, 0; j != main; j, steps = into[j], steps+1 {
			if steps > len(s.Flowlines) {
				return s.src.errAt(fmt.Sprintf("flowlines[%d].flows_to", i), "flowline %q is part of a cycle of tributaries that never reaches the main flowline %q", s.Flowlines[i].Name, s.Flowlines[main].Name)
			}
		}
	}
	return nil
}

// names lists the flowline names for messages.
func (s *Spec) names() string {
	q := make([]string, len(s.Flowlines))
	for i, fl := range s.Flowlines {
		q[i] = fmt.Sprintf("%q", fl.Name)
	}
	return strings.Join(q, ", ")
}

// checkFlowline checks one flowline's own values.
func (s *Spec) checkFlowline(i int) error {
	fl := &s.Flowlines[i]
	p := fmt.Sprintf("flowlines[%d]", i)
	bedKey := p + ".bed_m"
	if s.src != nil {
		if _, linear := s.src.lines[p+".bed"]; linear {
			bedKey = p + ".bed"
		}
	}
	n := len(fl.Bed)
	switch {
	case fl.Name == "":
		return s.src.errAt(p+".name", "a flowline needs a name")
	case n < 2 || n > MaxPoints:
		return s.src.errAt(bedKey, "has %d points, a flowline has 2 to %d", n, MaxPoints)
	}
	if err := s.check(p+".dx_m", fl.Dx, dxSpan); err != nil {
		return err
	}
	for j, z := range fl.Bed {
		if err := s.check(s.src.pointPath(bedKey, j), z, elevationSpan); err != nil {
			return err
		}
	}
	perPoint := []struct {
		key string
		n   int
	}{{"shape", len(fl.Shapes)}, {"width_m", len(fl.Width)}, {"lambda", len(fl.Lambda)}, {"parabola_p", len(fl.ParabolaP)}}
	for k, f := range perPoint {
		if f.n != n && (k == 0 || f.n != 0) {
			return s.src.errAt(p+"."+f.key, "has %d values, the bed has %d points", f.n, n)
		}
	}
	// Values must make sense wherever they are given, and be given
	// wherever the shape needs them.
	for _, f := range []struct {
		key string
		v   []float64
		r   span
	}{{"width_m", fl.Width, widthSpan}, {"lambda", fl.Lambda, lambdaSpan}, {"parabola_p", fl.ParabolaP, parabolaSpan}} {
		for j, v := range f.v {
			if v < 0 {
				return s.src.errAt(s.src.pointPath(p+"."+f.key, j), "must not be negative, got %s", f.r.got(v))
			}
			if err := s.check(s.src.pointPath(p+"."+f.key, j), v, f.r); err != nil {
				return err
			}
		}
	}
	missing := func(key string, j int, what string) error {
		where := fmt.Sprintf("point %d is %s", j, fl.Shapes[j])
		if s.src != nil {
			if _, given := s.src.lines[p+".shape"]; !given {
				where = fmt.Sprintf("the flowline is %s (the default shape)", fl.Shapes[j])
			} else if s.src.scalar[p+".shape"] {
				where = fmt.Sprintf("the flowline is %s", fl.Shapes[j])
			}
		}
		return s.src.errAt(p+"."+key, "missing key: %s, which needs %s", where, what)
	}
	for j, sh := range fl.Shapes {
		switch sh {
		case geometry.Rectangular:
			if fl.Width == nil {
				return missing("width_m", j, "a width in metres (width_m)")
			}
			if !(fl.Width[j] > 0) {
				return s.src.errAt(s.src.pointPath(p+".width_m", j), "must be positive for a rectangular bed, got %g m", fl.Width[j])
			}
		case geometry.Trapezoidal:
			if fl.Width == nil {
				return missing("width_m", j, "a bottom width in metres (width_m, may be 0)")
			}
			if fl.Lambda == nil {
				return missing("lambda", j, "a side factor (lambda, m of width per m of thickness)")
			}
			if fl.Width[j] == 0 && fl.Lambda[j] == 0 {
				return s.src.errAt(s.src.pointPath(p+".width_m", j), "a trapezoid with bottom width 0 and lambda 0 has no section; make one positive")
			}
		case geometry.Parabolic:
			if fl.ParabolaP == nil {
				return missing("parabola_p", j, "a parabola parameter P in m⁻¹ (parabola_p)")
			}
			if !(fl.ParabolaP[j] > 0) {
				return s.src.errAt(s.src.pointPath(p+".parabola_p", j), "must be positive for a parabolic bed, got %g m⁻¹", fl.ParabolaP[j])
			}
		default:
			return s.src.errAt(s.src.pointPath(p+".shape", j), "unknown shape %v (want rectangular, parabolic or trapezoidal)", sh)
		}
	}
	return nil
}
