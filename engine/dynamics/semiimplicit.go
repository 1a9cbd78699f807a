package dynamics

import (
	"math"

	"github.com/firnglacier/firn/engine/constants"
)

// The semi-implicit scheme (OGGM's SemiImplicitModel, after the
// flowline form of the SIA as a diffusion equation, OGGM docs "Ice
// dynamics: semi-implicit model"). For a trapezoid (a rectangle is λ = 0)
// the thickness obeys w ∂H/∂t = −∂q/∂x + w·m with q = −D ∂s/∂x and, on
// interior edges,
//
//	D_k = (f_d·H̄^{n+2} + f_s·H̄ⁿ)·(ρg)ⁿ·(w̄0 + w̄)/2·|∂s/∂x|^{n−1}      m³ s⁻¹
//
// (means of the two neighbouring points, w̄0 the bottom and w̄ the top
// width); D = 0 on the two boundary edges. Write the update as
// ∂H_i/∂t = F_i(H) + m_i with
//
//	F_i = (φ_k − φ_{k+1})/w_i,   φ_k = D_k·(s_{i−1} − s_i)/Δx²   (edge k between i−1 and i)
//
// With Params.OGGMSteps (OGGM's update, reproduced to rounding) D is
// frozen over the step, which makes it one tridiagonal system for the new
// H:
//
//	(1 + r(D_k+D_{k+1})/w_i)·H_i − r·D_k/w_i·H_{i−1} − r·D_{k+1}/w_i·H_{i+1}
//	    = H_i + Δt·m_i + Δt/(w_i·Δx)·(c_k − c_{k+1}),   r = Δt/Δx²,
//
// with c_k = −D_k·(b_i − b_{i−1})/Δx (the bed part of the flux; the bed is
// padded with its end values), and the step is
// Δt = min(month end, CFL·Δx²/max(D_k/w̄_k)). That lagged diffusivity is
// what limits the step: beyond about the CFL limit the frozen D makes the
// thickness flip-flop from step to step (Hindmarsh & Payne 1996, Ann.
// Glaciol. 23: a non-iterated semi-implicit scheme has a time-step
// limit; Newton linearisation permits the largest steps). Measured on
// rect_ela2600 at year 650: ±3 mm at the thickest points in 0.1-year steps,
// so an error control there cannot take steps longer than CFL 0.5 does.
//
// With Firn's own steps (the default) the update is therefore a
// linearly implicit step with the Jacobian J = ∂G/∂S in place of the
// frozen D, where the unknown is the section S of each point:
//
//	dS_i/dt = G_i(S) = φ_k − φ_{k+1} + w_i(H_i)·m_i      (dS = w·dH)
//
// The method is ROS3 of Sandu, Verwer, Blom, Spee, Carmichael & Potra
// (1997, "Benchmarking stiff ODE solvers for atmospheric chemistry
// problems II: Rosenbrock solvers", Atmos. Environ. 31, 3459–3472; the
// Ros3 of the KPP integrators): three stages, third order, L-stable, with
// an embedded second-order solution, in the transformed form of Hairer &
// Wanner (1996, Solving ODEs II, IV.7, eq. 7.4'), γ = 0.43586652…:
//
//	(I − γΔt·J)·u_i = γΔt·G(Sⁿ + Σ_j a_ij·u_j) + γ·Σ_j c_ij·u_j,  j < i
//	Sⁿ⁺¹ = Sⁿ + Σ_i m_i·u_i,      error estimate Σ_i e_i·u_i
//
// with a21 = a31 = 1 and a32 = 0: the third stage reuses the second's
// G, so a step costs one Jacobian, one tridiagonal factorisation, two flux
// evaluations and three solves (the coefficients are the ros3 constants).
// The rows are multiplied by the top widths W at the start of the step and
// the stages kept as thickness, k_i = W⁻¹·u_i, so the matrix is
// W − γΔt·J_H with J_H = ∂G/∂H and needs no division; the stage Sⁿ + u1 is
// the section Sⁿ + w·k1 (at least 0), where the flux uses the stage's
// widths and the mass balance falls on the stage's top width.
//
// J_H is tridiagonal: ∂φ_k/∂H_{k−1} = P_k/2 + n·D_k/Δx² + φ_k·λ_{k−1}/(4w̄_k)
// and ∂φ_k/∂H_k = P_k/2 − n·D_k/Δx² + φ_k·λ_k/(4w̄_k), with P_k =
// ∂D_k/∂H̄·(s_{k−1} − s_k)/Δx² and w̄_k the mean width in D_k (whose top
// widths grow by λ per metre of ice), and its diagonal holds λ_i·m_i, the
// mass balance's gain on a wider top. ROS3 needs the exact Jacobian: it
// is not a W-method, and with the widths' dependence on H left out (as a
// W-method such as ROS2 allows) it converged on trapezoid_ela2800 to first
// order only (2.3e-3 from a converged run at year 200 in 868 steps, 8.0e-4
// in 3 699). A bare point whose first-stage increment is ≤ 0 (what flows
// in melts) has a zero column in J but for its diagonal: its surface stays
// on the bed, so its clipped decrease must not steepen its neighbours'
// slopes. A steady state is a fixed point of the step and, J being the
// linearisation and the method L-stable, a stable one for any Δt: OGGM's
// flip-flop is gone (TestSemiImplicitStepsDoNotOscillate), and in
// equilibrium a year-long step stays where a converged run does
// (TestSolversAgree).
//
// Mass: the flux terms telescope in every stage and the flux part of J_H
// has columns that sum to zero, so a stage's Σ w·k is its mass-balance
// input γΔt·Σ m·(w + λ·k) plus γ·Σ c_ij times the earlier stages' inputs,
// and the step changes the volume by Σ_i m_i times those, the input
// booked: on a rectangle, whose stage has the start's widths, exactly
// Δt·Σ m_i·w_i·Δx (the method is consistent: its weights sum to 1).
//
// Its step is error-controlled by the embedded second-order solution:
//
//	err = RMS_i(Σ_j e_j·k_j,i)      m of ice
//
// the difference between the two solutions over the points of the active
// hull (the norm of Hairer, Nørsett & Wanner 1993, Solving ODEs I, II.4),
// which estimates the local error, O(Δt³), of the second-order solution
// and so bounds that of the third-order one that the step keeps. A step
// with err > Params.StepTolerance is solved again shorter; the next step
// is Δt·0.9·∛(tol/err), at most 2× the last and 5× shorter at a time.
// Steps end at year ends (where the mass balance is evaluated again): the
// rest of the year is cut into equal steps no longer than the one
// proposed (evenSteps), not into full steps and a remnant. The first step
// (or the first after SetThickness or SetFlow) is the CFL step (up to a
// year while nothing flows). Nearly all of err comes from the front, where
// a point fills from a few centimetres to tens of metres in a year or two:
// that sets the step count (two steps a year while the front of
// rect_ela2600 advances fastest, one a year otherwise).
//
// In both modes H ← max(H, 0) after the solve (the ice clipped is
// booked), and only the active hull is solved: D and ∂D/∂H̄ vanish on the
// edges at its ends (bare bed on one side), so the system splits there
// exactly.
//
// Mass with OGGM's steps: the flux terms telescope, so Σ w_i·ΔH_i·Δx
// equals the mass-balance input exactly. For a rectangle that is the
// volume change; for a trapezoid the section S = (w0 + λH/2)·H differs
// from w·H and OGGM's update conserves the volume only approximately: a
// step misses λ/2·ΔH² per point, an error first order in Δt. Firn keeps
// OGGM's update there; its own steps update the section (above), so the
// volume is conserved exactly.

