package dynamics

import (
	"math"

	"github.com/firnglacier/firn/engine/constants"
)

// Firn's own steps of the flux-based solver: the discretisation of
// stepFluxBased — the fluxes q_k = u_k·S̄_k with OGGM's means, its boundary
// edges, the mass balance on the top width (EmptyCellWidth on an empty
// point that gains), the clipping at 0 — integrated in time by the linearly
// implicit two-stage Rosenbrock method ROS2 (Verwer, Spee, Blom &
// Hundsdorfer 1999, "A second-order Rosenbrock method applied to
// photochemical dispersion problems", SIAM J. Sci. Comput. 20, 1456–1480),
// second order and L-stable, and a W-method: it keeps its order with any
// matrix in place of J (the semi-implicit solver's third-order ROS3, see
// stepSemiImplicit, needs the exact Jacobian, which the rules below rule
// out). The unknown is the section S of each point:
//
//	dS_i/dt = F_i(S) = (q_i − q_{i+1} + T_i)/Δx + m_i·w̃_i
//
//	(I − γΔt·J)·k1 = Δt·F(Sⁿ)
//	(I − γΔt·J)·k2 = Δt·F(Sⁿ + k1) − 2·k1,        γ = 1 + 1/√2
//	Sⁿ⁺¹ = max(0, Sⁿ + 3/2·k1 + 1/2·k2)
//
// with T_i the inflow from tributaries (see couple). J is ∂F/∂S of the
// fluxes, tridiagonal: q_k depends on the sections of its two points
// through H̄_k (dH/dS = 1/w, the top width; 1/EmptyCellWidth at an empty
// parabolic point, whose dH/dS is unbounded), through the slope
// (s = bed + H) and through S̄_k (fluxJacobian). The last edge of the main
// line, which repeats the slope, thickness and section of the edge before
// it (outflow), depends on the last two points, so it stays in the
// tridiagonal pattern; a tributary's last edge couples it to its receiver
// (see couple, which also solves such a glacier). The mass balance's
// dependence on the width is left out: ROS2 keeps its second order with any
// matrix (a W-method), and the rule w̃ = EmptyCellWidth has no derivative.
// For the same reason J takes a point's width as at least a quarter of the
// hull's mean top width (jacobianWidthFloor): a parabola's dH/dS = 1/w is
// unbounded as a point empties, and in a long step a thin point at the
// front fills from a few centimetres to tens of metres, its width growing
// many times over, so that the derivative at the start of the step is far
// from the step's mean. With the exact 1/w, year-long steps (StepTolerance
// 1000) piled ice at the parabola's front from year 535 on (4.0e8 m³ at
// year 700 instead of 2.5e8). Rectangles, and trapezoids whose top widths
// are within four times their mean, keep the exact derivative. As in
// stepSemiImplicit, a bare point whose first-stage increment is ≤ 0 gets a
// zero column (what flows in melts; its clipped decrease must not steepen
// its neighbours' slopes), the stage Sⁿ + k1 is clipped at 0 and only the
// active hull is solved (q and its derivatives vanish on the edges at its
// ends, but for the outflow and a tributary's last edge). A section whose
// thickness underflows to 0 is clipped: a parabola's point that melts
// empties geometrically in these steps (its stage has no width to melt on),
// and with no width it would keep its last trace of ice. The state is the
// fixed point of the step in equilibrium, a stable one for any Δt
// (L-stability), so year-long steps do not flip-flop
// (TestFluxBasedStepsDoNotOscillate).
//
// Mass: the fluxes telescope in both stages (what leaves a tributary enters
// its receiver) and the columns of J sum to zero but for the outflow's, so
// the step changes the volume, before the clipping (booked), by exactly
// Δt·Σ m_i·(w̃_i + w̃_i(stage))/2·Δx (the mass balance, booked as input)
// less Δt·((q_n + q_n(stage))/2 + γ/2·∂q_n/∂S·(k1 + k2)) (the outflow and
// the matrix's share of it, booked as outflow).
//
// The step's error estimate is the RMS over the hulls of ½·(k1 + k2), the
// difference between the second-order solution and the embedded first-order
// one Sⁿ + k1, in m² of section, divided by each line's mean top width over
// its hull: m of ice, the semi-implicit solver's norm on a rectangle. (Per
// point, each divided by its own width, it would hold a parabola's thin
// front, a few metres wide, to its thickness: over twice the steps on
// parabolic_ela2800, 3 450 instead of 1 546.) It must stay within
// Params.StepTolerance (DefaultFluxStepTolerance); the step controller is
// stepSemiImplicit's (controlStep), and steps end at year ends, where the
// mass balance is evaluated again, not at month starts. The first step
// (from no ice, or after SetThickness or SetFlow) is the explicit step, up
// to the next month start at most (OGGM's first step): from no ice every
// point of the accumulation area starts bare, and on a parabola the
// EmptyCellWidth rule makes what such a point gains in its first step
// depend on the step's length (its width then grows from 0 as H^{1/2}); a
// first step of half a year (what the error estimate accepts) left
// parabolic_ela2800 2.0e-3 above a converged run at year 50, a month's
// 5.0e-4 (OGGM's steps: 1.7e-3 below).
//
// Each step costs two flux evaluations, one tridiagonal factorisation and
// two solves (1.8–2.3 µs on the single-line reference glaciers, 3.6 µs with
// the tributary, against 0.6–0.9 µs for an explicit step), in 1 550 – 2 860
// steps over 700 years instead of 10 280 – 33 200 explicit ones
// (TestFluxBasedOwnStepsConverge: at least as close to a converged run as
// OGGM's steps).

