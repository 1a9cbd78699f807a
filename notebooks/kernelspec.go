package notebooks

import (
	"fmt"
	"strings"
)

// A KernelSpec names the kernel a notebook was written for: metadata
// "kernelspec" ({"name", "display_name", "language"}), with the language
// taken from metadata "language_info" when the kernelspec has none.
type KernelSpec struct {
	Name        string // "firn", "python3", "ir", …
	DisplayName string // "Go (Firn)", "Python 3", …
	Language    string // "go", "python", …
}

// KernelSpec returns the kernel the notebook's metadata names; fields it
// does not give are empty.
func (nb *Notebook) KernelSpec() KernelSpec {
	var k KernelSpec
	str := func(m map[string]any, key string) string {
		s, _ := m[key].(string)
		return strings.TrimSpace(s)
	}
	if ks, ok := nb.Metadata["kernelspec"].(map[string]any); ok {
		k.Name, k.DisplayName, k.Language = str(ks, "name"), str(ks, "display_name"), str(ks, "language")
	}
	if k.Language == "" {
		if li, ok := nb.Metadata["language_info"].(map[string]any); ok {
			k.Language = str(li, "name")
		}
	}
	return k
}

// ForFirn reports whether Firn can run the notebook's code: its kernel is
// Firn's ("firn"), or its language is Go (notebooks of other Go kernels,
// such as GoNB or gophernotes), or it names no kernel and no language at
// all.
func (k KernelSpec) ForFirn() bool {
	switch {
	case strings.EqualFold(k.Name, "firn"), strings.EqualFold(k.Language, "go"):
		return true
	case k.Language != "":
		return false
	}
	return k.Name == ""
}

// Mismatch says, for a notebook Firn does not run (ForFirn is false),
// which kernel it wants: "This notebook is for Python 3 (kernel python3);
// Firn runs Go." It is "" when Firn runs the notebook.
func (k KernelSpec) Mismatch() string {
	if k.ForFirn() {
		return ""
	}
	what := k.DisplayName
	if what == "" && k.Language != "" {
		what = strings.ToUpper(k.Language[:1]) + k.Language[1:]
	}
	switch {
	case what == "":
		what = "the kernel " + k.Name
	case k.Name != "" && k.Name != what:
		what += " (kernel " + k.Name + ")"
	}
	return fmt.Sprintf("This notebook is for %s; Firn runs Go.", what)
}
