package notebooks

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// These tests check the package against Jupyter's own nbformat, run by
// Debian's Python (see PLATFORM.md: python3 on PATH lacks the Jupyter
// modules). They fail, not skip, when it is missing.

const systemPython = "/usr/bin/python3"

// python runs a Python script with args and returns its standard output.
func python(t *testing.T, script string, args ...string) []byte {
	t.Helper()
	if _, err := os.Stat(systemPython); err != nil {
		t.Fatalf("%s is missing; these tests need Debian's python3 with nbformat "+
			"(apt-get install -y --no-install-recommends python3-nbformat jupyter-nbconvert): %v", systemPython, err)
	}
	check := exec.Command(systemPython, "-c", "import nbformat")
	if out, err := check.CombinedOutput(); err != nil {
		t.Fatalf("%s cannot import nbformat; install it with "+
			"apt-get install -y --no-install-recommends python3-nbformat jupyter-nbconvert: %v\n%s", systemPython, err, out)
	}
	cmd := exec.Command(systemPython, append([]string{"-c", script}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s script failed: %v\n%s", systemPython, err, stderr.Bytes())
	}
	return out
}

// genScript writes notebooks with nbformat into the directory argv[1].
const genScript = `
import sys, os, base64, nbformat
from nbformat.v4 import new_notebook, new_code_cell, new_markdown_cell, new_raw_cell, new_output
d = sys.argv[1]
png = base64.b64encode(bytes(range(256)) * 3).decode()
weird = "Gletscher – 氷河 – ледник ❄ 😀 <b>&amp;</b> tab\t bell\x07 esc\x1b[0m del\x7f nel\x85 ls\u2028ps\u2029 \"q\" back\\slash"
lines = "one\ntwo\r\nthree\rfour\x0bfive\x0csix\x1cseven\n\neight\n"

def write(name, nb):
    nbformat.write(nb, os.path.join(d, name), version=nbformat.NO_CONVERT)

nb = new_notebook(metadata={
    "kernelspec": {"display_name": "Go (Firn)", "language": "go", "name": "firn"},
    "language_info": {"name": "go", "file_extension": ".go", "mimetype": "text/x-go"},
    "numbers": {"one": 1.0, "tiny": 1e-7, "big": 1e22, "int": 12345678901234567890123, "neg": -0.5, "third": 1/3, "zero": 0.0},
    "unknown": {"nested": [1, [2, [3, {}]], [], None, True, False, weird]},
    "": "empty key", "ü": "non-ASCII key",
})
nb.cells = [
    new_markdown_cell("# Title\n\n" + weird, attachments={
        "a.png": {"image/png": png, "text/plain": lines},
        "b.svg": {"image/svg+xml": "<svg>\n<g/>\n</svg>\n"},
    }),
    new_code_cell("", metadata={"tags": ["parameters", "x"], "collapsed": False, "jupyter": {"source_hidden": True}}),
    new_code_cell(lines + weird, execution_count=7, outputs=[
        new_output("stream", name="stdout", text=lines),
        new_output("stream", name="stderr", text=weird),
        new_output("display_data", data={
            "text/plain": weird, "text/html": "<p>\n" + weird + "\n</p>", "text/markdown": "",
            "image/png": png + "\n", "image/jpeg": png,
            "image/svg+xml": "<svg>\n</svg>", "application/javascript": "alert(1);\nalert(2)",
            "application/json": {"a": [1, 2.50, "x\ny"], "b": None},
            "application/vnd.firn.glacier+json": {"length_m": 5300.0, "lines": ["a\n", "b"]},
            "application/pdf": png,
        }, metadata={"image/png": {"width": 640}, "isolated": True}),
        new_output("execute_result", execution_count=7, data={"text/plain": "42"}),
        new_output("error", ename="Panic", evalue="runtime error: index out of range [3] with length 3",
                   traceback=["\x1b[0;31mpanic\x1b[0m", "goroutine 1 [running]:\nmain.main()\n"]),
    ]),
    new_raw_cell("\n\nleading and trailing blank lines\n\n", metadata={"format": "text/restructuredtext", "raw_mimetype": "text/x-rst"}),
    new_markdown_cell("no attachments", attachments={}),
]
write("full.ipynb", nb)

write("empty.ipynb", new_notebook())

nb = new_notebook(metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})
nb.nbformat_minor = 4
nb.cells = [new_markdown_cell("old"), new_code_cell("1+1", execution_count=1, outputs=[new_output("execute_result", execution_count=1, data={"text/plain": "2"})])]
for c in nb.cells:
    del c["id"]
write("minor4.ipynb", nb)

nb = new_notebook()
nb.cells = [new_code_cell("x", outputs=[new_output("stream", name="stdout", text="")])]
nb.cells[0]["x_unknown_cell_field"] = {"n": 1.0}
nb.cells[0].outputs[0]["x_unknown_output_field"] = [1e-7]
nb.cells.append(new_code_cell("y"))
nb.cells[1].outputs.append(nbformat.from_dict({"output_type": "x_future_output", "payload": {"k": 2.0}}))
nb["x_unknown_top_field"] = "kept"
write("unknown.ipynb", nb)
`

// TestJupyterWrittenByteIdentical reads notebooks written by Jupyter's
// nbformat and checks that Write gives back the same bytes.
func TestJupyterWrittenByteIdentical(t *testing.T) {
	dir := t.TempDir()
	python(t, genScript, dir)
	for _, name := range []string{"full.ipynb", "empty.ipynb", "minor4.ipynb", "unknown.ipynb"} {
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join(dir, name))
			if err != nil {
				t.Fatal(err)
			}
			nb, err := Read(bytes.NewReader(data), name)
			if err != nil {
				t.Fatalf("Read: %v", err)
			}
			if got := writeBytes(t, nb); !bytes.Equal(got, data) {
				t.Errorf("Write of Jupyter's %s is not byte-identical: %s", name, diffLine(got, data))
			}
		})
	}
}

