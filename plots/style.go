package plots

import (
	"image/color"
	"math"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// The Okabe–Ito palette (Okabe & Ito 2008, "Color Universal Design"): eight
// colours that stay distinct for readers with the common forms of colour
// blindness. Series take them in the order of seriesColors; yellow is left
// out because a thin yellow line on white is hard to read.
var (
	oiBlack         = color.NRGBA{0x00, 0x00, 0x00, 0xff}
	oiOrange        = color.NRGBA{0xe6, 0x9f, 0x00, 0xff}
	oiSkyBlue       = color.NRGBA{0x56, 0xb4, 0xe9, 0xff}
	oiBluishGreen   = color.NRGBA{0x00, 0x9e, 0x73, 0xff}
	oiBlue          = color.NRGBA{0x00, 0x72, 0xb2, 0xff}
	oiVermillion    = color.NRGBA{0xd5, 0x5e, 0x00, 0xff}
	oiReddishPurple = color.NRGBA{0xcc, 0x79, 0xa7, 0xff}
)

var seriesColors = []color.NRGBA{oiBlue, oiVermillion, oiBluishGreen, oiReddishPurple, oiOrange, oiSkyBlue, oiBlack}

// seriesDashes are cycled with the colours (4 patterns against 7 colours:
// the first 28 series differ in colour/dash pair), so that series stay
// apart in greyscale print too.
var seriesDashes = [][]vg.Length{
	nil,                            // solid
	{vg.Points(5), vg.Points(2.5)}, // dashed
	{vg.Points(1.2), vg.Points(2)}, // dotted
	{vg.Points(6), vg.Points(2), vg.Points(1.2), vg.Points(2)}, // dash-dot
}

// Fixed colours of the physical things: rock, ice and reference lines.
var (
	bedColor       = color.NRGBA{0x4d, 0x4d, 0x4d, 0xff}
	rockColor      = color.NRGBA{0xd3, 0xcc, 0xc0, 0xff} // greyscale 0.8: darker than the ice
	iceFill        = color.NRGBA{0x56, 0xb4, 0xe9, 0x55} // sky blue, 33 %: greyscale 0.89
	iceFillLayered = color.NRGBA{0x56, 0xb4, 0xe9, 0x2e} // sky blue, 18 %, for overlaid times
	refColor       = color.NRGBA{0x80, 0x80, 0x80, 0xff}
	gridColor      = color.NRGBA{0xe6, 0xe6, 0xe6, 0xff}
	textColor      = color.NRGBA{0x1a, 0x1a, 0x1a, 0xff}
	halo           = color.NRGBA{0xff, 0xff, 0xff, 0xd9}
)

// Line widths, points.
const (
	seriesWidth = 1.5
	bedWidth    = 1.2
	refWidth    = 0.7
	axisWidth   = 0.6
)

// Font sizes, points.
const (
	titleSize  = 11
	labelSize  = 10
	tickSize   = 9
	legendSize = 9
	noteSize   = 8
)

// sans is the typeface of all text: Liberation Sans, which has the metrics
// of Arial and Helvetica, so an SVG viewed where Liberation is not
// installed falls back to a font of the same widths (see fontFallback).
var sans = font.Font{Typeface: "Liberation", Variant: "Sans"}

func textStyle(size float64) text.Style {
	return text.Style{
		Color:   textColor,
		Font:    font.From(sans, vg.Length(size)),
		Handler: plot.DefaultTextHandler,
	}
}

// seriesStyle returns the line style of series i.
func seriesStyle(i int) draw.LineStyle {
	return draw.LineStyle{
		Color:  seriesColors[i%len(seriesColors)],
		Width:  vg.Points(seriesWidth),
		Dashes: seriesDashes[i%len(seriesDashes)],
	}
}

// newPlot returns a plot with Firn's clean defaults: sans-serif text, thin
// axes set off from the data, a few round ticks without minor marks, no
// box and no grid.
func newPlot(title, xLabel, yLabel string) *plot.Plot {
	p := plot.New()
	p.BackgroundColor = nil // the figure paints one white background
	p.Title.Text = title
	p.Title.TextStyle = textStyle(titleSize)
	p.Title.TextStyle.XAlign = draw.XCenter
	p.Title.TextStyle.YAlign = draw.YTop
	p.Title.Padding = vg.Points(6)
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.LineStyle = draw.LineStyle{Color: textColor, Width: vg.Points(axisWidth)}
		a.Padding = vg.Points(4)
		a.Label.TextStyle = textStyle(labelSize)
		a.Label.TextStyle.XAlign = draw.XCenter
		a.Label.TextStyle.YAlign = draw.YBottom
		a.Label.Padding = vg.Points(3)
		a.Tick.LineStyle = a.LineStyle
		a.Tick.Length = vg.Points(4)
		a.Tick.Label = textStyle(tickSize)
		a.Tick.Marker = niceTicks{target: 5}
	}
	p.X.Label.Text = xLabel
	p.Y.Label.Text = yLabel
	p.X.Tick.Label.XAlign, p.X.Tick.Label.YAlign = draw.XCenter, draw.YTop
	p.Y.Tick.Label.XAlign, p.Y.Tick.Label.YAlign = draw.XRight, draw.YCenter
	return p
}

