package geometry

import (
	"fmt"
	"math"
)

// Shape is the cross-section shape of a flowline at one point.
type Shape uint8

const (
	// Rectangular: vertical walls, top width Flowline.Width (m).
	Rectangular Shape = iota
	// Parabolic: w = √(4H/P), with P = Flowline.ParabolaP (m⁻¹).
	Parabolic
	// Trapezoidal: bottom width Flowline.Width (m), walls that widen by
	// Flowline.Lambda metres of width per metre of thickness.
	Trapezoidal
)

var shapeNames = [...]string{"rectangular", "parabolic", "trapezoidal"}

// String returns the shape's name as the experiment file spells it.
func (s Shape) String() string {
	if int(s) < len(shapeNames) {
		return shapeNames[s]
	}
	return fmt.Sprintf("Shape(%d)", s)
}

// ParseShape returns the shape with the given name ("rectangular",
// "parabolic" or "trapezoidal").
func ParseShape(name string) (Shape, error) {
	for i, n := range shapeNames {
		if n == name {
			return Shape(i), nil
		}
	}
	return 0, fmt.Errorf("unknown bed shape %q (want rectangular, parabolic or trapezoidal)", name)
}

// Junction says where a tributary flows: into point Point (0-based) of the
// flowline named Line.
type Junction struct {
	Line  string
	Point int
}

// Flowline is a line of points at spacing Dx. All per-point slices have one
// value per point; values a shape does not use are ignored (Lambda and
// ParabolaP of a rectangular point, Width of a parabolic one).
type Flowline struct {
	// Name identifies the flowline within its glacier.
	Name string
	// Dx is the distance between two points, m.
	Dx float64
	// Bed is the bed elevation at each point, m above sea level.
	Bed []float64
	// Shapes is the cross-section shape at each point.
	Shapes []Shape
	// Width is the width at each point, m: the width of a rectangle or the
	// bottom width of a trapezoid.
	Width []float64
	// Lambda is the trapezoid side factor at each point (dimensionless: m of
	// width per m of thickness).
	Lambda []float64
	// ParabolaP is the parabola parameter P at each point, m⁻¹.
	ParabolaP []float64
	// FlowsTo is where a tributary flows; nil for the main flowline.
	FlowsTo *Junction
}

// NewFlowline returns a rectangular flowline of zero width over the given
// bed (m), with points dx metres apart. Set its shape with SetRectangular,
// SetParabolic, SetTrapezoidal or by filling the per-point slices.
func NewFlowline(name string, dx float64, bed []float64) *Flowline {
	n := len(bed)
	return &Flowline{
		Name:      name,
		Dx:        dx,
		Bed:       append([]float64(nil), bed...),
		Shapes:    make([]Shape, n),
		Width:     make([]float64, n),
		Lambda:    make([]float64, n),
		ParabolaP: make([]float64, n),
	}
}

// Len returns the number of points.
func (fl *Flowline) Len() int { return len(fl.Bed) }

// Distance returns the distance of point i from the first point, m.
func (fl *Flowline) Distance(i int) float64 { return float64(i) * fl.Dx }

// SetRectangular makes every point a rectangle of the given width (m).
func (fl *Flowline) SetRectangular(width float64) {
	for i := range fl.Bed {
		fl.Shapes[i], fl.Width[i], fl.Lambda[i] = Rectangular, width, 0
	}
}

// SetParabolic makes every point a parabola with parameter p (m⁻¹).
func (fl *Flowline) SetParabolic(p float64) {
	for i := range fl.Bed {
		fl.Shapes[i], fl.ParabolaP[i] = Parabolic, p
	}
}

// SetTrapezoidal makes every point a trapezoid with the given bottom width
// (m) and side factor lambda.
func (fl *Flowline) SetTrapezoidal(bottomWidth, lambda float64) {
	for i := range fl.Bed {
		fl.Shapes[i], fl.Width[i], fl.Lambda[i] = Trapezoidal, bottomWidth, lambda
	}
}

// Section returns the cross-section area, m², at point i for ice thickness
// h (m).
func (fl *Flowline) Section(i int, h float64) float64 {
	switch fl.Shapes[i] {
	case Parabolic:
		return 2.0 / 3.0 * math.Sqrt(4*h/fl.ParabolaP[i]) * h
	case Trapezoidal:
		return (fl.Width[i] + 0.5*fl.Lambda[i]*h) * h
	default:
		return fl.Width[i] * h
	}
}

