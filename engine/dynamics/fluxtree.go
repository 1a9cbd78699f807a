package dynamics

import "math"

// Firn's own flux-based steps on a glacier with tributaries: the ROS2 step
// of stepFluxROS2 on every line at once. A tributary's last edge carries
// its outflow q_n = u(H_{n−1}, α)·S_{n−1} with α = (s_{n−1} − s_j)/Δx, s_j
// the receiver's surface at the junction (a ghost point, as in
// stepFluxBased), and the receiver gains ω_k·q_n on the points of the
// tributary's kernel. So the step's matrix I − γΔt/Δx·J couples each
// tributary to its receiver, through two derivatives:
//
//	g = ∂q_n/∂S_{n−1}   (in the tributary's last row, and ω_k·g in the receiver's kernel rows)
//	h = ∂q_n/∂S_j       (−h in the tributary's last row, ω_k·h in the receiver's kernel rows)
//
// (q_n is 0 where ice would flow back up the tributary, and so are g and
// h). Every column of J still sums to zero but for the main line's
// outflow, so the step keeps the volume exact: what leaves a tributary
// enters its receiver, in both stages.
//
// The system is solved exactly, line by line, tributaries before their
// receivers (geometry.Glacier.Order), without a dense matrix. With its
// own tridiagonal part M (factored as on a single line) and the coupling
// c = γΔt/Δx, a tributary's stage is an affine function of its receiver's
// at the junction:
//
//	x_t = y_t − z_t·x_j,   y_t = A_t⁻¹·r_t,   z_t = A_t⁻¹·(c·h·e_{n−1})
//
// (A_t = M_t, or M_t with its own tributaries' terms). Put into the
// receiver's rows, it adds c·ω·g·y_{t,n−1} to their right-hand side and
// the column p_t = −c·ω·(h − g·z_{t,n−1}) at the junction to their matrix:
// A = M + Σ_t p_t·e_{j_t}ᵀ, a tridiagonal matrix and as many rank-one
// terms as the line has tributaries, which the Sherman–Morrison–Woodbury
// formula (Golub & Van Loan 2013, Matrix Computations, 2.1.4) solves with
// M's factorisation: with W = M⁻¹·[p_t] and the small matrix
// S = I + [W_t(j_s)],
//
//	A⁻¹·r = M⁻¹·r − W·S⁻¹·(M⁻¹·r)(j_•)
//
// Once the main line is solved, each tributary's stage follows from its
// receiver's (x_t = y_t − z_t·x_j), downstream first. W, S and z depend on
// the matrix only, so both stages use them; a step costs, on top of the
// single line's, one solve per tributary for z and one per tributary for
// W.

// couple sets, for every tributary of the step, its outflow q_n (l.flux),
// its velocity, ∂q_n/∂S_{n−1} (jacUp[n]) and ∂q_n/∂S_j (outJunction),
// and the receivers' inflow at the start of the step (tribIn). It returns
// max|u| and max D = |q/α|/w (m s⁻¹, m² s⁻¹) over the outflows, as
// fluxJacobian does. The lines' fluxJacobian must have run (it sets their
// mean widths).
func (m *Model) couple() (maxU, maxD float64) {
	g := &m.glen
	invDx := 1 / m.dx
	m.clearInflow(func(l *line) []float64 { return l.tribIn })
	for i := range m.lines {
		l := &m.lines[i]
		l.coupled = false
		if l.into < 0 || !l.active || l.b < l.n-1 {
			continue
		}
		n, r := l.n, &m.lines[l.into]
		j := l.junction
		sec, h := l.section[n-1], l.thick[n-1]
		alpha := (l.surface[n-1] - r.surface[j]) * invDx
		un, du, da := g.velocityDerivatives(h, alpha)
		q := un * sec
		if !(q > 0) {
			// No ice flows back up a tributary (see fluxes); a NaN
			// reaches the step's other checks through the state.
			l.velocity[n], l.flux[n], l.jacUp[n], l.outJunction = 0, 0, 0, 0
			continue
		}
		ds := da * sec * invDx
		l.velocity[n], l.flux[n] = un, q
		l.jacUp[n] = (du*sec+ds)*inverseWidth(max(l.width[n-1], jacobianWidthFloor*l.meanWidth)) + un
		l.outJunction = -ds * inverseWidth(max(r.width[j], jacobianWidthFloor*r.meanWidth))
		l.coupled = true
		for k, w := range l.kernel {
			r.tribIn[l.kernelStart+k] += w * q
		}
		maxU = max(maxU, math.Abs(un))
		if alpha != 0 && l.width[n-1] > 0 {
			maxD = max(maxD, math.Abs(q/alpha)/l.width[n-1])
		}
	}
	return maxU, maxD
}

// stageOutflows sets every tributary's outflow at the stage Sⁿ + k1
// (stageOut, m³ s⁻¹; 0 unless its ice reaches its receiver, and never
// negative) and the receivers' inflow there (stageIn).
func (m *Model) stageOutflows() {
	invDx := 1 / m.dx
	m.clearInflow(func(l *line) []float64 { return l.stageIn })
	for i := range m.lines {
		l := &m.lines[i]
		l.stageOut = 0
		if l.into < 0 || !l.active || l.b < l.n-1 {
			continue
		}
		n, r := l.n, &m.lines[l.into]
		sec, h := l.stageSection(n - 1)
		_, hj := r.stageSection(l.junction)
		alpha := (l.fl.Bed[n-1] + h - r.fl.Bed[l.junction] - hj) * invDx
		q := m.glen.velocity(h, alpha) * sec
		if !(q > 0) {
			continue
		}
		l.stageOut = q
		for k, w := range l.kernel {
			r.stageIn[l.kernelStart+k] += w * q
		}
	}
}

