package climate

import (
	"fmt"
	"math"
	"path/filepath"
	"strconv"
	"strings"
)

// Variable names tried, in order, for the climate of a NetCDF file.
var (
	tempNames = []string{"temp", "t2m", "tmp", "tas"}
	prcpNames = []string{"prcp", "tp", "pre", "pr"}
)

// ReadNetCDF reads a monthly climate series from a NetCDF classic file; see
// [NetCDF.Monthly].
func ReadNetCDF(path string, lon, lat float64) (*Monthly, error) {
	nc, err := OpenNetCDF(path)
	if err != nil {
		return nil, err
	}
	defer nc.Close()
	return nc.Monthly(lon, lat)
}

// Monthly builds the monthly climate series of the file at the grid cell
// nearest to (lon, lat), in degrees east and north. It reads:
//
//   - temperature: variable temp (or t2m, tmp, tas) in °C or K;
//   - precipitation: variable prcp (or tp, pre, pr) in kg m⁻² or mm per
//     month, or kg m⁻² s⁻¹ (multiplied by the seconds of the month);
//   - time: variable time, "<unit> since <date>" with unit days, hours,
//     minutes or seconds, calendar standard, gregorian,
//     proleptic_gregorian, noleap, 365_day or 360_day;
//   - the reference height: for a gridded file (time, lat, lon), in any
//     order of lat and lon) the variable hgt at the cell, m; for a series
//     at one point (time) the global attribute ref_hgt, m (OGGM's
//     climate_historical files), and lon and lat are not used.
//
// Packed values are unpacked (scale_factor, add_offset, _FillValue,
// missing_value: see [Var.Unpack]); a missing value fails in
// [Monthly.Validate]. Negative precipitation, which gridded products
// made by interpolating anomalies can hold (HISTALP_oetztal.nc has 67
// cell-months of it from 2006-11, down to −20.9 kg m⁻²), is set to 0, and
// a sentence in [Monthly.Notes] says how many months, which and the
// lowest value, so that the change is seen and recorded, not silent. A
// CSV series is the user's own and is refused instead. The grid must be regular in lat and lon (1-D
// coordinate variables).
func (nc *NetCDF) Monthly(lon, lat float64) (*Monthly, error) {
	tv, err := nc.firstVar(tempNames, "temperature")
	if err != nil {
		return nil, err
	}
	pv, err := nc.firstVar(prcpNames, "precipitation")
	if err != nil {
		return nil, err
	}
	years, months, err := nc.monthlyTime()
	if err != nil {
		return nil, err
	}
	c := &Monthly{Name: filepath.Base(nc.Name), Years: years, Months: months}
	n := int64(len(years))

	var start, count []int64
	switch len(tv.Shape) {
	case 1:
		a, ok := nc.Attr("ref_hgt")
		h, ok2 := a.Float64()
		if !ok || !ok2 {
			return nil, fmt.Errorf("netcdf %s: a series at one point needs the global attribute ref_hgt (m)", nc.Name)
		}
		c.RefHeight = h
		start, count = []int64{0}, []int64{n}
	case 3:
		ilat, ilon, hgt, err := nc.nearestCell(tv, lon, lat)
		if err != nil {
			return nil, err
		}
		start = make([]int64, 3)
		count = []int64{n, 1, 1}
		start[ilat.dim], start[ilon.dim] = ilat.index, ilon.index
		c.RefHeight = hgt
		c.Name = fmt.Sprintf("%s cell %.4f N %.4f E", c.Name, ilat.value, ilon.value)
	default:
		return nil, fmt.Errorf("netcdf %s: variable %s has %d dimensions; want (time) or (time, lat, lon)", nc.Name, tv.Name, len(tv.Shape))
	}
	for _, v := range []*Var{tv, pv} {
		if len(v.Shape) != len(tv.Shape) || v.DimIDs[0] != tv.DimIDs[0] || v.Shape[0] != n {
			return nil, fmt.Errorf("netcdf %s: variables %s and %s must have the same dimensions, time first", nc.Name, tv.Name, pv.Name)
		}
	}
	if c.Temp, err = nc.ReadSlab(tv.Name, start, count); err != nil {
		return nil, err
	}
	if c.Prcp, err = nc.ReadSlab(pv.Name, start, count); err != nil {
		return nil, err
	}
	tv.Unpack(c.Temp)
	pv.Unpack(c.Prcp)
	if err := nc.toCelsius(tv, c.Temp); err != nil {
		return nil, err
	}
	if err := nc.toPerMonth(pv, c); err != nil {
		return nil, err
	}
	c.clipNegativePrecipitation()
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return c, nil
}

