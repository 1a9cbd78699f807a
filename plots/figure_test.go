package plots

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/paulmach/orb"

	"github.com/firnglacier/firn/engine/dynamics"
	"github.com/firnglacier/firn/engine/geometry"
	"github.com/firnglacier/firn/engine/massbalance"
)

func profileFigure(t *testing.T) *Figure {
	t.Helper()
	r := testRuns(t)[0]
	ps, labels, err := ProfilesAt(r.hist, r.fl, 100, 300)
	if err != nil {
		t.Fatal(err)
	}
	f, err := Profile(ps, labels, ProfileOptions{ELA: 2600})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestSave(t *testing.T) {
	f := profileFigure(t)
	dir := t.TempDir()
	for _, tc := range []struct {
		name  string
		magic string
	}{
		{"profile.svg", "<?xml"},
		{"profile.png", "\x89PNG"},
		{"PROFILE.PDF", "%PDF"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, tc.name)
			// An existing file is replaced.
			if err := os.WriteFile(path, []byte("old"), 0o600); err != nil {
				t.Fatal(err)
			}
			if err := f.Save(path); err != nil {
				t.Fatal(err)
			}
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.HasPrefix(b, []byte(tc.magic)) {
				t.Errorf("%s starts with %q, want %q", tc.name, b[:min(8, len(b))], tc.magic)
			}
			// It keeps its permissions, as every file Firn rewrites.
			if st, _ := os.Stat(path); st.Mode().Perm() != 0o600 {
				t.Errorf("mode %v, want the old file's 0600", st.Mode().Perm())
			}
		})
	}
	// No temporary files are left behind.
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp") {
			t.Errorf("temporary file %s left behind", e.Name())
		}
	}
	// A failed save leaves the old file alone.
	bad := filepath.Join(dir, "profile.svg")
	before, _ := os.ReadFile(bad)
	f2 := *profileFigure(t)
	f2.Width = -1
	if err := (&f2).Save(bad); err == nil {
		t.Error("saving a figure of negative width worked")
	}
	if after, _ := os.ReadFile(bad); !bytes.Equal(before, after) {
		t.Error("a failed save changed the file")
	}
}

func TestMIMEAndWriteTo(t *testing.T) {
	f := profileFigure(t)
	bundle, err := f.MIME()
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"image/svg+xml", "image/png", "text/plain"} {
		if len(bundle[k]) == 0 {
			t.Errorf("bundle has no %s", k)
		}
	}
	checkPNG(t, bundle["image/png"], 16, 10, DefaultDPI)
	if got, want := string(bundle["text/plain"]), "profile plot, 2 series, 16 × 10 cm"; got != want {
		t.Errorf("text/plain %q, want %q", got, want)
	}
	var buf bytes.Buffer
	n, err := f.WriteTo(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if n != int64(buf.Len()) || !bytes.Equal(buf.Bytes(), bundle["image/svg+xml"]) {
		t.Errorf("WriteTo wrote %d bytes, not the SVG of the bundle", n)
	}
}

// Rendering is deterministic, also from several goroutines at once (run
// with -race).
func TestDeterministic(t *testing.T) {
	f := profileFigure(t)
	svg0, err := f.SVG()
	if err != nil {
		t.Fatal(err)
	}
	png0, err := f.PNG()
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			svg, err := f.SVG()
			if err != nil || !bytes.Equal(svg, svg0) {
				t.Errorf("SVG differs between renders (err %v)", err)
			}
			png, err := f.PNG()
			if err != nil || !bytes.Equal(png, png0) {
				t.Errorf("PNG differs between renders (err %v)", err)
			}
		})
	}
	wg.Wait()
}