// clearInflow sets the inflow (in(l): l.tribIn or l.stageIn) of every
// receiver's points in its tributaries' kernels to 0.
func (m *Model) clearInflow(in func(*line) []float64) {
	for i := range m.lines {
		l := &m.lines[i]
		for _, t := range l.tribs {
			tr := &m.lines[t]
			clear(in(l)[tr.kernelStart : tr.kernelStart+len(tr.kernel)])
		}
	}
}

// stageSection returns the section (m², at least 0) and thickness (m) of
// point i at the stage Sⁿ + k1.
func (l *line) stageSection(i int) (sec, h float64) {
	v := l.section[i] + l.k1[i]
	switch {
	case v <= 0:
		return 0, 0
	case l.rectangular:
		return v, v / l.fl.Width[i]
	}
	h, _ = l.thicknessWidth(i, v, l.width[i])
	return v, h
}

// addInflowTerms adds to the right-hand side of receiver l's rows in a
// stage (stage(l): l.k1 or l.rhs) the coupled tributaries' c·ω·g·y_{t,n−1},
// y_t being their stage before their receiver's is known (stage(t)).
func (m *Model) addInflowTerms(l *line, c float64, stage func(*line) []float64) {
	x := stage(l)
	for _, t := range l.tribs {
		tr := &m.lines[t]
		if !tr.coupled {
			continue
		}
		f := c * tr.jacUp[tr.n] * stage(tr)[tr.n-1]
		for k, w := range tr.kernel {
			x[tr.kernelStart+k] += w * f
		}
	}
}

// prepareTributaries sets, for receiver l whose matrix M is factored, each
// coupled tributary's W_t = M⁻¹·p_t (tr.wood) and the matrix S = I +
// [W_t(j_s)] (l.schur).
func (m *Model) prepareTributaries(l *line, c float64) {
	a, b := l.a, l.b
	k := 0
	for _, t := range l.tribs {
		tr := &m.lines[t]
		if !tr.coupled {
			continue
		}
		w := tr.wood[a : b+1]
		clear(w)
		d := -c * (tr.outJunction - tr.jacUp[tr.n]*tr.z[tr.n-1])
		for i, wt := range tr.kernel {
			w[tr.kernelStart+i-a] = wt * d
		}
		solveFactored(l.lower[a:b+1], l.diag[a:b+1], l.upper[a:b+1], w, l.cp[a:b+1])
		k++
	}
	s := l.schur[:k*k]
	col := 0
	for _, t := range l.tribs {
		tr := &m.lines[t]
		if !tr.coupled {
			continue
		}
		row := 0
		for _, u := range l.tribs {
			tu := &m.lines[u]
			if !tu.coupled {
				continue
			}
			v := tr.wood[tu.junction]
			if row == col {
				v++
			}
			s[row*k+col] = v
			row++
		}
		col++
	}
}

// applyTributaries turns x = M⁻¹·r (receiver l's points a … b) into
// A⁻¹·r, A = M + Σ_t p_t·e_{j_t}ᵀ (Sherman–Morrison–Woodbury; see the
// comment at the top).
func (m *Model) applyTributaries(l *line, x []float64) {
	k := 0
	for _, t := range l.tribs {
		if m.lines[t].coupled {
			k++
		}
	}
	if k == 0 {
		return
	}
	beta := l.schur[k*k : k*k+k]
	work := l.schur[k*k+k : 2*k*k+2*k]
	i := 0
	for _, t := range l.tribs {
		if tr := &m.lines[t]; tr.coupled {
			beta[i] = x[tr.junction]
			i++
		}
	}
	solveSmall(l.schur[:k*k], beta, work)
	i = 0
	for _, t := range l.tribs {
		tr := &m.lines[t]
		if !tr.coupled {
			continue
		}
		f, w := beta[i], tr.wood
		for p := l.a; p <= l.b; p++ {
			x[p] -= f * w[p]
		}
		i++
	}
}

// solveSmall solves the k×k system s·x = b (s row by row; k² = len(s),
// k = len(b)) in place in b by Gaussian elimination with partial
// pivoting, on a copy of s in work (at least k² + k values). The systems
// are as large as a line's number of tributaries, a handful: no library
// call is worth its allocation here.
func solveSmall(s, b, work []float64) {
	k := len(b)
	a := work[:k*k]
	copy(a, s)
	for col := range k {
		p := col
		for r := col + 1; r < k; r++ {
			if math.Abs(a[r*k+col]) > math.Abs(a[p*k+col]) {
				p = r
			}
		}
		if p != col {
			for c := range k {
				a[p*k+c], a[col*k+c] = a[col*k+c], a[p*k+c]
			}
			b[p], b[col] = b[col], b[p]
		}
		inv := 1 / a[col*k+col]
		for r := col + 1; r < k; r++ {
			f := a[r*k+col] * inv
			if f == 0 {
				continue
			}
			for c := col; c < k; c++ {
				a[r*k+c] -= f * a[col*k+c]
			}
			b[r] -= f * b[col]
		}
	}
	for r := k - 1; r >= 0; r-- {
		v := b[r]
		for c := r + 1; c < k; c++ {
			v -= a[r*k+c] * b[c]
		}
		b[r] = v / a[r*k+r]
	}
}
