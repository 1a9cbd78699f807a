package hub

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"time"

	_ "modernc.org/sqlite" // the pure-Go SQLite driver "sqlite"
)

// DBFile is the name of the hub's database in its data folder.
const DBFile = "hub.db"

// Roles of a user.
const (
	RoleAdmin   = "admin"
	RoleTeacher = "teacher"
	RoleStudent = "student"
)

// migrations bring the schema from version i to i+1 (PRAGMA
// user_version). They are never edited once released: a change is a new
// migration.
var migrations = []string{
	// 1: users, groups (classes) and their members.
	`CREATE TABLE users (
		id INTEGER PRIMARY KEY,
		name TEXT NOT NULL UNIQUE,
		role TEXT NOT NULL CHECK (role IN ('admin', 'teacher', 'student')),
		password TEXT NOT NULL,
		disabled INTEGER NOT NULL DEFAULT 0,
		created TEXT NOT NULL
	);
	CREATE TABLE groups (
		id INTEGER PRIMARY KEY,
		name TEXT NOT NULL UNIQUE,
		created TEXT NOT NULL
	);
	CREATE TABLE members (
		group_id INTEGER NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
		user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
		PRIMARY KEY (group_id, user_id)
	);`,
	// 2: login sessions (the SHA-256 of the cookie, never the cookie) and
	// the time of each user's last login.
	`CREATE TABLE sessions (
		hash TEXT PRIMARY KEY,
		user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
		csrf TEXT NOT NULL,
		created TEXT NOT NULL,
		expires TEXT NOT NULL
	);
	CREATE INDEX sessions_user ON sessions(user_id);
	ALTER TABLE users ADD COLUMN last_login TEXT NOT NULL DEFAULT '';`,
	// 3: invitations (the SHA-256 of the link's token), one use each, for
	// the students a class adds without passwords.
	`CREATE TABLE invitations (
		hash TEXT PRIMARY KEY,
		user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
		created TEXT NOT NULL,
		expires TEXT NOT NULL
	);
	CREATE INDEX invitations_user ON invitations(user_id);`,
	// 4: folders published to a class (their files are under
	// DATA/published/CLASS/NAME), what each student got of each file (the
	// SHA-256 of the copy handed out, to tell an edited copy from an
	// untouched one) and up to which version, and hand-ins.
	`CREATE TABLE publications (
		id INTEGER PRIMARY KEY,
		group_id INTEGER NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
		name TEXT NOT NULL,
		version INTEGER NOT NULL,
		published TEXT NOT NULL,
		UNIQUE (group_id, name)
	);
	CREATE TABLE copies (
		publication_id INTEGER NOT NULL REFERENCES publications(id) ON DELETE CASCADE,
		user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
		path TEXT NOT NULL,
		sha256 TEXT NOT NULL,
		PRIMARY KEY (publication_id, user_id, path)
	);
	CREATE TABLE synced (
		publication_id INTEGER NOT NULL REFERENCES publications(id) ON DELETE CASCADE,
		user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
		version INTEGER NOT NULL,
		PRIMARY KEY (publication_id, user_id)
	);
	CREATE TABLE handins (
		id INTEGER PRIMARY KEY,
		publication_id INTEGER NOT NULL REFERENCES publications(id) ON DELETE CASCADE,
		user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
		path TEXT NOT NULL,
		handed_in TEXT NOT NULL,
		UNIQUE (publication_id, user_id, path)
	);`,
	// 5: the accounts of users who sign in with an OpenID Connect
	// provider: its issuer and the user's subject there.
	`CREATE TABLE identities (
		issuer TEXT NOT NULL,
		subject TEXT NOT NULL,
		user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
		created TEXT NOT NULL,
		PRIMARY KEY (issuer, subject)
	);
	CREATE INDEX identities_user ON identities(user_id);`,
	// 6: read-only share links of notebooks (the link's token, a read
	// capability of one file; one link per user and path).
	`CREATE TABLE shares (
		token TEXT PRIMARY KEY,
		user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
		path TEXT NOT NULL,
		created TEXT NOT NULL,
		UNIQUE (user_id, path)
	);`,
}

// noPassword is the password column of a user who has none yet (invited,
// not yet signed up): no password matches it.
const noPassword = "!"

// SchemaVersion is the version of the schema this code writes.
var SchemaVersion = len(migrations)

// Store is the hub's database: users, groups and login sessions.
type Store struct {
	db *sql.DB
}

// User is an account of the hub.
type User struct {
	Name      string
	Role      string
	Disabled  bool
	Created   time.Time
	LastLogin time.Time // zero: never
	Groups    []string
}

var nameRE = regexp.MustCompile(`^[a-z][a-z0-9_-]{0,31}$`)