// Grid copies its figures: they render as before.
func TestGridLeavesFiguresAlone(t *testing.T) {
	a := profileFigure(t)
	b, err := TimeSeries(histories(testRuns(t)), runLabels(testRuns(t)), TimeSeriesOptions{})
	if err != nil {
		t.Fatal(err)
	}
	svgA, _ := a.SVG()
	svgB, _ := b.SVG()
	g, err := Grid([]*Figure{a, b, a}, 2)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := g.SVG(); err != nil {
		t.Fatal(err)
	}
	if got := g.String(); got != "grid of 3 plots, 16 × 12 cm" {
		t.Errorf("grid is %q", got)
	}
	svgA2, _ := a.SVG()
	svgB2, _ := b.SVG()
	if !bytes.Equal(svgA, svgA2) || !bytes.Equal(svgB, svgB2) {
		t.Error("Grid changed a figure it was given")
	}
}

func TestSizeAndDPI(t *testing.T) {
	f := profileFigure(t)
	f.Width, f.Height, f.DPI = 8, 6, 150
	b, err := f.PNG()
	if err != nil {
		t.Fatal(err)
	}
	checkPNG(t, b, 8, 6, 150)
	svg, err := f.SVG()
	if err != nil {
		t.Fatal(err)
	}
	s := summarize(t, svg)
	if w := parsePt(t, s.width); math.Abs(w-8/2.54*72) > 0.01 {
		t.Errorf("SVG width %s", s.width)
	}
}

func TestTicks(t *testing.T) {
	for _, tc := range []struct {
		lo, hi float64
		want   string
	}{
		{0, 19.9, "0 5 10 15"},
		{920, 3210, "1000 1500 2000 2500 3000"},
		{0, 0.566, "0.0 0.1 0.2 0.3 0.4 0.5"},
		{-5.9, 2.8, "−4 −2 0 2"},
		{10.72, 11.03, "10.75 10.80 10.85 10.90 10.95 11.00"},
		{0, 300, "0 100 200 300"},
		{2000, 2100, "2000 2025 2050 2075 2100"},
		{0, 1e9, "0 2.5e+08 5e+08 7.5e+08 1e+09"},
		{0.001, 0.00175, "0.0010 0.0012 0.0014 0.0016"},
	} {
		var got []string
		for _, tk := range (niceTicks{target: 5}).Ticks(tc.lo, tc.hi) {
			got = append(got, tk.Label)
		}
		if s := strings.Join(got, " "); s != tc.want {
			t.Errorf("ticks of [%g, %g]: %q, want %q", tc.lo, tc.hi, s, tc.want)
		}
	}
	if ticks := (niceTicks{target: 5}).Ticks(1, 1); ticks != nil {
		t.Errorf("empty range has ticks %v", ticks)
	}
}

func TestReadGeoJSON(t *testing.T) {
	gs, props, err := ReadGeoJSON(outlinesPath(t, "rgi_oetztal.geojson"))
	if err != nil {
		t.Fatal(err)
	}
	if len(gs) != 20 || len(props) != 20 {
		t.Fatalf("%d geometries and %d properties, want 20", len(gs), len(props))
	}
	labels := FeatureLabels(props, "Name", "RGIId")
	found := map[string]bool{}
	for _, l := range labels {
		found[l] = true
	}
	for _, want := range []string{"Hintereisferner", "Kesselwandferner", "Vernagtferner", "RGI50-11.00746"} {
		if !found[want] {
			t.Errorf("no label %q in %q", want, labels)
		}
	}
	if got := FeatureLabels([]map[string]any{{"Area": 8.036}, nil}, "Name", "Area"); got[0] != "8.036" || got[1] != "" {
		t.Errorf("labels %q", got)
	}

	gs, props, err = ReadGeoJSON(outlinesPath(t, "Hintereisferner_RGI6.geojson"))
	if err != nil {
		t.Fatal(err)
	}
	if len(gs) != 1 || props[0]["RGIId"] != "RGI60-11.00897" || gs[0].GeoJSONType() != "Polygon" {
		t.Errorf("Hintereisferner: %d geometries, %v, %s", len(gs), props[0]["RGIId"], gs[0].GeoJSONType())
	}
}

