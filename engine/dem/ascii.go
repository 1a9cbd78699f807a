package dem

import (
	"bufio"
	"fmt"
	"math"
	"os"
	"regexp"
	"strconv"
	"strings"
)

// ReadASCIIGrid reads an ESRI ASCII grid and the EPSG code of the .prj
// beside it.
func ReadASCIIGrid(path string) (*Grid, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("dem: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<26)
	sc.Split(bufio.ScanWords)
	g := &Grid{NoData: math.NaN(), Type: "ascii"}
	head := map[string]float64{}
	var first string
	for sc.Scan() {
		w := sc.Text()
		if w == "" || !(w[0] >= 'a' && w[0] <= 'z' || w[0] >= 'A' && w[0] <= 'Z') {
			first = w
			break
		}
		if !sc.Scan() {
			break
		}
		x, err := strconv.ParseFloat(sc.Text(), 64)
		if err != nil {
			return nil, fmt.Errorf("dem %s: header %s: %v", path, w, err)
		}
		head[strings.ToLower(w)] = x
	}
	for _, k := range []string{"ncols", "nrows", "cellsize"} {
		if _, ok := head[k]; !ok {
			return nil, fmt.Errorf("dem %s: no %s in the header", path, k)
		}
	}
	g.Width, g.Height = int(head["ncols"]), int(head["nrows"])
	if g.Width <= 0 || g.Height <= 0 || g.Width > 1<<16 || g.Height > 1<<16 {
		return nil, fmt.Errorf("dem %s: %d×%d cells", path, g.Width, g.Height)
	}
	c := head["cellsize"]
	g.DX, g.DY = c, -c
	x, okx := head["xllcorner"]
	y, oky := head["yllcorner"]
	if xc, ok := head["xllcenter"]; ok && !okx {
		x, okx = xc-c/2, true
	}
	if yc, ok := head["yllcenter"]; ok && !oky {
		y, oky = yc-c/2, true
	}
	if !okx || !oky {
		return nil, fmt.Errorf("dem %s: no xllcorner/xllcenter or yllcorner/yllcenter", path)
	}
	g.X0, g.Y0 = x, y+float64(g.Height)*c
	if nd, ok := head["nodata_value"]; ok {
		g.NoData = nd
	}
	g.Data = make([]float64, 0, g.Width*g.Height)
	for w := first; w != ""; {
		v, err := strconv.ParseFloat(w, 64)
		if err != nil {
			return nil, fmt.Errorf("dem %s: value %d: %v", path, len(g.Data)+1, err)
		}
		g.Data = append(g.Data, v)
		w = ""
		if sc.Scan() {
			w = sc.Text()
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("dem %s: %w", path, err)
	}
	if len(g.Data) != g.Width*g.Height {
		return nil, fmt.Errorf("dem %s: %d values for %d×%d cells", path, len(g.Data), g.Width, g.Height)
	}
	if prj, err := os.ReadFile(strings.TrimSuffix(path, ".asc") + ".prj"); err == nil {
		g.EPSG = epsgOfWKT(string(prj))
	}
	g.maskNoData()
	return g, nil
}

var epsgRe = regexp.MustCompile(`(?:ID|AUTHORITY)\["EPSG",\s*"?(\d+)"?\]\]\s*$`)

// epsgOfWKT returns the EPSG code a WKT names at its end, 0 if none.
func epsgOfWKT(wkt string) int {
	m := epsgRe.FindStringSubmatch(wkt)
	if m == nil {
		return 0
	}
	n, _ := strconv.Atoi(m[1])
	return n
}
