package experiment

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/firnglacier/firn/engine/geometry"
)

// The keys each mapping takes, in the order messages list them.
var (
	topKeys         = []string{"description", "flowlines", "glacier", "mass_balance", "dynamics", "years", "length_threshold_m"}
	flowlineKeys    = []string{"name", "dx_m", "bed_m", "bed", "shape", "width_m", "lambda", "parabola_p", "flows_to", "initial_thickness_m"}
	bedKeys         = []string{"top_m", "bottom_m", "points", "bumps"}
	bumpKeys        = []string{"point", "height_m", "half_width_points"}
	flowsToKeys     = []string{"flowline", "point"}
	dynamicsKeys    = []string{"solver", "glen_a", "glen_n", "sliding_fs", "rho_kg_m3", "g_m_s2", "cfl", "oggm_time_steps"}
	yearsKeys       = []string{"start", "end", "every"}
	glacierKeys     = []string{"directory"}
	massBalanceKeys = map[string][]string{
		MassBalanceLinear:           {"type", "ela_m", "gradient_mm_we_per_m", "gradient_above_mm_we_per_m", "max_mb_m_we", "temp_bias_k", "bias_m_we_per_year"},
		MassBalanceConstant:         {"type", "mb_m_we_per_year", "bias_m_we_per_year"},
		MassBalanceTemperatureIndex: {"type", "climate", "y0", "halfsize", "seed", "temp_bias_k", "ramp_years"},
	}
)

// decoder turns the tree of a parsed file into a Spec, checking every key
// and type and recording the line of every key path in src.
type decoder struct {
	src *source
}

func (d *decoder) errAt(path, format string, args ...any) *Error {
	e := d.src.errAt(path, format, args...)
	e.File = "" // Parse adds it to every error
	return e
}

// at records the line of the value at path.
func (d *decoder) at(path string, line int) { d.src.lines[path] = line }

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func index(path string, i int) string { return path + "[" + strconv.Itoa(i) + "]" }

// fields is a mapping whose keys have been checked.
type fields struct {
	d    *decoder
	path string
	vals map[string]*node
}

// mapping checks that n is a mapping with no duplicate and no unknown keys
// (what names it in messages, e.g. "a flowline") and records its keys'
// lines.
func (d *decoder) mapping(n *node, path, what string, allowed []string) (*fields, *Error) {
	if n.kind != kindMap {
		return nil, d.errAt(path, "want %s (a mapping of keys: %s), got %s", what, strings.Join(allowed, ", "), n.describe())
	}
	f := &fields{d: d, path: path, vals: make(map[string]*node, len(n.keys))}
	first := make(map[string]int, len(n.keys))
	for i, k := range n.keys {
		p := join(path, k.text)
		if l, dup := first[k.text]; dup {
			d.at(p, k.line)
			return nil, d.errAt(p, "duplicate key (first given on line %d)", l)
		}
		first[k.text] = k.line
		d.at(p, k.line)
		if !contains(allowed, k.text) {
			return nil, d.errAt(p, "unknown key%s; %s takes %s", suggest(k.text, allowed), what, strings.Join(allowed, ", "))
		}
		f.vals[k.text] = n.items[i]
	}
	return f, nil
}

// get returns the value of key, or nil if the mapping lacks it.
func (f *fields) get(key string) *node { return f.vals[key] }

// require returns the value of key, or an error that says what it is.
func (f *fields) require(key, what string) (*node, *Error) {
	if n := f.vals[key]; n != nil {
		return n, nil
	}
	return nil, f.d.errAt(f.path, "missing key %s (%s)", key, what)
}

// number sets *v to the value of key if the mapping has it.
func (f *fields) number(key string, v *float64) *Error {
	n := f.vals[key]
	if n == nil {
		return nil
	}
	x, err := f.d.number(n, join(f.path, key))
	if err == nil {
		*v = x
	}
	return err
}

// requireNumber returns the value of a required numeric key.
func (f *fields) requireNumber(key, what string) (float64, *Error) {
	n, err := f.require(key, what)
	if err != nil {
		return 0, err
	}
	return f.d.number(n, join(f.path, key))
}

func (d *decoder) number(n *node, path string) (float64, *Error) {
	if n.kind != kindNumber {
		return 0, d.errAt(path, "want a number, got %s", n.describe())
	}
	if !isFinite(n.num) {
		return 0, d.errAt(path, "want a finite number, got %s", n.text)
	}
	return n.num, nil
}

