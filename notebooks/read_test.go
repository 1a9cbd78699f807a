package notebooks

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fixtures are the real-world-style notebooks in testdata, all written by
// Jupyter's nbformat.
var fixtures = []string{"intro.ipynb", "legacy44.ipynb", "attachments.ipynb"}

func readFixture(t *testing.T, name string) ([]byte, *Notebook) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	nb, err := Read(bytes.NewReader(data), name)
	if err != nil {
		t.Fatalf("Read(%s): %v", name, err)
	}
	return data, nb
}

func writeBytes(t *testing.T, nb *Notebook) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := nb.Write(&b); err != nil {
		t.Fatalf("Write: %v", err)
	}
	return b.Bytes()
}

// diffLine describes the first difference between two texts.
func diffLine(got, want []byte) string {
	g, w := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
	for i := 0; i < len(g) || i < len(w); i++ {
		var gl, wl string
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if gl != wl || i >= len(g) || i >= len(w) {
			return "line " + itoa(i+1) + ":\n got: " + strconvQuote(gl) + "\nwant: " + strconvQuote(wl)
		}
	}
	return "no line differs (lengths " + itoa(len(got)) + ", " + itoa(len(want)) + ")"
}

func TestFixturesRoundTrip(t *testing.T) {
	for _, name := range fixtures {
		t.Run(name, func(t *testing.T) {
			data, nb := readFixture(t, name)
			if got := writeBytes(t, nb); !bytes.Equal(got, data) {
				t.Errorf("re-written %s differs from the file: %s", name, diffLine(got, data))
			}
		})
	}
}

func TestReadModel(t *testing.T) {
	_, nb := readFixture(t, "intro.ipynb")
	if nb.NBFormat != 4 || nb.NBFormatMinor != 5 || len(nb.Cells) != 5 {
		t.Fatalf("got nbformat %d.%d with %d cells, want 4.5 with 5", nb.NBFormat, nb.NBFormatMinor, len(nb.Cells))
	}
	firn := nb.Metadata["firn"].(map[string]any)
	if firn["dt_years"] != json.Number("1.0") || firn["tolerance"] != json.Number("1e-07") {
		t.Errorf("numbers lost their text: %#v", firn)
	}
	run := nb.Cells[2]
	if !strings.HasPrefix(run.Source, "bed := edu.NewBed(3400, 1400, 300)\nmb :=") || run.ID != "run" || *run.ExecutionCount != 2 {
		t.Errorf("cell 2: %+v", run)
	}
	if o := run.Outputs[0]; o.Type != Stream || o.Name != "stdout" || o.Text != "volume: 1.234e+09 m³\n" {
		t.Errorf("stream output: %+v", o)
	}
	if !nb.Cells[1].HasTag("parameters") {
		t.Errorf("cell 1 lacks tag parameters: %v", nb.Cells[1].Metadata)
	}
	_, legacy := readFixture(t, "legacy44.ipynb")
	if legacy.NBFormatMinor != 4 || legacy.Cells[0].ID != "" {
		t.Errorf("legacy: minor %d, first id %q; want 4 and no id", legacy.NBFormatMinor, legacy.Cells[0].ID)
	}
	w := legacy.Cells[3].Outputs[0].Data["application/vnd.jupyter.widget-view+json"]
	if m, ok := w.(map[string]any); !ok || m["model_id"] != "3f2a" {
		t.Errorf("widget view JSON: %#v", w)
	}
	if tb := legacy.Cells[2].Outputs[0].Traceback; len(tb) != 4 || !strings.Contains(tb[0], "\x1b[0;31m") {
		t.Errorf("traceback: %q", tb)
	}
	_, att := readFixture(t, "attachments.ipynb")
	img := att.Cells[0].Attachments["glacier.png"]
	if img["text/plain"] != "a photo\nof a glacier" || !strings.HasSuffix(img["image/png"].(string), "\n") {
		t.Errorf("attachment: %#v", img)
	}
	if string(att.Cells[2].Extra["x_firn_unknown"]) == "" || att.Cells[2].Outputs[0].Extra["x_output_unknown"] == nil || att.Extra["x_top_unknown"] == nil {
		t.Errorf("unknown fields lost")
	}
	if got := att.Cells[2].Outputs[0].Text; got != "a\u2028b\n" {
		t.Errorf("stream text with U+2028: %q", got)
	}
}

