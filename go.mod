module github.com/firnglacier/firn

go 1.26

require (
	github.com/alecthomas/chroma/v2 v2.27.0
	github.com/gorilla/websocket v1.5.3
	github.com/mattn/go-sixel v0.0.5
	github.com/microcosm-cc/bluemonday v1.0.27
	github.com/paulmach/orb v0.14.0
	github.com/peterh/liner v1.2.2
	github.com/traefik/yaegi v0.16.1
	github.com/yuin/goldmark v1.8.7
	go.yaml.in/yaml/v3 v3.0.6
	golang.org/x/net v0.26.0
	golang.org/x/sys v0.21.0
	gonum.org/v1/gonum v0.17.0
	gonum.org/v1/plot v0.17.0
)

require (
	codeberg.org/go-fonts/liberation v0.5.0 // indirect
	codeberg.org/go-latex/latex v0.2.0 // indirect
	codeberg.org/go-pdf/fpdf v0.11.1 // indirect
	git.sr.ht/~sbinet/gg v0.7.0 // indirect
	github.com/ajstarks/svgo v0.0.0-20211024235047-1546f124cd8b // indirect
	github.com/aymerick/douceur v0.2.0 // indirect
	github.com/dlclark/regexp2/v2 v2.2.1 // indirect
	github.com/golang/freetype v0.0.0-20170609003504-e2365dfdc4a0 // indirect
	github.com/gorilla/css v1.0.1 // indirect
	github.com/mattn/go-runewidth v0.0.3 // indirect
	github.com/soniakeys/quant v1.0.0 // indirect
	golang.org/x/image v0.30.0 // indirect
	golang.org/x/text v0.28.0 // indirect
)
