// Package dem reads gridded rasters — digital elevation models, ice
// thickness — from GeoTIFF and ESRI ASCII grid files into a [Grid]: its
// values row by row from the north-west corner, its georeferencing (the
// corner and cell size) and its CRS as an EPSG code.
//
// GeoTIFF is read by a small reader of its own, written from the TIFF 6.0
// specification and the OGC GeoTIFF 1.1 standard: golang.org/x/image/tiff
// decodes only images (no Int16 or Float32 samples, no GeoKeys), so this
// package reads the tags itself and uses only x/image's TIFF LZW decoder.
// It reads one band of signed or unsigned integers (8, 16, 32 bits) or
// IEEE floats (32, 64 bits), either byte order, in strips or tiles,
// uncompressed, deflate (zlib) or LZW, with horizontal predictors 2 and 3
// refused by name; ModelPixelScale + ModelTiepoint georeferencing; the
// GeoKeys ProjectedCSTypeGeoKey and GeographicTypeGeoKey for the EPSG
// code; and GDAL's nodata tag (42113). Cells equal to the nodata value
// are NaN in [Grid.Data].
//
// ESRI ASCII grids (.asc): the header ncols, nrows, xllcorner or
// xllcenter, yllcorner or yllcenter, cellsize, NODATA_value, then the
// values; the EPSG code is taken from a .prj beside it when it names one
// (an ID["EPSG",n] or AUTHORITY["EPSG","n"] at its end), else 0.
//
// The tests compare every raster in testdata/sample/dem (SRTM Int16 in
// strips, tiled and deflated, LZW, big-endian; the consensus thickness in
// Float32 with nodata; South Glacier's Float64 DEM in UTM 7N) with what
// GDAL reads (grids_expected.csv, values_expected.csv).
package dem