// CheckName says why name cannot be a user's or group's name (nil if it
// can): it is a folder name and part of URLs.
func CheckName(field, name string) error {
	if !nameRE.MatchString(name) {
		return fmt.Errorf("%s %q: use 1 to 32 lower-case letters, digits, '-' or '_', starting with a letter", field, name)
	}
	return nil
}

// CheckRole says why role is not one of admin, teacher, student.
func CheckRole(role string) error {
	switch role {
	case RoleAdmin, RoleTeacher, RoleStudent:
		return nil
	}
	return fmt.Errorf("role %q: use admin, teacher or student", role)
}

// OpenStore opens (creating it if needed) the database in dir and
// migrates it to SchemaVersion.
func OpenStore(dir string) (*Store, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("hub data folder: %w", err)
	}
	path := filepath.Join(dir, DBFile)
	// Every transaction of the store writes, and takes the write lock at
	// its start (_txlock=immediate: BEGIN IMMEDIATE; others wait, under
	// busy_timeout). In a deferred one, two that start at once both read,
	// and the second fails to write (SQLITE_BUSY) instead of reading what
	// the first wrote (TestAddUserAtOnce).
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=foreign_keys(1)&_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if err := migrate(db); err != nil {
		db.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	_ = os.Chmod(path, 0o600)
	return &Store{db: db}, nil
}

// migrate applies the migrations the database has not had, each in a
// transaction with its new user_version.
func migrate(db *sql.DB) error {
	var v int
	if err := db.QueryRow(`PRAGMA user_version`).Scan(&v); err != nil {
		return fmt.Errorf("schema version: %w", err)
	}
	if v > len(migrations) {
		return fmt.Errorf("schema version %d is newer than this firn's (%d): use a newer firn", v, len(migrations))
	}
	for i := v; i < len(migrations); i++ {
		tx, err := db.Begin()
		if err != nil {
			return err
		}
		if _, err := tx.Exec(migrations[i]); err != nil {
			tx.Rollback()
			return fmt.Errorf("migration to schema version %d: %w", i+1, err)
		}
		if _, err := tx.Exec(fmt.Sprintf(`PRAGMA user_version = %d`, i+1)); err != nil {
			tx.Rollback()
			return fmt.Errorf("migration to schema version %d: %w", i+1, err)
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("migration to schema version %d: %w", i+1, err)
		}
	}
	return nil
}

// Version is the schema version of the open database.
func (s *Store) Version() (int, error) {
	var v int
	err := s.db.QueryRow(`PRAGMA user_version`).Scan(&v)
	return v, err
}

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

// ErrExists is returned when a user or group of that name exists.
var ErrExists = errors.New("exists")

// ErrNoUser is returned for a user who does not exist.
var ErrNoUser = errors.New("no such user")

// AddUser adds a user with the password (hashed with argon2id here) and
// role, member of the group if it is not empty (created if needed).
func (s *Store) AddUser(ctx context.Context, name, role, password, group string, now time.Time) error {
	if err := CheckName("user name", name); err != nil {
		return err
	}
	if err := CheckRole(role); err != nil {
		return err
	}
	if group != "" {
		if err := CheckName("group name", group); err != nil {
			return err
		}
	}
	if err := checkPassword(password); err != nil {
		return err
	}
	hash, err := hashPassword(password)
	if err != nil {
		return err
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var n int
	if err := tx.QueryRow(`SELECT count(*) FROM users WHERE name = ?`, name).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return fmt.Errorf("user name %q: %w", name, ErrExists)
	}
	res, err := tx.Exec(`INSERT INTO users (name, role, password, created) VALUES (?, ?, ?, ?)`, name, role, hash, now.UTC().Format(time.RFC3339))
	if err != nil {
		return fmt.Errorf("user %s: %w", name, err)
	}
	uid, _ := res.LastInsertId()
	if group != "" {
		if _, err := tx.Exec(`INSERT INTO groups (name, created) VALUES (?, ?) ON CONFLICT(name) DO NOTHING`, group, now.UTC().Format(time.RFC3339)); err != nil {
			return fmt.Errorf("group %s: %w", group, err)
		}
		if _, err := tx.Exec(`INSERT INTO members (group_id, user_id) SELECT id, ? FROM groups WHERE name = ?`, uid, group); err != nil {
			return fmt.Errorf("group %s: %w", group, err)
		}
	}
	return tx.Commit()
}

