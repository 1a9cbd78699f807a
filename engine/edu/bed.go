package edu

import (
	"fmt"
	"math"
	"strings"

	"github.com/firnglacier/firn/engine/geometry"
)

// Bed is the valley a glacier flows down: a line of points with a bed
// altitude, a width and a cross-section shape (OGGM-Edu's GlacierBed).
// Make one with NewBed and refine it with the With… methods, which return
// the bed so that calls chain:
//
//	bed := edu.NewBed(3400, 1400, 300).WithBump(20, 150, 5)
type Bed struct {
	// Dx is the distance between points, m.
	Dx float64
	// Altitude of the bed at each point, m a.s.l.
	Altitude []float64
	// Width at each point, m: the rectangle's width, the trapezoid's
	// bottom width, or the parabola's width at 100 m of ice.
	Width []float64
	// Shape of the cross-section (the same at every point).
	Shape geometry.Shape
	// Lambda is the trapezoid's side factor (m of width per m of ice).
	Lambda float64
}

// DefaultPoints is the number of points of a new bed (OGGM-Edu's nx).
const DefaultPoints = 200

// DefaultDx is the spacing of a new bed's points, m (OGGM-Edu's map_dx).
const DefaultDx = 100.0

// NewBed returns a rectangular bed of constant width (m) whose altitude
// falls linearly from top to bottom (m a.s.l.) over DefaultPoints points
// DefaultDx apart (a 20 km valley).
//
// NewBed panics if the width is not positive or an altitude is not a
// finite number, as make panics on a negative length: the values are the
// caller's own literals, and in a notebook the panic is the cell's error,
// on the line that made the bed — where an error value, or a bed that
// failed later in ProgressToYear (whose error a cell often drops), would
// leave the student looking for the cause in another cell.
func NewBed(top, bottom, width float64) *Bed {
	checkBed("NewBed", top, bottom, width)
	b := &Bed{Dx: DefaultDx, Shape: geometry.Rectangular}
	b.Altitude = linear(top, bottom, DefaultPoints)
	b.Width = constant(width, DefaultPoints)
	return b
}

// NewBedLength is NewBed for a valley of the given length (m), points
// DefaultDx apart. It panics as NewBed does, and if the length is not
// from DefaultDx to 1000 km.
func NewBedLength(top, bottom, width, length float64) *Bed {
	checkBed("NewBedLength", top, bottom, width)
	if !(length >= DefaultDx && length <= maxBedLength) {
		panic(fmt.Sprintf("edu.NewBedLength: length %g m: want %g m to %g m", length, DefaultDx, maxBedLength))
	}
	n := max(int(math.Round(length/DefaultDx))+1, 2)
	b := &Bed{Dx: DefaultDx, Shape: geometry.Rectangular}
	b.Altitude = linear(top, bottom, n)
	b.Width = constant(width, n)
	return b
}

// NewBedSlopes returns a bed that starts at top (m a.s.l.) and falls with
// the given slopes (degrees) over sections of the given lengths (m), one
// slope per section: OGGM-Edu's slope sections.
func NewBedSlopes(top, width float64, slopesDeg, lengths []float64) (*Bed, error) {
	if len(slopesDeg) == 0 || len(slopesDeg) != len(lengths) {
		return nil, fmt.Errorf("bed: want one length per slope, got %d slopes and %d lengths", len(slopesDeg), len(lengths))
	}
	alt := []float64{top}
	for s, deg := range slopesDeg {
		if !(deg >= 0 && deg < 90) || !(lengths[s] > 0) {
			return nil, fmt.Errorf("bed: section %d: slope %g° and length %g m (want 0–90° and a positive length)", s, deg, lengths[s])
		}
		n := int(math.Round(lengths[s] / DefaultDx))
		drop := math.Tan(deg*math.Pi/180) * DefaultDx
		for range n {
			alt = append(alt, alt[len(alt)-1]-drop)
		}
	}
	return &Bed{Dx: DefaultDx, Shape: geometry.Rectangular, Altitude: alt, Width: constant(width, len(alt))}, nil
}

// maxBedLength is the longest valley NewBedLength makes, m.
const maxBedLength = 1e6

