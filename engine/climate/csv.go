package climate

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// The CSV columns that ReadCSV needs; others are ignored.
const (
	ColYear  = "year"       // calendar year
	ColMonth = "month"      // 1–12
	ColTemp  = "temp_degC"  // monthly mean temperature, °C
	ColPrcp  = "prcp_kg_m2" // monthly precipitation, kg m⁻² per month
)

// Keys of the reference height in a comment line of a CSV file: ref_hgt_m
// (Firn's, OGGM's attribute name with its unit) or cell_hgt_m (the height
// of a grid cell, as in the HISTALP extract
// assets/data/hintereisferner/hef_histalp_monthly.csv).
var refHeightKeys = []string{"ref_hgt_m", "cell_hgt_m"}

// ReadCSVFile reads a monthly climate series from a CSV file (see
// [ReadCSV]); the series is named after the file.
func ReadCSVFile(path string) (*Monthly, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("climate: %w", err)
	}
	defer f.Close()
	return ReadCSV(f, filepath.Base(path))
}

// ReadCSV reads a monthly climate series in CSV. name names the series in
// it and in errors (a file name).
//
// Lines that start with '#' are comments. A comment may carry the
// reference height as a key=value token, ref_hgt_m=3160 or cell_hgt_m=3160
// (m a.s.l.; ref_hgt_m wins if both are there); it is required. The first
// other line is the header; it must name the columns year, month,
// temp_degC and prcp_kg_m2, in any order (others are ignored). Each
// following line is one month; the months must be consecutive:
//
//	# HISTALP cell at 46.83 N 10.75 E, ref_hgt_m=3160.0
//	year,month,temp_degC,prcp_kg_m2
//	1801,10,-2.900,113.03
//	1801,11,-6.600,147.05
//
// Errors name the file, the line and the column.
func ReadCSV(r io.Reader, name string) (*Monthly, error) {
	c := &Monthly{Name: name, RefHeight: math.NaN()}
	refKey := ""
	var col [4]int // year, month, temp, prcp
	header := false
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		if line == 1 {
			text = strings.TrimPrefix(text, "\uFEFF") // a byte-order mark
		}
		if text == "" {
			continue
		}
		if strings.HasPrefix(text, "#") {
			if err := c.commentHeight(text, name, line, &refKey); err != nil {
				return nil, err
			}
			continue
		}
		fields := strings.Split(text, ",")
		if !header {
			if err := csvHeader(fields, &col, name, line); err != nil {
				return nil, err
			}
			header = true
			continue
		}
		if err := c.csvRow(fields, col, name, line); err != nil {
			return nil, err
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("climate %s: line %d: %w", name, line+1, err)
	}
	if !header {
		return nil, fmt.Errorf("climate %s: no header line (want %s,%s,%s,%s)", name, ColYear, ColMonth, ColTemp, ColPrcp)
	}
	if math.IsNaN(c.RefHeight) {
		return nil, fmt.Errorf("climate %s: no reference height: add a comment line such as '# ref_hgt_m=3160' (m a.s.l.)", name)
	}
	if len(c.Temp) == 0 {
		return nil, fmt.Errorf("climate %s: no months after the header", name)
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return c, nil
}

// commentHeight takes the reference height from a comment line.
func (c *Monthly) commentHeight(text, name string, line int, refKey *string) error {
	for _, tok := range strings.FieldsFunc(text, func(r rune) bool {
		return r == ' ' || r == '\t' || r == ';' || r == ',' || r == '#'
	}) {
		k, v, ok := strings.Cut(tok, "=")
		if !ok {
			continue
		}
		for _, key := range refHeightKeys {
			if k != key {
				continue
			}
			if *refKey == refHeightKeys[0] && key != refHeightKeys[0] {
				continue // ref_hgt_m wins
			}
			h, err := strconv.ParseFloat(v, 64)
			if err != nil || math.IsNaN(h) || math.IsInf(h, 0) {
				return fmt.Errorf("climate %s: line %d: %s=%q is not a height in m", name, line, k, v)
			}
			c.RefHeight = h
			*refKey = key
		}
	}
	return nil
}

func csvHeader(fields []string, col *[4]int, name string, line int) error {
	want := [4]string{ColYear, ColMonth, ColTemp, ColPrcp}
	for i := range col {
		col[i] = -1
	}
	for j, f := range fields {
		f = strings.TrimSpace(f)
		for i, w := range want {
			if f == w {
				if col[i] >= 0 {
					return fmt.Errorf("climate %s: line %d: column %s appears twice", name, line, w)
				}
				col[i] = j
			}
		}
	}
	for i, w := range want {
		if col[i] < 0 {
			return fmt.Errorf("climate %s: line %d: header has no column %q (want %s,%s,%s,%s; got %q)",
				name, line, w, ColYear, ColMonth, ColTemp, ColPrcp, strings.Join(fields, ","))
		}
	}
	return nil
}

func (c *Monthly) csvRow(fields []string, col [4]int, name string, line int) error {
	names := [4]string{ColYear, ColMonth, ColTemp, ColPrcp}
	var v [4]float64
	for i, j := range col {
		if j >= len(fields) {
			return fmt.Errorf("climate %s: line %d: %d fields, no column %s", name, line, len(fields), names[i])
		}
		s := strings.TrimSpace(fields[j])
		x, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return fmt.Errorf("climate %s: line %d: column %s: %q is not a number", name, line, names[i], s)
		}
		if i < 2 && (x != math.Trunc(x) || math.Abs(x) > 1e6) {
			return fmt.Errorf("climate %s: line %d: column %s: %q is not a whole number", name, line, names[i], s)
		}
		v[i] = x
	}
	y, m := int(v[0]), int(v[1])
	if m < 1 || m > 12 {
		return fmt.Errorf("climate %s: line %d: column %s: %d is not a month (want 1–12)", name, line, ColMonth, m)
	}
	if n := len(c.Years); n > 0 {
		if wy, wm := nextMonth(c.Years[n-1], c.Months[n-1]); y != wy || m != wm {
			return fmt.Errorf("climate %s: line %d: %04d-%02d follows %04d-%02d; the months must be consecutive (want %04d-%02d)",
				name, line, y, m, c.Years[n-1], c.Months[n-1], wy, wm)
		}
	}
	c.Years = append(c.Years, y)
	c.Months = append(c.Months, m)
	c.Temp = append(c.Temp, v[2])
	c.Prcp = append(c.Prcp, v[3])
	return nil
}

// WriteCSV writes the series in the format that [ReadCSV] reads, with the
// name and the reference height in comment lines.
func (c *Monthly) WriteCSV(w io.Writer) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "# %s\n", strings.ReplaceAll(c.Name, "\n", " "))
	fmt.Fprintf(bw, "# ref_hgt_m=%s ; %s in degC, %s in kg m-2 per month\n",
		strconv.FormatFloat(c.RefHeight, 'g', -1, 64), ColTemp, ColPrcp)
	fmt.Fprintf(bw, "%s,%s,%s,%s\n", ColYear, ColMonth, ColTemp, ColPrcp)
	for i := range c.Temp {
		fmt.Fprintf(bw, "%d,%d,%s,%s\n", c.Years[i], c.Months[i],
			strconv.FormatFloat(c.Temp[i], 'g', -1, 64), strconv.FormatFloat(c.Prcp[i], 'g', -1, 64))
	}
	return bw.Flush()
}
