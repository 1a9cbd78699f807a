package dynamics

import (
	"context"
	"fmt"
	"io"
	"math"
)

// Progress is what a run reports after each model year.
type Progress struct {
	// Year is the model time, years.
	Year float64
	// Start and End are the run's first and last year.
	Start, End float64
	// Steps is the number of time steps taken since the model was made.
	Steps int64
	// Diagnostics of this moment.
	Diagnostics Diagnostics
}

// Fraction returns the share of the run done, 0 … 1 (NaN for a run of
// unknown length, such as a run to equilibrium).
func (p Progress) Fraction() float64 {
	if math.IsInf(p.End, 0) {
		return math.NaN()
	}
	if p.End <= p.Start {
		return 1
	}
	return (p.Year - p.Start) / (p.End - p.Start)
}

// RunOptions control Run.
type RunOptions struct {
	// EndYear is the year to run to, years.
	EndYear float64
	// Every is the interval between records, years; 0 means 1.
	Every int
	// Profiles records the thickness, surface and velocity of the main
	// flowline at every record when true.
	Profiles bool
	// Progress, when not nil, is called after every model year.
	Progress func(Progress)
}

// History is what a run records: one row per recorded year, plus the main
// flowline's thickness and surface when asked for.
type History struct {
	// Year is the model time of each record, years.
	Year []float64
	// Volume, m³; Area, m²; Length, m: see Diagnostics.
	Volume, Area, Length []float64
	// Thickness and Surface of the main flowline at each record, m, and
	// its Velocity, m s⁻¹ (only with RunOptions.Profiles).
	Thickness, Surface, Velocity [][]float64
}

// Len returns the number of records.
func (h *History) Len() int { return len(h.Year) }

// At returns the diagnostics of record i.
func (h *History) At(i int) Diagnostics {
	return Diagnostics{Year: h.Year[i], Volume: h.Volume[i], Area: h.Area[i], Length: h.Length[i]}
}

func (h *History) record(m *Model, profiles bool) {
	d := m.Diagnostics()
	h.Year = append(h.Year, d.Year)
	h.Volume = append(h.Volume, d.Volume)
	h.Area = append(h.Area, d.Area)
	h.Length = append(h.Length, d.Length)
	if profiles {
		main := &m.lines[m.glacier.Main]
		h.Thickness = append(h.Thickness, append([]float64(nil), main.thick...))
		h.Surface = append(h.Surface, append([]float64(nil), main.surface...))
		h.Velocity = append(h.Velocity, m.Velocity(m.glacier.Main))
	}
}

// WriteCSV writes the history as CSV with the header
// year,volume_m3,area_m2,length_m (Firn's public diagnostics format).
func (h *History) WriteCSV(w io.Writer) error {
	rows := make([][]float64, h.Len())
	for i := range rows {
		rows[i] = []float64{h.Year[i], h.Volume[i], h.Area[i], h.Length[i]}
	}
	return writeCSV(w, "year,volume_m3,area_m2,length_m", rows)
}

// Run runs the model to opts.EndYear, recording the diagnostics now and
// every opts.Every years (and at the end). On cancellation or failure it
// returns what was recorded so far with the error.
func (m *Model) Run(ctx context.Context, opts RunOptions) (*History, error) {
	every := opts.Every
	if every <= 0 {
		every = 1
	}
	start := m.Year()
	if !(opts.EndYear >= start) {
		return nil, fmt.Errorf("run: end year %g is before the model's year %g", opts.EndYear, start)
	}
	// The records: now, every `every` years and at the end. Their
	// columns are made once at that length, not grown record by record.
	records := 2 + int(min((opts.EndYear-start)/float64(every), 4096))
	h := &History{}
	cols := make([]float64, 4*records)
	h.Year, h.Volume, h.Area, h.Length = cols[:0:records], cols[records:records:2*records], cols[2*records:2*records:3*records], cols[3*records:3*records]
	h.record(m, opts.Profiles)
	next := start + float64(every)
	for m.Year() < opts.EndYear {
		year := min(math.Floor(m.Year())+1, opts.EndYear)
		if err := m.RunUntil(ctx, year); err != nil {
			return h, err
		}
		if year >= next || year == opts.EndYear {
			h.record(m, opts.Profiles)
			next += float64(every)
		}
		if opts.Progress != nil {
			opts.Progress(Progress{Year: year, Start: start, End: opts.EndYear, Steps: m.steps, Diagnostics: m.Diagnostics()})
		}
	}
	return h, nil
}

// EquilibriumOptions control RunToEquilibrium. The zero value gives the
// defaults.
type EquilibriumOptions struct {
	// Window is the averaging window, years; 0 means 50.
	Window int
	// Tolerance is the relative change of the window-mean volume below
	// which the glacier is in equilibrium; 0 means 1e-4.
	Tolerance float64
	// MaxYears is the longest run, years; 0 means 10 000.
	MaxYears float64
	// Progress, when not nil, is called after every model year.
	Progress func(Progress)
}

// RunToEquilibrium runs until the glacier stops changing and returns the
// year it stopped at.
//
// Stopping rule: the run proceeds in windows of Window years and keeps the
// mean volume of each window (sampled every year). It stops at the end of
// the first window whose mean differs from the previous window's mean by at
// most Tolerance times the larger of the two (or when both are zero: no
// glacier). Window means rather than single years make the rule robust to
// the small flicker of a front that switches between two cells on rough
// beds. A glacier relaxing with response time τ stops when
// |dV/dt|/V ≲ Tolerance/Window, i.e. within about τ·Tolerance/Window of its
// equilibrium volume (relative). It fails after MaxYears.
func (m *Model) RunToEquilibrium(ctx context.Context, opts EquilibriumOptions) (float64, error) {
	window := opts.Window
	if window <= 0 {
		window = 50
	}
	tol := opts.Tolerance
	if tol <= 0 {
		tol = 1e-4
	}
	maxYears := opts.MaxYears
	if maxYears <= 0 {
		maxYears = 10000
	}
	start := m.Year()
	prevMean := math.NaN()
	for m.Year()-start < maxYears {
		sum := 0.0
		for range window {
			year := math.Floor(m.Year()) + 1
			if err := m.RunUntil(ctx, year); err != nil {
				return m.Year(), err
			}
			v := m.Volume()
			sum += v
			if opts.Progress != nil {
				opts.Progress(Progress{Year: year, Start: start, End: math.Inf(1), Steps: m.steps, Diagnostics: m.Diagnostics()})
			}
		}
		mean := sum / float64(window)
		if !math.IsNaN(prevMean) && math.Abs(mean-prevMean) <= tol*max(mean, prevMean) {
			return m.Year(), nil
		}
		prevMean = mean
	}
	return m.Year(), fmt.Errorf("no equilibrium after %g years (window %d years, tolerance %g)", maxYears, window, tol)
}
