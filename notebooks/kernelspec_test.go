package notebooks

import "testing"

func TestKernelSpecMismatch(t *testing.T) {
	ks := func(name, display, lang string) map[string]any {
		return map[string]any{"kernelspec": map[string]any{"name": name, "display_name": display, "language": lang}}
	}
	tests := []struct {
		name     string
		metadata map[string]any
		want     string
	}{
		{"Firn's own", New().Metadata, ""},
		{"Python 3", ks("python3", "Python 3", "python"), "This notebook is for Python 3 (kernel python3); Firn runs Go."},
		{"R", ks("ir", "R", "R"), "This notebook is for R (kernel ir); Firn runs Go."},
		{"another Go kernel", ks("gonb", "Go (gonb)", "go"), ""},
		{"no metadata", map[string]any{}, ""},
		{"language_info only", map[string]any{"language_info": map[string]any{"name": "python"}}, "This notebook is for Python; Firn runs Go."},
		{"a kernel name only", map[string]any{"kernelspec": map[string]any{"name": "julia-1.10"}}, "This notebook is for the kernel julia-1.10; Firn runs Go."},
		{"firn by name", map[string]any{"kernelspec": map[string]any{"name": "firn"}, "language_info": map[string]any{"name": "python"}}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			nb := &Notebook{Metadata: tc.metadata}
			k := nb.KernelSpec()
			if got := k.Mismatch(); got != tc.want {
				t.Errorf("Mismatch() = %q, want %q (%+v)", got, tc.want, k)
			}
			if k.ForFirn() != (tc.want == "") {
				t.Errorf("ForFirn() = %v with Mismatch %q", k.ForFirn(), tc.want)
			}
		})
	}
}
