package plots

import (
	"fmt"
	"slices"
	"strings"

	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/firnglacier/firn/engine/dynamics"
)

// Quantity is a glacier-wide diagnostic of a run.
type Quantity int

const (
	// Volume of ice, plotted in km³ by default.
	Volume Quantity = iota
	// Area of the glacier, plotted in km² by default.
	Area
	// Length of the glacier, plotted in km by default.
	Length
)

// String returns "volume", "area" or "length".
func (q Quantity) String() string {
	switch q {
	case Volume:
		return "volume"
	case Area:
		return "area"
	case Length:
		return "length"
	}
	return fmt.Sprintf("Quantity(%d)", int(q))
}

// unit is a display unit: its name and its size in SI units.
type unit struct {
	name string
	si   float64
}

// quantityUnits lists the units each quantity accepts, default first.
var quantityUnits = map[Quantity][]struct {
	spellings []string
	unit
}{
	Volume: {{[]string{"km³", "km3"}, unit{"km³", 1e9}}, {[]string{"m³", "m3"}, unit{"m³", 1}}},
	Area:   {{[]string{"km²", "km2"}, unit{"km²", 1e6}}, {[]string{"m²", "m2"}, unit{"m²", 1}}, {[]string{"ha"}, unit{"ha", 1e4}}},
	Length: {{[]string{"km"}, unit{"km", 1e3}}, {[]string{"m"}, unit{"m", 1}}},
}

func quantityUnit(q Quantity, name string) (unit, error) {
	units, ok := quantityUnits[q]
	if !ok {
		return unit{}, fmt.Errorf("unknown quantity %d; want plots.Volume, plots.Area or plots.Length", int(q))
	}
	if name == "" {
		return units[0].unit, nil
	}
	var all []string
	for _, u := range units {
		if slices.Contains(u.spellings, name) {
			return u.unit, nil
		}
		all = append(all, u.spellings[0])
	}
	return unit{}, fmt.Errorf("unit %q is not a unit of %s; want one of %s", name, q, strings.Join(all, ", "))
}

// TimeSeriesOptions control TimeSeries. The zero value plots the volume in
// km³.
type TimeSeriesOptions struct {
	// Quantity to plot: Volume, Area or Length.
	Quantity Quantity
	// Unit overrides the default unit: km³ or m³ (also km3, m3) for
	// volume; km², m² or ha for area; km or m for length.
	Unit string
	// Relative plots each run in per cent of a reference: of Reference
	// when it is not 0, else of the run's first value.
	Relative bool
	// Reference is the value that is 100 % when Relative is set, in SI
	// units: m³, m² or m.
	Reference float64
	// LengthThreshold, m, says on the axis of a Length plot which ice the
	// length counts ("Length of ice > 10 m (km)"), as
	// edu.Glacier.LengthThreshold; 0 says nothing.
	LengthThreshold float64
	// Title is drawn above the plot; empty means none.
	Title string
	// Width and Height of the figure, cm; 0 means 16 × 10 cm.
	Width, Height float64
}

// TimeSeries plots one quantity of several runs against time, each run in
// its own colour and dash, with a legend of labels when there is more than
// one run (labels may be nil). The axis starts at zero when the data come
// within half their maximum of it.
func TimeSeries(runs []*dynamics.History, labels []string, opts TimeSeriesOptions) (*Figure, error) {
	const fn = "plots.TimeSeries"
	if len(runs) == 0 {
		return nil, fmt.Errorf("%s: no runs to plot", fn)
	}
	labels, err := checkLabels(fn, labels, len(runs), "run")
	if err != nil {
		return nil, err
	}
	u, err := quantityUnit(opts.Quantity, opts.Unit)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", fn, err)
	}
	if !finite(opts.Reference) || opts.Reference < 0 {
		return nil, fmt.Errorf("%s: reference is %g; want a positive %s in SI units, or 0 for each run's first value", fn, opts.Reference, opts.Quantity)
	}
	name := strings.ToUpper(opts.Quantity.String()[:1]) + opts.Quantity.String()[1:]
	if opts.Quantity == Length && opts.LengthThreshold > 0 {
		name += " of ice > " + formatValue(opts.LengthThreshold) + " m"
	}
	yLabel := fmt.Sprintf("%s (%s)", name, u.name)
	if opts.Relative {
		if opts.Reference != 0 {
			yLabel = fmt.Sprintf("%s (%% of %s %s)", name, formatValue(opts.Reference/u.si), u.name)
		} else {
			yLabel = name + " (% of initial)"
		}
	}

	series := make([][]xy, len(runs))
	tmin, tmax := 0.0, 0.0
	vmin, vmax := 0.0, 0.0
	for i, h := range runs {
		where := fn + ": " + seriesName("run", i, labels[i])
		if h == nil {
			return nil, fmt.Errorf("%s is nil", where)
		}
		var vals []float64
		switch opts.Quantity {
		case Volume:
			vals = h.Volume
		case Area:
			vals = h.Area
		case Length:
			vals = h.Length
		}
		n := len(h.Year)
		if n < 2 {
			return nil, fmt.Errorf("%s: %d records; a time series needs at least 2", where, n)
		}
		if len(vals) != n {
			return nil, fmt.Errorf("%s: %d %s values for %d years", where, len(vals), opts.Quantity, n)
		}
		if err := checkFinite(where, "year", h.Year); err != nil {
			return nil, err
		}
		if err := checkFinite(where, opts.Quantity.String(), vals); err != nil {
			return nil, err
		}
		scale := 1 / u.si
		if opts.Relative {
			ref := opts.Reference
			if ref == 0 {
				ref = vals[0]
				if ref == 0 {
					return nil, fmt.Errorf("%s: the first %s is 0, so it cannot be the 100 %% reference; set TimeSeriesOptions.Reference", where, opts.Quantity)
				}
			}
			scale = 100 / ref
		}
		pts := make([]xy, n)
		for k := range n {
			pts[k] = xy{h.Year[k], vals[k] * scale}
		}
		series[i] = pts
		lo, hi := slices.Min(h.Year), slices.Max(h.Year)
		vlo, vhi := slices.Min(vals)*scale, slices.Max(vals)*scale
		if i == 0 {
			tmin, tmax, vmin, vmax = lo, hi, vlo, vhi
		} else {
			tmin, tmax, vmin, vmax = min(tmin, lo), max(tmax, hi), min(vmin, vlo), max(vmax, vhi)
		}
	}

	p := newPlot(opts.Title, "Time (years)", yLabel)
	setRange(&p.X, tmin, tmax, 0)
	if opts.Relative {
		vmin, vmax = min(vmin, 100), max(vmax, 100)
	}
	setRange(&p.Y, vmin, vmax, 0.04)
	if !opts.Relative && vmin >= 0 && vmin <= 0.5*vmax && vmax > 0 {
		p.Y.Min = 0
	}
	p.Add(hGrid{})
	lg := &legend{}
	if opts.Relative {
		p.Add(&refLine{value: 100, style: draw.LineStyle{Color: refColor, Width: vg.Points(refWidth)}})
		lg.lines = append(lg.lines, []xy{{p.X.Min, 100}, {p.X.Max, 100}})
	}
	for i, s := range series {
		sty := seriesStyle(i)
		p.Add(&polyline{pts: s, style: sty})
		lg.add(labels[i], sty)
		lg.lines = append(lg.lines, s)
	}
	pn := &panel{p: p, series: len(runs)}
	if len(runs) > 1 {
		pn.legend = lg
	}
	return newFigure("time series", pn, opts.Width, opts.Height), nil
}
