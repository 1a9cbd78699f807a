package main

import (
	"strings"
	"testing"
)

// TestHubUsers: firn hub user add|list|disable, as a teacher types them:
// the list shows what was added, bad input is exit status 2 with a
// message naming the field, --help exits 0.
func TestHubUsers(t *testing.T) {
	data := t.TempDir()
	for _, c := range []struct {
		stdin string
		args  []string
		code  int
		out   string // in stdout
		err   string // in stderr
	}{
		{"", []string{"hub", "--help"}, 0, "firn hub user add NAME", ""},
		{"", []string{"hub", "user", "add", "--help"}, 0, "--password-stdin", ""},
		{"", []string{"hub", "user", "--help"}, 0, "firn hub user list", ""},
		{"moraine-2026\n", []string{"hub", "user", "add", "alice", "--group", "glac101", "--password-stdin", "--data", data}, 0, "added alice (student)", ""},
		{"", []string{"hub", "user", "add", "hans", "--role", "teacher", "--data", data}, 0, "added hans (teacher), password: ", ""},
		{"moraine-2026\n", []string{"hub", "user", "add", "alice", "--password-stdin", "--data", data}, 2, "", `user name "alice": exists`},
		{"moraine-2026\n", []string{"hub", "user", "add", "Alice", "--password-stdin", "--data", data}, 2, "", `user name "Alice": use 1 to 32 lower-case letters`},
		{"short\n", []string{"hub", "user", "add", "bob", "--password-stdin", "--data", data}, 2, "", "--password-stdin: the password has 5 characters; use at least 8"},
		{"", []string{"hub", "user", "add", "bob", "--role", "professor", "--data", data}, 2, "", `--role: role "professor": use admin, teacher or student`},
		{"", []string{"hub", "user", "add", "bob", "--group", "Class 1", "--data", data}, 2, "", `--group "Class 1"`},
		{"", []string{"hub", "user", "add", "--data", data}, 2, "", "want one user NAME"},
		{"", []string{"hub", "user", "disable", "nobody", "--data", data}, 2, "", `user name "nobody": no such user`},
		{"", []string{"hub", "user", "remove", "alice", "--data", data}, 2, "", `unknown subcommand "remove"`},
		{"", []string{"hub", "user", "disable", "hans", "--data", data}, 0, "disabled hans", ""},
		{"", []string{"hub", "--cull-every", "0s"}, 2, "", "--cull-every 0s: want a positive duration"},
	} {
		r := firn(t, c.stdin, c.args...)
		if r.code != c.code || !strings.Contains(r.stdout, c.out) || !strings.Contains(r.stderr, c.err) {
			t.Errorf("firn %s: status %d, stdout %q, stderr %q; want %d, %q, %q", strings.Join(c.args, " "), r.code, r.stdout, r.stderr, c.code, c.out, c.err)
		}
	}
	r := firn(t, "", "hub", "user", "list", "--data", data)
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if r.code != 0 || len(lines) != 3 || !strings.HasPrefix(lines[1], "alice") || !strings.Contains(lines[1], "glac101") || !strings.Contains(lines[1], "active") ||
		!strings.HasPrefix(lines[2], "hans") || !strings.Contains(lines[2], "teacher") || !strings.Contains(lines[2], "disabled") {
		t.Errorf("firn hub user list:\n%s%s", r.stdout, r.stderr)
	}
}
