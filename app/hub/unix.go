package hub

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/firnglacier/firn/kernel"
)

// Unix accounts per user (Options.UnixUsers), as The Littlest JupyterHub
// gives each of its users one: when the hub runs as root, each hub user
// NAME gets a system account PREFIX+NAME (default prefix "firn-"; made
// with useradd the first time, with no password, no login shell, and the
// user's workspace as its home). Their kernels run under it, their
// workspace (DATA/users/NAME, mode 0700) and every file the hub writes
// there belong to it, and DATA and DATA/users are 0711 (passable, not
// listable). So the system, not only the kernels' sandbox, keeps one
// user's cells out of another's files: with Options.LiftSandbox too.

// DefaultUnixPrefix is the default of Options.UnixPrefix.
const DefaultUnixPrefix = "firn-"

// maxAccountName is the longest account name useradd takes.
const maxAccountName = 32

// accountName is the Unix account of hub user name: prefix+name, or,
// when that is longer than an account name may be, its start and a hash
// of the whole.
func accountName(prefix, name string) string {
	full := prefix + name
	if len(full) <= maxAccountName {
		return full
	}
	sum := sha256.Sum256([]byte(full))
	tag := "-" + hex.EncodeToString(sum[:])[:6]
	return full[:maxAccountName-len(tag)] + tag
}

// checkUnixUsers checks, at New, what kernels under other accounts need:
// root, useradd, and a kernel program that those accounts can run.
func checkUnixUsers(opts Options) error {
	if os.Geteuid() != 0 {
		return errors.New("hub: Unix accounts per user (--unix-users) need the hub to run as root; run it as root or without --unix-users")
	}
	if _, err := exec.LookPath("useradd"); err != nil {
		return fmt.Errorf("hub: Unix accounts per user need useradd (Debian's passwd package): %w", err)
	}
	prog := ""
	if len(opts.KernelOptions.Command) > 0 {
		prog = opts.KernelOptions.Command[0]
	} else if exe, err := os.Executable(); err == nil {
		prog = exe
	}
	if prog == "" {
		return nil
	}
	abs, err := filepath.Abs(prog)
	if err != nil {
		return fmt.Errorf("hub: kernel program %s: %w", prog, err)
	}
	if err := othersCanRun(abs); err != nil {
		return fmt.Errorf("hub: kernels under the users' own accounts cannot run the kernel program: %w; install firn where every account can run it (such as /usr/local/bin)", err)
	}
	return nil
}

// othersCanPass reports why an account other than the owner could not
// pass through the folder dir and the folders above it.
func othersCanPass(dir string) error {
	for ; ; dir = filepath.Dir(dir) {
		di, err := os.Stat(dir)
		if err != nil {
			return err
		}
		if di.Mode().Perm()&0o001 == 0 {
			return fmt.Errorf("the folder %s is closed to other users (mode %s)", dir, di.Mode().Perm())
		}
		if dir == filepath.Dir(dir) {
			return nil
		}
	}
}

// othersCanRun reports why an account other than the file's owner and
// group could not run the program file: a folder on its path they may
// not pass, or the file not executable by others.
func othersCanRun(file string) error {
	fi, err := os.Stat(file)
	if err != nil {
		return err
	}
	if fi.Mode().Perm()&0o001 == 0 {
		return fmt.Errorf("%s is not executable by other users (mode %s)", file, fi.Mode().Perm())
	}
	return othersCanPass(filepath.Dir(file))
}

// openData makes DATA and DATA/users passable for the users' accounts
// (0711: they reach their own workspace, they cannot list the others);
// the folders above DATA must be passable already.
func openData(data string) error {
	if err := othersCanPass(filepath.Dir(data)); err != nil {
		return fmt.Errorf("hub: the users' accounts cannot reach their workspaces in %s: %w; choose a data folder every account may pass through (such as /var/lib/firn-hub)", data, err)
	}
	users := filepath.Join(data, "users")
	if err := os.MkdirAll(users, 0o711); err != nil {
		return fmt.Errorf("hub: %w", err)
	}
	for _, d := range []string{data, users} {
		if err := os.Chmod(d, 0o711); err != nil {
			return fmt.Errorf("hub: %w", err)
		}
	}
	return nil
}

// account is the Unix account of hub user name, made if it is not there
// yet (nil when the hub does not use accounts per user). An account of
// that name whose home is not the user's workspace is someone else's:
// it is refused.
func (h *Hub) account(name string) (*kernel.Account, error) {
	if !h.opts.UnixUsers {
		return nil, nil
	}
	acct := accountName(h.opts.UnixPrefix, name)
	ws := h.Workspace(name)
	u, err := user.Lookup(acct)
	var unknown user.UnknownUserError
	if errors.As(err, &unknown) {
		out, err := exec.Command("useradd", "--system", "--user-group", "--no-create-home",
			"--home-dir", ws, "--shell", "/usr/sbin/nologin", "--comment", "Firn hub user "+name, acct).CombinedOutput()
		if err != nil {
			return nil, fmt.Errorf("the Unix account %s for %s: useradd: %v: %s", acct, name, err, strings.TrimSpace(string(out)))
		}
		h.logger.Info("Unix account made", "user", name, "account", acct)
		u, err = user.Lookup(acct)
		if err != nil {
			return nil, fmt.Errorf("the Unix account %s for %s: %w", acct, name, err)
		}
	} else if err != nil {
		return nil, fmt.Errorf("the Unix account %s for %s: %w", acct, name, err)
	}
	if filepath.Clean(u.HomeDir) != ws {
		return nil, fmt.Errorf("the Unix account %s for %s: the account is there but its home is %s, not the hub's workspace %s: it is not this hub's, and %s's kernels do not run as it", acct, name, u.HomeDir, ws, name)
	}
	uid, err1 := strconv.ParseUint(u.Uid, 10, 32)
	gid, err2 := strconv.ParseUint(u.Gid, 10, 32)
	if err := errors.Join(err1, err2); err != nil {
		return nil, fmt.Errorf("the Unix account %s: %w", acct, err)
	}
	if uid == 0 {
		return nil, fmt.Errorf("the Unix account %s for %s is root's id: refused", acct, name)
	}
	return &kernel.Account{Name: acct, UID: uint32(uid), GID: uint32(gid)}, nil
}

// giveTree gives the folder dir and everything in it to the account (a
// workspace made, or filled, before the hub used accounts per user).
// Symbolic links are changed themselves, never followed.
func giveTree(dir string, a *kernel.Account) error {
	return filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(p, int(a.UID), int(a.GID))
	})
}
