//go:build !desktop && !bindings

package main

import "github.com/firnglacier/firn/internal/cli"

// program: a build without the desktop tags has no window; `firn
// desktop` says how to get one.
func program() cli.Program { return cli.Program{} }
