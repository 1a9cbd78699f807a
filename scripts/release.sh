#!/usr/bin/env bash
# Builds Firn's release files for VERSION into dist/ (or -o DIR):
#
#   firn_V_linux_amd64.tar.gz    the CLI (cgo-free, static), README.md and
#   firn_V_linux_arm64.tar.gz    LICENSE in a folder firn_V_OS_ARCH/
#   firn_V_darwin_amd64.tar.gz
#   firn_V_darwin_arm64.tar.gz
#   firn_V_windows_amd64.zip     (firn.exe)
#   firn_V_amd64.deb             the desktop app for Debian and Ubuntu: firn in
#                                /usr/bin (the window and the whole CLI), its
#                                menu entry, icon and the .ipynb file type
#   SHA256SUMS                   sha256sum -c SHA256SUMS checks them all
#
# where V is VERSION without a leading "v" (1.2.0 for v1.2.0); `firn
# version` prints vV. Every binary is stripped (-s -w), built with -trimpath
# and stamped with the version. Files are dated at the last commit (or
# $SOURCE_DATE_EPOCH), so two runs on one commit give the same archives.
#
# usage: scripts/release.sh [-o DIR] VERSION
#
# Environment:
#   FIRN_RELEASE_TARGETS  the CLI targets, default
#                         "linux/amd64 linux/arm64 darwin/amd64 darwin/arm64 windows/amd64"
#   FIRN_RELEASE_DEB      1 (default) builds the .deb, 0 leaves it out
#
# Needs Go, tar, gzip, zip; for the .deb a linux/amd64 machine with
# the GTK 3 and WebKitGTK 4.1 -dev packages and dpkg-dev (dpkg-deb,
# dpkg-shlibdeps). It stops at the first error, and leaves in DIR only
# the files of this run (the whole set, or nothing new: see "publish").
set -euo pipefail

die() { echo "release: $*" >&2; exit 1; }
usage() { echo "usage: scripts/release.sh [-o DIR] VERSION" >&2; exit 2; }

out=""
while getopts "o:h" opt; do
  case $opt in
    o) out=$OPTARG ;;
    *) usage ;;
  esac
done
shift $((OPTIND - 1))
[ $# -eq 1 ] || usage
# DIR is relative to where the script was started; dist/ is the checkout's.
case $out in
  "") out=$(cd "$(dirname "$0")/.." && pwd)/dist ;;
  /*) ;;
  *) out=$PWD/$out ;;
esac
cd "$(dirname "$0")/.."
version=${1#v}
[[ $version =~ ^[0-9]+\.[0-9]+\.[0-9]+([-+][0-9A-Za-z.+-]+)?$ ]] ||
  die "VERSION must look like 1.2.0 or v1.2.0-rc1, not \"$1\""
release=v$version
targets=${FIRN_RELEASE_TARGETS:-linux/amd64 linux/arm64 darwin/amd64 darwin/arm64 windows/amd64}
deb=${FIRN_RELEASE_DEB:-1}

for tool in go tar gzip zip sha256sum; do
  command -v $tool >/dev/null || die "$tool is needed (Debian: apt-get install $tool)"
done
if [ "$deb" = 1 ]; then
  [ "$(go env GOHOSTOS)/$(go env GOHOSTARCH)" = linux/amd64 ] || die "the .deb is built on linux/amd64 (FIRN_RELEASE_DEB=0 leaves it out)"
  for tool in dpkg-deb dpkg-shlibdeps pkg-config; do
    command -v $tool >/dev/null || die "$tool is needed for the .deb (Debian: apt-get install dpkg-dev pkg-config)"
  done
  pkg-config --exists webkit2gtk-4.1 gtk+-3.0 ||
    die "the .deb needs libwebkit2gtk-4.1-dev and libgtk-3-dev (FIRN_RELEASE_DEB=0 leaves it out)"
fi

# One date for every file: the last commit's, so that archives repeat.
if [ -z "${SOURCE_DATE_EPOCH:-}" ]; then
  SOURCE_DATE_EPOCH=$(git log -1 --format=%ct 2>/dev/null || date +%s)
fi
export SOURCE_DATE_EPOCH

ldflags="-s -w -X github.com/firnglacier/firn/internal/buildinfo.release=$release"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
stage=$work/out
mkdir -p "$stage"

# stamp dates every file under $1 at SOURCE_DATE_EPOCH.
stamp() { find "$1" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +; }

# The CLI: one archive per target.
for target in $targets; do
  goos=${target%/*} goarch=${target#*/}
  [ -n "$goos" ] && [ -n "$goarch" ] && [ "$goos/$goarch" = "$target" ] || die "bad target \"$target\" (want OS/ARCH)"
  name=firn_${version}_${goos}_${goarch}
  exe=firn
  [ "$goos" = windows ] && exe=firn.exe
  dir=$work/$name
  mkdir -p "$dir"
  start=$(date +%s)
  CGO_ENABLED=0 GOOS=$goos GOARCH=$goarch go build -trimpath -ldflags "$ldflags" -o "$dir/$exe" .
  cp README.md LICENSE "$dir/"
  stamp "$dir"
  if [ "$goos" = windows ]; then
    (cd "$work" && TZ=UTC zip -q -X -r -9 "$stage/$name.zip" "$name")
    artifact=$name.zip
  else
    tar --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$SOURCE_DATE_EPOCH" \
      -C "$work" -cf - "$name" | gzip -9n > "$stage/$name.tar.gz"
    artifact=$name.tar.gz
  fi
  printf 'release: %-34s %10d bytes (binary %d) in %ds\n' "$artifact" \
    "$(stat -c %s "$stage/$artifact")" "$(stat -c %s "$dir/$exe")" $(($(date +%s) - start))