// stepFluxROS2 takes one ROS2 step of the flux-based discretisation of at
// most maxDt seconds, on every line of the glacier (see solveFluxROS2 for
// tributaries).
func (m *Model) stepFluxROS2(maxDt float64) (float64, error) {
	maxU, maxD := 0.0, 0.0
	ice := false // some line has a hull to solve
	for i := range m.lines {
		l := &m.lines[i]
		l.a, l.b, l.active = l.hull()
		if !l.active {
			continue
		}
		ice = true
		u, d := m.fluxJacobian(l, l.a, l.b)
		maxU, maxD = max(maxU, u), max(maxD, d)
	}
	if !ice {
		return maxDt, nil
	}
	if len(m.lines) > 1 {
		u, d := m.couple()
		maxU, maxD = max(maxU, u), max(maxD, d)
	}
	// A state that is not finite makes these NaN or +Inf (see
	// stepFluxBased).
	if !(maxU <= math.MaxFloat64 && maxD <= math.MaxFloat64) {
		return 0, m.notFinite()
	}
	dt, intended := maxDt, maxDt
	if m.nextDt == 0 {
		// The first step: the explicit one, up to the next month start.
		dt = min(dt, nextMonthStart(m.calendarYear(), m.inYear)-m.inYear)
		if maxU > 0 {
			first := m.cfl * m.dx / maxU
			if maxD > 0 {
				first = min(first, m.dx*m.dx/(2*m.glen.n*maxD))
			}
			dt = min(dt, max(first, m.minStep))
		}
		intended = dt
	} else {
		dt = min(dt, m.nextDt)
		intended = m.nextDt
	}
	dt, err := m.controlStep(dt, intended)
	if err != nil {
		return 0, err
	}
	for i := range m.lines {
		if l := &m.lines[i]; l.active {
			if err := m.updateFluxROS2(l, l.a, l.b, dt); err != nil {
				return 0, err
			}
		}
	}
	return dt, nil
}

// massBalanceWidth returns the width over which a mass balance mb falls on
// a point of top width w: w, or constants.EmptyCellWidth on an empty
// point (w = 0, a parabola) that gains (as transport does).
func massBalanceWidth(w, mb float64) float64 {
	if w == 0 && mb > 0 {
		return constants.EmptyCellWidth
	}
	return w
}

