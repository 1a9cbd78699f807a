package proj

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// CRS is a coordinate reference system: longitude and latitude in
// degrees on an ellipsoid (geographic), or easting and northing in metres
// of a transverse Mercator projection of it (UTM and the like). It is
// what a shapefile's .prj or a GeoTIFF's GeoKeys say, and what an outline
// or a grid is turned into.
//
// The datums this package knows (WGS 84, ETRS89, NAD83) are taken to be
// the same: they differ by less than 2 m in Europe and North America,
// below the resolution of the DEMs and outlines Firn reads. Other datums
// and projections are refused with an error that names them.
type CRS struct {
	// Name is the name the file gave, or a made-up one ("WGS 84").
	Name string
	// EPSG is the EPSG code, 0 when there is none.
	EPSG int
	// Ellipsoid is the datum's ellipsoid.
	Ellipsoid Ellipsoid
	// TM is the projection of a projected system; nil for a geographic
	// one.
	TM *TransverseMercator
}

// LonLat returns the geographic system of WGS 84 (EPSG:4326): longitude
// and latitude in degrees.
func LonLat() *CRS { return &CRS{Name: "WGS 84", EPSG: 4326, Ellipsoid: WGS84} }

// Projected returns the projected system of tm, named name.
func Projected(name string, tm *TransverseMercator) *CRS {
	return &CRS{Name: name, Ellipsoid: tm.Ellipsoid(), TM: tm}
}

// Geographic reports whether coordinates are longitude and latitude.
func (c *CRS) Geographic() bool { return c.TM == nil }

// String names the system, with its EPSG code when it has one.
func (c *CRS) String() string {
	if c == nil {
		return "no coordinate system"
	}
	if c.EPSG != 0 {
		return fmt.Sprintf("%s (EPSG:%d)", c.Name, c.EPSG)
	}
	if c.TM != nil {
		return fmt.Sprintf("%s (%s)", c.Name, c.TM)
	}
	return c.Name
}

// ToLonLat returns the longitude and latitude (degrees) of the point
// (x, y) of the system.
func (c *CRS) ToLonLat(x, y float64) (lon, lat float64) {
	if c.TM == nil {
		return x, y
	}
	return c.TM.Inverse(x, y)
}

// FromLonLat returns the coordinates in the system of the point at
// longitude lon and latitude lat (degrees).
func (c *CRS) FromLonLat(lon, lat float64) (x, y float64) {
	if c.TM == nil {
		return lon, lat
	}
	return c.TM.Forward(lon, lat)
}

// Equal reports whether two systems give the same coordinates to a
// point (within the datums' tolerance: see [CRS]).
func (c *CRS) Equal(o *CRS) bool {
	if c == nil || o == nil {
		return c == o
	}
	if (c.TM == nil) != (o.TM == nil) {
		return false
	}
	if c.TM == nil {
		return true
	}
	a, b := c.TM, o.TM
	same := func(x, y, tol float64) bool { return math.Abs(x-y) <= tol }
	return same(math.Remainder(a.lon0-b.lon0, 360), 0, 1e-9) && same(a.lat0, b.lat0, 1e-9) && same(a.k0, b.k0, 1e-12) &&
		same(a.x0, b.x0, 1e-6) && same(a.y0, b.y0, 1e-6) && same(a.ellipsoid.A, b.ellipsoid.A, 1e-3) && same(a.ellipsoid.F, b.ellipsoid.F, 1e-9)
}

