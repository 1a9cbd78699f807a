package experiment

import (
	"fmt"

	"github.com/firnglacier/firn/engine/dynamics"
)

// Params returns the dynamics parameters the experiment asks for. (Parse
// has checked the solver's name; a Spec built in code is checked here.)
func (s *Spec) Params() (dynamics.Params, error) {
	solver, err := dynamics.ParseSolver(s.Dynamics.Solver)
	if err != nil {
		return dynamics.Params{}, s.src.errAt("dynamics.solver", "%v", err)
	}
	p := dynamics.DefaultParams()
	p.Solver = solver
	p.GlenA = s.Dynamics.GlenA
	p.GlenN = s.Dynamics.GlenN
	p.SlidingFs = s.Dynamics.SlidingFs
	p.RhoIce = s.Dynamics.Rho
	p.G = s.Dynamics.G
	p.CFL = s.Dynamics.CFL
	p.LengthThreshold = s.LengthThreshold
	p.OGGMSteps = s.Dynamics.OGGMTimeSteps
	if s.real != nil {
		s.realParams(&p.GlenA, &p.GlenN, &p.SlidingFs, &p.RhoIce)
	}
	return p, nil
}

// Model builds the model the experiment describes, at years.start, with
// the initial thickness it gives (no ice where it gives none).
func (s *Spec) Model() (*dynamics.Model, error) {
	g, err := s.Glacier()
	if err != nil {
		return nil, err
	}
	mb, err := s.MassBalanceModel()
	if err != nil {
		return nil, err
	}
	p, err := s.Params()
	if err != nil {
		return nil, err
	}
	m, err := dynamics.NewModel(g, mb, p, s.Years.Start)
	if err != nil {
		return nil, err
	}
	for i, h := range s.InitialThickness() {
		if h == nil {
			continue
		}
		if err := m.SetThickness(i, h); err != nil {
			return nil, s.src.errAt(fmt.Sprintf("flowlines[%d].initial_thickness_m", i), "%v", err)
		}
	}
	return m, nil
}
