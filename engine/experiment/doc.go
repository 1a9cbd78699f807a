// Package experiment reads experiment files: JSON or YAML documents that
// describe a glacier run — an idealized glacier's flowlines and beds or a
// real glacier's directory (see "glacier" below), the
// surface mass balance, the ice-flow parameters and the years to run — in
// the spirit of OGGM-Edu's idealized experiments.
//
//	spec, err := experiment.Load("rect_ela2600.json")  // or Parse(data, name)
//	glacier, err := spec.Glacier()                     // *geometry.Glacier
//	mb, err := spec.MassBalanceModel()                 // massbalance.Model
//	h0 := spec.InitialThickness()                      // [][]float64, m; nil per line without
//	spec.Dynamics.GlenA, spec.Years.End                // plain values, defaults filled in
//
// A Spec returned by Parse or Load has passed [Spec.Check]: every key is
// known, every value has the right type and range, every per-point list
// has one value per point, and the flowlines form a glacier (so Glacier and
// MassBalanceModel do not fail on it). A Spec may also be built or changed
// in code and checked with Check.
//
// # The file
//
// The same experiment in JSON (testdata/rect_ela2600.json spells out the
// 200 bed elevations instead):
//
//	{"flowlines": [{"name": "main", "dx_m": 100,
//	                "bed": {"top_m": 3000, "bottom_m": 1000, "points": 200},
//	                "shape": "rectangular", "width_m": 300}],
//	 "mass_balance": {"type": "linear", "ela_m": 2600, "gradient_mm_we_per_m": 3},
//	 "dynamics": {"solver": "flux-based", "glen_a": 2.4e-24, "sliding_fs": 0},
//	 "years": {"start": 0, "end": 700},
//	 "length_threshold_m": 0}
//
// and in YAML:
//
//	flowlines:
//	  - name: main
//	    dx_m: 100
//	    bed: {top_m: 3000, bottom_m: 1000, points: 200}
//	    width_m: 300          # rectangular is the default shape
//	mass_balance: {type: linear, ela_m: 2600, gradient_mm_we_per_m: 3}
//	years: {end: 700}
//
// Values are in SI units unless the key says otherwise (mass balance is in
// water equivalent, w.e., as glaciologists quote it). In the tables,
// "per point" means a number for every point or a list with one number per
// point of the bed. The defaults are OGGM's.
//
// Top level:
//
//	key                 type            default     meaning
//	flowlines           list, required              the main flowline and any tributaries
//	mass_balance        mapping, req.               the surface mass balance
//	dynamics            mapping         see below   ice-flow parameters and solver
//	years               mapping, req.               the span of the run
//	glacier             mapping                     instead of flowlines: {"directory": DIR}, a glacier
//	                                                directory (firn glacier prepare; relative to the
//	                                                file's folder), run from its inverted thickness
//	length_threshold_m  number          0           thickness (m) above which a point of
//	                                                the main flowline counts towards the length
//	description         string          ""          free text
//
// A flowline (flowlines[i]):
//
//	key                  type            meaning
//	name                 string          unique name; may be left out (→ "main") if there is one flowline
//	dx_m                 number, req.    spacing of the points, m; the same for all flowlines
//	bed_m                list of numbers bed elevation of each point, m a.s.l. (at least 2)
//	bed                  mapping         instead of bed_m: a linear bed, see below
//	shape                string or list  "rectangular" (default), "parabolic" or "trapezoidal",
//	                                     for all points or one per point
//	width_m              per point       width of a rectangle, bottom width of a trapezoid, m
//	lambda               per point       trapezoid side factor: m of width per m of thickness
//	parabola_p           per point       parabola parameter P, m⁻¹ (top width √(4H/P))
//	flows_to             mapping         tributaries only: {"flowline": name, "point": index}, the
//	                                     0-based point of another flowline this one flows into
//	initial_thickness_m  per point       ice thickness at the start, m (default: no ice)
//
// Each flowline gives exactly one of bed_m and bed. Rectangular points need
// width_m > 0; trapezoidal points need width_m ≥ 0 and lambda ≥ 0, not both
// 0; parabolic points need parabola_p > 0. Values a point's shape does not
// use are ignored, but none may be negative. Exactly one flowline, the main
// one, has no flows_to; tributaries may flow into tributaries, without
// cycles.
//
// A linear bed (bed) falls from top_m at point 0 to bottom_m at the last
// point, z_i = top − (top − bottom)·i/(points − 1), plus Gaussian bumps:
//
//	key       type              meaning
//	top_m     number, required  bed elevation of point 0, m
//	bottom_m  number, required  bed elevation of the last point, m
//	points    integer, required number of points (2 to 10,000)
//	bumps     list              each {"point": c, "height_m": h, "half_width_points": w} adds
//	                            h·exp(−((i − c)/w)²) to z_i (h < 0 digs a hollow; c may be fractional)
//
// The mass balance (mass_balance), by type:
//
//	type       key                         meaning
//	linear     ela_m, required             equilibrium-line altitude, m
//	           gradient_mm_we_per_m        mass-balance gradient, mm w.e. m⁻¹ yr⁻¹, required
//	           gradient_above_mm_we_per_m  the gradient above the ELA (gradient_mm_we_per_m is
//	                                       then the one below); default: the same
//	           max_mb_m_we                 cap on the balance, m w.e. yr⁻¹ (0, the default: no cap)
//	           temp_bias_k                 temperature bias, K: raises the ELA by
//	                                       massbalance.ELAPerKelvin (150 m) per K; default 0
//	constant   mb_m_we_per_year            the balance everywhere, m w.e. yr⁻¹, required
//	temperature_index                      the glacier directory's calibrated model (needs glacier):
//	           climate                     "constant" (default), "random" or "historical"
//	           y0, halfsize                the period y0 ± halfsize (default 15) of a constant or
//	                                       random climate; y0 required (not for historical, whose
//	                                       years.start and years.end are calendar years of the record)
//	           seed                        a random climate's seed (≥ 0)
//	           temp_bias_k, ramp_years     warmer by temp_bias_k K (−20 to 20), at once or reached
//	                                       linearly over ramp_years from years.start (massbalance.Warming)
//	linear, constant: bias_m_we_per_year   added to the balance, m w.e. yr⁻¹ (massbalance.Biased)
//
// With a glacier directory, dynamics' glen_a, glen_n, sliding_fs and
// rho_kg_m3 default to its inversion's (OGGM runs with the inversion's A).
//
// A linear mass balance is a massbalance.Linear, the model that
// edu.MassBalance is: a glacier built in a notebook cell and one built
// from a file run the same model.
//
// The dynamics (dynamics), all optional:
//
//	key         default      meaning
//	solver      flux-based   "flux-based" or "semi-implicit" (one flowline, no parabolic points)
//	glen_a      2.4e-24      creep parameter A of Glen's flow law, Pa⁻ⁿ s⁻¹
//	glen_n      3            exponent n of Glen's flow law
//	sliding_fs  0            basal sliding parameter f_s, Pa⁻ⁿ m² s⁻¹ (OGGM's usual value: 5.7e-20)
//	rho_kg_m3   900          ice density, kg m⁻³
//	g_m_s2      9.80665      acceleration of gravity, m s⁻²
//	cfl         0            Courant number of the time step; 0: the solver's default
//	oggm_time_steps false    true: OGGM's time steps (flux-based: CFL on the velocity only;
//	                         semi-implicit: OGGM's update, cut at every month start), which
//	                         reproduce OGGM's results to rounding; false: Firn's, error-controlled
//	                         linearly implicit steps that end only at year ends (semi-implicit:
//	                         third-order ROS3; flux-based: second-order ROS2, tributaries
//	                         included; see dynamics.Params.OGGMSteps)
//
// The years (years), in model years of 365 days:
//
//	key    default   meaning
//	start  0         year the run starts at
//	end    required  year the run ends at, after start
//	every  1         interval of the diagnostics, a whole number of years
//
// # Ranges
//
// Every number must lie in a physically meaningful range, so that a typo
// (1e308 for 100) is refused before anything runs, and a run's time and
// memory stay bounded (the constants MinDx, MaxRunYears … name them):
//
//	dx_m                       10 to 10 000 m
//	bed_m, top_m, bottom_m     −11 000 to 9 000 m (and the bed after bumps)
//	points, len(bed_m)         2 to 10 000, and at most 10 000 points in all flowlines
//	bumps                      point 0 to points − 1; height_m ±20 000 m;
//	                           half_width_points more than 0, at most points
//	width_m                    0 to 100 000 m (rectangles: more than 0)
//	lambda                     0 to 20
//	parabola_p                 1e-6 to 1 m⁻¹ (0 where no point is parabolic)
//	initial_thickness_m        0 to 5 000 m
//	ela_m                      −11 000 to 9 000 m
//	gradient(_above)_mm_we_per_m  more than 0, at most 100 mm w.e. m⁻¹ yr⁻¹
//	max_mb_m_we                0 (no cap) to 20 m w.e. yr⁻¹
//	temp_bias_k                −20 to 20 K
//	mb_m_we_per_year, bias_m_we_per_year  −20 to 20 m w.e. yr⁻¹
//	glen_n                     1 to 5
//	glen_a                     a strain rate A·(100 kPa)ⁿ of 1e-13 to 1e-5 s⁻¹
//	                           (n = 3: 1e-28 to 1e-20 Pa⁻³ s⁻¹)
//	sliding_fs                 0 to a sliding speed f_s·(100 kPa)ⁿ/(100 m) of 1e-3 m s⁻¹
//	                           (n = 3: 1e-16 Pa⁻³ m² s⁻¹)
//	rho_kg_m3                  500 to 1 000 kg m⁻³
//	g_m_s2                     0.1 to 25 m s⁻²
//	cfl                        0 (the solver's default) to 1
//	years.start, years.end     −1 000 000 to 1 000 000; a run lasts at most 100 000 years,
//	                           so the diagnostics have at most 100 001 rows
//	years.every                1 to 100 000
//	length_threshold_m         0 to 1 000 m
//
// A run that leaves the finite numbers all the same (a Spec built in code
// can ask for anything dynamics.Params accepts) stops with an error that
// wraps dynamics.ErrNotFinite and names the year, the quantity, the point
// and the flowline.
//
// # Errors
//
// A file is checked completely before anything runs, and the first
// problem is returned as an [*Error] that names the file, the line and the
// key path, says what is wrong and what would be right:
//
//	exp.yaml:7: flowlines[0].width_m: want a number or a list of 200 numbers (one per point), got a string ("wide")
//	exp.json:16: flowlines[1].flows_to.point: "main" has points 0 to 199, got 200
//	exp.json:7: flowlines[0].widht_m: unknown key (did you mean width_m?); a flowline takes name, dx_m, ...
//
// Unknown keys (at any depth), duplicate keys, numbers written as strings,
// empty (null) values, lists of the wrong length, values out of range and
// syntax errors are all errors; nothing is silently ignored. testdata/
// errors.golden lists the message of every case the tests try. In the
// messages, a "mapping" is a JSON object and a "list" a JSON array.
//
// The decoder is written by hand, over a small tree of values that each
// know their line, because neither encoding/json nor yaml.v3's struct
// decoding can say where a problem is: encoding/json reports a byte offset
// and a Go type, not the key path or the line; yaml.v3 reports a line but
// not the key path; and neither can check a list's length against the bed,
// accept "a number or a list" for one key, or suggest the key that a
// misspelled one was meant to be. JSON is tokenized by
// encoding/json (strict JSON: no comments, no trailing commas; the
// decoder's offsets give the lines), not by the YAML parser, which rejects
// some valid JSON (a "\/" escape, a tab before the first brace) and accepts
// some invalid. YAML is parsed by go.yaml.in/yaml/v3 into its node tree;
// one document per file, anchors allowed but aliases and merge keys not.
//
// The format is chosen by the file's extension (.json; .yaml or .yml); for
// any other name, and "-" (standard input), a document that starts with
// '{' or '[' is read as JSON, and as YAML if it is not valid JSON.
package experiment
