package datasets

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/firnglacier/firn/assets"
	"github.com/firnglacier/firn/engine/climate"
	"github.com/firnglacier/firn/engine/dem"
	"github.com/firnglacier/firn/engine/massbalance"
	"github.com/firnglacier/firn/engine/outline"
)

// Glacier is the data of one real glacier.
type Glacier struct {
	// Name of the glacier, RGIID its RGI 6.0 id, WGMSID its WGMS id.
	Name, RGIID string
	WGMSID      int
	// Climate is the monthly temperature (°C) and precipitation (kg m⁻²
	// per month) at the reference height Climate.RefHeight (m a.s.l.).
	Climate *climate.Monthly
	// Hypsometry is the glacier's area by 50 m elevation band (weights
	// sum to 1; Area in m²).
	Hypsometry massbalance.Hypsometry
	// Observations are the measured glacier-wide balances, m w.e., by
	// mass-balance year (October to September, named after the year in
	// which it ends).
	Observations []massbalance.Observation
	// Profiles are measured annual balances by altitude band, one per
	// year.
	Profiles []BalanceProfile
	// Lengths is the change of the glacier's length through time.
	Lengths LengthRecord
	// Outline is the glacier's RGI 6.0 outline and DEM a window of SRTM
	// around it (96×96 cells of 3″, Int16 m a.s.l.): what
	// glacier.Prepare (and edu.Hintereisferner) builds the glacier from.
	Outline *outline.Outline
	DEM     *dem.Grid
	// Attribution names the sources to cite.
	Attribution string
}

// BalanceProfile is the measured annual balance of one year by altitude
// band. As a massbalance.Model (the year is ignored) it interpolates
// linearly between the band centres and holds the end values beyond them,
// so that plots.MassBalanceProfile can draw it beside a model.
type BalanceProfile struct {
	// Year is the mass-balance year.
	Year int
	// Elevation is the centre of each measured band, m a.s.l.
	// (increasing); Balance the band's balance, m w.e. per year.
	Elevation, Balance []float64
}

// LengthRecord is a glacier's cumulative length change.
type LengthRecord struct {
	// Year, years; Change, m, relative to the record's reference
	// (negative: shorter).
	Year, Change []float64
}

const hefDir = "hintereisferner/"

// Hintereisferner returns the data of Hintereisferner (RGI60-11.00897,
// WGMS 491; 8.036 km², 2430–3674 m): the HISTALP climate of the grid cell
// nearest to it (3160 m, October 1801 to September 2003), its RGI 5.0
// hypsometry, the WGMS glaciological balances 1953–2020, the measured
// balance profiles 1964–2003, its length changes 1847–2003, its RGI 6.0
// outline and a window of SRTM around it.
func Hintereisferner() (*Glacier, error) {
	g := &Glacier{
		Name: "Hintereisferner", RGIID: "RGI60-11.00897", WGMSID: 491,
		Attribution: "Climate: HISTALP, ZAMG (Auer et al. 2007, doi:10.1002/joc.1377); hypsometry: RGI 5.0, outline: RGI 6.0, RGI Consortium (CC-BY 4.0); " +
			"DEM: SRTM v4, CGIAR-CSI (Jarvis et al. 2008); " +
			"balances: WGMS (2021), Fluctuations of Glaciers Database, doi:10.5904/wgms-fog-2021-05; " +
			"lengths: Leclercq et al. (2014), doi:10.5194/tc-8-659-2014; via OGGM/oggm-sample-data (BSD-3-Clause)",
	}
	b, err := assets.Data(hefDir + "hef_histalp_monthly.csv")
	if err != nil {
		return nil, err
	}
	if g.Climate, err = climate.ReadCSV(bytes.NewReader(b), "HISTALP at Hintereisferner"); err != nil {
		return nil, err
	}
	if b, err = assets.Data(hefDir + "Hintereisferner_V5_hypso.csv"); err != nil {
		return nil, err
	}
	hyps, err := massbalance.ReadRGIHypsometry(bytes.NewReader(b), "Hintereisferner_V5_hypso.csv")
	if err != nil {
		return nil, err
	}
	g.Hypsometry = hyps[0]
	if b, err = assets.Data(hefDir + "mbdata_WGMS-00491.csv"); err != nil {
		return nil, err
	}
	if g.Observations, err = massbalance.ReadWGMS(bytes.NewReader(b), "mbdata_WGMS-00491.csv"); err != nil {
		return nil, err
	}
	if b, err = assets.Data(hefDir + "mbgrads_RGI40-11.00897.csv"); err != nil {
		return nil, err
	}
	if g.Profiles, err = readProfiles(bytes.NewReader(b), "mbgrads_RGI40-11.00897.csv"); err != nil {
		return nil, err
	}
	if b, err = assets.Data(hefDir + "hef_lengths.csv"); err != nil {
		return nil, err
	}
	if g.Lengths, err = readLengths(bytes.NewReader(b), "hef_lengths.csv"); err != nil {
		return nil, err
	}
	if b, err = assets.Data(hefDir + "Hintereisferner_RGI6.geojson"); err != nil {
		return nil, err
	}
	all, err := outline.DecodeGeoJSON(b, "Hintereisferner_RGI6.geojson")
	if err != nil {
		return nil, err
	}
	if g.Outline, err = outline.Find(all, g.RGIID); err != nil {
		return nil, err
	}
	if b, err = assets.Data(hefDir + "hef_srtm_window.tif"); err != nil {
		return nil, err
	}
	if g.DEM, err = dem.DecodeGeoTIFF(b, "hef_srtm_window.tif"); err != nil {
		return nil, err
	}
	return g, nil
}

