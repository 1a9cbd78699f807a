//go:build (desktop || bindings) && !(desktop && linux)

package main

// webkitVersion is empty where the webview is not WebKitGTK (or in a
// build without Wails' tags).
func webkitVersion() string { return "" }