func TestReadVersions(t *testing.T) {
	for _, tc := range []struct {
		name, json string
		minor      int
		ids        bool
	}{
		{"4.0", `{"cells": [{"cell_type": "code", "execution_count": null, "metadata": {}, "outputs": [], "source": []}], "metadata": {}, "nbformat": 4, "nbformat_minor": 0}`, 0, false},
		{"4.4", `{"cells": [{"cell_type": "markdown", "metadata": {}, "source": "x"}], "metadata": {}, "nbformat": 4, "nbformat_minor": 4}`, 4, false},
		{"4.5 without ids", `{"cells": [{"cell_type": "markdown", "metadata": {}, "source": "x"}], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}`, 5, true},
		{"4.5 duplicate ids", `{"cells": [{"id": "a", "cell_type": "raw", "metadata": {}, "source": "x"}, {"id": "a", "cell_type": "raw", "metadata": {}, "source": "y"}], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}`, 5, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			nb, err := Read(strings.NewReader(tc.json), "v.ipynb")
			if err != nil {
				t.Fatal(err)
			}
			if nb.NBFormatMinor != tc.minor {
				t.Errorf("minor %d, want %d", nb.NBFormatMinor, tc.minor)
			}
			out := writeBytes(t, nb)
			if got := bytes.Contains(out, []byte(`"id": `)); got != tc.ids {
				t.Errorf("ids written: %v, want %v:\n%s", got, tc.ids, out)
			}
			if tc.ids && (nb.Cells[0].ID == "" || len(nb.Cells) > 1 && nb.Cells[0].ID == nb.Cells[1].ID) {
				t.Errorf("ids not repaired: %q", nb.Cells[0].ID)
			}
		})
	}
}