func TestProfilesAtDefaultYears(t *testing.T) {
	r := testRuns(t)[0]
	_, labels, err := ProfilesAt(r.hist, r.fl)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(labels, ", "); got != "year 0, year 80, year 150, year 230, year 300" {
		t.Errorf("default years: %s", got)
	}
}

func TestProfileWithoutThickness(t *testing.T) {
	p := goodProfile()
	p.Thickness = nil
	f, err := Profile([]dynamics.Profile{p, goodProfile()}, []string{"derived", "given"}, ProfileOptions{})
	if err != nil {
		t.Fatal(err)
	}
	svg, err := f.SVG()
	if err != nil {
		t.Fatal(err)
	}
	s := summarize(t, svg)
	if countSeriesPaths(s, 0) != 2 || countSeriesPaths(s, 1) != 2 {
		t.Errorf("series paths %d and %d, want 2 each", countSeriesPaths(s, 0), countSeriesPaths(s, 1))
	}
	// A short flowline keeps metres.
	found := false
	for _, tx := range s.texts {
		found = found || tx == "Distance along flowline (m)"
	}
	if !found {
		t.Errorf("no distance label in metres: %q", s.texts)
	}
}

func TestWrapText(t *testing.T) {
	sty := textStyle(10)
	w := sty.Width("glacier glacier")
	if got := wrapText(sty, "glacier glacier glacier", w); got != "glacier glacier\nglacier" {
		t.Errorf("wrapped %q", got)
	}
	if got := wrapText(sty, "3000\u00a0m", sty.Width("3000")); got != "3000\u00a0m" {
		t.Errorf("broke at a no-break space: %q", got)
	}
}

// Figure.Plot gives experts gonum's plot; a changed title or range shows.
func TestPlotAccess(t *testing.T) {
	f := profileFigure(t)
	p := f.Plot()
	p.Title.Text = "Changed title"
	p.X.Max = 10
	svg, err := f.SVG()
	if err != nil {
		t.Fatal(err)
	}
	s := summarize(t, svg)
	if !strings.Contains(strings.Join(s.texts, "|"), "Changed title") {
		t.Errorf("title not shown: %q", s.texts)
	}
	if strings.Contains(strings.Join(s.texts, "|"), "|15|") {
		t.Errorf("x range not changed: %q", s.texts)
	}
	g, _ := Grid([]*Figure{f, f}, 2)
	if g.Plot() != nil {
		t.Error("a grid has a single plot")
	}
}

// Degenerate but valid input renders without error.
func TestDegenerateInputs(t *testing.T) {
	flat := &dynamics.History{Year: []float64{0, 1}, Volume: []float64{0, 0}, Area: []float64{0, 0}, Length: []float64{0, 0}}
	noIce := goodProfile()
	noIce.Thickness = []float64{0, 0, 0}
	noIce.Surface = noIce.Bed
	flatBed := dynamics.Profile{Distance: []float64{0, 0}, Bed: []float64{2000, 2000}, Surface: []float64{2000, 2000}}
	rect := func() *geometry.Flowline {
		fl := geometry.NewFlowline("main", 100, []float64{3000, 2900})
		fl.SetRectangular(300)
		return fl
	}
	for _, tc := range []struct {
		name  string
		build func() (*Figure, error)
	}{
		{"zero series", func() (*Figure, error) { return TimeSeries([]*dynamics.History{flat}, nil, TimeSeriesOptions{}) }},
		{"no ice", func() (*Figure, error) {
			return Profile([]dynamics.Profile{noIce, noIce}, nil, ProfileOptions{ELA: 5000})
		}},
		{"flat bed", func() (*Figure, error) { return Profile([]dynamics.Profile{flatBed}, nil, ProfileOptions{}) }},
		{"empty section", func() (*Figure, error) { return CrossSection(rect(), 0, 0, CrossSectionOptions{}) }},
		{"one point", func() (*Figure, error) {
			return Map([]orb.Geometry{orb.Point{10.8, 46.8}}, []string{"HEF"}, MapOptions{})
		}},
		{"constant balance", func() (*Figure, error) {
			return MassBalanceProfile([]massbalance.Model{massbalance.Constant{}}, nil, MassBalanceOptions{Zmin: 2000, Zmax: 2001})
		}},
		{"tiny figure", func() (*Figure, error) {
			return TimeSeries([]*dynamics.History{goodHistory()}, nil, TimeSeriesOptions{Title: "a rather long title for a tiny figure", Width: 2, Height: 1.5})
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := tc.build()
			if err != nil {
				t.Fatal(err)
			}
			if _, err := f.SVG(); err != nil {
				t.Error(err)
			}
			if _, err := f.PNG(); err != nil {
				t.Error(err)
			}
		})
	}
}

