package massbalance

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Hypsometry is a glacier's area by elevation band: what turns a balance
// profile into the glacier-wide (specific) balance.
type Hypsometry struct {
	// Name identifies the glacier (an RGI id, say).
	Name string
	// Elevation is the centre of each band, m a.s.l.
	Elevation []float64
	// Weight is each band's share of the glacier area; the shares sum to
	// 1.
	Weight []float64
	// Area is the area of the glacier, m² (0 if unknown).
	Area float64
}

// Validate checks that the bands have an elevation and a weight, and that
// the weights are not negative and sum to 1 (within 1e-9).
func (h Hypsometry) Validate() error {
	if len(h.Elevation) == 0 || len(h.Elevation) != len(h.Weight) {
		return fmt.Errorf("hypsometry %s: %d elevations and %d weights (want the same number, > 0)", h.Name, len(h.Elevation), len(h.Weight))
	}
	var sum float64
	for i, w := range h.Weight {
		z := h.Elevation[i]
		if math.IsNaN(w) || w < 0 || math.IsInf(w, 0) || math.IsNaN(z) || math.IsInf(z, 0) {
			return fmt.Errorf("hypsometry %s: band %d at %g m has weight %g (want a finite elevation and a weight ≥ 0)", h.Name, i+1, z, w)
		}
		sum += w
	}
	if math.Abs(sum-1) > 1e-9 {
		return fmt.Errorf("hypsometry %s: the weights sum to %g (want 1)", h.Name, sum)
	}
	return nil
}

// SpecificBalance returns the glacier-wide (specific) balance of year
// year, m w.e. per year: the area-weighted mean over the bands of h of the
// annual balance of m at the band centres. Models that give their balance
// in m w.e. (AnnualBalanceWE, as the temperature-index models) are asked
// for it directly; for others the balance in m of ice per second is
// converted.
func SpecificBalance(m Model, h Hypsometry, year float64) (float64, error) {
	if err := h.Validate(); err != nil {
		return 0, err
	}
	mb := make([]float64, len(h.Elevation))
	if err := annualWE(m, year, h.Elevation, mb); err != nil {
		return 0, err
	}
	var b float64
	for i, w := range h.Weight {
		b += w * mb[i]
	}
	return b, nil
}

type weModel interface {
	AnnualBalanceWE(year float64, z, mb []float64) error
}

// annualWE writes the annual balance in m w.e. per year.
func annualWE(m Model, year float64, z, mb []float64) error {
	if m == nil {
		return errors.New("mass balance: no model")
	}
	if w, ok := m.(weModel); ok {
		return w.AnnualBalanceWE(year, z, mb)
	}
	if err := m.AnnualBalance(year, z, mb); err != nil {
		return err
	}
	for i := range mb {
		mb[i] /= WEPerYearToIcePerSecond
	}
	return nil
}

// ReadRGIHypsometryFile reads an RGI hypsometry file; see
// [ReadRGIHypsometry].
func ReadRGIHypsometryFile(path string) ([]Hypsometry, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("hypsometry: %w", err)
	}
	defer f.Close()
	return ReadRGIHypsometry(f, filepath.Base(path))
}

// ReadRGIHypsometry reads the hypsometry file of the Randolph Glacier
// Inventory (RGI 5/6, *_hypso.csv): one glacier a row, with the columns
// RGIId, GLIMSId, Area (km²), then one column per 50 m elevation band
// named after the band's centre (m), holding the band's share of the area
// in ‰ (integers, summing to 1000 up to rounding). Bands with no area are
// dropped and the shares normalised to sum to 1. name names the file in
// errors.
func ReadRGIHypsometry(r io.Reader, name string) ([]Hypsometry, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("hypsometry %s: header: %w", name, err)
	}
	idCol, areaCol := -1, -1
	var bandCols []int
	var bandZ []float64
	for j, f := range header {
		f = strings.TrimSpace(strings.TrimPrefix(f, "\uFEFF"))
		switch {
		case strings.EqualFold(f, "RGIId"):
			idCol = j
		case strings.EqualFold(f, "Area"):
			areaCol = j
		default:
			if z, err := strconv.ParseFloat(f, 64); err == nil {
				bandCols = append(bandCols, j)
				bandZ = append(bandZ, z)
			}
		}
	}
	if idCol < 0 || len(bandCols) == 0 {
		return nil, fmt.Errorf("hypsometry %s: the header has no RGIId column or no band columns (elevations): %q", name, strings.Join(header, ","))
	}
	var out []Hypsometry
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("hypsometry %s: %w", name, err)
		}
		if len(rec) < len(header) {
			return nil, fmt.Errorf("hypsometry %s: line %d: %d fields (the header has %d)", name, line, len(rec), len(header))
		}
		h := Hypsometry{Name: strings.TrimSpace(rec[idCol])}
		if areaCol >= 0 {
			a, err := strconv.ParseFloat(strings.TrimSpace(rec[areaCol]), 64)
			if err != nil || a < 0 {
				return nil, fmt.Errorf("hypsometry %s: line %d: Area %q is not an area in km²", name, line, rec[areaCol])
			}
			h.Area = a * 1e6
		}
		var sum float64
		for k, j := range bandCols {
			s := strings.TrimSpace(rec[j])
			w, err := strconv.ParseFloat(s, 64)
			if err != nil || w < 0 || math.IsInf(w, 0) {
				return nil, fmt.Errorf("hypsometry %s: line %d: band %s m: %q is not a share in ‰", name, line, header[j], s)
			}
			if w > 0 {
				h.Elevation = append(h.Elevation, bandZ[k])
				h.Weight = append(h.Weight, w)
				sum += w
			}
		}
		if sum <= 0 {
			return nil, fmt.Errorf("hypsometry %s: line %d: glacier %s has no area in any band", name, line, h.Name)
		}
		for i := range h.Weight {
			h.Weight[i] /= sum
		}
		out = append(out, h)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("hypsometry %s: no glacier after the header", name)
	}
	return out, nil
}
