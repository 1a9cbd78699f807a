package climate

import (
	"bytes"
	"math"
	"reflect"
	"strings"
	"testing"
)

// series makes a valid series of n months from (y, m): temperature
// 10·year + month/100, precipitation month.
func series(y, m, n int) *Monthly {
	c := &Monthly{Name: "test", RefHeight: 2000}
	for range n {
		c.Years = append(c.Years, y)
		c.Months = append(c.Months, m)
		c.Temp = append(c.Temp, float64(10*y)+float64(m)/100)
		c.Prcp = append(c.Prcp, float64(m))
		y, m = nextMonth(y, m)
	}
	return c
}

func TestYearRange(t *testing.T) {
	tests := []struct {
		y, m, n     int // series start and length in months
		firstMonth  int
		first, last int
		ok          bool
	}{
		{1801, 10, 2424, 1, 1802, 2002, true},  // HISTALP, calendar years
		{1801, 10, 2424, 10, 1802, 2003, true}, // hydrological years
		{1801, 10, 2424, 0, 1802, 2002, true},
		{2000, 1, 12, 1, 2000, 2000, true},
		{2000, 1, 11, 1, 0, 0, false},
		{2000, 2, 12, 1, 0, 0, false},
		{2000, 2, 23, 1, 2001, 2001, true},
		{2000, 10, 12, 10, 2001, 2001, true},
		{2000, 11, 24, 10, 2002, 2002, true},
		{2000, 3, 30, 4, 2001, 2002, true},
	}
	for _, tc := range tests {
		c := series(tc.y, tc.m, tc.n)
		first, last, ok := c.YearRange(tc.firstMonth)
		if ok != tc.ok || first != tc.first || last != tc.last {
			t.Errorf("%04d-%02d+%d from month %d: %d–%d %v, want %d–%d %v",
				tc.y, tc.m, tc.n, tc.firstMonth, first, last, ok, tc.first, tc.last, tc.ok)
		}
		// YearStart agrees: it finds exactly these years.
		for y := tc.y - 2; y <= tc.y+tc.n/12+2; y++ {
			_, err := c.YearStart(y, tc.firstMonth)
			if in := ok && y >= first && y <= last; in != (err == nil) {
				t.Errorf("%04d-%02d+%d from month %d: YearStart(%d): %v", tc.y, tc.m, tc.n, tc.firstMonth, y, err)
			}
		}
	}
}

func TestYearStart(t *testing.T) {
	c := series(1801, 10, 2424)
	i, err := c.YearStart(1802, 10)
	if err != nil || c.Years[i] != 1801 || c.Months[i] != 10 {
		t.Errorf("hydrological year 1802 starts at %d-%d (%v), want 1801-10", c.Years[i], c.Months[i], err)
	}
	i, err = c.YearStart(1990, 1)
	if err != nil || c.Years[i] != 1990 || c.Months[i] != 1 {
		t.Errorf("calendar year 1990 starts at %d-%d (%v)", c.Years[i], c.Months[i], err)
	}
	for _, tc := range []struct {
		year, firstMonth int
		want             []string
	}{
		{2003, 1, []string{"2003", "1802–2002", "1801-10 to 2003-09", "test"}},
		{1801, 10, []string{"1801", "1802–2003", "month 10"}},
		{1990, 13, []string{"first month"}},
	} {
		_, err := c.YearStart(tc.year, tc.firstMonth)
		if err == nil {
			t.Errorf("year %d from month %d: no error", tc.year, tc.firstMonth)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("error %q does not say %q", err, w)
			}
		}
	}
	if n := testing.AllocsPerRun(100, func() { _, _ = c.YearStart(1900, 10) }); n != 0 {
		t.Errorf("YearStart allocates %g times", n)
	}
}

func TestAnnualCycle(t *testing.T) {
	c := series(1801, 10, 2424)
	temp, prcp, err := c.AnnualCycle(1985, 1987, 1)
	if err != nil {
		t.Fatal(err)
	}
	for m := range 12 {
		if want := 10*1986 + float64(m+1)/100; math.Abs(temp[m]-want) > 1e-9 || prcp[m] != float64(m+1) {
			t.Errorf("month %d: %g °C %g kg m⁻², want %g, %d", m+1, temp[m], prcp[m], want, m+1)
		}
	}
	// From October: October to December come from the year before.
	temp, _, err = c.AnnualCycle(1985, 1987, 10)
	if err != nil {
		t.Fatal(err)
	}
	if want := 10*1985 + 0.10; math.Abs(temp[9]-want) > 1e-9 {
		t.Errorf("October of hydrological years 1985–1987: %g, want %g", temp[9], want)
	}
	if _, _, err := c.AnnualCycle(1990, 2010, 1); err == nil || !strings.Contains(err.Error(), "2010") {
		t.Errorf("a period beyond the data: %v", err)
	}
	if _, _, err := c.AnnualCycle(1990, 1980, 1); err == nil {
		t.Error("an empty period must fail")
	}
}

