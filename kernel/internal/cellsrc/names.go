package cellsrc

import "slices"

// Names reads what a cell declares at its top level and what it needs
// from elsewhere, for a dependency graph of cells (package
// kernel/reactive):
//
//   - declared: the top-level variables (including :=), constants, types
//     and functions, in source order (Plan.Declared; not methods, not
//     imports);
//   - uses: the names the cell uses that nothing in the cell declares,
//     each once, in the order of first use: other cells' names, or names
//     nobody declared. Local variables, parameters, the universe (int,
//     nil, true…), the builtins, the cell's imports and the names of
//     packages are not uses.
//
// The analysis is the one Prepare does, in a fresh Session, so a name is
// resolved by Go's scopes: a function's local x shadows another cell's
// x. A package name the cell did not import itself (fmt, given by the
// kernel's prelude) counts as a use, which no cell declares.
// A syntax error is returned as *Error.
func Names(src string) (declared, uses []string, err error) {
	var s Session
	p, err := s.Prepare(src)
	if err != nil {
		return nil, nil, err
	}
	declared = slices.Clone(p.Declared)
	seen := map[string]bool{}
	for _, d := range declared {
		seen[d] = true
	}
	for _, c := range p.Chunks {
		for _, n := range c.eff.unknown {
			if !seen[n.name] {
				seen[n.name] = true
				uses = append(uses, n.name)
			}
		}
	}
	return declared, uses, nil
}
