#!/usr/bin/env bash
# Draws build/appicon.png (1024×1024), Firn's app icon: a glacier flowing
# from a snowy peak, on a sky-blue rounded square. Needs ImageMagick.
# Wails derives the Windows .ico and the macOS .icns from appicon.png.
set -euo pipefail
cd "$(dirname "$0")"
convert -size 1024x1024 xc:none \
  -fill '#1f6fb2' -draw 'roundrectangle 32,32 992,992 180,180' \
  -fill '#5aa9e6' -draw 'roundrectangle 32,32 992,560 180,180' -draw 'rectangle 32,400 992,560' \
  -fill '#3d4a5c' -draw 'polygon 96,880 420,250 560,420 700,300 928,880' \
  -fill '#ffffff' -draw 'polygon 360,366 420,250 480,350 450,330 420,380 395,340' \
  -fill '#ffffff' -draw 'polygon 640,400 700,300 770,420 730,400 700,440 670,410' \
  -fill '#dff3ff' -draw 'polygon 420,380 480,350 560,420 640,400 700,440 760,640 820,880 300,880 360,640' \
  -fill '#9fd6f5' -draw 'polygon 430,520 520,500 610,540 700,520 740,660 780,860 340,860 380,660' \
  -strip appicon.png
