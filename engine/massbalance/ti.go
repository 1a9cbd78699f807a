package massbalance

import (
	"errors"
	"fmt"
	"math"
	"math/bits"
	"math/rand/v2"

	"github.com/firnglacier/firn/engine/climate"
	"github.com/firnglacier/firn/engine/constants"
)

// OGGM's defaults for the monthly temperature-index model (oggm/params.cfg,
// OGGM v1.6).
const (
	// DefaultMeltFactor is OGGM's default melt_f, kg m⁻² day⁻¹ K⁻¹; it is
	// meant to be calibrated (see CalibrateMeltFactor).
	DefaultMeltFactor = 5.0
	// DefaultPrcpFactor is OGGM's prcp_fac (dimensionless).
	DefaultPrcpFactor = 2.5
	// DefaultTempMelt is OGGM's temp_melt, °C.
	DefaultTempMelt = -1.0
	// DefaultTempAllSolid is OGGM's temp_all_solid, °C.
	DefaultTempAllSolid = 0.0
	// DefaultTempAllLiquid is OGGM's temp_all_liq, °C.
	DefaultTempAllLiquid = 2.0
	// DefaultTempGradient is OGGM's temp_default_gradient, K m⁻¹.
	DefaultTempGradient = -0.0065
)

// DaysPerMonth is the length of a model month, days: OGGM's monthly melt
// factor is melt_f·365/12 (MonthlyTIModel.monthly_melt_f).
const DaysPerMonth = 365.0 / 12

// secondsPerMonth is OGGM's SEC_IN_MONTH, s.
const secondsPerMonth = constants.SecondsPerYear / 12

// TIParams are the parameters of the monthly temperature-index model
// (OGGM's MonthlyTIModel; OGGM documentation, "Monthly temperature index
// model calibrated on geodetic MB data", and oggm/core/massbalance.py).
// At elevation z, in month i of the climate at reference height z_ref:
//
//	T_i(z)      = T_i + TempBias + TempGradient·(z − z_ref)                         °C
//	P_i^solid   = PrcpFactor·P_i · clip(1 − (T_i(z) − TempAllSolid)/(TempAllLiquid − TempAllSolid), 0, 1)
//	B_i(z)      = P_i^solid − MeltFactor·(365/12)·max(T_i(z) − TempMelt, 0)     kg m⁻² per month
//	B(z)        = Σ_i B_i(z) − Bias                                               kg m⁻² yr⁻¹
//
// (a month's share of the Bias, Bias/12, in a monthly balance). The
// balance is the climatic balance of the glacier surface; refreezing and
// other processes are in the calibrated factors.
type TIParams struct {
	// MeltFactor μ is the melt per day and degree above TempMelt,
	// kg m⁻² day⁻¹ K⁻¹ (mm w.e. day⁻¹ K⁻¹; OGGM's melt_f since v1.6). A
	// month counts 365/12 days: the monthly factor is μ·365/12.
	MeltFactor float64
	// PrcpFactor multiplies the precipitation of the climate (OGGM's
	// prcp_fac), dimensionless, > 0: it corrects the undercatch of the
	// gauges and the gridded data's smoothing of mountain precipitation.
	PrcpFactor float64
	// TempMelt is the temperature above which ice melts, °C (OGGM's
	// temp_melt).
	TempMelt float64
	// Precipitation is all solid at or below TempAllSolid and all liquid
	// at or above TempAllLiquid, linear between, °C (OGGM's
	// temp_all_solid and temp_all_liq). Equal values give a sharp
	// threshold.
	TempAllSolid, TempAllLiquid float64
	// TempGradient is the temperature lapse rate, K m⁻¹ (OGGM's
	// temp_default_gradient, −0.0065).
	TempGradient float64
	// TempBias is added to the temperature of the climate, K (OGGM's
	// temp_bias).
	TempBias float64
	// Bias is subtracted from the annual balance, kg m⁻² yr⁻¹ (= mm w.e.
	// yr⁻¹), as OGGM's bias: bias = modelled − reference. Note the sign:
	// [Biased] adds its bias.
	Bias float64
	// FirstMonth is the month (1–12) that starts the mass-balance year
	// named Y: 1 (or 0) for the calendar year, OGGM's choice since v1.6;
	// f > 1 for the year from month f of Y−1 to month f−1 of Y, e.g. 10
	// for the glaciological (hydrological) year of the Alps, October to
	// September, in which the WGMS reports balances.
	FirstMonth int
}