// velocityDerivatives returns the velocity u (m s⁻¹) of an edge of mean
// thickness h (m) and surface slope alpha, with ∂u/∂h (s⁻¹) and ∂u/∂α
// (m s⁻¹).
func (g *glen) velocityDerivatives(h, alpha float64) (u, du, da float64) {
	if g.cubic {
		h2, a2 := h*h, alpha*alpha
		c := (g.fdRhoGn*h2 + g.fsRhoGn) * h2
		return c * a2 * alpha, (4*g.fdRhoGn*h2 + 2*g.fsRhoGn) * h * a2 * alpha, 3 * c * a2
	}
	if h == 0 {
		return 0, 0, 0
	}
	hn2 := math.Pow(h, g.n-2)
	an1 := math.Pow(math.Abs(alpha), g.n-1)
	c := (g.fdRhoGn*h*h + g.fsRhoGn) * hn2 * h
	du = ((g.n+1)*g.fdRhoGn*h*h + (g.n-1)*g.fsRhoGn) * hn2 * an1 * alpha
	return c * an1 * alpha, du, g.n * c * an1
}

// inverseWidth returns dH/dS = 1/w for a top width w > 0 (m), and
// 1/EmptyCellWidth for w = 0 (an empty parabolic point).
func inverseWidth(w float64) float64 {
	if w > 0 {
		return 1 / w
	}
	return 1 / constants.EmptyCellWidth
}

// jacobianWidthFloor is the least top width that the Jacobian of the
// flux-based ROS2 step takes for dH/dS = 1/w, as a fraction of the hull's
// mean top width (see stepFluxROS2).
const jacobianWidthFloor = 0.25

// fluxJacobian sets the velocities and fluxes q_k of the edges of points
// a … b (0 on the two at the ends, but for the main line's outflow), with
// their derivatives ∂q_k/∂S_{k−1} (l.jacUp) and −∂q_k/∂S_k (l.jacDown),
// m s⁻¹; for the outflow q_n, ∂q_n/∂S_{n−1} in jacUp[n] and ∂q_n/∂S_{n−2}
// in l.outUp. It returns max|u| (m s⁻¹) and max D (m² s⁻¹) as fluxes
// does.
func (m *Model) fluxJacobian(l *line, a, b int) (maxU, maxD float64) {
	n := l.n
	sec, h, s, w := l.section[:n], l.thick[:n], l.surface[:n], l.width[:n]
	u, q := l.velocity[:n+1], l.flux[:n+1]
	up, down := l.jacUp[:n+1], l.jacDown[:n+1]
	g := &m.glen
	invDx := 1 / m.dx
	u[a], q[a], up[a], down[a] = 0, 0, 0, 0
	u[b+1], q[b+1], up[b+1], down[b+1] = 0, 0, 0, 0
	l.outUp = 0
	sumW := 0.0
	for _, wi := range w[a : b+1] {
		sumW += wi
	}
	l.meanWidth = sumW / float64(b-a+1)
	floor := jacobianWidthFloor * l.meanWidth
	invPrev := inverseWidth(max(w[a], floor))
	sumE := 0.0
	for k := a + 1; k <= b; k++ {
		inv := inverseWidth(max(w[k], floor))
		hk, alpha := 0.5*(h[k-1]+h[k]), (s[k-1]-s[k])*invDx
		sk := 0.5 * (sec[k-1] + sec[k])
		var uk, du, da float64
		if g.cubic { // velocityDerivatives, inlined
			h2, a2 := hk*hk, alpha*alpha
			c := (g.fdRhoGn*h2 + g.fsRhoGn) * h2
			uk, du, da = c*a2*alpha, (4*g.fdRhoGn*h2+2*g.fsRhoGn)*hk*a2*alpha, 3*c*a2
		} else {
			uk, du, da = g.velocityDerivatives(hk, alpha)
		}
		dh := 0.5 * du * sk   // ∂q/∂H of either point, through H̄
		ds := da * sk * invDx // ∂q/∂s_{k−1} = −∂q/∂s_k
		half := 0.5 * uk      // ∂q/∂S of either point, through S̄
		u[k], q[k] = uk, uk*sk
		up[k] = (dh+ds)*invPrev + half
		down[k] = (ds-dh)*inv - half
		invPrev = inv
		// As in fluxes: plain comparisons; a NaN or an infinity reaches
		// E = |q/α| = (∂u/∂α)·S̄/n and so the sum.
		if a := math.Abs(uk); a > maxU {
			maxU = a
		}
		ek := da * sk
		if wk := 0.5 * (w[k-1] + w[k]); ek > maxD*wk {
			maxD = ek / wk
		}
		sumE += ek
	}
	maxD /= g.n
	if !(sumE <= math.MaxFloat64) {
		maxD = sumE // NaN or +Inf: the step stops the run
	}
	if b < n-1 || l.into >= 0 || n < 2 {
		return maxU, maxD
	}
	alpha := (s[n-2] - s[n-1]) * invDx
	un, du, da := g.velocityDerivatives(h[n-1], alpha)
	ds := da * sec[n-1] * invDx
	u[n], q[n] = un, un*sec[n-1]
	up[n] = (du*sec[n-1]-ds)*inverseWidth(max(w[n-1], floor)) + un
	l.outUp = ds * inverseWidth(max(w[n-2], floor))
	if alpha != 0 && w[n-1] > 0 {
		maxD = max(maxD, math.Abs(q[n]/alpha)/w[n-1])
	}
	return max(maxU, math.Abs(un)), maxD
}

