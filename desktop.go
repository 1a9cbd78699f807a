//go:build desktop || bindings

// The desktop window (built with the desktop tags, and in the bindings
// run of wails build): the notebook UI in a window of its own (Wails v2),
// on the same server as `firn serve`. Everything but the mapping onto
// Wails is in app/desktop.

package main

import (
	"context"
	_ "embed"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"

	"github.com/wailsapp/wails/v2"
	"github.com/wailsapp/wails/v2/pkg/menu"
	"github.com/wailsapp/wails/v2/pkg/menu/keys"
	"github.com/wailsapp/wails/v2/pkg/options"
	"github.com/wailsapp/wails/v2/pkg/options/assetserver"
	"github.com/wailsapp/wails/v2/pkg/options/linux"
	"github.com/wailsapp/wails/v2/pkg/runtime"

	"github.com/firnglacier/firn/app/desktop"
	"github.com/firnglacier/firn/frontend"
	"github.com/firnglacier/firn/internal/cli"
)

//go:embed build/appicon.png
var icon []byte

// program: in this build the window is what firn does with no command
// (or with notebook files, as a file manager starts it).
func program() cli.Program {
	return cli.Program{Desktop: runDesktop, DesktopDefault: true}
}

// runDesktop opens the window on the notebooks in args and returns when
// it closes.
func runDesktop(args []string) error {
	if generatingBindings {
		return wails.Run(&options.App{Title: "Firn"}) // writes the bindings (none) and ends
	}
	dirs, err := desktop.DefaultDirs()
	if err != nil {
		return err
	}
	// Warnings and errors only; FIRN_DESKTOP_LOG=info logs every request and session.
	level := slog.LevelWarn
	if os.Getenv("FIRN_DESKTOP_LOG") == "info" {
		level = slog.LevelInfo
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	a, err := desktop.Start(desktop.Config{
		Dirs: dirs, Args: args, Static: frontend.Dist(),
		Token: os.Getenv("FIRN_DESKTOP_TOKEN"), Logger: logger, WebKit: webkitVersion(),
	})
	if err != nil {
		return err
	}
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		if err := a.Close(ctx); err != nil {
			logger.Error("stop", "err", err)
		}
	}()
	// Tests and scripts wait for these lines.
	fmt.Fprintf(os.Stderr, "firn-desktop: serving %s at http://%s/\n", a.Workspace(), a.Addr())

	w := &window{app: a}
	w.page = desktop.NewBridge(w.emit)
	st := a.State()
	start := options.Normal
	if st.Window.Maximised {
		start = options.Maximised
	}
	return wails.Run(&options.App{
		Title:            "Firn",
		Width:            st.Window.Width,
		Height:           st.Window.Height,
		MinWidth:         desktop.MinWidth,
		MinHeight:        desktop.MinHeight,
		WindowStartState: start,
		BackgroundColour: options.NewRGB(255, 255, 255),
		AssetServer:      &assetserver.Options{Handler: a.AssetHandler()},
		Menu:             w.menu(),
		OnStartup:        w.startup,
		OnBeforeClose:    w.beforeClose,
		SingleInstanceLock: &options.SingleInstanceLock{
			UniqueId:               "org.firnglacier.firn",
			OnSecondInstanceLaunch: w.secondInstance,
		},
		Linux: &linux.Options{Icon: icon, ProgramName: "firn", WebviewGpuPolicy: linux.WebviewGpuPolicyOnDemand},
	})
}

// window maps app/desktop onto Wails: it is the menu's desktop.Shell.
type window struct {
	app      *desktop.App
	page     *desktop.Bridge
	wailsCtx atomic.Pointer[context.Context] // Wails' context, set at startup (on its own goroutine)
}

// ctx is Wails' context (nil before startup).
func (w *window) ctx() context.Context {
	if p := w.wailsCtx.Load(); p != nil {
		return *p
	}
	return nil
}

func (w *window) emit(event string, data any) {
	if ctx := w.ctx(); ctx != nil {
		runtime.EventsEmit(ctx, event, data)
	}
}