func (nc *NetCDF) firstVar(names []string, what string) (*Var, error) {
	for _, n := range names {
		if v, ok := nc.Var(n); ok {
			return v, nil
		}
	}
	return nil, fmt.Errorf("netcdf %s: no %s variable (looked for %s)", nc.Name, what, strings.Join(names, ", "))
}

func units(v *Var) string {
	a, _ := v.Attr("units")
	s, _ := a.Text()
	return strings.TrimSpace(s)
}

func (nc *NetCDF) toCelsius(v *Var, t []float64) error {
	switch u := units(v); u {
	case "degC", "deg C", "°C", "C", "Celsius", "celsius", "degree_Celsius", "degrees_Celsius", "degrees Celsius", "deg_C":
	case "K", "Kelvin", "kelvin", "degK", "degrees_K":
		for i := range t {
			t[i] -= 273.15
		}
	default:
		return fmt.Errorf("netcdf %s: temperature %s has units %q; want degC or K", nc.Name, v.Name, u)
	}
	return nil
}

func (nc *NetCDF) toPerMonth(v *Var, c *Monthly) error {
	u := strings.Join(strings.Fields(units(v)), " ")
	switch u {
	case "kg m-2", "kg m-2 month-1", "kg/m2", "kg/m2/month", "mm", "mm/month", "mm month-1", "mm/mon":
	case "kg m-2 s-1", "kg/m2/s":
		for i := range c.Prcp {
			c.Prcp[i] *= float64(daysIn(c.Years[i], c.Months[i])) * 86400
		}
	default:
		return fmt.Errorf("netcdf %s: precipitation %s has units %q; want kg m-2 (or mm) per month, or kg m-2 s-1 "+
			"(convert other units, e.g. ERA5's daily mean in m, and export CSV)", nc.Name, v.Name, u)
	}
	return nil
}

// cellIndex is the nearest index along one grid dimension.
type cellIndex struct {
	dim   int // position in the variable's dimensions
	index int64
	value float64 // coordinate of the cell
}

func (nc *NetCDF) nearestCell(v *Var, lon, lat float64) (ilat, ilon cellIndex, hgt float64, err error) {
	if math.IsNaN(lon) || math.IsNaN(lat) {
		return ilat, ilon, 0, fmt.Errorf("netcdf %s: a gridded file needs the longitude and latitude of the glacier", nc.Name)
	}
	ilat.dim, ilon.dim = -1, -1
	var names [3]string
	for j := 1; j < 3; j++ {
		name := nc.Dims[v.DimIDs[j]].Name
		names[j] = name
		cv, ok := nc.Var(name)
		if !ok || len(cv.Shape) != 1 {
			return ilat, ilon, 0, fmt.Errorf("netcdf %s: dimension %s of %s has no coordinate variable", nc.Name, name, v.Name)
		}
		coord, err := nc.Read(name)
		if err != nil {
			return ilat, ilon, 0, err
		}
		u := units(cv)
		switch {
		case strings.HasPrefix(u, "degrees_north") || strings.HasPrefix(u, "degree_north") || name == "lat" || name == "latitude":
			ilat = nearest(coord, lat, false)
			ilat.dim = j
		case strings.HasPrefix(u, "degrees_east") || strings.HasPrefix(u, "degree_east") || name == "lon" || name == "longitude":
			ilon = nearest(coord, lon, true)
			ilon.dim = j
		}
	}
	if ilat.dim < 0 || ilon.dim < 0 || ilat.dim == ilon.dim {
		return ilat, ilon, 0, fmt.Errorf("netcdf %s: cannot tell latitude from longitude among the dimensions %s, %s of %s",
			nc.Name, names[1], names[2], v.Name)
	}
	hv, ok := nc.Var("hgt")
	if !ok {
		return ilat, ilon, 0, fmt.Errorf("netcdf %s: no variable hgt (surface height of the cells, m) for the reference height", nc.Name)
	}
	if len(hv.Shape) != 2 || hv.DimIDs[0] != v.DimIDs[1] || hv.DimIDs[1] != v.DimIDs[2] {
		return ilat, ilon, 0, fmt.Errorf("netcdf %s: variable hgt must have the dimensions (%s, %s)", nc.Name, names[1], names[2])
	}
	start := make([]int64, 2)
	start[ilat.dim-1], start[ilon.dim-1] = ilat.index, ilon.index
	h, err := nc.ReadSlab("hgt", start, []int64{1, 1})
	if err != nil {
		return ilat, ilon, 0, err
	}
	hv.Unpack(h)
	if math.IsNaN(h[0]) {
		return ilat, ilon, 0, fmt.Errorf("netcdf %s: the cell at %.4f N %.4f E has no height", nc.Name, ilat.value, ilon.value)
	}
	return ilat, ilon, h[0], nil
}