// setRange sets an axis range from data limits, widened by pad (a fraction
// of the span) on both sides; an empty span becomes ±1 or ±10 % around the
// value.
func setRange(a *plot.Axis, lo, hi, pad float64) {
	if hi < lo {
		lo, hi = hi, lo
	}
	span := hi - lo
	if span == 0 {
		span = math.Max(math.Abs(lo)*0.2, 2)
		lo -= span / 2
		hi += span / 2
		pad = 0
	}
	a.Min, a.Max = lo-pad*span, hi+pad*span
}

// niceTicks places about target labelled ticks at round values (1, 2, 2.5
// or 5 times a power of ten) inside the axis range, without minor ticks.
type niceTicks struct {
	target int
	// noLabels keeps the marks but drops the labels (inner panels of a
	// grid with shared axes).
	noLabels bool
}

// Ticks implements plot.Ticker.
func (t niceTicks) Ticks(lo, hi float64) []plot.Tick {
	step, prec := tickStep(lo, hi, t.target)
	if step == 0 {
		return nil
	}
	first := math.Ceil(lo/step - 1e-9)
	var ticks []plot.Tick
	for k := first; ; k++ {
		v := k * step
		if v > hi+step*1e-9 {
			break
		}
		if math.Abs(v) < step*1e-9 {
			v = 0
		}
		label := ""
		if !t.noLabels {
			label = formatTick(v, prec)
		}
		ticks = append(ticks, plot.Tick{Value: v, Label: label})
		if len(ticks) > 100 {
			break
		}
	}
	return ticks
}

// tickStep returns the round step that gives the number of ticks in
// [lo, hi] closest to target, and the decimals its labels need.
func tickStep(lo, hi float64, target int) (step float64, prec int) {
	span := hi - lo
	if !(span > 0) || math.IsInf(span, 0) {
		return 0, 0
	}
	if target < 2 {
		target = 2
	}
	best, bestScore := 0.0, math.Inf(1)
	bestPrec := 0
	mag := math.Floor(math.Log10(span / float64(target)))
	for _, m := range []float64{mag - 1, mag, mag + 1} {
		for _, q := range []struct {
			f     float64
			extra int     // decimals beyond the power of ten (2.5 needs one)
			cost  float64 // a small preference for 1, 2 and 5
		}{{1, 0, 0}, {2, 0, 0.1}, {2.5, 1, 0.4}, {5, 0, 0.05}} {
			s := q.f * math.Pow(10, m)
			n := math.Floor(hi/s+1e-9) - math.Ceil(lo/s-1e-9) + 1
			score := math.Abs(n-float64(target)) + q.cost
			if n < 2 {
				score += 10
			}
			if score < bestScore {
				best, bestScore = s, score
				bestPrec = max(0, int(-m)+q.extra)
				if q.f == 2.5 && m >= 1 {
					bestPrec = 0
				}
			}
		}
	}
	return best, bestPrec
}

// formatTick formats a tick value with prec decimals, a true minus sign and
// exponent notation for very large or small magnitudes.
func formatTick(v float64, prec int) string {
	var s string
	if a := math.Abs(v); a != 0 && (a >= 1e7 || a < 1e-4) {
		s = strconv.FormatFloat(v, 'g', 3, 64)
	} else {
		s = strconv.FormatFloat(v, 'f', prec, 64)
	}
	return strings.Replace(s, "-", "\u2212", 1)
}

// formatValue formats a number for a text label: up to 4 significant
// digits, a true minus sign.
func formatValue(v float64) string {
	return strings.Replace(strconv.FormatFloat(v, 'g', 4, 64), "-", "\u2212", 1)
}
