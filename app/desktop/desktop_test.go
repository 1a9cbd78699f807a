package desktop

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/firnglacier/firn/kernel"
	"github.com/firnglacier/firn/notebooks"
)

// The test binary is also the kernel program: started with
// FIRN_KERNEL_CHILD=1 it runs kernel.Main, as `firn kernel` does.
func TestMain(m *testing.M) {
	if os.Getenv("FIRN_KERNEL_CHILD") == "1" {
		os.Exit(kernel.Main(os.Args[1:], os.Stderr))
	}
	os.Exit(m.Run())
}

const testToken = "desktop-unit-test-token"

// start starts an App on fresh folders with args.
func start(t *testing.T, args ...string) *App {
	t.Helper()
	a, err := Start(Config{
		Dirs:          Dirs{Workspace: filepath.Join(t.TempDir(), "Documents", "Firn"), Config: filepath.Join(t.TempDir(), "firn")},
		Args:          args,
		Token:         testToken,
		KernelOptions: kernel.Options{Command: []string{os.Args[0]}, Env: []string{"FIRN_KERNEL_CHILD=1"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := a.Close(ctx); err != nil {
			t.Error(err)
		}
	})
	return a
}

// TestFirstStart: the workspace is seeded, the first start opens
// Getting started, a later start the notebook open last.
func TestFirstStart(t *testing.T) {
	dirs := Dirs{Workspace: filepath.Join(t.TempDir(), "Firn"), Config: filepath.Join(t.TempDir(), "cfg")}
	open := func() *App {
		a, err := Start(Config{Dirs: dirs, Token: testToken, KernelOptions: kernel.Options{Command: []string{"false"}}})
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	a := open()
	if got, want := a.Page().Open, "lessons/01-getting-started.ipynb"; got != want {
		t.Errorf("first start opens %q, want %q", got, want)
	}
	if _, err := os.Stat(filepath.Join(dirs.Workspace, "lessons", "01-getting-started.ipynb")); err != nil {
		t.Errorf("workspace not seeded: %v", err)
	}
	if !a.Opened("lessons/02-mass-balance.ipynb") {
		t.Error("Opened of a new notebook: the recent list should change")
	}
	if a.Opened("lessons/02-mass-balance.ipynb") {
		t.Error("Opened of the newest notebook again changed the list")
	}
	if err := a.SaveWindow(Window{X: 10, Y: 20, Width: 900, Height: 700, Placed: true}); err != nil {
		t.Fatal(err)
	}
	_ = a.Close(context.Background())

	b := open()
	defer b.Close(context.Background())
	if got, want := b.Page().Open, "lessons/02-mass-balance.ipynb"; got != want {
		t.Errorf("second start opens %q, want the last notebook %q", got, want)
	}
	if w := b.State().Window; w != (Window{X: 10, Y: 20, Width: 900, Height: 700, Placed: true}) {
		t.Errorf("window %+v not remembered", w)
	}
}

// TestImport: notebooks inside the workspace open in place; ones outside
// are copied into Imported/, once per content.
func TestImport(t *testing.T) {
	a := start(t)
	outside := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(outside, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	nb := `{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}`
	first := write("a/glacier.ipynb", nb)
	same := write("b/glacier.ipynb", nb)
	other := write("c/glacier.ipynb", strings.Replace(nb, "[]", `[{"cell_type":"markdown","id":"x","metadata":{},"source":"hi"}]`, 1))
	text := write("notes.txt", "hi")
	lesson := filepath.Join(a.Workspace(), "lessons", "01-getting-started.ipynb")
	for _, tc := range []struct {
		name, path, want, err string
		note                  bool
	}{
		{"in the workspace", lesson, "lessons/01-getting-started.ipynb", "", false},
		{"outside: copied", first, "Imported/glacier.ipynb", "", true},
		{"same content again: same copy", same, "Imported/glacier.ipynb", "", true},
		{"other content, same name", other, "Imported/glacier-2.ipynb", "", true},
		{"not a notebook", text, "", "not a notebook", false},
		{"missing", filepath.Join(outside, "nope.ipynb"), "", "no such file", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rel, note, err := a.Import(tc.path)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error %v, want one saying %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if rel != tc.want {
				t.Errorf("path %q, want %q", rel, tc.want)
			}
			if (note != "") != tc.note {
				t.Errorf("note %q (want one: %v)", note, tc.note)
			}
			if _, err := os.Stat(filepath.Join(a.Workspace(), filepath.FromSlash(rel))); err != nil {
				t.Error(err)
			}
		})
	}
}

// TestStartWithFile: a notebook on the command line (from the file
// manager) is what the window opens first.
func TestStartWithFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "mine.ipynb")
	if err := notebooks.WriteFile(p, notebooks.New()); err != nil {
		t.Fatal(err)
	}
	a := start(t, p)
	pc := a.Page()
	if pc.Open != "Imported/mine.ipynb" || !strings.Contains(pc.Notice, "copy") {
		t.Errorf("page config %+v: want Imported/mine.ipynb and a notice about the copy", pc)
	}
	if st := a.State(); len(st.Recent) == 0 || st.Recent[0] != "Imported/mine.ipynb" {
		t.Errorf("recent %v", st.Recent)
	}
}

// TestStartWithFiles: several notebooks on the command line (a file
// manager passes all those selected: Exec=firn %F) are all imported and
// listed in Open recent, the first one open; the page says so.
func TestStartWithFiles(t *testing.T) {
	dir := t.TempDir()
	var paths []string
	for _, name := range []string{"a.ipynb", "b.ipynb", "c.ipynb"} {
		p := filepath.Join(dir, name)
		if err := notebooks.WriteFile(p, notebooks.New()); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	a := start(t, append(paths, filepath.Join(dir, "missing.ipynb"))...)
	pc := a.Page()
	if pc.Open != "Imported/a.ipynb" {
		t.Errorf("opens %q, want Imported/a.ipynb", pc.Open)
	}
	for _, want := range []string{"copy", "2 more notebooks", "missing.ipynb"} {
		if !strings.Contains(pc.Notice, want) {
			t.Errorf("notice %q does not mention %q", pc.Notice, want)
		}
	}
	st := a.State()
	if len(st.Recent) < 3 || st.Recent[0] != "Imported/a.ipynb" || st.Recent[1] != "Imported/b.ipynb" || st.Recent[2] != "Imported/c.ipynb" {
		t.Errorf("recent %v, want Imported/a, b, c first", st.Recent)
	}
	for _, name := range []string{"a.ipynb", "b.ipynb", "c.ipynb"} {
		if _, err := os.Stat(filepath.Join(a.Workspace(), "Imported", name)); err != nil {
			t.Errorf("not imported: %v", err)
		}
	}
}

// TestAssetHandler: the AssetServer's requests need no login (the token
// is added), the page reads its settings, and the loopback listener
// takes websockets from the webview's origin with ?token=, but nothing
// without the token.
func TestAssetHandler(t *testing.T) {
	a := start(t)
	h := a.AssetHandler()
	get := func(path string) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		return rec
	}
	if rec := get("/api/files?path=lessons"); rec.Code != 200 {
		t.Errorf("GET /api/files through the AssetServer: %d %s", rec.Code, rec.Body)
	}
	var pc PageConfig
	if rec := get(ConfigPath); rec.Code != 200 || json.Unmarshal(rec.Body.Bytes(), &pc) != nil {
		t.Fatalf("GET %s: %d %s", ConfigPath, rec.Code, rec.Body)
	}
	if pc.Websocket != "ws://"+a.Addr()+"/" || pc.Token != testToken {
		t.Errorf("page config %+v", pc)
	}
	// POST without CSRF cookie: fine through the AssetServer.
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("POST", "/api/sessions", strings.NewReader(`{"path":"lessons/01-getting-started.ipynb"}`)))
	if rec.Code != 201 {
		t.Fatalf("POST /api/sessions: %d %s", rec.Code, rec.Body)
	}
	var s struct{ ID string }
	_ = json.Unmarshal(rec.Body.Bytes(), &s)

	// The loopback listener.
	if res, err := http.Get("http://" + a.Addr() + "/api/files?token=" + testToken); err != nil || res.StatusCode != 401 {
		t.Errorf("a plain request with ?token= on the listener: %v %v, want 401 (the query token is for websockets only)", res.StatusCode, err)
	}
	ws := pc.Websocket + "api/sessions/" + s.ID + "/ws?since=0"
	for _, tc := range []struct {
		name, url, origin string
		want              int
	}{
		{"webview origin and token", ws + "&token=" + testToken, "wails://wails", 101},
		{"no token", ws, "wails://wails", 401},
		{"wrong token", ws + "&token=nope", "wails://wails", 401},
		{"other site", ws + "&token=" + testToken, "http://evil.example", 403},
	} {
		t.Run(tc.name, func(t *testing.T) {
			conn, res, err := websocket.DefaultDialer.Dial(tc.url, http.Header{"Origin": {tc.origin}})
			if conn != nil {
				conn.Close()
			}
			if res == nil {
				t.Fatalf("no answer: %v", err)
			}
			if res.StatusCode != tc.want {
				t.Errorf("status %d, want %d", res.StatusCode, tc.want)
			}
		})
	}
}

