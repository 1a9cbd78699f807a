//go:build !linux

package compute

import "os/exec"

// diesWithParent does nothing here: only Linux has a parent-death
// signal. A worker whose parent died gives up once it cannot reach the
// broker (Worker.ConnectTimeout).
func diesWithParent(*exec.Cmd) {}
