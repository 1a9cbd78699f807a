package desktop

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"time"

	"github.com/firnglacier/firn/internal/atomicfile"
	"github.com/firnglacier/firn/notebooks"
	"github.com/firnglacier/firn/notebooks/export"
)

// Item is an entry of the app's menu bar: a submenu (Items), a separator,
// or an action. The root main.go turns items into Wails menus, running
// each Action on its own goroutine (dialogs wait for the main thread).
type Item struct {
	Label string
	// Accel is the keyboard shortcut in Wails' syntax ("CmdOrCtrl+S").
	Accel     string
	Action    func()
	Items     []Item
	Separator bool
	Disabled  bool
}

// Shell is what the menu's actions need of the desktop: native dialogs,
// quitting and redrawing the menu. The root main.go implements it with
// Wails' runtime.
type Shell interface {
	// OpenFile asks for a notebook to open, starting in dir; "" if the
	// user cancelled.
	OpenFile(title, dir string) (string, error)
	// SaveFile asks where to save, starting in dir with the file name
	// name; pattern filters the files shown (e.g. "*.html"); "" if the
	// user cancelled.
	SaveFile(title, dir, name, pattern string) (string, error)
	// Message shows an information box; Error an error box.
	Message(title, text string)
	Error(title, text string)
	Quit()
	// MenuChanged redraws the menu (the recent files changed).
	MenuChanged()
}

// pageTimeout bounds a wait for the page (a save of a big notebook
// included).
const pageTimeout = 30 * time.Second

// Menu is the menu bar: File (New, Open…, Open recent, Save, Save as…,
// Export HTML…, Quit) and Help (About Firn).
func (a *App) Menu(sh Shell, page Page) []Item {
	act := func(title string, f func() error) func() {
		return func() {
			if err := f(); err != nil {
				sh.Error(title, err.Error())
			}
		}
	}
	st := a.State()
	var recent []Item
	for _, p := range st.Recent {
		recent = append(recent, Item{Label: p, Action: act("Open recent", func() error { return a.open(page, p) })})
	}
	if len(recent) == 0 {
		recent = []Item{{Label: "No recent notebooks", Disabled: true}}
	}
	file := []Item{
		{Label: "New notebook", Accel: "CmdOrCtrl+N", Action: act("New notebook", func() error { return a.New(page) })},
		{Label: "Open…", Accel: "CmdOrCtrl+O", Action: act("Open", func() error { return a.OpenDialog(sh, page) })},
		{Label: "Open recent", Items: recent},
		{Separator: true},
		{Label: "Save", Accel: "CmdOrCtrl+S", Action: act("Save", func() error { _, err := a.save(page); return err })},
		{Label: "Save as…", Accel: "CmdOrCtrl+Shift+S", Action: act("Save as", func() error { return a.SaveAs(sh, page) })},
		{Label: "Export HTML…", Accel: "CmdOrCtrl+E", Action: act("Export HTML", func() error { return a.ExportHTML(sh, page) })},
		{Separator: true},
		{Label: "Quit", Accel: "CmdOrCtrl+Q", Action: sh.Quit},
	}
	help := []Item{
		{Label: "About Firn", Action: func() { sh.Message("About Firn", a.About()) }},
	}
	return []Item{{Label: "File", Items: file}, {Label: "Help", Items: help}}
}

func pageCtx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), pageTimeout)
}

// open shows the notebook at the workspace path rel in the window.
func (a *App) open(page Page, rel string) error {
	ctx, cancel := pageCtx()
	defer cancel()
	_, err := page.Do(ctx, Command{Cmd: CmdOpen, Path: rel})
	return err
}

// save saves the open notebook and returns its workspace path ("" if
// none is open).
func (a *App) save(page Page) (string, error) {
	ctx, cancel := pageCtx()
	defer cancel()
	r, err := page.Do(ctx, Command{Cmd: CmdSave})
	return r.Path, err
}

// notify shows text in the page.
func (a *App) notify(page Page, text string) {
	ctx, cancel := pageCtx()
	defer cancel()
	_, _ = page.Do(ctx, Command{Cmd: CmdNotify, Text: text})
}

