package services

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"

	"github.com/confmedia/confmedia/catalog"
)

// The variables Run adds to the command's environment.
const (
	EnvRedisURL    = "CONFMEDIA_TEST_REDIS_URL"   // Redis.URL(): "redis-socket:///…/redis.sock"
	EnvS3Endpoint  = "CONFMEDIA_TEST_S3_ENDPOINT" // "http://127.0.0.1:PORT"
	EnvS3AccessKey = "CONFMEDIA_TEST_S3_ACCESS_KEY"
	EnvS3SecretKey = "CONFMEDIA_TEST_S3_SECRET_KEY"
	EnvS3Region    = "CONFMEDIA_TEST_S3_REGION"    // "us-east-1"
	EnvDatabaseURL = "CONFMEDIA_TEST_DATABASE_URL" // a private PostgreSQL, when its server programs are installed
)

// Run starts Redis in dir/redis and an S3 server in dir/s3 (see StartRedis
// and StartS3; versitygw is found with FindVersityGW), runs cmd with their
// addresses and keys added to its environment (EnvRedisURL, EnvS3Endpoint,
// EnvS3AccessKey, EnvS3SecretKey, EnvS3Region) and our stdin, stdout and
// stderr, then stops both servers and returns cmd's exit code (128+N when
// signal N ended it, as shells report it).
//
// When ctx is done cmd is sent SIGTERM, and killed ten seconds later. Run
// returns an error with exit code 127 when cmd is not found (before starting
// anything), 2 when cmd is empty, 1 when a server does not start or cmd
// cannot be started, and cmd's exit code with an error when a server failed
// while cmd ran or had to be killed.
func Run(ctx context.Context, dir string, logger *slog.Logger, cmd []string) (exitCode int, err error) {
	const op = "services.Run"
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if len(cmd) == 0 {
		return 2, catalog.E(catalog.Invalid, op, nil, "no command to run")
	}
	if _, err := exec.LookPath(cmd[0]); err != nil {
		return 127, catalog.E(catalog.Invalid, op, err, "command %s not found", cmd[0])
	}
	redis, err := StartRedis(ctx, filepath.Join(dir, "redis"), "", logger)
	if err != nil {
		return 1, err
	}
	s3, err := StartS3(ctx, filepath.Join(dir, "s3"), "", logger)
	if err != nil {
		return 1, errors.Join(err, redis.Stop())
	}
	defer func() {
		// The S3 server first: nothing depends on it, while a stopping
		// Redis is best left to flush last.
		err = errors.Join(err, s3.Stop(), redis.Stop())
	}()
	var extra []string
	if os.Geteuid() == 0 {
		// The postgres user must reach its folder inside ours.
		_ = os.Chmod(dir, 0o711)
	}
	// PostgreSQL is optional: without it (not installed, or it cannot run
	// here) the PostgreSQL tests skip and say which variable enables them.
	if pg, perr := StartPostgres(ctx, filepath.Join(dir, "postgres"), logger); perr == nil {
		defer func() { err = errors.Join(err, pg.Stop()) }()
		extra = append(extra, EnvDatabaseURL+"="+pg.URL())
	} else if os.Getenv(EnvDatabaseURL) == "" {
		logger.Warn("no private PostgreSQL: the PostgreSQL tests will skip", "err", perr)
	}

	c := exec.CommandContext(ctx, cmd[0], cmd[1:]...)
	c.Env = append(os.Environ(),
		EnvRedisURL+"="+redis.URL(),
		EnvS3Endpoint+"="+s3.Endpoint,
		EnvS3AccessKey+"="+s3.AccessKeyID,
		EnvS3SecretKey+"="+s3.SecretAccessKey,
		EnvS3Region+"="+s3.Region,
	)
	c.Env = append(c.Env, extra...)
	c.Stdin, c.Stdout, c.Stderr = os.Stdin, os.Stdout, os.Stderr
	c.SysProcAttr = commandAttr()
	c.Cancel = func() error { return c.Process.Signal(syscall.SIGTERM) }
	c.WaitDelay = stopTimeout
	logger.Info("running command with local services", "cmd", cmd)
	start := time.Now()
	runErr := c.Run()
	var exitErr *exec.ExitError
	switch {
	case runErr == nil:
		exitCode = 0
	case errors.As(runErr, &exitErr):
		exitCode = exitErr.ExitCode()
		if ws, ok := exitErr.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			exitCode = 128 + int(ws.Signal())
		}
	default:
		return 1, catalog.E(catalog.Other, op, runErr, "cannot run %s", cmd[0])
	}
	logger.Info("command finished", "cmd", cmd, "exit_code", exitCode, "duration", time.Since(start).Round(time.Millisecond))
	return exitCode, nil
}
