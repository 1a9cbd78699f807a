// Package frontend embeds Firn's browser UI, built from the TypeScript in
// this folder (src/, Vite) into dist/, so that `go install` gives a
// working program without Node.
//
//	srv, err := app.New(app.Options{Static: frontend.Dist(), …})
//
// dist/ is committed (as PocketBase does with its UI): a Go user never
// needs npm, and scripts/test.sh rebuilds the UI and fails when the
// committed dist/ differs from a fresh build, so it cannot go stale.
// After changing the UI: cd frontend && npm ci && npm run build.
package frontend

import (
	"embed"
	"io/fs"
)

//go:embed all:dist
var dist embed.FS

// Dist is the built UI: index.html and assets/.
func Dist() fs.FS {
	sub, err := fs.Sub(dist, "dist")
	if err != nil {
		panic(err) // "dist" is a valid path: cannot happen
	}
	return sub
}