// DefaultTIParams returns OGGM's defaults (calendar years).
func DefaultTIParams() TIParams {
	return TIParams{
		MeltFactor:    DefaultMeltFactor,
		PrcpFactor:    DefaultPrcpFactor,
		TempMelt:      DefaultTempMelt,
		TempAllSolid:  DefaultTempAllSolid,
		TempAllLiquid: DefaultTempAllLiquid,
		TempGradient:  DefaultTempGradient,
		FirstMonth:    1,
	}
}

// check validates the parameters; it allocates only when it fails.
func (p *TIParams) check(c *climate.Monthly) error {
	if c == nil {
		return errors.New("temperature-index mass balance: no climate")
	}
	bad := func(v float64) bool { return math.IsNaN(v) || math.IsInf(v, 0) }
	switch {
	case bad(p.MeltFactor) || p.MeltFactor < 0:
		return fmt.Errorf("temperature-index mass balance: melt factor %g kg m⁻² day⁻¹ K⁻¹ (want ≥ 0)", p.MeltFactor)
	case bad(p.PrcpFactor) || p.PrcpFactor <= 0:
		return fmt.Errorf("temperature-index mass balance: precipitation factor %g (want > 0; OGGM's default is %g)", p.PrcpFactor, DefaultPrcpFactor)
	case bad(p.TempAllSolid) || bad(p.TempAllLiquid) || p.TempAllLiquid < p.TempAllSolid:
		return fmt.Errorf("temperature-index mass balance: all-solid %g °C and all-liquid %g °C thresholds (want solid ≤ liquid)", p.TempAllSolid, p.TempAllLiquid)
	case bad(p.TempMelt) || bad(p.TempGradient) || bad(p.TempBias) || bad(p.Bias):
		return fmt.Errorf("temperature-index mass balance: a parameter is not a number (melt temperature %g °C, gradient %g K/m, temperature bias %g K, bias %g kg m⁻²/yr)",
			p.TempMelt, p.TempGradient, p.TempBias, p.Bias)
	case p.FirstMonth < 0 || p.FirstMonth > 12:
		return fmt.Errorf("temperature-index mass balance: first month %d of the mass-balance year (want 1–12)", p.FirstMonth)
	}
	return nil
}

func checkLen(z, mb []float64) error {
	if len(mb) != len(z) {
		return fmt.Errorf("temperature-index mass balance: %d elevations but room for %d balances", len(z), len(mb))
	}
	return nil
}

// balance writes into mb, at the elevations z, (Σ_i B_i(z))/n − bias,
// times scale, for the months whose temperature (°C) and precipitation
// (kg m⁻²) at zRef are in temp and prcp. n is the number of years that the
// months make (to average), bias is in kg m⁻² for the period of one
// balance, and scale converts kg m⁻² into the unit of mb.
func (p *TIParams) balance(temp, prcp []float64, n, bias, zRef float64, z, mb []float64, scale float64) {
	prcp = prcp[:len(temp)]
	for j, zj := range z {
		dz := p.TempGradient*(zj-zRef) + p.TempBias
		var b float64
		for i, t := range temp {
			b += p.month(t+dz, prcp[i])
		}
		mb[j] = (b/n - bias) * scale
	}
}

// month returns the balance of a month, kg m⁻², at temperature t (°C,
// at the glacier surface) with precipitation prcp (kg m⁻², before the
// precipitation factor).
func (p *TIParams) month(t, prcp float64) float64 {
	var solid float64
	switch span := p.TempAllLiquid - p.TempAllSolid; {
	case t <= p.TempAllSolid:
		solid = 1
	case span > 0:
		solid = min(max(1-(t-p.TempAllSolid)/span, 0), 1)
	}
	return p.PrcpFactor*prcp*solid - p.MeltFactor*DaysPerMonth*max(t-p.TempMelt, 0)
}

