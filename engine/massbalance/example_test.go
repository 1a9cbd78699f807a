package massbalance_test

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/firnglacier/firn/assets"
	"github.com/firnglacier/firn/engine/climate"
	"github.com/firnglacier/firn/engine/massbalance"
)

// The temperature-index model with OGGM's defaults, on a made-up year of
// climate at 2500 m: the balance profile, in m w.e. and in the m of ice
// per second that the dynamics integrates.
func ExampleMonthlyTI() {
	const data = `# ref_hgt_m=2500
year,month,temp_degC,prcp_kg_m2
2001,1,-8.0,80
2001,2,-7.5,70
2001,3,-4.0,95
2001,4,-1.0,100
2001,5,3.5,105
2001,6,7.0,110
2001,7,9.5,130
2001,8,9.0,120
2001,9,5.0,85
2001,10,1.5,90
2001,11,-3.0,120
2001,12,-6.0,110
`
	c, err := climate.ReadCSV(strings.NewReader(data), "station")
	if err != nil {
		fmt.Println(err)
		return
	}
	ti := massbalance.NewMonthlyTI(c) // melt factor 5 kg m⁻² day⁻¹ K⁻¹
	z := []float64{2500, 3000, 3500}
	we := make([]float64, len(z))
	if err := ti.AnnualBalanceWE(2001, z, we); err != nil {
		fmt.Println(err)
		return
	}
	ice := make([]float64, len(z))
	_ = ti.AnnualBalance(2001, z, ice)
	for i := range z {
		fmt.Printf("%4.0f m: %+.2f m w.e./yr = %+.2e m ice/s\n", z[i], we[i], ice[i])
	}
	if err := ti.AnnualBalance(2002, z, ice); err != nil {
		fmt.Println(err)
	}
	// Output:
	// 2500 m: -4.82 m w.e./yr = -1.70e-07 m ice/s
	// 3000 m: -1.54 m w.e./yr = -5.43e-08 m ice/s
	// 3500 m: +0.97 m w.e./yr = +3.44e-08 m ice/s
	// climate station: no data for calendar year 2002: available are 2001–2001 (months 2001-01 to 2001-12)
}

// Calibrate the melt factor of Hintereisferner on the WGMS balances of
// 1980–2003 and compare with the years 1953–1979, which the calibration
// did not see.
func ExampleCalibrateMeltFactor() {
	// The files Firn ships in its binary (assets/data/hintereisferner).
	const climFile, hypsFile, wgmsFile = "hef_histalp_monthly.csv", "Hintereisferner_V5_hypso.csv", "mbdata_WGMS-00491.csv"
	files := map[string]*bytes.Reader{}
	for _, name := range []string{climFile, hypsFile, wgmsFile} {
		b, err := assets.Data("hintereisferner/" + name)
		if err != nil {
			fmt.Println(err)
			return
		}
		files[name] = bytes.NewReader(b)
	}
	clim, err := climate.ReadCSV(files[climFile], climFile)
	if err != nil {
		fmt.Println(err)
		return
	}
	hyps, err := massbalance.ReadRGIHypsometry(files[hypsFile], hypsFile)
	if err != nil {
		fmt.Println(err)
		return
	}
	obs, err := massbalance.ReadWGMS(files[wgmsFile], wgmsFile)
	if err != nil {
		fmt.Println(err)
		return
	}
	ti := massbalance.NewMonthlyTI(clim)
	ti.FirstMonth = 10 // WGMS years run from October
	cal, err := massbalance.CalibrateMeltFactor(ti, hyps[0], obs, 1980, 2003)
	if err != nil {
		fmt.Println(err)
		return
	}
	ti.MeltFactor = cal.MeltFactor
	v, err := massbalance.Verify(ti, hyps[0], obs, 1953, 1979)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("melt factor %.2f kg m⁻² day⁻¹ K⁻¹\n", cal.MeltFactor)
	fmt.Printf("1953–1979: r = %.2f, bias %+.0f mm w.e./yr\n", v.R, v.Bias*1000)
	// Output:
	// melt factor 6.06 kg m⁻² day⁻¹ K⁻¹
	// 1953–1979: r = 0.80, bias +231 mm w.e./yr
}

// A linear balance with two gradients, warmed by 0.5 K and by one more
// kelvin from year 100 on: the ELA rises 150 m per kelvin.
func ExampleLinear() {
	mb := massbalance.Linear{ELA: 3000, Gradient: 7, GradientAbove: 2, TempBias: 0.5,
		TempSteps: []massbalance.TempStep{{Year: 100, Bias: 1}}}
	for _, year := range []float64{0, 100} {
		fmt.Printf("year %g: ELA %g m, balance at 2800 m %.2f and at 3500 m %.2f m w.e./yr\n",
			year, mb.ELAAt(year), mb.Balance(year, 2800), mb.Balance(year, 3500))
	}
	fmt.Println(mb)
	// Output:
	// year 0: ELA 3075 m, balance at 2800 m -1.93 and at 3500 m 0.85 m w.e./yr
	// year 100: ELA 3225 m, balance at 2800 m -2.98 and at 3500 m 0.55 m w.e./yr
	// linear mass balance: ELA 3000 m, gradients 7 below and 2 above the ELA (mm w.e./m/yr), temperature bias +0.5 K, +1 K from year 100
}