// FromEPSG returns the system of an EPSG code: 4326 (WGS 84), 4258
// (ETRS89), 4269 (NAD83), 32601–32660 and 32701–32760 (WGS 84 / UTM north
// and south), 25828–25838 (ETRS89 / UTM) and 26901–26923 (NAD83 / UTM).
func FromEPSG(code int) (*CRS, error) {
	geo := func(name string, ell Ellipsoid) *CRS { return &CRS{Name: name, EPSG: code, Ellipsoid: ell} }
	utm := func(name string, ell Ellipsoid, zone int, north bool) (*CRS, error) {
		tm, err := UTM(zone, north)
		if err != nil {
			return nil, err
		}
		if ell != WGS84 {
			lon0, lat0, k0, x0, y0 := tm.Params()
			if tm, err = NewTransverseMercator(ell, lon0, lat0, k0, x0, y0); err != nil {
				return nil, err
			}
		}
		hemi := "N"
		if !north {
			hemi = "S"
		}
		return &CRS{Name: fmt.Sprintf("%s / UTM zone %d%s", name, zone, hemi), EPSG: code, Ellipsoid: ell, TM: tm}, nil
	}
	switch {
	case code == 4326:
		return geo("WGS 84", WGS84), nil
	case code == 4258:
		return geo("ETRS89", GRS80), nil
	case code == 4269:
		return geo("NAD83", GRS80), nil
	case code >= 32601 && code <= 32660:
		return utm("WGS 84", WGS84, code-32600, true)
	case code >= 32701 && code <= 32760:
		return utm("WGS 84", WGS84, code-32700, false)
	case code >= 25828 && code <= 25838:
		return utm("ETRS89", GRS80, code-25800, true)
	case code >= 26901 && code <= 26923:
		return utm("NAD83", GRS80, code-26900, true)
	}
	return nil, fmt.Errorf("proj: EPSG:%d is not a system Firn knows (it knows WGS 84, ETRS89 and NAD83 longitude–latitude and their UTM zones: EPSG 4326, 4258, 4269, 326zz, 327zz, 258zz, 269zz); reproject the file, e.g. with gdalwarp -t_srs EPSG:4326", code)
}

// wktNode is a node of a WKT 1 tree: KEYWORD[value, value, NODE[...]].
type wktNode struct {
	key  string
	vals []string // quoted strings and numbers, in order
	kids []*wktNode
}

func (n *wktNode) child(key string) *wktNode {
	for _, k := range n.kids {
		if strings.EqualFold(k.key, key) {
			return k
		}
	}
	return nil
}

// num returns the i-th value as a number.
func (n *wktNode) num(i int) (float64, bool) {
	if n == nil || i >= len(n.vals) {
		return 0, false
	}
	v, err := strconv.ParseFloat(n.vals[i], 64)
	return v, err == nil
}

func (n *wktNode) str(i int) string {
	if n == nil || i >= len(n.vals) {
		return ""
	}
	return n.vals[i]
}

// epsg returns the node's AUTHORITY["EPSG", "code"] (or ID["EPSG", code]).
func (n *wktNode) epsg() int {
	for _, k := range n.kids {
		if (strings.EqualFold(k.key, "AUTHORITY") || strings.EqualFold(k.key, "ID")) && strings.EqualFold(k.str(0), "EPSG") {
			if c, err := strconv.Atoi(strings.TrimSpace(k.str(1))); err == nil {
				return c
			}
		}
	}
	return 0
}

// parseWKT parses WKT 1 (OGC or ESRI) into a tree.
func parseWKT(s string) (*wktNode, error) {
	p := &wktParser{s: s}
	n, err := p.node()
	if err != nil {
		return nil, err
	}
	p.space()
	if p.i != len(p.s) {
		return nil, fmt.Errorf("text after the end at character %d", p.i+1)
	}
	return n, nil
}

type wktParser struct {
	s     string
	i     int
	depth int
}

func (p *wktParser) space() {
	for p.i < len(p.s) && strings.ContainsRune(" \t\r\n", rune(p.s[p.i])) {
		p.i++
	}
}

