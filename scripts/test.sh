#!/usr/bin/env bash
# Runs every check and test of Firn: the command README.md gives for a fresh
# machine. It installs what the checks need when it is missing (idempotent)
# and then runs, in order: gofmt, go vet, staticcheck, every Go test, and
# each benchmark once (so that benchmarks cannot rot; their figures come
# from `go test -bench`, see README.md).
#
# Installs (as root, with apt) the system tools the end-to-end tests
# drive when they are missing: tmux, Jupyter's nbformat and nbconvert,
# jupyter_client, jupyter console, jupyter_kernel_test and ipykernel,
# Chromium, and for the desktop app Xvfb, xdotool, xwd, ImageMagick,
# WebKitGTK 4.1 with GTK 3 (-dev), and strace and iproute2 (its offline test);
# for the SSH launcher openssh-server (its sshd, started by the tests);
# for the release test zip, dpkg-dev, desktop-file-utils and shared-mime-info.
#
# Tests read OGGM's reference results and sample glacier data from the
# repository's testdata/ (testdata/README.md); nothing outside the checkout.
set -euo pipefail
cd "$(dirname "$0")/.."

STATICCHECK_VERSION=v0.8.2
step() { printf '\n== %s\n' "$*"; }

step "toolchain"
command -v go >/dev/null || { echo "Go 1.26 is needed: https://go.dev/dl/ (or your package manager)"; exit 1; }
go version
go mod download

