package main

import (
	"os"
	"path/filepath"
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
		{"", []string{"hub", "--unix-users", "maybe", "--data", data}, 2, "", `--unix-users "maybe": want on, off or auto`},
		{"", []string{"hub", "--cgroups", "maybe", "--data", data}, 2, "", `--cgroups "maybe": want on, off or auto`},
		{"", []string{"hub", "--cgroups", "off", "--user-cpus", "1.5", "--data", data}, 2, "", "--user-cpus and --user-memory need a control group per user"},
		{"", []string{"hub", "--user-memory", "lots", "--data", data}, 2, "", "--user-memory"},
		{"", []string{"hub", "--output", "1KiB", "--data", data}, 2, "", `--output "1KiB": want a size of at least 64KiB`},
		{"", []string{"hub", "--unix-users", "off", "--trusted-kernels", "--addr", "127.0.0.1:0", "--data", data}, 1, "", "need Unix accounts per user (--unix-users)"},
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

// TestHubClassAdd: a teacher adds a class from a spreadsheet's CSV (a
// name column among others, a blank row): each new student gets a link
// on the hub's public address, printed as CSV; a student who already has
// a password is added to the class without a link, and stderr says so;
// the list shows everyone in the class; a bad file is exit status 2 with
// the file, line and field named.
func TestHubClassAdd(t *testing.T) {
	data, dir := t.TempDir(), t.TempDir()
	if r := firn(t, "moraine-2026\n", "hub", "user", "add", "carl", "--password-stdin", "--data", data); r.code != 0 {
		t.Fatalf("user add: %s", r.stderr)
	}
	list := filepath.Join(dir, "geo101.csv")
	if err := os.WriteFile(list, []byte("\ufeffEmail,Name,Group\nana@uni.example,ana,A\n,,\nben@uni.example,ben,B\ncarl@uni.example,carl,A\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := firn(t, "", "hub", "class", "add", "geo101", "--students", list, "--url", "https://hub.example.org/", "--data", data)
	if r.code != 0 {
		t.Fatalf("class add: %d %s", r.code, r.stderr)
	}
	rows := readRows(t, r.stdout)
	if len(rows) != 3 || strings.Join(rows[0], ",") != "name,link,expires" || rows[1][0] != "ana" || rows[2][0] != "ben" {
		t.Fatalf("class add printed:\n%s", r.stdout)
	}
	for _, row := range rows[1:] {
		if !strings.HasPrefix(row[1], "https://hub.example.org/invite/") || len(strings.TrimPrefix(row[1], "https://hub.example.org/invite/")) != 48 {
			t.Errorf("link %q", row[1])
		}
	}
	if rows[1][1] == rows[2][1] {
		t.Error("two students got the same link")
	}
	if !strings.Contains(r.stderr, "class geo101: 3 students, 2 invitation links; already users with a password (added to the class, no link): carl") {
		t.Errorf("stderr %q", r.stderr)
	}
	r = firn(t, "", "hub", "user", "list", "--data", data)
	if strings.Count(r.stdout, "geo101") != 3 {
		t.Errorf("firn hub user list:\n%s", r.stdout)
	}
	noName := filepath.Join(dir, "noname.csv")
	badName := filepath.Join(dir, "badname.csv")
	_ = os.WriteFile(noName, []byte("email\nana@uni.example\n"), 0o644)
	_ = os.WriteFile(badName, []byte("name\nana\nBen Smith\n"), 0o644)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"geo101", "--students", noName}, noName + `: the header "email" has no name column`},
		{[]string{"geo101", "--students", badName}, badName + `:3: name "Ben Smith": use 1 to 32 lower-case letters`},
		{[]string{"Geo 101", "--students", list}, `class name "Geo 101"`},
		{[]string{"geo101"}, "--students FILE.csv is required"},
		{[]string{"geo101", "--students", list, "--url", "hub.example.org"}, `--url "hub.example.org": want http(s)://`},
	} {
		r := firn(t, "", append(append([]string{"hub", "class", "add"}, c.args...), "--data", data)...)
		if r.code != 2 || !strings.Contains(r.stderr, c.want) {
			t.Errorf("class add %v: %d %q, want %q", c.args, r.code, r.stderr, c.want)
		}
	}
}

// TestHubPublish: a teacher publishes a folder to a class from the
// command line; the files are kept in the hub's data folder; again, the
// version goes up; a class that does not exist or a folder that is not
// there is exit status 2 naming it.
func TestHubPublish(t *testing.T) {
	data, dir := t.TempDir(), t.TempDir()
	if r := firn(t, "moraine-2026\n", "hub", "user", "add", "ana", "--group", "geo101", "--password-stdin", "--data", data); r.code != 0 {
		t.Fatalf("user add: %s", r.stderr)
	}
	week := filepath.Join(dir, "week 1")
	if err := os.MkdirAll(week, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(week, "ela.ipynb"), []byte(`{"cells":[],"metadata":{},"nbformat":4,"nbformat_minor":5}`), 0o644); err != nil {
		t.Fatal(err)
	}
	for i, want := range []string{"version 1", "version 2"} {
		r := firn(t, "", "hub", "publish", "geo101", week, "--as", "week1", "--data", data)
		if r.code != 0 || !strings.Contains(r.stdout, "published "+week+" to class geo101 as week1 ("+want+")") {
			t.Fatalf("publish %d: %d %q %q", i+1, r.code, r.stdout, r.stderr)
		}
	}
	if _, err := os.Stat(filepath.Join(data, "published", "geo101", "week1", "ela.ipynb")); err != nil {
		t.Errorf("the published copy: %v", err)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"geo102", week, "--as", "week1"}, "no class geo102"},
		{[]string{"geo101", filepath.Join(dir, "gone")}, "gone: no such file or directory"},
		{[]string{"geo101", week}, `publication name "week 1"`},
		{[]string{"geo101"}, "want CLASS and FOLDER"},
	} {
		r := firn(t, "", append(append([]string{"hub", "publish"}, c.args...), "--data", data)...)
		if r.code != 2 || !strings.Contains(r.stderr, c.want) {
			t.Errorf("publish %v: %d %q, want %q", c.args, r.code, r.stderr, c.want)
		}
	}
}

// TestHubLimitFlags: bad limits are exit status 2 naming the flag, the
// file and the field, before the hub starts.
func TestHubLimitFlags(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "limits.json")
	if err := os.WriteFile(bad, []byte(`{"classes": {"glac101": {"memory": "plenty"}}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--limits", bad}, "firn hub: --limits " + bad + ": classes.glac101.memory"},
		{[]string{"--limits", filepath.Join(t.TempDir(), "none.json")}, "none.json: no such file"},
		{[]string{"--disk", "a lot"}, "firn hub: --disk"},
		{[]string{"--compute-store", "a lot"}, "firn hub: --compute-store"},
		{[]string{"--kernels", "-1"}, "may not be negative"},
	} {
		r := firn(t, "", append([]string{"hub", "--data", t.TempDir()}, c.args...)...)
		if r.code != 2 || !strings.Contains(r.stderr, c.want) {
			t.Errorf("firn hub %v: %d %q, want %q", c.args, r.code, r.stderr, c.want)
		}
	}
}