// TestLoopbackCORS: the window's page sends its calls with a body to the
// loopback listener (CORS from the webview's origins only, the token in
// the Authorization header); another site gets no CORS headers.
func TestLoopbackCORS(t *testing.T) {
	a := start(t)
	base := "http://" + a.Addr()
	for _, tc := range []struct {
		name, method, path, origin, auth, body string
		want                                   int
		allowOrigin                            string
	}{
		{"preflight from the webview", "OPTIONS", "/api/files", "wails://wails", "", "", 204, "wails://wails"},
		{"preflight from Windows' webview", "OPTIONS", "/api/sessions", "http://wails.localhost", "", "", 204, "http://wails.localhost"},
		{"preflight from another site", "OPTIONS", "/api/files", "http://evil.example", "", "", 401, ""},
		{"create from the webview with the token", "POST", "/api/files", "wails://wails", "token " + testToken, `{"op":"create","path":"cors.ipynb"}`, 201, "wails://wails"},
		{"create from the webview without the token", "POST", "/api/files", "wails://wails", "", `{"op":"create","path":"cors2.ipynb"}`, 401, "wails://wails"},
		{"create from another site with the token", "POST", "/api/files", "http://evil.example", "token " + testToken, `{"op":"create","path":"cors3.ipynb"}`, 201, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, err := http.NewRequest(tc.method, base+tc.path, strings.NewReader(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Origin", tc.origin)
			if tc.method == "OPTIONS" {
				req.Header.Set("Access-Control-Request-Method", "POST")
				req.Header.Set("Access-Control-Request-Headers", "authorization, content-type")
			}
			if tc.auth != "" {
				req.Header.Set("Authorization", tc.auth)
			}
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if res.StatusCode != tc.want || res.Header.Get("Access-Control-Allow-Origin") != tc.allowOrigin {
				t.Errorf("%d, Access-Control-Allow-Origin %q; want %d, %q", res.StatusCode, res.Header.Get("Access-Control-Allow-Origin"), tc.want, tc.allowOrigin)
			}
		})
	}
}

// fakeShell records the dialogs and answers them from fields.
type fakeShell struct {
	mu                sync.Mutex
	open, save        string
	messages, errs    []string
	quit, menuChanged int
	saveDir, saveName string
}

func (f *fakeShell) OpenFile(title, dir string) (string, error) { return f.open, nil }
func (f *fakeShell) SaveFile(title, dir, name, pattern string) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.saveDir, f.saveName = dir, name
	return f.save, nil
}
func (f *fakeShell) Message(title, text string) {
	f.mu.Lock()
	f.messages = append(f.messages, text)
	f.mu.Unlock()
}
func (f *fakeShell) Error(title, text string) {
	f.mu.Lock()
	f.errs = append(f.errs, text)
	f.mu.Unlock()
}
func (f *fakeShell) Quit()        { f.quit++ }
func (f *fakeShell) MenuChanged() { f.menuChanged++ }

