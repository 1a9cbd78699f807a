package cli

import (
	"bufio"
	"context"
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/firnglacier/firn/app/hub"
	"github.com/firnglacier/firn/frontend"
	"github.com/firnglacier/firn/internal/cgroup"
	"github.com/firnglacier/firn/kernel"
)

const hubUsage = `usage:
  firn hub [--addr HOST:PORT] [--data DIR] [--allow-host NAME] [--cull-every D] [--cull-idle D] [--oidc FILE]
                      the multi-user notebook server: a login page, and each user's
                      notebooks and kernels under /user/NAME/ (workspace DIR/users/NAME);
                      --oidc FILE adds "Sign in with" an OpenID Connect provider (a JSON
                      file: issuer, client_id, client_secret, redirect_url, allowed_groups…;
                      see the README, "A class on one server"); run as root, the hub gives
                      each user a Unix account of their own for their kernels and files
                      (--unix-users off: not; --unix-prefix: the accounts' prefix, firn-)
  firn hub user add NAME [--role admin|teacher|student] [--group CLASS] [--password-stdin] [--data DIR]
                      add an account (without --password-stdin a random password is printed)
  firn hub user list [--data DIR]
  firn hub user disable NAME [--data DIR]
                      refuse NAME's logins and end their sessions
  firn hub class add CLASS --students FILE.csv [--url URL] [--expires D] [--data DIR]
                      add a class and its students (the CSV's "name" column): each new
                      student gets a one-use invitation link to choose a password;
                      prints name,link,expires as CSV
  firn hub publish CLASS FOLDER [--as NAME] [--data DIR]
                      publish a folder to a class: each student gets a copy in the folder
                      NAME of their workspace when they next open their notebooks; publish
                      again to update (files a student changed stay theirs)

The data folder (default: Firn's hub folder in your data directory) holds the
database hub.db and users/NAME; a backup is a copy of it.
`

// sysCgroup is where the machine's control groups are.
const sysCgroup = "/sys/fs/cgroup"

// defaultHubData is $XDG_DATA_HOME/firn/hub (~/.local/share/firn/hub).
func defaultHubData() string {
	if d := os.Getenv("XDG_DATA_HOME"); d != "" {
		return filepath.Join(d, "firn", "hub")
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "firn-hub"
	}
	return filepath.Join(home, ".local", "share", "firn", "hub")
}