func (p *wktParser) node() (*wktNode, error) {
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > 32 {
		return nil, fmt.Errorf("nested too deep at character %d", p.i+1)
	}
	p.space()
	start := p.i
	for p.i < len(p.s) && (p.s[p.i] == '_' || p.s[p.i] >= 'A' && p.s[p.i] <= 'Z' || p.s[p.i] >= 'a' && p.s[p.i] <= 'z' || p.s[p.i] >= '0' && p.s[p.i] <= '9') {
		p.i++
	}
	if p.i == start {
		return nil, fmt.Errorf("want a keyword at character %d", p.i+1)
	}
	n := &wktNode{key: p.s[start:p.i]}
	p.space()
	if p.i >= len(p.s) || (p.s[p.i] != '[' && p.s[p.i] != '(') {
		return n, nil // a bare keyword, e.g. an axis direction
	}
	closer := byte(']')
	if p.s[p.i] == '(' {
		closer = ')'
	}
	p.i++
	for {
		p.space()
		if p.i >= len(p.s) {
			return nil, fmt.Errorf("%s[ is not closed", n.key)
		}
		switch c := p.s[p.i]; {
		case c == '"':
			end := p.i + 1
			var b strings.Builder
			for ; end < len(p.s); end++ {
				if p.s[end] == '"' {
					if end+1 < len(p.s) && p.s[end+1] == '"' { // "" inside a string
						b.WriteByte('"')
						end++
						continue
					}
					break
				}
				b.WriteByte(p.s[end])
			}
			if end >= len(p.s) {
				return nil, fmt.Errorf("a string of %s[ is not closed", n.key)
			}
			n.vals = append(n.vals, b.String())
			p.i = end + 1
		case c == '-' || c == '+' || c == '.' || c >= '0' && c <= '9':
			start := p.i
			for p.i < len(p.s) && strings.IndexByte("+-.0123456789eE", p.s[p.i]) >= 0 {
				p.i++
			}
			n.vals = append(n.vals, p.s[start:p.i])
		default:
			k, err := p.node()
			if err != nil {
				return nil, err
			}
			n.kids = append(n.kids, k)
		}
		p.space()
		if p.i >= len(p.s) {
			return nil, fmt.Errorf("%s[ is not closed", n.key)
		}
		switch p.s[p.i] {
		case ',':
			p.i++
		case closer:
			p.i++
			return n, nil
		default:
			return nil, fmt.Errorf("unexpected %q at character %d in %s[", p.s[p.i], p.i+1, n.key)
		}
	}
}

// ParseWKT reads a coordinate system from well-known text (WKT 1, as in
// a shapefile's .prj, OGC or ESRI flavour): a GEOGCS on WGS 84, ETRS89 or
// NAD83 in degrees, or a PROJCS of it with PROJECTION
// ["Transverse_Mercator"] and its parameters in metres. An EPSG authority
// code, where the text has one, names the system; the parameters define
// it. Anything else fails with an error that says what it is.
func ParseWKT(text string) (*CRS, error) {
	root, err := parseWKT(strings.TrimSpace(text))
	if err != nil {
		return nil, fmt.Errorf("proj: WKT: %w", err)
	}
	switch strings.ToUpper(root.key) {
	case "GEOGCS", "GEOGCRS", "GEODCRS":
		ell, err := wktEllipsoid(root)
		if err != nil {
			return nil, err
		}
		if u := root.child("UNIT"); u != nil {
			if f, ok := u.num(1); ok && math.Abs(f-deg) > 1e-12 {
				return nil, fmt.Errorf("proj: WKT %q: angular unit %q (%g rad); want degrees", root.str(0), u.str(0), f)
			}
		}
		if pm := root.child("PRIMEM"); pm != nil {
			if f, ok := pm.num(1); ok && f != 0 {
				return nil, fmt.Errorf("proj: WKT %q: prime meridian %q at %g°; want Greenwich", root.str(0), pm.str(0), f)
			}
		}
		code := root.epsg()
		if code == 0 && ell == WGS84 {
			code = 4326
		}
		return &CRS{Name: root.str(0), EPSG: code, Ellipsoid: ell}, nil
	case "PROJCS", "PROJCRS":
		return wktProjected(root)
	}
	return nil, fmt.Errorf("proj: WKT: %s is not a coordinate system Firn reads (want GEOGCS or PROJCS)", root.key)
}