// solveFluxROS2 computes the two stages of a ROS2 step of dt seconds of
// the flux-based discretisation on every line (l.flux and the Jacobian
// set by fluxJacobian, and by couple for tributaries), k1 in l.k1 and k2
// in l.rhs (m² of section), and returns the step's error estimate, m of
// ice. A glacier with tributaries is solved line by line, tributaries
// first (see couple).
func (m *Model) solveFluxROS2(dt float64) float64 {
	invDx := 1 / m.dx
	c := ros2Gamma * (dt * invDx)
	first := func(l *line) []float64 { return l.k1 }
	second := func(l *line) []float64 { return l.rhs }
	order := m.glacier.Order
	for _, i := range order {
		l := &m.lines[i]
		if !l.active {
			continue
		}
		a, b := l.a, l.b
		l.bareLast, l.bareBefore = ros2Matrix(l, a, b, l.flux, invDx, dt, c)
		if l.outflows() && b > a && !l.bareBefore {
			l.lower[b] += c * l.outUp // J_{n−1,n−2} = (∂q_{n−1}/∂S_{n−2} − ∂q_n/∂S_{n−2})/Δx
		}
		m.addInflowTerms(l, c, first)
		factorTridiagonal(l.lower[a:b+1], l.diag[a:b+1], l.upper[a:b+1], l.k1[a:b+1], l.cp[a:b+1])
		if len(l.tribs) > 0 {
			m.prepareTributaries(l, c)
			m.applyTributaries(l, l.k1)
		}
		if l.coupled {
			// z = A⁻¹·(c·h·e_{n−1}): the receiver's stage at the junction
			// enters this tributary's last row as c·h (see couple).
			z := l.z[a : b+1]
			clear(z)
			z[len(z)-1] = c * l.outJunction
			solveFactored(l.lower[a:b+1], l.diag[a:b+1], l.upper[a:b+1], z, l.cp[a:b+1])
			m.applyTributaries(l, l.z)
		}
	}
	m.junctionStages(first)
	if len(m.lines) > 1 {
		m.stageOutflows()
	}
	for _, i := range order {
		if l := &m.lines[i]; l.active {
			m.fluxStage(l, dt)
		}
	}
	for _, i := range order {
		l := &m.lines[i]
		if !l.active {
			continue
		}
		a, b := l.a, l.b
		m.addInflowTerms(l, c, second)
		solveFactored(l.lower[a:b+1], l.diag[a:b+1], l.upper[a:b+1], l.rhs[a:b+1], l.cp[a:b+1])
		m.applyTributaries(l, l.rhs)
	}
	m.junctionStages(second)

	// The error estimate: the RMS of ½·(k1 + k2) over the hulls' points,
	// each line's divided by its mean top width.
	if len(m.lines) == 1 {
		l := &m.lines[0]
		return 0.5 * math.Sqrt(l.stageErrorSum()/float64(l.b-l.a+1)) / max(l.meanWidth, constants.EmptyCellWidth)
	}
	sum, points := 0.0, 0
	for i := range m.lines {
		if l := &m.lines[i]; l.active {
			w := max(l.meanWidth, constants.EmptyCellWidth)
			sum += l.stageErrorSum() / (w * w)
			points += l.b - l.a + 1
		}
	}
	return 0.5 * math.Sqrt(sum/float64(points))
}