func (w *window) startup(ctx context.Context) {
	w.wailsCtx.Store(&ctx)
	// WebKit's JavaScript engine installs signal handlers that Go cannot
	// live with: start it now and repair them (webkit_linux.go).
	fixSignalStacks()
	if st := w.app.State(); st.Window.Placed && !st.Window.Maximised {
		runtime.WindowSetPosition(ctx, st.Window.X, st.Window.Y)
	}
	runtime.EventsOn(ctx, desktop.EventReply, func(data ...any) {
		if len(data) > 0 {
			if err := w.page.Deliver(data[0]); err != nil {
				runtime.LogWarning(ctx, err.Error())
			}
		}
	})
	runtime.EventsOn(ctx, desktop.EventOpened, func(data ...any) {
		if w.app.Opened(desktop.PathOf(data)) {
			w.MenuChanged()
		}
	})
	runtime.EventsOn(ctx, desktop.EventPageError, func(data ...any) {
		w.app.Logger().Warn("page", "error", desktop.PathOf(data))
	})
	runtime.EventsOn(ctx, desktop.EventReady, func(data ...any) {
		recheckSignalStacks(w.app.Logger())
		fmt.Fprintf(os.Stderr, "firn-desktop: ready %q\n", desktop.PathOf(data))
	})
}

// beforeClose remembers the window's geometry.
func (w *window) beforeClose(ctx context.Context) bool {
	win := w.app.State().Window
	win.Maximised = runtime.WindowIsMaximised(ctx)
	if !win.Maximised {
		win.X, win.Y = runtime.WindowGetPosition(ctx)
		win.Width, win.Height = runtime.WindowGetSize(ctx)
		win.Placed = true
	}
	if err := w.app.SaveWindow(win); err != nil {
		runtime.LogWarning(ctx, err.Error())
	}
	return false
}

// secondInstance opens the notebooks that a second start of the app
// (from the file manager) was given, in this window.
func (w *window) secondInstance(d options.SecondInstanceData) {
	runtime.WindowUnminimise(w.ctx())
	runtime.Show(w.ctx())
	for _, arg := range d.Args {
		if !desktop.IsNotebook(arg) {
			continue
		}
		if !filepath.IsAbs(arg) {
			arg = filepath.Join(d.WorkingDirectory, arg)
		}
		go func() {
			if err := w.app.OpenPath(w.page, arg); err != nil {
				w.Error("Open", err.Error())
			}
		}()
	}
}

func (w *window) menu() *menu.Menu { return wailsMenu(w.app.Menu(w, w.page)) }

// wailsMenu turns the menu model into Wails' menu; each action runs on
// its own goroutine, as dialogs wait for the main thread.
func wailsMenu(items []desktop.Item) *menu.Menu {
	m := menu.NewMenu()
	for _, it := range items {
		switch {
		case it.Separator:
			m.AddSeparator()
		case it.Items != nil:
			m.AddSubmenu(it.Label).Merge(wailsMenu(it.Items))
		default:
			var acc *keys.Accelerator
			if it.Accel != "" {
				acc, _ = keys.Parse(it.Accel)
			}
			f := it.Action
			mi := m.AddText(it.Label, acc, func(*menu.CallbackData) {
				if f != nil {
					go f()
				}
			})
			if it.Disabled {
				mi.Disable()
			}
		}
	}
	return m
}

// The desktop.Shell of the menu.

func (w *window) OpenFile(title, dir string) (string, error) {
	return runtime.OpenFileDialog(w.ctx(), runtime.OpenDialogOptions{
		Title: title, DefaultDirectory: dir,
		Filters: []runtime.FileFilter{{DisplayName: "Notebooks (*.ipynb, *.go)", Pattern: "*.ipynb;*.go"}},
	})
}

func (w *window) SaveFile(title, dir, name, pattern string) (string, error) {
	return runtime.SaveFileDialog(w.ctx(), runtime.SaveDialogOptions{
		Title: title, DefaultDirectory: dir, DefaultFilename: name, CanCreateDirectories: true,
		Filters: []runtime.FileFilter{{DisplayName: pattern, Pattern: pattern}},
	})
}

func (w *window) Message(title, text string) {
	_, _ = runtime.MessageDialog(w.ctx(), runtime.MessageDialogOptions{Type: runtime.InfoDialog, Title: title, Message: text, Icon: icon})
}

func (w *window) Error(title, text string) {
	_, _ = runtime.MessageDialog(w.ctx(), runtime.MessageDialogOptions{Type: runtime.ErrorDialog, Title: title, Message: text})
}

func (w *window) Quit() { runtime.Quit(w.ctx()) }

// MenuChanged redraws the menu, except where Wails cannot (liveMenu):
// there the menu keeps the recent files of the start.
func (w *window) MenuChanged() {
	if !liveMenu {
		return
	}
	runtime.MenuSetApplicationMenu(w.ctx(), w.menu())
	runtime.MenuUpdateApplicationMenu(w.ctx())
}
