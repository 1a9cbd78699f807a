package climate_test

import (
	"fmt"
	"strings"

	"github.com/firnglacier/firn/engine/climate"
	"github.com/firnglacier/firn/internal/testfiles"
)

// A monthly series from CSV: the reference height comes from a comment.
func Example() {
	const data = `# a made-up station, ref_hgt_m=2500
year,month,temp_degC,prcp_kg_m2
2000,10,1.5,90
2000,11,-3.0,120
2000,12,-6.0,110
2001,1,-8.0,80
2001,2,-7.5,70
2001,3,-4.0,95
2001,4,-1.0,100
2001,5,3.5,105
2001,6,7.0,110
2001,7,9.5,130
2001,8,9.0,120
2001,9,5.0,85
`
	c, err := climate.ReadCSV(strings.NewReader(data), "station.csv")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(c)
	first, last, _ := c.YearRange(10)
	fmt.Printf("hydrological years %d–%d\n", first, last)
	_, _, ok := c.YearRange(1)
	fmt.Println("complete calendar years:", ok)
	// Output:
	// station.csv: 12 months 2000-10 to 2001-09 at 2500 m
	// hydrological years 2001–2001
	// complete calendar years: false
}

// HISTALP's cell nearest to Hintereisferner, read from the NetCDF file,
// and its mean annual cycle over 1971–2000.
func ExampleReadNetCDF() {
	// The file is in the repository's testdata/sample/climate.
	path := testfiles.Path("sample", "climate", "histalp_merged_hef.nc")
	c, err := climate.ReadNetCDF(path, 10.7584, 46.8003) // lon, lat of HEF
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(c)
	temp, prcp, err := c.AnnualCycle(1971, 2000, 1)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("January %.1f °C %.0f mm, July %.1f °C %.0f mm\n", temp[0], prcp[0], temp[6], prcp[6])
	// Output:
	// histalp_merged_hef.nc cell 46.8333 N 10.7500 E: 2424 months 1801-10 to 2003-09 at 3160 m
	// January -11.0 °C 64 mm, July 2.3 °C 144 mm
}
