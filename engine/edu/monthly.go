package edu

import (
	"fmt"
	"math"
)

// Hemisphere is the half of the Earth a glacier is in: it sets when the
// seasons and the hydrological year fall.
type Hemisphere int

const (
	// North: the hydrological year runs from October to September, the
	// winter from October to April (OGGM's hydro_month_nh = 10).
	North Hemisphere = iota
	// South: the hydrological year runs from April to March, the winter
	// from April to October (OGGM's hydro_month_sh = 4).
	South
)

// String returns "northern hemisphere" or "southern hemisphere".
func (h Hemisphere) String() string {
	if h == South {
		return "southern hemisphere"
	}
	return "northern hemisphere"
}

// WinterMonths is the number of months of the winter (accumulation)
// season; the other 12 − WinterMonths are the summer (ablation) season.
const WinterMonths = 7

// FirstMonth returns the calendar month (1–12) that starts the
// hydrological year: 10 (October) in the north, 4 (April) in the south.
// The mass-balance year Y of a glacier runs from that month of the
// calendar year before Y to the month before it in Y, as OGGM names its
// hydrological years.
func (h Hemisphere) FirstMonth() int {
	if h == South {
		return 4
	}
	return 10
}

// HydroMonths returns the calendar months (1–12) of the hydrological year
// in order: October … September in the north, April … March in the
// south. The first WinterMonths of them are the winter.
func (h Hemisphere) HydroMonths() []int {
	m := make([]int, 12)
	for k := range m {
		m[k] = (h.FirstMonth()-1+k)%12 + 1
	}
	return m
}

// Winter reports whether a calendar month (1–12) is in the winter season.
func (h Hemisphere) Winter(month int) bool {
	return (month-h.FirstMonth()+12)%12 < WinterMonths
}

// MonthlyBalance returns the balance of one calendar month (1–12) of the
// mass-balance year at altitude z (m a.s.l.), m w.e. per month. The
// model is the two-season balance of the glacier mass-balance glossary
// (Cogley et al. 2011, Glossary of Glacier Mass Balance and Related
// Terms, IHP-VII Technical Documents in Hydrology 86, UNESCO-IHP: the
// annual balance is the sum of a winter and a summer balance, b = b_w +
// b_s, over a hydrological year), with each season's balance spread
// evenly over its months:
//
//	b_w       = P · WinterMonths/12     the winter's precipitation, all snow      m w.e.
//	b_s(z)    = b(z) − b_w                                                           m w.e.
//	b_m(z)    = b_w / WinterMonths       in a winter month
//	b_m(z)    = b_s(z) / (12 − WinterMonths)   in a summer month                  m w.e. per month
//
// with P the Precipitation and b(z) the annual balance (Balance). The
// months of a year add up to b(z) exactly. The Hemisphere says which
// months are winter: October–April in the north, April–October in the
// south, so a southern month has the balance of the northern month six
// months away.
func (mb *MassBalance) MonthlyBalance(year float64, month int, z float64) (float64, error) {
	if month < 1 || month > 12 {
		return math.NaN(), fmt.Errorf("monthly balance: month %d (want 1 to 12)", month)
	}
	if mb.Hemisphere.Winter(month) {
		return mb.Precipitation / 12, nil
	}
	bw := mb.Precipitation * WinterMonths / 12
	return (mb.Balance(year, z) - bw) / (12 - WinterMonths), nil
}