func TestSimplifyLine(t *testing.T) {
	line := []xy{{0, 0}, {1, 0.001}, {2, 0}, {3, 0}, {3, 1}, {3, 2}}
	got := simplifyLine(line, 0.01, 1)
	want := []xy{{0, 0}, {3, 0}, {3, 2}}
	if len(got) != len(want) {
		t.Fatalf("simplified to %v, want %v", got, want)
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("simplified to %v, want %v", got, want)
		}
	}
	// Distances are measured with x stretched by xScale; the points kept
	// are the originals.
	back := []xy{{0, 0}, {30, 0}, {20, 0}}
	for _, tc := range []struct {
		xScale float64
		want   int
	}{{1, 3}, {0.01, 2}} {
		got := simplifyLine(back, 0.5, tc.xScale)
		if len(got) != tc.want || got[0] != back[0] || got[len(got)-1] != back[2] || (tc.want == 3 && got[1] != back[1]) {
			t.Errorf("xScale %g: simplified to %v, want %d of %v", tc.xScale, got, tc.want, back)
		}
	}
}

// SaveIn writes inside its root only.
func TestSaveIn(t *testing.T) {
	f := profileFigure(t)
	dir, outside := t.TempDir(), t.TempDir()
	if err := os.Symlink(outside, filepath.Join(dir, "out")); err != nil {
		t.Fatal(err)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	if err := f.SaveIn(root, "fig.svg"); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "fig.svg")); err != nil || !bytes.HasPrefix(b, []byte("<?xml")) {
		t.Errorf("fig.svg: %v, %q", err, b[:min(8, len(b))])
	}
	for _, name := range []string{"../fig.svg", "out/fig.svg", "/fig.svg"} {
		if err := f.SaveIn(root, name); err == nil {
			t.Errorf("SaveIn(%q) wrote outside its root", name)
		}
	}
	if entries, _ := os.ReadDir(outside); len(entries) > 0 {
		t.Errorf("files outside the root: %v", entries)
	}
}

// A confined figure's Save goes through its writer, which stays.
func TestConfine(t *testing.T) {
	f := profileFigure(t)
	var got []string
	first := func(path string, data []byte) error {
		got = append(got, fmt.Sprintf("%s %d", path, len(data)))
		return errors.New("refused")
	}
	if Confine(f, first) != f {
		t.Error("Confine returns another figure")
	}
	Confine(f, func(path string, data []byte) error { return writeAll(path, data) })
	path := filepath.Join(t.TempDir(), "fig.svg")
	err := f.Save(path)
	if err == nil || !strings.Contains(err.Error(), "refused") {
		t.Errorf("Save: %v, want the first writer's error", err)
	}
	if len(got) != 1 || !strings.HasPrefix(got[0], path+" ") {
		t.Errorf("writer calls %q", got)
	}
	if _, err := os.Stat(path); err == nil {
		t.Error("a confined figure wrote its file itself")
	}
}

// writeAll writes a file plainly: a writer that allows everything.
func writeAll(path string, data []byte) error { return os.WriteFile(path, data, 0o644) }