// Observed returns the measured annual balance of a year, m w.e., and
// whether there is one.
func (g *Glacier) Observed(year int) (float64, bool) {
	for _, o := range g.Observations {
		if o.Year == year {
			return o.Annual, true
		}
	}
	return math.NaN(), false
}

// Profile returns the measured balance profile of a year, and whether
// there is one.
func (g *Glacier) Profile(year int) (BalanceProfile, bool) {
	for _, p := range g.Profiles {
		if p.Year == year {
			return p, true
		}
	}
	return BalanceProfile{}, false
}

// MeanProfile returns the mean of the measured profiles of the years
// first to last: for each band measured in at least half of those years,
// the mean of its measurements. Year is last.
func (g *Glacier) MeanProfile(first, last int) (BalanceProfile, error) {
	sum := map[float64]float64{}
	count := map[float64]int{}
	years := 0
	for _, p := range g.Profiles {
		if p.Year < first || p.Year > last {
			continue
		}
		years++
		for i, z := range p.Elevation {
			sum[z] += p.Balance[i]
			count[z]++
		}
	}
	if years == 0 {
		return BalanceProfile{}, fmt.Errorf("%s: no measured balance profile in %d–%d (have %s)", g.Name, first, last, g.profileYears())
	}
	out := BalanceProfile{Year: last}
	for _, z := range slices.Sorted(maps.Keys(sum)) {
		if 2*count[z] >= years {
			out.Elevation = append(out.Elevation, z)
			out.Balance = append(out.Balance, sum[z]/float64(count[z]))
		}
	}
	return out, nil
}

func (g *Glacier) profileYears() string {
	if len(g.Profiles) == 0 {
		return "none"
	}
	return fmt.Sprintf("%d–%d", g.Profiles[0].Year, g.Profiles[len(g.Profiles)-1].Year)
}

// String summarises the data in a few lines.
func (g *Glacier) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s (%s, WGMS %d)\n", g.Name, g.RGIID, g.WGMSID)
	if h := g.Hypsometry; len(h.Elevation) > 0 {
		fmt.Fprintf(&b, "  Hypsometry    %.3f km², %d bands of 50 m from %g to %g m\n", h.Area/1e6, len(h.Elevation), h.Elevation[0], h.Elevation[len(h.Elevation)-1])
	}
	if c := g.Climate; c != nil && c.Len() > 0 {
		n := c.Len()
		fmt.Fprintf(&b, "  Climate       %s: %d months %04d-%02d to %04d-%02d at %g m\n", c.Name, n, c.Years[0], c.Months[0], c.Years[n-1], c.Months[n-1], c.RefHeight)
	}
	if n := len(g.Observations); n > 0 {
		var mean float64
		for _, o := range g.Observations {
			mean += o.Annual
		}
		fmt.Fprintf(&b, "  Observations  %d annual balances %d–%d (WGMS), mean %+.3f m w.e./yr\n", n, g.Observations[0].Year, g.Observations[n-1].Year, mean/float64(n))
	}
	if len(g.Profiles) > 0 {
		fmt.Fprintf(&b, "  Profiles      %d measured balance profiles %s\n", len(g.Profiles), g.profileYears())
	}
	if n := len(g.Lengths.Year); n > 0 {
		fmt.Fprintf(&b, "  Lengths       %d length changes %g–%g: %+.0f m\n", n, g.Lengths.Year[0], g.Lengths.Year[n-1], g.Lengths.Change[n-1]-g.Lengths.Change[0])
	}
	fmt.Fprintf(&b, "  Sources       %s", g.Attribution)
	return b.String()
}

// AnnualBalance implements massbalance.Model: the measured profile at the
// altitudes z, m of ice per second; year is ignored.
func (p BalanceProfile) AnnualBalance(year float64, z, mb []float64) error {
	if err := p.AnnualBalanceWE(year, z, mb); err != nil {
		return err
	}
	for i := range mb {
		mb[i] *= massbalance.WEPerYearToIcePerSecond
	}
	return nil
}

