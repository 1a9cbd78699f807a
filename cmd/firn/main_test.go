package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"io"
	"net/http"
	"net/http/cookiejar"
	neturl "net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/firnglacier/firn/assets"
)

// The tests build the real firn binary once and run it as a user would.
var firnBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "firn-cli-")
	if err != nil {
		panic(err)
	}
	// Passable for other accounts: the kernels of `firn hub` run as root
	// run under the users' own (TestBrowserHub).
	if err := os.Chmod(dir, 0o755); err != nil {
		panic(err)
	}
	firnBin = filepath.Join(dir, "firn")
	if out, err := exec.Command("go", "build", "-o", firnBin, ".").CombinedOutput(); err != nil {
		os.Stderr.Write(out)
		panic(err)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

type result struct {
	code           int
	stdout, stderr string
}

func firn(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	cmd := exec.Command(firnBin, args...)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return result{code, out.String(), errb.String()}
}

func readRows(t *testing.T, data string) [][]string {
	t.Helper()
	rows, err := csv.NewReader(strings.NewReader(data)).ReadAll()
	if err != nil {
		t.Fatalf("not CSV: %v\n%s", err, data)
	}
	return rows
}

func TestHelpAndVersion(t *testing.T) {
	for _, args := range [][]string{{"help"}, {"--help"}} {
		if r := firn(t, "", args...); r.code != 0 || !strings.Contains(r.stdout, "firn model run") {
			t.Errorf("firn %v: %d %q", args, r.code, r.stdout)
		}
	}
	if r := firn(t, "", "version"); r.code != 0 || !strings.HasPrefix(r.stdout, "firn ") || !strings.Contains(r.stdout, "go1.") {
		t.Errorf("firn version: %d %q", r.code, r.stdout)
	}
	if r := firn(t, "", "glacierize"); r.code != 2 || !strings.Contains(r.stderr, `unknown command "glacierize"`) {
		t.Errorf("unknown command: %d %q", r.code, r.stderr)
	}
}

// TestEveryHelp: every command answers -h and --help with its usage on
// stdout and exit status 0, and a wrong flag with status 2 and a message
// that names the command and where to look.
func TestEveryHelp(t *testing.T) {
	for _, cmd := range [][]string{
		{"serve"}, {"run"}, {"convert"}, {"export"}, {"repl"}, {"desktop"},
		{"model"}, {"model", "run"}, {"model", "examples"}, {"model", "example"},
	} {
		for _, h := range []string{"-h", "--help"} {
			r := firn(t, "", append(cmd, h)...)
			if r.code != 0 || !strings.HasPrefix(r.stdout, "usage: firn "+cmd[0]) {
				t.Errorf("firn %s %s: status %d, stdout %q, stderr %q", strings.Join(cmd, " "), h, r.code, r.stdout, r.stderr)
			}
		}
	}
	if r := firn(t, "", "kernel", "--help"); r.code != 0 || !strings.Contains(r.stderr, "-memory-limit") {
		t.Errorf("firn kernel --help: %d %q", r.code, r.stderr)
	}
	for _, cmd := range []string{"serve", "run", "convert", "export", "repl"} {
		r := firn(t, "", cmd, "--no-such-flag")
		if r.code != 2 || !strings.Contains(r.stderr, "firn: flag provided but not defined: -no-such-flag (firn "+cmd+" --help lists its flags)") {
			t.Errorf("firn %s --no-such-flag: %d %q", cmd, r.code, r.stderr)
		}
	}
}

func TestShortTokenIsUsageError(t *testing.T) {
	r := firn(t, "", "serve", t.TempDir(), "--token", "glacier", "--no-browser")
	if r.code != 2 || !strings.Contains(r.stderr, "--token: 7 characters; at least 16") {
		t.Errorf("firn serve --token glacier: %d %q", r.code, r.stderr)
	}
}

// TestServeKernelsFile: a kernels file with a mistake is exit status 2
// naming the file, the entry and the field, before anything is served.
func TestServeKernelsFile(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "kernels.json")
	if err := os.WriteFile(bad, []byte(`{"kernels": [{"name": "hpc", "kernel": "slurm:partiton=short"}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	r := firn(t, "", "serve", t.TempDir(), "--kernels", bad, "--no-browser")
	if r.code != 2 || !strings.Contains(r.stderr, "firn serve: --kernels "+bad+": kernels[0] (hpc): kernel: kernel \"slurm:partiton=short\": unknown key \"partiton\"") {
		t.Errorf("firn serve --kernels with a typo: %d %q", r.code, r.stderr)
	}
}

// TestDesktopWithoutWindow: the CLI build is the same program as the
// desktop build; its desktop command says how to get the window.
func TestDesktopWithoutWindow(t *testing.T) {
	r := firn(t, "", "desktop")
	if r.code != 1 || !strings.Contains(r.stderr, "built without its desktop window") || !strings.Contains(r.stderr, "go build -tags desktop,production,webkit2_41") {
		t.Errorf("firn desktop: %d %q", r.code, r.stderr)
	}
}

// TestModelRun runs a bundled example to files and checks the public
// formats and OGGM's year-700 numbers (rect_ela2600: 5.79382e8 m³,
// 3.42e6 m², 11400 m) to 2e-5 (Firn's own time steps, error-controlled
// ROS2 steps, differ from OGGM's by 1.1e-5 here, and by 5.1e-6 from a
// converged run; TestSolversAgree).
func TestModelRun(t *testing.T) {
	dir := t.TempDir()
	diag, prof := filepath.Join(dir, "diag.csv"), filepath.Join(dir, "prof.csv")
	r := firn(t, "", "model", "run", "--example", "rect_ela2600", "--out", diag, "--profile", prof)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if !strings.Contains(r.stderr, "running: year 700 of 700 (100%)") {
		t.Errorf("no progress on stderr: %q", r.stderr)
	}
	data, _ := os.ReadFile(diag)
	rows := readRows(t, string(data))
	if strings.Join(rows[0], ",") != "year,volume_m3,area_m2,length_m" || len(rows) != 702 {
		t.Fatalf("diagnostics: header %v, %d rows", rows[0], len(rows))
	}
	last := rows[701]
	want := []float64{700, 5.79382448274e8, 3.42e6, 11400}
	for j, w := range want {
		v, _ := strconv.ParseFloat(last[j], 64)
		if d := v/w - 1; d > 2e-5 || d < -2e-5 {
			t.Errorf("year 700 %s = %v, want %v", rows[0][j], v, w)
		}
	}
	data, _ = os.ReadFile(prof)
	prows := readRows(t, string(data))
	if strings.Join(prows[0], ",") != "distance_m,bed_m,surface_m,thickness_m,width_m" || len(prows) != 201 {
		t.Fatalf("profile: header %v, %d rows", prows[0], len(prows))
	}
	if prows[200][0] != "19900" || prows[1][4] != "300" {
		t.Errorf("profile rows: first %v, last %v", prows[1], prows[200])
	}
}

// TestModelRunStdinAndEvery: an experiment on stdin (YAML) gives the same
// numbers as the bundled JSON; --every thins the rows.
func TestModelRunStdinAndEvery(t *testing.T) {
	yaml := `# rect_ela2600 in YAML, with the linear-bed form
flowlines:
  - name: main
    dx_m: 100
    bed: {top_m: 3000, bottom_m: 1000, points: 200}
    width_m: 300
mass_balance: {type: linear, ela_m: 2600, gradient_mm_we_per_m: 3}
years: {end: 700}
`
	r := firn(t, yaml, "model", "run", "-", "--every", "100", "--quiet")
	if r.code != 0 || r.stderr != "" {
		t.Fatalf("exit %d: %q", r.code, r.stderr)
	}
	rows := readRows(t, r.stdout)
	if len(rows) != 9 || rows[8][0] != "700" || !strings.HasPrefix(rows[8][1], "5.79376") {
		t.Errorf("rows %v", rows)
	}
	// With OGGM's time steps the run reproduces OGGM's 579382448.274 m³.
	r = firn(t, yaml+"dynamics: {oggm_time_steps: true}\n", "model", "run", "-", "--every", "700", "--quiet")
	rows = readRows(t, r.stdout)
	if r.code != 0 || len(rows) != 3 {
		t.Fatalf("exit %d: %q %v", r.code, r.stderr, rows)
	}
	if v, _ := strconv.ParseFloat(rows[2][1], 64); v/579382448.274-1 > 1e-9 || v/579382448.274-1 < -1e-9 {
		t.Errorf("with OGGM's steps: %v m³ at year 700, OGGM 579382448.274", v)
	}
}

// TestBrokenExperiments: every broken file is refused with exit status 2,
// a message naming the file, line and key, and no output file.
func TestBrokenExperiments(t *testing.T) {
	good, err := assets.Experiment("rect_ela2600")
	if err != nil {
		t.Fatal(err)
	}
	base := string(good)
	tests := []struct {
		name, file, content, want string
	}{
		{"unknown key", "e.json", strings.Replace(base, `"width_m": 300`, `"widht_m": 300`, 1), `e.json:13: flowlines[0].widht_m: unknown key`},
		{"wrong type", "e.json", strings.Replace(base, `"width_m": 300`, `"width_m": "wide"`, 1), `flowlines[0].width_m`},
		{"negative width", "e.json", strings.Replace(base, `"width_m": 300`, `"width_m": -300`, 1), `flowlines[0].width_m`},
		{"list of wrong length", "e.json", strings.Replace(base, `"width_m": 300`, `"width_m": [300, 300, 300]`, 1), `flowlines[0].width_m`},
		{"missing tributary target", "t.yaml", "flowlines:\n  - {name: main, dx_m: 100, bed_m: [3, 2, 1], width_m: 3}\n  - name: trib\n    dx_m: 100\n    bed_m: [4, 3]\n    width_m: 3\n    flows_to: {flowline: mian, point: 1}\nmass_balance: {type: constant, mb_m_we_per_year: 1}\nyears: {end: 1}\n", `t.yaml:7: flowlines[1].flows_to.flowline`},
		{"bad YAML", "b.yaml", "flowlines: [\n", "b.yaml"},
		{"not a boolean", "e.json", strings.Replace(base, `"solver": "flux-based"`, `"oggm_time_steps": "yes"`, 1), `dynamics.oggm_time_steps: want true or false`},
		{"truncated JSON", "t.json", base[:200], "t.json"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			exp, out := filepath.Join(dir, tc.file), filepath.Join(dir, "diag.csv")
			if err := os.WriteFile(exp, []byte(tc.content), 0o644); err != nil {
				t.Fatal(err)
			}
			r := firn(t, "", "model", "run", exp, "--out", out)
			if r.code != 2 || !strings.Contains(r.stderr, tc.want) {
				t.Errorf("exit %d, stderr %q; want 2 and %q", r.code, r.stderr, tc.want)
			}
			if _, err := os.Stat(out); !os.IsNotExist(err) {
				t.Error("an output file was written for a broken experiment")
			}
		})
	}
	if r := firn(t, "", "model", "run", "/nonexistent/e.json"); r.code != 2 || !strings.Contains(r.stderr, "/nonexistent/e.json") {
		t.Errorf("missing file: %d %q", r.code, r.stderr)
	}
	if r := firn(t, "", "model", "run", "--example", "nope"); r.code != 2 || !strings.Contains(r.stderr, "rect_ela2600") {
		t.Errorf("unknown example: %d %q", r.code, r.stderr)
	}
}

// TestUnstableRun: a run that blows up fails with exit status 1 and says
// what to change.
func TestUnstableRun(t *testing.T) {
	exp := `{"flowlines": [{"name": "main", "dx_m": 100, "bed": {"top_m": 3000, "bottom_m": 1000, "points": 200},
	  "width_m": 300, "initial_thickness_m": 300}],
	 "mass_balance": {"type": "constant", "mb_m_we_per_year": 0},
	 "dynamics": {"glen_a": 1e-20}, "years": {"end": 10}}`
	r := firn(t, exp, "model", "run", "-", "--quiet")
	if r.code != 1 || !strings.Contains(r.stderr, "numerical instability") || !strings.Contains(r.stderr, "CFL") {
		t.Errorf("exit %d, stderr %q", r.code, r.stderr)
	}
}

// TestInterrupt: Ctrl-C (SIGINT) during a run stops it at once, exits 130
// and writes no output file. The signal is sent once the run has reported
// progress, so the test waits on an event, not on time.
func TestInterrupt(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "diag.csv")
	exp := `{"flowlines": [{"name": "main", "dx_m": 100, "bed": {"top_m": 3000, "bottom_m": 1000, "points": 200}, "width_m": 300}],
	 "mass_balance": {"type": "linear", "ela_m": 2600, "gradient_mm_we_per_m": 3}, "years": {"end": 100000}}`
	cmd := exec.Command(firnBin, "model", "run", "-", "--out", out)
	cmd.Stdin = strings.NewReader(exp)
	rest := interruptAt(t, cmd, func(line string) bool { return strings.HasPrefix(line, "running: year") })
	if !strings.Contains(rest, "interrupted") {
		t.Errorf("stderr %q", rest)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Error("an interrupted run wrote its output file")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 0 {
		t.Errorf("left files behind: %v", entries)
	}
}

// interruptAt runs cmd, sends it Ctrl-C (SIGINT) once a line of its
// stderr satisfies ready (an event the program reports, not a time),
// and checks that it ends with exit status 130; it returns the stderr
// after that line.
func interruptAt(t *testing.T, cmd *exec.Cmd, ready func(line string) bool) string {
	t.Helper()
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(stderr)
	for sc.Scan() {
		if ready(sc.Text()) {
			break
		}
	}
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	var rest strings.Builder
	for sc.Scan() {
		rest.WriteString(sc.Text() + "\n")
	}
	err = cmd.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 130 {
		t.Fatalf("exit: %v, stderr %q", err, rest.String())
	}
	return rest.String()
}

// TestServeCullIdle: `firn serve --cull-idle 1s` stops a kernel left
// idle (the server logs it), and its session is gone; the test waits
// for the log line, not for time.
func TestServeCullIdle(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	ws, home := t.TempDir(), t.TempDir()
	if err := os.WriteFile(filepath.Join(ws, "idle.ipynb"), []byte(`{"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": []}`), 0o644); err != nil {
		t.Fatal(err)
	}
	serve := exec.CommandContext(ctx, firnBin, "serve", ws, "--no-browser", "--no-lessons", "--addr", "127.0.0.1:0", "--cull-idle", "1s")
	serve.Env = append(os.Environ(), "HOME="+home, "XDG_DATA_HOME="+filepath.Join(home, "data"))
	stderr, err := serve.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := serve.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		serve.Process.Signal(os.Interrupt)
		serve.Wait()
	}()
	sc := bufio.NewScanner(stderr)
	url := ""
	for url == "" && sc.Scan() {
		url = regexp.MustCompile(`http://127\.0\.0\.1:\d+/\?token=\S+`).FindString(sc.Text())
	}
	if url == "" {
		t.Fatal("firn serve printed no URL")
	}
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: time.Minute}
	resp, err := c.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	base := strings.TrimSuffix(url[:strings.Index(url, "?")], "/")
	csrf := ""
	u, _ := neturl.Parse(base)
	for _, ck := range jar.Cookies(u) {
		if ck.Name == "firn_csrf" {
			csrf = ck.Value
		}
	}
	req, _ := http.NewRequest("POST", base+"/api/sessions", strings.NewReader(`{"path": "idle.ipynb"}`))
	req.Header.Set("X-Firn-CSRF", csrf)
	req.Header.Set("Origin", base)
	resp, err = c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("open a session: %s", resp.Status)
	}
	for sc.Scan() {
		if strings.Contains(sc.Text(), "idle kernel stopped") && strings.Contains(sc.Text(), "idle.ipynb") {
			break
		}
	}
	go func() {
		for sc.Scan() {
		}
	}()
	resp, err = c.Get(base + "/api/sessions")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if strings.TrimSpace(string(b)) != "[]" {
		t.Errorf("sessions after the cull: %s, want none", b)
	}
}