done

# The desktop app as a Debian package. No maintainer scripts: Debian's
# triggers update the menu, MIME and icon caches on install and removal.
if [ "$deb" = 1 ]; then
  start=$(date +%s)
  debversion=${version/-/\~}   # 1.2.0-rc1 sorts before 1.2.0 as 1.2.0~rc1
  root=$work/deb
  install -d "$root/DEBIAN" "$root/usr/bin"
  CGO_ENABLED=1 go build -tags desktop,production,webkit2_41 -trimpath -ldflags "$ldflags" -o "$root/usr/bin/firn" .
  install -Dm644 build/linux/firn.desktop "$root/usr/share/applications/firn.desktop"
  install -Dm644 build/linux/firn-mime.xml "$root/usr/share/mime/packages/firn.xml"
  install -Dm644 build/linux/firn-256.png "$root/usr/share/icons/hicolor/256x256/apps/firn.png"
  install -Dm644 LICENSE "$root/usr/share/doc/firn/copyright"
  depends=$(
    cd "$work" && mkdir -p debian &&
      printf 'Source: firn\n\nPackage: firn\nArchitecture: amd64\n' > debian/control &&
      dpkg-shlibdeps -O "$root/usr/bin/firn" 2>"$work/shlibdeps.log" | sed -n 's/^shlibs:Depends=//p'
  ) || true
  [ -n "$depends" ] || die "dpkg-shlibdeps found no libraries for the desktop binary: $(cat "$work/shlibdeps.log")"
  cat > "$root/DEBIAN/control" <<EOF
Package: firn
Version: $debversion
Architecture: amd64
Maintainer: The Firn authors <https://github.com/firnglacier/firn/issues>
Installed-Size: $(du -sk --exclude=DEBIAN "$root" | cut -f1)
Depends: $depends
Section: science
Priority: optional
Homepage: https://github.com/firnglacier/firn
Description: glacier modelling workbench: Go notebooks over a flowline model
 Firn runs notebooks of Go cells that drive a fast, verified flowline
 glacier model (OGGM's numerics), with plots inline. This package holds
 the desktop app (a window with the notebook UI and six lessons, opened
 from the applications menu or for .ipynb files) and the firn command
 line: firn serve, firn run, firn export, firn model run and more.
EOF
  chmod -R u=rwX,go=rX "$root"
  stamp "$root"
  dpkg-deb --root-owner-group -Zxz --build "$root" "$stage/firn_${version}_amd64.deb" >/dev/null
  printf 'release: %-34s %10d bytes (binary %d) in %ds\n' "firn_${version}_amd64.deb" \
    "$(stat -c %s "$stage/firn_${version}_amd64.deb")" "$(stat -c %s "$root/usr/bin/firn")" $(($(date +%s) - start))
fi

(cd "$stage" && sha256sum -- * > SHA256SUMS)

# publish: the new set replaces the files of an earlier run of this
# version in DIR (other files there stay); nothing is moved until all
# were built.
mkdir -p "$out"
rm -f "$out"/firn_"${version}"_* "$out/SHA256SUMS"
mv "$stage"/* "$out/"
echo "release: $release in $out:"
(cd "$out" && ls -l -- firn_"${version}"_* SHA256SUMS)
