// Package buildinfo says which Firn this is: its version and the
// versions of what it was built with, read from the build information
// that the Go toolchain records in every binary.
//
//	fmt.Println(buildinfo.Version())   // "v0.3.0", or "(devel) 0f3a9c2b7d41" for a checkout's build
package buildinfo

import (
	"fmt"
	"runtime"
	"runtime/debug"
)

// Version is Firn's module version: the tag a release was built from
// (`go install …@v0.3.0`, or -ldflags "-X …buildinfo.release=v0.3.0" as
// scripts/release.sh does), else "(devel)" and the VCS revision of a
// development build.
func Version() string {
	if release != "" {
		return release
	}
	version, rev := "(devel)", ""
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return version
	}
	if bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		version = bi.Main.Version
	}
	for _, s := range bi.Settings {
		if s.Key == "vcs.revision" && len(s.Value) >= 12 {
			rev = " " + s.Value[:12]
		}
	}
	return version + rev
}

// release is set by the linker in release builds.
var release string

// String is the one-line answer of `firn version`: Firn's version, Go's
// and the platform.
func String() string {
	return fmt.Sprintf("firn %s %s %s/%s", Version(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
}

// Dependency is the version of the module path in this build ("" if it
// is not in it).
func Dependency(path string) string {
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