// outflows reports whether ice leaves the domain through the last edge of
// the line in this step: the main line's hull reaches its end.
func (l *line) outflows() bool {
	return l.into < 0 && l.b == l.n-1 && l.n >= 2
}

// junctionStages completes a stage (stage(l): l.k1 or l.rhs) of every
// coupled tributary once its receiver's is known, downstream first: x_t
// = y_t − z_t·x_j (see couple).
func (m *Model) junctionStages(stage func(*line) []float64) {
	order := m.glacier.Order
	for o := len(order) - 1; o >= 0; o-- {
		l := &m.lines[order[o]]
		if !l.coupled {
			continue
		}
		x, f := stage(l), stage(&m.lines[l.into])[l.junction]
		for i := l.a; i <= l.b; i++ {
			x[i] -= l.z[i] * f
		}
	}
}

// stageErrorSum returns Σ (k1 + k2)² over the line's hull, m⁴.
func (l *line) stageErrorSum() float64 {
	sum := 0.0
	k1, k2 := l.k1[l.a:l.b+1], l.rhs[l.a:l.b+1]
	for i, v := range k1 {
		e := v + k2[i]
		sum += e * e
	}
	return sum
}

// fluxStage sets, for line l, the stage Sⁿ + k1 (at least 0), its fluxes
// (l.stageFlux; a tributary's outflow is stageOut) and the second stage's
// right-hand side Δt·F(Sⁿ + k1) − 2·k1 (l.rhs), with the mass balance on
// the stage's width and the tributaries' inflow at the stage.
func (m *Model) fluxStage(l *line, dt float64) {
	n, a, b := l.n, l.a, l.b
	w, mb, sec, bed := l.width[:n], l.mb[:n], l.section[:n], l.fl.Bed[:n]
	k1, k2, in := l.k1[:n], l.rhs[:n], l.stageIn[:n]
	wStage, qStage := l.stageWidth[:n], l.stageFlux[:n+1]
	invDx := 1 / m.dx
	dtDx := dt * invDx
	outflow := l.outflows()
	g := &m.glen
	qStage[a], qStage[b+1] = 0, 0
	var sBefore, sPrev, hPrev, secPrev, qPrev, rPrev float64
	for i := a; i <= b; i++ {
		var hi, wi float64
		v := sec[i] + k1[i]
		switch {
		case v <= 0:
			v = 0
			wi = l.fl.TopWidth(i, 0)
		case l.rectangular:
			hi, wi = v/l.fl.Width[i], w[i]
		default:
			hi, wi = l.thicknessWidth(i, v, w[i])
		}
		wStage[i] = wi
		si := bed[i] + hi
		r := dt*mb[i]*massBalanceWidth(wi, mb[i]) - 2*k1[i] + dtDx*in[i]
		if i > a {
			hm, alpha := 0.5*(hPrev+hi), (sPrev-si)*invDx
			var p float64
			if g.cubic { // velocity, inlined
				h2 := hm * hm
				p = (g.fdRhoGn*h2*h2 + g.fsRhoGn*h2) * (alpha * alpha * alpha)
			} else {
				p = g.velocity(hm, alpha)
			}
			p *= 0.5 * (secPrev + v)
			qStage[i] = p
			k2[i-1] = rPrev + dtDx*(qPrev-p)
			qPrev = p
		}
		sBefore, sPrev, hPrev, secPrev, rPrev = sPrev, si, hi, v, r
	}
	if outflow {
		p := g.velocity(hPrev, (sBefore-sPrev)*invDx) * secPrev
		qStage[n] = p
		k2[b] = rPrev + dtDx*(qPrev-p)
	} else {
		qStage[b+1] = 0
		if b == n-1 && l.into >= 0 {
			qStage[n] = l.stageOut
		}
		k2[b] = rPrev + dtDx*(qPrev-qStage[b+1])
	}
}

