package dynamics

import (
	"math"

	"github.com/firnglacier/firn/engine/constants"
	"github.com/firnglacier/firn/engine/geometry"
)

// The explicit flux-based scheme (OGGM's FluxBasedModel; Maussion et al.
// 2019, GMD 12, 909, eqs. 6–9 and sect. 2.5.2). On the staggered grid,
// for edge k between points k−1 and k:
//
//	α_k = (s_{k−1} − s_k)/Δx                      surface slope (k = 1 … n−1)
//	u_k = (f_d·H̄_k^{n+1} + f_s·H̄_k^{n−1})·(ρ g α_k)ⁿ   depth-mean velocity, m s⁻¹ (sign of α)
//	q_k = u_k · S̄_k                                 ice flux, m³ s⁻¹
//
// with f_d = 2A/(n+2), H̄ and S̄ the means of the two neighbouring points.
// Edge 0 carries no flux (no inflow at the top). The last edge of the main
// line repeats the slope, thickness and section of the edge before it (ice
// may leave the domain); the last edge of a tributary sees a ghost point
// whose surface is the receiving line's surface at the junction. Then, for
// each point (mass continuity, eq. 6):
//
//	S_i ← max(0, S_i + (q_i − q_{i+1})·Δt/Δx + Δt·m_i·w̃_i + Δt·T_i/Δx)
//
// where m_i is the mass balance (m ice s⁻¹), w̃_i the top width (10 m where
// it is 0 and m_i > 0) and T_i the tributary inflow (m³ s⁻¹). The time step
// is Δt = min(time to the next target, CFL·Δx/max|u_k|, Δx²/(2n·max D_k))
// (the last bound is Firn's, see Params.OGGMSteps), with D_k = |q_k/α_k|/w̄_k
// (m² s⁻¹, w̄_k the mean top width of the edge's two points).
//
// That bound is the stability limit of the explicit step for a small
// change δs of the surface. The flux q = u·S̄ goes as αⁿ, so δq_k =
// n·|q_k/α_k|·δα_k, and a section changes with the surface as δS = w·δs:
// linearised, the step is the explicit step of a diffusion equation for S
// with diffusivity n·D_k, which is stable for Δt ≤ Δx²/(2n·max D_k) (the
// bound of forward Euler on the three-point diffusion operator; the
// largest eigenvalue of that operator on the reference glaciers is within
// 1–5 % of the bound). On a rectangle of uniform width D_k = |u_k|·H̄_k/|α_k|;
// a parabola has S = 2/3·w·H, so its D is 2/3 of that, and its steps are
// 1.5 times as long.
//
// Only the active hull of each line is visited (see line.hull): outside
// it H = 0 on both sides of every edge, so u = q = 0 and nothing changes.
//
// That is the explicit step: OGGM's (Params.OGGMSteps). Firn's own steps
// integrate the same discretisation with the linearly implicit Rosenbrock
// method ROS2 (Verwer et al. 1999): longer steps, error-controlled, that
// need not respect the stability limit above (see stepFluxROS2, and
// couple for tributaries).

// stepFluxBased takes one explicit step of at most maxDt seconds.
func (m *Model) stepFluxBased(maxDt float64) (float64, error) {
	maxU, maxD := 0.0, 0.0
	for i := range m.lines {
		u, d := m.fluxes(&m.lines[i])
		maxU, maxD = max(maxU, u), max(maxD, d)
	}
	// A thickness or velocity that is not finite makes these NaN or +Inf
	// (max keeps a NaN): the state has left the numbers.
	if !(maxU <= math.MaxFloat64 && maxD <= math.MaxFloat64) {
		return 0, m.notFinite()
	}
	dt := maxDt
	if maxU > 0 {
		cflDt := m.cfl * m.dx / maxU
		if c := m.glen.diffusionNumber; c > 0 && maxD > 0 {
			cflDt = min(cflDt, c*m.dx*m.dx/maxD)
		}
		if cflDt < m.minStep {
			return 0, m.unstable(cflDt)
		}
		dt = min(dt, cflDt)
	}
	for _, i := range m.glacier.Order {
		m.transport(&m.lines[i], dt)
	}
	return dt, nil
}

