package main

import (
	"os/exec"
	"strings"
	"testing"
)

// TestLayers checks the import rules of docs/ARCHITECTURE.md ("What may
// import what"): each Firn package imports only Firn packages of its own
// layer or below, and so do its in-package tests (which may also import
// internal/testfiles). External test packages (package x_test) are
// integration tests and may use the layers above, as a user would.
func TestLayers(t *testing.T) {
	const module = "github.com/firnglacier/firn"
	// The layers from the bottom; a package belongs to the last layer
	// whose prefix it has.
	layers := []struct {
		name     string
		prefixes []string
	}{
		{"shared", []string{"assets", "frontend", "internal/atomicfile", "internal/buildinfo", "internal/cgroup", "internal/testfiles", "internal/testslurm", "internal/testsshd", "internal/testtls", "internal/sanitize"}},
		{"engine", []string{"engine"}},
		{"plots", []string{"plots"}},
		{"compute", []string{"compute", "internal/testworker"}},
		{"kernel", []string{"kernel"}},
		{"notebooks", []string{"notebooks"}},
		{"app", []string{"app"}},
		{"program", []string{"internal/cli", "cmd", ""}},
	}
	layerOf := func(pkg string) int {
		rel := strings.TrimPrefix(strings.TrimPrefix(pkg, module), "/")
		best, bestLen := -1, -1
		for i, l := range layers {
			for _, p := range l.prefixes {
				if (rel == p || strings.HasPrefix(rel, p+"/") || p == "") && len(p) > bestLen {
					best, bestLen = i, len(p)
				}
			}
		}
		return best
	}
	out, err := exec.Command("go", "list", "-f", "{{.ImportPath}} {{join .Imports \" \"}} | {{join .TestImports \" \"}}", "./...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	checked := 0
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		code, tests, _ := strings.Cut(line, " | ")
		fields := strings.Fields(code)
		pkg, imports := fields[0], fields[1:]
		own := layerOf(pkg)
		check := func(imp string, inTest bool) {
			if !strings.HasPrefix(imp, module+"/") && imp != module {
				return
			}
			if inTest && strings.HasSuffix(imp, "/internal/testfiles") {
				return
			}
			if l := layerOf(imp); l > own {
				t.Errorf("%s (layer %s) imports %s (layer %s), which is above it", pkg, layers[own].name, imp, layers[l].name)
			}
		}
		for _, imp := range imports {
			check(imp, false)
		}
		for _, imp := range strings.Fields(tests) {
			check(imp, true)
		}
		checked++
	}
	if checked < 30 {
		t.Errorf("checked %d packages; go list found too few", checked)
	}
	// The engine knows nothing of the layers above, the shared files
	// aside: no engine package imports another part of Firn but engine/
	// and assets (checked above as layers), nor a server, interpreter
	// or network package.
	out, err = exec.Command("go", "list", "-deps", "./engine/...").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	for _, dep := range strings.Fields(string(out)) {
		for _, banned := range []string{"github.com/traefik/yaegi", "net/http", "github.com/gorilla/websocket", "github.com/wailsapp/"} {
			if strings.HasPrefix(dep, banned) {
				t.Errorf("the engine depends on %s", dep)
			}
		}
	}
}