func TestPeriod(t *testing.T) {
	c := series(1801, 10, 2424)
	p, err := c.Period(1990, 1999, 10)
	if err != nil {
		t.Fatal(err)
	}
	if p.Len() != 120 || p.Years[0] != 1989 || p.Months[0] != 10 || p.Years[119] != 1999 || p.Months[119] != 9 {
		t.Errorf("period: %v", p)
	}
	if err := p.Validate(); err != nil {
		t.Error(err)
	}
	if _, err := c.Period(1990, 2005, 1); err == nil {
		t.Error("a period beyond the data must fail")
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		change func(c *Monthly)
		want   string
	}{
		{"lengths", func(c *Monthly) { c.Prcp = c.Prcp[:3] }, "lengths"},
		{"month", func(c *Monthly) { c.Months[2] = 13 }, "month 13"},
		{"gap", func(c *Monthly) { c.Months[2] = 5 }, "consecutive"},
		{"temperature", func(c *Monthly) { c.Temp[1] = math.NaN() }, "temperature of 2000-02"},
		{"precipitation", func(c *Monthly) { c.Prcp[1] = -1 }, "precipitation of 2000-02"},
		{"height", func(c *Monthly) { c.RefHeight = math.Inf(1) }, "reference height"},
		{"empty", func(c *Monthly) { *c = Monthly{Name: "test"} }, "no months"},
	}
	for _, tc := range tests {
		c := series(2000, 1, 12)
		tc.change(c)
		err := c.Validate()
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "test") {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
		}
	}
	if err := series(2000, 1, 12).Validate(); err != nil {
		t.Error(err)
	}
	var nilSeries *Monthly
	if err := nilSeries.Validate(); err == nil {
		t.Error("a nil series must fail")
	}
}

func TestReadCSV(t *testing.T) {
	const body = "year,month,temp_degC,prcp_kg_m2\n2000,12,-5.5,100\n2001,1,-7,80.25\n"
	tests := []struct {
		name, text string
		ref        float64
		err        string
	}{
		{"cell height", "# cell_lat=46.8 cell_hgt_m=3160.0 ; temp\n" + body, 3160, ""},
		{"ref height", "# ref_hgt_m=2500\n" + body, 2500, ""},
		{"ref wins", "# ref_hgt_m=2500\n# cell_hgt_m=3160\n" + body, 2500, ""},
		{"ref wins after", "# cell_hgt_m=3160\n# ref_hgt_m=2500\n" + body, 2500, ""},
		{"bom and blanks", "\uFEFF# ref_hgt_m=1\n\n" + body + "\n", 1, ""},
		{"columns in any order", "# ref_hgt_m=1\nprcp_kg_m2,extra,month,year,temp_degC\n100,x,12,2000,-5.5\n80.25,y,1,2001,-7\n", 1, ""},
		{"no height", body, 0, "no reference height"},
		{"bad height", "# ref_hgt_m=high\n" + body, 0, "line 1: ref_hgt_m"},
		{"no header", "# ref_hgt_m=1\n", 0, "no header"},
		{"missing column", "# ref_hgt_m=1\nyear,month,temp_degC\n", 0, "prcp_kg_m2"},
		{"duplicate column", "# ref_hgt_m=1\nyear,year,month,temp_degC,prcp_kg_m2\n", 0, "twice"},
		{"no months", "# ref_hgt_m=1\n" + "year,month,temp_degC,prcp_kg_m2\n", 0, "no months"},
		{"bad number", "# ref_hgt_m=1\n" + body + "2001,2,warm,3\n", 0, "line 5: column temp_degC"},
		{"short line", "# ref_hgt_m=1\n" + body + "2001,2\n", 0, "line 5"},
		{"bad month", "# ref_hgt_m=1\n" + body + "2001,13,1,1\n", 0, "line 5: column month"},
		{"fractional year", "# ref_hgt_m=1\n" + body + "2001.5,2,1,1\n", 0, "whole number"},
		{"gap", "# ref_hgt_m=1\n" + body + "2001,3,1,1\n", 0, "line 5: 2001-03 follows 2001-01"},
		{"negative precipitation", "# ref_hgt_m=1\n" + body + "2001,2,1,-1\n", 0, "precipitation of 2001-02"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := ReadCSV(strings.NewReader(tc.text), "t.csv")
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) || !strings.Contains(err.Error(), "t.csv") {
					t.Fatalf("error %v, want one naming t.csv and saying %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			want := &Monthly{Name: "t.csv", RefHeight: tc.ref, Years: []int{2000, 2001}, Months: []int{12, 1},
				Temp: []float64{-5.5, -7}, Prcp: []float64{100, 80.25}}
			if !reflect.DeepEqual(c, want) {
				t.Errorf("got %+v, want %+v", c, want)
			}
		})
	}
}

func TestWriteCSVRoundTrip(t *testing.T) {
	c := series(1990, 7, 30)
	c.Temp[3] = -1.0 / 3
	c.Name = "round\ntrip"
	var b bytes.Buffer
	if err := c.WriteCSV(&b); err != nil {
		t.Fatal(err)
	}
	got, err := ReadCSV(&b, c.Name)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, c) {
		t.Errorf("round trip changed the series:\n%+v\n%+v", got, c)
	}
}