// Units of the outputs, per kg m⁻² of balance.
const (
	annualIce = 1 / (constants.RhoIce * constants.SecondsPerYear) // m ice s⁻¹ per kg m⁻² yr⁻¹
	monthIce  = 1 / (constants.RhoIce * secondsPerMonth)          // m ice s⁻¹ per kg m⁻² month⁻¹
	waterEq   = 1 / constants.RhoWater                            // m w.e. per kg m⁻²
)

// MonthlyTI is OGGM's monthly temperature-index model (MonthlyTIModel)
// driven by a historical climate: model year Y has the climate of
// mass-balance year Y (see TIParams.FirstMonth) of the series.
type MonthlyTI struct {
	TIParams
	// Climate is the monthly climate at its reference height.
	Climate *climate.Monthly
}

var (
	_ Model = MonthlyTI{}
	_ Model = ConstantTI{}
	_ Model = RandomTI{}
)

// NewMonthlyTI returns the model with OGGM's default parameters.
func NewMonthlyTI(c *climate.Monthly) MonthlyTI {
	return MonthlyTI{TIParams: DefaultTIParams(), Climate: c}
}

// AnnualBalance implements Model: the balance of mass-balance year
// ⌊year⌋, m of ice per second. It fails, naming the year and the years
// available, if the climate does not hold the year. It does not allocate.
func (m MonthlyTI) AnnualBalance(year float64, z, mb []float64) error {
	return m.annual(year, z, mb, annualIce)
}

// AnnualBalanceWE writes the balance of mass-balance year ⌊year⌋ in m w.e.
// per year, the unit of glaciological observations.
func (m MonthlyTI) AnnualBalanceWE(year float64, z, mb []float64) error {
	return m.annual(year, z, mb, waterEq)
}

func (m MonthlyTI) annual(year float64, z, mb []float64, scale float64) error {
	if err := m.check(m.Climate); err != nil {
		return err
	}
	if err := checkLen(z, mb); err != nil {
		return err
	}
	i, err := m.Climate.YearStart(floorYear(year), m.FirstMonth)
	if err != nil {
		return err
	}
	c := m.Climate
	m.balance(c.Temp[i:i+12], c.Prcp[i:i+12], 1, m.Bias, c.RefHeight, z, mb, scale)
	return nil
}

// MonthlyBalance writes the balance of one calendar month, m of ice per
// second over the month (OGGM's get_monthly_mb; a month is a twelfth of
// the year, 365/12 days).
func (m MonthlyTI) MonthlyBalance(year, month int, z, mb []float64) error {
	return m.monthly(year, month, z, mb, monthIce)
}

// MonthlyBalanceWE writes the balance of one calendar month, m w.e.
func (m MonthlyTI) MonthlyBalanceWE(year, month int, z, mb []float64) error {
	return m.monthly(year, month, z, mb, waterEq)
}

func (m MonthlyTI) monthly(year, month int, z, mb []float64, scale float64) error {
	if err := m.check(m.Climate); err != nil {
		return err
	}
	if err := checkLen(z, mb); err != nil {
		return err
	}
	i, ok := m.Climate.Index(year, month)
	if !ok {
		return m.monthError(year, month)
	}
	c := m.Climate
	m.balance(c.Temp[i:i+1], c.Prcp[i:i+1], 1, m.Bias/12, c.RefHeight, z, mb, scale)
	return nil
}

func (m MonthlyTI) monthError(year, month int) error {
	c := m.Climate
	if month < 1 || month > 12 {
		return fmt.Errorf("temperature-index mass balance: month %d (want 1–12)", month)
	}
	n := len(c.Years)
	if n == 0 {
		return fmt.Errorf("climate %s: no data for %04d-%02d: the series is empty", c.Name, year, month)
	}
	return fmt.Errorf("climate %s: no data for %04d-%02d: available are %04d-%02d to %04d-%02d",
		c.Name, year, month, c.Years[0], c.Months[0], c.Years[n-1], c.Months[n-1])
}