// stepSemiImplicit takes one semi-implicit step of at most maxDt seconds.
func (m *Model) stepSemiImplicit(maxDt float64) (float64, error) {
	l := &m.lines[0]
	a, b, ok := l.hull()
	if !ok {
		return maxDt, nil
	}
	control := !m.monthlySteps
	var maxDW float64
	if control {
		maxDW = m.jacobianEdges(l, a, b, m.nextDt == 0)
	} else {
		maxDW = m.laggedEdges(l, a, b)
	}
	dt := maxDt
	if maxDW > 0 {
		cflDt := m.cfl * m.dx * m.dx / maxDW
		switch {
		case control && m.nextDt == 0:
			dt = min(dt, max(cflDt, m.minStep)) // the first step
		case control:
		case cflDt < m.minStep:
			return 0, m.unstable(cflDt)
		default:
			dt = min(dt, cflDt)
		}
	}
	intended := dt // the step meant, before a year end cuts it
	if control && m.nextDt > 0 {
		dt = evenSteps(dt, m.nextDt)
		intended = m.nextDt
	}

	if !control {
		m.solveLagged(l, a, b, dt)
		return dt, m.updateLagged(l, a, b, dt)
	}
	l.a, l.b, l.active = a, b, true
	dt, err := m.controlStep(dt, intended)
	if err != nil {
		return 0, err
	}
	return dt, m.updateROS3(l, a, b, dt)
}

// laggedEdges sets the diffusivity D on the edges of points a … b (0
// on the two at the ends) and returns max D/w̄ over them, m² s⁻¹.
func (m *Model) laggedEdges(l *line, a, b int) float64 {
	n := l.n
	h, s, w := l.thick[:n], l.surface[:n], l.width[:n]
	bottom := l.fl.Width[:n]
	d := l.diffusivity[:n+1]
	g := &m.glen
	invDx := 1 / m.dx
	maxDW := 0.0
	d[a], d[b+1] = 0, 0
	for k := a + 1; k <= b; k++ {
		hm := 0.5 * (h[k-1] + h[k])
		wTop := 0.5 * (w[k-1] + w[k])
		wMean := 0.5 * (0.5*(bottom[k-1]+bottom[k]) + wTop)
		slope := (s[k] - s[k-1]) * invDx
		var dk float64
		if g.cubic {
			h2 := hm * hm
			dk = (g.fdRhoGn*h2*h2*hm + g.fsRhoGn*h2*hm) * (wMean * slope * slope)
		} else if hm > 0 && slope != 0 {
			hn1 := math.Pow(hm, g.n-1)
			c := wMean * math.Pow(math.Abs(slope), g.n-1)
			dk = (g.fdRhoGn*hn1*hm*hm*hm + g.fsRhoGn*hn1*hm) * c
		}
		d[k] = dk
		if dk > maxDW*wTop {
			maxDW = dk / wTop
		}
	}
	return maxDW
}

