package main

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestBrowserHub runs frontend/e2e/hub.mjs in headless Chromium against
// a real `firn hub` with real kernels: a student logs in on the login
// page, runs a cell, logs out while it runs (it finishes only after the
// logout), logs out with the page's link, logs in again and sees its
// finished output once; a student of a class added while the hub runs
// follows her invitation link, chooses a password and is in her
// notebooks, and the link works once.
func TestBrowserHub(t *testing.T) {
	if testing.Short() {
		t.Skip("Chromium: not in -short")
	}
	frontendDir, err := filepath.Abs(filepath.Join("..", "..", "frontend"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := exec.LookPath("node"); err != nil {
		t.Fatal("the browser tests need Node.js")
	}
	if _, err := os.Stat(filepath.Join(frontendDir, "node_modules", "playwright-core")); err != nil {
		t.Fatal("the browser tests need the frontend's packages: cd frontend && npm ci")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	data, home := t.TempDir(), t.TempDir()
	env := append(os.Environ(), "HOME="+home, "XDG_DATA_HOME="+filepath.Join(home, "data"))

	add := exec.CommandContext(ctx, firnBin, "hub", "user", "add", "alice", "--group", "glac101", "--password-stdin", "--data", data)
	add.Env, add.Stdin = env, strings.NewReader("moraine-2026\n")
	if out, err := add.CombinedOutput(); err != nil {
		t.Fatalf("firn hub user add: %v\n%s", err, out)
	}
	ws := filepath.Join(data, "users", "alice")
	if err := os.MkdirAll(ws, 0o700); err != nil {
		t.Fatal(err)
	}
	src := `import "time"
fmt.Println("started")
for { if _, err := os.Stat("go-on"); err == nil { break }; time.Sleep(50 * time.Millisecond) }
fmt.Println("finished")`
	nb, _ := json.Marshal(map[string]any{
		"nbformat": 4, "nbformat_minor": 5,
		"metadata": map[string]any{"kernelspec": map[string]any{"name": "firn", "display_name": "Go (Firn)", "language": "go"}},
		"cells":    []any{map[string]any{"cell_type": "code", "id": "c1", "source": src, "metadata": map[string]any{}, "outputs": []any{}, "execution_count": nil}},
	})
	if err := os.WriteFile(filepath.Join(ws, "long.ipynb"), nb, 0o644); err != nil {
		t.Fatal(err)
	}

	hub := exec.CommandContext(ctx, firnBin, "hub", "--addr", "127.0.0.1:0", "--data", data)
	hub.Env = env
	stderr, err := hub.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := hub.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(stderr)
	urlRE := regexp.MustCompile(`http://127\.0\.0\.1:\d+/`)
	url := ""
	for url == "" && sc.Scan() {
		url = urlRE.FindString(sc.Text())
	}
	if url == "" {
		hub.Process.Kill()
		hub.Wait()
		t.Fatal("firn hub printed no URL")
	}
	var log strings.Builder
	logged := make(chan struct{})
	go func() {
		for sc.Scan() {
			log.WriteString(sc.Text() + "\n")
		}
		close(logged)
	}()
	// A class added while the hub runs: ben's invitation link.
	students := filepath.Join(t.TempDir(), "students.csv")
	if err := os.WriteFile(students, []byte("name\nben\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	class := exec.CommandContext(ctx, firnBin, "hub", "class", "add", "geo101", "--students", students, "--url", url, "--data", data)
	class.Env = env
	links, err := class.Output()
	if err != nil {
		t.Fatalf("firn hub class add: %v", err)
	}
	rows := readRows(t, string(links))
	if len(rows) != 2 || rows[1][0] != "ben" {
		t.Fatalf("firn hub class add printed %q", links)
	}
	// A teacher, and a folder published to alice's class while the hub
	// runs: alice gets it when she next opens her notebooks.
	teacher := exec.CommandContext(ctx, firnBin, "hub", "user", "add", "tina", "--role", "teacher", "--password-stdin", "--data", data)
	teacher.Env, teacher.Stdin = env, strings.NewReader("cirque-2026\n")
	if out, err := teacher.CombinedOutput(); err != nil {
		t.Fatalf("firn hub user add tina: %v\n%s", err, out)
	}
	week := filepath.Join(t.TempDir(), "week1")
	if err := os.MkdirAll(week, 0o755); err != nil {
		t.Fatal(err)
	}
	lesson, _ := json.Marshal(map[string]any{
		"nbformat": 4, "nbformat_minor": 5,
		"metadata": map[string]any{"kernelspec": map[string]any{"name": "firn", "display_name": "Go (Firn)", "language": "go"}},
		"cells": []any{map[string]any{"cell_type": "code", "id": "e1", "metadata": map[string]any{}, "outputs": []any{}, "execution_count": nil,
			"source": `fmt.Printf("ELA %.0f m\n", 3000.0+150*1.5)`}},
	})
	if err := os.WriteFile(filepath.Join(week, "ela.ipynb"), lesson, 0o644); err != nil {
		t.Fatal(err)
	}
	publish := exec.CommandContext(ctx, firnBin, "hub", "publish", "glac101", week, "--data", data)
	publish.Env = env
	if out, err := publish.CombinedOutput(); err != nil {
		t.Fatalf("firn hub publish: %v\n%s", err, out)
	}
	node := exec.CommandContext(ctx, "node", "e2e/hub.mjs", url, "alice", "moraine-2026", ws, "ben", rows[1][1], "tina", "cirque-2026")
	node.Dir = frontendDir
	out, nerr := node.CombinedOutput()
	hub.Process.Signal(os.Interrupt)
	<-logged
	herr := hub.Wait()
	t.Logf("e2e/hub.mjs:\n%s", out)
	if nerr != nil {
		t.Errorf("e2e/hub.mjs: %v\nhub log:\n%s", nerr, log.String())
	}
	if herr != nil {
		t.Errorf("firn hub after Ctrl-C: %v\n%s", herr, log.String())
	}
}
