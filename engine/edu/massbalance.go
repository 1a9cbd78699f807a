package edu

import (
	"sort"
	"strings"

	"github.com/firnglacier/firn/engine/massbalance"
)

// ELAPerKelvin is how far the equilibrium line rises per kelvin of
// warming, m K⁻¹: massbalance.ELAPerKelvin, the engine's constant.
const ELAPerKelvin = massbalance.ELAPerKelvin

// MassBalance is a linear mass balance around an equilibrium-line altitude
// with a temperature bias that can change with time (OGGM-Edu's
// MassBalance). It is the engine's [massbalance.Linear] — the model an
// experiment file's linear mass balance builds — with methods that set it
// up in chained calls:
//
//	mb := edu.NewMassBalance(3000, 4).WithGradients(7, 2).AddTempBiasStep(100, 1)
//	mb.AddTempBias(200, 2, 50)   // +2 K more, reached linearly from year 200 to 250
//	mb.TempBias = 0.5            // K: the ELA rises 75 m
//	mb.MaxBalance = 1            // m w.e. per year
//
// b(z) = γ·(z − ELA(t)), with γ the gradient below or above the ELA, and
// ELA(t) = ELA + ELAPerKelvin·ΔT(t); ΔT(t) is the sum of a constant bias,
// steps from given years on, a yearly series, and random yearly anomalies
// (see massbalance.Linear, whose fields, methods TempBiasAt, ELAAt, Balance
// and AnnualBalance, and units a MassBalance has). It implements
// massbalance.Model.
type MassBalance struct {
	massbalance.Linear
	// Hemisphere sets the seasons of the monthly balance and the
	// hydrological year (MonthlyBalance); the annual balance is the same
	// in both.
	Hemisphere Hemisphere
	// Precipitation is the yearly precipitation on the valley, m w.e. per
	// year, the same at every altitude: it sets the winter balance of the
	// monthly balance and the water of the runoff (Glacier.Runoff).
	Precipitation float64
}

// DefaultPrecipitation is a new mass balance's Precipitation, m w.e. per
// year: 2 m, whose winter share (7/12, 1.17 m w.e.) is a typical winter
// balance of an Alpine glacier (Hintereisferner's is about 1 m w.e., WGMS
// Fluctuations of Glaciers).
const DefaultPrecipitation = 2.0

// NewMassBalance returns a linear mass balance with one gradient (mm w.e.
// per m per year) on both sides of the ELA (m a.s.l.).
func NewMassBalance(ela, gradient float64) *MassBalance {
	return &MassBalance{Linear: massbalance.Linear{ELA: ela, Gradient: gradient}, Precipitation: DefaultPrecipitation}
}

// WithGradients sets different gradients below and above the ELA, mm w.e.
// per m per year (ablation zones usually have the steeper one). An above
// gradient of 0 means the same as below.
func (mb *MassBalance) WithGradients(below, above float64) *MassBalance {
	mb.Gradient, mb.GradientAbove = below, above
	return mb
}

// AddTempBiasStep adds a temperature change of bias K from the given year
// on (steps add up).
func (mb *MassBalance) AddTempBiasStep(year, bias float64) *MassBalance {
	// A new slice: a copy of this mass balance (Copy, or an engine model
	// holding its Linear) keeps its own steps.
	steps := append(append([]massbalance.TempStep(nil), mb.TempSteps...), massbalance.TempStep{Year: year, Bias: bias})
	sort.SliceStable(steps, func(i, j int) bool { return steps[i].Year < steps[j].Year })
	mb.TempSteps = steps
	return mb
}

// AddTempBias adds a warming (or, negative, a cooling) of bias K reached
// gradually: 0 in the given year, growing linearly to bias over duration
// years, then held (OGGM-Edu's add_temperature_bias; a duration of 0 is
// AddTempBiasStep). Ramps and steps add up; with SetRandomClimate on top
// the years also vary around the ramp. The ramp is held in the yearly
// series (SetTempBiasSeries replaces it) and a step at its end
// (massbalance.Linear.WithTempRamp).
func (mb *MassBalance) AddTempBias(year int, bias, duration float64) *MassBalance {
	mb.Linear = mb.WithTempRamp(year, bias, duration)
	return mb
}

// SetTempBiasSeries sets a yearly temperature bias, K, for the years
// startYear, startYear+1, …; before and after the series it is 0.
func (mb *MassBalance) SetTempBiasSeries(startYear int, bias []float64) *MassBalance {
	mb.TempSeriesStart, mb.TempSeries = startYear, append([]float64(nil), bias...)
	return mb
}

// SetRandomClimate adds a random temperature anomaly each year, normally
// distributed with standard deviation sigma K. The anomaly of a year
// depends only on the seed and the year, so a run is reproducible and a
// copy of a glacier sees the same climate.
func (mb *MassBalance) SetRandomClimate(sigma float64, seed uint64) *MassBalance {
	mb.TempNoise, mb.TempNoiseSeed = sigma, seed
	return mb
}

// Copy returns an independent copy.
func (mb *MassBalance) Copy() *MassBalance {
	c := *mb
	c.TempSteps = append([]massbalance.TempStep(nil), mb.TempSteps...)
	if mb.TempSeries != nil {
		c.TempSeries = append([]float64(nil), mb.TempSeries...)
	}
	return &c
}

// String shows the mass balance in one line.
func (mb *MassBalance) String() string {
	s := "Mass balance: " + strings.TrimPrefix(mb.Linear.String(), "linear mass balance: ")
	if mb.Hemisphere == South {
		s += ", southern hemisphere"
	}
	return s
}
