package dem_test

import (
	"fmt"

	"github.com/firnglacier/firn/engine/dem"
	"github.com/firnglacier/firn/internal/testfiles"
)

// Read the SRTM DEM around Hintereisferner.
func Example() {
	g, err := dem.Read(testfiles.Path("sample", "dem", "hef_srtm.tif"))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%s %d×%d EPSG:%d, corner %.5f E %.5f N, cells %.8f°\n", g.Type, g.Width, g.Height, g.EPSG, g.X0, g.Y0, g.DX)
	fmt.Println("elevation of cell 184,136:", g.At(184, 136), "m")
	// Output:
	// Int16 384×284 EPSG:4326, corner 10.60498 E 46.91335 N, cells 0.00083333°
	// elevation of cell 184,136: 3064 m
}
