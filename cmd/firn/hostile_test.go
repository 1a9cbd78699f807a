package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// TestBrowserHostileNotebook opens a notebook from someone else
// (frontend/e2e/hostile.ipynb: stored outputs and Markdown that try to
// cover the page with position:fixed and to load images, style sheets
// and SVG from another host) in headless Chromium against a real
// `firn serve`, and the same notebook exported by `firn export --to
// html` (frontend/e2e/contained.mjs): in both, what is at points outside
// the outputs is the page's own (document.elementFromPoint), and no
// request leaves 127.0.0.1. Screenshots go to $FIRN_ARTIFACTS/hostile
// (else a temporary folder).
func TestBrowserHostileNotebook(t *testing.T) {
	t.Parallel()
	browserTurn(t)
	artifacts := t.TempDir()
	if dir := os.Getenv("FIRN_ARTIFACTS"); dir != "" {
		artifacts = filepath.Join(dir, "hostile")
	}
	srv := startServe(t, 3*time.Minute)
	notebook := filepath.Join(srv.frontendDir, "e2e", "hostile.ipynb")
	exported := filepath.Join(t.TempDir(), "hostile.html")
	if out, err := exec.Command(firnBin, "export", notebook, "--to", "html", "-o", exported).CombinedOutput(); err != nil {
		t.Fatalf("firn export: %v\n%s", err, out)
	}
	out, err := srv.node("e2e/contained.mjs", srv.url, notebook, exported, artifacts)
	t.Logf("hostile notebook:\n%s\nscreenshots in %s", out, artifacts)
	if err != nil {
		t.Fatalf("a hostile notebook got out of its cells: %v\nserver log:\n%s", err, srv.stop())
	}
}