func (d *decoder) integer(n *node, path string) (int, *Error) {
	x, err := d.number(n, path)
	if err != nil {
		return 0, err
	}
	if x != math.Trunc(x) || math.Abs(x) > 1e9 {
		return 0, d.errAt(path, "want a whole number, got %s", n.text)
	}
	return int(x), nil
}

func (d *decoder) str(n *node, path string) (string, *Error) {
	if n.kind != kindString {
		return "", d.errAt(path, "want a string, got %s", n.describe())
	}
	return n.text, nil
}

// list checks that n is a list and records its items' lines.
func (d *decoder) list(n *node, path, what string) ([]*node, *Error) {
	if n.kind != kindList {
		return nil, d.errAt(path, "want %s, got %s", what, n.describe())
	}
	for i, item := range n.items {
		d.at(index(path, i), item.line)
	}
	return n.items, nil
}

// perPoint reads a key that has one value per point: a number for all
// points or a list of npts numbers.
func (d *decoder) perPoint(n *node, path string, npts int) ([]float64, *Error) {
	want := fmt.Sprintf("want a number or a list of %d numbers (one per point)", npts)
	out := make([]float64, npts)
	switch n.kind {
	case kindNumber:
		x, err := d.number(n, path)
		if err != nil {
			return nil, err
		}
		for i := range out {
			out[i] = x
		}
		d.src.scalar[path] = true
		return out, nil
	case kindList:
		if len(n.items) != npts {
			return nil, d.errAt(path, "%s, got %s", want, n.describe())
		}
		items, _ := d.list(n, path, "")
		for i, item := range items {
			x, err := d.number(item, index(path, i))
			if err != nil {
				return nil, err
			}
			out[i] = x
		}
		return out, nil
	}
	return nil, d.errAt(path, "%s, got %s", want, n.describe())
}

func (d *decoder) spec(root *node) (*Spec, *Error) {
	d.at("", root.line)
	f, err := d.mapping(root, "", "an experiment", topKeys)
	if err != nil {
		return nil, err
	}
	s := &Spec{Dynamics: DefaultDynamics(), Years: YearsSpec{Every: 1}}
	if n := f.get("description"); n != nil {
		if s.Description, err = d.str(n, "description"); err != nil {
			return nil, err
		}
	}

	if gn := f.get("glacier"); gn != nil {
		if f.get("flowlines") != nil {
			return nil, d.errAt("glacier", "give flowlines (an idealized glacier) or glacier (a glacier directory), not both")
		}
		g, err := d.mapping(gn, "glacier", "a real glacier", glacierKeys)
		if err != nil {
			return nil, err
		}
		dn, err := g.require("directory", "the glacier directory that firn glacier prepare wrote")
		if err != nil {
			return nil, err
		}
		if s.GlacierDir, err = d.str(dn, "glacier.directory"); err != nil {
			return nil, err
		}
		if s.GlacierDir == "" {
			return nil, d.errAt("glacier.directory", "is empty; give the glacier directory that firn glacier prepare wrote")
		}
	} else {
		n, err := f.require("flowlines", "a list of flowlines, the main one and any tributaries (or glacier, a glacier directory)")
		if err != nil {
			return nil, err
		}
		items, err := d.list(n, "flowlines", "a list of flowlines")
		if err != nil {
			return nil, err
		}
		if len(items) == 0 {
			return nil, d.errAt("flowlines", "the list is empty; give at least one flowline")
		}
		s.Flowlines = make([]FlowlineSpec, len(items))
		for i, item := range items {
			if err := d.flowline(item, index("flowlines", i), len(items) == 1, &s.Flowlines[i]); err != nil {
				return nil, err
			}
		}
	}
	var n *node

	if n, err = f.require("mass_balance", `the surface mass balance, e.g. {"type": "linear", "ela_m": 2600, "gradient_mm_we_per_m": 3}`); err != nil {
		return nil, err
	}
	if err := d.massBalance(n, &s.MassBalance); err != nil {
		return nil, err
	}

	if n := f.get("dynamics"); n != nil {
		if err := d.dynamics(n, &s.Dynamics); err != nil {
			return nil, err
		}
	}

	if n, err = f.require("years", `the years to run, e.g. {"start": 0, "end": 700}`); err != nil {
		return nil, err
	}
	y, err := d.mapping(n, "years", "the years to run", yearsKeys)
	if err != nil {
		return nil, err
	}
	if err := y.number("start", &s.Years.Start); err != nil {
		return nil, err
	}
	if s.Years.End, err = y.requireNumber("end", "the year the run ends at"); err != nil {
		return nil, err
	}
	if err := y.number("every", &s.Years.Every); err != nil {
		return nil, err
	}

	if err := f.number("length_threshold_m", &s.LengthThreshold); err != nil {
		return nil, err
	}
	return s, nil
}

