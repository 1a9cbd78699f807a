package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestModuleRootIsTheCLI: `go build .` at the module root (no tags) gives
// the whole program: the same help and commands as cmd/firn, and a
// command runs (an experiment to a file on disk).
func TestModuleRootIsTheCLI(t *testing.T) {
	dir := t.TempDir()
	root, cmd := filepath.Join(dir, "firn"), filepath.Join(dir, "firn-cmd")
	for bin, pkg := range map[string]string{root: ".", cmd: "./cmd/firn"} {
		if out, err := exec.Command("go", "build", "-o", bin, pkg).CombinedOutput(); err != nil {
			t.Fatalf("go build %s: %v\n%s", pkg, err, out)
		}
	}
	help := func(bin string) string {
		out, err := exec.Command(bin, "help").Output()
		if err != nil {
			t.Fatalf("%s help: %v", bin, err)
		}
		return string(out)
	}
	if h := help(root); h != help(cmd) || !strings.Contains(h, "firn serve") || !strings.Contains(h, "firn desktop") {
		t.Errorf("the module root's help differs from cmd/firn's:\n%s", h)
	}
	diag := filepath.Join(dir, "diag.csv")
	run := exec.Command(root, "model", "run", "--example", "rect_ela2600", "--quiet", "--out", diag)
	if out, err := run.CombinedOutput(); err != nil {
		t.Fatalf("firn model run: %v\n%s", err, out)
	}
	data, err := os.ReadFile(diag)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	if len(lines) != 702 || lines[0] != "year,volume_m3,area_m2,length_m" || !strings.HasPrefix(lines[701], "700,") {
		t.Errorf("diag.csv: %d lines, first %q, last %q", len(lines), lines[0], lines[len(lines)-1])
	}
}
