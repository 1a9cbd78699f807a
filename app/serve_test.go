package app

import (
	"bytes"
	"context"
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
