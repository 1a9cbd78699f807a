package climate

import (
	"errors"
	"fmt"
	"math"
)

// Monthly is a series of monthly climate at one reference altitude: the
// input of a temperature-index mass-balance model (OGGM's
// climate_historical file holds the same: temp, prcp, ref_hgt).
//
// The months are consecutive, without gaps (see [Monthly.Validate]), so
// that a month is found by arithmetic, not by search.
type Monthly struct {
	// Name says where the series comes from (file, data set, grid cell).
	Name string
	// RefHeight is the altitude at which Temp and Prcp hold, m a.s.l.
	RefHeight float64
	// Years and Months are the calendar year and month (1–12) of each
	// value.
	Years, Months []int
	// Temp is the monthly mean 2 m air temperature, °C.
	Temp []float64
	// Prcp is the monthly total precipitation, kg m⁻² per month
	// (= mm w.e. per month).
	Prcp []float64
	// Notes record what a reader changed in the file's values (see
	// [NetCDF.Monthly]), one sentence each, for the user and the
	// provenance of what is made from the series.
	Notes []string
}

// Len returns the number of months.
func (c *Monthly) Len() int { return len(c.Temp) }

// Validate checks that the slices have the same length, that the months
// are 1–12 and consecutive, that temperatures and the reference height
// are finite and that precipitation is finite and not negative. The error
// names the first offending month.
func (c *Monthly) Validate() error {
	if c == nil {
		return errors.New("climate: no climate series (nil)")
	}
	n := len(c.Temp)
	if n == 0 {
		return fmt.Errorf("climate %s: no months", c.Name)
	}
	if len(c.Years) != n || len(c.Months) != n || len(c.Prcp) != n {
		return fmt.Errorf("climate %s: %d years, %d months, %d temperatures and %d precipitations: the lengths must agree",
			c.Name, len(c.Years), len(c.Months), n, len(c.Prcp))
	}
	if math.IsNaN(c.RefHeight) || math.IsInf(c.RefHeight, 0) {
		return fmt.Errorf("climate %s: reference height %g m is not a number", c.Name, c.RefHeight)
	}
	for i := range n {
		y, m := c.Years[i], c.Months[i]
		if m < 1 || m > 12 {
			return fmt.Errorf("climate %s: value %d has month %d (want 1–12)", c.Name, i+1, m)
		}
		if i > 0 {
			py, pm := c.Years[i-1], c.Months[i-1]
			if wy, wm := nextMonth(py, pm); y != wy || m != wm {
				return fmt.Errorf("climate %s: %04d-%02d follows %04d-%02d; the months must be consecutive (want %04d-%02d)",
					c.Name, y, m, py, pm, wy, wm)
			}
		}
		if t := c.Temp[i]; math.IsNaN(t) || math.IsInf(t, 0) {
			return fmt.Errorf("climate %s: temperature of %04d-%02d is %g (missing?)", c.Name, y, m, t)
		}
		if p := c.Prcp[i]; math.IsNaN(p) || math.IsInf(p, 0) || p < 0 {
			return fmt.Errorf("climate %s: precipitation of %04d-%02d is %g kg m⁻² (want a finite value ≥ 0)", c.Name, y, m, p)
		}
	}
	return nil
}

func nextMonth(y, m int) (int, int) {
	if m == 12 {
		return y + 1, 1
	}
	return y, m + 1
}

// Index returns the position of the given calendar month in the series, or
// false if the series does not hold it. The series must be valid.
func (c *Monthly) Index(year, month int) (int, bool) {
	if len(c.Years) == 0 || month < 1 || month > 12 {
		return 0, false
	}
	i := (year-c.Years[0])*12 + month - c.Months[0]
	if i < 0 || i >= len(c.Years) {
		return 0, false
	}
	return i, true
}

// MassBalanceYear names the months of mass-balance year year: with
// firstMonth 1 (or 0) the calendar year, January to December; with
// firstMonth f > 1 the twelve months from month f of year−1 to month f−1
// of year (a year is named after the calendar year in which it ends, as in
// the WGMS data: the glaciological year of the Alps runs from 1 October,
// firstMonth 10). It returns the calendar year and month of its first
// month.
func MassBalanceYear(year, firstMonth int) (startYear, startMonth int) {
	if firstMonth <= 1 {
		return year, 1
	}
	return year - 1, firstMonth
}

