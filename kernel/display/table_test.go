package display

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

type glacier struct {
	Name   string
	Area   float64 `display:"Area (km²)"`
	Length int
	notes  string //lint:ignore U1000 an unexported field is not a column
	Secret string `display:"-"`
}

type Place struct {
	Lat, Lon float64
}

type station struct {
	*Place
	ID     string
	Period time.Duration
	Err    error
}

var glaciers = []glacier{
	{Name: "Hintereisferner", Area: 8.04, Length: 7200, Secret: "x"},
	{Name: "Kesselwandferner", Area: 3.96, Length: 3900},
}

func TestTable(t *testing.T) {
	many := make([]glacier, 1234)
	for i := range many {
		many[i] = glacier{Name: fmt.Sprint("g", i), Area: float64(i) / 4, Length: i}
	}
	cases := []struct {
		name string
		in   any
		text string
		md   string   // text/markdown, when checked
		html []string // in text/html
	}{
		{
			name: "structs",
			in:   glaciers,
			text: `
Name              Area (km²)  Length
----------------  ----------  ------
Hintereisferner         8.04    7200
Kesselwandferner        3.96    3900`,
			md: `
| Name | Area (km²) | Length |
| --- | ---: | ---: |
| Hintereisferner | 8.04 | 7200 |
| Kesselwandferner | 3.96 | 3900 |`,
			html: []string{
				`<thead><tr><th>Name</th><th style="text-align: right">Area (km²)</th><th style="text-align: right">Length</th></tr></thead>`,
				`<tr><td>Hintereisferner</td><td style="text-align: right">8.04</td><td style="text-align: right">7200</td></tr>`,
			},
		},
		{
			name: "pointers to structs, a nil one",
			in:   []*glacier{&glaciers[0], nil},
			text: `
Name             Area (km²)  Length
---------------  ----------  ------
Hintereisferner        8.04    7200
nil`,
		},
		{
			name: "array through a pointer",
			in:   &[1]glacier{glaciers[1]},
			text: `
Name              Area (km²)  Length
----------------  ----------  ------
Kesselwandferner        3.96    3900`,
		},
		{
			name: "embedded struct, Stringer and error fields, nil embedded pointer",
			in: []station{
				{Place: &Place{47.1, 10.8}, ID: "VK", Period: 90 * time.Minute, Err: errors.New("gap in 1998")},
				{ID: "HEF"},
			},
			text: `
 Lat   Lon  ID   Period   Err
----  ----  ---  -------  -----------
47.1  10.8  VK   1h30m0s  gap in 1998
            HEF  0s`,
		},
		{
			name: "empty",
			in:   []glacier{},
			text: `
Name  Area (km²)  Length
----  ----------  ------
(no rows)`,
			md: `
| Name | Area (km²) | Length |
| --- | --- | --- |

(no rows)`,
			html: []string{`<tr><td colspan="3"><em>(no rows)</em></td></tr>`},
		},
		{
			name: "map, sorted by key",
			in:   map[string]float64{"ELA": 2600, "Gradient": 3, "A": 2.4e-24},
			text: `
key         value
--------  -------
A         2.4e-24
ELA          2600
Gradient        3`,
		},
		{
			name: "map with number keys",
			in:   map[int]string{10: "ten", 9: "nine", -1: "minus one"},
			text: `
key  value
---  ---------
 -1  minus one
  9  nine
 10  ten`,
		},
		{
			name: "slice of maps, a column per key",
			in:   []map[string]any{{"year": 0, "volume": 0.5}, {"year": 10, "note": "surge | advance"}},
			text: `
note             volume  year
---------------  ------  ----
                    0.5     0
surge | advance            10`,
			md: `
| note | volume | year |
| --- | ---: | ---: |
|  | 0.5 | 0 |
| surge \| advance |  | 10 |`,
		},
		{
			name: "one struct",
			in:   glaciers[0],
			text: `
field       value
----------  ---------------
Name        Hintereisferner
Area (km²)  8.04
Length      7200`,
		},
		{
			name: "slice of numbers",
			in:   []float64{1, 2.5, -3e9},
			text: `
 value
------
     1
   2.5
-3e+09`,
		},
		{
			name: "cells with markup and line breaks",
			in:   []struct{ Note string }{{"<b>a</b>\nb"}, {"*x* & _y_"}},
			text: `
Note
----------
<b>a</b> b
*x* & _y_`,
			md: `
| Note |
| --- |
| &lt;b&gt;a&lt;/b&gt; b |
| \*x\* &amp; \_y\_ |`,
			html: []string{"<td>&lt;b&gt;a&lt;/b&gt;\nb</td>"},
		},
		{
			name: "nested values in cells",
			in:   []struct{ Bed []float64 }{{[]float64{3000, 2990}}, {nil}},
			text: `
Bed
-----------
[3000 2990]
[]`,
		},
		{
			name: "more than 1000 rows",
			in:   many,
			html: []string{"<tr><td>g999</td>", `<tr><td colspan="3"><em>… 234 more rows</em></td></tr>`},
		},
		{name: "nil", in: nil, text: "display.Table: cannot make a table of nil; want a slice of structs or maps, a map or a struct"},
		{name: "nil pointer", in: (*[]glacier)(nil), text: "display.Table: cannot make a table of a nil *[]display.glacier; want a slice of structs or maps, a map or a struct"},
		{name: "a number", in: 3, text: "display.Table: cannot make a table of a int; want a slice of structs or maps, a map or a struct"},
		{name: "no exported fields", in: []struct{ x int }{{1}}, text: "display.Table: cannot make a table of a []struct { x int }: struct { x int } has no exported fields"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := Table(c.in)
			if c.text != "" {
				if got, want := b.Data[mimeText], strings.TrimPrefix(c.text, "\n"); got != want {
					t.Errorf("text/plain:\n%s\nwant:\n%s", got, want)
				}
			}
			if c.md != "" {
				if got, want := b.Data[mimeMarkdown], strings.TrimPrefix(c.md, "\n"); got != want {
					t.Errorf("text/markdown:\n%s\nwant:\n%s", got, want)
				}
			}
			html, _ := b.Data[mimeHTML].(string)
			for _, h := range c.html {
				if !strings.Contains(html, h) {
					t.Errorf("text/html lacks %q:\n%.2000s", h, html)
				}
			}
		})
	}
}

