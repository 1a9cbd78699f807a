// Package testsshd starts Debian's OpenSSH server on loopback for tests:
// sshd -D as a child of the test, with a configuration, a host key and
// an authorized user key of its own (made with ssh-keygen in a temporary
// folder), logging in as the current user (as root too: PermitRootLogin
// prohibit-password), and a known_hosts file that holds its host key.
//
//	s := testsshd.Start(t)                   // skips without /usr/sbin/sshd
//	// log in to s.Addr as s.User with s.UserKey, checking s.KnownHosts
package testsshd