func (d *decoder) flowline(n *node, path string, single bool, fl *FlowlineSpec) *Error {
	f, err := d.mapping(n, path, "a flowline", flowlineKeys)
	if err != nil {
		return err
	}

	// The bed first: it sets the number of points.
	bedList, bedLinear := f.get("bed_m"), f.get("bed")
	switch {
	case bedList != nil && bedLinear != nil:
		return d.errAt(join(path, "bed"), "give either bed_m (a list of elevations) or bed (a linear bed), not both")
	case bedList != nil:
		p := join(path, "bed_m")
		items, err := d.list(bedList, p, "a list of bed elevations in metres, one per point")
		if err != nil {
			return err
		}
		if len(items) < 2 || len(items) > MaxPoints {
			return d.errAt(p, "want a list of 2 to %d bed elevations, got %s", MaxPoints, bedList.describe())
		}
		fl.Bed = make([]float64, len(items))
		for i, item := range items {
			if fl.Bed[i], err = d.number(item, index(p, i)); err != nil {
				return err
			}
		}
	case bedLinear != nil:
		if fl.Bed, err = d.linearBed(bedLinear, join(path, "bed")); err != nil {
			return err
		}
	default:
		return d.errAt(path, "missing key bed_m (the bed elevation of each point, m) or bed (a linear bed: top_m, bottom_m, points)")
	}
	npts := len(fl.Bed)

	if fl.Dx, err = f.requireNumber("dx_m", "the spacing of the points, m"); err != nil {
		return err
	}

	if n := f.get("name"); n != nil {
		if fl.Name, err = d.str(n, join(path, "name")); err != nil {
			return err
		}
	} else if single {
		fl.Name = "main"
	} else {
		return d.errAt(path, "missing key name (a glacier of several flowlines needs them, so that flows_to can name the line a tributary flows into)")
	}

	fl.Shapes = make([]geometry.Shape, npts)
	if n := f.get("shape"); n != nil {
		if err := d.shapes(n, join(path, "shape"), fl.Shapes); err != nil {
			return err
		}
	}
	for _, k := range []struct {
		key string
		v   *[]float64
	}{{"width_m", &fl.Width}, {"lambda", &fl.Lambda}, {"parabola_p", &fl.ParabolaP}, {"initial_thickness_m", &fl.InitialThickness}} {
		if n := f.get(k.key); n != nil {
			if *k.v, err = d.perPoint(n, join(path, k.key), npts); err != nil {
				return err
			}
		}
	}

	if n := f.get("flows_to"); n != nil {
		p := join(path, "flows_to")
		t, err := d.mapping(n, p, "the point a tributary flows into", flowsToKeys)
		if err != nil {
			return err
		}
		var j geometry.Junction
		ln, err := t.require("flowline", "the name of the flowline this one flows into")
		if err != nil {
			return err
		}
		if j.Line, err = d.str(ln, join(p, "flowline")); err != nil {
			return err
		}
		pn, err := t.require("point", "the index of the point it flows into, from 0")
		if err != nil {
			return err
		}
		if j.Point, err = d.integer(pn, join(p, "point")); err != nil {
			return err
		}
		fl.FlowsTo = &j
	}
	return nil
}

// shapes reads a shape name for all points or a list of one per point.
func (d *decoder) shapes(n *node, path string, out []geometry.Shape) *Error {
	one := func(n *node, path string) (geometry.Shape, *Error) {
		name, err := d.str(n, path)
		if err != nil {
			return 0, err
		}
		sh, perr := geometry.ParseShape(name)
		if perr != nil {
			return 0, d.errAt(path, "%v", perr)
		}
		return sh, nil
	}
	switch n.kind {
	case kindString:
		sh, err := one(n, path)
		if err != nil {
			return err
		}
		for i := range out {
			out[i] = sh
		}
		d.src.scalar[path] = true
		return nil
	case kindList:
		if len(n.items) == len(out) {
			items, _ := d.list(n, path, "")
			for i, item := range items {
				var err *Error
				if out[i], err = one(item, index(path, i)); err != nil {
					return err
				}
			}
			return nil
		}
	}
	return d.errAt(path, "want a shape name (rectangular, parabolic or trapezoidal) or a list of %d of them (one per point), got %s", len(out), n.describe())
}