// Thickness returns the ice thickness, m, at point i for the cross-section
// area s (m²). It inverts Section exactly; s ≤ 0 gives 0.
func (fl *Flowline) Thickness(i int, s float64) float64 {
	if s <= 0 {
		return 0
	}
	switch fl.Shapes[i] {
	case Parabolic:
		// S = (4/3)·H^{3/2}/√P  ⇒  H = (3/4·S·√P)^{2/3}, as ∛x·∛x so that
		// a tiny section does not underflow to zero thickness (and zero
		// width, which would leave it unmelted for ever).
		c := math.Cbrt(0.75 * s * math.Sqrt(fl.ParabolaP[i]))
		return c * c
	case Trapezoidal:
		return trapezoidThickness(fl.Width[i], fl.Lambda[i], s)
	default:
		return s / fl.Width[i]
	}
}

// trapezoidThickness solves S = w0·H + λ/2·H² for H ≥ 0 in the form
// H = 2S/(w0 + √(w0² + 2λS)), which has no cancellation for small S and
// holds for λ = 0 (a rectangle) too.
func trapezoidThickness(w0, lambda, s float64) float64 {
	return 2 * s / (w0 + math.Sqrt(w0*w0+2*lambda*s))
}

// TopWidth returns the width of the ice surface, m, at point i for ice
// thickness h (m). For h = 0 it is the width of the empty bed (0 for a
// parabola).
func (fl *Flowline) TopWidth(i int, h float64) float64 {
	switch fl.Shapes[i] {
	case Parabolic:
		return math.Sqrt(4 * h / fl.ParabolaP[i])
	case Trapezoidal:
		return fl.Width[i] + fl.Lambda[i]*h
	default:
		return fl.Width[i]
	}
}

// validate checks the per-point data of one flowline.
func (fl *Flowline) validate() error {
	n := len(fl.Bed)
	if fl.Name == "" {
		return fmt.Errorf("flowline has no name")
	}
	if n < 2 {
		return fmt.Errorf("flowline %q: bed has %d points, need at least 2", fl.Name, n)
	}
	if !(fl.Dx > 0) || math.IsInf(fl.Dx, 0) {
		return fmt.Errorf("flowline %q: dx must be a positive number of metres, got %g", fl.Name, fl.Dx)
	}
	for _, f := range []struct {
		name string
		n    int
	}{{"shapes", len(fl.Shapes)}, {"width", len(fl.Width)}, {"lambda", len(fl.Lambda)}, {"parabola_p", len(fl.ParabolaP)}} {
		if f.n != n {
			return fmt.Errorf("flowline %q: %s has %d values, bed has %d points", fl.Name, f.name, f.n, n)
		}
	}
	for i := 0; i < n; i++ {
		if math.IsNaN(fl.Bed[i]) || math.IsInf(fl.Bed[i], 0) {
			return fmt.Errorf("flowline %q: bed at point %d is %g", fl.Name, i, fl.Bed[i])
		}
		switch fl.Shapes[i] {
		case Rectangular:
			if !(fl.Width[i] > 0) || math.IsInf(fl.Width[i], 0) {
				return fmt.Errorf("flowline %q: width at point %d must be positive for a rectangular bed, got %g m", fl.Name, i, fl.Width[i])
			}
		case Trapezoidal:
			if !(fl.Width[i] >= 0) || math.IsInf(fl.Width[i], 0) {
				return fmt.Errorf("flowline %q: bottom width at point %d must not be negative, got %g m", fl.Name, i, fl.Width[i])
			}
			if !(fl.Lambda[i] >= 0) || math.IsInf(fl.Lambda[i], 0) {
				return fmt.Errorf("flowline %q: lambda at point %d must not be negative, got %g", fl.Name, i, fl.Lambda[i])
			}
			if fl.Width[i] == 0 && fl.Lambda[i] == 0 {
				return fmt.Errorf("flowline %q: trapezoid at point %d has zero bottom width and lambda 0 (no section)", fl.Name, i)
			}
		case Parabolic:
			if !(fl.ParabolaP[i] > 0) || math.IsInf(fl.ParabolaP[i], 0) {
				return fmt.Errorf("flowline %q: parabola_p at point %d must be positive, got %g m⁻¹", fl.Name, i, fl.ParabolaP[i])
			}
		default:
			return fmt.Errorf("flowline %q: unknown shape %d at point %d", fl.Name, fl.Shapes[i], i)
		}
	}
	return nil
}
