#!/usr/bin/env bash
# Installs the built app for the current user: the binary in ~/.local/bin,
# the icon, the .desktop file (so that the file manager offers Firn for
# .ipynb files) and the notebook MIME type.
# Run from the repository root after building (build/bin/firn).
set -euo pipefail
bin=${1:-build/bin/firn}
data=${XDG_DATA_HOME:-$HOME/.local/share}
install -Dm755 "$bin" "$HOME/.local/bin/firn"
install -Dm644 build/appicon.png "$data/icons/hicolor/1024x1024/apps/firn.png"
install -Dm644 build/linux/firn.desktop "$data/applications/firn.desktop"
command -v xdg-mime >/dev/null && xdg-mime install --novendor build/linux/firn-mime.xml || true
command -v update-desktop-database >/dev/null && update-desktop-database "$data/applications" || true
