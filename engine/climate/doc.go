// Package climate holds the climate that drives Firn's temperature-index
// mass balance: monthly series of temperature and precipitation at a
// reference altitude, and the readers that make them from files.
//
// A [Monthly] series is what OGGM keeps in a glacier's climate_historical
// file: the calendar year and month of each value, the monthly mean 2 m
// air temperature (°C), the monthly total precipitation (kg m⁻² per month,
// the same as mm w.e.), the altitude at which they hold (m a.s.l.) and a
// name. Its months are consecutive, so that a month is found without a
// search. Mass-balance years may start in any month ([MassBalanceYear]):
// WGMS reports the balances of Alpine glaciers for years from October to
// September.
//
//	c, err := climate.ReadCSVFile("hef_histalp_monthly.csv")
//	first, last, _ := c.YearRange(10)      // complete years from October
//	temp, prcp, err := c.AnnualCycle(1985, 2015, 1) // mean of each month
//
// # Files
//
// CSV ([ReadCSV]): comment lines start with '#', and one of them names the
// reference height, ref_hgt_m=3160 (or cell_hgt_m=3160); the header names
// the columns year, month, temp_degC and prcp_kg_m2. [Monthly.WriteCSV]
// writes the same format.
//
// NetCDF ([ReadNetCDF], [OpenNetCDF]): no Go module for NetCDF can be had
// here (there is no pure-Go one in reach, and Firn links no C library), so
// this package reads the NetCDF classic formats itself, written from
// Unidata's "NetCDF Classic Format Specification" (NetCDF Users Guide,
// "File Format Specifications"): CDF-1 (classic), CDF-2 (64-bit offset)
// and CDF-5 (64-bit data); the header (dimensions, the record dimension,
// global and variable attributes, variables) and the values of variables
// of every external type, record variables included, whole or as a
// hyperslab. [Var.Unpack] applies scale_factor, add_offset, _FillValue and
// missing_value. NetCDF-4 files are HDF5 files: they are read in pure Go
// too, through engine/internal/hdf5 (the subset of HDF5 NetCDF-4 uses;
// chunked data with shuffle and deflate, dimensions from the dimension
// scales), so no C library or cgo is needed and cross-compiled builds read
// them alike; a file that uses an HDF5 feature outside that subset fails
// with an error (wrapping [ErrHDF5]) that names the feature and says to
// convert it with `nccopy -k classic in.nc out.nc`. The reader checks
// every count and offset against the size of the file, so a broken or
// truncated file gives an error, never a panic or a huge allocation (the
// tests fuzz it).
//
// [WriteNetCDF] writes the 64-bit offset classic format (CDF-2) from the
// same specification, fixed-size dimensions only: compute's compiled runs
// (compiled.nc) are such files.
//
// [NetCDF.Monthly] builds a series from a HISTALP-like file: temp(time,
// lat, lon) in °C or K, prcp(time, lat, lon) per month, the cell heights
// hgt(lat, lon) and time as "days since …", at the grid cell nearest to
// the glacier; or from an OGGM climate_historical file (temp(time),
// prcp(time) and the global attribute ref_hgt). Negative precipitation
// in a NetCDF file (gridded products made from interpolated anomalies
// hold some: HISTALP_oetztal.nc in 2011) is set to 0 and noted in
// [Monthly.Notes], which `firn glacier prepare` prints and keeps in the
// glacier directory's provenance; a CSV series with a negative value is
// refused, since a user's own series has no reason to hold one.
//
// # Data
//
// histalp_merged_hef.nc (CDF-1, from OGGM's sample data; the repository
// keeps a copy for the tests in testdata/sample/climate) holds HISTALP
// (ZAMG; Auer et al. 2007) monthly temp (°C, float) and prcp (kg m⁻² per
// month, float) on a 3×3 box of 5′ cells around Hintereisferner, the cell
// heights hgt (m) and time (int, days since 1801-01-01), 2424 months from
// October 1801 to September 2003, with no packing or fill values. The cell
// nearest to the glacier (46.8333 N, 10.75 E) is at 3160 m; its series is
// hef_histalp_monthly.csv (bundled in assets/data/hintereisferner), with
// which the tests check the reader. The other NetCDF files of OGGM's sample
// data (HISTALP_oetztal.nc, ERA5, ERA5-Land, CERA-20C, CRU) are NetCDF-4;
// the tests read five of them and check every value against h5dump, and
// HISTALP_oetztal.nc's Hintereisferner cell against the classic file.
package climate