// updateFluxROS2 sets the new state from the two stages of the step (l.k1,
// and k2 in l.rhs): the section changes by 3/2·k1 + 1/2·k2, clipped at 0.
// It books the mass balance (the mean of its terms at the start and at the
// stage), the clipped ice and the outflow (see stepFluxROS2).
func (m *Model) updateFluxROS2(l *line, a, b int, dt float64) error {
	n := l.n
	h, s, w, mb, sec := l.thick[:n], l.surface[:n], l.width[:n], l.mb[:n], l.section[:n]
	bed, width := l.fl.Bed[:n], l.fl.Width[:n]
	q, qStage, up, down := l.flux[:n+1], l.stageFlux[:n+1], l.jacUp[:n+1], l.jacDown[:n+1]
	k1, k2, wStage := l.k1[:n], l.rhs[:n], l.stageWidth[:n]
	tribIn, stageIn := l.tribIn[:n], l.stageIn[:n]
	input, clipped, sum := 0.0, 0.0, 0.0
	lo, hi := n, -1
	for i := a; i <= b; i++ {
		ds := 1.5*k1[i] + 0.5*k2[i]
		sum += ds
		if sec[i] == 0 && mb[i] <= 0 && q[i] == 0 && q[i+1] == 0 && qStage[i] == 0 && qStage[i+1] == 0 &&
			up[i] == 0 && down[i] == 0 && up[i+1] == 0 && down[i+1] == 0 && tribIn[i] == 0 && stageIn[i] == 0 {
			continue // bare and nothing flows in: stays bare, books nothing
		}
		input += dt * mb[i] * 0.5 * (massBalanceWidth(w[i], mb[i]) + massBalanceWidth(wStage[i], mb[i]))
		v := sec[i] + ds
		var hNew float64
		switch {
		case v <= 0:
			clipped -= v
			v = 0
			w[i] = l.fl.TopWidth(i, 0)
		case l.rectangular:
			hNew = v / width[i]
		default:
			hNew, w[i] = l.thicknessWidth(i, v, w[i])
		}
		if hNew > 0 {
			lo = min(lo, i)
			hi = i
		} else if v > 0 {
			// A section too small for a thickness (it underflowed):
			// no ice, and no width for the mass balance to melt it.
			// A parabola's point that melts empties geometrically in
			// these steps (its stage has no width to melt on).
			clipped -= v
			v = 0
		}
		sec[i] = v
		h[i] = hNew
		s[i] = bed[i] + hNew
	}
	if l.outflows() {
		// What left through the last edge: the mean of the two stages'
		// outflows and the share of the columns of J that do not sum to
		// zero (those of its two points, unless bare).
		out := 0.5 * (q[n] + qStage[n])
		if !l.bareLast {
			out += 0.5 * ros2Gamma * up[n] * (k1[b] + k2[b])
		}
		if b > a && !l.bareBefore {
			out += 0.5 * ros2Gamma * l.outUp * (k1[b-1] + k2[b-1])
		}
		m.account.Outflow += out * dt
	}
	return m.booked(l, lo, hi, input, clipped, sum)
}
