package experiment

import (
	"errors"
	"io/fs"
	"path/filepath"
	"strings"

	"github.com/firnglacier/firn/engine/glacier"
	"github.com/firnglacier/firn/engine/massbalance"
)

// The climates of a temperature-index mass balance (mass_balance.climate).
var tiClimates = []string{glacier.ClimateConstant, glacier.ClimateRandom, glacier.ClimateHistorical}

// MaxHalfsize bounds a climate period's halfsize, years.
const MaxHalfsize = 1000

// temperatureIndex decodes a temperature_index mass balance's keys.
func (d *decoder) temperatureIndex(f *fields, m *MassBalanceSpec) *Error {
	m.Climate, m.Halfsize = glacier.ClimateConstant, 15
	if n := f.get("climate"); n != nil {
		c, err := d.str(n, "mass_balance.climate")
		if err != nil {
			return err
		}
		if !contains(tiClimates, c) {
			return d.errAt("mass_balance.climate", "unknown climate %q (want %s)", c, strings.Join(tiClimates, ", "))
		}
		m.Climate = c
	}
	for _, k := range []struct {
		key string
		v   *int
	}{{"y0", &m.Y0}, {"halfsize", &m.Halfsize}} {
		if n := f.get(k.key); n != nil {
			v, err := d.integer(n, join("mass_balance", k.key))
			if err != nil {
				return err
			}
			*k.v = v
		}
	}
	if n := f.get("seed"); n != nil {
		v, err := d.integer(n, "mass_balance.seed")
		if err != nil {
			return err
		}
		if v < 0 {
			return d.errAt("mass_balance.seed", "want a whole number ≥ 0, got %s", n.text)
		}
		m.Seed = uint64(v)
	}
	switch {
	case m.Climate == glacier.ClimateHistorical && f.get("y0") != nil:
		return d.errAt("mass_balance.y0", "a historical climate runs in the calendar years of years.start and years.end; it takes no y0")
	case m.Climate != glacier.ClimateHistorical && f.get("y0") == nil:
		return d.errAt("mass_balance", "missing key y0 (the central year of the %s climate, e.g. 1987 for 1972–2002)", m.Climate)
	case m.Climate != glacier.ClimateRandom && f.get("seed") != nil:
		return d.errAt("mass_balance.seed", "is for a random climate; this one is %s", m.Climate)
	}
	if err := f.number("temp_bias_k", &m.TempBias); err != nil {
		return err
	}
	return f.number("ramp_years", &m.RampYears)
}

// glacierPath returns the glacier directory, relative to the experiment
// file's folder when it is a relative path and the Spec came from a file.
func (s *Spec) glacierPath() string {
	dir := s.GlacierDir
	if filepath.IsAbs(dir) || s.src == nil || s.src.file == "" || s.src.file == "<stdin>" {
		return dir
	}
	return filepath.Join(filepath.Dir(s.src.file), dir)
}

// readGlacier reads GlacierDir once; a Spec without one has nothing to
// read.
func (s *Spec) readGlacier() error {
	if s.GlacierDir == "" {
		s.real = nil
		return nil
	}
	if len(s.Flowlines) > 0 {
		return s.src.errAt("glacier", "give flowlines (an idealized glacier) or glacier (a glacier directory), not both")
	}
	if s.real != nil {
		return nil
	}
	g, err := glacier.ReadDir(s.glacierPath())
	if err != nil {
		hint := ""
		if errors.Is(err, fs.ErrNotExist) {
			hint = " (firn glacier prepare writes one; a relative path is relative to the experiment file's folder)"
		}
		return s.src.errAt("glacier.directory", "%v%s", err, hint)
	}
	s.real = g
	return nil
}

// temperatureIndex returns the glacier directory's calibrated model in
// the climate the Spec asks for, warmed by TempBias (over RampYears from
// Years.Start).
func (s *Spec) temperatureIndex() (massbalance.Model, error) {
	m := s.MassBalance
	if s.real == nil {
		return nil, s.src.errAt("mass_balance.type", "a %s mass balance needs a glacier directory (glacier: {\"directory\": ...}): its calibrated model and climate are there", MassBalanceTemperatureIndex)
	}
	if !contains(tiClimates, m.Climate) {
		return nil, s.src.errAt("mass_balance.climate", "unknown climate %q (want %s)", m.Climate, strings.Join(tiClimates, ", "))
	}
	if err := s.check("mass_balance.temp_bias_k", m.TempBias, tempBiasSpan); err != nil {
		return nil, err
	}
	if err := s.check("mass_balance.ramp_years", m.RampYears, rampSpan); err != nil {
		return nil, err
	}
	if m.Halfsize < 0 || m.Halfsize > MaxHalfsize {
		return nil, s.src.errAt("mass_balance.halfsize", "must be 0 to %d years, got %d", MaxHalfsize, m.Halfsize)
	}
	sc := glacier.Scenario{Climate: m.Climate, Y0: m.Y0, Halfsize: m.Halfsize, Seed: m.Seed}
	key := "mass_balance.y0"
	if m.Climate == glacier.ClimateHistorical {
		sc.Y0, key = int(s.Years.Start), "years.start"
		if float64(sc.Y0) != s.Years.Start {
			return nil, s.src.errAt("years.start", "a historical climate runs in whole calendar years, got %g", s.Years.Start)
		}
	}
	model, start, last, err := s.real.MassBalance(sc)
	if err != nil {
		return nil, s.src.errAt(key, "%v", err)
	}
	if m.Climate == glacier.ClimateHistorical && float64(start) != s.Years.Start {
		return nil, s.src.errAt("years.start", "a historical climate runs in calendar years: the climate of %s holds the mass-balance years %d–%d, got %g", s.GlacierDir, start, last, s.Years.Start)
	}
	if m.Climate == glacier.ClimateHistorical && s.Years.End > float64(last+1) {
		return nil, s.src.errAt("years.end", "the climate of %s ends with mass-balance year %d: a historical run ends at %d at the latest, got %g", s.GlacierDir, last, last+1, s.Years.End)
	}
	if m.TempBias != 0 {
		model = massbalance.Warming{Model: model, Bias: m.TempBias, StartYear: s.Years.Start, RampYears: m.RampYears}
	}
	return model, nil
}

// realParams sets the ice-flow parameters the file leaves out to the
// glacier's inversion's (OGGM runs with the inversion's A).
func (s *Spec) realParams(glenA, glenN, fs, rho *float64) {
	ip := s.real.Inversion.Params
	for _, k := range []struct {
		key string
		v   *float64
		w   float64
	}{{"glen_a", glenA, ip.GlenA}, {"glen_n", glenN, ip.GlenN}, {"sliding_fs", fs, ip.Fs}, {"rho_kg_m3", rho, ip.RhoIce}} {
		if s.src == nil {
			continue // a Spec built in code says what it wants
		}
		if _, given := s.src.lines["dynamics."+k.key]; !given {
			*k.v = k.w
		}
	}
}
