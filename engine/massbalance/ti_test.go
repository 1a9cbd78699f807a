package massbalance

import (
	"bytes"
	"math"
	"strings"
	"testing"

	"github.com/firnglacier/firn/assets"
	"github.com/firnglacier/firn/engine/climate"
	"github.com/firnglacier/firn/engine/constants"
)

// hefFile returns a Hintereisferner file that Firn ships in
// assets/data/hintereisferner (its README gives the sources); a missing one
// fails the test: the verification must not silently disappear.
func hefFile(t testing.TB, name string) []byte {
	t.Helper()
	b, err := assets.Data("hintereisferner/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// hefClimate reads the HISTALP series of Hintereisferner.
func hefClimate(t testing.TB) *climate.Monthly {
	t.Helper()
	c, err := climate.ReadCSV(bytes.NewReader(hefFile(t, "hef_histalp_monthly.csv")), "hef_histalp_monthly.csv")
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// synthetic makes a climate of n months from (y, m) with temperature and
// precipitation given by functions of the month's index.
func synthetic(y, m, n int, temp, prcp func(i int) float64) *climate.Monthly {
	c := &climate.Monthly{Name: "synthetic", RefHeight: 3000}
	for i := range n {
		c.Years = append(c.Years, y)
		c.Months = append(c.Months, m)
		c.Temp = append(c.Temp, temp(i))
		c.Prcp = append(c.Prcp, prcp(i))
		if m++; m > 12 {
			y, m = y+1, 1
		}
	}
	return c
}

func constant(v float64) func(int) float64 { return func(int) float64 { return v } }

// The balance of one month, kg m⁻², worked out by hand from OGGM's
// formulas with OGGM's defaults (melt factor 5, 365/12 days a month,
// precipitation factor 2.5, solid below 0 °C, liquid above 2 °C, melt above
// −1 °C, −6.5 K/km).
func TestMonthByHand(t *testing.T) {
	const days = 365.0 / 12
	tests := []struct {
		name    string
		temp, z float64 // °C at the reference height 3000 m; elevation m
		change  func(p *TIParams)
		want    float64 // kg m⁻² per month, P = 100 kg m⁻²
	}{
		{"all solid, no melt", -3, 3000, nil, 250},
		{"half solid, melt", 1, 3000, nil, 125 - 5*days*2},
		{"all liquid", 5, 3000, nil, -5 * days * 6},
		{"at the melt threshold", -1, 3000, nil, 250},
		{"lapse rate: 1000 m lower", -0.5, 2000, nil, -5 * days * 7},
		{"lapse rate: 1000 m higher", 5.5, 4000, nil, 250},
		{"temperature bias", -3, 3000, func(p *TIParams) { p.TempBias = 4 }, 125 - 5*days*2},
		{"precipitation factor", -3, 3000, func(p *TIParams) { p.PrcpFactor = 1 }, 100},
		{"melt factor", 5, 3000, func(p *TIParams) { p.MeltFactor = 2 }, -2 * days * 6},
		{"sharp threshold", 0.5, 3000, func(p *TIParams) { p.TempAllLiquid = 0 }, -5 * days * 1.5},
		{"sharp threshold, at it", 0, 3000, func(p *TIParams) { p.TempAllLiquid = 0 }, 250 - 5*days},
		{"melt temperature 0", 1, 3000, func(p *TIParams) { p.TempMelt = 0 }, 125 - 5*days},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := NewMonthlyTI(synthetic(2000, 1, 12, constant(tc.temp), constant(100)))
			if tc.change != nil {
				tc.change(&m.TIParams)
			}
			mb := []float64{0}
			if err := m.MonthlyBalanceWE(2000, 5, []float64{tc.z}, mb); err != nil {
				t.Fatal(err)
			}
			if got := mb[0] * 1000; math.Abs(got-tc.want) > 1e-9 {
				t.Errorf("month: %.9g kg m⁻², want %.9g", got, tc.want)
			}
			if err := m.AnnualBalanceWE(2000, []float64{tc.z}, mb); err != nil {
				t.Fatal(err)
			}
			if got := mb[0] * 1000; math.Abs(got-12*tc.want) > 1e-8 {
				t.Errorf("year of 12 such months: %.9g kg m⁻², want %.9g", got, 12*tc.want)
			}
		})
	}
}

// The units of the four outputs agree, and the months add up to the year.
func TestUnits(t *testing.T) {
	c := hefClimate(t)
	z := []float64{2400, 2800, 3000, 3200, 3600}
	m := NewMonthlyTI(c)
	m.Bias = 120 // kg m⁻² yr⁻¹, subtracted
	m.FirstMonth = 10
	ice, we := make([]float64, len(z)), make([]float64, len(z))
	if err := m.AnnualBalance(1990.7, z, ice); err != nil {
		t.Fatal(err)
	}
	if err := m.AnnualBalanceWE(1990, z, we); err != nil {
		t.Fatal(err)
	}
	sum := make([]float64, len(z))
	month, monthIce := make([]float64, len(z)), make([]float64, len(z))
	for k := range 12 {
		y, mo := 1989, 10+k // October 1989 to September 1990
		if mo > 12 {
			y, mo = 1990, mo-12
		}
		if err := m.MonthlyBalanceWE(y, mo, z, month); err != nil {
			t.Fatal(err)
		}
		if err := m.MonthlyBalance(y, mo, z, monthIce); err != nil {
			t.Fatal(err)
		}
		for i := range z {
			sum[i] += month[i]
			if d := monthIce[i]*constants.SecondsPerYear/12*constants.RhoIce/constants.RhoWater - month[i]; math.Abs(d) > 1e-12 {
				t.Errorf("%d-%02d at %g m: %g m ice/s is not %g m w.e. in a month", y, mo, z[i], monthIce[i], month[i])
			}
		}
	}
	for i := range z {
		if d := ice[i]/WEPerYearToIcePerSecond - we[i]; math.Abs(d) > 1e-12 {
			t.Errorf("%g m: %g m ice/s is not %g m w.e./yr", z[i], ice[i], we[i])
		}
		if d := sum[i] - we[i]; math.Abs(d) > 1e-12 {
			t.Errorf("%g m: the months sum to %g m w.e., the year is %g", z[i], sum[i], we[i])
		}
		if i > 0 && we[i] <= we[i-1] {
			t.Errorf("the balance does not grow with elevation: %g at %g m, %g at %g m", we[i-1], z[i-1], we[i], z[i])
		}
	}
	// The bias: 120 kg m⁻² yr⁻¹ less.
	m.Bias = 0
	if err := m.AnnualBalanceWE(1990, z, month); err != nil {
		t.Fatal(err)
	}
	if d := month[0] - we[0]; math.Abs(d-0.12) > 1e-12 {
		t.Errorf("a bias of 120 kg m⁻²/yr changes the balance by %g m w.e.", d)
	}
}

// FirstMonth 10: year Y runs from October Y−1 to September Y.
func TestFirstMonth(t *testing.T) {
	// Oct–Dec 1999 warm, Oct–Dec 2000 cold, the rest cold.
	c := synthetic(1999, 1, 36, func(i int) float64 {
		if i >= 9 && i < 12 {
			return 10
		}
		return -10
	}, constant(100))
	z, mb := []float64{3000}, []float64{0}
	cal := NewMonthlyTI(c)
	if err := cal.AnnualBalanceWE(2000, z, mb); err != nil {
		t.Fatal(err)
	}
	if want := 12 * 0.25; math.Abs(mb[0]-want) > 1e-12 {
		t.Errorf("calendar 2000: %g m w.e., want %g (all snow)", mb[0], want)
	}
	hydro := cal
	hydro.FirstMonth = 10
	if err := hydro.AnnualBalanceWE(2000, z, mb); err != nil {
		t.Fatal(err)
	}
	if want := 9*0.25 - 3*5*365.0/12*11/1000; math.Abs(mb[0]-want) > 1e-12 {
		t.Errorf("hydrological 2000: %g m w.e., want %g (three warm months)", mb[0], want)
	}
	if err := hydro.AnnualBalanceWE(1999, z, mb); err == nil || !strings.Contains(err.Error(), "2000–2001") {
		t.Errorf("hydrological 1999 needs 1998-10: %v", err)
	}
}

func TestNoClimateForYear(t *testing.T) {
	m := NewMonthlyTI(hefClimate(t))
	z, mb := []float64{3000}, []float64{0}
	tests := []struct {
		year       float64
		firstMonth int
		want       []string
	}{
		{2010, 1, []string{"2010", "1802–2002", "hef_histalp_monthly.csv"}},
		{2003, 1, []string{"2003", "1802–2002"}},
		{1801, 10, []string{"1801", "1802–2003"}},
		{math.NaN(), 1, []string{"1802–2002"}},
	}
	for _, tc := range tests {
		m.FirstMonth = tc.firstMonth
		err := m.AnnualBalance(tc.year, z, mb)
		if err == nil {
			t.Errorf("year %g: no error", tc.year)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("year %g: error %q does not say %q", tc.year, err, w)
			}
		}
	}
	m.FirstMonth = 1
	if err := m.MonthlyBalance(2003, 10, z, mb); err == nil || !strings.Contains(err.Error(), "2003-10") || !strings.Contains(err.Error(), "2003-09") {
		t.Errorf("month without climate: %v", err)
	}
}