// SetDisabled disables (or enables) a user; disabling ends every login
// session of theirs.
func (s *Store) SetDisabled(ctx context.Context, name string, disabled bool) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	res, err := tx.Exec(`UPDATE users SET disabled = ? WHERE name = ?`, disabled, name)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("user name %q: %w", name, ErrNoUser)
	}
	if disabled {
		if _, err := tx.Exec(`DELETE FROM sessions WHERE user_id = (SELECT id FROM users WHERE name = ?)`, name); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// Users lists the users by name.
func (s *Store) Users(ctx context.Context) ([]User, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT u.name, u.role, u.disabled, u.created, u.last_login,
		coalesce((SELECT group_concat(g.name, ',') FROM members m JOIN groups g ON g.id = m.group_id WHERE m.user_id = u.id), '')
		FROM users u ORDER BY u.name`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var us []User
	for rows.Next() {
		var u User
		var created, last, groups string
		if err := rows.Scan(&u.Name, &u.Role, &u.Disabled, &created, &last, &groups); err != nil {
			return nil, err
		}
		u.Created, _ = time.Parse(time.RFC3339, created)
		u.LastLogin, _ = time.Parse(time.RFC3339, last)
		if groups != "" {
			u.Groups = splitComma(groups)
		}
		us = append(us, u)
	}
	return us, rows.Err()
}

func splitComma(s string) []string {
	var out []string
	start := 0
	for i := 0; i <= len(s); i++ {
		if i == len(s) || s[i] == ',' {
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return out
}

// checkLogin checks name's password; it answers the user (enabled) or
// nil. An unknown name costs the same hashing as a known one.
func (s *Store) checkLogin(ctx context.Context, name, password string) (*User, error) {
	var hash, role string
	var disabled bool
	err := s.db.QueryRowContext(ctx, `SELECT password, role, disabled FROM users WHERE name = ?`, name).Scan(&hash, &role, &disabled)
	if errors.Is(err, sql.ErrNoRows) {
		verifyPassword(dummyHash(), password)
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if hash == noPassword || hash == oidcPassword {
		verifyPassword(dummyHash(), password) // the same cost as a real check
		return nil, nil
	}
	if !verifyPassword(hash, password) || disabled {
		return nil, nil
	}
	return &User{Name: name, Role: role}, nil
}

// newSession records a login session of name until expires and returns
// the cookie's value and the session's CSRF value.
func (s *Store) newSession(ctx context.Context, name string, now, expires time.Time) (token, csrf string, err error) {
	token, csrf = randomHex(32), randomHex(32)
	_, err = s.db.ExecContext(ctx, `INSERT INTO sessions (hash, user_id, csrf, created, expires)
		SELECT ?, id, ?, ?, ? FROM users WHERE name = ?`,
		tokenHash(token), csrf, now.UTC().Format(time.RFC3339), expires.UTC().Format(time.RFC3339Nano), name)
	if err != nil {
		return "", "", err
	}
	_, err = s.db.ExecContext(ctx, `UPDATE users SET last_login = ? WHERE name = ?`, now.UTC().Format(time.RFC3339), name)
	return token, csrf, err
}

// session looks up a login session by its cookie: the user and the
// session's CSRF value, or ok false if it is unknown, expired, or its
// user is disabled.
func (s *Store) session(ctx context.Context, token string, now time.Time) (u User, csrf string, ok bool, err error) {
	var expires string
	err = s.db.QueryRowContext(ctx, `SELECT u.name, u.role, s.csrf, s.expires FROM sessions s JOIN users u ON u.id = s.user_id
		WHERE s.hash = ? AND u.disabled = 0`, tokenHash(token)).Scan(&u.Name, &u.Role, &csrf, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, "", false, nil
	}
	if err != nil {
		return User{}, "", false, err
	}
	exp, err := time.Parse(time.RFC3339Nano, expires)
	if err != nil || !now.Before(exp) {
		_, _ = s.db.ExecContext(ctx, `DELETE FROM sessions WHERE hash = ?`, tokenHash(token))
		return User{}, "", false, nil
	}
	return u, csrf, true, nil
}

// endSession revokes a login session.
func (s *Store) endSession(ctx context.Context, token string) error {
	_, err := s.db.ExecContext(ctx, `DELETE FROM sessions WHERE hash = ?`, tokenHash(token))
	return err
}

func tokenHash(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported systems
	}
	return hex.EncodeToString(b)
}

// An Invitation is a student's one-use link to choose a password.
type Invitation struct {
	// Name is the student's user name.
	Name string
	// Token goes in the link /invite/TOKEN; only its hash is stored.
	Token string
	// Expires is when the link stops working.
	Expires time.Time
}

// ErrInvitation is wrapped by the error of a link that is unknown,
// used or expired.
var ErrInvitation = errors.New("this invitation link is unknown, used or expired: ask your teacher for a new one")

// AddClass makes the group class (if new) and adds the students to it:
// a new name becomes a student without a password and gets an
// invitation valid for ttl; a student who has no password yet gets a new
// one (the old links stop working); a user who has a password is only
// added to the class. It returns the invitations, in the students'
// order, and the names that were already users.
func (s *Store) AddClass(ctx context.Context, class string, students []string, now time.Time, ttl time.Duration) (invites []Invitation, existing []string, err error) {
	if err := CheckName("class name", class); err != nil {
		return nil, nil, err
	}
	seen := map[string]bool{}
	for i, n := range students {
		if err := CheckName(fmt.Sprintf("student %d's name", i+1), n); err != nil {
			return nil, nil, err
		}
		if seen[n] {
			return nil, nil, fmt.Errorf("student %q is listed twice", n)
		}
		seen[n] = true
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, nil, err
	}
	defer tx.Rollback()
	stamp := now.UTC().Format(time.RFC3339)
	if _, err := tx.Exec(`INSERT INTO groups (name, created) VALUES (?, ?) ON CONFLICT(name) DO NOTHING`, class, stamp); err != nil {
		return nil, nil, fmt.Errorf("class %s: %w", class, err)
	}
	expires := now.Add(ttl)
	for _, n := range students {
		var uid int64
		var hash string
		err := tx.QueryRow(`SELECT id, password FROM users WHERE name = ?`, n).Scan(&uid, &hash)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			res, err := tx.Exec(`INSERT INTO users (name, role, password, created) VALUES (?, ?, ?, ?)`, n, RoleStudent, noPassword, stamp)
			if err != nil {
				return nil, nil, fmt.Errorf("student %s: %w", n, err)
			}
			uid, _ = res.LastInsertId()
		case err != nil:
			return nil, nil, err
		case hash != noPassword:
			existing = append(existing, n)
		}
		if _, err := tx.Exec(`INSERT INTO members (group_id, user_id) SELECT id, ? FROM groups WHERE name = ? ON CONFLICT DO NOTHING`, uid, class); err != nil {
			return nil, nil, fmt.Errorf("class %s: %w", class, err)
		}
		if hash != "" && hash != noPassword {
			continue
		}
		token := randomHex(24)
		if _, err := tx.Exec(`DELETE FROM invitations WHERE user_id = ?`, uid); err != nil {
			return nil, nil, err
		}
		if _, err := tx.Exec(`INSERT INTO invitations (hash, user_id, created, expires) VALUES (?, ?, ?, ?)`,
			tokenHash(token), uid, stamp, expires.UTC().Format(time.RFC3339Nano)); err != nil {
			return nil, nil, fmt.Errorf("invitation of %s: %w", n, err)
		}
		invites = append(invites, Invitation{Name: n, Token: token, Expires: expires})
	}
	if err := tx.Commit(); err != nil {
		return nil, nil, err
	}
	return invites, existing, nil
}

// invitee returns the name of the user an invitation link is for, or an
// error wrapping ErrInvitation.
func (s *Store) invitee(ctx context.Context, token string, now time.Time) (string, error) {
	_, name, err := findInvitation(ctx, s.db, token, now)
	return name, err
}

// findInvitation looks up a link that works: its user's id and name, or
// an error wrapping ErrInvitation (unknown, used, expired, or its user
// disabled). q is the database or a transaction.
func findInvitation(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, token string, now time.Time) (uid int64, name string, err error) {
	var expires string
	err = q.QueryRowContext(ctx, `SELECT u.id, u.name, i.expires FROM invitations i JOIN users u ON u.id = i.user_id
		WHERE i.hash = ? AND u.disabled = 0`, tokenHash(token)).Scan(&uid, &name, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, "", ErrInvitation
	}
	if err != nil {
		return 0, "", err
	}
	if exp, err := time.Parse(time.RFC3339Nano, expires); err != nil || !now.Before(exp) {
		return 0, "", ErrInvitation
	}
	return uid, name, nil
}

// redeem sets the password of the invitation's user and spends the link
// (every link of that user): it answers the user's name.
func (s *Store) redeem(ctx context.Context, token, password string, now time.Time) (string, error) {
	if err := checkPassword(password); err != nil {
		return "", err
	}
	hash, err := hashPassword(password)
	if err != nil {
		return "", err
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return "", err
	}
	defer tx.Rollback()
	uid, name, err := findInvitation(ctx, tx, token, now)
	if err != nil {
		return "", err
	}
	if _, err := tx.Exec(`UPDATE users SET password = ? WHERE id = ?`, hash, uid); err != nil {
		return "", err
	}
	if _, err := tx.Exec(`DELETE FROM invitations WHERE user_id = ?`, uid); err != nil {
		return "", err
	}
	return name, tx.Commit()
}
