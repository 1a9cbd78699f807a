package app

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// BenchmarkExecuteRoundTrip: a trivial cell over the websocket, from the
// execute frame to its execute_reply.
func BenchmarkExecuteRoundTrip(b *testing.B) {
	h := newHarness(b, nil)
	_, c := h.ready("bench.ipynb")
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		id := fmt.Sprint("b", i)
		if _, reply := c.run(id, "1+1"); reply.Status != "ok" {
			b.Fatalf("reply %+v", reply)
		}
	}
}

// BenchmarkOpenNotebook100: GET content of a 100-cell notebook.
func BenchmarkOpenNotebook100(b *testing.B) {
	h := newHarness(b, nil)
	var cells []string
	for i := range 100 {
		cells = append(cells, fmt.Sprintf("// cell %d\nx%d := %d\nfmt.Println(x%d * 2)\n%s", i, i, i, i, strings.Repeat("// padding line\n", 10)))
	}
	must(b, os.WriteFile(filepath.Join(h.dir, "big.ipynb"), nbJSON(b, cells...), 0o644))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		resp, err := h.client.Get(h.hs.URL + "/api/files/content?path=big.ipynb")
		if err != nil {
			b.Fatal(err)
		}
		n, _ := io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b.Fatal(resp.Status)
		}
		b.SetBytes(n)
	}
}