// fakePage is the page: it has one notebook open and records commands.
type fakePage struct {
	mu      sync.Mutex
	current string
	log     []Command
}

func (p *fakePage) Do(ctx context.Context, c Command) (Reply, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.log = append(p.log, c)
	if c.Cmd == CmdOpen {
		p.current = c.Path
	}
	return Reply{ID: c.ID, Path: p.current}, nil
}

// find returns the menu item with label in items or their submenus.
func find(items []Item, label string) *Item {
	for i := range items {
		if items[i].Label == label {
			return &items[i]
		}
		if it := find(items[i].Items, label); it != nil {
			return it
		}
	}
	return nil
}

// TestMenu: the File and Help menus, their shortcuts, and what each
// action does to the files and the page.
func TestMenu(t *testing.T) {
	a := start(t)
	sh := &fakeShell{}
	page := &fakePage{current: "lessons/01-getting-started.ipynb"}
	menu := a.Menu(sh, page)
	for _, tc := range []struct{ label, accel string }{
		{"New notebook", "CmdOrCtrl+N"}, {"Open…", "CmdOrCtrl+O"}, {"Open recent", ""},
		{"Save", "CmdOrCtrl+S"}, {"Save as…", "CmdOrCtrl+Shift+S"}, {"Export HTML…", "CmdOrCtrl+E"},
		{"Quit", "CmdOrCtrl+Q"}, {"About Firn", ""},
	} {
		it := find(menu, tc.label)
		if it == nil {
			t.Errorf("no menu item %q", tc.label)
			continue
		}
		if it.Accel != tc.accel {
			t.Errorf("%s: shortcut %q, want %q", tc.label, it.Accel, tc.accel)
		}
	}
	if it := find(menu, "No recent notebooks"); it == nil || !it.Disabled {
		t.Error("an empty recent list should show a disabled item")
	}
	ws := a.Workspace()
	outside := t.TempDir()

	t.Run("New", func(t *testing.T) {
		find(menu, "New notebook").Action()
		find(menu, "New notebook").Action()
		for _, name := range []string{"Untitled.ipynb", "Untitled-2.ipynb"} {
			if _, err := os.Stat(filepath.Join(ws, name)); err != nil {
				t.Error(err)
			}
		}
		if page.current != "Untitled-2.ipynb" {
			t.Errorf("the page shows %q", page.current)
		}
	})
	t.Run("Save as in the workspace", func(t *testing.T) {
		page.current = "lessons/01-getting-started.ipynb"
		sh.save = filepath.Join(ws, "mine", "glacier") // no extension: .ipynb added
		if err := os.MkdirAll(filepath.Dir(sh.save), 0o755); err != nil {
			t.Fatal(err)
		}
		find(menu, "Save as…").Action()
		if _, err := notebooks.ReadFile(sh.save + ".ipynb"); err != nil {
			t.Fatal(err)
		}
		if page.current != "mine/glacier.ipynb" {
			t.Errorf("the page shows %q, want the new name", page.current)
		}
		if page.log[len(page.log)-2].Cmd != CmdSave {
			t.Error("Save as did not save the page first")
		}
	})
	t.Run("Save as outside: a copy, in the .go text form", func(t *testing.T) {
		page.current = "lessons/01-getting-started.ipynb"
		sh.save = filepath.Join(outside, "copy.go")
		find(menu, "Save as…").Action()
		b, err := os.ReadFile(sh.save)
		if err != nil || !bytes.Contains(b, []byte("// %%")) {
			t.Fatalf("copy.go: %v %.80q", err, b)
		}
		if page.current != "lessons/01-getting-started.ipynb" {
			t.Errorf("the page shows %q, want the workspace file", page.current)
		}
		if last := page.log[len(page.log)-1]; last.Cmd != CmdNotify || !strings.Contains(last.Text, "outside") {
			t.Errorf("no notice about the copy: %+v", last)
		}
	})
	t.Run("Export HTML", func(t *testing.T) {
		sh.save = filepath.Join(outside, "lesson.html")
		find(menu, "Export HTML…").Action()
		b, err := os.ReadFile(sh.save)
		if err != nil || !bytes.Contains(b, []byte("<html")) || !bytes.Contains(b, []byte("Getting started")) {
			t.Fatalf("export: %v %.100q", err, b)
		}
		if sh.saveName != "01-getting-started.html" {
			t.Errorf("the dialog proposed %q", sh.saveName)
		}
	})
	t.Run("Open… outside the workspace", func(t *testing.T) {
		sh.open = filepath.Join(outside, "copy.go")
		find(menu, "Open…").Action()
		if page.current != "Imported/copy.go" {
			t.Errorf("the page shows %q", page.current)
		}
	})
	t.Run("Open recent", func(t *testing.T) {
		a.Opened("lessons/03-ice-flow.ipynb")
		m := a.Menu(sh, page)
		find(m, "lessons/03-ice-flow.ipynb").Action()
		if page.current != "lessons/03-ice-flow.ipynb" {
			t.Errorf("the page shows %q", page.current)
		}
	})
	t.Run("About and Quit", func(t *testing.T) {
		find(menu, "About Firn").Action()
		if len(sh.messages) != 1 || !strings.Contains(sh.messages[0], "Go: go") || !strings.Contains(sh.messages[0], "Wails:") {
			t.Errorf("about: %q", sh.messages)
		}
		find(menu, "Quit").Action()
		if sh.quit != 1 {
			t.Error("Quit did not quit")
		}
	})
	if len(sh.errs) > 0 {
		t.Errorf("errors shown: %q", sh.errs)
	}
}