// AnnualBalanceWE writes the measured profile at the altitudes z, m w.e.
// per year; year is ignored.
func (p BalanceProfile) AnnualBalanceWE(year float64, z, mb []float64) error {
	n := len(p.Elevation)
	if n == 0 || n != len(p.Balance) {
		return fmt.Errorf("balance profile %d: %d elevations and %d balances", p.Year, n, len(p.Balance))
	}
	if len(mb) != len(z) {
		return fmt.Errorf("balance profile %d: %d altitudes but room for %d balances", p.Year, len(z), len(mb))
	}
	for i, zi := range z {
		switch {
		case zi <= p.Elevation[0]:
			mb[i] = p.Balance[0]
		case zi >= p.Elevation[n-1]:
			mb[i] = p.Balance[n-1]
		default:
			k := 1
			for p.Elevation[k] < zi {
				k++
			}
			t := (zi - p.Elevation[k-1]) / (p.Elevation[k] - p.Elevation[k-1])
			mb[i] = p.Balance[k-1] + t*(p.Balance[k]-p.Balance[k-1])
		}
	}
	return nil
}

// String shows the profile in one line.
func (p BalanceProfile) String() string {
	n := len(p.Elevation)
	if n == 0 {
		return fmt.Sprintf("balance profile %d: empty", p.Year)
	}
	return fmt.Sprintf("balance profile %d: %d bands %g–%g m, %+.2f to %+.2f m w.e./yr", p.Year, n, p.Elevation[0], p.Elevation[n-1], p.Balance[0], p.Balance[n-1])
}

// readProfiles reads a table of balances by altitude band (column
// ALTITUDE, m; one column per year, mm w.e.; empty cells unmeasured).
func readProfiles(r io.Reader, name string) ([]BalanceProfile, error) {
	recs, err := csv.NewReader(r).ReadAll()
	if err != nil {
		return nil, fmt.Errorf("balance profiles %s: %w", name, err)
	}
	if len(recs) < 2 || len(recs[0]) < 2 || strings.TrimSpace(recs[0][0]) != "ALTITUDE" {
		return nil, fmt.Errorf("balance profiles %s: want a header ALTITUDE,YEAR,… and rows of bands", name)
	}
	var out []BalanceProfile
	for j, f := range recs[0][1:] {
		y, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil {
			return nil, fmt.Errorf("balance profiles %s: column %d: %q is not a year", name, j+2, f)
		}
		p := BalanceProfile{Year: y}
		for i, rec := range recs[1:] {
			z, err := strconv.ParseFloat(strings.TrimSpace(rec[0]), 64)
			if err != nil {
				return nil, fmt.Errorf("balance profiles %s: line %d: ALTITUDE %q is not an altitude (m)", name, i+2, rec[0])
			}
			s := strings.TrimSpace(rec[j+1])
			if s == "" {
				continue
			}
			v, err := strconv.ParseFloat(s, 64)
			if err != nil || math.IsInf(v, 0) || math.IsNaN(v) {
				return nil, fmt.Errorf("balance profiles %s: line %d, year %d: %q is not a balance (mm w.e.)", name, i+2, y, s)
			}
			if n := len(p.Elevation); n > 0 && z <= p.Elevation[n-1] {
				return nil, fmt.Errorf("balance profiles %s: line %d: altitude %g m after %g m (want increasing)", name, i+2, z, p.Elevation[n-1])
			}
			p.Elevation = append(p.Elevation, z)
			p.Balance = append(p.Balance, v/1000)
		}
		if len(p.Elevation) > 0 {
			out = append(out, p)
		}
	}
	return out, nil
}

// readLengths reads a table year,dl (m).
func readLengths(r io.Reader, name string) (LengthRecord, error) {
	var l LengthRecord
	recs, err := csv.NewReader(r).ReadAll()
	if err != nil {
		return l, fmt.Errorf("lengths %s: %w", name, err)
	}
	for i, rec := range recs[1:] {
		if len(rec) < 2 {
			return l, fmt.Errorf("lengths %s: line %d: want year,dl", name, i+2)
		}
		y, err1 := strconv.ParseFloat(strings.TrimSpace(rec[0]), 64)
		d, err2 := strconv.ParseFloat(strings.TrimSpace(rec[1]), 64)
		if err1 != nil || err2 != nil {
			return l, fmt.Errorf("lengths %s: line %d: %q is not a year and a length change (m)", name, i+2, strings.Join(rec, ","))
		}
		l.Year = append(l.Year, y)
		l.Change = append(l.Change, d)
	}
	if len(l.Year) == 0 {
		return l, fmt.Errorf("lengths %s: no data", name)
	}
	return l, nil
}
