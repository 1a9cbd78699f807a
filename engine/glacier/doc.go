// Package glacier turns a real glacier's outline and a DEM into what the
// flowline model needs: its map, its elevation-band flowline and its ice
// thickness from mass conservation. It is OGGM's preprocessing chain for
// elevation-band flowlines (Maussion et al. 2019, "The Open Global Glacier
// Model (OGGM) v1.1", GMD 12, 909–931; oggm/core/gis.py, centerlines.py and
// inversion.py, read to learn the method), in SI units, with OGGM's
// defaults as named constants.
//
//	all, _ := outline.Read("Hintereisferner_RGI6.shp")
//	hef, _ := outline.Find(all, "RGI60-11.00897")
//	srtm, _ := dem.Read("hef_srtm.tif")
//	g, err := glacier.Prepare(hef, srtm, glacier.Options{}) // or step by step:
//
//	r, err := glacier.NewRegion(hef, srtm, glacier.RegionOptions{})
//	fl, bands, err := glacier.ElevationBandFlowline(r, 0)
//	mb, ela := glacier.LinearApparentBalance(fl, 0)
//	inv, err := glacier.Invert(fl, mb, glacier.DefaultInversion())
//	volume := inv.Volume(fl.Dx) // m³
//
// # The map ([NewRegion])
//
// A transverse Mercator centred on the RGI centre longitude (engine/proj's
// LocalTM), a grid of [GridSpacing] (dx = 14·√(area/km²) + 10 m, rounded,
// within [10, 200] m: 50 m for Hintereisferner) around the outline with a
// margin of [Border] = 80 cells, the DEM resampled by cubic convolution
// (GDAL's "cubic", Keys 1981, a = −½) at the cells' centres, smoothed by
// OGGM's Gaussian blur of 251 m for the flowlines, and the glacier mask
// (cells whose centre is inside the outline and outside its nunataks).
// [Region.Hypsometry] gives the area by elevation band as the
// [massbalance.Hypsometry] the mass-balance calibration takes.
//
// The cubic convolution is written here: gonum's interp fits 1-D splines
// through whole series, while GDAL's resampling (and so OGGM's) weighs the
// 4×4 cells around each point with Keys' kernel, which is what the tests
// compare with. gonum serves where its methods are the ones OGGM uses:
// linear interpolation along the flowline, and floats for sums and scaling.
//
// Each cell's position on the DEM is projected exactly; GDAL, which OGGM
// calls through rasterio, interpolates it along rows within 1/8 of a
// source cell, which moves the heights on Hintereisferner's map by up to
// 3 m (0.7 m on average). Against gdalwarp with the exact transformer the
// map, the DEM and the mask are identical (TestRegionAgainstGDAL). Voids
// are filled with the mean of their neighbours, where OGGM interpolates
// linearly between the valid cells.
//
// # The flowline ([ElevationBands], [FixedDx])
//
// Huss and Farinotti (2012, J. Geophys. Res. 117, F04010) collapse a
// glacier into bands of equal height; each band becomes a stretch of
// flowline whose length comes from its mean slope, Δx = Δz/tan α, and
// whose width is its area over that length. The band slope is the trimmed
// mean of Werder et al. (2019, J. Glaciol. 66, 137, sect. 2.3), as OGGM's
// elevation_band_flowline computes it, in bands of [BinSize] = 30 m. The
// bands are then sampled at a fixed spacing of [FlowlineDx] map cells
// (100 m for a 50 m map) by linear interpolation (gonum's
// interp.PiecewiseLinear), and the widths scaled so that the flowline's
// area is the RGI area ([Flowline.WidthFactor] says by how much: 0.996 for
// Hintereisferner).
//
// # The inversion ([Invert])
//
// Mass conservation (Farinotti et al. 2009, J. Glaciol. 55, 422): in a
// steady state the ice flux through a section is what the surface balance
// above it adds up to, q(x) = ∫ ȧ·w dx (m³ s⁻¹), with an "apparent"
// balance ȧ whose glacier-wide total is zero ([LinearApparentBalance]:
// OGGM's 3 mm w.e. m⁻¹ gradient about the ELA that gives zero; or
// [ApparentBalance] of any [massbalance.Model] less its mean). Glen's flow
// law in the shallow-ice approximation (Cuffey and Paterson 2010, eq.
// 8.37) gives the depth-averaged velocity ū = f_d·h^(n+1)·(ρgα)ⁿ, f_d =
// 2A/(n+2), plus OGGM's sliding f_s·h^(n−1)·(ρgα)ⁿ, and q = S(h)·ū fixes
// the thickness h for the section S of each point's shape (rectangle,
// parabola, or OGGM's trapezoid of side factor λ = 2 for elevation bands).
// [DefaultInversion] holds OGGM's defaults: A = 2.4e-24 Pa⁻³ s⁻¹, n = 3,
// f_s = 0, ρ = 900 kg m⁻³, slopes of at least 1.5°. [CalibrateGlenA] finds
// the A that gives a target volume (OGGM's calibration to the consensus
// estimate).
//
// # Verification
//
// Hintereisferner (RGI60-11.00897; RGI 6 outline, SRTM): the mask holds
// 8.045 km² (RGI 8.036), the flowline 8.036 km² in 56 points; with the
// linear balance (ELA 3031 m) and OGGM's defaults the volume is 0.645 km³,
// +12.6 % of the 0.573 km³ OGGM's test glacier is calibrated to and +11.6 %
// of the consensus estimate, 0.578 km³ (Farinotti et al. 2019, Nat.
// Geosci. 12, 168); mean thickness 80 m (consensus 72 m), largest 185 m
// (191 m). With OGGM's test-glacier balance (temperature index calibrated
// to the WGMS record) and the default A the volume is 0.744 km³: OGGM then
// calibrates A and f_s to reach 0.573 km³. The consensus volume needs A =
// 4.41e-24 Pa⁻³ s⁻¹ (1.84 × the default) with the linear balance. The inversion is checked
// analytically on a rectangular valley on a plane, where flux and thickness
// have closed forms (TestInversionAnalytic), and section by section
// against Glen's law (TestThicknessFromGlensLaw). OGGM's
// filter_inversion_output, which reshapes the last five points towards the
// downstream bed, is not applied: there is no downstream line yet.
//
// # Speed
//
// BenchmarkPrepareHintereisferner: about 50 ms on a 2-core machine, of
// which the map takes 99 % (the exact inverse projection of each of its
// 65 000 cells is nine tenths of that), the flowline 1 % and the inversion
// 0.3 %; reading the outline and the DEM adds about 2 ms. OGGM takes about
// 17 s.
package glacier