// linearBed reads {"top_m", "bottom_m", "points", "bumps"}: a bed that
// falls linearly from top to bottom, plus Gaussian bumps.
func (d *decoder) linearBed(n *node, path string) ([]float64, *Error) {
	f, err := d.mapping(n, path, "a linear bed", bedKeys)
	if err != nil {
		return nil, err
	}
	top, err := f.requireNumber("top_m", "the bed elevation at the first point, m")
	if err != nil {
		return nil, err
	}
	bottom, err := f.requireNumber("bottom_m", "the bed elevation at the last point, m")
	if err != nil {
		return nil, err
	}
	for _, e := range []struct {
		key string
		v   float64
	}{{"top_m", top}, {"bottom_m", bottom}} {
		if !elevationSpan.ok(e.v) {
			return nil, d.errAt(join(path, e.key), "must be %s, got %s", elevationSpan, elevationSpan.got(e.v))
		}
	}
	pn, err := f.require("points", "the number of points")
	if err != nil {
		return nil, err
	}
	npts, err := d.integer(pn, join(path, "points"))
	if err != nil {
		return nil, err
	}
	if npts < 2 || npts > MaxPoints {
		return nil, d.errAt(join(path, "points"), "want 2 to %d points, got %d", MaxPoints, npts)
	}
	bed := linearProfile(top, bottom, npts)
	if bn := f.get("bumps"); bn != nil {
		p := join(path, "bumps")
		items, err := d.list(bn, p, `a list of bumps, e.g. [{"point": 30, "height_m": 170, "half_width_points": 5}]`)
		if err != nil {
			return nil, err
		}
		for i, item := range items {
			bp := index(p, i)
			b, err := d.mapping(item, bp, "a bump", bumpKeys)
			if err != nil {
				return nil, err
			}
			at, err := b.requireNumber("point", "the point at the bump's centre, from 0")
			if err != nil {
				return nil, err
			}
			h, err := b.requireNumber("height_m", "the bump's height, m (negative for a hollow)")
			if err != nil {
				return nil, err
			}
			w, err := b.requireNumber("half_width_points", "the bump's half-width, in points")
			if err != nil {
				return nil, err
			}
			for _, c := range []struct {
				key string
				v   float64
				r   span
			}{
				{"point", at, span{lo: 0, hi: float64(npts - 1), unit: "(a point of the bed)"}},
				{"height_m", h, span{lo: MinElevation - MaxElevation, hi: MaxElevation - MinElevation, unit: "m"}},
				{"half_width_points", w, span{lo: 0, hi: float64(npts), open: true, unit: "points"}},
			} {
				if !c.r.ok(c.v) {
					return nil, d.errAt(join(bp, c.key), "must be %s, got %g", c.r, c.v)
				}
			}
			addBump(bed, at, h, w)
		}
	}
	return bed, nil
}

