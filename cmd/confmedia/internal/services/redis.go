package services

import (
	"bufio"
	"context"
	"errors"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/confmedia/confmedia/catalog"
)

// maxSocketPath is the longest unix socket path every supported system
// accepts (sun_path holds 104 bytes on the BSDs and macOS, 108 on Linux,
// with the terminating NUL).
const maxSocketPath = 103

// Redis is a redis-server child listening on a unix socket only.
type Redis struct {
	socket string
	proc   *process
}

// StartRedis starts redis-server (bin; "" looks up "redis-server" on PATH)
// with its data in dir, which is created if needed: it listens on the unix
// socket dir/redis.sock only (no TCP port), appends every write to
// dir/appendonlydir (so queued jobs survive a restart), and logs to
// dir/redis.log. A redis-server left running in dir by a supervisor that was
// killed is stopped first, and a stale socket file removed.
//
// StartRedis returns once the server answers PING, or an Unavailable error
// ending with the log's last lines when it does not within ten seconds or
// ctx is done. It returns a Conflict error when another process supervises
// a Redis in dir, and an Invalid error when the socket path would be too
// long for the system. The server outlives ctx: call Stop.
func StartRedis(ctx context.Context, dir, bin string, logger *slog.Logger) (*Redis, error) {
	const op = "services.StartRedis"
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if bin == "" {
		bin = "redis-server"
	}
	path, err := exec.LookPath(bin)
	if err != nil {
		return nil, catalog.E(catalog.Unavailable, op, err,
			"redis-server not found (%s); install Redis 6.2 or later (Debian/Ubuntu: apt-get install redis-server; macOS: brew install redis)", bin)
	}
	if dir, err = filepath.Abs(dir); err != nil {
		return nil, catalog.E(catalog.Invalid, op, err, "bad Redis data folder %s", dir)
	}
	socket := filepath.Join(dir, "redis.sock")
	if len(socket) > maxSocketPath {
		return nil, catalog.E(catalog.Invalid, op, nil,
			"Redis socket path %s is %d bytes, more than the %d a unix socket allows: use a shorter data folder", socket, len(socket), maxSocketPath)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, catalog.E(catalog.Other, op, err, "cannot create Redis data folder %s", dir)
	}

	p := &process{name: "redis", dir: dir, logPath: filepath.Join(dir, "redis.log"), logger: logger}
	if err := p.claim(op, path); err != nil {
		return nil, err
	}
	// Nothing of ours listens on a socket left behind by a killed server.
	if err := os.Remove(socket); err != nil && !errors.Is(err, os.ErrNotExist) {
		p.release()
		return nil, catalog.E(catalog.Other, op, err, "cannot remove stale Redis socket %s", socket)
	}
	args := []string{
		"--port", "0",
		"--unixsocket", socket,
		"--unixsocketperm", "700",
		"--dir", dir,
		"--appendonly", "yes",
		"--save", "", // the append-only file is the only persistence
		"--daemonize", "no",
		"--logfile", p.logPath,
	}
	if err := p.start(op, path, args, childEnv(nil)); err != nil {
		p.release()
		return nil, err
	}
	r := &Redis{socket: socket, proc: p}
	if err := r.waitReady(ctx, op); err != nil {
		_ = p.stop()
		return nil, err
	}
	p.ready.Store(true)
	logger.Info("redis started", "service", "redis", "pid", p.cmd.Process.Pid, "socket", socket)
	return r, nil
}

// waitReady polls the socket until PING answers PONG.
func (r *Redis) waitReady(ctx context.Context, op string) error {
	ctx, cancel := context.WithTimeout(ctx, startTimeout)
	defer cancel()
	var last error
	for {
		if r.proc.exited() {
			return startError(op, "redis-server", r.proc.logPath, r.proc.err, "exited while starting")
		}
		if last = ping(ctx, r.socket); last == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return startError(op, "redis-server", r.proc.logPath, last, "did not answer PING on "+r.socket)
		case <-time.After(pollInterval):
		}
	}
}

// ping sends one PING over the socket and wants +PONG (a server still
// loading its data answers -LOADING).
func ping(ctx context.Context, socket string) error {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "unix", socket)
	if err != nil {
		return err
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(time.Second))
	if _, err := conn.Write([]byte("PING\r\n")); err != nil {
		return err
	}
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		return err
	}
	if line = strings.TrimSpace(line); line != "+PONG" {
		return errors.New("PING answered " + line)
	}
	return nil
}

// URL returns the server's address as "redis-socket://" followed by the
// socket's absolute path, the form asynq.ParseRedisURI accepts for a unix
// socket (it yields a RedisClientOpt with Network "unix"). go-redis's
// ParseURL does not know that scheme: it spells the same address
// "unix://" + SocketPath().
func (r *Redis) URL() string { return "redis-socket://" + r.socket }

// SocketPath returns the absolute path of the server's unix socket.
func (r *Redis) SocketPath() string { return r.socket }

// Stop stops the server: SIGTERM (Redis flushes its append-only file and
// exits), then SIGKILL if it has not exited after ten seconds. It returns an
// error if the server had to be killed or had died before; calling it again
// returns the same result.
func (r *Redis) Stop() error { return r.proc.stop() }
