package plots

import (
	"encoding/json"
	"fmt"
	"image/color"
	"math"
	"os"
	"sort"
	"strconv"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
	"github.com/paulmach/orb/simplify"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// MapOptions control Map. The zero value gives the defaults.
type MapOptions struct {
	// Projected says the coordinates are metres of a projected coordinate
	// system. By default Map takes them for longitude and latitude in
	// degrees when they all lie within ±180 and ±90, and for metres
	// otherwise.
	Projected bool
	// Title is drawn above the map; empty means none.
	Title string
	// Width and Height of the figure, cm; 0 means 16 × 12 cm.
	Width, Height float64
}

// Map draws glacier outlines (orb.Polygon or orb.MultiPolygon; lines and
// points are drawn too) filled in light blue, at equal scales in both
// directions, in longitude and latitude (°) or, when projected, in easting
// and northing (km, or m for a map under 5 km across). labels may be nil;
// a non-empty label is written in the outline's interior.
func Map(outlines []orb.Geometry, labels []string, opts MapOptions) (*Figure, error) {
	const fn = "plots.Map"
	if len(outlines) == 0 {
		return nil, fmt.Errorf("%s: no outlines to draw", fn)
	}
	if labels != nil && len(labels) != len(outlines) {
		return nil, fmt.Errorf("%s: %d labels for %d outlines; give one label per outline (\"\" for none), or nil", fn, len(labels), len(outlines))
	}
	bound := orb.Bound{Min: orb.Point{math.Inf(1), math.Inf(1)}, Max: orb.Point{math.Inf(-1), math.Inf(-1)}}
	for i, g := range outlines {
		where := fmt.Sprintf("%s: outline %d", fn, i+1)
		if labels != nil && labels[i] != "" {
			where += fmt.Sprintf(" (%q)", labels[i])
		}
		if err := checkGeometry(where, g); err != nil {
			return nil, err
		}
		b := g.Bound()
		bound.Min = orb.Point{min(bound.Min[0], b.Min[0]), min(bound.Min[1], b.Min[1])}
		bound.Max = orb.Point{max(bound.Max[0], b.Max[0]), max(bound.Max[1], b.Max[1])}
	}
	lonLat := !opts.Projected && bound.Min[0] >= -180 && bound.Max[0] <= 180 && bound.Min[1] >= -90 && bound.Max[1] <= 90
	scale, xLabel, yLabel := 1.0, "Longitude (°E)", "Latitude (°N)"
	xScale := math.Cos((bound.Min[1] + bound.Max[1]) / 2 * math.Pi / 180)
	if !lonLat {
		xScale = 1
		xLabel, yLabel = "Easting (m)", "Northing (m)"
		if max(bound.Max[0]-bound.Min[0], bound.Max[1]-bound.Min[1]) >= 5000 {
			scale, xLabel, yLabel = 1e-3, "Easting (km)", "Northing (km)"
		}
	}
	if !(xScale > 0.01) {
		return nil, fmt.Errorf("%s: the outlines reach latitude %g°, too near a pole for a longitude–latitude map; project them", fn, max(math.Abs(bound.Min[1]), math.Abs(bound.Max[1])))
	}

	p := newPlot(opts.Title, xLabel, yLabel)
	p.X.Tick.Marker = niceTicks{target: 4}
	span := max((bound.Max[0]-bound.Min[0])*xScale, bound.Max[1]-bound.Min[1]) * scale
	pad := 0.04 * span
	setRange(&p.X, bound.Min[0]*scale-pad/xScale, bound.Max[0]*scale+pad/xScale, 0)
	setRange(&p.Y, bound.Min[1]*scale-pad, bound.Max[1]*scale+pad, 0)

	var fill color.Color = iceFill
	outline := draw.LineStyle{Color: oiBlue, Width: vg.Points(0.7)}
	lbl := &marks{}
	var pts []xy
	// Points closer to a simplified outline than 1/1500 of the map, about
	// 0.3 pt on a 16 cm map, are not drawn: it keeps SVGs of detailed
	// (RGI) outlines small.
	tol := span / 1500
	for i, g := range outlines {
		polys, lines, points := flatten(g)
		for _, poly := range polys {
			p.Add(&area{rings: simplifyRings(ringsXY(poly, scale), tol, xScale), fill: fill, line: outline})
		}
		for _, l := range lines {
			p.Add(&polyline{pts: lineXY(l, scale), style: outline})
		}
		for _, q := range points {
			pts = append(pts, xy{q[0] * scale, q[1] * scale})
		}
		if labels != nil && labels[i] != "" {
			at := labelPoint(polys, lines, points)
			lbl.at = append(lbl.at, xy{at[0] * scale, at[1] * scale})
			lbl.texts = append(lbl.texts, labels[i])
		}
	}
	if len(pts) > 0 {
		p.Add(&dots{at: pts, color: oiBlue})
	}
	if len(lbl.texts) > 0 {
		p.Add(lbl)
	}
	pn := &panel{p: p, series: len(outlines), xScale: xScale}
	f := newFigure("map", pn, opts.Width, opts.Height)
	f.defH = 12
	return f, nil
}

// checkGeometry checks that a geometry is one Map can draw: not nil, not
// empty, with finite coordinates.
func checkGeometry(where string, g orb.Geometry) error {
	if g == nil {
		return fmt.Errorf("%s is nil", where)
	}
	polys, lines, points := flatten(g)
	if len(polys)+len(lines)+len(points) == 0 {
		return fmt.Errorf("%s is an empty %s", where, g.GeoJSONType())
	}
	k := 0
	bad := func(q orb.Point) error {
		k++
		if !finite(q[0]) || !finite(q[1]) {
			return fmt.Errorf("%s: coordinate %d is (%g, %g)", where, k, q[0], q[1])
		}
		return nil
	}
	for _, poly := range polys {
		for _, r := range poly {
			if len(r) < 3 {
				return fmt.Errorf("%s: a ring has %d points; a polygon ring needs at least 3", where, len(r))
			}
			for _, q := range r {
				if err := bad(q); err != nil {
					return err
				}
			}
		}
	}
	for _, l := range lines {
		for _, q := range l {
			if err := bad(q); err != nil {
				return err
			}
		}
	}
	for _, q := range points {
		if err := bad(q); err != nil {
			return err
		}
	}
	return nil
}

// flatten splits a geometry into polygons, lines and points.
func flatten(g orb.Geometry) (polys []orb.Polygon, lines []orb.LineString, points []orb.Point) {
	switch g := g.(type) {
	case orb.Point:
		points = append(points, g)
	case orb.MultiPoint:
		points = append(points, g...)
	case orb.LineString:
		if len(g) > 0 {
			lines = append(lines, g)
		}
	case orb.MultiLineString:
		for _, l := range g {
			if len(l) > 0 {
				lines = append(lines, l)
			}
		}
	case orb.Ring:
		if len(g) > 0 {
			polys = append(polys, orb.Polygon{g})
		}
	case orb.Polygon:
		if len(g) > 0 {
			polys = append(polys, g)
		}
	case orb.MultiPolygon:
		for _, p := range g {
			if len(p) > 0 {
				polys = append(polys, p)
			}
		}
	case orb.Bound:
		polys = append(polys, g.ToPolygon())
	case orb.Collection:
		for _, c := range g {
			if c == nil {
				continue
			}
			p, l, q := flatten(c)
			polys, lines, points = append(polys, p...), append(lines, l...), append(points, q...)
		}
	}
	return polys, lines, points
}

// ringsXY converts a polygon to rings in plot coordinates, the outer ring
// anticlockwise and holes clockwise, so that holes stay empty.
func ringsXY(poly orb.Polygon, scale float64) [][]xy {
	out := make([][]xy, len(poly))
	for i, r := range poly {
		want := orb.CCW
		if i > 0 {
			want = orb.CW
		}
		reverse := r.Orientation() != want
		pts := make([]xy, len(r))
		for k, q := range r {
			j := k
			if reverse {
				j = len(r) - 1 - k
			}
			pts[j] = xy{q[0] * scale, q[1] * scale}
		}
		out[i] = pts
	}
	return out
}

// simplifyRings simplifies each ring with Douglas–Peucker at tolerance tol
// (in y units; x is stretched by xScale to measure distances); a hole that
// shrinks to nothing is dropped, an outer ring is kept as it was.
func simplifyRings(rings [][]xy, tol, xScale float64) [][]xy {
	out := rings[:0:0]
	for i, r := range rings {
		s := simplifyLine(r, tol, xScale)
		switch {
		case len(s) >= 4:
			out = append(out, s)
		case i == 0:
			out = append(out, r)
		}
	}
	return out
}

// simplifyLine returns the points of pts that Douglas–Peucker keeps at
// tolerance tol (orb/simplify), the first and last always. Distances are
// measured with x stretched by xScale; the points returned are those of
// pts, unchanged.
func simplifyLine(pts []xy, tol, xScale float64) []xy {
	n := len(pts)
	if n < 3 || !(tol > 0) {
		return pts
	}
	ls := make(orb.LineString, n)
	for i, q := range pts {
		ls[i] = orb.Point{q.X * xScale, q.Y}
	}
	// The simplifier keeps a subsequence of the points it is given (in
	// place, as they were): walk both to find the originals.
	scaled := append(orb.LineString(nil), ls...)
	kept := simplify.DouglasPeucker(tol).LineString(ls)
	out := make([]xy, 0, len(kept))
	for i, k := 0, 0; i < n && k < len(kept); i++ {
		if scaled[i] == kept[k] {
			out = append(out, pts[i])
			k++
		}
	}
	return out
}

func lineXY(l orb.LineString, scale float64) []xy {
	out := make([]xy, len(l))
	for i, q := range l {
		out[i] = xy{q[0] * scale, q[1] * scale}
	}
	return out
}

// labelPoint returns where a label goes: the middle of the widest
// horizontal chord of the largest polygon at the height of its centroid
// (inside the outline even when it is curved), else the middle of a line
// or the first point.
func labelPoint(polys []orb.Polygon, lines []orb.LineString, points []orb.Point) orb.Point {
	if len(polys) > 0 {
		best, bestArea := polys[0], -1.0
		for _, p := range polys {
			if a := math.Abs(planar.Area(p)); a > bestArea {
				best, bestArea = p, a
			}
		}
		c, _ := planar.CentroidArea(best)
		if mid, ok := widestChord(best, c[1]); ok {
			return orb.Point{mid, c[1]}
		}
		return c
	}
	if len(lines) > 0 {
		l := lines[0]
		return l[len(l)/2]
	}
	return points[0]
}

// widestChord returns the middle of the widest interior interval of the
// horizontal line at height y through polygon p.
func widestChord(p orb.Polygon, y float64) (float64, bool) {
	var xs []float64
	for _, r := range p {
		for i := range r {
			a, b := r[i], r[(i+1)%len(r)]
			if (a[1] > y) != (b[1] > y) {
				xs = append(xs, a[0]+(y-a[1])*(b[0]-a[0])/(b[1]-a[1]))
			}
		}
	}
	sort.Float64s(xs)
	best, width := 0.0, -1.0
	for i := 0; i+1 < len(xs); i += 2 {
		if w := xs[i+1] - xs[i]; w > width {
			best, width = (xs[i]+xs[i+1])/2, w
		}
	}
	return best, width > 0
}

// ReadGeoJSON reads the geometries and properties of the features of a
// GeoJSON file (RFC 7946): a FeatureCollection, a single Feature or a bare
// geometry (which has no properties). Numbers in properties are float64.
func ReadGeoJSON(path string) ([]orb.Geometry, []map[string]any, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	gs, props, err := decodeGeoJSON(data)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	return gs, props, nil
}

// geoObject is any GeoJSON object, decoded lazily.
type geoObject struct {
	Type        string          `json:"type"`
	Features    []geoObject     `json:"features"`
	Geometry    json.RawMessage `json:"geometry"`
	Properties  map[string]any  `json:"properties"`
	Coordinates json.RawMessage `json:"coordinates"`
	Geometries  []geoObject     `json:"geometries"`
}

func decodeGeoJSON(data []byte) ([]orb.Geometry, []map[string]any, error) {
	var obj geoObject
	if err := json.Unmarshal(data, &obj); err != nil {
		return nil, nil, fmt.Errorf("not GeoJSON: %w", err)
	}
	switch obj.Type {
	case "FeatureCollection":
		if len(obj.Features) == 0 {
			return nil, nil, fmt.Errorf("the feature collection has no features")
		}
		gs := make([]orb.Geometry, len(obj.Features))
		props := make([]map[string]any, len(obj.Features))
		for i := range obj.Features {
			g, err := featureGeometry(&obj.Features[i])
			if err != nil {
				return nil, nil, fmt.Errorf("feature %d%s: %w", i+1, featureName(obj.Features[i].Properties), err)
			}
			gs[i], props[i] = g, obj.Features[i].Properties
		}
		return gs, props, nil
	case "Feature":
		g, err := featureGeometry(&obj)
		if err != nil {
			return nil, nil, fmt.Errorf("feature%s: %w", featureName(obj.Properties), err)
		}
		return []orb.Geometry{g}, []map[string]any{obj.Properties}, nil
	case "":
		return nil, nil, fmt.Errorf("not GeoJSON: the top-level object has no \"type\"")
	}
	g, err := decodeGeometry(&obj)
	if err != nil {
		return nil, nil, err
	}
	return []orb.Geometry{g}, []map[string]any{nil}, nil
}

// featureName gives a feature's RGIId or name for an error message.
func featureName(props map[string]any) string {
	for _, k := range []string{"RGIId", "rgi_id", "Name", "name", "id"} {
		if s, ok := props[k].(string); ok && s != "" {
			return fmt.Sprintf(" (%s)", s)
		}
	}
	return ""
}

func featureGeometry(f *geoObject) (orb.Geometry, error) {
	if f.Type != "Feature" {
		return nil, fmt.Errorf("type is %q, want \"Feature\"", f.Type)
	}
	if len(f.Geometry) == 0 || string(f.Geometry) == "null" {
		return nil, fmt.Errorf("no geometry")
	}
	var g geoObject
	if err := json.Unmarshal(f.Geometry, &g); err != nil {
		return nil, fmt.Errorf("geometry: %w", err)
	}
	return decodeGeometry(&g)
}

func decodeGeometry(g *geoObject) (orb.Geometry, error) {
	if g.Type == "GeometryCollection" {
		c := make(orb.Collection, len(g.Geometries))
		for i := range g.Geometries {
			var err error
			if c[i], err = decodeGeometry(&g.Geometries[i]); err != nil {
				return nil, fmt.Errorf("geometry %d of the collection: %w", i+1, err)
			}
		}
		return c, nil
	}
	var err error
	coords := func(v any) {
		if err == nil {
			if e := json.Unmarshal(g.Coordinates, v); e != nil {
				err = fmt.Errorf("%s coordinates: %w", g.Type, e)
			}
		}
	}
	var out orb.Geometry
	switch g.Type {
	case "Point":
		var c []float64
		coords(&c)
		if err == nil && len(c) < 2 {
			err = fmt.Errorf("point has %d coordinates, want 2", len(c))
		}
		if err == nil {
			out = orb.Point{c[0], c[1]}
		}
	case "MultiPoint":
		var c [][]float64
		coords(&c)
		var ps []orb.Point
		ps, err = toPoints(c, err)
		out = orb.MultiPoint(ps)
	case "LineString":
		var c [][]float64
		coords(&c)
		var ps []orb.Point
		ps, err = toPoints(c, err)
		out = orb.LineString(ps)
	case "MultiLineString":
		var c [][][]float64
		coords(&c)
		m := make(orb.MultiLineString, len(c))
		for i := range c {
			var ps []orb.Point
			ps, err = toPoints(c[i], err)
			m[i] = ps
		}
		out = m
	case "Polygon":
		var c [][][]float64
		coords(&c)
		var p orb.Polygon
		p, err = toPolygon(c, err)
		out = p
	case "MultiPolygon":
		var c [][][][]float64
		coords(&c)
		m := make(orb.MultiPolygon, len(c))
		for i := range c {
			m[i], err = toPolygon(c[i], err)
		}
		out = m
	default:
		return nil, fmt.Errorf("unknown geometry type %q", g.Type)
	}
	if err != nil {
		return nil, err
	}
	return out, nil
}

func toPoints(c [][]float64, err error) ([]orb.Point, error) {
	if err != nil {
		return nil, err
	}
	ps := make([]orb.Point, len(c))
	for i, q := range c {
		if len(q) < 2 {
			return nil, fmt.Errorf("position %d has %d coordinates, want 2", i+1, len(q))
		}
		ps[i] = orb.Point{q[0], q[1]}
	}
	return ps, nil
}

func toPolygon(c [][][]float64, err error) (orb.Polygon, error) {
	if err != nil {
		return nil, err
	}
	p := make(orb.Polygon, len(c))
	for i := range c {
		ps, err := toPoints(c[i], nil)
		if err != nil {
			return nil, fmt.Errorf("ring %d: %w", i+1, err)
		}
		p[i] = ps
	}
	return p, nil
}

// FeatureLabels returns a label for each feature: the value of the first of
// keys that the feature's properties have as a non-empty string (or a
// number), else "". For RGI outlines, FeatureLabels(props, "Name", "RGIId")
// gives the glacier's name where it has one and its RGI id otherwise.
func FeatureLabels(props []map[string]any, keys ...string) []string {
	out := make([]string, len(props))
	for i, p := range props {
		for _, k := range keys {
			switch v := p[k].(type) {
			case string:
				if v != "" {
					out[i] = v
				}
			case float64:
				out[i] = strconv.FormatFloat(v, 'g', -1, 64)
			}
			if out[i] != "" {
				break
			}
		}
	}
	return out
}
