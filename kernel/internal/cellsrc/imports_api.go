package cellsrc

import "strings"

// Imports returns the packages the committed cells imported, by the name
// cells use for them (blank and dot imports and the runtime helpers left
// out), for completion.
func (s *Session) Imports() map[string]string {
	s.init()
	out := make(map[string]string, len(s.imports))
	for name, path := range s.imports {
		if name == RuntimeName || strings.HasPrefix(name, "_ ") || strings.HasPrefix(name, ". ") {
			continue
		}
		out[name] = path
	}
	return out
}