// TestReadDamaged checks errors and the partial notebook of damaged files.
func TestReadDamaged(t *testing.T) {
	intro, err := os.ReadFile("testdata/intro.ipynb")
	if err != nil {
		t.Fatal(err)
	}
	// Truncate intro.ipynb in the middle of its fourth cell ("plot").
	cut := bytes.Index(intro, []byte(`"image/png": "`)) + 20
	line, col := lineCol(intro, cut)
	garbled := bytes.Replace(intro, []byte(`"id": "plot",`), []byte(`"id": "plot" x`), 1)
	gline, gcol := lineCol(garbled, bytes.Index(garbled, []byte(`x`+"\n")))
	tests := []struct {
		name      string
		data      string
		partial   bool     // a non-nil notebook
		cells     []string // ids of the recovered cells
		msg       []string // substrings of the error
		cell      int      // ReadError.Cell of the first error
		versionEr bool
	}{
		{name: "truncated", data: string(intro[:cut]), partial: true, cells: []string{"intro", "params", "run"},
			msg: []string{"d.ipynb: line " + itoa(line) + ", column " + itoa(col) + ": ", "unexpected end of file"}, cell: -1},
		{name: "garbled", data: string(garbled), partial: true, cells: []string{"intro", "params", "run"},
			msg: []string{"d.ipynb: line " + itoa(gline) + ", column " + itoa(gcol) + ": ", "invalid character 'x'"}, cell: -1},
		{name: "empty", data: "", msg: []string{"d.ipynb: line 1, column 1: empty file"}, cell: -1},
		{name: "not an object", data: "\n [1, 2]", msg: []string{"d.ipynb: line 2, column 2: a notebook is a JSON object"}, cell: -1},
		{name: "nbformat 3", data: `{"metadata": {}, "nbformat": 3, "nbformat_minor": 0, "worksheets": []}`,
			msg: []string{"line 1, column 30: nbformat: unsupported nbformat 3", "jupyter nbconvert --to notebook --nbformat 4 d.ipynb"}, cell: -1, versionEr: true},
		{name: "nbformat 5", data: `{"cells": [], "metadata": {}, "nbformat": 5, "nbformat_minor": 0}`,
			msg: []string{"unsupported nbformat 5", "newer"}, cell: -1, versionEr: true},
		{name: "nbformat missing", data: `{"cells": [{"cell_type": "raw", "id": "r", "metadata": {}, "source": "x"}], "metadata": {}}`,
			partial: true, cells: []string{"r"}, msg: []string{"nbformat: unsupported nbformat: field missing"}, cell: -1, versionEr: true},
		{name: "not a notebook", data: `{"name": "package.json"}`, msg: []string{"field missing"}, cell: -1, versionEr: true},
		{name: "trailing data", data: `{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5} {}`,
			partial: true, msg: []string{"line 1, column 68: unexpected data after"}, cell: -1},
		{name: "cell without source", partial: true, cells: []string{"a", "c"}, cell: 1,
			data: "{\"cells\": [\n{\"id\": \"a\", \"cell_type\": \"code\", \"metadata\": {}, \"outputs\": [], \"execution_count\": null, \"source\": \"1\"},\n" +
				"{\"id\": \"b\", \"cell_type\": \"code\", \"metadata\": {}, \"outputs\": []},\n" +
				"{\"id\": \"c\", \"cell_type\": \"markdown\", \"metadata\": {}, \"source\": [\"x\"]}\n], \"metadata\": {}, \"nbformat\": 4, \"nbformat_minor\": 5}\n",
			msg: []string{`d.ipynb: line 3, column 1: cells[1] (id "b"): source: field missing`}},
		{name: "unknown cell type", partial: true, cells: []string{"a"}, cell: 1,
			data: "{\"cells\": [{\"id\": \"a\", \"cell_type\": \"raw\", \"metadata\": {}, \"source\": \"\"},\n  {\"id\": \"b\", \"cell_type\": \"heading\", \"metadata\": {}, \"source\": \"\"}], \"metadata\": {}, \"nbformat\": 4, \"nbformat_minor\": 5}",
			msg:  []string{`line 2, column 28: cells[1] (id "b"): cell_type: unknown cell type "heading"`}},
		{name: "bad output", partial: true, cells: []string{"a"}, cell: 0,
			data: `{"cells": [{"id": "a", "cell_type": "code", "metadata": {}, "execution_count": 1, "outputs": [{"output_type": "stream", "name": "stdout", "text": 5}], "source": "x"}], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}`,
			msg:  []string{`line 1, column 147: cells[0] (id "a"): outputs[0].text: not a string or a list of strings`}},
		{name: "execution count", partial: true, cells: []string{}, cell: 0,
			data: `{"cells": [{"id": "a", "cell_type": "code", "metadata": {}, "execution_count": "1", "outputs": [], "source": "x"}], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}`,
			msg:  []string{`cells[0] (id "a"): execution_count: "1" is not an integer or null`}},
		{name: "several", partial: true, cells: []string{}, cell: 0,
			data: `{"cells": [{"cell_type": "code"}, {"source": ""}], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}`,
			msg:  []string{`cells[0]: source: field missing`, `cells[1]: cell_type: field missing`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			nb, err := Read(strings.NewReader(tc.data), "d.ipynb")
			if err == nil {
				t.Fatal("no error")
			}
			for _, m := range tc.msg {
				if !strings.Contains(err.Error(), m) {
					t.Errorf("error %q does not contain %q", err, m)
				}
			}
			var re *ReadError
			if !errors.As(err, &re) {
				t.Fatalf("error %v is not a *ReadError", err)
			}
			if re.File != "d.ipynb" || re.Cell != tc.cell || re.Line == 0 {
				t.Errorf("ReadError %+v: want file d.ipynb, cell %d and a line", re, tc.cell)
			}
			if errors.Is(err, ErrVersion) != tc.versionEr {
				t.Errorf("errors.Is(err, ErrVersion) = %v", !tc.versionEr)
			}
			if (nb != nil) != tc.partial {
				t.Fatalf("notebook %v, want partial=%v", nb, tc.partial)
			}
			if nb == nil || tc.cells == nil {
				return
			}
			var ids []string
			for _, c := range nb.Cells {
				ids = append(ids, c.ID)
			}
			if strings.Join(ids, ",") != strings.Join(tc.cells, ",") {
				t.Errorf("recovered cells %q, want %q", ids, tc.cells)
			}
			if tc.name == "bad output" && len(nb.Cells[0].Outputs) != 0 {
				t.Errorf("damaged output kept: %+v", nb.Cells[0].Outputs[0])
			}
			// A partial notebook can be written.
			writeBytes(t, nb)
		})
	}
}

func TestLineCol(t *testing.T) {
	data := []byte("ab\nçd\n")
	for _, tc := range []struct{ off, line, col int }{
		{0, 1, 1}, {2, 1, 3}, {3, 2, 1}, {5, 2, 2}, {6, 2, 3}, {7, 3, 1}, {99, 3, 1},
	} {
		if l, c := lineCol(data, tc.off); l != tc.line || c != tc.col {
			t.Errorf("lineCol(%d) = %d, %d; want %d, %d", tc.off, l, c, tc.line, tc.col)
		}
	}
}