// hubCommand is `firn hub`.
func hubCommand(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) > 0 && isHelp(args[0]) {
		fmt.Fprint(stdout, hubUsage)
		return flag.ErrHelp
	}
	if len(args) > 0 && args[0] == "user" {
		return hubUserCommand(ctx, args[1:], stdin, stdout)
	}
	if len(args) > 0 && args[0] == "class" {
		return hubClassCommand(ctx, args[1:], stdout, stderr)
	}
	if len(args) > 0 && args[0] == "publish" {
		return hubPublishCommand(ctx, args[1:], stdout)
	}
	fs := newFlags("firn hub")
	addr := fs.String("addr", hub.DefaultAddr, "address to listen on, HOST:PORT")
	data := fs.String("data", defaultHubData(), "the hub's data `DIR`: hub.db and users/NAME")
	var allowHosts stringList
	fs.Var(&allowHosts, "allow-host", "a host `NAME` browsers may use to reach the hub besides localhost and IP addresses (repeatable)")
	cullEvery := fs.Duration("cull-every", hub.DefaultCullEvery, "how often to look for idle kernels")
	cullIdle := fs.Duration("cull-idle", hub.DefaultCullIdle, "stop kernels idle for longer than this (their outputs saved first); 0 never")
	sessionTTL := fs.Duration("session", hub.DefaultSessionTTL, "how long a login lasts")
	memLimit := fs.String("memory-limit", "2GiB", "memory limit of each kernel")
	kernels := fs.Int("kernels", 4, "notebooks each user may run at once (opening one more stops the one idle the longest); 0 no limit")
	disk := fs.String("disk", "1GiB", "each user's workspace quota (0: none)")
	files := fs.Int64("files", 10000, "the most files in a user's workspace (0: no limit)")
	cpuTime := fs.Duration("cpu-time", 0, "CPU time each kernel may use over its life, e.g. 2h (0: no limit)")
	tlsCert := fs.String("tls-cert", "", "serve HTTPS with this PEM `file` of the certificate (chain); with --tls-key")
	tlsKey := fs.String("tls-key", "", "the PEM `file` of the certificate's private key")
	behindProxy := fs.Bool("behind-proxy", false, "a reverse proxy in front ends TLS: trust its X-Forwarded-Proto: https (listen on loopback)")
	limitsFile := fs.String("limits", "", "a JSON `FILE` of limits: \"default\" and per-class \"classes\" profiles (memory, cpu_time, kernels, disk, files)")
	oidcFile := fs.String("oidc", "", "sign-in with an OpenID Connect provider configured in this JSON `FILE`")
	unixUsers := fs.String("unix-users", "auto", "run each user's kernels under a Unix account of their own, PREFIX+NAME, made by the hub: on, off, or auto (on when the hub runs as root)")
	unixPrefix := fs.String("unix-prefix", hub.DefaultUnixPrefix, "the `PREFIX` of the users' Unix accounts")
	cgroups := fs.String("cgroups", "auto", "give each user a control group for all their kernels (an equal CPU share per user, and --user-cpus and --user-memory): on, off, or auto (on when root and the machine has a cgroup hierarchy with the cpu controller)")
	userCPUs := fs.Float64("user-cpus", 0, "the CPUs all of a user's kernels together may use, e.g. 1.5 (0: no cap; needs --cgroups)")
	output := fs.String("output", "16MiB", "the output of each kernel kept in memory for its pages (a cell printing without end keeps its last SIZE)")
	userMemory := fs.String("user-memory", "0", "the memory all of a user's kernels together may use, e.g. 4GiB (0: no cap; needs --cgroups)")
	computeStore := fs.String("compute-store", "1GiB", "the disk each user's remote-compute tasks and results may take in the hub's broker (0: no bound)")
	trusted := fs.Bool("trusted-kernels", false, "run kernels without Firn's sandbox (network, programs): only with Unix accounts per user, which then keep users apart")
	if err := parse(fs, "firn hub [--addr HOST:PORT] [--data DIR] [--allow-host NAME] [--cull-every D] [--cull-idle D] [--session D] [--memory-limit SIZE] [--kernels N] [--disk SIZE] [--files N] [--cpu-time D] [--limits FILE] [--tls-cert FILE --tls-key FILE | --behind-proxy] [--oidc FILE] [--unix-users auto|on|off] [--unix-prefix P] [--trusted-kernels] [--cgroups auto|on|off] [--user-cpus N] [--user-memory SIZE] [--output SIZE] [--compute-store SIZE]  (firn hub --help: the user commands)", args, stdout); err != nil {
		return err
	}
	var perUser bool
	switch *unixUsers {
	case "auto":
		perUser = os.Geteuid() == 0
	case "on":
		perUser = true
	case "off":
	default:
		return usagef("firn hub: --unix-users %q: want on, off or auto", *unixUsers)
	}
	cgroupFS := ""
	switch *cgroups {
	case "auto":
		// Only root may make groups: a user's hub does not look.
		if os.Geteuid() == 0 {
			if _, err := cgroup.Detect(sysCgroup); err == nil {
				cgroupFS = sysCgroup
			}
		}
	case "on":
		cgroupFS = sysCgroup
	case "off":
	default:
		return usagef("firn hub: --cgroups %q: want on, off or auto", *cgroups)
	}
	userMem, err := sizeOrNone("user-memory", *userMemory)
	if err != nil {
		return err
	}
	storeBytes, err := sizeOrNone("compute-store", *computeStore)
	if err != nil {
		return err
	}
	outputBytes, err := kernel.ParseBytes(*output)
	if err != nil || outputBytes < 64<<10 {
		return usagef("firn hub: --output %q: want a size of at least 64KiB, e.g. 16MiB", *output)
	}
	if *userCPUs < 0 {
		return usagef("firn hub: --user-cpus %g: want 0 (no cap) or more", *userCPUs)
	}
	if (*userCPUs > 0 || userMem > 0) && cgroupFS == "" {
		return usagef("firn hub: --user-cpus and --user-memory need a control group per user (--cgroups on, as root, on a machine with a cgroup hierarchy with the cpu controller)")
	}
	if fs.NArg() > 0 {
		return usagef("firn hub: unexpected argument %q (firn hub --help)", fs.Arg(0))
	}
	if *cullEvery <= 0 {
		return usagef("firn hub: --cull-every %s: want a positive duration, e.g. 600s", *cullEvery)
	}
	if *cullIdle < 0 {
		return usagef("firn hub: --cull-idle %s: want a duration (0: never)", *cullIdle)
	}
	if *sessionTTL <= 0 {
		return usagef("firn hub: --session %s: want a positive duration, e.g. 12h", *sessionTTL)
	}
	limit, err := kernel.ParseBytes(*memLimit)
	if err != nil {
		return usagef("firn hub: --memory-limit: %v", err)
	}
	idle := *cullIdle
	if idle == 0 {
		idle = -1 // never
	}
	quota, err := sizeOrNone("disk", *disk)
	if err != nil {
		return err
	}
	if *kernels < 0 || *files < 0 || *cpuTime < 0 {
		return usagef("firn hub: --kernels, --files and --cpu-time may not be negative")
	}
	limits := hub.Limits{Memory: limit, CPUTime: *cpuTime, Kernels: *kernels, Disk: quota, Files: *files, CPUs: *userCPUs, UserMemory: userMem, Output: outputBytes}
	var classLimits map[string]hub.Limits
	if *limitsFile != "" {
		if limits, classLimits, err = hub.ReadLimits(*limitsFile, limits); err != nil {
			return usageError{fmt.Errorf("firn hub: --%w", err)}
		}
	}
	var oidcConfig *hub.OIDCConfig
	if *oidcFile != "" {
		if oidcConfig, err = hub.LoadOIDCConfig(*oidcFile); err != nil {
			return usagef("firn hub: --oidc: %v", err)
		}
	}
	return hub.Serve(ctx, hub.ServeOptions{
		Options: hub.Options{
			Data: *data, Static: frontend.Dist(), SessionTTL: *sessionTTL, CullIdle: idle, CullEvery: *cullEvery,
			KernelOptions: kernel.Options{MemoryLimit: limit}, Limits: limits, ClassLimits: classLimits, OIDC: oidcConfig,
			UnixUsers: perUser, UnixPrefix: *unixPrefix, LiftSandbox: *trusted, Cgroups: cgroupFS, ComputeStore: storeBytes,
		},
		Addr: *addr, AllowHosts: allowHosts, Stderr: stderr, TLSCert: *tlsCert, TLSKey: *tlsKey, BehindProxy: *behindProxy,
	})
}

