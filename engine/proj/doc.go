// Package proj holds the map projections Firn needs to put a glacier's
// outline, DEM and data on one grid: the transverse Mercator (UTM, and
// the local projection OGGM gives each glacier), the coordinate systems
// that shapefiles and GeoTIFFs declare ([CRS], from an EPSG code or a
// .prj's well-known text) and the transformation of orb geometries
// between them.
//
//	utm, _ := proj.FromEPSG(32632)           // WGS 84 / UTM zone 32N
//	x, y := utm.FromLonLat(10.7584, 46.8003) // m
//	local, _ := proj.LocalTM(10.7584)        // OGGM's map of Hintereisferner
//	outline, _ = proj.Transform(outline, proj.LonLat(), proj.Projected("HEF", local))
//
// # Transverse Mercator
//
// [TransverseMercator] computes Krüger's series to sixth order in the
// third flattening n, in the form of Karney (2011), "Transverse Mercator
// with an accuracy of a few nanometers", J. Geod. 85, 475–485: the
// conformal latitude (eqs. 7–9), the spherical Gauss–Schreiber projection
// (eq. 10), the series α and β (eqs. 11, 35, 36) and Newton's method for
// the latitude from the conformal one (eqs. 19–21). Karney shows the
// error stays below 5 nm within 4000 km of the central meridian. Measured
// here (TestAgainstPROJ): against PROJ 9.1.1's exact algorithm
// (Poder/Engsager, cs2cs, coordinates kept in testdata/proj_tmerc.csv) at
// 40 points of five projections (UTM 32N, 7N and 33S, OGGM's local
// projection of Hintereisferner, and one with a latitude of origin, false
// easting and northing on GRS 80), the largest difference is 3.8 nm in
// easting/northing and 4e-14° in longitude/latitude; a projected point
// taken back and projected again moves by at most 6 nm (TestRoundTrip,
// ±35° of longitude, all latitudes).
//
// # Why not PROJ
//
// github.com/twpayne/go-proj/v11 binds PROJ through cgo (Debian's
// libproj-dev). It would bring every projection and datum shift, but a
// `go install` that needs a C compiler and libproj on every machine, and
// a cross-compiled release without cgo could not have it. A glacier
// needs one projection family: DEMs come in geographic coordinates or
// UTM, RGI outlines in geographic coordinates, and OGGM maps every
// glacier on a local transverse Mercator. About 200 lines of Go do that
// to nanometres, so Firn stays pure Go. PROJ was used once, to make the
// reference coordinates of the tests.
//
// # Coordinate systems
//
// [CRS] is geographic (longitude and latitude in degrees; TM is nil) or
// a transverse Mercator in metres. [FromEPSG] knows WGS 84, ETRS89 and
// NAD83 and their UTM zones (EPSG 4326, 4258, 4269, 326zz, 327zz, 258zz,
// 269zz); [ParseWKT] reads WKT 1 as ESRI and OGC write it in .prj files
// (GEOGCS, or PROJCS with PROJECTION["Transverse_Mercator"] and its
// PARAMETERs), taking the EPSG code from an AUTHORITY node or, for
// ESRI's text, which has none, from the parameters (WGS 84 → 4326, a
// UTM zone → 326zz/327zz). These datums are taken to be one: WGS 84,
// ETRS89 and NAD83 differ by 1–2 m, below the resolution of the DEMs and
// outlines Firn reads. Other datums (Bessel's MGI, CH1903…) and other
// projections (Lambert, Albers…) fail with an error that names them and
// says to reproject the file.
//
// Everything here is immutable and safe for concurrent use.
package proj