// String describes the model.
func (m MonthlyTI) String() string {
	return fmt.Sprintf("monthly temperature-index mass balance, historical climate %s; %v", climateName(m.Climate), m.TIParams)
}

// String lists the parameters with their units.
func (p TIParams) String() string {
	s := fmt.Sprintf("melt factor %g kg m⁻² day⁻¹ K⁻¹, precipitation factor %g, melt above %g °C, solid below %g °C, liquid above %g °C, lapse rate %g K/km",
		p.MeltFactor, p.PrcpFactor, p.TempMelt, p.TempAllSolid, p.TempAllLiquid, p.TempGradient*1000)
	if p.TempBias != 0 {
		s += fmt.Sprintf(", temperature bias %+g K", p.TempBias)
	}
	if p.Bias != 0 {
		s += fmt.Sprintf(", bias %+g mm w.e./yr (subtracted)", p.Bias)
	}
	if p.FirstMonth > 1 {
		s += fmt.Sprintf(", years from month %d", p.FirstMonth)
	}
	return s
}

func climateName(c *climate.Monthly) string {
	if c == nil {
		return "(none)"
	}
	return c.Name
}

func floorYear(year float64) int {
	if math.IsNaN(year) || math.Abs(year) > 1e9 {
		return math.MinInt32 // no climate holds it: YearStart fails
	}
	return int(math.Floor(year))
}

// Constant returns the model in a constant climate: the mean of
// mass-balance years first to last (see [ConstantTI]).
func (m MonthlyTI) Constant(first, last int) (ConstantTI, error) {
	c := ConstantTI{TIParams: m.TIParams, Climate: m.Climate, FirstYear: first, LastYear: last}
	return c, c.checkPeriod()
}

// Random returns the model in a random climate: each model year draws a
// mass-balance year from first to last (see [RandomTI]).
func (m MonthlyTI) Random(first, last int, seed uint64) (RandomTI, error) {
	r := RandomTI{TIParams: m.TIParams, Climate: m.Climate, FirstYear: first, LastYear: last, Seed: seed}
	return r, r.checkPeriod()
}

// ConstantTI is the temperature-index model in a constant climate: every
// year has the mean annual cycle of the climate over mass-balance years
// FirstYear to LastYear (e.g. 1985–2015), the mean temperature and
// precipitation of each calendar month.
//
// Because melt is not linear in temperature, the balance of the mean
// climate is not the mean of the balances (at Hintereisferner over
// 1985–2000 it is 0.2 m w.e./yr less negative at 2900 m). OGGM's
// ConstantMassBalance averages the balances of the years, which OGGM
// calls the correct way to represent a period's mean balance (OGGM blog,
// "mean forcing", 2021-08-05); AverageBalances selects it.
type ConstantTI struct {
	TIParams
	Climate *climate.Monthly
	// FirstYear and LastYear bound the period, inclusive.
	FirstYear, LastYear int
	// AverageBalances averages the balances of the years (OGGM's
	// ConstantMassBalance) instead of taking the balance of the mean
	// climate.
	AverageBalances bool
}

func (c ConstantTI) checkPeriod() error {
	if err := c.check(c.Climate); err != nil {
		return err
	}
	return checkPeriod(c.Climate, c.FirstYear, c.LastYear, c.FirstMonth)
}

func checkPeriod(c *climate.Monthly, first, last, firstMonth int) error {
	if last < first {
		return fmt.Errorf("temperature-index mass balance: period %d–%d is empty", first, last)
	}
	if _, err := c.YearStart(first, firstMonth); err != nil {
		return err
	}
	_, err := c.YearStart(last, firstMonth)
	return err
}

// AnnualBalance implements Model: the same balance every year, m of ice
// per second. It does not allocate.
func (c ConstantTI) AnnualBalance(year float64, z, mb []float64) error {
	return c.annual(z, mb, annualIce)
}

// AnnualBalanceWE writes the annual balance in m w.e. per year.
func (c ConstantTI) AnnualBalanceWE(year float64, z, mb []float64) error {
	return c.annual(z, mb, waterEq)
}

