package jupyter_test

import (
	"sync"
	"testing"

	"github.com/firnglacier/firn/kernel/jupyter"
)

// TestInputRequest: a cell that reads standard input — fmt.Scanln, a
// bufio reader on os.Stdin — gets what the frontend answers to each
// input_request; a request that does not allow stdin reads end of file;
// the kernel asks nothing of cells that do not read.
func TestInputRequest(t *testing.T) {
	k, ctx := startFirn(t)
	for _, tc := range []struct {
		name    string
		code    string
		answers []string // nil: allow_stdin false
		want    string
	}{
		{"fmt.Scanln", `fmt.Print("name? "); var name string; fmt.Scanln(&name); fmt.Println("hello,", name)`,
			[]string{"glacier"}, "name? hello, glacier\n"},
		{"two lines from a bufio reader", "import \"bufio\"\nr := bufio.NewReader(os.Stdin)\na, _ := r.ReadString('\\n')\nb, _ := r.ReadString('\\n')\nfmt.Printf(\"%q %q\\n\", a, b)",
			[]string{"firn", "névé"}, "\"firn\\n\" \"névé\\n\"\n"},
		{"no stdin allowed: end of file", `var s string; _, err := fmt.Scanln(&s); fmt.Println("read", len(s), err)`,
			nil, "read 0 EOF\n"},
		{"a cell that does not read", `fmt.Println("no input")`, []string{}, "no input\n"},
		{"stdin again after end of file", `var t string; fmt.Scanln(&t); fmt.Println("got", t)`,
			[]string{"ice"}, "got ice\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var mu sync.Mutex
			var asked []string
			req := jupyter.ExecuteRequest{Code: tc.code}
			if tc.answers != nil {
				req.Input = func(prompt string, password bool) string {
					mu.Lock()
					defer mu.Unlock()
					n := len(asked)
					asked = append(asked, prompt)
					if n >= len(tc.answers) {
						t.Errorf("input_request %d, want %d", n+1, len(tc.answers))
						return ""
					}
					return tc.answers[n]
				}
			}
			var o outputs
			reply, err := k.ExecuteRequest(ctx, req, o.add)
			if err != nil {
				t.Fatal(err)
			}
			if reply.Status != "ok" || o.text() != tc.want {
				t.Errorf("status %s, output %q; want ok, %q", reply.Status, o.text(), tc.want)
			}
			mu.Lock()
			defer mu.Unlock()
			if tc.answers != nil && len(asked) != len(tc.answers) {
				t.Errorf("%d input requests (%q), want %d", len(asked), asked, len(tc.answers))
			}
		})
	}
}
