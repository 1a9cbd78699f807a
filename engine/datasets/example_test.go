package datasets_test

import (
	"fmt"

	"github.com/firnglacier/firn/engine/datasets"
	"github.com/firnglacier/firn/engine/massbalance"
)

// Calibrate Hintereisferner's melt factor on the WGMS balances of
// 1980–2003 with the bundled data, and check it on 1953–1979.
func ExampleHintereisferner() {
	hef, err := datasets.Hintereisferner()
	if err != nil {
		panic(err)
	}
	ti := massbalance.NewMonthlyTI(hef.Climate)
	ti.FirstMonth = 10 // WGMS years run from October
	cal, err := massbalance.CalibrateMeltFactor(ti, hef.Hypsometry, hef.Observations, 1980, 2003)
	if err != nil {
		panic(err)
	}
	ti.MeltFactor = cal.MeltFactor
	v, err := massbalance.Verify(ti, hef.Hypsometry, hef.Observations, 1953, 1979)
	if err != nil {
		panic(err)
	}
	fmt.Printf("%s: %.3f km², climate at %g m\n", hef.Name, hef.Hypsometry.Area/1e6, hef.Climate.RefHeight)
	fmt.Printf("melt factor %.2f kg m⁻² day⁻¹ K⁻¹\n", cal.MeltFactor)
	fmt.Printf("1953–1979: r = %.2f, bias %+.0f mm w.e./yr\n", v.R, v.Bias*1000)
	// Output:
	// Hintereisferner: 8.036 km², climate at 3160 m
	// melt factor 6.06 kg m⁻² day⁻¹ K⁻¹
	// 1953–1979: r = 0.80, bias +231 mm w.e./yr
}
