package climate

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// sharedData finds shared/data (beside or above the checkout) by walking
// up from the package directory, as the dynamics tests find
// shared/reference; FIRN_SHARED_DATA overrides it. Tests that need it fail
// when it is missing: the verification must not silently disappear.
func sharedData(t testing.TB) string {
	t.Helper()
	d, err := findSharedData()
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func findSharedData() (string, error) {
	if d := os.Getenv("FIRN_SHARED_DATA"); d != "" {
		return d, nil
	}
	dir, err := filepath.Abs(".")
	if err != nil {
		return "", err
	}
	for {
		for _, c := range []string{filepath.Join(dir, "shared", "data"), filepath.Join(dir, "..", "shared", "data")} {
			if st, err := os.Stat(filepath.Join(c, "climate")); err == nil && st.IsDir() {
				return c, nil
			}
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("cannot find shared/data beside the checkout (set FIRN_SHARED_DATA to its path)")
		}
		dir = parent
	}
}
