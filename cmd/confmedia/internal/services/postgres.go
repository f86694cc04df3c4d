package services

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"syscall"
	"time"

	"github.com/confmedia/confmedia/catalog"
	"github.com/jackc/pgx/v5"
)

// Postgres is a private PostgreSQL server started by StartPostgres.
type Postgres struct {
	dir  string
	proc *process
}

// findPostgres returns the folder of PostgreSQL's server programs (initdb,
// postgres): Debian keeps them out of PATH, under /usr/lib/postgresql/N/bin.
func findPostgres() (string, error) {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return version(dirs[i]) > version(dirs[j]) })
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			return d, nil
		}
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		if _, err := os.Stat(filepath.Join(filepath.Dir(p), "postgres")); err == nil {
			return filepath.Dir(p), nil
		}
	}
	return "", catalog.E(catalog.Unavailable, "services.StartPostgres", nil,
		"PostgreSQL server programs not found (Debian/Ubuntu: apt-get install postgresql)")
}

func version(binDir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return n
}

// StartPostgres starts a PostgreSQL server with its data in dir (created
// with initdb on first use, trust authentication), listening only on a unix
// socket in dir, and waits until it answers. As root it runs the server as
// the postgres system user, since PostgreSQL refuses to run as root. It is
// meant for tests and development: fsync is off.
func StartPostgres(ctx context.Context, dir string, logger *slog.Logger) (*Postgres, error) {
	const op = "services.StartPostgres"
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	bin, err := findPostgres()
	if err != nil {
		return nil, err
	}
	if dir, err = filepath.Abs(dir); err != nil {
		return nil, catalog.E(catalog.Invalid, op, err, "bad PostgreSQL data folder %s", dir)
	}
	if len(filepath.Join(dir, ".s.PGSQL.5432")) > maxSocketPath {
		return nil, catalog.E(catalog.Invalid, op, nil, "PostgreSQL socket folder %s is too long for a unix socket", dir)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, catalog.E(catalog.Other, op, err, "cannot create PostgreSQL data folder %s", dir)
	}
	var cred *syscall.Credential
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			return nil, catalog.E(catalog.Unavailable, op, err, "running as root, and there is no postgres user to run PostgreSQL as")
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
		if err := os.Chown(dir, uid, gid); err != nil {
			return nil, catalog.E(catalog.Other, op, err, "cannot hand %s to the postgres user", dir)
		}
	}
	data := filepath.Join(dir, "data")
	if _, err := os.Stat(filepath.Join(data, "PG_VERSION")); err != nil {
		initdb := exec.CommandContext(ctx, filepath.Join(bin, "initdb"), "-D", data, "-U", "postgres",
			"--auth=trust", "--encoding=UTF8", "--locale=C", "--no-sync")
		initdb.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
		initdb.Dir = dir
		if out, err := initdb.CombinedOutput(); err != nil {
			return nil, catalog.E(catalog.Other, op, err, "initdb %s: %s", data, tailBytes(out))
		}
	}
	p := &process{name: "postgres", dir: dir, logPath: filepath.Join(dir, "postgres.log"), logger: logger, cred: cred}
	server := filepath.Join(bin, "postgres")
	if err := p.claim(op, server); err != nil {
		return nil, err
	}
	if cred != nil {
		// The server writes its log through the descriptor we open, but
		// needs the file to be its own when it reopens it.
		_ = os.Chown(p.logPath, int(cred.Uid), int(cred.Gid))
	}
	args := []string{"-D", data, "-k", dir, "-c", "listen_addresses=", "-c", "fsync=off",
		"-c", "full_page_writes=off", "-c", "max_connections=200"}
	if err := p.start(op, server, args, childEnv(nil)); err != nil {
		p.release()
		return nil, err
	}
	pg := &Postgres{dir: dir, proc: p}
	deadline := time.Now().Add(30 * time.Second)
	for {
		c, err := pgx.Connect(ctx, pg.URL())
		if err == nil {
			c.Close(ctx)
			break
		}
		if p.exited() || time.Now().After(deadline) || ctx.Err() != nil {
			_ = p.stop()
			return nil, catalog.E(catalog.Unavailable, op, err, "PostgreSQL did not start (log %s: %s)", p.logPath, tail(p.logPath))
		}
		time.Sleep(50 * time.Millisecond)
	}
	p.ready.Store(true)
	logger.Info("postgres started", "service", "postgres", "pid", p.cmd.Process.Pid, "socket_dir", dir)
	return pg, nil
}

// URL is a connection URL for the server's socket, database postgres.
func (pg *Postgres) URL() string {
	return fmt.Sprintf("postgres://postgres@/postgres?host=%s&sslmode=disable", url.QueryEscape(pg.dir))
}

// Stop stops the server.
func (pg *Postgres) Stop() error { return pg.proc.stop() }

func tailBytes(b []byte) string {
	if len(b) > 600 {
		b = b[len(b)-600:]
	}
	return string(b)
}
