//go:build unix

package main

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"context"
	"debug/elf"
	"debug/macho"
	"debug/pe"
	"fmt"
	"image/png"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestRelease runs scripts/release.sh as a maintainer would, for a test
// version into a temporary folder, and checks what a user downloads:
//
//   - exactly the listed files, and SHA256SUMS over all of them, which
//     `sha256sum -c` accepts;
//   - each CLI archive holds firn (firn.exe on Windows), README.md and
//     LICENSE in one folder; the binary is of its archive's OS and CPU
//     (the ELF, Mach-O or PE header), stripped (no DWARF, no symbol
//     table), built with -trimpath (no path of this checkout inside),
//     and cgo-free (Linux: statically linked); the linux/amd64 one runs
//     here and `firn version` prints the test version;
//   - the .deb's control fields, and its Depends naming a package of
//     this machine for each library the desktop binary links;
//   - the .deb installed with dpkg into a scratch root (dpkg --root: the
//     machine's own dpkg database is never touched, so a test stopped
//     halfway leaves nothing behind): /usr/bin/firn, the menu entry
//     (desktop-file-validate, MimeType, Exec=firn %F), the MIME type
//     (update-mime-database maps *.ipynb to application/x-ipynb+json),
//     the 256×256 icon; then the installed firn prints the version and,
//     started under Xvfb by a fresh user, opens lesson 1 ("Getting
//     started"), which a screenshot shows; then dpkg --purge removes
//     every file.
//
// The test builds every target, cold in CI (several minutes on two
// cores; it logs the time). It needs zip, dpkg-dev, desktop-file-utils
// and what the desktop tests need (scripts/test.sh installs them);
// without them it is skipped, except under CI, where it fails.
func TestRelease(t *testing.T) {
	needDesktop(t, "Xvfb", "xwd", "convert", "zip", "dpkg", "dpkg-deb", "dpkg-shlibdeps", "sha256sum", "desktop-file-validate", "update-mime-database")
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Minute)
	defer cancel()
	const version = "0.0.7-test"
	dist := t.TempDir()
	started := time.Now()
	cmd := exec.CommandContext(ctx, "scripts/release.sh", "-o", dist, "v"+version)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("scripts/release.sh: %v\n%s", err, out)
	}
	t.Logf("figure: scripts/release.sh, 5 CLI targets and the .deb, took %s:\n%s", time.Since(started).Round(time.Second), out)

	// Exactly these files, all in SHA256SUMS, which verifies.
	targets := []struct{ goos, goarch string }{
		{"linux", "amd64"}, {"linux", "arm64"}, {"darwin", "amd64"}, {"darwin", "arm64"}, {"windows", "amd64"},
	}
	var want []string
	for _, tg := range targets {
		ext := ".tar.gz"
		if tg.goos == "windows" {
			ext = ".zip"
		}
		want = append(want, fmt.Sprintf("firn_%s_%s_%s%s", version, tg.goos, tg.goarch, ext))
	}
	deb := "firn_" + version + "_amd64.deb"
	want = append(want, deb, "SHA256SUMS")
	ents, err := os.ReadDir(dist)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range ents {
		got = append(got, e.Name())
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("release files:\n%v\nwant:\n%v", got, want)
	}
	sums, err := os.ReadFile(filepath.Join(dist, "SHA256SUMS"))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range want {
		if name != "SHA256SUMS" && !regexp.MustCompile(`(?m)^[0-9a-f]{64}  `+regexp.QuoteMeta(name)+`$`).Match(sums) {
			t.Errorf("SHA256SUMS has no line for %s:\n%s", name, sums)
		}
	}
	check := exec.CommandContext(ctx, "sha256sum", "-c", "--strict", "SHA256SUMS")
	check.Dir = dist
	if out, err := check.CombinedOutput(); err != nil {
		t.Errorf("sha256sum -c SHA256SUMS: %v\n%s", err, out)
	}

	// The CLI archives.
	readme, _ := os.ReadFile("README.md")
	license, _ := os.ReadFile("LICENSE")
	checkout, _ := os.Getwd()
	for _, tg := range targets {
		name := fmt.Sprintf("firn_%s_%s_%s", version, tg.goos, tg.goarch)
		t.Run(tg.goos+"_"+tg.goarch, func(t *testing.T) {
			var files map[string][]byte
			exe := "firn"
			if tg.goos == "windows" {
				exe = "firn.exe"
				files = readZip(t, filepath.Join(dist, name+".zip"))
			} else {
				files = readTarGz(t, filepath.Join(dist, name+".tar.gz"))
			}
			var names []string
			for n := range files {
				names = append(names, n)
			}
			slices.Sort(names)
			wantNames := []string{name + "/LICENSE", name + "/README.md", name + "/" + exe}
			slices.Sort(wantNames)
			if !slices.Equal(names, wantNames) {
				t.Fatalf("archive holds %v, want %v", names, wantNames)
			}
			if !bytes.Equal(files[name+"/README.md"], readme) || !bytes.Equal(files[name+"/LICENSE"], license) {
				t.Error("README.md or LICENSE differ from the checkout's")
			}
			bin := files[name+"/"+exe]
			if err := checkBinary(bin, tg.goos, tg.goarch); err != nil {
				t.Error(err)
			}
			if bytes.Contains(bin, []byte(checkout)) {
				t.Errorf("the binary holds the checkout's path %s: built without -trimpath", checkout)
			}
			if !bytes.Contains(bin, []byte("v"+version)) {
				t.Errorf("the binary does not hold its version v%s", version)
			}
			t.Logf("figure: %s %d bytes, its binary %d bytes", name, fileSize(t, dist, name, tg.goos), len(bin))
			if tg.goos == "linux" && tg.goarch == "amd64" {
				p := filepath.Join(t.TempDir(), "firn")
				if err := os.WriteFile(p, bin, 0o755); err != nil {
					t.Fatal(err)
				}
				out, err := exec.CommandContext(ctx, p, "version").CombinedOutput()
				if err != nil || !strings.HasPrefix(string(out), "firn v"+version+" ") {
					t.Errorf("firn version: %q (%v), want firn v%s …", out, err, version)
				}
			}
		})
	}

	t.Run("deb", func(t *testing.T) { checkDeb(t, ctx, filepath.Join(dist, deb), version) })
}