// nearest finds the coordinate nearest to x; longitudes are compared
// modulo 360°.
func nearest(coord []float64, x float64, periodic bool) cellIndex {
	best := cellIndex{index: -1}
	bd := math.Inf(1)
	for i, c := range coord {
		d := math.Abs(c - x)
		if periodic {
			d = math.Mod(d, 360)
			d = min(d, 360-d)
		}
		if d < bd {
			bd, best.index, best.value = d, int64(i), c
		}
	}
	return best
}

// monthlyTime decodes the time variable into calendar years and months.
func (nc *NetCDF) monthlyTime() (years, months []int, err error) {
	tv, ok := nc.Var("time")
	if !ok {
		return nil, nil, fmt.Errorf("netcdf %s: no variable time", nc.Name)
	}
	vals, err := nc.Read("time")
	if err != nil {
		return nil, nil, err
	}
	tv.Unpack(vals)
	cal := ""
	if a, ok := tv.Attr("calendar"); ok {
		cal, _ = a.Text()
	}
	years, months, err = decodeTime(vals, units(tv), cal)
	if err != nil {
		return nil, nil, fmt.Errorf("netcdf %s: variable time: %w", nc.Name, err)
	}
	return years, months, nil
}

// decodeTime turns CF times ("<unit> since <date>") into calendar years
// and months.
func decodeTime(vals []float64, unit, calendar string) (years, months []int, err error) {
	u, ref, ok := strings.Cut(unit, " since ")
	if !ok {
		return nil, nil, fmt.Errorf("units %q: want \"<unit> since <date>\"", unit)
	}
	var perDay float64
	switch strings.ToLower(strings.TrimSpace(u)) {
	case "days", "day", "d":
		perDay = 1
	case "hours", "hour", "h":
		perDay = 24
	case "minutes", "minute", "min":
		perDay = 1440
	case "seconds", "second", "s":
		perDay = 86400
	default:
		return nil, nil, fmt.Errorf("units %q: unknown time unit %q (want days, hours, minutes or seconds)", unit, u)
	}
	cal := newCalendar(calendar)
	if cal == nil {
		return nil, nil, fmt.Errorf("calendar %q is not supported (want standard, gregorian, proleptic_gregorian, noleap, 365_day or 360_day)", calendar)
	}
	y, m, d, frac, err := parseDate(ref)
	if err != nil {
		return nil, nil, fmt.Errorf("units %q: %w", unit, err)
	}
	if (calendar == "" || calendar == "standard" || calendar == "gregorian") && y < 1583 {
		return nil, nil, fmt.Errorf("units %q: dates before 1583 in the mixed Julian/Gregorian calendar are not supported", unit)
	}
	base := float64(cal.days(y, m, d)) + frac
	years = make([]int, len(vals))
	months = make([]int, len(vals))
	for i, v := range vals {
		if math.IsNaN(v) || math.IsInf(v, 0) || math.Abs(v/perDay) > 1e8 {
			return nil, nil, fmt.Errorf("value %d is %g: not a time", i+1, v)
		}
		day := int64(math.Floor(base + v/perDay + 1e-6)) // 0.1 s: rounding of day-1 stamps
		years[i], months[i], _ = cal.date(day)
	}
	return years, months, nil
}

