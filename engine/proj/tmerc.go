package proj

import (
	"fmt"
	"math"
)

// Ellipsoid is a reference ellipsoid: its semi-major axis A (m) and its
// flattening F.
type Ellipsoid struct {
	Name string
	A, F float64
}

// The ellipsoids of the datums this package knows. WGS 84 and GRS 80
// differ by 0.1 mm in the semi-minor axis.
var (
	WGS84 = Ellipsoid{Name: "WGS 84", A: 6378137, F: 1 / 298.257223563}
	GRS80 = Ellipsoid{Name: "GRS 1980", A: 6378137, F: 1 / 298.257222101}
)

// TransverseMercator is the ellipsoidal transverse Mercator projection,
// computed with Krüger's series to sixth order in the third flattening n
// as given by Karney (2011), "Transverse Mercator with an accuracy of a
// few nanometers", J. Geod. 85, 475–485, eqs. (7)–(11), (19)–(21), (35)
// and (36). Within 4000 km of the central meridian its error is below
// 5 nm (Karney's figure; the tests check round trips to 1e-9 m and
// PROJ's coordinates to 1e-6 m).
//
// Make one with [NewTransverseMercator], [UTM] or [LocalTM]; the zero
// value is not usable. A TransverseMercator is immutable and safe for
// concurrent use.
type TransverseMercator struct {
	ellipsoid  Ellipsoid
	lon0, lat0 float64 // central meridian, latitude of origin, degrees
	k0         float64 // scale on the central meridian
	x0, y0     float64 // false easting and northing, m

	e, e2    float64    // eccentricity, its square
	ka       float64    // k0 times the rectifying radius, m
	alpha    [7]float64 // forward series, index 1…6
	beta     [7]float64 // reverse series
	northing float64    // the northing of the latitude of origin on the central meridian, m (before y0)
}

// NewTransverseMercator returns the transverse Mercator projection of
// ellipsoid ell with central meridian lon0 and latitude of origin lat0
// (degrees), scale factor k0 on the central meridian and false easting
// and northing x0, y0 (m): PROJ's
// +proj=tmerc +lon_0 +lat_0 +k_0 +x_0 +y_0.
func NewTransverseMercator(ell Ellipsoid, lon0, lat0, k0, x0, y0 float64) (*TransverseMercator, error) {
	switch {
	case !(ell.A > 0) || !(ell.F >= 0 && ell.F < 1):
		return nil, fmt.Errorf("proj: ellipsoid %q: semi-major axis %g m and flattening %g; want a > 0 and 0 ≤ f < 1", ell.Name, ell.A, ell.F)
	case !(math.Abs(lon0) <= 360) || !(math.Abs(lat0) < 90):
		return nil, fmt.Errorf("proj: transverse Mercator: central meridian %g° and latitude of origin %g°; want |lon0| ≤ 360 and |lat0| < 90", lon0, lat0)
	case !(k0 > 0) || math.IsInf(k0, 0):
		return nil, fmt.Errorf("proj: transverse Mercator: scale factor %g; want a positive number", k0)
	case math.IsNaN(x0) || math.IsInf(x0, 0) || math.IsNaN(y0) || math.IsInf(y0, 0):
		return nil, fmt.Errorf("proj: transverse Mercator: false easting %g and northing %g must be finite", x0, y0)
	}
	p := &TransverseMercator{ellipsoid: ell, lon0: lon0, lat0: lat0, k0: k0, x0: x0, y0: y0}
	f := ell.F
	n := f / (2 - f) // third flattening
	p.e2 = f * (2 - f)
	p.e = math.Sqrt(p.e2)
	n2 := n * n
	n3, n4, n5, n6 := n2*n, n2*n2, n2*n2*n, n2*n2*n2
	// Rectifying radius, Karney (2011) eq. (14).
	a := ell.A / (1 + n) * (1 + n2/4 + n4/64 + n6/256)
	p.ka = k0 * a
	// Karney (2011) eq. (35).
	p.alpha = [7]float64{0,
		n/2 - 2*n2/3 + 5*n3/16 + 41*n4/180 - 127*n5/288 + 7891*n6/37800,
		13*n2/48 - 3*n3/5 + 557*n4/1440 + 281*n5/630 - 1983433*n6/1935360,
		61*n3/240 - 103*n4/140 + 15061*n5/26880 + 167603*n6/181440,
		49561*n4/161280 - 179*n5/168 + 6601661*n6/7257600,
		34729*n5/80640 - 3418889*n6/1995840,
		212378941 * n6 / 319334400,
	}
	// Karney (2011) eq. (36).
	p.beta = [7]float64{0,
		n/2 - 2*n2/3 + 37*n3/96 - n4/360 - 81*n5/512 + 96199*n6/604800,
		n2/48 + n3/15 - 437*n4/1440 + 46*n5/105 - 1118711*n6/3870720,
		17*n3/480 - 37*n4/840 - 209*n5/4480 + 5569*n6/90720,
		4397*n4/161280 - 11*n5/504 - 830251*n6/7257600,
		4583*n5/161280 - 108847*n6/3991680,
		20648693 * n6 / 638668800,
	}
	if lat0 != 0 {
		_, p.northing = p.forward(lon0, lat0)
	}
	return p, nil
}

