//go:build ignore

// Fetch updates the KaTeX files of this directory from the npm registry:
//
//	cd notebooks/export/katex && go run fetch.go
//
// It runs `npm pack katex@<version>` in a temporary directory and copies
// katex.min.js, contrib/auto-render.min.js and LICENSE as they are, and
// katex.min.css with each @font-face's woff2 font inlined as a data: URI
// and the woff and ttf fallbacks dropped (every browser that runs KaTeX
// reads woff2), so that an exported page needs no font files and passes
// the page's Content-Security-Policy (font-src data:).
package main

import (
	"archive/tar"
	"compress/gzip"
	"encoding/base64"
	"fmt"
	"io"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
)

const version = "0.19.1"

func main() {
	log.SetFlags(0)
	if err := run(); err != nil {
		log.Fatalf("fetch katex %s: %v", version, err)
	}
}

func run() error {
	tmp, err := os.MkdirTemp("", "katex-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	cmd := exec.Command("npm", "pack", "--silent", "katex@"+version)
	cmd.Dir = tmp
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("npm pack: %w", err)
	}
	files, err := untar(filepath.Join(tmp, "katex-"+version+".tgz"))
	if err != nil {
		return err
	}
	for src, dst := range map[string]string{
		"package/dist/katex.min.js":               "katex.min.js",
		"package/dist/contrib/auto-render.min.js": "auto-render.min.js",
		"package/LICENSE":                         "LICENSE",
	} {
		b, ok := files[src]
		if !ok {
			return fmt.Errorf("%s is not in the package", src)
		}
		if err := os.WriteFile(dst, b, 0o644); err != nil {
			return err
		}
	}
	css, ok := files["package/dist/katex.min.css"]
	if !ok {
		return fmt.Errorf("package/dist/katex.min.css is not in the package")
	}
	var missing error
	src := regexp.MustCompile(`src:url\(fonts/([A-Za-z0-9_-]+)\.woff2\) format\("woff2"\)(,url\([^)]*\) format\("[a-z]+"\))*`)
	css = src.ReplaceAllFunc(css, func(m []byte) []byte {
		name := string(src.FindSubmatch(m)[1])
		font, ok := files["package/dist/fonts/"+name+".woff2"]
		if !ok {
			missing = fmt.Errorf("font %s.woff2 is not in the package", name)
		}
		return []byte(`src:url(data:font/woff2;base64,` + base64.StdEncoding.EncodeToString(font) + `) format("woff2")`)
	})
	if missing != nil {
		return missing
	}
	if regexp.MustCompile(`url\(fonts/`).Match(css) {
		return fmt.Errorf("katex.min.css still refers to font files")
	}
	return os.WriteFile("katex.min.css", css, 0o644)
}

// untar reads the regular files of a .tgz into memory, by path.
func untar(name string) (map[string][]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	z, err := gzip.NewReader(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	files := map[string][]byte{}
	r := tar.NewReader(z)
	for {
		h, err := r.Next()
		if err == io.EOF {
			return files, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		if h.Typeflag != tar.TypeReg {
			continue
		}
		b, err := io.ReadAll(r)
		if err != nil {
			return nil, fmt.Errorf("%s: %s: %w", name, h.Name, err)
		}
		files[h.Name] = b
	}
}
