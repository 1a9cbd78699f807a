package massbalance

import (
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Observation is a measured glacier-wide balance of one mass-balance year.
type Observation struct {
	// Year is the mass-balance year, named after the calendar year in
	// which it ends.
	Year int
	// Annual is the annual balance, m w.e.
	Annual float64
	// Winter and Summer are the seasonal balances, m w.e.; NaN when not
	// measured.
	Winter, Summer float64
}

// ReadWGMSFile reads a WGMS mass-balance file; see [ReadWGMS].
func ReadWGMSFile(path string) ([]Observation, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("observations: %w", err)
	}
	defer f.Close()
	return ReadWGMS(f, filepath.Base(path))
}

// ReadWGMS reads the glaciological balances of one glacier from a WGMS
// "mbdata" CSV file (Fluctuations of Glaciers database, as OGGM's
// reference glaciers; columns YEAR, WINTER_BALANCE, SUMMER_BALANCE,
// ANNUAL_BALANCE in mm w.e., others ignored). Years without an annual
// balance are left out. The balances are returned in m w.e.; name names
// the file in errors.
func ReadWGMS(r io.Reader, name string) ([]Observation, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("observations %s: header: %w", name, err)
	}
	cols := map[string]int{"YEAR": -1, "ANNUAL_BALANCE": -1, "WINTER_BALANCE": -1, "SUMMER_BALANCE": -1}
	for j, f := range header {
		f = strings.TrimSpace(strings.TrimPrefix(f, "\uFEFF"))
		if _, ok := cols[f]; ok {
			cols[f] = j
		}
	}
	if cols["YEAR"] < 0 || cols["ANNUAL_BALANCE"] < 0 {
		return nil, fmt.Errorf("observations %s: the header needs the columns YEAR and ANNUAL_BALANCE: %q", name, strings.Join(header, ","))
	}
	// value parses an optional balance in mm w.e. into m w.e.
	value := func(rec []string, col string, line int) (float64, error) {
		j := cols[col]
		if j < 0 || j >= len(rec) || strings.TrimSpace(rec[j]) == "" {
			return math.NaN(), nil
		}
		v, err := strconv.ParseFloat(strings.TrimSpace(rec[j]), 64)
		if err != nil || math.IsInf(v, 0) {
			return 0, fmt.Errorf("observations %s: line %d: %s %q is not a balance (mm w.e.)", name, line, col, rec[j])
		}
		return v / 1000, nil
	}
	var out []Observation
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("observations %s: %w", name, err)
		}
		line, _ := cr.FieldPos(0)
		j := cols["YEAR"]
		if j >= len(rec) {
			return nil, fmt.Errorf("observations %s: line %d: no YEAR", name, line)
		}
		y, err := strconv.Atoi(strings.TrimSpace(rec[j]))
		if err != nil {
			return nil, fmt.Errorf("observations %s: line %d: YEAR %q is not a year", name, line, rec[j])
		}
		o := Observation{Year: y}
		if o.Annual, err = value(rec, "ANNUAL_BALANCE", line); err != nil {
			return nil, err
		}
		if math.IsNaN(o.Annual) {
			continue
		}
		if o.Winter, err = value(rec, "WINTER_BALANCE", line); err != nil {
			return nil, err
		}
		if o.Summer, err = value(rec, "SUMMER_BALANCE", line); err != nil {
			return nil, err
		}
		if n := len(out); n > 0 && y <= out[n-1].Year {
			return nil, fmt.Errorf("observations %s: line %d: year %d after %d (want increasing years)", name, line, y, out[n-1].Year)
		}
		out = append(out, o)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("observations %s: no annual balance", name)
	}
	return out, nil
}