// UTM returns the projection of zone 1…60 of the Universal Transverse
// Mercator system on WGS 84, north or south of the equator: central
// meridian 6·zone − 183°, scale 0.9996, false easting 500 km, false
// northing 0 (north) or 10 000 km (south). EPSG 326zz and 327zz.
func UTM(zone int, north bool) (*TransverseMercator, error) {
	if zone < 1 || zone > 60 {
		return nil, fmt.Errorf("proj: UTM zone %d; want 1 to 60", zone)
	}
	y0 := 0.0
	if !north {
		y0 = 10e6
	}
	return NewTransverseMercator(WGS84, float64(6*zone-183), 0, 0.9996, 500e3, y0)
}

// UTMZone returns the UTM zone of the point (lon, lat), in degrees, by
// longitude alone (the exceptions of Norway and Svalbard are not made),
// and whether it is north of the equator.
func UTMZone(lon, lat float64) (zone int, north bool) {
	lon = math.Mod(lon+180, 360)
	if lon < 0 {
		lon += 360
	}
	zone = int(lon/6) + 1
	return min(zone, 60), lat >= 0
}

// LocalTM returns the local map projection that OGGM gives a glacier
// (oggm.core.gis.define_glacier_region): a transverse Mercator on WGS 84
// whose central meridian is the glacier's centre longitude lon (degrees),
// with latitude of origin 0, scale 0.9996 and no false easting or
// northing (+proj=tmerc +lat_0=0 +lon_0=lon +k=0.9996 +x_0=0 +y_0=0
// +datum=WGS84). Over a glacier a few tens of kilometres across, its
// scale differs from 0.9996 by less than 1e-5.
func LocalTM(lon float64) (*TransverseMercator, error) {
	return NewTransverseMercator(WGS84, lon, 0, 0.9996, 0, 0)
}

// Ellipsoid returns the ellipsoid of the projection.
func (p *TransverseMercator) Ellipsoid() Ellipsoid { return p.ellipsoid }

// Params returns the parameters the projection was made with: central
// meridian and latitude of origin (degrees), scale on the central
// meridian, false easting and false northing (m).
func (p *TransverseMercator) Params() (lon0, lat0, k0, x0, y0 float64) {
	return p.lon0, p.lat0, p.k0, p.x0, p.y0
}

// String gives the projection as a PROJ string.
func (p *TransverseMercator) String() string {
	ell := "+ellps=WGS84"
	if p.ellipsoid != WGS84 {
		ell = fmt.Sprintf("+a=%g +rf=%.9f", p.ellipsoid.A, 1/p.ellipsoid.F)
	}
	return fmt.Sprintf("+proj=tmerc +lat_0=%g +lon_0=%g +k_0=%g +x_0=%g +y_0=%g %s +units=m", p.lat0, p.lon0, p.k0, p.x0, p.y0, ell)
}

const deg = math.Pi / 180

// Forward projects the point at longitude lon and latitude lat (degrees)
// to easting x and northing y (m). The error stays below 5 nm within
// 4000 km of the central meridian and grows beyond; a point on the
// equator 90° from it, where the projection is singular, gives an
// infinite easting.
func (p *TransverseMercator) Forward(lon, lat float64) (x, y float64) {
	x, y = p.forward(lon, lat)
	return x + p.x0, y - p.northing + p.y0
}