func fileSize(t *testing.T, dir, name, goos string) int64 {
	ext := ".tar.gz"
	if goos == "windows" {
		ext = ".zip"
	}
	fi, err := os.Stat(filepath.Join(dir, name+ext))
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}

// checkBinary says what is wrong with an executable meant for goos and
// goarch: its format and CPU, DWARF (-w) and a symbol table (-s) left
// in, or (Linux) a dynamic loader, which a cgo-free build has none of.
func checkBinary(bin []byte, goos, goarch string) error {
	r := bytes.NewReader(bin)
	switch goos {
	case "linux":
		f, err := elf.NewFile(r)
		if err != nil {
			return fmt.Errorf("not an ELF executable: %v", err)
		}
		machine := map[string]elf.Machine{"amd64": elf.EM_X86_64, "arm64": elf.EM_AARCH64}[goarch]
		if f.Machine != machine || f.Type != elf.ET_EXEC {
			return fmt.Errorf("ELF %v %v, want %v executable", f.Machine, f.Type, machine)
		}
		if f.Section(".symtab") != nil || f.Section(".debug_info") != nil {
			return fmt.Errorf("not stripped: it has a symbol table or DWARF")
		}
		for _, p := range f.Progs {
			if p.Type == elf.PT_INTERP || p.Type == elf.PT_DYNAMIC {
				return fmt.Errorf("dynamically linked (%v): built with cgo", p.Type)
			}
		}
	case "darwin":
		f, err := macho.NewFile(r)
		if err != nil {
			return fmt.Errorf("not a Mach-O executable: %v", err)
		}
		cpu := map[string]macho.Cpu{"amd64": macho.CpuAmd64, "arm64": macho.CpuArm64}[goarch]
		if f.Cpu != cpu || f.Type != macho.TypeExec {
			return fmt.Errorf("Mach-O %v %v, want %v executable", f.Cpu, f.Type, cpu)
		}
		if f.Segment("__DWARF") != nil || f.Section("__debug_info") != nil || f.Section("__zdebug_info") != nil {
			return fmt.Errorf("not stripped: it has DWARF")
		}
	case "windows":
		f, err := pe.NewFile(r)
		if err != nil {
			return fmt.Errorf("not a PE executable: %v", err)
		}
		machine := map[string]uint16{"amd64": pe.IMAGE_FILE_MACHINE_AMD64, "arm64": pe.IMAGE_FILE_MACHINE_ARM64}[goarch]
		if f.Machine != machine || f.Characteristics&pe.IMAGE_FILE_EXECUTABLE_IMAGE == 0 {
			return fmt.Errorf("PE machine %#x characteristics %#x, want %#x executable", f.Machine, f.Characteristics, machine)
		}
		if f.Section(".debug_info") != nil || f.Section(".zdebug_info") != nil || f.NumberOfSymbols != 0 {
			return fmt.Errorf("not stripped: it has DWARF or %d symbols", f.NumberOfSymbols)
		}
	default:
		return fmt.Errorf("no check for %s", goos)
	}
	return nil
}

