package app

import (
	"bytes"
	"context"
	"github.com/firnglacier/firn/notebooks/examples"
	"io"
	"net/http"
	"net/http/cookiejar"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
)

// syncBuffer is a bytes.Buffer safe for the server and the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestServe(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	urls := make(chan string, 1)
	var stderr syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- Serve(ctx, ServeOptions{
			Dir: dir, Addr: "127.0.0.1:0", NoBrowser: true, Stderr: &stderr,
			KernelOptions: kernelOptions(), Ready: func(u string) { urls <- u },
		})
	}()
	var url string
	select {
	case url = <-urls:
	case err := <-done:
		t.Fatalf("Serve: %v", err)
	}
	if !strings.HasPrefix(url, "http://127.0.0.1:") || !strings.Contains(url, "/?token=") || !strings.Contains(stderr.String(), url) {
		t.Fatalf("url %q, stderr %q", url, stderr.String())
	}
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: testTimeout}
	resp, err := c.Get(url)
	must(t, err)
	resp.Body.Close()
	resp, err = c.Get(strings.Split(url, "?")[0] + "api/files")
	must(t, err)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("api after login: %s", resp.Status)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Serve returned %v", err)
	}
}

func TestDefaultWorkspaceSeeded(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("XDG layout on Linux")
	}
	data := t.TempDir()
	t.Setenv("XDG_DATA_HOME", data)
	dir, err := DefaultWorkspace()
	must(t, err)
	if dir != filepath.Join(data, "firn", "workspace") {
		t.Errorf("default workspace %s", dir)
	}
	must(t, SeedWorkspace(dir))
	entries, err := os.ReadDir(filepath.Join(dir, LessonsDir))
	must(t, err)
	if len(entries) == 0 {
		t.Fatal("no lessons")
	}
	// A lesson the student deleted is not brought back.
	must(t, os.Remove(filepath.Join(dir, LessonsDir, entries[0].Name())))
	must(t, SeedWorkspace(dir))
	if _, err := os.Stat(filepath.Join(dir, LessonsDir, entries[0].Name())); !os.IsNotExist(err) {
		t.Errorf("seeding again restored a deleted lesson: %v", err)
	}
}

// serveUntilReady starts Serve with opts (the test's kernels, a free
// port) and returns the URL and a function that stops it.
func serveUntilReady(t *testing.T, opts ServeOptions) (url string, stop func()) {
	t.Helper()
	return serveUntilReadyAt(t, "127.0.0.1:0", opts)
}

// serveUntilReadyAt is serveUntilReady on addr.
func serveUntilReadyAt(t *testing.T, addr string, opts ServeOptions) (url string, stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	urls := make(chan string, 1)
	done := make(chan error, 1)
	opts.Addr, opts.KernelOptions = addr, kernelOptions()
	opts.Ready = func(u string) { urls <- u }
	go func() { done <- Serve(ctx, opts) }()
	select {
	case url = <-urls:
	case err := <-done:
		cancel()
		t.Fatalf("Serve: %v", err)
	}
	return url, func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Serve returned %v", err)
		}
	}
}

// TestServeNewFolder: firn serve DIR creates a missing DIR (and its
// parents) and puts the lessons in DIR/lessons; --no-lessons leaves
// them out.
func TestServeNewFolder(t *testing.T) {
	for _, noLessons := range []bool{false, true} {
		dir := filepath.Join(t.TempDir(), "glaciers", "class")
		var stderr syncBuffer
		_, stop := serveUntilReady(t, ServeOptions{Dir: dir, NoBrowser: true, NoLessons: noLessons, Stderr: &stderr})
		stop()
		if !strings.Contains(stderr.String(), "creates the workspace "+dir) {
			t.Errorf("no word of the new folder: %q", stderr.String())
		}
		lessons, err := os.ReadDir(filepath.Join(dir, LessonsDir))
		switch {
		case noLessons && !os.IsNotExist(err):
			t.Errorf("--no-lessons: lessons folder there (%v, %d files)", err, len(lessons))
		case !noLessons && (err != nil || len(lessons) != len(examples.List())):
			t.Errorf("lessons in the new workspace: %d (%v), want the %d lessons", len(lessons), err, len(examples.List()))
		}
	}
}

// TestServeNoBrowser: where no browser can be opened, Firn says so in one
// line after the URL, which stays visible.
func TestServeNoBrowser(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("xdg-open and DISPLAY")
	}
	for _, tc := range []struct {
		name, display, path, why string
	}{
		{"no display", "", os.Getenv("PATH"), "(no display here)"},
		{"no opener", ":99", t.TempDir(), `"xdg-open": executable file not found`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("DISPLAY", tc.display)
			t.Setenv("WAYLAND_DISPLAY", "")
			t.Setenv("PATH", tc.path)
			var stderr syncBuffer
			url, stop := serveUntilReady(t, ServeOptions{Dir: t.TempDir(), NoLessons: true, Stderr: &stderr})
			stop()
			out := stderr.String()
			i, j := strings.Index(out, url), strings.Index(out, "Firn could not open a browser")
			if i < 0 || j < i || !strings.Contains(out[j:], tc.why) || strings.Count(out[j:], "\n") < 1 {
				t.Errorf("stderr %q: want the URL, then one line saying why no browser opened (%s)", out, tc.why)
			}
		})
	}
}

// TestServeApp is `firn serve --app NOTEBOOK`: the URL opens the notebook
// as an app (?app=1, the notebook in the fragment); the notebook is a
// path inside the workspace, or a file whose folder becomes it; anything
// else is refused with a message naming the notebook.
func TestServeApp(t *testing.T) {
	ws := t.TempDir()
	must(t, os.MkdirAll(filepath.Join(ws, "class 1"), 0o755))
	must(t, os.WriteFile(filepath.Join(ws, "class 1", "ELA explorer.ipynb"), []byte(`{"cells":[],"metadata":{},"nbformat":4,"nbformat_minor":5}`), 0o644))
	must(t, os.WriteFile(filepath.Join(ws, "notes.txt"), []byte("x"), 0o644))
	for _, tc := range []struct {
		name     string
		dir, app string
		fragment string // of the URL; "" when refused
		err      string
	}{
		{"inside the workspace, relative to it", ws, "class 1/ELA explorer.ipynb", "#class%201/ELA%20explorer.ipynb", ""},
		{"a file whose folder is the workspace", "", filepath.Join(ws, "class 1", "ELA explorer.ipynb"), "#ELA%20explorer.ipynb", ""},
		{"outside the workspace", filepath.Join(ws, "class 1"), filepath.Join(ws, "notes.txt"), "", "is not inside the workspace"},
		{"not a notebook", ws, "notes.txt", "", "notes.txt: not a notebook"},
		{"missing", ws, "gone.ipynb", "", "gone.ipynb: no such file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opts := ServeOptions{Dir: tc.dir, App: tc.app, NoLessons: true, Addr: "127.0.0.1:0", NoBrowser: true, Stderr: io.Discard, KernelOptions: kernelOptions()}
			if tc.err != "" {
				err := Serve(context.Background(), opts)
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Errorf("Serve: %v, want an error with %q", err, tc.err)
				}
				return
			}
			url, stop := serveUntilReady(t, opts)
			stop()
			if !strings.Contains(url, "&app=1"+tc.fragment) || !strings.HasSuffix(url, tc.fragment) {
				t.Errorf("url %q, want ?token=…&app=1%s", url, tc.fragment)
			}
		})
	}
}