// jacobianEdges sets, on the edges k of points a … b (0 on the two at
// the ends), the flux φ_k and its derivatives ∂φ_k/∂H_{k−1} (l.jacUp) and
// −∂φ_k/∂H_k (l.jacDown), and returns max D/w̄ over them, m² s⁻¹, if cfl
// (for the CFL step), else 0.
func (m *Model) jacobianEdges(l *line, a, b int, cfl bool) float64 {
	n := l.n
	h, s, w := l.thick[:n], l.surface[:n], l.width[:n]
	bottom := l.fl.Width[:n]
	phi, up, down := l.phi[:n+1], l.jacUp[:n+1], l.jacDown[:n+1]
	lambda, rect := l.lambda[:n], l.rectangular
	g := &m.glen
	invDx := 1 / m.dx
	invDx2 := invDx * invDx
	halfDx2, nDx2 := 0.5*invDx2, g.n*invDx2
	maxDW := 0.0
	phi[a], phi[b+1] = 0, 0
	up[a], up[b+1] = 0, 0
	down[a], down[b+1] = 0, 0
	for k := a + 1; k <= b; k++ {
		hm := 0.5 * (h[k-1] + h[k])
		wTop := 0.5 * (w[k-1] + w[k])
		wMean := 0.5 * (0.5*(bottom[k-1]+bottom[k]) + wTop)
		ds := s[k-1] - s[k]
		var dk, ddk float64
		if g.cubic {
			h2 := hm * hm
			c := wMean * ds * ds * invDx2
			dk = (g.fdRhoGn*h2*h2*hm + g.fsRhoGn*h2*hm) * c
			ddk = (5*g.fdRhoGn*h2*h2 + 3*g.fsRhoGn*h2) * c
		} else if hm > 0 && ds != 0 {
			hn1 := math.Pow(hm, g.n-1)
			c := wMean * math.Pow(math.Abs(ds*invDx), g.n-1)
			dk = (g.fdRhoGn*hn1*hm*hm*hm + g.fsRhoGn*hn1*hm) * c
			ddk = ((g.n+2)*g.fdRhoGn*hn1*hm*hm + g.n*g.fsRhoGn*hn1) * c
		}
		p := ddk * ds * halfDx2
		f := dk * ds * invDx2
		phi[k] = f
		up[k] = p + nDx2*dk
		down[k] = nDx2*dk - p
		if !rect {
			q := 0.25 * f / wMean
			up[k] += q * lambda[k-1]
			down[k] -= q * lambda[k]
		}
		if cfl && dk > maxDW*wTop {
			maxDW = dk / wTop
		}
	}
	return maxDW
}

// updateLagged sets the new state from the solution of OGGM's system (in
// l.rhs) and books the mass balance and the clipped ice, as OGGM's update
// does.
func (m *Model) updateLagged(l *line, a, b int, dt float64) error {
	n := l.n
	h, s, w, mb := l.thick[:n], l.surface[:n], l.width[:n], l.mb[:n]
	bottom, bed, lambda := l.fl.Width[:n], l.fl.Bed[:n], l.lambda[:n]
	d := l.diffusivity[:n+1]
	rhs, sec := l.rhs[:n], l.section[:n]
	input, clipped, sum := 0.0, 0.0, 0.0
	lo, hi := n, -1
	for i := a; i <= b; i++ {
		hNew := rhs[i]
		sum += hNew
		gain := dt * mb[i] * w[i]
		if h[i] == 0 && d[i] == 0 && d[i+1] == 0 && gain <= 0 {
			continue // bare and nothing flows in: stays bare, books nothing
		}
		input += gain
		if hNew <= 0 {
			clipped -= hNew * w[i]
			hNew = 0
		} else {
			lo = min(lo, i)
			hi = i
		}
		sec[i] = (bottom[i] + 0.5*lambda[i]*hNew) * hNew
		h[i] = hNew
		s[i] = bed[i] + hNew
		w[i] = bottom[i] + lambda[i]*hNew
	}
	return m.booked(l, lo, hi, input, clipped, sum)
}

// The step controller's factors (Hairer, Nørsett & Wanner 1993, II.4):
// a step grows at most 2× and shrinks at most 5× at a time, and aims at
// 0.9 of the tolerance's step.
const (
	stepGrowth = 2.0
	stepShrink = 0.2
	stepSafety = 0.9
)

