//go:build unix && !linux

package services

import "syscall"

// childAttr puts a child in its own process group, out of reach of a
// terminal's Ctrl-C. (Only Linux can have it signalled when we die.)
func childAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}

// runs reports whether process pid runs bin. Without /proc it cannot tell,
// so a leftover server is never signalled; it is left to fail on its own.
func runs(pid int, bin string) bool { return false }

// xattrsSupported is false: metadata goes to a sidecar folder, which works
// on every filesystem.
func xattrsSupported(dir string) bool { return false }

// commandAttr keeps the command Run runs in our process group, so that a
// terminal's Ctrl-C reaches it.
func commandAttr() *syscall.SysProcAttr { return nil }
