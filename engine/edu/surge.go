package edu

import "math"

// surgeCycle repeats normal years and surging years, starting with normal
// ones at year 0.
type surgeCycle struct {
	normal, surgeYears float64
	sliding            float64
}

func (s *surgeCycle) surging(year float64) bool {
	period := s.normal + s.surgeYears
	return math.Mod(math.Floor(year), period) >= s.normal
}

// Default surge settings: 50 normal years, then 5 years with ten times the
// sliding of OGGM's customary f_s = 5.7e-20 Pa⁻³ m² s⁻¹ (OGGM-Edu's
// SurgingGlacier uses such a cycle).
const (
	DefaultNormalYears  = 50
	DefaultSurgingYears = 5
	DefaultSurgeSliding = 5.7e-19
)

// SurgingGlacier is a Glacier whose bed turns slippery for a few years
// after every long quiet spell (OGGM-Edu's SurgingGlacier): NormalYears
// with the glacier's own Sliding, then SurgingYears with SurgeSliding,
// repeated from year 0.
type SurgingGlacier struct {
	*Glacier
}

// NewSurgingGlacier returns a surging glacier with the default cycle.
func NewSurgingGlacier(bed *Bed, mb *MassBalance) *SurgingGlacier {
	g := NewGlacier(bed, mb)
	g.surge = &surgeCycle{normal: DefaultNormalYears, surgeYears: DefaultSurgingYears, sliding: DefaultSurgeSliding}
	return &SurgingGlacier{g}
}

// SetCycle sets the number of normal and surging years and the sliding
// parameter during a surge (Pa⁻³ m² s⁻¹).
func (s *SurgingGlacier) SetCycle(normalYears, surgingYears int, surgeSliding float64) *SurgingGlacier {
	s.surge = &surgeCycle{normal: float64(normalYears), surgeYears: float64(surgingYears), sliding: surgeSliding}
	return s
}

// Surging reports whether the glacier surges in the given year.
func (s *SurgingGlacier) Surging(year float64) bool { return s.surge.surging(year) }
