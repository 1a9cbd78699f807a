package dynamics

import (
	"math"

	"gonum.org/v1/gonum/lapack/gonum"
)

// The semi-implicit scheme (OGGM's SemiImplicitModel, after the
// flowline form of the SIA as a diffusion equation, OGGM docs "Ice
// dynamics: semi-implicit model"). For a trapezoid (a rectangle is λ = 0)
// the thickness obeys w ∂H/∂t = −∂q/∂x + w·m with q = −D ∂s/∂x and, on
// interior edges,
//
//	D_k = (f_d·H̄^{n+2} + f_s·H̄ⁿ)·(ρg)ⁿ·(w̄0 + w̄)/2·|∂s/∂x|^{n−1}      m⁴ s⁻¹
//
// (means of the two neighbouring points, w̄0 the bottom and w̄ the top
// width); D = 0 on the two boundary edges. With D frozen over a step, the
// implicit update is one tridiagonal system for the new H:
//
//	(1 + r(D_k+D_{k+1})/w_i)·H_i − r·D_k/w_i·H_{i−1} − r·D_{k+1}/w_i·H_{i+1}
//	    = H_i + Δt·m_i + Δt/(w_i·Δx)·(c_k − c_{k+1}),   r = Δt/Δx²,
//
// with c_k = −D_k·(b_i − b_{i−1})/Δx (the bed part of the flux; the bed is
// padded with its end values), solved by gonum's Dgtsv (LAPACK). Then
// H ← max(H, 0). The step is Δt = min(target, CFL·Δx²/max(D_k/w̄_k)).
//
// Mass: the flux terms telescope, so Σ w_i·ΔH_i·Δx equals the mass-balance
// input exactly. For a rectangle that is the volume change; for a
// trapezoid the section S = (w0 + λH/2)·H differs from w·H and the scheme
// (as OGGM's) conserves the volume only approximately.

// stepSemiImplicit takes one semi-implicit step of at most maxDt seconds.
func (m *Model) stepSemiImplicit(maxDt float64) (float64, error) {
	l := &m.lines[0]
	n := l.n
	h, s, w, mb := l.thick[:n], l.surface[:n], l.width[:n], l.mb[:n]
	bottom, bed := l.fl.Width[:n], l.fl.Bed[:n]
	d := l.diffusivity[:n+1]
	g := &m.glen
	invDx := 1 / m.dx

	maxDW := 0.0
	d[0], d[n] = 0, 0
	for k := 1; k < n; k++ {
		hm := 0.5 * (h[k-1] + h[k])
		wTop := 0.5 * (w[k-1] + w[k])
		wMean := 0.5 * (0.5*(bottom[k-1]+bottom[k]) + wTop)
		slope := (s[k] - s[k-1]) * invDx
		var dk float64
		if g.cubic {
			h2 := hm * hm
			dk = (g.fdRhoGn*h2*h2*hm + g.fsRhoGn*h2*hm) * wMean * slope * slope
		} else if hm > 0 && slope != 0 {
			hn := math.Pow(hm, g.n)
			dk = (g.fdRhoGn*hn*hm*hm + g.fsRhoGn*hn) * wMean * math.Pow(math.Abs(slope), g.n-1)
		}
		d[k] = dk
		maxDW = max(maxDW, dk/wTop)
	}
	dt := maxDt
	if maxDW > 0 {
		cflDt := m.cfl * m.dx * m.dx / maxDW
		if cflDt < m.minStep {
			return 0, m.unstable(cflDt)
		}
		dt = min(dt, cflDt)
	}

	r := dt * invDx * invDx
	lower, diag, upper, rhs := l.lower[:n], l.diag[:n], l.upper[:n], l.rhs[:n]
	input := 0.0
	for i := 0; i < n; i++ {
		a := r / w[i]
		diag[i] = 1 + a*(d[i]+d[i+1])
		if i > 0 {
			lower[i-1] = -a * d[i]
		}
		if i < n-1 {
			upper[i] = -a * d[i+1]
		}
		bl, br := bed[max(i-1, 0)], bed[min(i+1, n-1)]
		ck := -d[i] * (bed[i] - bl) * invDx
		ck1 := -d[i+1] * (br - bed[i]) * invDx
		gain := dt * mb[i]
		input += gain * w[i]
		rhs[i] = h[i] + gain + dt*invDx/w[i]*(ck-ck1)
	}
	// The matrix is strictly diagonally dominant with a positive diagonal,
	// so Dgtsv cannot fail.
	gonum.Implementation{}.Dgtsv(n, 1, lower, diag, upper, rhs, 1)

	clipped := 0.0
	sec := l.section[:n]
	for i := 0; i < n; i++ {
		hi := rhs[i]
		if hi < 0 {
			clipped -= hi * w[i]
			hi = 0
		}
		sec[i] = (bottom[i] + 0.5*l.lambda[i]*hi) * hi
		h[i] = hi
		s[i] = bed[i] + hi
		w[i] = bottom[i] + l.lambda[i]*hi
	}
	m.account.Input += input * m.dx
	m.account.Clipped += clipped * m.dx
	return dt, nil
}