func TestBadParameters(t *testing.T) {
	c := hefClimate(t)
	tests := []struct {
		name   string
		change func(m *MonthlyTI)
		want   string
	}{
		{"no climate", func(m *MonthlyTI) { m.Climate = nil }, "no climate"},
		{"negative melt factor", func(m *MonthlyTI) { m.MeltFactor = -1 }, "melt factor"},
		{"NaN melt factor", func(m *MonthlyTI) { m.MeltFactor = math.NaN() }, "melt factor"},
		{"zero precipitation factor", func(m *MonthlyTI) { m.PrcpFactor = 0 }, "precipitation factor"},
		{"thresholds", func(m *MonthlyTI) { m.TempAllLiquid = -1 }, "all-solid"},
		{"NaN gradient", func(m *MonthlyTI) { m.TempGradient = math.NaN() }, "not a number"},
		{"first month", func(m *MonthlyTI) { m.FirstMonth = 13 }, "first month"},
	}
	for _, tc := range tests {
		m := NewMonthlyTI(c)
		tc.change(&m)
		for _, model := range []Model{m, ConstantTI{TIParams: m.TIParams, Climate: m.Climate, FirstYear: 1980, LastYear: 1990},
			RandomTI{TIParams: m.TIParams, Climate: m.Climate, FirstYear: 1980, LastYear: 1990}} {
			err := model.AnnualBalance(1990, []float64{3000}, []float64{0})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("%s, %T: %v, want %q", tc.name, model, err, tc.want)
			}
		}
	}
	m := NewMonthlyTI(c)
	if err := m.AnnualBalance(1990, []float64{3000, 3100}, []float64{0}); err == nil {
		t.Error("a short output slice must fail")
	}
	if _, err := m.Constant(1990, 2010); err == nil || !strings.Contains(err.Error(), "2010") {
		t.Errorf("a constant climate beyond the data: %v", err)
	}
	if _, err := m.Random(1990, 1980, 1); err == nil || !strings.Contains(err.Error(), "empty") {
		t.Errorf("an empty random period: %v", err)
	}
}