// forward is Forward without false easting and northing, from the equator.
func (p *TransverseMercator) forward(lon, lat float64) (x, y float64) {
	if math.IsNaN(lon) || math.IsNaN(lat) || math.Abs(lat) > 90 {
		return math.NaN(), math.NaN()
	}
	// Fold onto the quadrant 0 ≤ λ ≤ 90°, φ ≥ 0 and unfold at the end
	// (the projection is symmetric about the central meridian and the
	// equator; beyond 90° of longitude it continues over the pole).
	dlon := math.Remainder(lon-p.lon0, 360)
	lonSign, latSign := 1.0, 1.0
	if math.Signbit(dlon) {
		lonSign, dlon = -1, -dlon
	}
	if math.Signbit(lat) {
		latSign, lat = -1, -lat
	}
	backside := dlon > 90
	if backside {
		if lat == 0 {
			latSign = -1
		}
		dlon = 180 - dlon
	}
	if dlon == 90 && lat == 0 {
		return lonSign * math.Inf(1), 0 // the singular point
	}
	lam := dlon * deg
	phi := lat * deg
	// Conformal latitude: τ' = tan χ, Karney (2011) eqs. (7)–(9).
	tau := math.Tan(phi)
	if lat == 90 {
		tau = math.Inf(1)
	}
	taup := p.taupOf(tau)
	// Gauss–Schreiber (spherical transverse Mercator), eq. (10).
	cl := math.Cos(lam)
	xip := math.Atan2(taup, cl)
	etap := math.Asinh(math.Sin(lam) / math.Hypot(taup, cl))
	if math.IsInf(taup, 0) {
		xip, etap = math.Pi/2, 0
	}
	// Krüger's series, eq. (11).
	xi, eta := xip, etap
	for j := 1; j <= 6; j++ {
		s, c := math.Sincos(2 * float64(j) * xip)
		xi += p.alpha[j] * s * math.Cosh(2*float64(j)*etap)
		eta += p.alpha[j] * c * math.Sinh(2*float64(j)*etap)
	}
	if backside {
		xi = math.Pi - xi
	}
	return lonSign * p.ka * eta, latSign * p.ka * xi
}

// taupOf returns τ' = tan χ of the conformal latitude χ for τ = tan φ,
// Karney (2011) eqs. (7) and (9).
func (p *TransverseMercator) taupOf(tau float64) float64 {
	if math.IsInf(tau, 0) {
		return tau
	}
	tau1 := math.Hypot(1, tau)
	sig := math.Sinh(p.e * math.Atanh(p.e*tau/tau1))
	return tau*math.Hypot(1, sig) - sig*tau1
}

// Inverse returns the longitude and latitude (degrees) of the point at
// easting x and northing y (m). The longitude is within ±180° of the
// central meridian's sign convention (−180 < lon ≤ 180).
func (p *TransverseMercator) Inverse(x, y float64) (lon, lat float64) {
	if math.IsNaN(x) || math.IsNaN(y) || math.IsInf(x, 0) || math.IsInf(y, 0) {
		return math.NaN(), math.NaN()
	}
	xi := (y - p.y0 + p.northing) / p.ka
	eta := (x - p.x0) / p.ka
	// Reverse series, Karney (2011) eq. (11) with β.
	xip, etap := xi, eta
	for j := 1; j <= 6; j++ {
		s, c := math.Sincos(2 * float64(j) * xi)
		xip -= p.beta[j] * s * math.Cosh(2*float64(j)*eta)
		etap -= p.beta[j] * c * math.Sinh(2*float64(j)*eta)
	}
	// Spherical inverse.
	sx, cx := math.Sincos(xip)
	sh := math.Sinh(etap)
	taup := sx / math.Hypot(sh, cx)
	lam := math.Atan2(sh, cx)
	// τ from τ' by Newton's method, eqs. (19)–(21); three steps reach
	// machine precision.
	tau := taup
	for range 5 {
		tp := p.taupOf(tau)
		dtau := (taup - tp) / math.Hypot(1, tp) * (1 + (1-p.e2)*tau*tau) / ((1 - p.e2) * math.Hypot(1, tau))
		tau += dtau
		if math.Abs(dtau) <= 1e-15*max(1, math.Abs(tau)) {
			break
		}
	}
	lat = math.Atan(tau) / deg
	lon = math.Remainder(p.lon0+lam/deg, 360)
	if lon == -180 {
		lon = 180
	}
	return lon, lat
}
