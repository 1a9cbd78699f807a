package dynamics

import (
	"fmt"
	"math"

	"github.com/firnglacier/firn/engine/constants"
)

// Velocity returns the depth-averaged ice velocity at the points of
// flowline li, m s⁻¹ (positive down-glacier): the SIA velocity of Glen's
// law with sliding on the two neighbouring edges of the staggered grid,
// averaged (edge formula as in the flux-based solver; computed from the
// current state for either solver).
func (m *Model) Velocity(li int) []float64 {
	l := &m.lines[li]
	n := l.n
	edge := make([]float64, n+1)
	invDx := 1 / m.dx
	for k := 1; k < n; k++ {
		edge[k] = m.glen.velocity(0.5*(l.thick[k-1]+l.thick[k]), (l.surface[k-1]-l.surface[k])*invDx)
	}
	var alpha float64
	if l.into < 0 {
		alpha = (l.surface[n-2] - l.surface[n-1]) * invDx
	} else {
		alpha = (l.surface[n-1] - m.lines[l.into].surface[l.junction]) * invDx
	}
	edge[n] = m.glen.velocity(l.thick[n-1], alpha)
	u := make([]float64, n)
	for i := range u {
		if l.thick[i] > 0 {
			u[i] = 0.5 * (edge[i] + edge[i+1])
		}
	}
	return u
}

// SpecificBalance returns the glacier-wide specific mass balance of the
// current model year, m w.e. per year: the balance the mass-balance model
// gave at the start of the year, averaged over the ice-covered area of all
// flowlines (weights: top width·Δx). It is 0 where there is no ice and
// before the first step of a year has evaluated the balance (NaN then).
func (m *Model) SpecificBalance() float64 {
	if m.mbYear != m.yearIndex {
		if err := m.updateMassBalance(); err != nil {
			return math.NaN()
		}
	}
	sum, area := 0.0, 0.0
	for i := range m.lines {
		l := &m.lines[i]
		for j, h := range l.thick {
			if h > 0 {
				sum += l.mb[j] * l.width[j]
				area += l.width[j]
			}
		}
	}
	if area == 0 {
		return 0
	}
	return sum / area * constants.SecondsPerYear * constants.RhoIce / constants.RhoWater
}

// SetFlow changes Glen's creep parameter A (Pa⁻ⁿ s⁻¹) and the sliding
// parameter f_s (Pa⁻ⁿ m² s⁻¹) from the next step on — a surge, or a
// lesson that softens the ice. The exponent n stays.
func (m *Model) SetFlow(glenA, slidingFs float64) error {
	p := m.params
	p.GlenA, p.SlidingFs = glenA, slidingFs
	if err := p.validate(); err != nil {
		return fmt.Errorf("set flow: %w", err)
	}
	m.params = p
	m.glen = newGlen(p)
	m.resetSteps()
	return nil
}

// Clone returns an independent copy of the model, at the same time and in
// the same state, sharing only the read-only geometry and mass-balance
// model.
func (m *Model) Clone() *Model {
	c := *m
	c.lines = make([]line, len(m.lines))
	for i := range m.lines {
		l := m.lines[i]
		for _, s := range l.state() {
			*s = append([]float64(nil), (*s)...)
		}
		c.lines[i] = l
	}
	return &c
}

// CopyFrom sets m to the state of src, a model of the same glacier (a
// Clone of m): its ice, time, step count, mass account, flow parameters
// and mass-balance model. It allocates nothing, so that a caller can keep
// a checkpoint (a Clone) and go back to it, as edu.Glacier does when a
// run is interrupted within a year.
func (m *Model) CopyFrom(src *Model) error {
	if src.glacier != m.glacier || len(src.lines) != len(m.lines) {
		return fmt.Errorf("copy model state: the models are of different glaciers")
	}
	lines := m.lines
	*m = *src
	m.lines = lines
	for i := range lines {
		dst := &lines[i]
		keep := dst.state()
		var arrays [len(keep)][]float64
		for k, p := range keep {
			arrays[k] = *p
		}
		*dst = src.lines[i]
		for k, p := range dst.state() {
			copy(arrays[k], *p)
			*p = arrays[k]
		}
	}
	return nil
}

// state returns the line's arrays (everything Clone copies): all but the
// read-only ones (kernel and the parabola's factors), which clones share
// (TestCloneSharesNoWorkSpace).
func (l *line) state() [26]*[]float64 {
	return [26]*[]float64{&l.phi, &l.jacUp, &l.jacDown, &l.section, &l.thick, &l.surface, &l.width, &l.mb, &l.tribIn,
		&l.velocity, &l.flux, &l.lambda, &l.diffusivity, &l.lower, &l.diag, &l.upper, &l.rhs, &l.cp,
		&l.k1, &l.k3, &l.stageWidth, &l.stageFlux, &l.stageIn, &l.z, &l.wood, &l.schur}
}
