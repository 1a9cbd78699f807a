package main

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestBrowser runs the end-to-end suites frontend/e2e/browser.mjs,
// frontend/e2e/lesson7.mjs (lesson 7, a real glacier, run all) and then
// frontend/e2e/files.mjs in headless Chromium against a real `firn
// serve` with real kernels. browser.mjs: the lessons listed and opened,
// run all with its plots, an edit saved and reloaded, an endless loop
// interrupted with the kernel's state kept, the kernel process killed
// and recovered, the tab closed mid-run and the connection cut mid-run in
// an open page, one notebook in two tabs, a keyboard-only session,
// the kernel picker switching a notebook to local-tcp, 100,000 lines
// cut with "show all". files.mjs, which changes the
// workspace as another program would: a damaged notebook and a Python
// notebook open read-only and lose nothing, a deleted lesson opened again
// has no outputs of the old kernel, a notebook changed on disk while open
// asks "reload / keep mine", a lesson reset is the bundled file again.
// Screenshots go to $FIRN_ARTIFACTS/browser (else a temporary folder).
// It needs node, frontend/node_modules (npm ci) and chromium, which
// scripts/test.sh installs.
func TestBrowser(t *testing.T) {
	t.Parallel()
	browserTurn(t)
	artifacts := t.TempDir()
	if dir := os.Getenv("FIRN_ARTIFACTS"); dir != "" {
		artifacts = filepath.Join(dir, "browser")
	}
	srv := startServe(t, 8*time.Minute)
	for _, script := range []string{"e2e/browser.mjs", "e2e/lesson7.mjs", "e2e/files.mjs"} {
		out, err := srv.node(script, srv.url, artifacts, srv.workspace)
		t.Logf("%s:\n%s\nscreenshots in %s", script, out, artifacts)
		if err != nil {
			t.Fatalf("the browser suite %s failed: %v\nserver log:\n%s", script, err, srv.stop())
		}
	}
}

// TestBrowserLongRun leaves a 5-minute run going with its tab closed and
// comes back (frontend/e2e/longrun.mjs): every line is shown once, in
// order, and saved. It takes five minutes of wall time (not CPU), in
// parallel with TestBrowser; -short skips it.
func TestBrowserLongRun(t *testing.T) {
	if testing.Short() {
		t.Skip("a 5-minute run; not with -short")
	}
	t.Parallel()
	srv := startServe(t, 10*time.Minute)
	out, err := srv.node("e2e/longrun.mjs", srv.url, "300")
	t.Logf("long run:\n%s", out)
	if err != nil {
		t.Fatalf("the long run failed: %v\nserver log:\n%s", err, srv.stop())
	}
}

// BenchmarkBrowser measures the notebook's speed in headless Chromium
// (frontend/e2e/speed.mjs): cold load, opening 100 cells, a cell's round
// trip from the browser, 100,000 lines. Each iteration runs the whole
// script; the figures are means over iterations.
//
//	go test -run '^$' -bench Browser -benchtime 3x ./cmd/firn/
func BenchmarkBrowser(b *testing.B) {
	srv := startServe(b, 30*time.Minute)
	sums := map[string]float64{}
	n := 0
	benchLine := regexp.MustCompile(`(?m)^bench (\S+) (\S+)$`)
	for b.Loop() {
		out, err := srv.node("e2e/speed.mjs", srv.url)
		if err != nil {
			b.Fatalf("speed.mjs failed: %v\n%s\nserver log:\n%s", err, out, srv.stop())
		}
		for _, m := range benchLine.FindAllStringSubmatch(out, -1) {
			v, err := strconv.ParseFloat(m[2], 64)
			if err != nil {
				b.Fatalf("bad figure %q: %v", m[0], err)
			}
			sums[m[1]] += v
		}
		n++
	}
	for name, sum := range sums {
		b.ReportMetric(sum/float64(n), strings.ReplaceAll(name, "_", "-"))
	}
	b.ReportMetric(0, "ns/op") // a whole script per op: the figures above are what counts
}

// served is a `firn serve` process on a fresh workspace for the browser
// scripts.
type served struct {
	ctx         context.Context
	url         string
	workspace   string // the folder it serves
	frontendDir string
	stop        func() string // ends the server, returns its log
}

func startServe(tb testing.TB, limit time.Duration) *served {
	tb.Helper()
	return startServeArgs(tb, limit)
}

// startServeArgs is startServe with more arguments for `firn serve`.
func startServeArgs(tb testing.TB, limit time.Duration, args ...string) *served {
	tb.Helper()
	if _, err := exec.LookPath("node"); err != nil {
		tb.Fatal("the browser tests need Node.js")
	}
	frontendDir, err := filepath.Abs(filepath.Join("..", "..", "frontend"))
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(frontendDir, "node_modules", "playwright-core")); err != nil {
		tb.Fatal("the browser tests need the frontend's packages: cd frontend && npm ci")
	}
	if _, err := os.Stat("/usr/bin/chromium"); err != nil {
		tb.Fatal("the browser tests need Chromium: apt-get install chromium")
	}
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	tb.Cleanup(cancel)
	workspace := tb.TempDir()
	home := tb.TempDir()
	serve := exec.CommandContext(ctx, firnBin, append([]string{"serve", workspace, "--no-browser", "--addr", "127.0.0.1:0"}, args...)...)
	serve.Env = append(os.Environ(), "HOME="+home, "XDG_DATA_HOME="+filepath.Join(home, "data"))
	stderr, err := serve.StderrPipe()
	if err != nil {
		tb.Fatal(err)
	}
	if err := serve.Start(); err != nil {
		tb.Fatal(err)
	}
	// the server prints the URL to open; the rest of its log is kept for
	// a failure report
	urlRE := regexp.MustCompile(`http://127\.0\.0\.1:\d+/\?token=\S+`)
	sc := bufio.NewScanner(stderr)
	url := ""
	for url == "" && sc.Scan() {
		url = urlRE.FindString(sc.Text())
	}
	if url == "" {
		serve.Process.Kill()
		serve.Wait()
		tb.Fatal("firn serve printed no URL")
	}
	var log strings.Builder
	logged := make(chan struct{})
	go func() {
		for sc.Scan() {
			log.WriteString(sc.Text() + "\n")
		}
		close(logged)
	}()
	stopped := false
	stop := func() string {
		if !stopped {
			stopped = true
			serve.Process.Signal(os.Interrupt)
			<-logged
			serve.Wait()
		}
		return log.String()
	}
	tb.Cleanup(func() { stop() })
	return &served{ctx: ctx, url: url, workspace: workspace, frontendDir: frontendDir, stop: stop}
}

// browsers lets one of the parallel browser suites (TestBrowser,
// TestBrowserReactive, TestBrowserAppView, TestBrowserHostileNotebook)
// drive Chromium at a time. Run together on a 2-core machine, beside the
// package's other parallel tests, their pages' waits ran out under the
// load (an autocompletion, a re-run) though nothing was wrong.
var browsers = make(chan struct{}, 1)

// browserTurn waits until no other browser suite runs, and gives the turn
// back when t ends. Call it after t.Parallel.
func browserTurn(t *testing.T) {
	browsers <- struct{}{}
	t.Cleanup(func() { <-browsers })
}

// node runs a script of frontend/e2e with args and returns its output.
func (s *served) node(script string, args ...string) (string, error) {
	cmd := exec.CommandContext(s.ctx, "node", append([]string{script}, args...)...)
	cmd.Dir = s.frontendDir
	out, err := cmd.CombinedOutput()
	return string(out), err
}