# System tools the end-to-end tests drive: tmux (the REPL is tested in a
# real terminal), Jupyter's tools and Chromium.
need=()
command -v tmux >/dev/null || need+=(tmux)
# Jupyter's own tools check the notebooks Firn writes (Debian's, run by
# /usr/bin/python3); Chromium renders exported pages.
command -v jupyter-nbconvert >/dev/null || need+=(jupyter-nbconvert)
/usr/bin/python3 -c 'import nbformat' 2>/dev/null || need+=(python3-nbformat)
# The Firn kernel under Jupyter (kernel/jupyter): jupyter_client, the
# conformance suite jupyter_kernel_test, jupyter console, and ipykernel
# (the benchmark's other kernel).
/usr/bin/python3 -c 'import jupyter_client' 2>/dev/null || need+=(python3-jupyter-client)
command -v jupyter-kernelspec >/dev/null || need+=(jupyter-client) # jupyter kernelspec list
/usr/bin/python3 -c 'import jupyter_kernel_test' 2>/dev/null || need+=(python3-jupyter-kernel-test)
/usr/bin/python3 -c 'import ipykernel' 2>/dev/null || need+=(python3-ipykernel)
command -v jupyter-console >/dev/null || need+=(jupyter-console)
# xarray (over scipy) opens the NetCDF files Firn writes (compiled.nc of
# firn model run --on), as OGGM's users open compile_run_output's.
/usr/bin/python3 -c 'import xarray, scipy' 2>/dev/null || need+=(python3-xarray python3-scipy)
command -v chromium >/dev/null || need+=(chromium)
# The desktop app (main_test.go): built against WebKitGTK 4.1 and GTK 3,
# run under Xvfb, driven with xdotool, screenshots with xwd and convert.
command -v Xvfb >/dev/null || need+=(xvfb)
command -v xdotool >/dev/null || need+=(xdotool)
command -v xwd >/dev/null || need+=(x11-apps)
# ImageMagick's convert itself (a machine may have a stand-in named convert
# that handles only PNG).
convert -version 2>/dev/null | grep -q ImageMagick || need+=(imagemagick)
command -v pkg-config >/dev/null || need+=(pkg-config)
command -v strace >/dev/null || need+=(strace)
command -v ip >/dev/null || need+=(iproute2)
# The Slurm launcher (compute's TestSlurmLauncher starts a single-node
# Slurm on loopback: slurmctld, slurmd and munged as root).
command -v slurmctld >/dev/null || need+=(slurmctld)
command -v slurmd >/dev/null || need+=(slurmd)
command -v sbatch >/dev/null || need+=(slurm-client)
command -v munged >/dev/null || need+=(munge)
# The SSH launcher (compute's TestSSH*: Debian's sshd on loopback, started
# by the test with its own host key and configuration; not as a service).
[ -x /usr/sbin/sshd ] || need+=(openssh-server)
# The release (TestRelease runs scripts/release.sh): zip for the Windows
# archive, dpkg-dev for the .deb, desktop-file-utils to validate its menu
# entry, shared-mime-info for its file type.
command -v zip >/dev/null || need+=(zip)
command -v dpkg-shlibdeps >/dev/null || need+=(dpkg-dev)
command -v desktop-file-validate >/dev/null || need+=(desktop-file-utils)
command -v update-mime-database >/dev/null || need+=(shared-mime-info)
pkg-config --exists webkit2gtk-4.1 2>/dev/null || need+=(libwebkit2gtk-4.1-dev)
pkg-config --exists gtk+-3.0 2>/dev/null || need+=(libgtk-3-dev)
if [ ${#need[@]} -gt 0 ]; then
  step "installing ${need[*]}"
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get update -q
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=900 install -y --no-install-recommends "${need[@]}"
  else
    echo "please install: ${need[*]}"; exit 1
  fi
fi

gobin="$(go env GOPATH)/bin"
export PATH="$gobin:$PATH"
if ! staticcheck -version 2>/dev/null | grep -q "${STATICCHECK_VERSION#v}"; then
  step "installing staticcheck $STATICCHECK_VERSION"
  go install "honnef.co/go/tools/cmd/staticcheck@$STATICCHECK_VERSION"
fi

# The Wails CLI, pinned (the proxy's "latest" is v2.9.2, which does not
# build with Go 1.26): TestWailsBuild builds the desktop app with it as the
# README says.
WAILS_VERSION=v2.11.0
if ! wails version 2>/dev/null | grep -q "$WAILS_VERSION"; then
  step "installing the Wails CLI $WAILS_VERSION"
  go install "github.com/wailsapp/wails/v2/cmd/wails@$WAILS_VERSION"
fi

step "gofmt"
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
if [ -n "$unformatted" ]; then
  echo "gofmt would change:"; echo "$unformatted"; exit 1
fi

step "go vet"
go vet ./...
# Windows: cells run there over loopback TCP with message interrupts
# (kernel/doc.go); its build and vet are checked here, on Linux.
step "go vet, GOOS=windows"
GOOS=windows go vet ./...

step "staticcheck"
staticcheck ./...

# The browser UI: its packages (also playwright-core for the browser
# tests), type check, unit tests, and the committed build (frontend/dist,
# embedded in the binary) must equal a fresh one.
step "frontend"
command -v npm >/dev/null || { echo "Node.js 20+ with npm is needed for the UI's tests"; exit 1; }
(cd frontend && npm ci --no-audit --no-fund --loglevel=error && npm run --silent typecheck && npx vitest run --reporter=dot)
fresh="$(mktemp -d)"
(cd frontend && npx vite build --logLevel error --outDir "$fresh/dist" --emptyOutDir)
if ! diff -r frontend/dist "$fresh/dist" >/dev/null; then
  echo "frontend/dist is stale: cd frontend && npm ci && npm run build, then commit frontend/dist"
  diff -rq frontend/dist "$fresh/dist" || true
  exit 1
fi
rm -rf "$fresh"

step "go test"
# The module root's tests build the desktop app and a whole release
# (TestRelease: five cross-compiled targets and the .deb, cold in CI):
# more than go test's default 10 minutes for one package.
go test -count=1 -timeout 60m ./...

step "benchmarks, once each"
go test -count=1 -run '^$' -bench . -benchtime 1x ./... > /dev/null

echo
echo "all checks and tests passed"