func TestConstantClimate(t *testing.T) {
	c := hefClimate(t)
	m := NewMonthlyTI(c)
	m.MeltFactor = 6.5
	z := []float64{2500, 2900, 3300, 3700}
	mean, err := m.Constant(1985, 2000)
	if err != nil {
		t.Fatal(err)
	}
	avg := mean
	avg.AverageBalances = true

	// AverageBalances: the mean of the historical balances.
	want := make([]float64, len(z))
	one := make([]float64, len(z))
	for y := 1985; y <= 2000; y++ {
		if err := m.AnnualBalanceWE(float64(y), z, one); err != nil {
			t.Fatal(err)
		}
		for i := range z {
			want[i] += one[i] / 16
		}
	}
	got := make([]float64, len(z))
	if err := avg.AnnualBalanceWE(123, z, got); err != nil {
		t.Fatal(err)
	}
	for i := range z {
		if math.Abs(got[i]-want[i]) > 1e-12 {
			t.Errorf("mean of balances at %g m: %g, want %g", z[i], got[i], want[i])
		}
	}
	meanOfBalances := append([]float64{}, got...)
	// The mean climate: the balance of the mean annual cycle, computed
	// month by month.
	temp, prcp, err := c.AnnualCycle(1985, 2000, 1)
	if err != nil {
		t.Fatal(err)
	}
	cycle := synthetic(1, 1, 12, func(i int) float64 { return temp[i] }, func(i int) float64 { return prcp[i] })
	cycle.RefHeight = c.RefHeight
	if err := (MonthlyTI{TIParams: m.TIParams, Climate: cycle}).AnnualBalanceWE(1, z, want); err != nil {
		t.Fatal(err)
	}
	if err := mean.AnnualBalanceWE(-5, z, got); err != nil {
		t.Fatal(err)
	}
	for i := range z {
		if math.Abs(got[i]-want[i]) > 1e-12 {
			t.Errorf("mean climate at %g m: %g, want %g", z[i], got[i], want[i])
		}
		t.Logf("%g m: balance of the mean climate %+.3f, mean of the balances %+.3f m w.e./yr", z[i], got[i], meanOfBalances[i])
	}
	// The months add up to the year, in both modes.
	for _, model := range []ConstantTI{mean, avg} {
		total := make([]float64, len(z))
		month := make([]float64, len(z))
		for mo := 1; mo <= 12; mo++ {
			if err := model.MonthlyBalanceWE(0, mo, z, month); err != nil {
				t.Fatal(err)
			}
			for i := range z {
				total[i] += month[i]
			}
		}
		if err := model.AnnualBalanceWE(0, z, got); err != nil {
			t.Fatal(err)
		}
		for i := range z {
			if math.Abs(total[i]-got[i]) > 1e-12 {
				t.Errorf("%v: the months sum to %g, the year is %g", model.AverageBalances, total[i], got[i])
			}
		}
	}
	// The same balance every year.
	ice1, ice2 := make([]float64, len(z)), make([]float64, len(z))
	_ = mean.AnnualBalance(0, z, ice1)
	_ = mean.AnnualBalance(5000, z, ice2)
	for i := range z {
		if ice1[i] != ice2[i] {
			t.Errorf("constant climate changes with the year at %g m", z[i])
		}
	}
}

