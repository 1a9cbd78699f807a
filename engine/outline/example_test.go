package outline_test

import (
	"fmt"

	"github.com/firnglacier/firn/engine/outline"
	"github.com/firnglacier/firn/internal/testfiles"
)

// Read the RGI 7 outline of Hintereisferner from its shapefile.
func Example() {
	all, err := outline.Read(testfiles.Path("sample", "outlines", "rgi7g_hef.shp"))
	if err != nil {
		fmt.Println(err)
		return
	}
	o := all[0]
	fmt.Printf("%s (RGI %d) %s: %.3f km², %.0f–%.0f m, %d holes\n", o.ID, o.RGIVersion, o.Name, o.Area, o.Zmin, o.Zmax, len(o.Geometry[0])-1)
	// Output:
	// RGI2000-v7.0-G-11-03116 (RGI 7) Hintereisferner: 8.036 km², 2413–3695 m, 5 holes
}
