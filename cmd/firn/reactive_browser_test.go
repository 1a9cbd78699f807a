package main

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"
)

// TestBrowserReactive runs frontend/e2e/reactive.mjs in headless Chromium
// against a real `firn serve`: a reactive notebook whose ELA slider,
// dragged with the mouse, re-runs the cells that read it (marked) and
// redraws the glacier; stale cells, a name defined twice, a deleted
// definition, widget state saved in the file, and the app view. The
// script measures one slider step to the redrawn plot, logged here.
func TestBrowserReactive(t *testing.T) {
	t.Parallel()
	browserTurn(t)
	artifacts := t.TempDir()
	if dir := os.Getenv("FIRN_ARTIFACTS"); dir != "" {
		artifacts = filepath.Join(dir, "reactive")
	}
	srv := startServe(t, 4*time.Minute)
	out, err := srv.node("e2e/reactive.mjs", srv.url, artifacts)
	t.Logf("reactive.mjs:\n%s\nscreenshots in %s", out, artifacts)
	if err != nil {
		t.Fatalf("the reactive suite failed: %v\nserver log:\n%s", err, srv.stop())
	}
	if m := regexp.MustCompile(`bench widget_step_ms (\d+)`).FindStringSubmatch(out); m != nil {
		t.Logf("one slider step → 300-year glacier grown, drawn and printed again: %s ms (median of 5)", m[1])
	}
}

// TestBrowserAppView runs frontend/e2e/appview.mjs against `firn serve
// --app lessons/13-glacier-simulator.ipynb`: the printed URL opens the
// lesson as an app that runs itself, and its controls re-run the glacier.
func TestBrowserAppView(t *testing.T) {
	t.Parallel()
	browserTurn(t)
	artifacts := t.TempDir()
	if dir := os.Getenv("FIRN_ARTIFACTS"); dir != "" {
		artifacts = filepath.Join(dir, "appview")
	}
	srv := startServeArgs(t, 4*time.Minute, "--app", "lessons/13-glacier-simulator.ipynb")
	out, err := srv.node("e2e/appview.mjs", srv.url, artifacts)
	t.Logf("appview.mjs:\n%s\nscreenshots in %s", out, artifacts)
	if err != nil {
		t.Fatalf("the app view suite failed: %v\nserver log:\n%s", err, srv.stop())
	}
}