func TestRandomClimate(t *testing.T) {
	c := hefClimate(t)
	m := NewMonthlyTI(c)
	m.FirstMonth = 10
	r, err := m.Random(1970, 2000, 42)
	if err != nil {
		t.Fatal(err)
	}
	const n = 3100
	seq := make([]int, n)
	counts := map[int]int{}
	for y := range n {
		seq[y] = r.Year(float64(y))
		counts[seq[y]]++
		if seq[y] < 1970 || seq[y] > 2000 {
			t.Fatalf("model year %d draws %d, outside 1970–2000", y, seq[y])
		}
	}
	// Reproducible, in any order of calls; a fraction of a year is the
	// same year.
	for y := n - 1; y >= 0; y-- {
		if got := r.Year(float64(y) + 0.9); got != seq[y] {
			t.Fatalf("model year %d: %d, then %d", y, seq[y], got)
		}
	}
	again, _ := m.Random(1970, 2000, 42)
	other, _ := m.Random(1970, 2000, 43)
	same := 0
	for y := range n {
		if again.Year(float64(y)) != seq[y] {
			t.Fatalf("the same seed gives another year for model year %d", y)
		}
		if other.Year(float64(y)) == seq[y] {
			same++
		}
	}
	if same > n/10 {
		t.Errorf("seeds 42 and 43 agree on %d of %d years (expected about %d)", same, n, n/31)
	}
	// Uniform: every year drawn about n/31 = 100 times.
	for y := 1970; y <= 2000; y++ {
		if k := counts[y]; k < 55 || k > 150 {
			t.Errorf("year %d drawn %d times of %d (expected about 100)", y, k, n)
		}
	}
	// Successive draws are independent: lag-1 correlation near 0 (its
	// standard error is 1/√n ≈ 0.018).
	var mean float64
	for _, y := range seq {
		mean += float64(y) / n
	}
	var num, den float64
	for y := range n {
		d := float64(seq[y]) - mean
		den += d * d
		if y > 0 {
			num += d * (float64(seq[y-1]) - mean)
		}
	}
	r1 := num / den
	if math.Abs(r1) > 0.08 {
		t.Errorf("lag-1 correlation of the drawn years %.3f", r1)
	}
	// The balance is the historical balance of the drawn year.
	z := []float64{2600, 3000, 3400}
	got, want := make([]float64, 3), make([]float64, 3)
	for _, y := range []float64{0, 1, 17, 250} {
		if err := r.AnnualBalance(y, z, got); err != nil {
			t.Fatal(err)
		}
		if err := m.AnnualBalance(float64(r.Year(y)), z, want); err != nil {
			t.Fatal(err)
		}
		for i := range z {
			if got[i] != want[i] {
				t.Errorf("model year %g at %g m: %g, want %g (year %d)", y, z[i], got[i], want[i], r.Year(y))
			}
		}
		// A month of model year Y: from the drawn year, October from
		// the calendar year before.
		for _, mo := range []int{3, 11} {
			cy := int(y)
			if mo >= 10 {
				cy--
			}
			if err := r.MonthlyBalance(cy, mo, z, got); err != nil {
				t.Fatal(err)
			}
			dy := r.Year(y)
			if mo >= 10 {
				dy--
			}
			if err := m.MonthlyBalance(dy, mo, z, want); err != nil {
				t.Fatal(err)
			}
			if got[1] != want[1] {
				t.Errorf("model %d-%02d: %g, want %g (%d-%02d)", cy, mo, got[1], want[1], dy, mo)
			}
		}
	}
}

