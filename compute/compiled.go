package compute

import (
	"fmt"
	"io"
	"math"
	"slices"

	"github.com/firnglacier/firn/engine/climate"
	"github.com/firnglacier/firn/engine/dynamics"
)

// WriteCompiledNetCDF writes many runs' diagnostics as one NetCDF file,
// as OGGM's compile_run_output does for many glaciers: the dimensions
// time (every year any run recorded, ascending) and run (the runs in the
// order given), the coordinates time (years) and run (the names, UTF-8
// characters with the _Encoding attribute, so that xarray gives str), and
// volume (m³), area (m²) and length (m) of dimensions (time, run), NaN
// (the _FillValue) where a run has no record of that year. xarray opens
// it (xr.open_dataset("compiled.nc").volume.sel(run="ela2800")), as do
// netCDF-C, NCO and this module's reader. source names the program or
// the command that made it (a global attribute).
func WriteCompiledNetCDF(w io.Writer, names []string, runs []*dynamics.History, source string) error {
	if len(names) != len(runs) || len(runs) == 0 {
		return fmt.Errorf("compiled runs: %d names for %d runs (want one name per run, at least one run)", len(names), len(runs))
	}
	var years []float64
	width := 1
	for i, h := range runs {
		if h == nil {
			return fmt.Errorf("compiled runs: run %s has no history", names[i])
		}
		years = append(years, h.Year...)
		width = max(width, len(names[i]))
	}
	slices.Sort(years)
	years = slices.Compact(years)
	nt, nr := len(years), len(runs)
	if nt == 0 {
		return fmt.Errorf("compiled runs: no run recorded a year")
	}
	row := make(map[float64]int, nt)
	for i, y := range years {
		row[y] = i
	}
	field := func(get func(*dynamics.History) []float64) []float64 {
		v := make([]float64, nt*nr)
		for i := range v {
			v[i] = math.NaN()
		}
		for j, h := range runs {
			for k, y := range h.Year {
				v[row[y]*nr+j] = get(h)[k]
			}
		}
		return v
	}
	chars := make([]byte, nr*width)
	for j, n := range names {
		copy(chars[j*width:], n)
	}
	text := func(name, value string) climate.Attr {
		return climate.Attr{Name: name, Type: climate.Char, Value: value}
	}
	fill := climate.Attr{Name: "_FillValue", Type: climate.Double, Value: []float64{math.NaN()}}
	diag := func(name, long, units string, get func(*dynamics.History) []float64) climate.WriteVar {
		return climate.WriteVar{Name: name, Type: climate.Double, DimIDs: []int{0, 1},
			Attrs: []climate.Attr{text("long_name", long), text("units", units), fill}, Values: field(get)}
	}
	dims := []climate.Dim{{Name: "time", Len: int64(nt)}, {Name: "run", Len: int64(nr)}, {Name: "name_strlen", Len: int64(width)}}
	attrs := []climate.Attr{
		text("title", "Firn runs compiled"), text("source", source), text("Conventions", "CF-1.8"),
		text("comment", "one column per run (dimension run), one row per year any run recorded; NaN where a run has no record"),
	}
	vars := []climate.WriteVar{
		{Name: "time", Type: climate.Double, DimIDs: []int{0}, Attrs: []climate.Attr{text("long_name", "model year"), text("units", "years")}, Values: years},
		{Name: "run", Type: climate.Char, DimIDs: []int{1, 2}, Attrs: []climate.Attr{text("long_name", "run (experiment file name)"), text("_Encoding", "utf-8")}, Values: chars},
		diag("volume", "glacier volume", "m3", func(h *dynamics.History) []float64 { return h.Volume }),
		diag("area", "glacier area", "m2", func(h *dynamics.History) []float64 { return h.Area }),
		diag("length", "glacier length", "m", func(h *dynamics.History) []float64 { return h.Length }),
	}
	return climate.WriteNetCDF(w, dims, attrs, vars)
}