func (c ConstantTI) annual(z, mb []float64, scale float64) error {
	if err := c.checkPeriod(); err != nil {
		return err
	}
	if err := checkLen(z, mb); err != nil {
		return err
	}
	cl := c.Climate
	if c.AverageBalances {
		i0, _ := cl.YearStart(c.FirstYear, c.FirstMonth)
		n := c.LastYear - c.FirstYear + 1
		c.balance(cl.Temp[i0:i0+12*n], cl.Prcp[i0:i0+12*n], float64(n), c.Bias, cl.RefHeight, z, mb, scale)
		return nil
	}
	temp, prcp, err := cl.AnnualCycle(c.FirstYear, c.LastYear, c.FirstMonth)
	if err != nil {
		return err
	}
	c.balance(temp[:], prcp[:], 1, c.Bias, cl.RefHeight, z, mb, scale)
	return nil
}

// MonthlyBalance writes the balance of calendar month month (1–12) of the
// constant climate, m of ice per second; year is not used.
func (c ConstantTI) MonthlyBalance(year, month int, z, mb []float64) error {
	return c.monthly(month, z, mb, monthIce)
}

// MonthlyBalanceWE writes the balance of calendar month month of the
// constant climate, m w.e.; year is not used.
func (c ConstantTI) MonthlyBalanceWE(year, month int, z, mb []float64) error {
	return c.monthly(month, z, mb, waterEq)
}

func (c ConstantTI) monthly(month int, z, mb []float64, scale float64) error {
	if err := c.checkPeriod(); err != nil {
		return err
	}
	if err := checkLen(z, mb); err != nil {
		return err
	}
	if month < 1 || month > 12 {
		return fmt.Errorf("temperature-index mass balance: month %d (want 1–12)", month)
	}
	cl := c.Climate
	if c.AverageBalances {
		// The mean over the years of this month's balance.
		i0, _ := cl.YearStart(c.FirstYear, c.FirstMonth)
		n := c.LastYear - c.FirstYear + 1
		k := (month - cl.Months[i0] + 12) % 12 // this month's place in a year
		for j, zj := range z {
			dz := c.TempGradient*(zj-cl.RefHeight) + c.TempBias
			var b float64
			for y := range n {
				i := i0 + 12*y + k
				b += c.month(cl.Temp[i]+dz, cl.Prcp[i])
			}
			mb[j] = (b/float64(n) - c.Bias/12) * scale
		}
		return nil
	}
	temp, prcp, err := cl.AnnualCycle(c.FirstYear, c.LastYear, c.FirstMonth)
	if err != nil {
		return err
	}
	c.balance(temp[month-1:month], prcp[month-1:month], 1, c.Bias/12, cl.RefHeight, z, mb, scale)
	return nil
}

// String describes the model.
func (c ConstantTI) String() string {
	how := "mean climate"
	if c.AverageBalances {
		how = "mean of the balances"
	}
	return fmt.Sprintf("monthly temperature-index mass balance, constant climate (%s) of %d–%d of %s; %v",
		how, c.FirstYear, c.LastYear, climateName(c.Climate), c.TIParams)
}

// RandomTI is the temperature-index model in a random climate: each model
// year draws a whole mass-balance year from FirstYear to LastYear (a
// bootstrap with replacement, as OGGM's RandomMassBalance), uniformly.
//
// The draw for model year Y depends only on Seed and Y: a PCG generator
// (math/rand/v2) seeded with (Seed, Y), both scrambled, picks it. So the same seed gives
// the same sequence of years in any order of calls, from any goroutine,
// and the model keeps no state.
type RandomTI struct {
	TIParams
	Climate *climate.Monthly
	// FirstYear and LastYear bound the years drawn from, inclusive.
	FirstYear, LastYear int
	// Seed selects the sequence of years.
	Seed uint64
}

func (r RandomTI) checkPeriod() error {
	if err := r.check(r.Climate); err != nil {
		return err
	}
	return checkPeriod(r.Climate, r.FirstYear, r.LastYear, r.FirstMonth)
}