func TestBiasedTI(t *testing.T) {
	m := NewMonthlyTI(hefClimate(t))
	z := []float64{3000}
	a, b := []float64{0}, []float64{0}
	_ = m.AnnualBalance(1990, z, a)
	if err := (Biased{Model: m, Bias: -0.5}).AnnualBalance(1990, z, b); err != nil {
		t.Fatal(err)
	}
	if d := (b[0] - a[0]) / WEPerYearToIcePerSecond; math.Abs(d+0.5) > 1e-12 {
		t.Errorf("Biased by −0.5 m w.e./yr changes the TI balance by %g", d)
	}
	if s := m.String(); !strings.Contains(s, "melt factor 5") || !strings.Contains(s, "-6.5 K/km") {
		t.Errorf("String() = %q", s)
	}
}

func TestNoAllocations(t *testing.T) {
	c := hefClimate(t)
	m := NewMonthlyTI(c)
	cst, _ := m.Constant(1985, 2000)
	avg := cst
	avg.AverageBalances = true
	rnd, _ := m.Random(1970, 2000, 7)
	z := make([]float64, 200)
	mb := make([]float64, 200)
	for i := range z {
		z[i] = 3700 - 7*float64(i)
	}
	for _, model := range []Model{m, cst, avg, rnd} {
		year := 1900.0
		if n := testing.AllocsPerRun(100, func() {
			year++
			if err := model.AnnualBalance(year, z, mb); err != nil {
				t.Fatal(err)
			}
		}); n != 0 {
			t.Errorf("%T.AnnualBalance allocates %g times per call", model, n)
		}
	}
}

func benchmarkTI(b *testing.B, model Model) {
	z := make([]float64, 200)
	mb := make([]float64, 200)
	for i := range z {
		z[i] = 3700 - 7*float64(i)
	}
	b.ReportAllocs()
	year := 1900.0
	for b.Loop() {
		if err := model.AnnualBalance(year, z, mb); err != nil {
			b.Fatal(err)
		}
		if year++; year > 2000 {
			year = 1900
		}
	}
}

func BenchmarkMonthlyTI(b *testing.B) {
	benchmarkTI(b, NewMonthlyTI(hefClimate(b)))
}

func BenchmarkConstantTI(b *testing.B) {
	c, err := NewMonthlyTI(hefClimate(b)).Constant(1985, 2000)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("mean climate", func(b *testing.B) { benchmarkTI(b, c) })
	c.AverageBalances = true
	b.Run("mean of balances", func(b *testing.B) { benchmarkTI(b, c) })
}

func BenchmarkRandomTI(b *testing.B) {
	r, err := NewMonthlyTI(hefClimate(b)).Random(1970, 2000, 1)
	if err != nil {
		b.Fatal(err)
	}
	benchmarkTI(b, r)
}