// YearStart returns the index of the first month of mass-balance year year
// (see [MassBalanceYear]); all twelve months follow it. If the series does
// not hold the whole year, the error names the year and the years it
// holds. It does not allocate unless it fails.
func (c *Monthly) YearStart(year, firstMonth int) (int, error) {
	if firstMonth < 0 || firstMonth > 12 {
		return 0, fmt.Errorf("climate %s: first month of the mass-balance year is %d (want 1–12)", c.Name, firstMonth)
	}
	sy, sm := MassBalanceYear(year, firstMonth)
	i, ok := c.Index(sy, sm)
	if !ok || i+12 > len(c.Years) {
		return 0, c.rangeError(year, firstMonth)
	}
	return i, nil
}

func (c *Monthly) rangeError(year, firstMonth int) error {
	first, last, ok := c.YearRange(firstMonth)
	kind := "calendar year"
	if firstMonth > 1 {
		kind = fmt.Sprintf("mass-balance year (from month %d)", firstMonth)
	}
	if !ok {
		return fmt.Errorf("climate %s: no data for %s %d: the series (%s) holds no complete %s",
			c.Name, kind, year, c.span(), kind)
	}
	return fmt.Errorf("climate %s: no data for %s %d: available are %d–%d (months %s)",
		c.Name, kind, year, first, last, c.span())
}

func (c *Monthly) span() string {
	n := len(c.Years)
	if n == 0 {
		return "empty"
	}
	return fmt.Sprintf("%04d-%02d to %04d-%02d", c.Years[0], c.Months[0], c.Years[n-1], c.Months[n-1])
}

// YearRange returns the first and last mass-balance years (see
// [MassBalanceYear]) whose twelve months the series holds, or false if it
// holds none.
func (c *Monthly) YearRange(firstMonth int) (first, last int, ok bool) {
	n := len(c.Years)
	if n < 12 {
		return 0, 0, false
	}
	fm := max(firstMonth, 1)
	// The first year starts at the first month fm at or after the start.
	sy, sm := c.Years[0], c.Months[0]
	if sm > fm {
		sy++
	}
	first = sy
	if fm > 1 {
		first = sy + 1
	}
	// The last year ends at month fm−1 (December for fm 1) at or before
	// the end.
	ey, em := c.Years[n-1], c.Months[n-1]
	endMonth := fm - 1
	if endMonth == 0 {
		endMonth = 12
	}
	if em < endMonth {
		ey--
	}
	last = ey
	if last < first {
		return 0, 0, false
	}
	return first, last, true
}

// AnnualCycle returns the mean annual cycle over mass-balance years first
// to last (inclusive): the mean temperature (°C) and precipitation
// (kg m⁻² per month) of each calendar month, index 0 for January. It does
// not allocate unless it fails.
func (c *Monthly) AnnualCycle(first, last, firstMonth int) (temp, prcp [12]float64, err error) {
	if last < first {
		return temp, prcp, fmt.Errorf("climate %s: period %d–%d is empty", c.Name, first, last)
	}
	i0, err := c.YearStart(first, firstMonth)
	if err != nil {
		return temp, prcp, err
	}
	if _, err := c.YearStart(last, firstMonth); err != nil {
		return temp, prcp, err
	}
	n := last - first + 1
	for i := i0; i < i0+12*n; i++ {
		m := c.Months[i] - 1
		temp[m] += c.Temp[i]
		prcp[m] += c.Prcp[i]
	}
	for m := range 12 {
		temp[m] /= float64(n)
		prcp[m] /= float64(n)
	}
	return temp, prcp, nil
}

// Period returns the part of the series that covers mass-balance years
// first to last; it shares the slices of c.
func (c *Monthly) Period(first, last, firstMonth int) (*Monthly, error) {
	if last < first {
		return nil, fmt.Errorf("climate %s: period %d–%d is empty", c.Name, first, last)
	}
	i0, err := c.YearStart(first, firstMonth)
	if err != nil {
		return nil, err
	}
	i1, err := c.YearStart(last, firstMonth)
	if err != nil {
		return nil, err
	}
	i1 += 12
	return &Monthly{
		Name:      c.Name,
		RefHeight: c.RefHeight,
		Years:     c.Years[i0:i1:i1],
		Months:    c.Months[i0:i1:i1],
		Temp:      c.Temp[i0:i1:i1],
		Prcp:      c.Prcp[i0:i1:i1],
		Notes:     c.Notes,
	}, nil
}

// String describes the series in one line.
func (c *Monthly) String() string {
	return fmt.Sprintf("%s: %d months %s at %g m", c.Name, len(c.Years), c.span(), c.RefHeight)
}
