package services

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// childAttr puts a child in its own process group, out of reach of a
// terminal's Ctrl-C, and has the kernel send it SIGTERM if we die.
func childAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
}

// runs reports whether process pid is running the program bin, so that a
// pid reused by an unrelated program is never signalled.
func runs(pid int, bin string) bool {
	exe := "/proc/" + strconv.Itoa(pid) + "/exe"
	if a, err := os.Stat(exe); err == nil {
		if b, err := os.Stat(bin); err == nil && os.SameFile(a, b) {
			return true
		}
	}
	// The binary may have been replaced since (an upgrade): compare names.
	target, err := os.Readlink(exe)
	if err != nil {
		return false
	}
	target = strings.TrimSuffix(target, " (deleted)")
	if resolved, err := filepath.EvalSymlinks(bin); err == nil {
		bin = resolved
	}
	return filepath.Base(target) == filepath.Base(bin)
}

// xattrsSupported reports whether files in dir can carry user extended
// attributes, which versitygw's posix backend keeps object metadata in.
func xattrsSupported(dir string) bool {
	f, err := os.CreateTemp(dir, ".xattr-probe-*")
	if err != nil {
		return false
	}
	name := f.Name()
	f.Close()
	defer os.Remove(name)
	return syscall.Setxattr(name, "user.confmedia.probe", []byte("1"), 0) == nil
}

// commandAttr keeps the command Run runs in our process group, so that a
// terminal's Ctrl-C reaches it, and has it sent SIGTERM if we die.
func commandAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
}
