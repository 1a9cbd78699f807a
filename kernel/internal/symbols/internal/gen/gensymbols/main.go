// Command gensymbols writes the generated files of package symbols into
// the working directory (go generate runs it in kernel/internal/symbols): one yaegi
// symbol table per Firn package, the list of tables and the doc index.
// Generated files that are no longer produced are deleted.
//
//	go generate ./kernel/internal/symbols
package main

import (
	"fmt"
	"os"
	"time"

	"github.com/firnglacier/firn/kernel/internal/symbols/internal/gen"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "gensymbols:", err)
		os.Exit(1)
	}
}

func run() error {
	start := time.Now()
	files, err := gen.Generate()
	if err != nil {
		return err
	}
	keep := map[string]bool{}
	for _, f := range files {
		keep[f.Name] = true
		if old, err := os.ReadFile(f.Name); err == nil && string(old) == string(f.Data) {
			continue
		}
		if err := os.WriteFile(f.Name, f.Data, 0o644); err != nil {
			return err
		}
		fmt.Printf("gensymbols: wrote %s (%d bytes)\n", f.Name, len(f.Data))
	}
	entries, err := os.ReadDir(".")
	if err != nil {
		return err
	}
	for _, e := range entries {
		if gen.Generated(e.Name()) && !keep[e.Name()] {
			if err := os.Remove(e.Name()); err != nil {
				return err
			}
			fmt.Printf("gensymbols: removed stale %s\n", e.Name())
		}
	}
	fmt.Printf("gensymbols: %d files in %.1f s\n", len(files), time.Since(start).Seconds())
	return nil
}
