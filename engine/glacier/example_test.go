package glacier_test

import (
	"bytes"
	"context"
	"fmt"

	"github.com/firnglacier/firn/assets"
	"github.com/firnglacier/firn/engine/climate"
	"github.com/firnglacier/firn/engine/dynamics"
	"github.com/firnglacier/firn/engine/massbalance"

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

// Prepare Hintereisferner with its temperature-index model calibrated to
// the WGMS balances, and run it 100 years in the constant climate of
// 1972–2002.
func ExampleGlacier_Model() {
	all, _ := outline.Read(testfiles.Path("sample", "outlines", "Hintereisferner_RGI6.shp"))
	hef, _ := outline.Find(all, "RGI60-11.00897")
	srtm, _ := dem.Read(testfiles.Path("sample", "dem", "hef_srtm.tif"))
	clim, err := climate.ReadNetCDF(testfiles.Path("sample", "climate", "histalp_merged_hef.nc"), hef.CenLon, hef.CenLat)
	if err != nil {
		fmt.Println(err)
		return
	}
	wgms, _ := assets.Data("hintereisferner/mbdata_WGMS-00491.csv")
	obs, _ := massbalance.ReadWGMS(bytes.NewReader(wgms), "mbdata_WGMS-00491.csv")
	g, err := glacier.Prepare(hef, srtm, glacier.Options{MassBalance: glacier.MBOptions{Climate: clim, Observations: obs}})
	if err != nil {
		fmt.Println(err)
		return
	}
	c := g.Calibration
	fmt.Printf("melt factor %.2f on %d–%d; out of it r = %.2f\n", c.MeltFactor, c.FirstYear, c.LastYear, c.Verification.R)
	mb, _ := g.ConstantClimate(1987, 15)
	m, _ := g.Model(mb, 0)
	hist, err := m.Run(context.Background(), dynamics.RunOptions{EndYear: 100})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("volume %.3f km³ → %.3f km³ in 100 years\n", hist.Volume[0]/1e9, hist.Volume[hist.Len()-1]/1e9)
	// Output:
	// melt factor 6.23 on 1978–2003; out of it r = 0.79
	// volume 0.740 km³ → 0.426 km³ in 100 years
}

// Spread Hintereisferner's inverted thickness over its map: the cells hold
// the flowline's volume.
func ExampleGlacier_DistributedThickness() {
	all, _ := outline.Read(testfiles.Path("sample", "outlines", "Hintereisferner_RGI6.shp"))
	hef, _ := outline.Find(all, "RGI60-11.00897")
	srtm, _ := dem.Read(testfiles.Path("sample", "dem", "hef_srtm.tif"))
	g, err := glacier.Prepare(hef, srtm, glacier.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	h, err := g.DistributedThickness(0) // m, one value per map cell
	if err != nil {
		fmt.Println(err)
		return
	}
	var vol, hmax float64
	for _, v := range h {
		vol += v * g.Region.DX * g.Region.DX
		hmax = max(hmax, v)
	}
	fmt.Printf("map %.3f km³, flowline %.3f km³, thickest %.0f m\n", vol/1e9, g.Volume()/1e9, hmax)
	// Output:
	// map 0.645 km³, flowline 0.645 km³, thickest 261 m
}

// Run Hintereisferner 100 years in three scenarios: the constant climate
// of 1972–2002, the same 2 °C warmer (reached over 50 years), and a
// random climate drawn from those years with seed 1.
func ExampleGlacier_Run() {
	all, _ := outline.Read(testfiles.Path("sample", "outlines", "Hintereisferner_RGI6.shp"))
	hef, _ := outline.Find(all, "RGI60-11.00897")
	srtm, _ := dem.Read(testfiles.Path("sample", "dem", "hef_srtm.tif"))
	clim, err := climate.ReadNetCDF(testfiles.Path("sample", "climate", "histalp_merged_hef.nc"), hef.CenLon, hef.CenLat)
	if err != nil {
		fmt.Println(err)
		return
	}
	wgms, _ := assets.Data("hintereisferner/mbdata_WGMS-00491.csv")
	obs, _ := massbalance.ReadWGMS(bytes.NewReader(wgms), "mbdata_WGMS-00491.csv")
	g, err := glacier.Prepare(hef, srtm, glacier.Options{MassBalance: glacier.MBOptions{Climate: clim, Observations: obs}})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, s := range []glacier.Scenario{
		{Climate: glacier.ClimateConstant, Y0: 1987, Halfsize: 15},
		{Climate: glacier.ClimateConstant, Y0: 1987, Halfsize: 15, TempBias: 2, RampYears: 50},
		{Climate: glacier.ClimateRandom, Y0: 1987, Halfsize: 15, Seed: 1},
	} {
		hist, _, err := g.Run(context.Background(), s, 100)
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("%v: %.3f km³ in year %g\n", s, hist.Volume[hist.Len()-1]/1e9, hist.Year[hist.Len()-1])
	}
	// Output:
	// constant climate of 1972–2002: 0.426 km³ in year 100
	// constant climate of 1972–2002, +2 °C over 50 years: 0.027 km³ in year 100
	// random climate of 1972–2002 (seed 1): 0.387 km³ in year 100
}
