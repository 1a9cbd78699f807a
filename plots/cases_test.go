package plots

import (
	"testing"

	"github.com/paulmach/orb"

	"github.com/firnglacier/firn/engine/dynamics"
	"github.com/firnglacier/firn/engine/geometry"
	"github.com/firnglacier/firn/engine/massbalance"
)

// figCase is one figure of the golden and example tests, with what its SVG
// must show.
type figCase struct {
	name  string
	build func(t testing.TB) (*Figure, error)
	// texts that must appear (axis labels with units, titles).
	texts []string
	// legend lists the legend labels; nil means the figure has no legend.
	legend []string
	// hidden are series labels given for a single series, which must not
	// appear (no legend for one series).
	hidden []string
	// seriesPaths is the number of SVG paths in the style of each series
	// (its lines plus its legend sample).
	seriesPaths []int
	// widthCm and heightCm are the expected size.
	widthCm, heightCm float64
	// example saves the PNG to testdata/examples for the README.
	example bool
}

func runLabels(rs []run) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.label
	}
	return out
}

func histories(rs []run) []*dynamics.History {
	out := make([]*dynamics.History, len(rs))
	for i, r := range rs {
		out[i] = r.hist
	}
	return out
}

func figCases() []figCase {
	return []figCase{
		{
			name: "profile",
			build: func(t testing.TB) (*Figure, error) {
				r := testRuns(t)[0]
				return Profile([]dynamics.Profile{r.model.Profile(0)}, []string{"year 300"}, ProfileOptions{ELA: 2600})
			},
			hidden:      []string{"year 300"},
			texts:       []string{"Distance along flowline (km)", "Altitude (m)", "ELA 2600 m"},
			seriesPaths: []int{1},
			widthCm:     16, heightCm: 10, example: true,
		},
		{
			name: "profile_times",
			build: func(t testing.TB) (*Figure, error) {
				r := testRuns(t)[0]
				ps, labels, err := ProfilesAt(r.hist, r.fl, 30, 60, 100, 300)
				if err != nil {
					return nil, err
				}
				return Profile(ps, labels, ProfileOptions{ELA: 2600, Title: "Glacier growing under a linear mass balance"})
			},
			texts:       []string{"Distance along flowline (km)", "Altitude (m)", "ELA 2600 m", "Glacier growing under a linear mass balance"},
			legend:      []string{"year 30", "year 60", "year 100", "year 300"},
			seriesPaths: []int{2, 2, 2, 2},
			widthCm:     16, heightCm: 10, example: true,
		},
		{
			name: "timeseries_volume",
			build: func(t testing.TB) (*Figure, error) {
				rs := testRuns(t)
				return TimeSeries(histories(rs), runLabels(rs), TimeSeriesOptions{})
			},
			texts:       []string{"Time (years)", "Volume (km³)"},
			legend:      []string{"ELA 2600 m", "ELA 2500 m", "ELA 2700 m"},
			seriesPaths: []int{2, 2, 2},
			widthCm:     16, heightCm: 10, example: true,
		},
		{
			name: "timeseries_length",
			build: func(t testing.TB) (*Figure, error) {
				return TimeSeries(histories(testRuns(t)[:1]), []string{"ELA 2600 m"}, TimeSeriesOptions{Quantity: Length, Width: 12, Height: 8})
			},
			texts:       []string{"Time (years)", "Length (km)"},
			hidden:      []string{"ELA 2600 m"},
			seriesPaths: []int{1},
			widthCm:     12, heightCm: 8,
		},
		{
			name: "timeseries_relative",
			build: func(t testing.TB) (*Figure, error) {
				rs := testRuns(t)
				return TimeSeries(histories(rs), runLabels(rs), TimeSeriesOptions{Quantity: Area, Relative: true, Reference: 3e6})
			},
			texts:       []string{"Time (years)", "Area (% of 3 km²)"},
			legend:      []string{"ELA 2600 m", "ELA 2500 m", "ELA 2700 m"},
			seriesPaths: []int{2, 2, 2},
			widthCm:     16, heightCm: 10,
		},
		{
			name: "massbalance",
			build: func(t testing.TB) (*Figure, error) {
				lin := massbalance.Linear{ELA: 2600, Gradient: 3}
				return MassBalanceProfile(
					[]massbalance.Model{lin, massbalance.Linear{ELA: 2600, Gradient: 3, MaxBalance: 2}, massbalance.Biased{Model: lin, Bias: -1}},
					[]string{"linear, 3 mm w.e./m", "capped at 2 m w.e./yr", "1 m w.e./yr less"},
					MassBalanceOptions{Zmin: 1000, Zmax: 3500})
			},
			texts:       []string{"Mass balance (m w.e./yr)", "Altitude (m)"},
			legend:      []string{"linear, 3 mm w.e./m", "capped at 2 m w.e./yr", "1 m w.e./yr less"},
			seriesPaths: []int{2, 2, 2},
			widthCm:     16, heightCm: 10, example: true,
		},
		{
			name: "massbalance_single",
			build: func(t testing.TB) (*Figure, error) {
				return MassBalanceProfile([]massbalance.Model{massbalance.Linear{ELA: 2600, Gradient: 3}}, []string{"linear"}, MassBalanceOptions{})
			},
			texts:       []string{"Mass balance (m w.e./yr)", "Altitude (m)"},
			hidden:      []string{"linear"},
			seriesPaths: []int{1},
			widthCm:     16, heightCm: 10,
		},
		{
			name: "crosssection_trapezoid",
			build: func(t testing.TB) (*Figure, error) {
				fl := geometry.NewFlowline("main", 100, []float64{3000, 2900, 2800})
				fl.SetTrapezoidal(200, 2)
				return CrossSection(fl, 1, 120, CrossSectionOptions{})
			},
			texts:   []string{"Across-flow distance (m)", "Altitude (m)", "main, point 1 (0.1\u00a0km): trapezoidal bed 200\u00a0m wide at the bottom, λ 2, ice 120\u00a0m thick"},
			widthCm: 16, heightCm: 10, example: true,
		},
		{
			name: "crosssection_parabola",
			build: func(t testing.TB) (*Figure, error) {
				fl := geometry.NewFlowline("main", 100, []float64{3000, 2900})
				fl.SetParabolic(0.004)
				return CrossSection(fl, 0, 90, CrossSectionOptions{Title: "Parabolic bed"})
			},
			texts:   []string{"Across-flow distance (m)", "Altitude (m)", "Parabolic bed"},
			widthCm: 16, heightCm: 10,
		},
		{
			name: "crosssection_rectangle",
			build: func(t testing.TB) (*Figure, error) {
				r := testRuns(t)[0]
				h := r.hist.Thickness[r.hist.Len()-1]
				return CrossSection(r.fl, 30, h[30], CrossSectionOptions{Width: 10, Height: 8})
			},
			texts:   []string{"Across-flow distance (m)", "Altitude (m)"},
			widthCm: 10, heightCm: 8,
		},
		{
			name: "grid_profiles",
			build: func(t testing.TB) (*Figure, error) {
				var figs []*Figure
				for _, r := range testRuns(t) {
					f, err := Profile([]dynamics.Profile{r.model.Profile(0)}, nil, ProfileOptions{Title: r.label, ELA: r.mb.(massbalance.Linear).ELA})
					if err != nil {
						return nil, err
					}
					figs = append(figs, f)
				}
				return Grid(figs, 3)
			},
			texts:       []string{"Distance along flowline (km)", "Altitude (m)", "ELA 2600 m", "ELA 2500 m", "ELA 2700 m"},
			seriesPaths: []int{3},
			widthCm:     24, heightCm: 6, example: true,
		},
		{
			name: "grid_timeseries",
			build: func(t testing.TB) (*Figure, error) {
				rs := testRuns(t)
				var figs []*Figure
				for _, q := range []Quantity{Volume, Area, Length} {
					f, err := TimeSeries(histories(rs), runLabels(rs), TimeSeriesOptions{Quantity: q})
					if err != nil {
						return nil, err
					}
					figs = append(figs, f)
				}
				g, err := Grid(figs, 1)
				if err == nil {
					g.Width, g.Height = 14, 16
				}
				return g, err
			},
			texts:       []string{"Time (years)", "Volume (km³)", "Area (km²)", "Length (km)"},
			legend:      []string{"ELA 2600 m", "ELA 2500 m", "ELA 2700 m"},
			seriesPaths: []int{4, 4, 4},
			widthCm:     14, heightCm: 16, example: true,
		},
		{
			name: "map_hef",
			build: func(t testing.TB) (*Figure, error) {
				gs, props, err := ReadGeoJSON(outlinesPath(t, "Hintereisferner_RGI6.geojson"))
				if err != nil {
					return nil, err
				}
				return Map(gs, FeatureLabels(props, "Name", "RGIId"), MapOptions{Title: "RGI 6 outline"})
			},
			texts:   []string{"Longitude (°E)", "Latitude (°N)", "Hintereisferner", "RGI 6 outline"},
			widthCm: 16, heightCm: 12, example: true,
		},
		{
			name: "map_oetztal",
			build: func(t testing.TB) (*Figure, error) {
				gs, props, err := ReadGeoJSON(outlinesPath(t, "rgi_oetztal.geojson"))
				if err != nil {
					return nil, err
				}
				labels := make([]string, len(gs))
				for i, p := range props {
					switch id := p["RGIId"]; id {
					case "RGI50-11.00897", "RGI50-11.00787", "RGI50-11.00719_d01":
						labels[i] = p["Name"].(string)
					case "RGI50-11.00746":
						labels[i] = id.(string)
					}
				}
				return Map(gs, labels, MapOptions{})
			},
			texts:   []string{"Longitude (°E)", "Latitude (°N)", "Hintereisferner", "Kesselwandferner", "Vernagtferner", "RGI50-11.00746"},
			widthCm: 16, heightCm: 12, example: true,
		},
		{
			name: "map_projected",
			build: func(t testing.TB) (*Figure, error) {
				sq := orb.Polygon{{{650000, 5180000}, {656000, 5180000}, {656000, 5184000}, {650000, 5184000}, {650000, 5180000}},
					{{652000, 5181000}, {652000, 5182000}, {653000, 5182000}, {653000, 5181000}, {652000, 5181000}}}
				return Map([]orb.Geometry{sq, orb.Point{657000, 5185000}}, []string{"square with a nunatak", ""}, MapOptions{Width: 12, Height: 9})
			},
			texts:   []string{"Easting (km)", "Northing (km)", "square with a nunatak"},
			widthCm: 12, heightCm: 9,
		},
	}
}
