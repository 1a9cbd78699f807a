//go:build (desktop || bindings) && !(desktop && linux)

package main

import "log/slog"

// liveMenu: Wails redraws the menu of a shown window on macOS and
// Windows (not on Linux: webkit_linux.go).
const liveMenu = true

// webkitVersion is empty where the webview is not WebKitGTK (or in a
// build without Wails' tags).
func webkitVersion() string { return "" }

// fixSignalStacks and recheckSignalStacks repair WebKitGTK's signal
// handlers (webkit_linux.go); elsewhere there is nothing to repair.
func fixSignalStacks()                   {}
func recheckSignalStacks(_ *slog.Logger) {}