// controlStep solves the Rosenbrock step of either solver (ROS3 for the
// semi-implicit one, ROS2 for the flux-based one) over the lines' hulls
// (l.a … l.b), first of dt seconds and then shorter until its error
// estimate is within the tolerance, sets the step to propose next
// (m.nextDt) and returns the step taken. intended is the step meant
// before a year end cut it to dt.
func (m *Model) controlStep(dt, intended float64) (float64, error) {
	for {
		var est float64
		if m.params.Solver == SemiImplicit {
			l := &m.lines[0]
			est = m.solveROS3(l, l.a, l.b, dt)
		} else {
			est = m.solveFluxROS2(dt)
		}
		if est <= m.stepTol {
			// The next step: the one whose estimate would be
			// stepSafety^order·tol, at most stepGrowth times the step
			// meant.
			next := max(dt, intended) * stepGrowth
			if est > 0 {
				next = min(next, dt*stepSafety*m.stepRatio(est))
			}
			m.nextDt = min(next, constants.SecondsPerYear)
			return dt, nil
		}
		if math.IsNaN(est) {
			return dt, nil // not finite: the update's check stops the run
		}
		m.rejected++
		dt *= max(stepShrink, stepSafety*m.stepRatio(est))
		intended = dt
		if dt < m.minStep {
			return 0, m.unstable(dt)
		}
	}
}

// stepRatio returns by how much a step whose error estimate was est may
// change to make the estimate the tolerance: (tol/est)^(1/q), where the
// estimate grows as Δt^q — q = 3 for ROS3's second-order embedded solution
// (the semi-implicit solver), q = 2 for ROS2's first-order one (the
// flux-based solver).
func (m *Model) stepRatio(est float64) float64 {
	if m.params.Solver == SemiImplicit {
		return math.Cbrt(m.stepTol / est)
	}
	return math.Sqrt(m.stepTol / est)
}

// evenSteps returns the length of the next step toward an end rest
// seconds away when the error control proposes steps of proposed seconds:
// the rest cut into the fewest equal steps no longer than proposed, rather
// than full steps and a remnant.
func evenSteps(rest, proposed float64) float64 {
	if proposed >= rest {
		return rest
	}
	return rest / math.Ceil(rest/proposed)
}

// ros2Matrix sets, for the points a … b of the flux-based ROS2 step, the
// right-hand side of the first stage, k1_i = Δt·(r·(f_i − f_{i+1} + T_i) +
// m_i·w̃_i) with f the fluxes on the edges and T the tributaries' inflow
// (l.tribIn), and the matrix I − c·J′ with
// J′_{i,i−1} = up_i, J′_{i,i+1} = down_{i+1} and J′_{i,i} = −(down_i +
// up_{i+1}). A bare point (l.thick 0) whose k1 is ≤ 0 gets a zero column
// (see stepSemiImplicit, whose ros3Matrix has this loop with the widths in
// place of the identity). It reports whether the last point and the one
// before it are such points.
func ros2Matrix(l *line, a, b int, f []float64, r, dt, c float64) (bareLast, bareBefore bool) {
	n := l.n
	h, w, mb := l.thick[:n], l.width[:n], l.mb[:n]
	up, down := l.jacUp[:n+1], l.jacDown[:n+1]
	lower, diag, upper, k1, in := l.lower[:n], l.diag[:n], l.upper[:n], l.k1[:n], l.tribIn[:n]
	f = f[:n+1]
	bareLeft := false // point i−1 is bare and stays bare
	for i := a; i <= b; i++ {
		bareBefore = bareLeft
		e := dt * (r*(f[i]-f[i+1]+in[i]) + mb[i]*massBalanceWidth(w[i], mb[i]))
		k1[i] = e
		lower[i] = -c * up[i]
		upper[i] = -c * down[i+1]
		if bareLeft {
			lower[i] = 0
		}
		if bareLeft = h[i] == 0 && e <= 0; bareLeft {
			diag[i] = 1
			if i > a {
				upper[i-1] = 0
			}
			continue
		}
		diag[i] = 1 + c*(down[i]+up[i+1])
	}
	return bareLeft, bareBefore
}

// solveLagged fills OGGM's system (diffusivity frozen) for a step of dt
// seconds over points a … b and solves it: the new thickness, before
// clipping at 0, is in l.rhs[a:b+1].
func (m *Model) solveLagged(l *line, a, b int, dt float64) {
	n := l.n
	h, w, mb, bed := l.thick[:n], l.width[:n], l.mb[:n], l.fl.Bed[:n]
	d := l.diffusivity[:n+1]
	invDx := 1 / m.dx
	lower, diag, upper, rhs := l.lower[:n], l.diag[:n], l.upper[:n], l.rhs[:n]
	r := dt * invDx * invDx
	for i := a; i <= b; i++ {
		invW := 1 / w[i]
		ra := r * invW
		diag[i] = 1 + ra*(d[i]+d[i+1])
		lower[i] = -ra * d[i]
		upper[i] = -ra * d[i+1]
		bl, br := bed[max(i-1, 0)], bed[min(i+1, n-1)]
		ck := -d[i] * (bed[i] - bl) * invDx
		ck1 := -d[i+1] * (br - bed[i]) * invDx
		rhs[i] = h[i] + dt*mb[i] + dt*invDx*invW*(ck-ck1)
	}
	solveTridiagonal(lower[a:b+1], diag[a:b+1], upper[a:b+1], rhs[a:b+1], l.cp[a:b+1])
}

// ros2Gamma is γ = 1 + 1/√2 of the ROS2 method (see stepFluxROS2).
const ros2Gamma = 1 + 1/math.Sqrt2

