package glacier_test

import (
	"fmt"

	"github.com/firnglacier/firn/engine/dem"
	"github.com/firnglacier/firn/engine/glacier"
	"github.com/firnglacier/firn/engine/outline"
	"github.com/firnglacier/firn/internal/testfiles"
)

// Prepare Hintereisferner from its RGI 6 outline and the SRTM DEM: its map,
// its elevation-band flowline and its ice thickness.
func Example() {
	all, err := outline.Read(testfiles.Path("sample", "outlines", "Hintereisferner_RGI6.shp"))
	if err != nil {
		fmt.Println(err)
		return
	}
	hef, err := outline.Find(all, "RGI60-11.00897")
	if err != nil {
		fmt.Println(err)
		return
	}
	srtm, err := dem.Read(testfiles.Path("sample", "dem", "hef_srtm.tif"))
	if err != nil {
		fmt.Println(err)
		return
	}
	g, err := glacier.Prepare(hef, srtm, glacier.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("map: %d×%d cells of %.0f m, glacier %.3f km²\n", g.Region.Nx, g.Region.Ny, g.Region.DX, g.Region.MaskArea()/1e6)
	fmt.Printf("flowline: %d points %.0f m apart from %.0f to %.0f m, %.3f km²\n",
		g.Flowline.Len(), g.Flowline.Dx, g.Flowline.Surface[0], g.Flowline.Surface[g.Flowline.Len()-1], g.Flowline.Area()/1e6)
	fmt.Printf("apparent balance: ELA %.0f m\n", g.ELA)
	fmt.Printf("volume %.3f km³, mean thickness %.0f m\n", g.Volume()/1e9, g.Volume()/g.Flowline.Area())
	// Output:
	// map: 279×234 cells of 50 m, glacier 8.045 km²
	// flowline: 56 points 100 m apart from 3622 to 2463 m, 8.036 km²
	// apparent balance: ELA 3031 m
	// volume 0.645 km³, mean thickness 80 m
}