// edgeAnyN returns the velocity u (m s⁻¹), the flux q = u·S̄ (m³ s⁻¹) and
// E = |q/α| (m³ s⁻¹) of an edge with mean thickness hk (m), surface slope
// alpha and mean section sk (m²), for any n (fluxes inlines n = 3).
func (g *glen) edgeAnyN(hk, alpha, sk float64) (u, q, e float64) {
	u = g.velocity(hk, alpha)
	if alpha != 0 {
		e = math.Abs(u/alpha) * sk
	}
	return u, u * sk, e
}

// velocity returns u (m s⁻¹) for edge thickness h (m) and slope alpha.
func (g *glen) velocity(h, alpha float64) float64 {
	if g.cubic {
		h2 := h * h
		a3 := alpha * alpha * alpha
		return (g.fdRhoGn*h2*h2 + g.fsRhoGn*h2) * a3
	}
	if h == 0 || alpha == 0 {
		return 0
	}
	hn1 := math.Pow(h, g.n-1)
	an := math.Pow(math.Abs(alpha), g.n-1) * alpha
	return (g.fdRhoGn*hn1*h*h + g.fsRhoGn*hn1) * an
}

// diffusivity returns D = |u|·h/|α| (m² s⁻¹), the SIA's diffusivity for
// the surface: q/w = −D·∂s/∂x.
func (g *glen) diffusivity(h, alpha float64) float64 {
	if g.cubic {
		h2 := h * h
		return (g.fdRhoGn*h2*h2 + g.fsRhoGn*h2) * h * alpha * alpha
	}
	if h == 0 || alpha == 0 {
		return 0
	}
	return math.Abs(g.velocity(h, alpha)) * h / math.Abs(alpha)
}

// fluxes fills the edge velocities and fluxes of l's active hull and
// returns max|u| (m s⁻¹) and the largest D = |q/α|/w̄ (m² s⁻¹; see
// stepFluxBased).
func (m *Model) fluxes(l *line) (maxU, maxD float64) {
	n := l.n
	u, q := l.velocity[:n+1], l.flux[:n+1]
	u[n], q[n] = 0, 0
	a, b, ok := l.hull()
	if !ok {
		return 0, 0
	}
	s, h, sec, w := l.surface[:n], l.thick[:n], l.section[:n], l.width[:n]
	invDx := 1 / m.dx
	g := &m.glen
	u[0], q[0] = 0, 0
	sumE := 0.0
	for k := max(a, 1); k <= min(b+1, n-1); k++ {
		hk, alpha := 0.5*(h[k-1]+h[k]), (s[k-1]-s[k])*invDx
		sk := 0.5 * (sec[k-1] + sec[k])
		var uk, qk, ek float64
		if g.cubic { // u = c·α and E = c·S̄ with c = (f_d H⁴ + f_s H²)(ρg)³α²
			h2 := hk * hk
			c := (g.fdRhoGn*h2*h2 + g.fsRhoGn*h2) * alpha * alpha
			uk = c * alpha
			qk, ek = uk*sk, c*sk
		} else {
			uk, qk, ek = g.edgeAnyN(hk, alpha, sk)
		}
		u[k], q[k] = uk, qk
		// Plain comparisons, not the builtin max, whose NaN handling
		// costs more than the rest of the loop; a NaN or an infinity in
		// the state reaches E (E ≥ 0, and a non-finite u makes E
		// non-finite), hence the sum, which passes it on below. D =
		// E/w̄ is kept as the largest ratio without a division per edge.
		if a := math.Abs(uk); a > maxU {
			maxU = a
		}
		if wk := 0.5 * (w[k-1] + w[k]); ek > maxD*wk {
			maxD = ek / wk
		}
		sumE += ek
	}
	if !(sumE <= math.MaxFloat64) {
		maxD = sumE // NaN or +Inf: stepFluxBased stops the run
	}
	if b < n-1 {
		return maxU, maxD
	}
	var alpha float64
	if l.into < 0 {
		alpha = (s[n-2] - s[n-1]) * invDx
	} else {
		alpha = (s[n-1] - m.lines[l.into].surface[l.junction]) * invDx
	}
	un := g.velocity(h[n-1], alpha)
	qn := un * sec[n-1]
	if l.into >= 0 && qn < 0 {
		// Ice does not flow back up a tributary from its receiver: the
		// receiver would have to lose it, and OGGM's clip of this flux to
		// ≥ 0 on the receiving side only would create mass.
		un, qn = 0, 0
	}
	u[n], q[n] = un, qn
	if alpha != 0 && w[n-1] > 0 {
		maxD = max(maxD, math.Abs(qn/alpha)/w[n-1])
	}
	return max(maxU, math.Abs(un)), maxD
}