// New creates "Untitled.ipynb" (or "Untitled-2.ipynb", …) in the
// workspace through the server, and opens it.
func (a *App) New(page Page) error {
	for n := 1; n < 1000; n++ {
		name := "Untitled.ipynb"
		if n > 1 {
			name = fmt.Sprintf("Untitled-%d.ipynb", n)
		}
		body, _ := json.Marshal(map[string]string{"op": "create", "path": name})
		req, err := http.NewRequest(http.MethodPost, "/api/files", bytes.NewReader(body))
		if err != nil {
			return fmt.Errorf("new notebook: %w", err)
		}
		req.Header.Set("Content-Type", "application/json")
		res := a.Do(req)
		msg, _ := io.ReadAll(res.Body)
		switch res.StatusCode {
		case http.StatusCreated:
			return a.open(page, name)
		case http.StatusConflict:
			continue
		default:
			return fmt.Errorf("new notebook %s: %s", name, bytes.TrimSpace(msg))
		}
	}
	return fmt.Errorf("new notebook: Untitled.ipynb to Untitled-999.ipynb all exist in %s", a.Workspace())
}

// OpenDialog asks for a notebook and opens it (imported if it is outside
// the workspace).
func (a *App) OpenDialog(sh Shell, page Page) error {
	path, err := sh.OpenFile("Open a notebook", a.Workspace())
	if err != nil || path == "" {
		return err
	}
	return a.OpenPath(page, path)
}

// OpenPath opens the notebook at path in the window: a notebook from the
// file manager, or one a second start of the app was given.
func (a *App) OpenPath(page Page, path string) error {
	rel, note, err := a.Import(path)
	if err != nil {
		return err
	}
	if err := a.open(page, rel); err != nil {
		return err
	}
	if note != "" {
		a.notify(page, note)
	}
	return nil
}

// saveOpen saves the open notebook and returns its workspace path and its
// file; an error if none is open.
func (a *App) saveOpen(page Page) (cur, file string, err error) {
	cur, err = a.save(page)
	if err != nil {
		return "", "", err
	}
	if cur == "" {
		return "", "", fmt.Errorf("no notebook is open")
	}
	return cur, filepath.Join(a.Workspace(), filepath.FromSlash(cur)), nil
}

// SaveAs saves the open notebook, asks for a new name and writes the
// notebook there (in the format its extension says). In the workspace,
// the window goes on with the new file; outside it, with the old one (the
// server works in the workspace only), and a notice says so.
func (a *App) SaveAs(sh Shell, page Page) error {
	cur, src, err := a.saveOpen(page)
	if err != nil {
		return err
	}
	dest, err := sh.SaveFile("Save notebook as", filepath.Dir(src), filepath.Base(src), "*.ipynb;*.go")
	if err != nil || dest == "" {
		return err
	}
	if !IsNotebook(dest) {
		dest += ".ipynb"
	}
	nb, err := notebooks.ReadFile(src)
	if err != nil {
		return fmt.Errorf("save as: %w", err)
	}
	if err := notebooks.WriteFile(dest, nb); err != nil {
		return fmt.Errorf("save as: %w", err)
	}
	if rel, ok := a.inWorkspace(dest); ok {
		return a.open(page, rel)
	}
	a.notify(page, fmt.Sprintf("Saved a copy as %s. It is outside your Firn folder, so you go on editing %s.", dest, cur))
	return nil
}

// ExportHTML saves the open notebook and writes it as one self-contained
// HTML page where the user says.
func (a *App) ExportHTML(sh Shell, page Page) error {
	cur, src, err := a.saveOpen(page)
	if err != nil {
		return err
	}
	name := strings.TrimSuffix(filepath.Base(src), filepath.Ext(src)) + ".html"
	dest, err := sh.SaveFile("Export as HTML", filepath.Dir(src), name, "*.html")
	if err != nil || dest == "" {
		return err
	}
	if err := WriteHTML(src, dest); err != nil {
		return err
	}
	a.notify(page, "Exported "+cur+" to "+dest)
	return nil
}

// WriteHTML exports the notebook file src as the HTML page dest
// (atomically), as `firn export` does.
func WriteHTML(src, dest string) error {
	nb, err := notebooks.ReadFile(src)
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	err = atomicfile.Write(dest, 0o644, func(w io.Writer) error {
		return export.HTML(w, nb, export.HTMLOptions{Name: filepath.Base(src)})
	})
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	return nil
}
