// Package datasets gives notebook cells real glacier data, bundled in the
// Firn binary (package assets), ready for the functions of
// engine/massbalance and engine/climate. For now it holds one glacier:
// Hintereisferner in the Ötztal Alps, Austria, the reference glacier of
// OGGM's tests and tutorials.
//
//	hef, err := datasets.Hintereisferner()
//	ti := massbalance.NewMonthlyTI(hef.Climate)     // HISTALP, at 3160 m
//	ti.FirstMonth = 10                               // WGMS years: Oct–Sep
//	cal, err := massbalance.CalibrateMeltFactor(ti, hef.Hypsometry, hef.Observations, 1980, 2003)
//
// Every call reads the embedded files afresh and returns new values, so a
// cell may change what it gets. The sources and their licences are in
// assets/data/hintereisferner/README.md; cite HISTALP (ZAMG; Auer et al.
// 2007), the RGI (CC-BY 4.0) and the WGMS (doi:10.5904/wgms-fog-2021-05)
// when you use the data ([Glacier.Attribution]).
//
// Units are those of the massbalance package: balances in m w.e. (per
// year), elevations in m a.s.l., areas in m², temperatures in °C,
// precipitation in kg m⁻² per month, lengths in m.
package datasets
