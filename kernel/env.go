package kernel

import "strings"

// baseEnv lists the variables of the client's environment that a kernel
// process gets: what cells need to find the user's home, language, time
// zone, programs and temporary folder, and nothing else — the tokens,
// cloud keys and passwords in the environment of `firn serve` stay out of
// the cells' reach. A name ending in "*" is a prefix (LC_* are the locale
// categories). On Windows, where names ignore case, the variables Go and
// the system need are added: SYSTEMROOT, WINDIR, USERPROFILE, USERNAME,
// TEMP, TMP, APPDATA, LOCALAPPDATA.
//
// Options.PassEnv adds names (`--kernel-env NAME` of `firn serve`, `firn
// repl` and `firn run`), and Options.Env adds NAME=VALUE entries.
func baseEnv(goos string) []string {
	names := []string{"HOME", "USER", "LOGNAME", "LANG", "LC_*", "TZ", "PATH", "TMPDIR", "TERM"}
	if goos == "windows" {
		names = append(names, "SYSTEMROOT", "WINDIR", "USERPROFILE", "USERNAME", "TEMP", "TMP", "APPDATA", "LOCALAPPDATA")
	}
	return names
}

// kernelEnv returns the environment of a kernel process: the entries of
// environ (the client's, KEY=VALUE) whose names KernelEnv or pass lists,
// in their order, then extra.
func kernelEnv(environ, pass, extra []string, goos string) []string {
	names := append(baseEnv(goos), pass...)
	var out []string
	for _, kv := range environ {
		name, _, ok := strings.Cut(kv, "=")
		if !ok || name == "" {
			continue
		}
		for _, n := range names {
			if envNameMatches(n, name, goos) {
				out = append(out, kv)
				break
			}
		}
	}
	return append(out, extra...)
}

// envNameMatches reports whether the variable name is what pattern names
// (a name, or a prefix ending in "*"); names ignore case on Windows.
func envNameMatches(pattern, name, goos string) bool {
	if goos == "windows" {
		pattern, name = strings.ToUpper(pattern), strings.ToUpper(name)
	}
	if p, ok := strings.CutSuffix(pattern, "*"); ok {
		return strings.HasPrefix(name, p)
	}
	return pattern == name
}
