// Package services runs the real servers confmedia depends on, Redis and an
// S3-compatible store (versitygw), and for tests PostgreSQL, as supervised
// child processes with their
// state in a data folder. `confmedia dev` uses it to be self-contained, and
// `confmedia services -- CMD` (Run) gives a command such as `go test ./...`
// private servers through CONFMEDIA_TEST_* variables.
//
// Each server keeps, in its folder, a lock file held while a supervisor runs
// it (so two supervisors never share a folder), a pid file (so a server left
// over by a supervisor that was killed is found and stopped on the next
// start) and its log. Children are started in their own process group, so a
// Ctrl-C in a terminal reaches the supervisor only, which then stops them in
// order, and on Linux they are sent SIGTERM if the supervisor dies.
package services

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/confmedia/confmedia/catalog"
)

// stopTimeout is how long a server gets to exit after SIGTERM before it is
// killed.
const stopTimeout = 10 * time.Second

// startTimeout is how long a server gets to answer after it was started.
const startTimeout = 10 * time.Second

// pollInterval is how often readiness and exits are checked.
const pollInterval = 25 * time.Millisecond

// process is one supervised child.
type process struct {
	name    string // "redis" or "versitygw": names the lock, pid and log files
	dir     string
	logPath string
	logger  *slog.Logger

	cred *syscall.Credential // run the child as another user (PostgreSQL refuses root)

	lock *os.File // flocked while we run the server in dir
	cmd  *exec.Cmd
	done chan struct{} // closed when cmd has exited
	err  error         // cmd.Wait's result, set before done is closed

	ready    atomic.Bool // answered; an exit from now on is worth a log line
	stopping atomic.Bool
	stopOnce sync.Once
	stopErr  error
}

func (p *process) lockPath() string { return filepath.Join(p.dir, p.name+".lock") }
func (p *process) pidPath() string  { return filepath.Join(p.dir, p.name+".pid") }

// claim takes the folder's lock for this server and stops a server of the
// same binary left running there by a supervisor that died. It fails when
// another live supervisor holds the lock.
func (p *process) claim(op, bin string) error {
	f, err := os.OpenFile(p.lockPath(), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return catalog.E(catalog.Other, op, err, "cannot create lock file %s", p.lockPath())
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return catalog.E(catalog.Conflict, op, err, "%s in %s is already run by another confmedia process", p.name, p.dir)
		}
		return catalog.E(catalog.Other, op, err, "cannot lock %s", p.lockPath())
	}
	p.lock = f
	if err := p.stopLeftover(bin); err != nil {
		p.release()
		return catalog.E(catalog.Other, op, err, "cannot stop the %s left running in %s", p.name, p.dir)
	}
	return nil
}

// stopLeftover stops the process the pid file names if it still runs bin:
// holding the lock, we know no supervisor owns it any more.
func (p *process) stopLeftover(bin string) error {
	raw, err := os.ReadFile(p.pidPath())
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	defer os.Remove(p.pidPath())
	pid, err := strconv.Atoi(strings.TrimSpace(string(raw)))
	if err != nil || pid <= 1 {
		return nil // garbage: nothing to stop
	}
	if !alive(pid) {
		return nil
	}
	if !runs(pid, bin) {
		p.logger.Info("pid file names another program; ignoring it", "service", p.name, "pid", pid, "file", p.pidPath())
		return nil
	}
	p.logger.Warn("stopping a server left over by an earlier run", "service", p.name, "pid", pid, "dir", p.dir)
	_ = syscall.Kill(pid, syscall.SIGTERM)
	if waitGone(pid, stopTimeout) {
		return nil
	}
	if pgid, err := syscall.Getpgid(pid); err == nil && pgid == pid {
		_ = syscall.Kill(-pid, syscall.SIGKILL) // and whatever it forked
	} else {
		_ = syscall.Kill(pid, syscall.SIGKILL)
	}
	if waitGone(pid, 2*time.Second) {
		return nil
	}
	return fmt.Errorf("pid %d survived SIGKILL", pid)
}

// alive reports whether a process with that pid exists.
func alive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

func waitGone(pid int, timeout time.Duration) bool {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if !alive(pid) {
			return true
		}
		time.Sleep(pollInterval)
	}
	return !alive(pid)
}