func wktEllipsoid(geo *wktNode) (Ellipsoid, error) {
	d := geo.child("DATUM")
	if d == nil {
		return Ellipsoid{}, fmt.Errorf("proj: WKT %q has no DATUM", geo.str(0))
	}
	sph := d.child("SPHEROID")
	if sph == nil {
		sph = d.child("ELLIPSOID")
	}
	a, ok1 := sph.num(1)
	rf, ok2 := sph.num(2)
	if sph == nil || !ok1 || !ok2 {
		return Ellipsoid{}, fmt.Errorf("proj: WKT %q: datum %q has no SPHEROID[name, a, 1/f]", geo.str(0), d.str(0))
	}
	for _, e := range []Ellipsoid{WGS84, GRS80} {
		if math.Abs(a-e.A) < 1e-3 && math.Abs(rf-1/e.F) < 1e-6 {
			return e, nil
		}
	}
	return Ellipsoid{}, fmt.Errorf("proj: WKT %q: datum %q on ellipsoid %q (a = %g m, 1/f = %g) is not WGS 84, ETRS89 or NAD83; reproject the file, e.g. with gdalwarp -t_srs EPSG:4326", geo.str(0), d.str(0), sph.str(0), a, rf)
}

func wktProjected(root *wktNode) (*CRS, error) {
	name := root.str(0)
	geo := root.child("GEOGCS")
	if geo == nil {
		geo = root.child("BASEGEOGCRS")
	}
	if geo == nil {
		return nil, fmt.Errorf("proj: WKT %q has no GEOGCS", name)
	}
	ell, err := wktEllipsoid(geo)
	if err != nil {
		return nil, err
	}
	method := ""
	if pr := root.child("PROJECTION"); pr != nil {
		method = pr.str(0)
	} else if c := root.child("CONVERSION"); c != nil {
		if m := c.child("METHOD"); m != nil {
			method = m.str(0)
			root = c // WKT 2 keeps the parameters in the conversion
		}
	}
	if norm := strings.ToLower(strings.NewReplacer(" ", "_", "-", "_").Replace(method)); norm != "transverse_mercator" {
		return nil, fmt.Errorf("proj: WKT %q: projection %q is not one Firn reads (only Transverse_Mercator, which includes UTM); reproject the file, e.g. with gdalwarp -t_srs EPSG:4326", name, method)
	}
	if u := root.child("UNIT"); u != nil {
		if f, ok := u.num(1); ok && f != 1 {
			return nil, fmt.Errorf("proj: WKT %q: linear unit %q (%g m); want metres", name, u.str(0), f)
		}
	}
	params := map[string]float64{"central_meridian": 0, "latitude_of_origin": 0, "scale_factor": 1, "false_easting": 0, "false_northing": 0}
	aliases := map[string]string{
		"longitude_of_natural_origin": "central_meridian", "latitude_of_natural_origin": "latitude_of_origin",
		"scale_factor_at_natural_origin": "scale_factor",
	}
	for _, k := range root.kids {
		if !strings.EqualFold(k.key, "PARAMETER") {
			continue
		}
		key := strings.ToLower(strings.ReplaceAll(k.str(0), " ", "_"))
		if a, ok := aliases[key]; ok {
			key = a
		}
		if _, ok := params[key]; !ok {
			return nil, fmt.Errorf("proj: WKT %q: parameter %q of the transverse Mercator is not one Firn knows", name, k.str(0))
		}
		v, ok := k.num(1)
		if !ok {
			return nil, fmt.Errorf("proj: WKT %q: parameter %q has no number", name, k.str(0))
		}
		params[key] = v
	}
	tm, err := NewTransverseMercator(ell, params["central_meridian"], params["latitude_of_origin"], params["scale_factor"], params["false_easting"], params["false_northing"])
	if err != nil {
		return nil, fmt.Errorf("proj: WKT %q: %w", name, err)
	}
	c := &CRS{Name: name, EPSG: root.epsg(), Ellipsoid: ell, TM: tm}
	if c.EPSG == 0 {
		c.EPSG = utmCode(c)
	}
	return c, nil
}

// utmCode returns the EPSG code of a WGS 84 UTM system with the same
// parameters as c, else 0.
func utmCode(c *CRS) int {
	lon0, _, _, _, y0 := c.TM.Params()
	zone := int(math.Round((lon0 + 183) / 6))
	code := 32600 + zone
	if y0 != 0 {
		code = 32700 + zone
	}
	if c.Ellipsoid != WGS84 {
		return 0
	}
	if u, err := FromEPSG(code); err == nil && u.Equal(c) {
		return code
	}
	return 0
}
