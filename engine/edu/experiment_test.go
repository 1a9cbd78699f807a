package edu_test

import (
	"context"
	"fmt"
	"reflect"
	"testing"

	"github.com/firnglacier/firn/engine/dynamics"
	"github.com/firnglacier/firn/engine/edu"
	"github.com/firnglacier/firn/engine/experiment"
	"github.com/firnglacier/firn/engine/massbalance"
)

// A glacier built in a notebook cell and the same glacier built from an
// experiment file are one model: the same massbalance.Linear, the same
// dynamics, the same numbers to the last bit.
func TestGlacierOfACellIsTheGlacierOfAFile(t *testing.T) {
	const years = 300
	for _, tc := range []struct {
		name string
		mb   func() *edu.MassBalance
		file string // the mass_balance mapping
	}{
		{"one gradient",
			func() *edu.MassBalance { return edu.NewMassBalance(3000, 4) },
			`{type: linear, ela_m: 3000, gradient_mm_we_per_m: 4}`},
		{"two gradients",
			func() *edu.MassBalance { return edu.NewMassBalance(3000, 4).WithGradients(7, 2) },
			`{type: linear, ela_m: 3000, gradient_mm_we_per_m: 7, gradient_above_mm_we_per_m: 2}`},
		{"a cap",
			func() *edu.MassBalance {
				mb := edu.NewMassBalance(3000, 4)
				mb.MaxBalance = 1
				return mb
			},
			`{type: linear, ela_m: 3000, gradient_mm_we_per_m: 4, max_mb_m_we: 1}`},
		{"a temperature bias",
			func() *edu.MassBalance {
				mb := edu.NewMassBalance(3000, 4)
				mb.TempBias = -0.5
				return mb
			},
			`{type: linear, ela_m: 3000, gradient_mm_we_per_m: 4, temp_bias_k: -0.5}`},
		{"all of them",
			func() *edu.MassBalance {
				mb := edu.NewMassBalance(2900, 4).WithGradients(8, 3)
				mb.MaxBalance, mb.TempBias = 1.5, 0.3
				return mb
			},
			`{type: linear, ela_m: 2900, gradient_mm_we_per_m: 8, gradient_above_mm_we_per_m: 3, max_mb_m_we: 1.5, temp_bias_k: 0.3}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := edu.NewGlacier(edu.NewBed(3400, 1400, 300), tc.mb())
			if err := g.ProgressToYear(years); err != nil {
				t.Fatal(err)
			}
			doc := fmt.Sprintf(`flowlines:
  - dx_m: 100
    bed: {top_m: 3400, bottom_m: 1400, points: 200}
    width_m: 300
mass_balance: %s
years: {end: %d}
length_threshold_m: %g
`, tc.file, years, edu.DefaultLengthThreshold)
			spec, err := experiment.Parse([]byte(doc), "exp.yaml")
			if err != nil {
				t.Fatal(err)
			}
			if mb, _ := spec.MassBalanceModel(); !reflect.DeepEqual(mb, massbalance.Model(g.MassBalance.Linear)) {
				t.Errorf("the file's mass balance %#v\nis not the cell's %#v", mb, g.MassBalance.Linear)
			}
			m, err := spec.Model()
			if err != nil {
				t.Fatal(err)
			}
			h, err := m.Run(context.Background(), dynamics.RunOptions{EndYear: spec.Years.End, Every: int(spec.Years.Every)})
			if err != nil {
				t.Fatal(err)
			}
			eh := g.History()
			if h.Len() != eh.Len() || h.Len() != years+1 {
				t.Fatalf("%d rows from the file, %d from the cell, want %d", h.Len(), eh.Len(), years+1)
			}
			for i := range h.Year {
				if h.Year[i] != eh.Year[i] || h.Volume[i] != eh.Volume[i] || h.Area[i] != eh.Area[i] || h.Length[i] != eh.Length[i] {
					t.Fatalf("year %g: file %v m³ %v m² %v m, cell %v m³ %v m² %v m", h.Year[i], h.Volume[i], h.Area[i], h.Length[i], eh.Volume[i], eh.Area[i], eh.Length[i])
				}
			}
			if eh.Volume[years] == 0 {
				t.Error("no glacier grew")
			}
		})
	}
}

// The ELA moves by the engine's one constant, in a cell as in a file.
func TestELAPerKelvinIsTheEngines(t *testing.T) {
	mb := edu.NewMassBalance(3000, 4)
	mb.TempBias = 2
	if got, want := mb.ELAAt(0), 3000+2*massbalance.ELAPerKelvin; got != want {
		t.Errorf("ELA %g m, want %g m", got, want)
	}
	if edu.ELAPerKelvin != massbalance.ELAPerKelvin {
		t.Error("two ELA-per-kelvin constants")
	}
}
