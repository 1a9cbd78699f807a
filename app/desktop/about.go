package desktop

import (
	"fmt"
	"runtime"
	"strings"

	"github.com/firnglacier/firn/internal/buildinfo"
)

// Versions lists the versions shown in About: Firn, Go, Wails and the
// webview (webkit: e.g. "WebKitGTK 2.50.6", "" if unknown).
func Versions(webkit string) [][2]string {
	wails := buildinfo.Dependency("github.com/wailsapp/wails/v2")
	if wails == "" {
		wails = "not linked"
	}
	v := [][2]string{
		{"Firn", buildinfo.Version()},
		{"Go", runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH},
		{"Wails", wails},
	}
	if webkit != "" {
		v = append(v, [2]string{"Webview", webkit})
	}
	return v
}

// About is the text of the About box.
func (a *App) About() string {
	var b strings.Builder
	b.WriteString("Firn — a glacier modelling workbench: notebooks of Go code that drive a flowline glacier model.\n\n")
	for _, v := range Versions(a.cfg.WebKit) {
		fmt.Fprintf(&b, "%s: %s\n", v[0], v[1])
	}
	fmt.Fprintf(&b, "\nYour notebooks: %s\n", a.cfg.Dirs.Workspace)
	return b.String()
}
