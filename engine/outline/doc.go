// Package outline reads glacier outlines: ESRI shapefiles (.shp with its
// .dbf attributes, .prj and .cpg) and GeoJSON, into one [Outline] type
// whose fields are the Randolph Glacier Inventory's attributes whatever
// the RGI version named them: RGI 5 and 6 (RGIId, Area, CenLon, Zmin…)
// and RGI 7 (rgi_id, area_km2, cenlon, zmin_m…). Every attribute is also
// kept as read, in [Outline.Attrs].
//
// The shapefile reader is written here, from ESRI's "Shapefile Technical
// Description" (1998) and the dBASE III table format, because no Go module
// for shapefiles is served to this project (`go list -m -versions
// github.com/jonas-p/go-shp` is refused by the module proxy here). It reads
// polygons (shape types 5, 15 PolygonZ and 25 PolygonM; Z and M are
// dropped) and null shapes, and DBF fields of types C, N, F, L and D;
// text is decoded as the .cpg says (UTF-8, or ISO-8859-1 and the like),
// else as UTF-8 when valid and ISO-8859-1 otherwise. Rings follow the
// shapefile rule: a clockwise ring starts a polygon, a counter-clockwise
// one is a hole of the polygon before it. GeoJSON is decoded with
// encoding/json (orb/geojson would pull a BSON module not in go.sum).
// Coordinates are kept as the file has
// them (RGI outlines are longitude and latitude, EPSG:4326; the .prj WKT
// is in [Outline.CRS] for engine/proj).
//
// The tests compare every shapefile of the sample data (RGI 5, 6, 7 and
// South Glacier) with what GDAL's ogr2ogr reads from it
// (testdata/sample/outlines/shapefiles_expected.csv).
package outline
