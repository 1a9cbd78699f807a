package main

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestBrowser runs the end-to-end suite frontend/e2e/browser.mjs in
// headless Chromium against a real `firn serve` with real kernels: the
// lessons listed and opened, run all with its plots, an edit saved and
// reloaded, an endless loop interrupted with the kernel's state kept, the
// kernel process killed and recovered, the websocket dropped mid-run, one
// notebook in two tabs, a keyboard-only session, and speed figures
// (printed as "bench NAME VALUE UNIT"; a missed goal is printed, not
// failed).
// Screenshots go to $FIRN_ARTIFACTS/browser (else a temporary folder).
// It needs node, frontend/node_modules (npm ci) and chromium, which
// scripts/test.sh installs.
func TestBrowser(t *testing.T) {
	if _, err := exec.LookPath("node"); err != nil {
		t.Fatal("the browser tests need Node.js")
	}
	frontendDir, err := filepath.Abs(filepath.Join("..", "..", "frontend"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(frontendDir, "node_modules", "playwright-core")); err != nil {
		t.Fatal("the browser tests need the frontend's packages: cd frontend && npm ci")
	}
	if _, err := os.Stat("/usr/bin/chromium"); err != nil {
		t.Fatal("the browser tests need Chromium: apt-get install chromium")
	}
	artifacts := t.TempDir()
	if dir := os.Getenv("FIRN_ARTIFACTS"); dir != "" {
		artifacts = filepath.Join(dir, "browser")
	}

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	workspace := t.TempDir()
	home := t.TempDir()
	serve := exec.CommandContext(ctx, firnBin, "serve", workspace, "--no-browser", "--addr", "127.0.0.1:0")
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
	// the server prints the URL to open; the rest of its log is kept for
	// a failure report
	urlRE := regexp.MustCompile(`http://127\.0\.0\.1:\d+/\?token=\S+`)
	sc := bufio.NewScanner(stderr)
	url := ""
	for url == "" && sc.Scan() {
		url = urlRE.FindString(sc.Text())
	}
	if url == "" {
		t.Fatal("firn serve printed no URL")
	}
	var log strings.Builder
	logged := make(chan struct{})
	go func() {
		for sc.Scan() {
			log.WriteString(sc.Text() + "\n")
		}
		close(logged)
	}()

	node := exec.CommandContext(ctx, "node", "e2e/browser.mjs", url, artifacts)
	node.Dir = frontendDir
	out, err := node.CombinedOutput()
	t.Logf("browser suite:\n%s\nscreenshots in %s", out, artifacts)
	if err != nil {
		serve.Process.Signal(os.Interrupt)
		<-logged
		t.Fatalf("the browser suite failed: %v\nserver log:\n%s", err, log.String())
	}
}