// start runs bin with args and env, its output appended to the log file.
func (p *process) start(op, bin string, args, env []string) error {
	logFile, err := os.OpenFile(p.logPath, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return catalog.E(catalog.Other, op, err, "cannot open log file %s", p.logPath)
	}
	defer logFile.Close() // the child has its own descriptor
	fmt.Fprintf(logFile, "\n=== %s: starting %s %s\n", time.Now().Format(time.RFC3339), bin, strings.Join(args, " "))

	cmd := exec.Command(bin, args...)
	cmd.Dir = p.dir
	cmd.Env = env
	cmd.Stdout = logFile
	cmd.Stderr = logFile
	cmd.SysProcAttr = childAttr()
	cmd.SysProcAttr.Credential = p.cred
	if err := cmd.Start(); err != nil {
		return catalog.E(catalog.Other, op, err, "cannot start %s", bin)
	}
	p.cmd = cmd
	p.done = make(chan struct{})
	pid := cmd.Process.Pid
	if err := os.WriteFile(p.pidPath(), []byte(strconv.Itoa(pid)+"\n"), 0o600); err != nil {
		p.logger.Warn("cannot write pid file", "service", p.name, "file", p.pidPath(), "err", err)
	}
	go func() {
		p.err = cmd.Wait()
		if p.ready.Load() && !p.stopping.Load() {
			p.logger.Error("server exited unexpectedly", "service", p.name, "pid", pid, "err", p.err,
				"log", p.logPath, "log_tail", tail(p.logPath))
		}
		close(p.done)
	}()
	p.logger.Debug("server started", "service", p.name, "pid", pid, "dir", p.dir)
	return nil
}

// exited reports whether the child has exited.
func (p *process) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// stop sends SIGTERM, waits up to stopTimeout, then kills the child's whole
// process group. It reports an error when the server had to be killed or
// had died before. It is safe to call more than once.
func (p *process) stop() error {
	p.stopOnce.Do(func() { p.stopErr = p.doStop() })
	return p.stopErr
}

func (p *process) doStop() error {
	defer p.release()
	if p.cmd == nil {
		return nil
	}
	defer os.Remove(p.pidPath())
	if p.exited() {
		return fmt.Errorf("%s had exited by itself: %v (log %s)", p.name, p.err, p.logPath)
	}
	p.stopping.Store(true)
	pid := p.cmd.Process.Pid
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
		p.logger.Debug("server stopped", "service", p.name, "pid", pid)
		return nil
	case <-time.After(stopTimeout):
	}
	_ = syscall.Kill(-pid, syscall.SIGKILL)
	<-p.done
	return fmt.Errorf("%s (pid %d) did not stop within %v of SIGTERM and was killed (log %s)", p.name, pid, stopTimeout, p.logPath)
}

// release gives up the folder's lock.
func (p *process) release() {
	if p.lock != nil {
		p.lock.Close() // closing drops the flock
		p.lock = nil
	}
}

// tail returns the last lines of a log file, for error messages.
func tail(path string) string {
	const max = 2048
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && fi.Size() > max {
		_, _ = f.Seek(-max, io.SeekEnd)
	}
	b, _ := io.ReadAll(f)
	b = bytes.TrimSpace(b)
	if lines := bytes.Split(b, []byte("\n")); len(lines) > 15 {
		b = bytes.Join(lines[len(lines)-15:], []byte("\n"))
	}
	return string(b)
}

// startError builds the error of a server that did not come up, with the
// end of its log.
func startError(op, name, logPath string, err error, reason string) error {
	t := tail(logPath)
	if t == "" {
		return catalog.E(catalog.Unavailable, op, err, "%s %s (log %s is empty)", name, reason, logPath)
	}
	return catalog.E(catalog.Unavailable, op, err, "%s %s; end of %s:\n%s", name, reason, logPath, t)
}

// childEnv returns the environment for a child: ours without the variables
// whose names start with one of drop, plus extra.
func childEnv(drop []string, extra ...string) []string {
	var env []string
outer:
	for _, kv := range os.Environ() {
		for _, d := range drop {
			if strings.HasPrefix(kv, d) {
				continue outer
			}
		}
		env = append(env, kv)
	}
	return append(env, extra...)
}