// TestBridge: Do waits for the reply with its id; a page error becomes an
// error; an unanswered command ends with its context.
func TestBridge(t *testing.T) {
	var b *Bridge
	b = NewBridge(func(event string, data any) {
		c := data.(Command)
		if event != EventCommand {
			t.Errorf("event %q", event)
		}
		go func() {
			switch c.Cmd {
			case "save":
				_ = b.Deliver(map[string]any{"id": float64(c.ID), "path": "a.ipynb", "error": ""})
			case "bad":
				_ = b.Deliver(map[string]any{"id": float64(c.ID), "error": "it broke"})
			}
		}()
	})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if r, err := b.Do(ctx, Command{Cmd: "save"}); err != nil || r.Path != "a.ipynb" {
		t.Errorf("save: %+v %v", r, err)
	}
	if _, err := b.Do(ctx, Command{Cmd: "bad"}); err == nil || !strings.Contains(err.Error(), "it broke") {
		t.Errorf("bad: %v", err)
	}
	short, cancel2 := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel2()
	if _, err := b.Do(short, Command{Cmd: "silent"}); err == nil {
		t.Error("an unanswered command returned no error")
	}
	if err := b.Deliver(map[string]any{"id": 999}); err == nil {
		t.Error("a stray reply was accepted")
	}
}

