package plots

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"github.com/firnglacier/firn/engine/dynamics"
	"github.com/firnglacier/firn/engine/geometry"
	"github.com/firnglacier/firn/engine/massbalance"
)

// failingMB fails, panics or answers NaN, as a model written in a notebook
// might.
type failingMB struct{ mode string }

func (f failingMB) AnnualBalance(year float64, z, mb []float64) error {
	switch f.mode {
	case "error":
		return errors.New("no climate for year 1850")
	case "panic":
		var s []float64
		_ = s[3]
	case "nan":
		for i := range mb {
			mb[i] = math.NaN()
		}
	}
	return nil
}

func goodProfile() dynamics.Profile {
	return dynamics.Profile{
		Distance:  []float64{0, 100, 200},
		Bed:       []float64{3000, 2900, 2800},
		Surface:   []float64{3050, 2940, 2800},
		Thickness: []float64{50, 40, 0},
		Width:     []float64{300, 300, 300},
	}
}

func goodHistory() *dynamics.History {
	return &dynamics.History{Year: []float64{0, 1, 2}, Volume: []float64{1e9, 1.1e9, 1.2e9}, Area: []float64{1e6, 1e6, 1e6}, Length: []float64{1e3, 1e3, 1e3}}
}

func TestBadInput(t *testing.T) {
	nan := math.NaN()
	flow := func() *geometry.Flowline {
		fl := geometry.NewFlowline("main", 100, []float64{3000, 2900, 2800})
		fl.SetRectangular(300)
		return fl
	}
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	withProfile := func(mod func(p *dynamics.Profile)) []dynamics.Profile {
		p := goodProfile()
		mod(&p)
		return []dynamics.Profile{p}
	}
	withHistory := func(mod func(h *dynamics.History)) []*dynamics.History {
		h := goodHistory()
		mod(h)
		return []*dynamics.History{h}
	}
	hist := testRuns(t)[0].hist
	one, _ := Profile([]dynamics.Profile{goodProfile()}, nil, ProfileOptions{})
	grid, _ := Grid([]*Figure{one, one}, 2)

	for _, tc := range []struct {
		name string
		call func() error
		want string
	}{
		// Profile
		{"profile: none", func() error { _, err := Profile(nil, nil, ProfileOptions{}); return err }, "no profiles"},
		{"profile: labels", func() error {
			_, err := Profile([]dynamics.Profile{goodProfile()}, []string{"a", "b"}, ProfileOptions{})
			return err
		}, "2 labels for 1 profile"},
		{"profile: short", func() error {
			_, err := Profile(withProfile(func(p *dynamics.Profile) { p.Distance = p.Distance[:1] }), nil, ProfileOptions{})
			return err
		}, "1 points"},
		{"profile: lengths", func() error {
			_, err := Profile(withProfile(func(p *dynamics.Profile) { p.Surface = p.Surface[:2] }), []string{"year 5"}, ProfileOptions{})
			return err
		}, `profile 1 ("year 5"): surface has 2 values but distance has 3`},
		{"profile: NaN bed", func() error {
			_, err := Profile(withProfile(func(p *dynamics.Profile) { p.Bed[1] = nan }), nil, ProfileOptions{})
			return err
		}, "bed at index 1 is NaN"},
		{"profile: NaN ELA", func() error {
			_, err := Profile([]dynamics.Profile{goodProfile()}, nil, ProfileOptions{ELA: nan})
			return err
		}, "ELA is NaN"},
		{"profiles at: nil history", func() error { _, _, err := ProfilesAt(nil, flow(), 1); return err }, "history is nil"},
		{"profiles at: nil flowline", func() error { _, _, err := ProfilesAt(hist, nil, 1); return err }, "flowline is nil"},
		{"profiles at: no profiles", func() error { _, _, err := ProfilesAt(goodHistory(), flow(), 1); return err }, "RunOptions{Profiles: true}"},
		{"profiles at: year", func() error { _, _, err := ProfilesAt(hist, testRuns(t)[0].fl, 15); return err }, "year 15 was not recorded; the history has 31 records from year 0 to 300"},
		{"profiles at: flowline", func() error { _, _, err := ProfilesAt(hist, flow(), 10); return err }, `has 200 points but flowline "main" has 3`},

		// TimeSeries
		{"series: none", func() error { _, err := TimeSeries(nil, nil, TimeSeriesOptions{}); return err }, "no runs"},
		{"series: nil run", func() error {
			_, err := TimeSeries([]*dynamics.History{goodHistory(), nil}, []string{"a", "warm"}, TimeSeriesOptions{})
			return err
		}, `run 2 ("warm") is nil`},
		{"series: labels", func() error {
			_, err := TimeSeries([]*dynamics.History{goodHistory()}, []string{}, TimeSeriesOptions{})
			return err
		}, "0 labels for 1 run"},
		{"series: NaN", func() error {
			_, err := TimeSeries(withHistory(func(h *dynamics.History) { h.Area[2] = nan }), nil, TimeSeriesOptions{Quantity: Area})
			return err
		}, "area at index 2 is NaN"},
		{"series: length mismatch", func() error {
			_, err := TimeSeries(withHistory(func(h *dynamics.History) { h.Length = h.Length[:1] }), nil, TimeSeriesOptions{Quantity: Length})
			return err
		}, "1 length values for 3 years"},
		{"series: one record", func() error {
			_, err := TimeSeries(withHistory(func(h *dynamics.History) { h.Year = h.Year[:1] }), nil, TimeSeriesOptions{})
			return err
		}, "1 records; a time series needs at least 2"},
		{"series: relative to zero", func() error {
			_, err := TimeSeries([]*dynamics.History{hist}, nil, TimeSeriesOptions{Relative: true})
			return err
		}, "first volume is 0"},
		{"series: unit", func() error {
			_, err := TimeSeries([]*dynamics.History{goodHistory()}, nil, TimeSeriesOptions{Quantity: Area, Unit: "km³"})
			return err
		}, `unit "km³" is not a unit of area; want one of km², m², ha`},
		{"series: quantity", func() error {
			_, err := TimeSeries([]*dynamics.History{goodHistory()}, nil, TimeSeriesOptions{Quantity: 7})
			return err
		}, "unknown quantity 7"},
		{"series: reference", func() error {
			_, err := TimeSeries([]*dynamics.History{goodHistory()}, nil, TimeSeriesOptions{Relative: true, Reference: -1})
			return err
		}, "reference is -1"},

		// MassBalanceProfile
		{"mb: none", func() error { _, err := MassBalanceProfile(nil, nil, MassBalanceOptions{}); return err }, "no mass-balance models"},
		{"mb: nil model", func() error {
			_, err := MassBalanceProfile([]massbalance.Model{nil}, nil, MassBalanceOptions{})
			return err
		}, "model 1 is nil"},
		{"mb: range", func() error {
			_, err := MassBalanceProfile([]massbalance.Model{massbalance.Constant{}}, nil, MassBalanceOptions{Zmin: 3000, Zmax: 2000})
			return err
		}, "Zmin 3000 m to Zmax 2000 m is empty"},
		{"mb: NaN range", func() error {
			_, err := MassBalanceProfile([]massbalance.Model{massbalance.Constant{}}, nil, MassBalanceOptions{Zmin: nan, Zmax: 2000})
			return err
		}, "Zmin NaN m"},
		{"mb: model error", func() error {
			_, err := MassBalanceProfile([]massbalance.Model{failingMB{"error"}}, []string{"cell 4"}, MassBalanceOptions{})
			return err
		}, `model 1 ("cell 4"): no climate for year 1850`},
		{"mb: model panic", func() error {
			_, err := MassBalanceProfile([]massbalance.Model{failingMB{"panic"}}, nil, MassBalanceOptions{})
			return err
		}, "AnnualBalance panicked: runtime error: index out of range"},
		{"mb: model NaN", func() error {
			_, err := MassBalanceProfile([]massbalance.Model{failingMB{"nan"}}, nil, MassBalanceOptions{})
			return err
		}, "balance at 1000 m is NaN"},

		// CrossSection
		{"section: nil", func() error { _, err := CrossSection(nil, 0, 10, CrossSectionOptions{}); return err }, "flowline is nil"},
		{"section: point high", func() error { _, err := CrossSection(flow(), 3, 10, CrossSectionOptions{}); return err }, `point 3 is outside flowline "main", which has points 0 to 2`},
		{"section: point negative", func() error { _, err := CrossSection(flow(), -1, 10, CrossSectionOptions{}); return err }, "point -1 is outside"},
		{"section: NaN thickness", func() error { _, err := CrossSection(flow(), 1, nan, CrossSectionOptions{}); return err }, "ice thickness is NaN m"},
		{"section: negative thickness", func() error { _, err := CrossSection(flow(), 1, -5, CrossSectionOptions{}); return err }, "ice thickness is -5 m"},
		{"section: zero width", func() error {
			fl := geometry.NewFlowline("main", 100, []float64{3000, 2900})
			_, err := CrossSection(fl, 1, 10, CrossSectionOptions{})
			return err
		}, "width at point 1 is 0 m"},
		{"section: short slices", func() error {
			fl := flow()
			fl.Width = fl.Width[:1]
			_, err := CrossSection(fl, 0, 10, CrossSectionOptions{})
			return err
		}, "width has 1 values, bed has 3 points"},

		// Grid
		{"grid: none", func() error { _, err := Grid(nil, 2); return err }, "no figures"},
		{"grid: nil figure", func() error { _, err := Grid([]*Figure{one, nil}, 2); return err }, "figure 2 is nil"},
		{"grid: columns", func() error { _, err := Grid([]*Figure{one}, 0); return err }, "0 columns"},
		{"grid: nested", func() error { _, err := Grid([]*Figure{one, grid}, 2); return err }, "figure 2 is itself a grid"},

		// Map and GeoJSON
		{"map: none", func() error { _, err := Map(nil, nil, MapOptions{}); return err }, "no outlines"},
		{"map: nil", func() error { _, err := Map([]orb.Geometry{nil}, nil, MapOptions{}); return err }, "outline 1 is nil"},
		{"map: labels", func() error {
			_, err := Map([]orb.Geometry{orb.Point{10, 46}}, []string{"a", "b"}, MapOptions{})
			return err
		}, "2 labels for 1 outlines"},
		{"map: NaN", func() error {
			_, err := Map([]orb.Geometry{orb.Polygon{{{10, 46}, {nan, 46}, {10.1, 46.1}, {10, 46}}}}, []string{"HEF"}, MapOptions{})
			return err
		}, `outline 1 ("HEF"): coordinate 2 is (NaN, 46)`},
		{"map: empty polygon", func() error { _, err := Map([]orb.Geometry{orb.Polygon{}}, nil, MapOptions{}); return err }, "outline 1 is an empty Polygon"},
		{"map: short ring", func() error {
			_, err := Map([]orb.Geometry{orb.Polygon{{{10, 46}, {10.1, 46}}}}, nil, MapOptions{})
			return err
		}, "a ring has 2 points"},
		{"geojson: missing", func() error { _, _, err := ReadGeoJSON(filepath.Join(dir, "nope.geojson")); return err }, "nope.geojson: no such file"},
		{"geojson: not JSON", func() error { _, _, err := ReadGeoJSON(write("bad.geojson", "{")); return err }, "bad.geojson: not GeoJSON"},
		{"geojson: no type", func() error { _, _, err := ReadGeoJSON(write("notype.geojson", "{}")); return err }, `has no "type"`},
		{"geojson: no features", func() error {
			_, _, err := ReadGeoJSON(write("empty.geojson", `{"type":"FeatureCollection","features":[]}`))
			return err
		}, "no features"},
		{"geojson: null geometry", func() error {
			_, _, err := ReadGeoJSON(write("null.geojson", `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"RGIId":"RGI60-11.00897"},"geometry":null}]}`))
			return err
		}, "feature 1 (RGI60-11.00897): no geometry"},
		{"geojson: unknown geometry", func() error {
			_, _, err := ReadGeoJSON(write("circle.geojson", `{"type":"Circle","coordinates":[1,2]}`))
			return err
		}, `unknown geometry type "Circle"`},
		{"geojson: bad coordinates", func() error {
			_, _, err := ReadGeoJSON(write("coords.geojson", `{"type":"Polygon","coordinates":[[[1,2],[3]]]}`))
			return err
		}, "ring 1: position 2 has 1 coordinates"},

		// Figure
		{"figure: empty", func() error { _, err := (&Figure{}).SVG(); return err }, "figure is empty"},
		{"figure: width", func() error {
			f, _ := Profile([]dynamics.Profile{goodProfile()}, nil, ProfileOptions{Width: -3})
			_, err := f.SVG()
			return err
		}, "figure width is -3 cm"},
		{"figure: NaN height", func() error {
			f, _ := Profile([]dynamics.Profile{goodProfile()}, nil, ProfileOptions{Height: nan})
			_, err := f.PNG()
			return err
		}, "figure height is NaN cm"},
		{"figure: DPI", func() error {
			f, _ := Profile([]dynamics.Profile{goodProfile()}, nil, ProfileOptions{})
			f.DPI = 5000
			_, err := f.PNG()
			return err
		}, "DPI is 5000"},
		{"figure: too many pixels", func() error {
			f, _ := Profile([]dynamics.Profile{goodProfile()}, nil, ProfileOptions{Width: 200, Height: 200})
			f.DPI = 1200
			_, err := f.PNG()
			return err
		}, "too large for a PNG"},
		{"figure: extension", func() error {
			f, _ := Profile([]dynamics.Profile{goodProfile()}, nil, ProfileOptions{})
			return f.Save(filepath.Join(dir, "fig.jpg"))
		}, `unknown extension ".jpg"; want .svg, .png or .pdf`},
		{"figure: directory", func() error {
			f, _ := Profile([]dynamics.Profile{goodProfile()}, nil, ProfileOptions{})
			return f.Save(filepath.Join(dir, "missing", "fig.svg"))
		}, "no such file or directory"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			if err == nil {
				t.Fatalf("no error; want one containing %q", tc.want)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q\ndoes not contain %q", err, tc.want)
			}
		})
	}
}
