package edu

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"

	"github.com/firnglacier/firn/engine/massbalance"
)

// ELAPerKelvin is how far the equilibrium line rises per kelvin of
// warming, m K⁻¹: a temperature bias ΔT moves the ELA by ELAPerKelvin·ΔT
// (OGGM-Edu's convention, close to the ratio of a summer melt sensitivity
// to the atmospheric lapse rate, 1 K / 6.5 K km⁻¹ ≈ 154 m).
const ELAPerKelvin = 150.0

// MassBalance is a linear mass balance around an equilibrium-line altitude
// with a temperature bias that can change with time (OGGM-Edu's
// MassBalance): b(z) = γ·(z − ELA(t)), with γ the gradient below or above
// the ELA, and ELA(t) = ELA + ELAPerKelvin·ΔT(t). ΔT(t) is the sum of a
// constant bias, steps from given years on, a yearly series, and random
// yearly anomalies. It implements massbalance.Model.
type MassBalance struct {
	// ELA is the equilibrium-line altitude without bias, m a.s.l.
	ELA float64
	// GradientBelow and GradientAbove are the mass-balance gradients
	// below and above the ELA, mm w.e. per m per year.
	GradientBelow, GradientAbove float64
	// MaxBalance caps the balance, m w.e. per year; 0: no cap.
	MaxBalance float64
	// TempBias is a constant temperature bias, K.
	TempBias float64

	steps       []biasStep
	seriesStart int
	series      []float64
	noiseSigma  float64
	noiseSeed   uint64
}

type biasStep struct {
	year float64
	bias float64
}

// NewMassBalance returns a linear mass balance with one gradient (mm w.e.
// per m per year) on both sides of the ELA (m a.s.l.).
func NewMassBalance(ela, gradient float64) *MassBalance {
	return &MassBalance{ELA: ela, GradientBelow: gradient, GradientAbove: gradient}
}

// WithGradients sets different gradients below and above the ELA, mm w.e.
// per m per year (ablation zones usually have the steeper one).
func (mb *MassBalance) WithGradients(below, above float64) *MassBalance {
	mb.GradientBelow, mb.GradientAbove = below, above
	return mb
}

// AddTempBiasStep adds a temperature change of bias K from the given year
// on (steps add up).
func (mb *MassBalance) AddTempBiasStep(year, bias float64) *MassBalance {
	mb.steps = append(mb.steps, biasStep{year, bias})
	sort.Slice(mb.steps, func(i, j int) bool { return mb.steps[i].year < mb.steps[j].year })
	return mb
}

// SetTempBiasSeries sets a yearly temperature bias, K, for the years
// startYear, startYear+1, …; before and after the series it is 0.
func (mb *MassBalance) SetTempBiasSeries(startYear int, bias []float64) *MassBalance {
	mb.seriesStart, mb.series = startYear, append([]float64(nil), bias...)
	return mb
}

// SetRandomClimate adds a random temperature anomaly each year, normally
// distributed with standard deviation sigma K. The anomaly of a year
// depends only on the seed and the year, so a run is reproducible and a
// copy of a glacier sees the same climate.
func (mb *MassBalance) SetRandomClimate(sigma float64, seed uint64) *MassBalance {
	mb.noiseSigma, mb.noiseSeed = sigma, seed
	return mb
}

// TempBiasAt returns the temperature bias of a year, K.
func (mb *MassBalance) TempBiasAt(year float64) float64 {
	b := mb.TempBias
	for _, s := range mb.steps {
		if year >= s.year {
			b += s.bias
		}
	}
	if i := int(math.Floor(year)) - mb.seriesStart; mb.series != nil && i >= 0 && i < len(mb.series) {
		b += mb.series[i]
	}
	if mb.noiseSigma > 0 {
		pcg := rand.NewPCG(mb.noiseSeed, uint64(int64(math.Floor(year))))
		b += mb.noiseSigma * rand.New(pcg).NormFloat64()
	}
	return b
}

// ELAAt returns the equilibrium-line altitude of a year, m a.s.l.
func (mb *MassBalance) ELAAt(year float64) float64 {
	return mb.ELA + ELAPerKelvin*mb.TempBiasAt(year)
}

// Balance returns the balance at altitude z (m a.s.l.) in the given year,
// m w.e. per year.
func (mb *MassBalance) Balance(year, z float64) float64 {
	ela := mb.ELAAt(year)
	g := mb.GradientBelow
	if z > ela {
		g = mb.GradientAbove
	}
	b := g * 1e-3 * (z - ela)
	if mb.MaxBalance != 0 {
		b = min(b, mb.MaxBalance)
	}
	return b
}

// AnnualBalance implements massbalance.Model (m ice per second).
func (mb *MassBalance) AnnualBalance(year float64, z, out []float64) error {
	for i, zi := range z {
		out[i] = mb.Balance(year, zi) * massbalance.WEPerYearToIcePerSecond
	}
	return nil
}

// Copy returns an independent copy.
func (mb *MassBalance) Copy() *MassBalance {
	c := *mb
	c.steps = append([]biasStep(nil), mb.steps...)
	c.series = append([]float64(nil), mb.series...)
	return &c
}

// String shows the mass balance in one line.
func (mb *MassBalance) String() string {
	s := fmt.Sprintf("Mass balance: ELA %g m, gradient %g mm w.e./m/yr", mb.ELA, mb.GradientBelow)
	if mb.GradientAbove != mb.GradientBelow {
		s = fmt.Sprintf("Mass balance: ELA %g m, gradients %g below and %g above the ELA (mm w.e./m/yr)", mb.ELA, mb.GradientBelow, mb.GradientAbove)
	}
	if mb.MaxBalance != 0 {
		s += fmt.Sprintf(", capped at %g m w.e./yr", mb.MaxBalance)
	}
	if mb.TempBias != 0 {
		s += fmt.Sprintf(", temperature bias %+g K", mb.TempBias)
	}
	for _, st := range mb.steps {
		s += fmt.Sprintf(", %+g K from year %g", st.bias, st.year)
	}
	if mb.series != nil {
		s += fmt.Sprintf(", a yearly bias series %d–%d", mb.seriesStart, mb.seriesStart+len(mb.series)-1)
	}
	if mb.noiseSigma > 0 {
		s += fmt.Sprintf(", random climate σ = %g K (seed %d)", mb.noiseSigma, mb.noiseSeed)
	}
	return s
}
