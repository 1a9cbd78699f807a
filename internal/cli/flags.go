package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/firnglacier/firn/kernel"
)

// newFlags returns the flag set of a command. It prints nothing itself:
// parse reports errors and help.
func newFlags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return fs
}

// parse parses a command's arguments, flags before or after the others
// (`firn run NB -p a=1`, as users type it). -h, -help and --help print
// the synopsis and the flags to stdout and return flag.ErrHelp, which
// ends the program with status 0; a bad flag is a usage error that says
// where to look.
func parse(fs *flag.FlagSet, synopsis string, args []string, stdout io.Writer) error {
	err := fs.Parse(splitArgs(fs, args))
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprintf(stdout, "usage: %s\n", synopsis)
		if hasFlags(fs) {
			fmt.Fprintln(stdout, "\nflags:")
			fs.SetOutput(stdout)
			fs.PrintDefaults()
			fs.SetOutput(io.Discard)
		}
		return flag.ErrHelp
	}
	if err != nil {
		return usagef("%v (%s --help lists its flags)", err, fs.Name())
	}
	return nil
}

func hasFlags(fs *flag.FlagSet) bool {
	n := 0
	fs.VisitAll(func(*flag.Flag) { n++ })
	return n > 0
}

// splitArgs moves flags after positional arguments to the front, so that
// `firn run NB -p a=1` works as users type it (the flag package stops at
// the first non-flag).
func splitArgs(fs *flag.FlagSet, args []string) []string {
	var flags, pos []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			pos = append(pos, args[i+1:]...)
			break
		}
		if !strings.HasPrefix(a, "-") || a == "-" {
			pos = append(pos, a)
			continue
		}
		flags = append(flags, a)
		name := strings.TrimLeft(a, "-")
		if strings.Contains(name, "=") {
			continue
		}
		if f := fs.Lookup(name); f != nil && i+1 < len(args) {
			if bf, ok := f.Value.(interface{ IsBoolFlag() bool }); !ok || !bf.IsBoolFlag() {
				flags = append(flags, args[i+1])
				i++
			}
		}
	}
	return append(flags, pos...)
}

// stringList is a repeatable string flag.
type stringList []string

func (l *stringList) String() string     { return strings.Join(*l, ",") }
func (l *stringList) Set(s string) error { *l = append(*l, s); return nil }

// envNames collects repeated --kernel-env NAME flags: variables of
// Firn's environment that kernels get besides the few they always get
// (see kernel.Options.Env). A name ending in "*" is a prefix.
type envNames []string

const kernelEnvUsage = "also give kernels this variable of Firn's environment (repeatable; NAME* for a prefix). Kernels get only HOME, USER, LOGNAME, LANG, LC_*, TZ, PATH, TMPDIR and TERM otherwise"

func (e *envNames) String() string { return strings.Join(*e, ",") }

func (e *envNames) Set(name string) error {
	base := strings.TrimSuffix(name, "*")
	if base == "" || strings.IndexFunc(base, func(r rune) bool {
		return !(r == '_' || r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9')
	}) >= 0 {
		return fmt.Errorf("%q is not a variable name (want letters, digits and _, e.g. OPENAI_API_KEY or AWS_*)", name)
	}
	*e = append(*e, name)
	return nil
}

// launcherFlag is --kernel NAME of serve, run and repl: where kernels
// run and what carries their messages (kernel.LauncherNamed).
type launcherFlag struct {
	name     string
	launcher kernel.Launcher
}

const kernelUsage = "the kernel to start: local (a process on this machine, over pipes; over loopback TCP on Windows), local-tcp (over loopback TCP with a token, as on Windows) or slurm[:partition=P,time=T,mem=M,cpus=N,account=A,qos=Q,gpus=G,constraint=C,broker=URL] (a Slurm job on a compute node, over NATS: the broker embedded here unless broker= names one the nodes reach), ssh://[USER@]HOST[:PORT][/DIR] (a kernel on that host) or kubernetes:image=IMAGE[,namespace=NS,cpu=C,memory=M,service-account=SA,pull-secret=S,context=CTX,kubeconfig=FILE,firn=PROGRAM,broker=URL] (a pod, over NATS: broker= or $FIRN_COMPUTE_URL must name a NATS server the pods reach)"

// addKernelFlag defines --kernel on fs; the launcher is nil (the
// default) until the flag is set.
func addKernelFlag(fs *flag.FlagSet) *launcherFlag {
	l := &launcherFlag{name: "local"}
	fs.Var(l, "kernel", kernelUsage)
	return l
}

func (l *launcherFlag) String() string {
	if l == nil {
		return ""
	}
	return l.name
}

func (l *launcherFlag) Set(name string) error {
	launcher, err := kernel.LauncherNamed(name)
	if err != nil {
		return err
	}
	l.name, l.launcher = name, launcher
	return nil
}