// The coefficients of ROS3 (Sandu et al. 1997, Table 4; see
// stepSemiImplicit) in the transformed form: γ, c21, c31, c32 (a21 = a31
// = 1, a32 = 0), the solution's m_i and the error estimate's e_i.
const (
	ros3Gamma = 0.43586652150845899941601945119356
	ros3C21   = -1.0156171083877702091975600115545
	ros3C31   = 4.0759956452537699824805835358067
	ros3C32   = 9.2076794298330791242156818474003
	ros3M1    = 1.0
	ros3M2    = 6.1697947043828245592553615689730
	ros3M3    = -0.42772256543218573326238373806514
	ros3E1    = 0.5
	ros3E2    = -2.9079558716805469821718236208017
	ros3E3    = 0.22354069897811569627360909276199

	// γ·c_ij, the factors of the earlier stages in a stage's right-hand
	// side.
	ros3GC21 = ros3Gamma * ros3C21
	ros3GC31 = ros3Gamma * ros3C31
	ros3GC32 = ros3Gamma * ros3C32
)

// solveROS3 computes the three stages of a ROS3 step of dt seconds over
// points a … b, k1 in l.k1, k2 in l.rhs and k3 in l.k3 (m of ice; see
// stepSemiImplicit), and returns the step's error estimate, m of ice. The
// rows of the systems are multiplied by the widths wᵢ (the matrix is
// W − γΔt·J_H), which needs no division.
func (m *Model) solveROS3(l *line, a, b int, dt float64) float64 {
	c := ros3Gamma * dt
	ros3Matrix(l, a, b, c)
	m.ros3Stage(l, a, b, c)
	n := l.n
	lower, diag, upper, w := l.lower[:n], l.diag[:n], l.upper[:n], l.width[:n]
	k1, k2, k3 := l.k1[:n], l.rhs[:n], l.k3[:n]
	solveFactored(lower[a:b+1], diag[a:b+1], upper[a:b+1], k2[a:b+1], l.cp[a:b+1])

	// The third stage: the second's G, and γ·(c31·W·k1 + c32·W·k2).
	for i := a; i <= b; i++ {
		k3[i] += w[i] * (ros3GC31*k1[i] + ros3GC32*k2[i])
	}
	solveFactored(lower[a:b+1], diag[a:b+1], upper[a:b+1], k3[a:b+1], l.cp[a:b+1])
	sum := 0.0
	for i := a; i <= b; i++ {
		e := ros3E1*k1[i] + ros3E2*k2[i] + ros3E3*k3[i]
		sum += e * e
	}
	return math.Sqrt(sum / float64(b-a+1))
}

// ros3Matrix sets the matrix W − c·J_H of a ROS3 step over points a … b
// (c = γΔt) and the first stage's right-hand side c·G(Sⁿ), and factors
// the matrix and solves for k1 (l.k1). (ros2Matrix's loop for the
// flux-based steps, with the widths W in place of its identity and no
// empty points: the shared loop, with its checks for both, made these
// runs 7 % slower.)
func ros3Matrix(l *line, a, b int, c float64) {
	n := l.n
	h, w, mb, lambda := l.thick[:n], l.width[:n], l.mb[:n], l.lambda[:n]
	phi, up, down := l.phi[:n+1], l.jacUp[:n+1], l.jacDown[:n+1]
	lower, diag, upper, k1 := l.lower[:n], l.diag[:n], l.upper[:n], l.k1[:n]
	bareLeft := false // point i−1 is bare and stays bare
	for i := a; i <= b; i++ {
		e := c * (phi[i] - phi[i+1] + w[i]*mb[i])
		k1[i] = e
		lower[i] = -c * up[i]
		upper[i] = -c * down[i+1]
		if bareLeft {
			lower[i] = 0
		}
		wm := w[i] - c*lambda[i]*mb[i] // the mass balance on the width
		if bareLeft = h[i] == 0 && e <= 0; bareLeft {
			// Bare, and the ice that flows in melts: the surface stays
			// on the bed, so the neighbours' fluxes must not see this
			// point's (clipped) decrease — its column of J is zero but
			// for the diagonal.
			diag[i] = wm
			if i > a {
				upper[i-1] = 0
			}
			continue
		}
		diag[i] = wm + c*(down[i]+up[i+1])
	}
	factorTridiagonal(lower[a:b+1], diag[a:b+1], upper[a:b+1], k1[a:b+1], l.cp[a:b+1])
}

