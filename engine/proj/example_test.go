package proj_test

import (
	"fmt"

	"github.com/firnglacier/firn/engine/proj"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// Hintereisferner's centre in UTM zone 32N, the zone of the consensus
// thickness grid, and in the local projection OGGM gives the glacier.
func Example() {
	lon, lat := 10.7584, 46.8003
	zone, north := proj.UTMZone(lon, lat)
	utm, err := proj.FromEPSG(32600 + zone)
	if err != nil {
		fmt.Println(err)
		return
	}
	x, y := utm.FromLonLat(lon, lat)
	fmt.Printf("%s, north %v: %.2f E %.2f N\n", utm, north, x, y)

	local, _ := proj.LocalTM(lon)
	fmt.Println(local)
	lx, ly := local.Forward(lon, lat)
	fmt.Printf("local: %.2f E %.2f N\n", lx, ly)
	// Output:
	// WGS 84 / UTM zone 32N (EPSG:32632), north true: 634179.36 E 5184473.73 N
	// +proj=tmerc +lat_0=0 +lon_0=10.7584 +k_0=0.9996 +x_0=0 +y_0=0 +ellps=WGS84 +units=m
	// local: 0.00 E 5182972.56 N
}

// A .prj file's text and an outline taken to metres to measure its area.
func ExampleTransform() {
	prj := `GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137,298.257223563]],PRIMEM["Greenwich",0],UNIT["Degree",0.017453292519943295]]`
	from, err := proj.ParseWKT(prj)
	if err != nil {
		fmt.Println(err)
		return
	}
	// A square of 0.01° around a point of the Alps.
	square := orb.Polygon{{{10.75, 46.80}, {10.76, 46.80}, {10.76, 46.81}, {10.75, 46.81}, {10.75, 46.80}}}
	tm, _ := proj.LocalTM(10.755)
	g, err := proj.Transform(square, from, proj.Projected("local", tm))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(from)
	fmt.Printf("%.3f km²\n", planar.Area(g)/1e6)
	// Output:
	// GCS_WGS_1984 (EPSG:4326)
	// 0.848 km²
}