func hubUserCommand(ctx context.Context, args []string, stdin io.Reader, stdout io.Writer) error {
	if len(args) == 0 {
		return usagef("firn hub user: want add, list or disable (firn hub --help)")
	}
	if isHelp(args[0]) {
		fmt.Fprint(stdout, hubUsage)
		return flag.ErrHelp
	}
	sub := args[0]
	fs := newFlags("firn hub user " + sub)
	data := fs.String("data", defaultHubData(), "the hub's data `DIR`")
	var role, group *string
	var fromStdin *bool
	synopsis := "firn hub user " + sub + " [--data DIR]"
	switch sub {
	case "add":
		role = fs.String("role", hub.RoleStudent, "admin, teacher or student")
		group = fs.String("group", "", "the class (group) the user belongs to; created if new")
		fromStdin = fs.Bool("password-stdin", false, "read the password from the first line of stdin")
		synopsis = "firn hub user add NAME [--role admin|teacher|student] [--group CLASS] [--password-stdin] [--data DIR]"
	case "disable":
		synopsis = "firn hub user disable NAME [--data DIR]"
	case "list":
	default:
		return usagef("firn hub user: unknown subcommand %q (want add, list or disable)", sub)
	}
	if err := parse(fs, synopsis, args[1:], stdout); err != nil {
		return err
	}
	wantArgs := 1
	if sub == "list" {
		wantArgs = 0
	}
	if fs.NArg() != wantArgs {
		if wantArgs == 0 {
			return usagef("firn hub user list: unexpected argument %q", fs.Arg(0))
		}
		return usagef("firn hub user %s: want one user NAME", sub)
	}
	name := fs.Arg(0)
	if sub != "list" {
		if err := hub.CheckName("user name", name); err != nil {
			return usagef("firn hub user %s: %v", sub, err)
		}
	}
	var password string
	if sub == "add" {
		if err := hub.CheckRole(*role); err != nil {
			return usagef("firn hub user add: --role: %v", err)
		}
		if *group != "" {
			if err := hub.CheckName("--group", *group); err != nil {
				return usagef("firn hub user add: %v", err)
			}
		}
		if *fromStdin {
			line, err := bufio.NewReader(stdin).ReadString('\n')
			if err != nil && !errors.Is(err, io.EOF) {
				return fmt.Errorf("firn hub user add: --password-stdin: %w", err)
			}
			password = strings.TrimRight(line, "\r\n")
			if len(password) < hub.MinPasswordLength {
				return usagef("firn hub user add: --password-stdin: the password has %d characters; use at least %d", len(password), hub.MinPasswordLength)
			}
		} else {
			password = hub.RandomPassword()
		}
	}
	store, err := hub.OpenStore(*data)
	if err != nil {
		return fmt.Errorf("firn hub user %s: %w", sub, err)
	}
	defer store.Close()
	switch sub {
	case "add":
		if err := store.AddUser(ctx, name, *role, password, *group, time.Now()); err != nil {
			if errors.Is(err, hub.ErrExists) {
				return usagef("firn hub user add: %v", err)
			}
			return fmt.Errorf("firn hub user add: %w", err)
		}
		if *fromStdin {
			fmt.Fprintf(stdout, "added %s (%s)\n", name, *role)
		} else {
			fmt.Fprintf(stdout, "added %s (%s), password: %s\n", name, *role, password)
		}
	case "disable":
		if err := store.SetDisabled(ctx, name, true); err != nil {
			if errors.Is(err, hub.ErrNoUser) {
				return usagef("firn hub user disable: %v", err)
			}
			return fmt.Errorf("firn hub user disable: %w", err)
		}
		fmt.Fprintf(stdout, "disabled %s: logins refused, sessions ended\n", name)
	case "list":
		users, err := store.Users(ctx)
		if err != nil {
			return fmt.Errorf("firn hub user list: %w", err)
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "NAME\tROLE\tGROUPS\tSTATE\tLAST LOGIN")
		for _, u := range users {
			state, last := "active", "never"
			if u.Disabled {
				state = "disabled"
			}
			if !u.LastLogin.IsZero() {
				last = u.LastLogin.Format(time.RFC3339)
			}
			groups := strings.Join(u.Groups, ",")
			if groups == "" {
				groups = "-"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", u.Name, u.Role, groups, state, last)
		}
		return tw.Flush()
	}
	return nil
}

// hubClassCommand is `firn hub class add CLASS --students FILE.csv`.
func hubClassCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "add" {
		if len(args) > 0 && isHelp(args[0]) {
			fmt.Fprint(stdout, hubUsage)
			return flag.ErrHelp
		}
		return usagef("firn hub class: want add (firn hub --help)")
	}
	fs := newFlags("firn hub class add")
	data := fs.String("data", defaultHubData(), "the hub's data `DIR`")
	students := fs.String("students", "", "CSV `file` of the students: a header with a name column (user names: lower-case letters, digits, - and _)")
	base := fs.String("url", "http://"+hub.DefaultAddr, "the hub's address as the students reach it, for the links (e.g. https://hub.example.org)")
	expires := fs.Duration("expires", 7*24*time.Hour, "how long the links work")
	if err := parse(fs, "firn hub class add CLASS --students FILE.csv [--url URL] [--expires D] [--data DIR]", args[1:], stdout); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("firn hub class add: want one CLASS name")
	}
	class := fs.Arg(0)
	if err := hub.CheckName("class name", class); err != nil {
		return usagef("firn hub class add: %v", err)
	}
	if *students == "" {
		return usagef("firn hub class add: --students FILE.csv is required")
	}
	if *expires <= 0 {
		return usagef("firn hub class add: --expires %s: want a positive duration, e.g. 168h", *expires)
	}
	u, err := url.Parse(*base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return usagef("firn hub class add: --url %q: want http(s)://HOST[:PORT][/PATH]", *base)
	}
	names, err := readStudents(*students)
	if err != nil {
		return usageError{err}
	}
	store, err := hub.OpenStore(*data)
	if err != nil {
		return fmt.Errorf("firn hub class add: %w", err)
	}
	defer store.Close()
	invites, existing, err := store.AddClass(ctx, class, names, time.Now(), *expires)
	if err != nil {
		return usageError{fmt.Errorf("firn hub class add: %s: %w", *students, err)}
	}
	w := csv.NewWriter(stdout)
	_ = w.Write([]string{"name", "link", "expires"})
	for _, in := range invites {
		_ = w.Write([]string{in.Name, strings.TrimSuffix(u.String(), "/") + "/invite/" + in.Token, in.Expires.UTC().Format(time.RFC3339)})
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "class %s: %d students, %d invitation links", class, len(names), len(invites))
	if len(existing) > 0 {
		fmt.Fprintf(stderr, "; already users with a password (added to the class, no link): %s", strings.Join(existing, ", "))
	}
	fmt.Fprintln(stderr)
	return nil
}

