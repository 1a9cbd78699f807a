package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
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

// TestBrowserKernelProfile runs frontend/e2e/profiles.mjs against `firn
// serve --kernels FILE` on a real single-node Slurm: the user switches a
// notebook to a Slurm profile, picks its time limit in the switch
// dialog, and the cell runs in a job that has that limit (squeue says).
func TestBrowserKernelProfile(t *testing.T) {
	testslurm.Start(t) // sets $SLURM_CONF, which the server gets
	profiles := filepath.Join(t.TempDir(), "kernels.json")
	if err := os.WriteFile(profiles, []byte(`{"kernels": [{"name": "hpc", "description": "Slurm, the debug partition",
		"kernel": "slurm:partition=debug,mem=600M", "options": {"time": ["10", "20"]}}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	srv := startServeArgs(t, 3*time.Minute, "--kernels", profiles)
	out, err := srv.node("e2e/profiles.mjs", srv.url)
	t.Logf("profiles.mjs:\n%s", out)
	if err != nil {
		t.Fatalf("profiles.mjs: %v\nserver log:\n%s", err, srv.stop())
	}
	m := regexp.MustCompile(`(?m)^JOB (\d+)$`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no job id in the page's output")
	}
	limit, err := exec.Command("squeue", "-h", "-j", m[1], "-o", "%l").Output()
	if err != nil || strings.TrimSpace(string(limit)) != "20:00" {
		t.Errorf("the kernel's job %s has the time limit %q (%v), want the 20 minutes chosen", m[1], limit, err)
	}
	// The notebook keeps the profile and the option chosen, so that it
	// opens on them again (app's TestKernelOptionsRemembered reopens).
	data, err := os.ReadFile(filepath.Join(srv.workspace, "hpc.ipynb"))
	if err != nil {
		t.Fatal(err)
	}
	var nb struct {
		Metadata struct {
			Firn struct {
				Kernel        string            `json:"kernel"`
				KernelOptions map[string]string `json:"kernel_options"`
			} `json:"firn"`
		} `json:"metadata"`
	}
	if err := json.Unmarshal(data, &nb); err != nil {
		t.Fatal(err)
	}
	if f := nb.Metadata.Firn; f.Kernel != "hpc" || len(f.KernelOptions) != 1 || f.KernelOptions["time"] != "20" {
		t.Errorf("hpc.ipynb on disk keeps kernel %q with options %v, want hpc with time 20", f.Kernel, f.KernelOptions)
	}
}
