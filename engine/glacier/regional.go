package glacier

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"sync"

	"github.com/firnglacier/firn/engine/dem"
	"github.com/firnglacier/firn/engine/outline"
)

// Bounds of the regional calibration of Glen's A, as factors of the
// default A (OGGM's a_bounds of calibrate_inversion_from_consensus).
const (
	RegionalAMin = 0.1
	RegionalAMax = 10.0
)

// PrepareEach prepares the glaciers of outlines on the DEM d, as [Prepare]
// with the options opt(i) gives the i-th (nil: the zero Options), on up to
// workers goroutines (0: GOMAXPROCS). The glaciers come back in the
// outlines' order. The first error stops the rest and is returned naming
// the glacier; ctx cancels between glaciers. d is only read.
func PrepareEach(ctx context.Context, outlines []*outline.Outline, d *dem.Grid, workers int, opt func(i int) (Options, error)) ([]*Glacier, error) {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	gs := make([]*Glacier, len(outlines))
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	next := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < min(workers, len(outlines)); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				var o Options
				if opt != nil {
					var err error
					if o, err = opt(i); err != nil {
						cancel(fmt.Errorf("glacier %d (%s): options: %w", i+1, outlines[i].ID, err))
						continue
					}
				}
				g, err := Prepare(outlines[i], d, o)
				if err != nil {
					cancel(fmt.Errorf("glacier %d (%s): %w", i+1, outlines[i].ID, err))
					continue
				}
				gs[i] = g
			}
		}()
	}
feed:
	for i := range outlines {
		select {
		case next <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	if err := context.Cause(ctx); err != nil {
		return nil, err
	}
	return gs, nil
}

// CalibrateRegionalGlenA finds one creep parameter A (Pa⁻ⁿ s⁻¹) for all
// the glaciers, so that their total inverted volume is target (m³: the sum
// of their consensus volumes, say), re-inverts each glacier with it
// (replacing its Inversion; the other parameters stay each glacier's) and
// returns it. This is OGGM's calibrate_inversion_from_consensus
// (oggm/workflow.py): one A for all the glaciers of a region, sought as a
// factor of the default A within [RegionalAMin, RegionalAMax]; OGGM finds
// the factor with Brent's method to 1 %, here bisection on its logarithm
// until the total is within 1e-6 of the target, since the total falls
// monotonically as A grows. A target out of reach within the bounds is an
// error naming the totals at the bounds (OGGM's error_on_mismatch).
func CalibrateRegionalGlenA(gs []*Glacier, target float64) (float64, error) {
	if len(gs) == 0 {
		return 0, fmt.Errorf("regional calibration of A: no glaciers")
	}
	if !(target > 0) {
		return 0, fmt.Errorf("regional calibration of A: target volume %g m³ (want > 0)", target)
	}
	a0 := gs[0].Inversion.Params.GlenA
	invs := make([]*Inversion, len(gs))
	total := func(logF float64) (float64, error) {
		v := 0.0
		for i, g := range gs {
			p := g.Inversion.Params
			p.GlenA = a0 * math.Exp(logF)
			inv, err := Invert(g.Flowline, g.Inversion.Balance, p)
			if err != nil {
				return 0, fmt.Errorf("regional calibration of A: %w", err)
			}
			invs[i] = inv
			v += inv.Volume(g.Flowline.Dx)
		}
		return v, nil
	}
	lo, hi := math.Log(RegionalAMin), math.Log(RegionalAMax)
	vlo, err := total(lo)
	if err != nil {
		return 0, err
	}
	vhi, err := total(hi)
	if err != nil {
		return 0, err
	}
	if target > vlo || target < vhi {
		return 0, fmt.Errorf("regional calibration of A: %d glaciers hold %.4g–%.4g km³ for A in [%.3g, %.3g] Pa⁻³ s⁻¹; %.4g km³ is out of reach",
			len(gs), vhi/1e9, vlo/1e9, a0*RegionalAMin, a0*RegionalAMax, target/1e9)
	}
	mid := 0.0
	for k := 0; k < 100; k++ {
		mid = (lo + hi) / 2
		v, err := total(mid)
		if err != nil {
			return 0, err
		}
		if math.Abs(v-target) <= 1e-6*target {
			break
		}
		if v > target {
			lo = mid
		} else {
			hi = mid
		}
	}
	for i, g := range gs {
		g.Inversion = invs[i]
	}
	return a0 * math.Exp(mid), nil
}