// validateScript validates each file in argv[1:] with nbformat and checks
// that Jupyter writes it back byte for byte. Files whose name starts with
// "go-unknown-" hold fields that nbformat does not know, on purpose, and are
// not validated. It prints one line per file: "ok NAME" or "FAIL NAME: why".
const validateScript = `
import sys, os, json, nbformat
for path in sys.argv[1:]:
    try:
        s = open(path, encoding="utf-8").read()
        if not os.path.basename(path).startswith("go-unknown-"):
            nbformat.validate(json.loads(s))
        # nbformat.read and nbformat.write without their validation.
        nb = nbformat.v4.reads(s)
        again = nbformat.v4.writes(nb) + "\n"
        if again != s:
            raise ValueError("nbformat writes it differently")
        print("ok", path)
    except Exception as e:
        print("FAIL", path + ":", repr(e)[:2000].replace("\n", " "))
`

// TestWrittenNotebooksValidate writes notebooks of every kind with this
// package and has Jupyter validate them and write them again.
func TestWrittenNotebooksValidate(t *testing.T) {
	dir := t.TempDir()
	python(t, genScript, dir)
	var paths []string
	save := func(name string, nb *Notebook) {
		if hasUnknownFields(nb) {
			name = "unknown-" + name
		}
		p := filepath.Join(dir, "go-"+name)
		if err := WriteFile(p, nb); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	save("new.ipynb", New())
	save("built.ipynb", builtNotebook())
	for _, name := range fixtures {
		_, nb := readFixture(t, name)
		save(name, nb)
		// Through the percent form and back.
		var b bytes.Buffer
		if err := WritePercent(&b, nb); err != nil {
			t.Fatal(err)
		}
		pnb, err := ParsePercent(&b, name+".go")
		if err != nil {
			t.Fatal(err)
		}
		save("percent-"+name, pnb)
	}
	for _, name := range []string{"full.ipynb", "empty.ipynb", "minor4.ipynb", "unknown.ipynb"} {
		nb, err := ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		nb.NBFormatMinor = 5 // upgrade
		save("upgraded-"+name, nb)
	}
	out := python(t, validateScript, paths...)
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) != len(paths) {
		t.Fatalf("validation printed %d lines for %d files:\n%s", len(lines), len(paths), out)
	}
	for _, l := range lines {
		if !strings.HasPrefix(l, "ok ") {
			t.Error(l)
		}
	}
}

// builtNotebook is a notebook made with the API, with every kind of cell
// and output.
func builtNotebook() *Notebook {
	nb := New()
	nb.AddCell(NewCell(Markdown, "# Glacier\n\nwith $\\dot b$ ❄"))
	c := nb.AddCell(NewCell(Code, "years := 300"))
	c.Metadata["tags"] = []string{"parameters"}
	run := nb.AddCell(NewCell(Code, "g.Run(years)\ng.Length()"))
	n := 3
	run.ExecutionCount = &n
	run.AppendStream("stdout", "year 100\n")
	run.AppendStream("stdout", "year 200\n")
	run.AppendStream("stderr", "warning\n")
	run.Outputs = append(run.Outputs,
		&Output{Type: DisplayData, Data: MIMEBundle{"text/plain": "<plot>", "image/svg+xml": "<svg>\n</svg>\n",
			"application/json": map[string]any{"length": 5300.5, "ok": true}}},
		&Output{Type: ExecuteResult, ExecutionCount: &n, Data: MIMEBundle{"text/plain": "5300"}, Metadata: map[string]any{}},
		&Output{Type: Error, EName: "panic", EValue: "boom", Traceback: []string{"line 1", "line 2"}})
	raw := nb.AddCell(NewCell(Raw, "raw\ntext"))
	raw.Attachments = map[string]MIMEBundle{"x.txt": {"text/plain": "x\ny"}}
	dup := nb.AddCell(&Cell{ID: raw.ID, Type: Markdown, Source: "same id"})
	_ = dup
	nb.AddCell(&Cell{Type: Code}) // no id, no metadata
	return nb
}

func hasUnknownFields(nb *Notebook) bool {
	if len(nb.Extra) > 0 {
		return true
	}
	for _, c := range nb.Cells {
		if len(c.Extra) > 0 {
			return true
		}
		for _, o := range c.Outputs {
			if len(o.Extra) > 0 || o.Type != Stream && o.Type != DisplayData && o.Type != ExecuteResult && o.Type != Error {
				return true
			}
		}
	}
	return false
}