// hubPublishCommand is `firn hub publish CLASS FOLDER [--as NAME]`.
func hubPublishCommand(ctx context.Context, args []string, stdout io.Writer) error {
	fs := newFlags("firn hub publish")
	data := fs.String("data", defaultHubData(), "the hub's data `DIR`")
	as := fs.String("as", "", "the `NAME` of the folder in the students' workspaces (default: FOLDER's name)")
	if err := parse(fs, "firn hub publish CLASS FOLDER [--as NAME] [--data DIR]", args, stdout); err != nil {
		return err
	}
	if fs.NArg() != 2 {
		return usagef("firn hub publish: want CLASS and FOLDER")
	}
	name := *as
	if name == "" {
		name = filepath.Base(filepath.Clean(fs.Arg(1)))
	}
	h, err := hub.New(hub.Options{Data: *data})
	if err != nil {
		return fmt.Errorf("firn hub publish: %w", err)
	}
	defer h.Shutdown(ctx)
	p, err := h.Publish(ctx, fs.Arg(0), name, fs.Arg(1))
	if err != nil {
		return usageError{fmt.Errorf("firn hub publish: %w", err)}
	}
	fmt.Fprintf(stdout, "published %s to class %s as %s (version %d): each student gets it in their folder %s/ when they next open their notebooks\n",
		fs.Arg(1), p.Class, p.Name, p.Version, p.Name)
	return nil
}

// readStudents reads the user names of a class list: a CSV file whose
// header has a name column (any case; "username" and "user" too), other
// columns ignored, blank rows skipped.
func readStudents(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("--students: %w", err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	header, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("%s: no header: %w", path, err)
	}
	col := -1
	for i, h := range header {
		switch strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))) {
		case "name", "username", "user":
			if col < 0 {
				col = i
			}
		}
	}
	if col < 0 {
		return nil, fmt.Errorf("%s: the header %q has no name column", path, strings.Join(header, ","))
	}
	var names []string
	for line := 2; ; line++ {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		if col >= len(rec) || strings.TrimSpace(rec[col]) == "" {
			continue
		}
		name := strings.TrimSpace(rec[col])
		if err := hub.CheckName("name", name); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, line, err)
		}
		names = append(names, name)
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("%s: no students", path)
	}
	return names, nil
}

// sizeOrNone reads the size given to firn hub's flag name, e.g. 4GiB; "0"
// is none (0).
func sizeOrNone(name, value string) (int64, error) {
	if value == "0" {
		return 0, nil
	}
	n, err := kernel.ParseBytes(value)
	if err != nil {
		return 0, usagef("firn hub: --%s: %v", name, err)
	}
	return n, nil
}
