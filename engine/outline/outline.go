package outline

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/paulmach/orb"
)

// Outline is one glacier: its geometry and its RGI attributes. A number
// the file does not give is NaN.
type Outline struct {
	// ID is the RGI id (RGI60-11.00897, RGI2000-v7.0-G-11-03116, …).
	ID string
	// RGIVersion is 5, 6 or 7 from the id's prefix (RGI50-, RGI60-,
	// RGI2000-v7.0-), 0 when unknown.
	RGIVersion int
	GLIMSID    string
	Name       string
	// Area is the glacier's area in km² as the inventory gives it.
	Area float64
	// CenLon and CenLat are the inventory's centre point (degrees).
	CenLon, CenLat float64
	// Zmin, Zmax and Zmed are elevations in m; Slope and Aspect degrees;
	// Lmax the longest flowline in m.
	Zmin, Zmax, Zmed float64
	Slope, Aspect    float64
	Lmax             float64
	// TermType is the terminus type code (0 land-terminating, 1
	// marine-terminating, …), -1 when not given.
	TermType int
	// Geometry holds the polygons, each an exterior ring and its holes,
	// in the coordinates of the file.
	Geometry orb.MultiPolygon
	// Attrs are all attributes as read, by field name.
	Attrs map[string]string
	// CRS is the .prj's WKT for a shapefile, "EPSG:4326" for GeoJSON.
	CRS string
}

// rgiNames lists the field names of each RGI attribute, RGI 5/6 first.
var rgiNames = map[string][]string{
	"id": {"RGIId", "rgi_id"}, "glims": {"GLIMSId", "glims_id"}, "name": {"Name", "glac_name"},
	"area": {"Area", "area_km2"}, "cenlon": {"CenLon", "cenlon"}, "cenlat": {"CenLat", "cenlat"},
	"zmin": {"Zmin", "zmin_m"}, "zmax": {"Zmax", "zmax_m"}, "zmed": {"Zmed", "zmed_m"},
	"slope": {"Slope", "slope_deg"}, "aspect": {"Aspect", "aspect_deg"}, "lmax": {"Lmax", "lmax_m"},
	"term": {"TermType", "term_type"},
}

// fill sets the RGI fields from Attrs.
func (o *Outline) fill() {
	get := func(k string) string {
		for _, n := range rgiNames[k] {
			if v, ok := o.Attrs[n]; ok {
				return strings.TrimSpace(v)
			}
		}
		return ""
	}
	num := func(k string) float64 {
		x, err := strconv.ParseFloat(get(k), 64)
		if err != nil {
			return nan
		}
		return x
	}
	o.ID, o.GLIMSID, o.Name = get("id"), get("glims"), get("name")
	switch {
	case strings.HasPrefix(o.ID, "RGI50-"):
		o.RGIVersion = 5
	case strings.HasPrefix(o.ID, "RGI60-"):
		o.RGIVersion = 6
	case strings.HasPrefix(o.ID, "RGI2000-v7.0-"):
		o.RGIVersion = 7
	}
	o.Area, o.CenLon, o.CenLat = num("area"), num("cenlon"), num("cenlat")
	o.Zmin, o.Zmax, o.Zmed = num("zmin"), num("zmax"), num("zmed")
	o.Slope, o.Aspect, o.Lmax = num("slope"), num("aspect"), num("lmax")
	o.TermType = -1
	if t, err := strconv.Atoi(get("term")); err == nil {
		o.TermType = t
	}
}

// Read reads the outlines of a shapefile (.shp) or a GeoJSON file
// (.geojson, .json), by the file's extension.
func Read(path string) ([]*Outline, error) {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".shp":
		return ReadShapefile(path)
	case ".geojson", ".json":
		return ReadGeoJSON(path)
	}
	return nil, fmt.Errorf("outline %s: unknown kind of file (want .shp, .geojson or .json)", path)
}

// Find returns the outline of that RGI id.
func Find(outlines []*Outline, id string) (*Outline, error) {
	for _, o := range outlines {
		if o.ID == id {
			return o, nil
		}
	}
	ids := make([]string, 0, len(outlines))
	for i, o := range outlines {
		if i == 5 {
			ids = append(ids, "…")
			break
		}
		ids = append(ids, o.ID)
	}
	return nil, fmt.Errorf("outline: no glacier %s among %d (%s)", id, len(outlines), strings.Join(ids, ", "))
}

// ReadGeoJSON reads a GeoJSON FeatureCollection (RFC 7946) of Polygon
// and MultiPolygon features.
func ReadGeoJSON(path string) ([]*Outline, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("outline: %w", err)
	}
	return DecodeGeoJSON(b, path)
}

// DecodeGeoJSON reads a GeoJSON FeatureCollection held in memory (an
// embedded file, say), as ReadGeoJSON; name is used in messages.
func DecodeGeoJSON(b []byte, name string) ([]*Outline, error) {
	path := name
	var fc struct {
		Type     string `json:"type"`
		Features []struct {
			Geometry struct {
				Type        string          `json:"type"`
				Coordinates json.RawMessage `json:"coordinates"`
			} `json:"geometry"`
			Properties map[string]any `json:"properties"`
		} `json:"features"`
	}
	if err := json.Unmarshal(b, &fc); err != nil {
		return nil, fmt.Errorf("outline %s: %w", path, err)
	}
	if fc.Type != "FeatureCollection" {
		return nil, fmt.Errorf("outline %s: a GeoJSON %q, want a FeatureCollection", path, fc.Type)
	}
	var out []*Outline
	for i, f := range fc.Features {
		o := &Outline{Attrs: map[string]string{}, CRS: "EPSG:4326"}
		for k, v := range f.Properties {
			if v != nil {
				o.Attrs[k] = fmt.Sprint(v)
			}
		}
		var err error
		switch f.Geometry.Type {
		case "Polygon":
			var c [][][]float64
			if err = json.Unmarshal(f.Geometry.Coordinates, &c); err == nil {
				o.Geometry = orb.MultiPolygon{polygon(c)}
			}
		case "MultiPolygon":
			var c [][][][]float64
			if err = json.Unmarshal(f.Geometry.Coordinates, &c); err == nil {
				for _, p := range c {
					o.Geometry = append(o.Geometry, polygon(p))
				}
			}
		default:
			err = fmt.Errorf("a %q, not a polygon", f.Geometry.Type)
		}
		if err != nil {
			return nil, fmt.Errorf("outline %s: feature %d: %w", path, i, err)
		}
		o.fill()
		out = append(out, o)
	}
	return out, nil
}

func polygon(c [][][]float64) orb.Polygon {
	p := make(orb.Polygon, len(c))
	for i, r := range c {
		p[i] = make(orb.Ring, 0, len(r))
		for _, q := range r {
			if len(q) >= 2 {
				p[i] = append(p[i], orb.Point{q[0], q[1]})
			}
		}
	}
	return p
}