// ros3Stage evaluates G at the stage Sⁿ + W·k1 (at least 0) of a ROS3
// step over points a … b (c = γΔt): c·G there goes to l.k3 (the third
// stage's share) and, with γ·c21·W·k1 added, to l.rhs (the second stage's
// right-hand side); the stage's top widths and fluxes go to l.stageWidth
// and l.stageFlux.
func (m *Model) ros3Stage(l *line, a, b int, c float64) {
	n := l.n
	h, w, mb := l.thick[:n], l.width[:n], l.mb[:n]
	bottom, bed, lambda, sec := l.fl.Width[:n], l.fl.Bed[:n], l.lambda[:n], l.section[:n]
	k1, k2, k3 := l.k1[:n], l.rhs[:n], l.k3[:n]
	wStage, phiStage := l.stageWidth[:n], l.stageFlux[:n+1]
	g := &m.glen
	invDx := 1 / m.dx
	invDx2 := invDx * invDx
	invDx4 := invDx2 * invDx2
	phiStage[a], phiStage[b+1] = 0, 0
	if l.rectangular && g.cubic {
		m.ros3StageRectangle(l, a, b, c)
		return
	}
	var sPrev, hPrev, wPrev, bPrev, phiPrev, rPrev float64
	for i := a; i <= b; i++ {
		var hi float64
		if lambda[i] == 0 {
			hi = max(h[i]+k1[i], 0)
		} else if v := sec[i] + w[i]*k1[i]; v > 0 {
			hi = trapezoidThickness(bottom[i], lambda[i], v)
		}
		bi := bottom[i]
		si, wi := bed[i]+hi, bi+lambda[i]*hi
		wStage[i] = wi
		// This point's c·G but for the flux on its lower edge.
		r := c * mb[i] * wi
		if i > a {
			hm := 0.5 * (hPrev + hi)
			wMean := 0.25 * (bPrev + bi + wPrev + wi)
			ds := sPrev - si
			var p float64
			if g.cubic {
				h2 := hm * hm
				p = (g.fdRhoGn*h2*h2 + g.fsRhoGn*h2) * hm * (wMean * ds * ds * ds * invDx4)
			} else {
				p = g.diffusivity(hm, ds*invDx) * wMean * ds * invDx2
			}
			phiStage[i] = p
			f := rPrev + c*(phiPrev-p)
			k3[i-1] = f
			k2[i-1] = f + ros3GC21*w[i-1]*k1[i-1]
			phiPrev = p
		}
		sPrev, hPrev, wPrev, bPrev, rPrev = si, hi, wi, bi, r
	}
	f := rPrev + c*phiPrev
	k3[b] = f
	k2[b] = f + ros3GC21*w[b]*k1[b]
}

// ros3StageRectangle is ros3Stage on a rectangle with n = 3 (OGGM-Edu's
// usual glacier): its widths do not change with the ice, so the stage's
// are the start's, and D's mean width is its edge's (a third less time
// than the general loop).
func (m *Model) ros3StageRectangle(l *line, a, b int, c float64) {
	n := l.n
	h, w, mb, bed := l.thick[:n], l.width[:n], l.mb[:n], l.fl.Bed[:n]
	k1, k2, k3 := l.k1[:n], l.rhs[:n], l.k3[:n]
	wStage, phiStage := l.stageWidth[:n], l.stageFlux[:n+1]
	g := &m.glen
	invDx2 := 1 / (m.dx * m.dx)
	invDx4 := invDx2 * invDx2
	copy(wStage[a:b+1], w[a:b+1])
	var sPrev, hPrev, wPrev, phiPrev, rPrev float64
	for i := a; i <= b; i++ {
		hi := max(h[i]+k1[i], 0)
		si, wi := bed[i]+hi, w[i]
		r := c * mb[i] * wi
		if i > a {
			hm := 0.5 * (hPrev + hi)
			ds := sPrev - si
			h2 := hm * hm
			p := (g.fdRhoGn*h2*h2 + g.fsRhoGn*h2) * hm * (0.5 * (wPrev + wi) * ds * ds * ds * invDx4)
			phiStage[i] = p
			f := rPrev + c*(phiPrev-p)
			k3[i-1] = f
			k2[i-1] = f + ros3GC21*wPrev*k1[i-1]
			phiPrev = p
		}
		sPrev, hPrev, wPrev, rPrev = si, hi, wi, r
	}
	f := rPrev + c*phiPrev
	k3[b] = f
	k2[b] = f + ros3GC21*w[b]*k1[b]
}