// TestState: settings round-trip; a damaged file gives the defaults; the
// recent list is bounded and has no duplicates.
func TestState(t *testing.T) {
	dir := t.TempDir()
	st, err := LoadState(dir)
	if err != nil || st.Window.Width != DefaultWidth || st.Seeded {
		t.Fatalf("defaults: %+v %v", st, err)
	}
	for i := 0; i < MaxRecent+5; i++ {
		st.AddRecent(filepath.Join("n", string(rune('a'+i))+".ipynb"))
	}
	st.AddRecent("n/c.ipynb")
	if len(st.Recent) != MaxRecent || st.Recent[0] != "n/c.ipynb" || st.Recent[1] != "n/o.ipynb" {
		t.Errorf("recent %v", st.Recent)
	}
	st.Window = Window{X: -5, Y: 7, Width: 100, Height: 100}
	if err := st.Save(dir); err != nil {
		t.Fatal(err)
	}
	got, err := LoadState(dir)
	if err != nil || got.Window.Width != DefaultWidth || got.Window.X != -5 || len(got.Recent) != MaxRecent {
		t.Errorf("round trip: %+v %v (a too small window gets the default size)", got, err)
	}
	if err := os.WriteFile(filepath.Join(dir, stateFile), []byte("{broken"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got, err := LoadState(dir); err == nil || got.Window.Width != DefaultWidth {
		t.Errorf("damaged: %+v %v, want the defaults and an error", got, err)
	}
}

// TestXDGDocuments: where the documents folder is on Linux.
func TestXDGDocuments(t *testing.T) {
	home := "/home/ann"
	for _, tc := range []struct{ name, env, dirs, want string }{
		{"env", "/data/docs", "", "/data/docs"},
		{"user-dirs", "", `XDG_DOCUMENTS_DIR="$HOME/Dokumente"`, "/home/ann/Dokumente"},
		{"user-dirs absolute", "", `XDG_DOCUMENTS_DIR="/srv/ann"`, "/srv/ann"},
		{"disabled ($HOME)", "", `XDG_DOCUMENTS_DIR="$HOME/"`, ""},
		{"none", "", "", ""},
		{"relative env ignored", "docs", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := t.TempDir()
			if tc.dirs != "" {
				if err := os.WriteFile(filepath.Join(cfg, "user-dirs.dirs"), []byte("# x\n"+tc.dirs+"\n"), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			if got := xdgDocuments(home, cfg, tc.env); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}