func (d *decoder) massBalance(n *node, m *MassBalanceSpec) *Error {
	const path = "mass_balance"
	all := []string{"type", "ela_m", "gradient_mm_we_per_m", "gradient_above_mm_we_per_m", "max_mb_m_we", "temp_bias_k", "mb_m_we_per_year", "bias_m_we_per_year",
		"climate", "y0", "halfsize", "seed", "ramp_years"}
	f, err := d.mapping(n, path, "a mass balance", all)
	if err != nil {
		return err
	}
	tn, err := f.require("type", "linear, constant or temperature_index")
	if err != nil {
		return err
	}
	if m.Type, err = d.str(tn, "mass_balance.type"); err != nil {
		return err
	}
	keys, ok := massBalanceKeys[m.Type]
	if !ok {
		return d.errAt("mass_balance.type", "unknown mass-balance type %q (want %s, %s or %s)", m.Type, MassBalanceLinear, MassBalanceConstant, MassBalanceTemperatureIndex)
	}
	for _, k := range all {
		if f.get(k) != nil && !contains(keys, k) {
			return d.errAt(join(path, k), "a %s mass balance has no %s; it takes %s", m.Type, k, strings.Join(keys, ", "))
		}
	}
	switch m.Type {
	case MassBalanceLinear:
		if m.ELA, err = f.requireNumber("ela_m", "the equilibrium-line altitude, m"); err != nil {
			return err
		}
		if m.Gradient, err = f.requireNumber("gradient_mm_we_per_m", "the mass-balance gradient, mm w.e. per m per year"); err != nil {
			return err
		}
		if err := f.number("max_mb_m_we", &m.MaxBalance); err != nil {
			return err
		}
		if n := f.get("gradient_above_mm_we_per_m"); n != nil {
			// Given, it must be a gradient: 0 would silently mean "the same".
			p := "mass_balance.gradient_above_mm_we_per_m"
			v, err := d.number(n, p)
			if err != nil {
				return err
			}
			if !gradientSpan.ok(v) {
				return d.errAt(p, "must be %s, got %s", gradientSpan, gradientSpan.got(v))
			}
			m.GradientAbove = v
		}
		if err := f.number("temp_bias_k", &m.TempBias); err != nil {
			return err
		}
	case MassBalanceConstant:
		if m.Balance, err = f.requireNumber("mb_m_we_per_year", "the mass balance, m w.e. per year"); err != nil {
			return err
		}
	case MassBalanceTemperatureIndex:
		return d.temperatureIndex(f, m)
	}
	return f.number("bias_m_we_per_year", &m.Bias)
}

func (d *decoder) dynamics(n *node, dyn *DynamicsSpec) *Error {
	f, err := d.mapping(n, "dynamics", "the ice-flow settings", dynamicsKeys)
	if err != nil {
		return err
	}
	if sn := f.get("solver"); sn != nil {
		if dyn.Solver, err = d.str(sn, "dynamics.solver"); err != nil {
			return err
		}
		if dyn.Solver != SolverFluxBased && dyn.Solver != SolverSemiImplicit {
			return d.errAt("dynamics.solver", "unknown solver %q (want %s or %s)", dyn.Solver, SolverFluxBased, SolverSemiImplicit)
		}
	}
	for _, k := range []struct {
		key string
		v   *float64
	}{{"glen_a", &dyn.GlenA}, {"glen_n", &dyn.GlenN}, {"sliding_fs", &dyn.SlidingFs}, {"rho_kg_m3", &dyn.Rho}, {"g_m_s2", &dyn.G}, {"cfl", &dyn.CFL}} {
		if err := f.number(k.key, k.v); err != nil {
			return err
		}
	}
	if bn := f.get("oggm_time_steps"); bn != nil {
		if bn.kind != kindBool {
			return d.errAt("dynamics.oggm_time_steps", "want true or false, got %s", bn.describe())
		}
		dyn.OGGMTimeSteps = bn.text == "true"
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// suggest returns " (did you mean k?)" for the allowed key k closest to an
// unknown one, if one is close: a different case, a missing or extra unit
// suffix, or a typo of one or two letters.
func suggest(key string, allowed []string) string {
	best, bestDist := "", 3
	for _, k := range allowed {
		lk, lkey := strings.ToLower(k), strings.ToLower(key)
		if lk == lkey || strings.HasPrefix(lk, lkey+"_") || strings.HasPrefix(lkey, lk+"_") {
			return " (did you mean " + k + "?)"
		}
		if dist := editDistance(lkey, lk); dist < bestDist {
			best, bestDist = k, dist
		}
	}
	if best == "" {
		return ""
	}
	return " (did you mean " + best + "?)"
}

// editDistance is the Levenshtein distance between a and b.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// linearProfile returns n elevations falling linearly from top to bottom
// (m): z_i = top − (top − bottom)·i/(n − 1).
func linearProfile(top, bottom float64, n int) []float64 {
	z := make([]float64, n)
	for i := range z {
		z[i] = top - (top-bottom)*float64(i)/float64(n-1)
	}
	return z
}

// addBump adds a Gaussian bump of the given height (m) centred on point
// at, with a half-width of w points: z_i += height·exp(−((i − at)/w)²).
func addBump(z []float64, at, height, w float64) {
	for i := range z {
		x := (float64(i) - at) / w
		z[i] += height * math.Exp(-x*x)
	}
}