// checkBed panics, naming the function, if a new bed's values cannot make
// a bed.
func checkBed(fn string, top, bottom, width float64) {
	if !(width > 0) || math.IsInf(width, 0) {
		panic(fmt.Sprintf("edu.%s: width %g m: want a positive width in metres, such as 300", fn, width))
	}
	for _, a := range []struct {
		name string
		v    float64
	}{{"top", top}, {"bottom", bottom}} {
		if math.IsNaN(a.v) || math.IsInf(a.v, 0) {
			panic(fmt.Sprintf("edu.%s: %s altitude %g m: want a finite altitude in metres above sea level", fn, a.name, a.v))
		}
	}
}

// Points returns the number of points.
func (b *Bed) Points() int { return len(b.Altitude) }

// Length returns the length of the valley, m.
func (b *Bed) Length() float64 { return float64(b.Points()-1) * b.Dx }

// WithWidths sets the width at every point, m (one value per point).
func (b *Bed) WithWidths(w []float64) *Bed {
	b.Width = append([]float64(nil), w...)
	return b
}

// WithWidthFunc sets the width from a function of the distance from the
// top, m → m.
func (b *Bed) WithWidthFunc(f func(distance float64) float64) *Bed {
	for i := range b.Width {
		b.Width[i] = f(float64(i) * b.Dx)
	}
	return b
}

// WithBump adds a Gaussian bump (a riegel) of the given height (m, negative
// for an overdeepening) centred on point, half width in points.
func (b *Bed) WithBump(point int, height, halfWidthPoints float64) *Bed {
	for i := range b.Altitude {
		x := (float64(i) - float64(point)) / halfWidthPoints
		b.Altitude[i] += height * math.Exp(-x*x)
	}
	return b
}

// Parabolic makes the cross-section a parabola whose width is Width at
// 100 m of ice (w = √(4H/P), so P = 400/Width²).
func (b *Bed) Parabolic() *Bed {
	b.Shape = geometry.Parabolic
	return b
}

// Trapezoidal makes the cross-section a trapezoid of bottom width Width
// and side factor lambda.
func (b *Bed) Trapezoidal(lambda float64) *Bed {
	b.Shape, b.Lambda = geometry.Trapezoidal, lambda
	return b
}

// Flowline returns the bed as the engine's flowline, checked.
func (b *Bed) Flowline() (*geometry.Flowline, error) {
	if len(b.Width) != len(b.Altitude) {
		return nil, fmt.Errorf("bed: %d widths for %d points", len(b.Width), len(b.Altitude))
	}
	fl := geometry.NewFlowline("main", b.Dx, b.Altitude)
	for i, w := range b.Width {
		fl.Shapes[i] = b.Shape
		switch b.Shape {
		case geometry.Parabolic:
			if w > 0 {
				fl.ParabolaP[i] = 400 / (w * w)
			}
		default:
			fl.Width[i], fl.Lambda[i] = w, b.Lambda
		}
	}
	if _, err := geometry.NewGlacier(fl); err != nil {
		return nil, fmt.Errorf("bed: %w", err)
	}
	return fl, nil
}

// String shows the bed in one line.
func (b *Bed) String() string {
	if b.Points() == 0 {
		return "empty bed"
	}
	wmin, wmax := minMax(b.Width)
	width := fmt.Sprintf("%g m wide", wmin)
	if wmin != wmax {
		width = fmt.Sprintf("%g–%g m wide", wmin, wmax)
	}
	shape := b.Shape.String()
	if b.Shape == geometry.Trapezoidal {
		shape += fmt.Sprintf(" (λ = %g)", b.Lambda)
	}
	return fmt.Sprintf("%s bed, %s, from %.0f m to %.0f m over %.1f km (%d points, %g m apart)",
		strings.ToUpper(shape[:1])+shape[1:], width, b.Altitude[0], b.Altitude[len(b.Altitude)-1], b.Length()/1000, b.Points(), b.Dx)
}

func linear(top, bottom float64, n int) []float64 {
	z := make([]float64, n)
	for i := range z {
		z[i] = top - (top-bottom)*float64(i)/float64(n-1)
	}
	return z
}

func constant(v float64, n int) []float64 {
	z := make([]float64, n)
	for i := range z {
		z[i] = v
	}
	return z
}

func minMax(x []float64) (lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, v := range x {
		lo, hi = min(lo, v), max(hi, v)
	}
	return lo, hi
}
