package proj

import (
	"fmt"
	"math"

	"github.com/paulmach/orb"
)

// Transform returns a copy of g with each point taken from system from to
// system to (through longitude and latitude); g is unchanged. It fails,
// naming the point, when a point has no finite image in to (the point on
// the equator 90° from the central meridian of a transverse Mercator, or
// a latitude beyond ±90°).
func Transform(g orb.Geometry, from, to *CRS) (orb.Geometry, error) {
	if from == nil || to == nil {
		return nil, fmt.Errorf("proj: Transform needs both coordinate systems")
	}
	if g == nil {
		return nil, nil
	}
	out := orb.Clone(g)
	if from.Equal(to) {
		return out, nil
	}
	k := 0
	var bad error
	fn := func(p *orb.Point) {
		k++
		lon, lat := from.ToLonLat(p[0], p[1])
		x, y := to.FromLonLat(lon, lat)
		if bad == nil && !(isFinite(x) && isFinite(y)) {
			bad = fmt.Errorf("proj: point %d (%g, %g) of the %s has no coordinates in %s", k, p[0], p[1], g.GeoJSONType(), to)
		}
		p[0], p[1] = x, y
	}
	if p, ok := out.(orb.Point); ok {
		fn(&p)
		out = p
	} else {
		apply(out, fn)
	}
	if bad != nil {
		return nil, bad
	}
	return out, nil
}

// apply calls f on every point of g, in place, in order.
func apply(g orb.Geometry, f func(*orb.Point)) {
	pts := func(ps []orb.Point) {
		for i := range ps {
			f(&ps[i])
		}
	}
	switch g := g.(type) {
	case orb.MultiPoint:
		pts(g)
	case orb.LineString:
		pts(g)
	case orb.Ring:
		pts(g)
	case orb.MultiLineString:
		for _, l := range g {
			pts(l)
		}
	case orb.Polygon:
		for _, r := range g {
			pts(r)
		}
	case orb.MultiPolygon:
		for _, p := range g {
			for _, r := range p {
				pts(r)
			}
		}
	case orb.Collection:
		for i, c := range g {
			if p, ok := c.(orb.Point); ok {
				f(&p)
				g[i] = p
				continue
			}
			apply(c, f)
		}
	}
}

func isFinite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }
