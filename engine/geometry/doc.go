// Package geometry describes what a flowline glacier model flows over: a
// flowline is a line of points at a constant spacing Δx, each with a bed
// elevation and a cross-section shape; a glacier is one main flowline and any
// number of tributaries, each flowing into a point of another flowline.
//
// # Bed shapes
//
// Each point has its own shape, so a "mixed" flowline is just one whose
// points differ. With H the ice thickness (m), w the top width (m) and S the
// cross-section area (m²), as in OGGM (Maussion et al. 2019, GMD 12, 909,
// section 2.5.1):
//
//	Rectangular  (width w):                 w = w,            S = w·H
//	Parabolic    (P, m⁻¹):                  w = √(4H/P),      S = (2/3)·w·H
//	Trapezoidal  (bottom width w0, λ):      w = w0 + λ·H,     S = (w0 + w)/2·H
//
// A rectangle is a trapezoid with λ = 0. [Flowline.Section],
// [Flowline.Thickness] and [Flowline.TopWidth] convert between the three
// quantities at one point; the inverse S → H is closed-form for every shape.
//
// # Use
//
//	main := geometry.NewFlowline("main", 100, bed)   // rectangular, 0 m wide
//	main.SetRectangular(300)                        // 300 m everywhere
//	trib := geometry.NewFlowline("trib", 100, bed[:20])
//	trib.SetRectangular(300)
//	trib.FlowsTo = &geometry.Junction{Line: "main", Point: 19}
//	g, err := geometry.NewGlacier(main, trib)
//
// [NewGlacier] checks everything the dynamics relies on (lengths, positive
// widths, tributaries that reach an existing point, no cycles) and returns an
// error that names the flowline, the field and the point.
package geometry
