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