func readTarGz(t *testing.T, path string) map[string][]byte {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	tr := tar.NewReader(zr)
	files := map[string][]byte{}
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return files
		}
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if h.Typeflag != tar.TypeReg {
			continue
		}
		if h.Uid != 0 || h.Gid != 0 {
			t.Errorf("%s: %s belongs to %d:%d, want root", path, h.Name, h.Uid, h.Gid)
		}
		if strings.HasSuffix(h.Name, "/firn") && h.Mode&0o111 == 0 {
			t.Errorf("%s: %s is not executable (%o)", path, h.Name, h.Mode)
		}
		b, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		files[h.Name] = b
	}
}

func readZip(t *testing.T, path string) map[string][]byte {
	t.Helper()
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	defer zr.Close()
	files := map[string][]byte{}
	for _, f := range zr.File {
		if f.FileInfo().IsDir() {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatalf("%s: %s: %v", path, f.Name, err)
		}
		files[f.Name] = b
	}
	return files
}

// checkDeb checks the package's fields, installs it into a scratch root,
// checks its files, runs the desktop app from there and purges it.
func checkDeb(t *testing.T, ctx context.Context, deb, version string) {
	run := func(name string, args ...string) string {
		t.Helper()
		out, err := exec.CommandContext(ctx, name, args...).CombinedOutput()
		if err != nil {
			t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	field := func(name string) string {
		t.Helper()
		return strings.TrimSpace(run("dpkg-deb", "-f", deb, name))
	}
	// Debian's version: a pre-release's "-" becomes "~", which sorts
	// before the release.
	debVersion := strings.Replace(version, "-", "~", 1)
	for name, want := range map[string]string{"Package": "firn", "Version": debVersion, "Architecture": "amd64"} {
		if got := field(name); got != want {
			t.Errorf("control field %s: %q, want %q", name, got, want)
		}
	}
	// Depends: a package of this machine for each library the binary
	// links (dpkg-shlibdeps' list, as Debian's own packages have).
	depends := field("Depends")
	var deps []string
	for _, d := range strings.Split(depends, ",") {
		deps = append(deps, strings.Fields(d)[0])
	}
	for _, need := range []string{"libgtk-3-0", "libwebkit2gtk-4.1-0", "libc6"} {
		if !slices.Contains(deps, need) {
			t.Errorf("Depends: %s lacks %s", depends, need)
		}
	}
	for _, d := range deps {
		if st, err := exec.CommandContext(ctx, "dpkg-query", "-W", "-f", "${Status}", d).Output(); err != nil || !strings.HasSuffix(string(st), " installed") {
			t.Errorf("Depends names %s, which is not an installed package here (%q, %v)", d, st, err)
		}
	}

	// Install into a scratch root with its own dpkg database.
	root := t.TempDir()
	for _, d := range []string{"var/lib/dpkg/info", "var/lib/dpkg/updates"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range []string{"var/lib/dpkg/status", "var/lib/dpkg/available"} {
		if err := os.WriteFile(filepath.Join(root, f), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	dpkg := []string{"--root=" + root, "--log=" + filepath.Join(root, "dpkg.log"), "--force-not-root", "--force-depends", "--force-script-chrootless"}
	run("dpkg", append(dpkg, "--install", deb)...)
	if st := run("dpkg-query", "--root="+root, "-W", "-f", "${Status} ${Version}", "firn"); st != "install ok installed "+debVersion {
		t.Errorf("dpkg status after install: %q", st)
	}
	listed := strings.Fields(run("dpkg-query", "--root="+root, "-L", "firn"))
	wantFiles := []string{
		"/usr/bin/firn",
		"/usr/share/applications/firn.desktop",
		"/usr/share/mime/packages/firn.xml",
		"/usr/share/icons/hicolor/256x256/apps/firn.png",
		"/usr/share/doc/firn/copyright",
	}
	for _, f := range wantFiles {
		if !slices.Contains(listed, f) {
			t.Errorf("the package does not install %s (it lists %v)", f, listed)
		}
	}
	bin := filepath.Join(root, "usr/bin/firn")
	if fi, err := os.Stat(bin); err != nil || fi.Mode()&0o111 == 0 {
		t.Fatalf("/usr/bin/firn: %v", err)
	}

	// The menu entry, the MIME type, the icon.
	desktopFile := filepath.Join(root, "usr/share/applications/firn.desktop")
	if out, err := exec.CommandContext(ctx, "desktop-file-validate", desktopFile).CombinedOutput(); err != nil || len(bytes.TrimSpace(out)) > 0 {
		t.Errorf("desktop-file-validate firn.desktop: %v\n%s", err, out)
	}
	entry, _ := os.ReadFile(desktopFile)
	for _, line := range []string{"Exec=firn %F", "MimeType=application/x-ipynb+json;", "Icon=firn", "Type=Application"} {
		if !regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(line) + `$`).Match(entry) {
			t.Errorf("firn.desktop has no line %q:\n%s", line, entry)
		}
	}
	run("update-mime-database", filepath.Join(root, "usr/share/mime"))
	globs, _ := os.ReadFile(filepath.Join(root, "usr/share/mime/globs2"))
	if !regexp.MustCompile(`(?m)^\d+:application/x-ipynb\+json:\*\.ipynb$`).Match(globs) {
		t.Errorf("after update-mime-database, *.ipynb is not application/x-ipynb+json; globs2:\n%s", globs)
	}
	iconFile, err := os.Open(filepath.Join(root, "usr/share/icons/hicolor/256x256/apps/firn.png"))
	if err != nil {
		t.Fatal(err)
	}
	icon, err := png.DecodeConfig(iconFile)
	iconFile.Close()
	if err != nil || icon.Width != 256 || icon.Height != 256 {
		t.Errorf("icon: %dx%d (%v), want a 256x256 PNG", icon.Width, icon.Height, err)
	}

	// The installed program.
	if out := run(bin, "version"); !strings.HasPrefix(out, "firn v"+version+" ") {
		t.Errorf("installed firn version: %q, want firn v%s …", out, version)
	}
	display := startXvfb(t, ctx)
	home, env := freshUser(t, display)
	app := startApp(t, ctx, bin, env)
	m := app.waitLine(regexp.MustCompile(`^firn-desktop: serving (.+) at http://`))
	if want := filepath.Join(home, "Documents", "Firn"); m[1] != want {
		t.Errorf("workspace %s, want %s", m[1], want)
	}
	app.waitLine(regexp.MustCompile(`^firn-desktop: ready "lessons/01-getting-started.ipynb"$`))
	shot := filepath.Join(t.TempDir(), "installed.png")
	if dir := os.Getenv("FIRN_ARTIFACTS"); dir != "" {
		shot = filepath.Join(dir, "release-installed.png")
	}
	if img, why := waitScreen(t, ctx, display, shot, showsNotebook); !showsNotebookOK(img) {
		t.Errorf("the installed app's window does not show the notebook (%s); see %s", why, shot)
	} else {
		t.Logf("the installed app opened lesson 1 and shows it (%s)", why)
	}
	_ = app.cmd.Process.Signal(os.Interrupt)
	<-app.done

	// Purge: every file goes.
	run("dpkg", append(dpkg, "--purge", "firn")...)
	for _, f := range wantFiles {
		if _, err := os.Stat(filepath.Join(root, f)); !os.IsNotExist(err) {
			t.Errorf("%s is still there after dpkg --purge (%v)", f, err)
		}
	}
	if st, _ := exec.CommandContext(ctx, "dpkg-query", "--root="+root, "-W", "-f", "${Status}", "firn").CombinedOutput(); bytes.Contains(st, []byte(" installed")) {
		t.Errorf("dpkg status after purge: %q", st)
	}
}