// updateROS3 sets the new state from the three stages of the step (l.k1,
// l.rhs and l.k3): the section changes by w·Σ m_i·k_i, and it books the
// mass balance (see stepSemiImplicit) and the clipped ice.
func (m *Model) updateROS3(l *line, a, b int, dt float64) error {
	n := l.n
	h, s, w, mb := l.thick[:n], l.surface[:n], l.width[:n], l.mb[:n]
	bottom, bed, lambda := l.fl.Width[:n], l.fl.Bed[:n], l.lambda[:n]
	up, down, phi := l.jacUp[:n+1], l.jacDown[:n+1], l.stageFlux[:n+1]
	k1, k2, k3 := l.k1[:n], l.rhs[:n], l.k3[:n]
	wStage, sec := l.stageWidth[:n], l.section[:n]
	input, clipped, sum := 0.0, 0.0, 0.0
	lo, hi := n, -1
	if l.rectangular {
		// A rectangle's widths stay: the stage's are the start's.
		for i := a; i <= b; i++ {
			dh := ros3M1*k1[i] + ros3M2*k2[i] + ros3M3*k3[i]
			sum += dh
			hi0 := h[i]
			if hi0 == 0 && mb[i] <= 0 && up[i] == 0 && down[i] == 0 && up[i+1] == 0 && down[i+1] == 0 && phi[i] == 0 && phi[i+1] == 0 {
				continue // bare and nothing flows in: stays bare, books nothing
			}
			input += dt * mb[i] * w[i]
			hNew := hi0 + dh
			if hNew <= 0 {
				clipped -= hNew * w[i]
				hNew = 0
			} else {
				lo = min(lo, i)
				hi = i
			}
			sec[i] = w[i] * hNew
			h[i] = hNew
			s[i] = bed[i] + hNew
		}
		return m.booked(l, lo, hi, input, clipped, sum)
	}
	for i := a; i <= b; i++ {
		dh := ros3M1*k1[i] + ros3M2*k2[i] + ros3M3*k3[i]
		sum += dh
		if h[i] == 0 && mb[i] <= 0 && up[i] == 0 && down[i] == 0 && up[i+1] == 0 && down[i+1] == 0 && phi[i] == 0 && phi[i+1] == 0 {
			continue // bare and nothing flows in: stays bare, books nothing
		}
		var hNew float64
		if lambda[i] == 0 {
			input += dt * mb[i] * w[i] // the stage's width is the start's
			hNew = h[i] + dh
			if hNew <= 0 {
				clipped -= hNew * w[i]
				hNew = 0
			}
			sec[i] = bottom[i] * hNew
		} else {
			// Each stage's input γΔt·m·(w + λ·k_j) (the matrix's
			// diagonal holds the λ·m), and γ·c_ij times the earlier
			// stages'.
			cm := ros3Gamma * dt * mb[i]
			g1 := cm * (w[i] + lambda[i]*k1[i])
			g2 := cm*(wStage[i]+lambda[i]*k2[i]) + ros3GC21*g1
			g3 := cm*(wStage[i]+lambda[i]*k3[i]) + ros3GC31*g1 + ros3GC32*g2
			input += ros3M1*g1 + ros3M2*g2 + ros3M3*g3
			v := sec[i] + w[i]*dh
			if v <= 0 {
				clipped -= v
				v = 0
			} else {
				hNew = trapezoidThickness(bottom[i], lambda[i], v)
			}
			sec[i] = v
		}
		if hNew > 0 {
			lo = min(lo, i)
			hi = i
		}
		h[i] = hNew
		s[i] = bed[i] + hNew
		w[i] = bottom[i] + lambda[i]*hNew
	}
	return m.booked(l, lo, hi, input, clipped, sum)
}

// booked ends an update: it sets the line's extent lo … hi, books the
// mass-balance input and the clipped ice (m² over the points; times Δx)
// and reports a solution that is not finite (sum, the sum of its changes,
// is then NaN or infinite).
func (m *Model) booked(l *line, lo, hi int, input, clipped, sum float64) error {
	l.lo, l.hi = lo, hi
	m.account.Input += input * m.dx
	m.account.Clipped += clipped * m.dx
	if !(math.Abs(sum) <= math.MaxFloat64) {
		return m.notFinite()
	}
	return nil
}

// solveTridiagonal solves the system with sub-diagonal lower[1:], diagonal
// diag and super-diagonal upper[:n−1] for the right-hand side x, in place;
// c is work space of the same length.
//
// It is the twisted ("burn at both ends") form of the Thomas algorithm:
// rows are eliminated from the top and from the bottom at once, the two
// sweeps meet in the middle row, and the back substitution runs outward.
// The work equals Thomas' (one division per row) but the two independent
// dependency chains overlap in the processor, halving the latency of what
// is otherwise one long chain through a division per row.
//
// Written here rather than calling gonum's Dgtsv (LAPACK, Gaussian
// elimination with partial pivoting): the semi-implicit matrix is strictly
// diagonally dominant, so pivoting never happens and both sweeps are
// stable, and Dgtsv's two divisions per row on one chain made the
// semi-implicit step 2.5 times slower (measured: 6.2 µs against 2.5 µs per
// step of rect_ela2600 at year 700). A test checks it against Dgtsv.
func solveTridiagonal(lower, diag, upper, x, c []float64) {
	n := len(diag)
	if n == 0 {
		return
	}
	lower, upper, x, c = lower[:n], upper[:n], x[:n], c[:n]
	mid := n / 2
	// Top sweep over rows 0 … mid−1: c[i] = upper[i]/p_i, x[i] = y_i/p_i.
	// Bottom sweep over rows n−1 … mid+1: c[i] = lower[i]/q_i.
	top, bottom := 0, n-1
	prevC, prevX := 0.0, 0.0
	nextC, nextX := 0.0, 0.0
	for top < mid {
		inv := 1 / (diag[top] - lower[top]*prevC)
		prevC = upper[top] * inv
		prevX = (x[top] - lower[top]*prevX) * inv
		c[top], x[top] = prevC, prevX
		top++
		if bottom > mid {
			inv := 1 / (diag[bottom] - upper[bottom]*nextC)
			nextC = lower[bottom] * inv
			nextX = (x[bottom] - upper[bottom]*nextX) * inv
			c[bottom], x[bottom] = nextC, nextX
			bottom--
		}
	}
	for bottom > mid { // n even: one more bottom row than top rows
		inv := 1 / (diag[bottom] - upper[bottom]*nextC)
		nextC = lower[bottom] * inv
		nextX = (x[bottom] - upper[bottom]*nextX) * inv
		c[bottom], x[bottom] = nextC, nextX
		bottom--
	}
	// The middle row sees both sweeps.
	var lc, lx, uc, ux float64
	if mid > 0 {
		lc, lx = lower[mid]*c[mid-1], lower[mid]*x[mid-1]
	}
	if mid < n-1 {
		uc, ux = upper[mid]*c[mid+1], upper[mid]*x[mid+1]
	}
	x[mid] = (x[mid] - lx - ux) / (diag[mid] - lc - uc)
	// Back substitution outward from the middle (the last values in
	// registers, as in backSubstitute; unfused, as OGGM's).
	up, down := x[mid], x[mid]
	for i, j := mid-1, mid+1; i >= 0 || j < n; i, j = i-1, j+1 {
		if i >= 0 {
			up = x[i] - c[i]*up
			x[i] = up
		}
		if j < n {
			down = x[j] - c[j]*down
			x[j] = down
		}
	}
}