// Year returns the mass-balance year of the climate drawn for model year
// ⌊year⌋. It does not allocate.
func (r RandomTI) Year(year float64) int {
	n := r.LastYear - r.FirstYear + 1
	if n <= 1 {
		return r.FirstYear
	}
	var src rand.PCG
	src.Seed(splitMix64(r.Seed), splitMix64(uint64(int64(floorYear(year)))))
	return r.FirstYear + int(boundedUint64(&src, uint64(n)))
}

// splitMix64 scrambles a seed (the finaliser of Steele, Lea and Flood's
// SplitMix64, 2014), so that neighbouring years and seeds start the
// generator from unrelated states (the tests check the uniformity and the
// lag-1 correlation of the drawn years).
func splitMix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// boundedUint64 returns a uniform integer in [0, n) from src (Lemire's
// multiply-and-reject method, as math/rand/v2 uses; without a rand.Rand,
// which would escape to the heap).
func boundedUint64(src *rand.PCG, n uint64) uint64 {
	hi, lo := bits.Mul64(src.Uint64(), n)
	if lo < n {
		thresh := -n % n
		for lo < thresh {
			hi, lo = bits.Mul64(src.Uint64(), n)
		}
	}
	return hi
}

// AnnualBalance implements Model: the balance of the mass-balance year
// drawn for model year ⌊year⌋, m of ice per second. It does not allocate.
func (r RandomTI) AnnualBalance(year float64, z, mb []float64) error {
	return r.annual(year, z, mb, annualIce)
}

// AnnualBalanceWE writes the annual balance in m w.e. per year.
func (r RandomTI) AnnualBalanceWE(year float64, z, mb []float64) error {
	return r.annual(year, z, mb, waterEq)
}

func (r RandomTI) annual(year float64, z, mb []float64, scale float64) error {
	if err := r.checkPeriod(); err != nil {
		return err
	}
	if err := checkLen(z, mb); err != nil {
		return err
	}
	c := r.Climate
	i, err := c.YearStart(r.Year(year), r.FirstMonth)
	if err != nil {
		return err
	}
	r.balance(c.Temp[i:i+12], c.Prcp[i:i+12], 1, r.Bias, c.RefHeight, z, mb, scale)
	return nil
}

// MonthlyBalance writes the balance of calendar month (year, month) of the
// model's time, m of ice per second: the month of that name in the
// mass-balance year drawn for the model's mass-balance year that holds it.
func (r RandomTI) MonthlyBalance(year, month int, z, mb []float64) error {
	return r.monthly(year, month, z, mb, monthIce)
}

// MonthlyBalanceWE is MonthlyBalance in m w.e.
func (r RandomTI) MonthlyBalanceWE(year, month int, z, mb []float64) error {
	return r.monthly(year, month, z, mb, waterEq)
}

func (r RandomTI) monthly(year, month int, z, mb []float64, scale float64) error {
	if err := r.checkPeriod(); err != nil {
		return err
	}
	if err := checkLen(z, mb); err != nil {
		return err
	}
	if month < 1 || month > 12 {
		return fmt.Errorf("temperature-index mass balance: month %d (want 1–12)", month)
	}
	shift := 0 // months from FirstMonth on belong to the next mass-balance year
	if r.FirstMonth > 1 && month >= r.FirstMonth {
		shift = 1
	}
	drawn := r.Year(float64(year + shift))
	c := r.Climate
	i, ok := c.Index(drawn-shift, month)
	if !ok {
		return MonthlyTI{TIParams: r.TIParams, Climate: c}.monthError(drawn-shift, month)
	}
	r.balance(c.Temp[i:i+1], c.Prcp[i:i+1], 1, r.Bias/12, c.RefHeight, z, mb, scale)
	return nil
}

// String describes the model.
func (r RandomTI) String() string {
	return fmt.Sprintf("monthly temperature-index mass balance, random climate of %d–%d of %s (seed %d); %v",
		r.FirstYear, r.LastYear, climateName(r.Climate), r.Seed, r.TIParams)
}
