package dem

import (
	"fmt"
	"math"
	"path/filepath"
	"strings"
)

// Grid is a raster. Cell (col, row) covers x from X0+col·DX to
// X0+(col+1)·DX and y from Y0+row·DY down to Y0+(row+1)·DY (DY < 0 for
// north-up grids); X0, Y0 is the outer corner of the first cell.
type Grid struct {
	Width, Height int
	X0, Y0        float64
	DX, DY        float64
	// EPSG is the CRS's EPSG code (4326, 32632, …), 0 when unknown.
	EPSG int
	// NoData is the value that marks missing cells in the file (NaN when
	// the file gives none); such cells are NaN in Data.
	NoData float64
	// Data holds Width·Height values, row by row from the top.
	Data []float64
	// Type names the file's sample type (Int16, Float32, …).
	Type string
}

// At returns the value of cell (col, row).
func (g *Grid) At(col, row int) float64 { return g.Data[row*g.Width+col] }

// Read reads a GeoTIFF (.tif, .tiff) or ESRI ASCII grid (.asc) by its
// extension.
func Read(path string) (*Grid, error) {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".tif", ".tiff":
		return ReadGeoTIFF(path)
	case ".asc":
		return ReadASCIIGrid(path)
	}
	return nil, fmt.Errorf("dem %s: unknown kind of file (want .tif, .tiff or .asc)", path)
}

func (g *Grid) maskNoData() {
	if math.IsNaN(g.NoData) {
		return
	}
	for i, x := range g.Data {
		if x == g.NoData {
			g.Data[i] = math.NaN()
		}
	}
}