// factorTridiagonal is solveTridiagonal that also keeps its
// factorisation: diag is overwritten with the inverses of the pivots and c
// with the elimination factors, so that solveFactored solves the same
// system for another right-hand side without a division. Its
// multiply-subtracts are fused (math.FMA): their latency is what the
// sweeps wait for.
func factorTridiagonal(lower, diag, upper, x, c []float64) {
	n := len(diag)
	if n == 0 {
		return
	}
	lower, upper, x, c = lower[:n], upper[:n], x[:n], c[:n]
	mid := n / 2
	top, bottom := 0, n-1
	prevC, prevX := 0.0, 0.0
	nextC, nextX := 0.0, 0.0
	for top < mid {
		inv := 1 / math.FMA(-lower[top], prevC, diag[top])
		prevC = upper[top] * inv
		prevX = math.FMA(-lower[top], prevX, x[top]) * inv
		diag[top], c[top], x[top] = inv, prevC, prevX
		top++
		if bottom > mid {
			inv := 1 / math.FMA(-upper[bottom], nextC, diag[bottom])
			nextC = lower[bottom] * inv
			nextX = math.FMA(-upper[bottom], nextX, x[bottom]) * inv
			diag[bottom], c[bottom], x[bottom] = inv, nextC, nextX
			bottom--
		}
	}
	for bottom > mid {
		inv := 1 / math.FMA(-upper[bottom], nextC, diag[bottom])
		nextC = lower[bottom] * inv
		nextX = math.FMA(-upper[bottom], nextX, x[bottom]) * inv
		diag[bottom], c[bottom], x[bottom] = inv, nextC, nextX
		bottom--
	}
	var lc, lx, uc, ux float64
	if mid > 0 {
		lc, lx = lower[mid]*c[mid-1], lower[mid]*x[mid-1]
	}
	if mid < n-1 {
		uc, ux = upper[mid]*c[mid+1], upper[mid]*x[mid+1]
	}
	inv := 1 / (diag[mid] - lc - uc)
	diag[mid] = inv
	x[mid] = (x[mid] - lx - ux) * inv
	backSubstitute(x, c, mid)
}

// solveFactored solves the system that factorTridiagonal factored (inv:
// its diag, c: its elimination factors) for the right-hand side x, in
// place.
func solveFactored(lower, inv, upper, x, c []float64) {
	n := len(inv)
	if n == 0 {
		return
	}
	lower, upper, x, c = lower[:n], upper[:n], x[:n], c[:n]
	mid := n / 2
	prevX, nextX := 0.0, 0.0
	for top, bottom := 0, n-1; top < mid; top, bottom = top+1, bottom-1 {
		prevX = math.FMA(-lower[top], prevX, x[top]) * inv[top]
		x[top] = prevX
		if bottom > mid {
			nextX = math.FMA(-upper[bottom], nextX, x[bottom]) * inv[bottom]
			x[bottom] = nextX
		}
	}
	var lx, ux float64
	if mid > 0 {
		lx = lower[mid] * x[mid-1]
	}
	if mid < n-1 {
		ux = upper[mid] * x[mid+1]
	}
	x[mid] = (x[mid] - lx - ux) * inv[mid]
	backSubstitute(x, c, mid)
}

// backSubstitute runs the twisted back substitution outward from row mid
// (mid = len(x)/2, so rows below it are as many as above it or one
// fewer).
func backSubstitute(x, c []float64, mid int) {
	n := len(x)
	c = c[:n]
	// The last value of each sweep stays in a register: read back from
	// memory it would add a store-to-load forwarding to every link of
	// the chains (a quarter of a semi-implicit step's time went here).
	up, down := x[mid], x[mid]
	i, j := mid-1, mid+1
	for ; j < n; i, j = i-1, j+1 {
		up = math.FMA(-c[i], up, x[i])
		down = math.FMA(-c[j], down, x[j])
		x[i], x[j] = up, down
	}
	if i >= 0 {
		x[i] = math.FMA(-c[i], up, x[i])
	}
}

// trapezoidThickness solves S = w0·H + λ/2·H² for H ≥ 0 without
// cancellation (as geometry.Flowline.Thickness does).
func trapezoidThickness(w0, lambda, s float64) float64 {
	return 2 * s / (w0 + math.Sqrt(w0*w0+2*lambda*s))
}
