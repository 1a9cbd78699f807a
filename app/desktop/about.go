package desktop

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"
)

// Version is Firn's module version ("(devel)" and the VCS revision for a
// development build).
func Version() string {
	version, rev := "(devel)", ""
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return version
	}
	if bi.Main.Version != "" {
		version = bi.Main.Version
	}
	for _, s := range bi.Settings {
		if s.Key == "vcs.revision" && len(s.Value) >= 12 {
			rev = " " + s.Value[:12]
		}
	}
	return version + rev
}

// dependency is the version of module path in this build ("" if it is
// not in it).
func dependency(path string) string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return ""
	}
	for _, d := range bi.Deps {
		if d.Path == path {
			if d.Replace != nil {
				return d.Replace.Version
			}
			return d.Version
		}
	}
	return ""
}

// Versions lists the versions shown in About: Firn, Go, Wails and the
// webview (webkit: e.g. "WebKitGTK 2.50.6", "" if unknown).
func Versions(webkit string) [][2]string {
	wails := dependency("github.com/wailsapp/wails/v2")
	if wails == "" {
		wails = "not linked"
	}
	v := [][2]string{
		{"Firn", Version()},
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