// transport updates the sections of l's active hull by one step of dt
// seconds, feeds the receiver of a tributary and books the mass account.
// Bare points that receive no ice and lose mass stay bare and book
// nothing (there is no ice to melt).
func (m *Model) transport(l *line, dt float64) {
	n := l.n
	a, b, ok := l.hull()
	if !ok {
		return
	}
	fl := l.fl
	sec, h, s, w := l.section[:n], l.thick[:n], l.surface[:n], l.width[:n]
	mb, tribIn, q := l.mb[:n], l.tribIn[:n], l.flux[:n+1]
	bed, width := fl.Bed[:n], fl.Width[:n]
	dtDx := dt / m.dx
	input, clipped := 0.0, 0.0
	lo, hi := n, -1
	for i := a; i <= b; i++ {
		wEff := w[i]
		if wEff == 0 && mb[i] > 0 {
			wEff = constants.EmptyCellWidth
		}
		gain := dt * mb[i] * wEff
		flow := (q[i] - q[i+1]) * dtDx
		trib := tribIn[i] * dtDx
		if sec[i] == 0 && flow == 0 && trib == 0 && gain <= 0 {
			continue
		}
		v := sec[i] + flow + gain + trib
		input += gain
		tribIn[i] = 0
		if v <= 0 {
			clipped -= v
			v = 0
		} else {
			lo = min(lo, i)
			hi = i
		}
		sec[i] = v
		var hNew float64
		if l.rectangular {
			hNew = v / width[i]
		} else {
			hNew, w[i] = l.thicknessWidth(i, v, w[i])
		}
		h[i] = hNew
		s[i] = bed[i] + hNew
	}
	// The hull reaches one point past the ice on each side, so no ice lies
	// outside it: the extent is what this loop found.
	l.lo, l.hi = lo, hi
	m.account.Input += input * m.dx
	m.account.Clipped += clipped * m.dx
	if l.into < 0 {
		m.account.Outflow += q[n] * dt
	} else if out := q[n]; out > 0 {
		recv := m.lines[l.into].tribIn[l.kernelStart:]
		for k, wk := range l.kernel {
			recv[k] += out * wk
		}
	}
}

// thicknessWidth returns the thickness (m) and top width (m) of point i
// for the section v > 0 (m²), given the point's top width before the step
// (m): geometry.Flowline's Thickness and TopWidth in one.
//
// A parabola (S = 4/3·H^{3/2}/√P, w = √(4H/P)) has c = √H = ∛x with
// x = 3/4·√P·S, H = c² and w = 2/√P·c. A section changes little in a step,
// so the c of the old width, c₀ = √P/2·w, is close to ∛x, and Halley's
// iteration c ← c·(c³ + 2x)/(2c³ + x) (one division, no cube root) takes
// a relative error e to (2/3)·e³: one iteration when |c₀³ − x| ≤ 1e-5·x
// (|e| ≤ 3.4e-6, then below 3e-17, under rounding), two up to 3 % (|e| ≤
// 1 %: 7e-7, then 3e-19); farther away (a point that fills or empties)
// math.Cbrt. The result is the cube root to rounding, without its cost.
func (l *line) thicknessWidth(i int, v, wOld float64) (h, w float64) {
	fl := l.fl
	switch fl.Shapes[i] {
	case geometry.Parabolic:
		x := l.parabolaS[i] * v
		c := l.parabolaC[i] * wOld
		c3 := c * c * c
		switch r := math.Abs(c3 - x); {
		case !(c3 > 0 && r <= 0.03*x): // also an empty point, NaN, underflow
			c = math.Cbrt(x)
		case r <= 1e-5*x:
			c *= (c3 + 2*x) / (2*c3 + x)
		default:
			c *= (c3 + 2*x) / (2*c3 + x)
			c3 = c * c * c
			c *= (c3 + 2*x) / (2*c3 + x)
		}
		return c * c, l.parabolaW[i] * c
	case geometry.Trapezoidal:
		h = trapezoidThickness(fl.Width[i], l.lambda[i], v)
		return h, fl.Width[i] + l.lambda[i]*h
	}
	return v / fl.Width[i], fl.Width[i]
}
