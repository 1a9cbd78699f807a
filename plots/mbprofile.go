package plots

import (
	"fmt"

	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/firnglacier/firn/engine/massbalance"
)

// Default altitude range of MassBalanceProfile, m a.s.l.
const (
	DefaultZmin = 1000.0
	DefaultZmax = 4000.0
)

// mbSamples is the number of altitudes at which a model is evaluated.
const mbSamples = 301

// MassBalanceOptions control MassBalanceProfile. The zero value gives the
// defaults.
type MassBalanceOptions struct {
	// Zmin and Zmax are the altitude range, m a.s.l.; both 0 means 1000 to
	// 4000 m.
	Zmin, Zmax float64
	// Year is passed to the models (years since the calendar origin).
	Year float64
	// Title is drawn above the plot; empty means none.
	Title string
	// Width and Height of the figure, cm; 0 means 16 × 10 cm.
	Width, Height float64
}

// MassBalanceProfile plots the annual surface mass balance of one or more
// models, in m w.e. per year, against altitude (m), with a line at zero
// balance; each model in its own colour and dash, with a legend of labels
// when there is more than one (labels may be nil).
func MassBalanceProfile(models []massbalance.Model, labels []string, opts MassBalanceOptions) (*Figure, error) {
	const fn = "plots.MassBalanceProfile"
	if len(models) == 0 {
		return nil, fmt.Errorf("%s: no mass-balance models to plot", fn)
	}
	labels, err := checkLabels(fn, labels, len(models), "model")
	if err != nil {
		return nil, err
	}
	zmin, zmax := opts.Zmin, opts.Zmax
	if zmin == 0 && zmax == 0 {
		zmin, zmax = DefaultZmin, DefaultZmax
	}
	if !finite(zmin) || !finite(zmax) || !(zmin < zmax) {
		return nil, fmt.Errorf("%s: altitude range Zmin %g m to Zmax %g m is empty; want finite Zmin < Zmax", fn, zmin, zmax)
	}
	if !finite(opts.Year) {
		return nil, fmt.Errorf("%s: year is %g", fn, opts.Year)
	}
	z := make([]float64, mbSamples)
	for i := range z {
		z[i] = zmin + (zmax-zmin)*float64(i)/float64(mbSamples-1)
	}
	series := make([][]xy, len(models))
	bmin, bmax := 0.0, 0.0
	for i, m := range models {
		where := fn + ": " + seriesName("model", i, labels[i])
		if m == nil {
			return nil, fmt.Errorf("%s is nil", where)
		}
		mb := make([]float64, len(z))
		if err := annualBalance(m, opts.Year, z, mb); err != nil {
			return nil, fmt.Errorf("%s: %w", where, err)
		}
		pts := make([]xy, len(z))
		for k := range z {
			b := mb[k] / massbalance.WEPerYearToIcePerSecond
			if !finite(b) {
				return nil, fmt.Errorf("%s: balance at %g m is %g", where, z[k], b)
			}
			pts[k] = xy{b, z[k]}
			bmin, bmax = min(bmin, b), max(bmax, b)
		}
		series[i] = pts
	}

	p := newPlot(opts.Title, "Mass balance (m w.e./yr)", "Altitude (m)")
	setRange(&p.X, bmin, bmax, 0.04)
	setRange(&p.Y, zmin, zmax, 0)
	p.Add(&refLine{value: 0, vertical: true, style: draw.LineStyle{Color: refColor, Width: vg.Points(refWidth)}})
	lg := &legend{lines: [][]xy{{{0, zmin}, {0, zmax}}}}
	for i, s := range series {
		sty := seriesStyle(i)
		p.Add(&polyline{pts: s, style: sty})
		lg.add(labels[i], sty)
		lg.lines = append(lg.lines, s)
	}
	pn := &panel{p: p, series: len(models)}
	if len(models) > 1 {
		pn.legend = lg
	}
	return newFigure("mass-balance", pn, opts.Width, opts.Height), nil
}

// annualBalance calls the model and turns a panic in it (it may be code
// written in a notebook) into an error.
func annualBalance(m massbalance.Model, year float64, z, mb []float64) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("AnnualBalance panicked: %v", r)
		}
	}()
	return m.AnnualBalance(year, z, mb)
}