func TestTableTruncation(t *testing.T) {
	for _, n := range []int{999, 1000, 1001, 5000} {
		rows := make([][]any, n)
		for i := range rows {
			rows[i] = []any{i}
		}
		b := Rows([]string{"i"}, rows)
		text := b.Data[mimeText].(string)
		lines := strings.Split(text, "\n")
		shown := min(n, maxRows)
		wantLines := 2 + shown
		if n > maxRows {
			wantLines++
			if last, want := lines[len(lines)-1], fmt.Sprintf("… %d more rows", n-maxRows); last != want {
				t.Errorf("%d rows: last line %q, want %q", n, last, want)
			}
			md := b.Data[mimeMarkdown].(string)
			if !strings.HasSuffix(md, fmt.Sprintf("| %d |\n\n… %d more rows", maxRows-1, n-maxRows)) {
				t.Errorf("%d rows: markdown ends %q", n, md[len(md)-40:])
			}
		}
		if len(lines) != wantLines {
			t.Errorf("%d rows: %d lines of text, want %d", n, len(lines), wantLines)
		}
		if got := strings.Count(b.Data[mimeHTML].(string), "<tr>"); got != wantLines-1 {
			t.Errorf("%d rows: %d HTML rows, want %d", n, got, wantLines-1)
		}
	}
}

func TestRows(t *testing.T) {
	cases := []struct {
		name   string
		header []string
		rows   [][]any
		text   string
	}{
		{
			name:   "ragged rows",
			header: []string{"ELA (m)", "volume (km³)"},
			rows:   [][]any{{2600, 0.42}, {2700}, {2800, 0.12, "retreating"}},
			text: `
ELA (m)  volume (km³)
-------  ------------  ----------
   2600          0.42
   2700
   2800          0.12  retreating`,
		},
		{
			name:   "mixed column is left-aligned, nil is empty",
			header: []string{"x"},
			rows:   [][]any{{1}, {"two"}, {nil}, {true}},
			text: `
x
----
1
two

true`,
		},
		{
			name: "no header",
			rows: [][]any{{1, 2}},
			text: "1  2",
		},
		{
			name:   "no rows",
			header: []string{"a", "b"},
			text: `
a  b
-  -
(no rows)`,
		},
		{
			name: "nothing",
			text: "(empty table: 0 rows without columns)",
		},
		{
			name:   "long and multi-line cells",
			header: []string{"s"},
			rows:   [][]any{{strings.Repeat("é", 70)}, {"a\tb\nc"}},
			text: `
s
-------------------------------------------------------------
` + strings.Repeat("é", 60) + `…
a b c`,
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := Rows(c.header, c.rows)
			if got, want := b.Data[mimeText], strings.TrimPrefix(c.text, "\n"); got != want {
				t.Errorf("text/plain:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}
