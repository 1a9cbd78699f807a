package dynamics

import (
	"fmt"
	"io"
	"strconv"
)

// Diagnostics are the glacier-wide numbers of one moment.
type Diagnostics struct {
	// Year is the model time, years.
	Year float64
	// Volume is the ice volume of all flowlines, m³ (Σ S_i·Δx).
	Volume float64
	// Area is the glacier area, m²: Σ top width·Δx over the points of all
	// flowlines with ice (H > 0).
	Area float64
	// Length is the glacier length, m: Δx times the number of points of
	// the main flowline thicker than Params.LengthThreshold.
	Length float64
}

// Volume returns the ice volume of all flowlines, m³.
func (m *Model) Volume() float64 {
	v := 0.0
	for i := range m.lines {
		for _, s := range m.lines[i].section {
			v += s
		}
	}
	return v * m.dx
}

// Diagnostics returns the current volume, area and length.
func (m *Model) Diagnostics() Diagnostics {
	d := Diagnostics{Year: m.Year(), Volume: m.Volume()}
	for i := range m.lines {
		l := &m.lines[i]
		for j, h := range l.thick {
			if h > 0 {
				d.Area += l.width[j]
			}
		}
	}
	d.Area *= m.dx
	main := &m.lines[m.glacier.Main]
	count := 0
	for _, h := range main.thick {
		if h > m.params.LengthThreshold {
			count++
		}
	}
	d.Length = float64(count) * m.dx
	return d
}

// Profile is the state along one flowline, one value per point.
type Profile struct {
	// Line is the flowline's name.
	Line string
	// Distance from the first point, m.
	Distance []float64
	// Bed elevation, m a.s.l.
	Bed []float64
	// Surface elevation of the ice (the bed where there is none), m a.s.l.
	Surface []float64
	// Thickness of the ice, m.
	Thickness []float64
	// Width of the ice surface (of the bed where there is no ice), m.
	Width []float64
}

// Profile returns a copy of the current state of flowline li (the main
// flowline is Glacier().Main).
func (m *Model) Profile(li int) Profile {
	l := &m.lines[li]
	p := Profile{
		Line:      l.fl.Name,
		Distance:  make([]float64, l.n),
		Bed:       append([]float64(nil), l.fl.Bed...),
		Surface:   append([]float64(nil), l.surface...),
		Thickness: append([]float64(nil), l.thick...),
		Width:     append([]float64(nil), l.width...),
	}
	for i := range p.Distance {
		p.Distance[i] = l.fl.Distance(i)
	}
	return p
}

// WriteCSV writes the profile as CSV with the header
// distance_m,bed_m,surface_m,thickness_m,width_m (Firn's public profile
// format).
func (p Profile) WriteCSV(w io.Writer) error {
	rows := make([][]float64, len(p.Distance))
	for i := range rows {
		rows[i] = []float64{p.Distance[i], p.Bed[i], p.Surface[i], p.Thickness[i], p.Width[i]}
	}
	return writeCSV(w, "distance_m,bed_m,surface_m,thickness_m,width_m", rows)
}

// MassAccount balances the ice volume of a run: the change of volume since
// the start equals Input + Clipped − Outflow, up to rounding (and, for the
// semi-implicit solver on trapezoids, the scheme's own error; see
// Residual). All quantities are volumes of ice, m³.
type MassAccount struct {
	// StartVolume is the volume when the account was opened, m³.
	StartVolume float64
	// Input is the ice the mass balance added (negative: removed), m³,
	// counted where it was applied, including ablation of ice-free
	// points that the clip then undoes.
	Input float64
	// Clipped is the ice added back where a section would have become
	// negative (ablation or outflow larger than the ice there), m³ (≥ 0).
	Clipped float64
	// Outflow is the ice that left the domain across the last edge of the
	// main flowline, m³.
	Outflow float64
}

// Residual returns ΔV − (Input + Clipped − Outflow) for the given current
// volume, m³: zero for a conserving scheme, up to rounding.
func (a MassAccount) Residual(volume float64) float64 {
	return volume - a.StartVolume - (a.Input + a.Clipped - a.Outflow)
}

// String shows the account in million m³.
func (a MassAccount) String() string {
	return fmt.Sprintf("mass account (10⁶ m³ ice): start %.6g, mass balance %+.6g, clipped %+.6g, outflow %.6g",
		a.StartVolume/1e6, a.Input/1e6, a.Clipped/1e6, a.Outflow/1e6)
}

func writeCSV(w io.Writer, header string, rows [][]float64) error {
	buf := make([]byte, 0, 64*(len(rows)+1))
	buf = append(buf, header...)
	buf = append(buf, '\n')
	for _, r := range rows {
		for j, v := range r {
			if j > 0 {
				buf = append(buf, ',')
			}
			buf = strconv.AppendFloat(buf, v, 'g', -1, 64)
		}
		buf = append(buf, '\n')
	}
	_, err := w.Write(buf)
	return err
}
