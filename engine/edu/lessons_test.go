package edu_test

import (
	"fmt"

	"github.com/firnglacier/firn/engine/dynamics"
	"github.com/firnglacier/firn/engine/edu"
	"github.com/firnglacier/firn/engine/massbalance"
	"github.com/firnglacier/firn/plots"
)

// mustRender renders a lesson's figure (SVG and PNG) as a notebook would
// show it; a lesson whose plot fails panics.
func mustRender(fig *plots.Figure, err error) {
	if err != nil {
		panic(err)
	}
	if _, err := fig.SVG(); err != nil {
		panic(err)
	}
	if _, err := fig.PNG(); err != nil {
		panic(err)
	}
}

func histories(c *edu.Collection) []*dynamics.History {
	h := make([]*dynamics.History, len(c.Glaciers))
	for i, g := range c.Glaciers {
		h[i] = g.History().Dynamics()
	}
	return h
}

// Lesson "glacier response to ELA changes" (OGGM-Edu): grow a glacier to
// equilibrium, warm the climate by one degree (the ELA rises 150 m), let
// it find its new equilibrium and measure how fast it responded.
func Example_elaChange() {
	g := edu.NewGlacier(edu.NewBed(3400, 1400, 300), edu.NewMassBalance(3000, 4))
	if err := g.ProgressToEquilibrium(); err != nil {
		panic(err)
	}
	g.MassBalance.TempBias = 1
	if err := g.ProgressToEquilibrium(); err != nil {
		panic(err)
	}
	tau, _ := g.ResponseTime()
	mustRender(plots.TimeSeries([]*dynamics.History{g.History().Dynamics()}, []string{"volume"}, plots.TimeSeriesOptions{Quantity: plots.Volume}))
	mustRender(plots.Profile([]dynamics.Profile{g.Profile()}, []string{"warmer"}, plots.ProfileOptions{ELA: g.MassBalance.ELAAt(g.Year())}))
	for _, e := range g.Equilibria() {
		fmt.Printf("ELA %.0f m: %.3f km³, %.1f km long (year %g)\n", e.ELA, e.Volume/1e9, e.Length/1e3, e.Year)
	}
	fmt.Printf("response time: %g years\n", tau)
	// Output:
	// ELA 3000 m: 0.632 km³, 11.6 km long (year 750)
	// ELA 3150 m: 0.383 km³, 8.1 km long (year 1400)
	// response time: 71 years
}

// Lesson "mass balance gradients" (OGGM-Edu): the same ELA with a gentle,
// a medium and a steep gradient (600 years, near equilibrium); steeper
// gradients (wetter, maritime climates) make bigger glaciers that reach
// further down.
func Example_massBalanceGradients() {
	base := edu.NewGlacier(edu.NewBed(3400, 1400, 300), edu.NewMassBalance(3000, 4))
	c, err := edu.Vary(base, "gradient", 2, 4, 8)
	if err != nil {
		panic(err)
	}
	if err := c.ProgressToYear(600); err != nil {
		panic(err)
	}
	mustRender(plots.MassBalanceProfile([]massbalance.Model{c.Glaciers[0].MassBalance, c.Glaciers[1].MassBalance, c.Glaciers[2].MassBalance}, c.Labels(), plots.MassBalanceOptions{}))
	mustRender(plots.TimeSeries(histories(c), c.Labels(), plots.TimeSeriesOptions{Quantity: plots.Length}))
	for _, g := range c.Glaciers {
		d := g.Diagnostics()
		fmt.Printf("%-26s %.3f km³, %.1f km\n", g.Name, d.Volume/1e9, d.Length/1e3)
	}
	// Output:
	// gradient = 2 mm w.e./m/yr  0.466 km³, 9.9 km
	// gradient = 4 mm w.e./m/yr  0.632 km³, 11.6 km
	// gradient = 8 mm w.e./m/yr  0.778 km³, 12.2 km
}

// Lesson "ice flow parameters" (OGGM-Edu): softer ice (a larger creep
// parameter A) and a slippery bed (sliding f_s) move the same
// accumulation down faster, so the glacier is thinner.
func Example_iceFlowParameters() {
	base := edu.NewGlacier(edu.NewBed(3400, 1400, 300), edu.NewMassBalance(3000, 4))
	creep, _ := edu.Vary(base, "creep", 1.2e-24, 2.4e-24, 4.8e-24)
	sliding, _ := edu.Vary(base, "sliding", 0, 5.7e-20)
	all := edu.NewCollection(append(creep.Glaciers, sliding.Glaciers...)...)
	if err := all.ProgressToYear(600); err != nil {
		panic(err)
	}
	profiles := make([]dynamics.Profile, len(all.Glaciers))
	for i, g := range all.Glaciers {
		profiles[i] = g.Profile()
	}
	mustRender(plots.Profile(profiles, all.Labels(), plots.ProfileOptions{}))
	for _, g := range all.Glaciers {
		d := g.Diagnostics()
		hmax := 0.0
		for _, h := range g.Profile().Thickness {
			hmax = max(hmax, h)
		}
		fmt.Printf("%-30s %.3f km³, %.1f km, at most %.0f m thick\n", g.Name, d.Volume/1e9, d.Length/1e3, hmax)
	}
	// Output:
	// creep = 1.2e-24 Pa⁻³ s⁻¹       0.775 km³, 12.2 km, at most 240 m thick
	// creep = 2.4e-24 Pa⁻³ s⁻¹       0.632 km³, 11.6 km, at most 205 m thick
	// creep = 4.8e-24 Pa⁻³ s⁻¹       0.518 km³, 11.1 km, at most 175 m thick
	// sliding = 0 Pa⁻³ m² s⁻¹        0.632 km³, 11.6 km, at most 205 m thick
	// sliding = 5.7e-20 Pa⁻³ m² s⁻¹  0.413 km³, 10.6 km, at most 153 m thick
}

// Lesson "surging glaciers" (OGGM-Edu): every 50 quiet years the bed turns
// slippery for 5 years; the glacier lurches forward by more than a
// kilometre, then its front retreats in the quiet years that follow.
func Example_surgingGlacier() {
	s := edu.NewSurgingGlacier(edu.NewBed(3400, 1400, 300), edu.NewMassBalance(3000, 4))
	if err := s.ProgressToYear(330); err != nil {
		panic(err)
	}
	h := s.History()
	mustRender(plots.TimeSeries([]*dynamics.History{h.Dynamics()}, []string{"surging glacier"}, plots.TimeSeriesOptions{Quantity: plots.Length}))
	for _, y := range []int{270, 275, 300, 325, 330} {
		// Length counts ice over edu.DefaultLengthThreshold (10 m).
		fmt.Printf("year %d (surging: %-5v): %.1f km long, %.3f km³\n", y, s.Surging(float64(y)), h.Length[y]/1e3, h.Volume[y]/1e9)
	}
	// Output:
	// year 270 (surging: true ): 8.7 km long, 0.377 km³
	// year 275 (surging: false): 10.4 km long, 0.381 km³
	// year 300 (surging: false): 10.0 km long, 0.385 km³
	// year 325 (surging: true ): 9.4 km long, 0.399 km³
	// year 330 (surging: false): 10.8 km long, 0.401 km³
}