// parseDate reads "Y-M-D", optionally followed by " h:m:s" or "Th:m:s"
// and a "Z" or "UTC"; frac is the time of day in days.
func parseDate(s string) (y, m, d int, frac float64, err error) {
	s = strings.TrimSpace(s)
	s = strings.TrimSuffix(strings.TrimSuffix(s, "UTC"), "Z")
	s = strings.TrimSpace(s)
	date, clock, _ := strings.Cut(strings.Replace(s, "T", " ", 1), " ")
	p := strings.Split(date, "-")
	if len(p) != 3 {
		return 0, 0, 0, 0, fmt.Errorf("date %q: want Y-M-D", s)
	}
	var v [3]int
	for i, q := range p {
		if v[i], err = strconv.Atoi(q); err != nil {
			return 0, 0, 0, 0, fmt.Errorf("date %q: %q is not a number", s, q)
		}
	}
	y, m, d = v[0], v[1], v[2]
	if m < 1 || m > 12 || d < 1 || d > 31 {
		return 0, 0, 0, 0, fmt.Errorf("date %q is not a date", s)
	}
	if clock = strings.TrimSpace(clock); clock != "" {
		c := strings.Split(clock, ":")
		mult := []float64{1.0 / 24, 1.0 / 1440, 1.0 / 86400}
		for i, q := range c {
			if i >= 3 {
				break
			}
			x, err := strconv.ParseFloat(q, 64)
			if err != nil {
				return 0, 0, 0, 0, fmt.Errorf("time of day %q: %q is not a number", clock, q)
			}
			frac += x * mult[i]
		}
	}
	return y, m, d, frac, nil
}

// calendar counts days from a fixed origin.
type calendar interface {
	days(y, m, d int) int64
	date(days int64) (y, m, d int)
}

func newCalendar(name string) calendar {
	switch strings.ToLower(name) {
	case "", "standard", "gregorian", "proleptic_gregorian":
		return gregorian{}
	case "noleap", "365_day":
		return fixedYear{365}
	case "360_day":
		return fixedYear{360}
	}
	return nil
}

// gregorian is the proleptic Gregorian calendar; days counts from
// 1970-01-01 (the civil-date algorithm of era of 400 years).
type gregorian struct{}

func (gregorian) days(y, m, d int) int64 {
	if m <= 2 {
		y--
	}
	era := floorDiv(int64(y), 400)
	yoe := int64(y) - era*400
	mp := int64((m + 9) % 12) // March = 0
	doy := (153*mp+2)/5 + int64(d) - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}

func (gregorian) date(days int64) (y, m, d int) {
	z := days + 719468
	era := floorDiv(z, 146097)
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d = int(doy - (153*mp+2)/5 + 1)
	m = int((mp+2)%12 + 1)
	y = int(yoe + era*400)
	if m <= 2 {
		y++
	}
	return y, m, d
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// fixedYear is a calendar of 365 days (no leap years) or of twelve
// 30-day months.
type fixedYear struct{ length int }

var monthStart365 = [13]int{0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365}

func (c fixedYear) days(y, m, d int) int64 {
	if c.length == 360 {
		return int64(y)*360 + int64(m-1)*30 + int64(d-1)
	}
	return int64(y)*365 + int64(monthStart365[m-1]) + int64(d-1)
}

func (c fixedYear) date(days int64) (y, m, d int) {
	yl := int64(c.length)
	y64 := floorDiv(days, yl)
	doy := int(days - y64*yl)
	if c.length == 360 {
		return int(y64), doy/30 + 1, doy%30 + 1
	}
	m = 1
	for m < 12 && monthStart365[m] <= doy {
		m++
	}
	return int(y64), m, doy - monthStart365[m-1] + 1
}

// daysIn returns the number of days of a month of the Gregorian calendar.
func daysIn(y, m int) int {
	g := gregorian{}
	ny, nm := nextMonth(y, m)
	return int(g.days(ny, nm, 1) - g.days(y, m, 1))
}

// clipNegativePrecipitation sets finite negative precipitation to 0 and
// notes it (see [NetCDF.Monthly]).
func (c *Monthly) clipNegativePrecipitation() {
	n, first, last, lowest := 0, -1, -1, 0.0
	for i, p := range c.Prcp {
		if p < 0 && !math.IsInf(p, -1) {
			if first < 0 {
				first = i
			}
			last, n = i, n+1
			lowest = min(lowest, p)
			c.Prcp[i] = 0
		}
	}
	if n == 0 {
		return
	}
	month := func(i int) string { return fmt.Sprintf("%04d-%02d", c.Years[i], c.Months[i]) }
	span := month(first)
	if last != first {
		span += " … " + month(last)
	}
	c.Notes = append(c.Notes, fmt.Sprintf("precipitation below 0 in %d month(s) (%s, lowest %.1f kg m⁻²) set to 0", n, span, lowest))
}
