package hub

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"testing"
	"time"
)

// schemaV1 is the database as the first version of the hub wrote it.
const schemaV1 = `CREATE TABLE users (
		id INTEGER PRIMARY KEY,
		name TEXT NOT NULL UNIQUE,
		role TEXT NOT NULL CHECK (role IN ('admin', 'teacher', 'student')),
		password TEXT NOT NULL,
		disabled INTEGER NOT NULL DEFAULT 0,
		created TEXT NOT NULL
	);
	CREATE TABLE groups (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, created TEXT NOT NULL);
	CREATE TABLE members (
		group_id INTEGER NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
		user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
		PRIMARY KEY (group_id, user_id)
	);
	PRAGMA user_version = 1;`

// TestMigrateV1: a version-1 database (no login sessions) with a user in
// a class opens migrated to the current version; the user keeps her
// password, role and class, and can log in (a session is stored).
func TestMigrateV1(t *testing.T) {
	dir := t.TempDir()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, DBFile))
	if err != nil {
		t.Fatal(err)
	}
	hash, _ := hashPassword("moraine-2026")
	for _, q := range []string{schemaV1,
		`INSERT INTO users (name, role, password, created) VALUES ('alice', 'student', '` + hash + `', '2026-09-01T08:00:00Z')`,
		`INSERT INTO groups (name, created) VALUES ('glac101', '2026-09-01T08:00:00Z')`,
		`INSERT INTO members SELECT g.id, u.id FROM groups g, users u`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()

	s, err := OpenStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if v, err := s.Version(); err != nil || v != SchemaVersion || v < 2 {
		t.Fatalf("schema version %d (%v), want %d", v, err, SchemaVersion)
	}
	ctx := context.Background()
	users, err := s.Users(ctx)
	if err != nil || len(users) != 1 || users[0].Name != "alice" || users[0].Role != RoleStudent || len(users[0].Groups) != 1 || users[0].Groups[0] != "glac101" || !users[0].LastLogin.IsZero() {
		t.Fatalf("users after migration: %+v (%v)", users, err)
	}
	u, err := s.checkLogin(ctx, "alice", "moraine-2026")
	if err != nil || u == nil {
		t.Fatalf("alice's password after migration: %v %v", u, err)
	}
	now := time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC)
	tok, _, err := s.newSession(ctx, "alice", now, now.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if got, _, ok, err := s.session(ctx, tok, now); !ok || err != nil || got.Name != "alice" {
		t.Errorf("session after migration: %v %v %v", got, ok, err)
	}
	// A database of a newer Firn is refused, not downgraded.
	if _, err := s.db.Exec(`PRAGMA user_version = 99`); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if _, err := OpenStore(dir); err == nil {
		t.Error("a schema of version 99 opened")
	}
}

// TestPasswords: argon2id hashes with a salt of their own per user; the
// right password matches, others do not; the database holds no password.
func TestPasswords(t *testing.T) {
	a, _ := hashPassword("same password")
	b, _ := hashPassword("same password")
	if a == b {
		t.Error("two hashes of one password are equal: no per-user salt")
	}
	if len(a) < 40 || a[:10] != "$argon2id$" {
		t.Errorf("hash %q is not argon2id's PHC string", a)
	}
	for _, c := range []struct {
		pw   string
		want bool
	}{{"same password", true}, {"same passwor", false}, {"same password ", false}, {"", false}} {
		if got := verifyPassword(a, c.pw); got != c.want {
			t.Errorf("verify %q: %v, want %v", c.pw, got, c.want)
		}
	}
	if verifyPassword("$argon2id$v=19$m=0,t=0,p=0$$", "x") {
		t.Error("a malformed hash matched")
	}
}

// BenchmarkVerifyPassword is the cost of one login's argon2id check.
func BenchmarkVerifyPassword(b *testing.B) {
	h, _ := hashPassword("moraine-2026")
	for b.Loop() {
		if !verifyPassword(h, "moraine-2026") {
			b.Fatal("no match")
		}
	}
}

// TestAddUserAtOnce: the same account added by several processes at
// once (two `firn hub user add`, a class import beside it) is made once,
// and every other attempt is told the name is taken, not that the
// database was busy: the store's transactions take the write lock at
// their start (_txlock=immediate), so each reads what the one before
// wrote.
func TestAddUserAtOnce(t *testing.T) {
	dir := t.TempDir()
	const n = 8
	stores := make([]*Store, n) // one per "process": their own connections
	for i := range stores {
		s, err := OpenStore(dir)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		stores[i] = s
	}
	errs := make(chan error, n)
	start := make(chan struct{})
	for _, s := range stores {
		go func() {
			<-start
			errs <- s.AddUser(context.Background(), "ana", RoleStudent, "moraine-2026", "glac101", time.Now())
		}()
	}
	close(start)
	made := 0
	for range n {
		switch err := <-errs; {
		case err == nil:
			made++
		case !errors.Is(err, ErrExists):
			t.Errorf("an attempt failed with %v, want the name taken (ErrExists)", err)
		}
	}
	if made != 1 {
		t.Errorf("%d attempts made the account, want 1", made)
	}
}
