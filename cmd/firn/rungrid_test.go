package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRunGrid: firn run over a parameter grid on local workers: one
// executed notebook per point, with the point's values as parameters,
// and summary.csv; a point whose cell fails is in the summary with its
// error, its notebook written with the error in it, and the run exits 1
// after every point has run. A grid over an undeclared parameter is
// refused before anything runs.
func TestRunGrid(t *testing.T) {
	dir := t.TempDir()
	code := func(id, src string, tags ...string) map[string]any {
		c := map[string]any{"cell_type": "code", "id": id, "source": src, "metadata": map[string]any{}, "outputs": []any{}, "execution_count": nil}
		if len(tags) > 0 {
			c["metadata"] = map[string]any{"tags": tags}
		}
		return c
	}
	nb, _ := json.Marshal(map[string]any{
		"nbformat": 4, "nbformat_minor": 5,
		"metadata": map[string]any{"kernelspec": map[string]any{"name": "firn", "display_name": "Go (Firn)", "language": "go"}},
		"cells": []any{
			code("params", "ela := 3000.0\nyears := 100", "parameters"),
			code("run", "g := edu.NewGlacier(edu.NewBed(3400, 1400, 300), edu.NewMassBalance(ela, 4))\ng.ProgressToYear(float64(years))\nfmt.Printf(\"ela %.0f years %d volume %.4f km3\\n\", ela, years, g.Diagnostics().Volume/1e9)"),
			code("check", "if ela > 3150 {\n\tpanic(\"no glacier above an ELA of 3150 m here\")\n}"),
		},
	})
	in := filepath.Join(dir, "ela.ipynb")
	if err := os.WriteFile(in, nb, 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	r := firn(t, "", "run", in, "--grid", "ela=2900:3200:100", "--grid", "years=50,100", "--workers", "2", "--out-dir", out)
	if r.code != 1 || !strings.Contains(r.stderr, "8 points: 6 ok, 2 failed") || !strings.Contains(r.stderr, "2 of 8 points failed") {
		t.Fatalf("firn run --grid: %d\n%s", r.code, r.stderr)
	}
	rows := readRows(t, mustRead(t, filepath.Join(out, "summary.csv")))
	if len(rows) != 9 || strings.Join(rows[0], ",") != "ela,years,notebook,status,error,worker" {
		t.Fatalf("summary.csv: %v", rows)
	}
	for _, row := range rows[1:] {
		ela, years, file, status := row[0], row[1], row[2], row[3]
		text := mustRead(t, filepath.Join(out, file))
		if !strings.Contains(text, "ela "+ela+" years "+years+" volume ") {
			t.Errorf("%s does not show its own point (ela %s, years %s)", file, ela, years)
		}
		want := "ok"
		if ela == "3200" {
			want = "failed"
			if !strings.Contains(row[4], "no glacier above an ELA of 3150 m here") || !strings.Contains(text, "no glacier above") {
				t.Errorf("the failed point %s: error %q", file, row[4])
			}
		}
		if status != want || row[5] == "" {
			t.Errorf("point ela=%s years=%s: %v, want %s and the worker's name", ela, years, row, want)
		}
	}
	if _, err := os.Stat(filepath.Join(out, "ela_ela=2900_years=50.ipynb")); err != nil {
		t.Errorf("the point's notebook name: %v", err)
	}
	r = firn(t, "", "run", in, "--grid", "gradient=2,4", "--out-dir", filepath.Join(dir, "bad"))
	if r.code != 2 || !strings.Contains(r.stderr, "gradient") {
		t.Errorf("a grid over an undeclared parameter: %d %q", r.code, r.stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "bad")); err == nil {
		t.Error("a refused grid wrote its output folder")
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--grid", "ela=3200:2900:100", "--out-dir", out}, "want START ≤ STOP"},
		{[]string{"--grid", "ela=1:2", "--out-dir", out}, "a range is START:STOP:STEP"},
		{[]string{"--grid", "ela=2900,3000"}, "--on needs --out-dir DIR"},
		{[]string{"--on", "local", "--out-dir", out}, "give --grid NAME=SPEC"},
		{[]string{"--grid", "ela=2900", "--on", "mars", "--out-dir", out}, `--on "mars": want local, slurm, kubernetes or ssh://HOST`},
	} {
		r := firn(t, "", append([]string{"run", in}, c.args...)...)
		if r.code != 2 || !strings.Contains(r.stderr, c.want) {
			t.Errorf("firn run %v: %d %q, want %q", c.args, r.code, r.stderr, c.want)
		}
	}
}

func mustRead(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
