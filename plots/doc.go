// Package plots draws Firn's glacier plots on gonum/plot: one call for each
// kind, with defaults that are fit to print.
//
//   - [Profile]: longitudinal profiles of a flowline (bed over rock, the ice
//     filled, its surface), several times or runs overlaid, with an
//     optional ELA line; [ProfilesAt] takes them from a run's history.
//   - [TimeSeries]: volume, area or length of several runs against time,
//     absolute (km³, km², km) or relative (% of the first value or of a
//     reference).
//   - [MassBalanceProfile]: the balance of mass-balance models (m w.e./yr)
//     against altitude.
//   - [CrossSection]: the bed shape across the flow at one point, with ice
//     of a given thickness, at equal scales.
//   - [Map]: glacier outlines in longitude and latitude or projected
//     coordinates, read with [ReadGeoJSON] and labelled with
//     [FeatureLabels].
//   - [ThicknessMap]: a real glacier's ice thickness on its map (an
//     engine/glacier Glacier and its distributed thickness), as a heat
//     map under its outline and flowline, with a colour bar.
//     [RealGlacierMap], [RealGlacierProfile] and [RealHistories] draw an
//     edu.RealGlacier in one call.
//   - One call for a teaching glacier (engine/edu): [Glacier],
//     [GlacierHistory], [Histories], [Collection] (profiles, volume and
//     length of a collection), [Bed] and [GlacierBed] (a side view above
//     a top view of the valley, its width half on each side of the
//     flowline, the ice where there is some), [Runoff] (the runoff and
//     its four parts). Length axes say which ice counts ("Length of ice >
//     10 m").
//   - [Grid]: figures side by side, aligned, sharing axes of the same
//     quantity, for a collection of glaciers.
//
// Each returns a [Figure], which renders itself as SVG, PNG or PDF, saves
// itself atomically by file extension (inside an os.Root with
// [Figure.SaveIn]), and gives a display bundle for a notebook
// ([Figure.MIME]). [Confine] binds a figure's saves to a writer: Firn's
// notebook kernel confines the figures of sandboxed cells to the
// workspace.
//
// # Use
//
//	h, _ := model.Run(ctx, dynamics.RunOptions{EndYear: 300, Every: 10, Profiles: true})
//	profiles, labels, _ := plots.ProfilesAt(h, flowline, 100, 200, 300)
//	fig, _ := plots.Profile(profiles, labels, plots.ProfileOptions{ELA: 2600})
//	fig.Save("profile.svg")
//
//	vol, _ := plots.TimeSeries([]*dynamics.History{h1, h2}, []string{"ELA 2600 m", "ELA 2700 m"},
//		plots.TimeSeriesOptions{Quantity: plots.Length})
//
// # Style
//
// Axes carry their quantity and unit. Series take the colours of the
// Okabe–Ito palette, readable by colour-blind readers, and cycle through
// solid, dashed, dotted and dash-dot lines, so that they also stay apart
// in greyscale print. A legend is drawn only for more than one series, in
// the corner of the plot where it covers the least data. There is no box,
// no minor ticks and, except for time series, no grid. Text is Liberation
// Sans, whose metrics match Arial and Helvetica, which an SVG names as
// fallbacks.
//
// # Invariants
//
// Figures are sized in centimetres (16 × 10 cm by default) and PNGs drawn
// at 96 DPI unless Figure.DPI says otherwise. Rendering the same figure
// gives byte-identical output every time, and may happen from several
// goroutines. Bad input — no data, labels that do not match the series, a
// point outside a flowline, NaN values — gives an error that names the
// function, the series and what is wrong; no function of this package
// panics on its input, and a panic inside a mass-balance model becomes an
// error.
//
// # Outlines
//
// Map simplifies outlines with orb's Douglas–Peucker
// (github.com/paulmach/orb/simplify), with x stretched by cos(latitude)
// so that the tolerance is a distance on the map. ReadGeoJSON does not use
// orb/geojson, measured: it imports go.mongodb.org/mongo-driver/v2/bson
// for its BSON support, a module of its own (five packages) that makes
// the firn binary 1.0 MB larger (52.18 to 53.20 MB; a program that only
// reads GeoJSON through this package: 9.89 to 11.45 MB, go build,
// linux/amd64), and it reads what ReadGeoJSON refuses: a position with
// one coordinate, [3], becomes the point (3, 0) without an error, and an
// unknown geometry type fails as "geojson: invalid geometry" without
// naming it or the feature. ReadGeoJSON is about 200 lines of
// encoding/json that decode into orb's geometry types and name the
// feature (its RGI id), the ring and the position of a problem.
//
// The package sits above engine/ and only reads its types.
package plots
