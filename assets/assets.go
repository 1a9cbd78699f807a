package assets

import (
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strings"
)

//go:embed experiments/*.json
var experiments embed.FS

// ExperimentNames returns the names of the bundled example experiments,
// sorted.
func ExperimentNames() ([]string, error) {
	entries, err := fs.ReadDir(experiments, "experiments")
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range entries {
		names = append(names, strings.TrimSuffix(e.Name(), ".json"))
	}
	sort.Strings(names)
	return names, nil
}

// Experiment returns the bundled example experiment called name (JSON).
func Experiment(name string) ([]byte, error) {
	data, err := experiments.ReadFile("experiments/" + name + ".json")
	if err != nil {
		names, _ := ExperimentNames()
		return nil, fmt.Errorf("no bundled example %q (have %s)", name, strings.Join(names, ", "))
	}
	return data, nil
}

//go:embed data/*/*.csv data/*/*.geojson data/*/*.tif data/*/README.md
var data embed.FS

// Data returns a bundled data file by its path under assets/data, e.g.
// "hintereisferner/hef_histalp_monthly.csv" (each folder's README.md
// states the source and licence of its files).
func Data(path string) ([]byte, error) {
	b, err := data.ReadFile("data/" + path)
	if err != nil {
		return nil, fmt.Errorf("no bundled data file %q (have %s)", path, strings.Join(dataFiles(), ", "))
	}
	return b, nil
}

func dataFiles() []string {
	var names []string
	_ = fs.WalkDir(data, "data", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			names = append(names, strings.TrimPrefix(p, "data/"))
		}
		return nil
	})
	sort.Strings(names)
	return names
}
