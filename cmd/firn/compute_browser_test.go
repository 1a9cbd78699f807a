package main

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/firnglacier/firn/internal/testslurm"
)

// TestBrowserCompute runs frontend/e2e/compute.mjs in headless Chromium
// against a real `firn serve`, whose broker its kernel gets: a notebook
// attaches two workers, maps 1,000 experiments with a live progress bar,
// plots the ensemble's percentiles and detaches; "local" with `firn
// worker` processes, "slurm" with a job array on a real single-node Slurm
// started by the test (skipped without it), where the bar also shows the
// job id and the worker waiting in the queue. Screenshots go to
// $FIRN_ARTIFACTS/compute (else a temporary folder).
func TestBrowserCompute(t *testing.T) {
	artifacts := t.TempDir()
	if dir := os.Getenv("FIRN_ARTIFACTS"); dir != "" {
		artifacts = filepath.Join(dir, "compute")
	}
	for _, mode := range []string{"local", "slurm"} {
		t.Run(mode, func(t *testing.T) {
			var args []string
			if mode == "slurm" {
				testslurm.Start(t) // sets $SLURM_CONF, which the kernel gets
				args = []string{"--kernel-env", "SLURM_CONF"}
			}
			srv := startServeArgs(t, 5*time.Minute, args...)
			out, err := srv.node("e2e/compute.mjs", srv.url, artifacts, mode)
			t.Logf("compute.mjs %s:\n%s\nscreenshots in %s", mode, out, artifacts)
			if err != nil {
				t.Fatalf("the browser suite failed: %v\nserver log:\n%s", err, srv.stop())
			}
		})
	}
}
