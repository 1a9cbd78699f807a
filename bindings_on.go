//go:build bindings

package main

// generatingBindings: `wails build` first builds and runs the app with
// the bindings tag to write its JavaScript bindings; that run must not
// start the server or touch the user's documents.
const generatingBindings = true
