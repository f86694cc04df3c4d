package services

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"

	"github.com/jackc/pgx/v5"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/confmedia/confmedia/catalog"
	"github.com/confmedia/confmedia/catalog/catalogtest"
	"github.com/confmedia/confmedia/catalog/s3store"
)

func needRedis(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("redis-server"); err != nil {
		t.Skip("redis-server is not installed (Debian/Ubuntu: apt-get install redis-server; macOS: brew install redis)")
	}
}

func needVersityGW(t *testing.T) string {
	t.Helper()
	bin, err := FindVersityGW()
	if err != nil {
		t.Skipf("versitygw is not installed: %v", catalog.ErrorMessage(err))
	}
	return bin
}

func testLogger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// redisClient connects to r through asynq's parsing of r.URL(), as the
// workers will.
func redisClient(t *testing.T, r *Redis) *redis.Client {
	t.Helper()
	opt, err := asynq.ParseRedisURI(r.URL())
	if err != nil {
		t.Fatalf("asynq.ParseRedisURI(%q): %v", r.URL(), err)
	}
	co, ok := opt.(asynq.RedisClientOpt)
	if !ok || co.Network != "unix" || co.Addr != r.SocketPath() {
		t.Fatalf("asynq.ParseRedisURI(%q) = %#v, want a unix RedisClientOpt for %s", r.URL(), opt, r.SocketPath())
	}
	c := redis.NewClient(&redis.Options{Network: co.Network, Addr: co.Addr})
	t.Cleanup(func() { c.Close() })
	return c
}

func blobStore(t *testing.T, s *S3, bucket string) *s3store.Store {
	t.Helper()
	st, err := s3store.New(t.Context(), s3store.Config{
		Endpoint: s.Endpoint, Region: s.Region, Bucket: bucket,
		AccessKeyID: s.AccessKeyID, SecretAccessKey: s.SecretAccessKey, PathStyle: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.EnsureBucket(t.Context()); err != nil {
		t.Fatalf("EnsureBucket: %v", err)
	}
	return st
}

func stop(t *testing.T, name string, fn func() error) {
	t.Helper()
	if err := fn(); err != nil {
		t.Errorf("stopping %s: %v", name, err)
	}
}

func TestRestartKeepsState(t *testing.T) {
	needRedis(t)
	bin := needVersityGW(t)
	ctx, log := t.Context(), testLogger(t)
	redisDir, s3Dir := filepath.Join(t.TempDir(), "redis"), filepath.Join(t.TempDir(), "s3")

	r, err := StartRedis(ctx, redisDir, "", log)
	if err != nil {
		t.Fatal(err)
	}
	rc := redisClient(t, r)
	if got, err := rc.Ping(ctx).Result(); err != nil || got != "PONG" {
		t.Fatalf("PING = %q, %v", got, err)
	}
	if err := rc.Set(ctx, "confmedia:kept", "queued job", 0).Err(); err != nil {
		t.Fatal(err)
	}

	s, err := StartS3(ctx, s3Dir, bin, log)
	if err != nil {
		stop(t, "redis", r.Stop)
		t.Fatal(err)
	}
	if !strings.HasPrefix(s.Endpoint, "http://127.0.0.1:") || s.Region != "us-east-1" || s.AccessKeyID == "" || s.SecretAccessKey == "" {
		t.Errorf("S3 = %+v, want a loopback endpoint, a region and keys", s)
	}
	st := blobStore(t, s, "media")
	catalogtest.TestBlobs(t, st)
	kept := []byte(`{"kept": true}`)
	if err := st.Put(ctx, catalog.CatalogKey, bytes.NewReader(kept), int64(len(kept)), "application/json"); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(filepath.Join(s3Dir, "credentials.json"))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("credentials.json: %v, %v; want mode 0600", fi, err)
	}

	stop(t, "S3", s.Stop)
	stop(t, "redis", r.Stop)
	if err := s.Stop(); err != nil {
		t.Errorf("second Stop: %v", err)
	}
	for _, p := range []string{filepath.Join(redisDir, "redis.pid"), filepath.Join(s3Dir, "versitygw.pid")} {
		if _, err := os.Stat(p); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("after Stop, %s: %v; want it removed", p, err)
		}
	}
	if err := rc.Ping(ctx).Err(); err == nil {
		t.Errorf("Redis still answers after Stop")
	}

	// Same folders again: same keys, same objects, same Redis data.
	r2, err := StartRedis(ctx, redisDir, "", log)
	if err != nil {
		t.Fatal(err)
	}
	defer stop(t, "redis", r2.Stop)
	if got, err := redisClient(t, r2).Get(ctx, "confmedia:kept").Result(); err != nil || got != "queued job" {
		t.Errorf("after restart GET confmedia:kept = %q, %v; want %q", got, err, "queued job")
	}
	s2, err := StartS3(ctx, s3Dir, bin, log)
	if err != nil {
		t.Fatal(err)
	}
	defer stop(t, "S3", s2.Stop)
	if s2.AccessKeyID != s.AccessKeyID || s2.SecretAccessKey != s.SecretAccessKey {
		t.Errorf("keys changed across a restart")
	}
	st2 := blobStore(t, s2, "media")
	body, info, err := st2.Get(ctx, catalog.CatalogKey)
	if err != nil {
		t.Fatalf("after restart: %v", err)
	}
	got, _ := io.ReadAll(body)
	body.Close()
	if !bytes.Equal(got, kept) || info.ContentType != "application/json" {
		t.Errorf("after restart Get = %q (%s), want %q (application/json)", got, info.ContentType, kept)
	}
}

// TestS3Sidecar runs the suite with metadata in a sidecar folder, as on a
// filesystem without user extended attributes.
func TestS3Sidecar(t *testing.T) {
	bin := needVersityGW(t)
	dir := t.TempDir()
	s, err := startS3(t.Context(), dir, bin, testLogger(t), metaSidecar)
	if err != nil {
		t.Fatal(err)
	}
	defer stop(t, "S3", s.Stop)
	catalogtest.TestBlobs(t, blobStore(t, s, "media"))
	if entries, _ := os.ReadDir(filepath.Join(dir, "meta")); len(entries) == 0 {
		t.Errorf("nothing was written to the sidecar folder %s", filepath.Join(dir, "meta"))
	}
}

// TestUnderRepo starts both servers in a folder of the checkout, where
// `make run` keeps its data (./var), whose filesystem may differ from the
// temporary folder's.
func TestUnderRepo(t *testing.T) {
	needRedis(t)
	bin := needVersityGW(t)
	root, err := filepath.Abs("../../../..")
	if err != nil || !fileExists(filepath.Join(root, "go.mod")) {
		t.Skipf("module root not found above the package folder (%s)", root)
	}
	varDir := filepath.Join(root, "var")
	if !fileExists(varDir) {
		if err := os.Mkdir(varDir, 0o755); err != nil {
			t.Skipf("cannot write in the checkout: %v", err)
		}
		t.Cleanup(func() { os.Remove(varDir) }) // only if still empty
	}
	dir, err := os.MkdirTemp(varDir, "services-test-")
	if err != nil {
		t.Skipf("cannot write in the checkout: %v", err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	t.Logf("user extended attributes under %s: %v", dir, xattrsSupported(dir))

	r, err := StartRedis(t.Context(), filepath.Join(dir, "redis"), "", testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	defer stop(t, "redis", r.Stop)
	if err := redisClient(t, r).Ping(t.Context()).Err(); err != nil {
		t.Errorf("PING: %v", err)
	}
	s, err := StartS3(t.Context(), filepath.Join(dir, "s3"), bin, testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	defer stop(t, "S3", s.Stop)
	st := blobStore(t, s, "media")
	data := []byte("jpeg bytes")
	key := catalog.RenditionKey("ab", "large")
	if err := st.Put(t.Context(), key, bytes.NewReader(data), int64(len(data)), "image/jpeg"); err != nil {
		t.Fatal(err)
	}
	if info, err := st.Stat(t.Context(), key); err != nil || info.ContentType != "image/jpeg" || info.Size != int64(len(data)) {
		t.Errorf("Stat = %+v, %v", info, err)
	}
}

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }

// TestLeftoverServers simulates a supervisor killed without stopping its
// servers: the next start on the same folders must stop them and start
// afresh.
func TestLeftoverServers(t *testing.T) {
	needRedis(t)
	bin := needVersityGW(t)
	ctx, log := t.Context(), testLogger(t)
	redisDir, s3Dir := filepath.Join(t.TempDir(), "redis"), filepath.Join(t.TempDir(), "s3")

	old, err := StartRedis(ctx, redisDir, "", log)
	if err != nil {
		t.Fatal(err)
	}
	oldS3, err := StartS3(ctx, s3Dir, bin, log)
	if err != nil {
		stop(t, "redis", old.Stop)
		t.Fatal(err)
	}
	// What the kernel does when a supervisor dies: its locks go. (Pdeathsig
	// would also stop the servers; here they stay up, as they would if
	// they ignored it.)
	old.proc.release()
	oldS3.proc.release()

	r, err := StartRedis(ctx, redisDir, "", log)
	if err != nil {
		t.Fatalf("restart over a leftover Redis: %v", err)
	}
	defer stop(t, "redis", r.Stop)
	waitDone(t, "leftover redis-server", old.proc)
	if err := redisClient(t, r).Ping(ctx).Err(); err != nil {
		t.Errorf("PING the new Redis: %v", err)
	}

	s, err := StartS3(ctx, s3Dir, bin, log)
	if err != nil {
		t.Fatalf("restart over a leftover versitygw: %v", err)
	}
	defer stop(t, "S3", s.Stop)
	waitDone(t, "leftover versitygw", oldS3.proc)
	if err := blobStore(t, s, "media").Ping(ctx); err != nil {
		t.Errorf("Ping the new S3: %v", err)
	}
}

func waitDone(t *testing.T, what string, p *process) {
	t.Helper()
	select {
	case <-p.done:
	case <-time.After(15 * time.Second):
		t.Fatalf("%s still runs", what)
	}
}

// TestStaleFiles checks that a pid file naming an unrelated program and a
// socket file nobody listens on neither stop a start nor get the program
// killed.
func TestStaleFiles(t *testing.T) {
	needRedis(t)
	dir := t.TempDir()
	other := exec.Command("sleep", "60")
	if err := other.Start(); err != nil {
		t.Skipf("cannot start sleep: %v", err)
	}
	defer func() { other.Process.Kill(); other.Wait() }()
	if err := os.WriteFile(filepath.Join(dir, "redis.pid"), []byte(strconv.Itoa(other.Process.Pid)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "redis.sock"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	r, err := StartRedis(t.Context(), dir, "", testLogger(t))
	if err != nil {
		t.Fatalf("start over stale files: %v", err)
	}
	defer stop(t, "redis", r.Stop)
	if !alive(other.Process.Pid) {
		t.Errorf("the unrelated process named by the stale pid file was stopped")
	}
	if err := redisClient(t, r).Ping(t.Context()).Err(); err != nil {
		t.Errorf("PING: %v", err)
	}
}

func TestFolderInUse(t *testing.T) {
	needRedis(t)
	dir := t.TempDir()
	r, err := StartRedis(t.Context(), dir, "", testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	defer stop(t, "redis", r.Stop)
	_, err = StartRedis(t.Context(), dir, "", testLogger(t))
	if got := catalog.ErrorKind(err); got != catalog.Conflict || !strings.Contains(catalog.ErrorMessage(err), dir) {
		t.Errorf("second StartRedis on %s = %v (kind %v), want a Conflict naming the folder", dir, err, got)
	}
	if err := redisClient(t, r).Ping(t.Context()).Err(); err != nil {
		t.Errorf("the first Redis stopped answering: %v", err)
	}
}

// fakeServer writes a shell script that prints msg and fails, standing in
// for a server that cannot start.
func fakeServer(t *testing.T, name, msg string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte("#!/bin/sh\necho '"+msg+"' >&2\nexit 1\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestStartFailures(t *testing.T) {
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("no sh")
	}
	long := filepath.Join(t.TempDir(), strings.Repeat("d", 110))
	tests := []struct {
		name     string
		start    func(ctx context.Context, dir string) error
		wantKind catalog.Kind
		wantMsg  string
	}{
		{"redis not found", func(ctx context.Context, dir string) error {
			_, err := StartRedis(ctx, dir, filepath.Join(dir, "no-redis-server"), nil)
			return err
		}, catalog.Unavailable, "install Redis"},
		{"redis fails", func(ctx context.Context, dir string) error {
			_, err := StartRedis(ctx, dir, fakeServer(t, "redis-server", "FATAL bad config line 7"), nil)
			return err
		}, catalog.Unavailable, "FATAL bad config line 7"},
		{"redis socket path too long", func(ctx context.Context, _ string) error {
			_, err := StartRedis(ctx, long, fakeServer(t, "redis-server", "unused"), nil)
			return err
		}, catalog.Invalid, "shorter data folder"},
		{"versitygw fails", func(ctx context.Context, dir string) error {
			_, err := StartS3(ctx, dir, fakeServer(t, "versitygw", "posix: no such backend"), nil)
			return err
		}, catalog.Unavailable, "posix: no such backend"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			err := tt.start(t.Context(), dir)
			if got := catalog.ErrorKind(err); got != tt.wantKind || !strings.Contains(catalog.ErrorMessage(err), tt.wantMsg) {
				t.Errorf("error = %v (kind %v), want kind %v mentioning %q", err, got, tt.wantKind, tt.wantMsg)
			}
			// A failed start leaves the folder free for the next one.
			for _, name := range []string{"redis", "versitygw"} {
				p := &process{name: name, dir: dir, logger: slog.New(slog.DiscardHandler)}
				if _, statErr := os.Stat(dir); statErr == nil {
					if err := p.claim("test", "/nonexistent"); err != nil {
						t.Errorf("folder still locked after a failed start: %v", err)
					}
					p.release()
				}
			}
		})
	}
}

func TestFindVersityGW(t *testing.T) {
	fake := func(dir string) string {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, "versitygw")
		if err := os.WriteFile(p, []byte("#!/bin/sh\n"), 0o755); err != nil {
			t.Fatal(err)
		}
		return p
	}

	root := t.TempDir()
	if err := os.WriteFile(filepath.Join(root, "go.mod"), []byte("module example.com/x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	sub := filepath.Join(root, "cmd", "x")
	if err := os.MkdirAll(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Chdir(sub)
	t.Setenv("PATH", t.TempDir())

	_, err := FindVersityGW()
	msg := catalog.ErrorMessage(err)
	for _, want := range []string{"GOBIN=" + filepath.Join(root, ".tools", "bin"), "go install " + VersityGWModule} {
		if !strings.Contains(msg, want) {
			t.Errorf("not found: message %q lacks %q", msg, want)
		}
	}

	onPath := fake(filepath.Join(t.TempDir(), "bin"))
	t.Setenv("PATH", filepath.Dir(onPath))
	if got, err := FindVersityGW(); err != nil || got != onPath {
		t.Errorf("with versitygw on PATH: FindVersityGW() = %q, %v; want %q", got, err, onPath)
	}

	tools := fake(filepath.Join(root, ".tools", "bin"))
	if got, err := FindVersityGW(); err != nil || got != tools {
		t.Errorf("with versitygw in .tools/bin: FindVersityGW() = %q, %v; want %q (before PATH)", got, err, tools)
	}
}

// The child of TestRun: it checks what Run gives it and exits with a code
// of its own.
func TestRunChild(t *testing.T) {
	if os.Getenv("CONFMEDIA_SERVICES_CHILD") != "1" {
		t.Skip("run by TestRun")
	}
	ctx := t.Context()
	opt, err := asynq.ParseRedisURI(os.Getenv(EnvRedisURL))
	if err != nil {
		t.Fatal(err)
	}
	co := opt.(asynq.RedisClientOpt)
	c := redis.NewClient(&redis.Options{Network: co.Network, Addr: co.Addr})
	defer c.Close()
	if err := c.Ping(ctx).Err(); err != nil {
		t.Fatalf("PING %s: %v", os.Getenv(EnvRedisURL), err)
	}
	st, err := s3store.New(ctx, s3store.Config{
		Endpoint: os.Getenv(EnvS3Endpoint), Region: os.Getenv(EnvS3Region), Bucket: "child",
		AccessKeyID: os.Getenv(EnvS3AccessKey), SecretAccessKey: os.Getenv(EnvS3SecretKey), PathStyle: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.EnsureBucket(ctx); err != nil {
		t.Fatal(err)
	}
	os.Exit(7)
}

func TestRun(t *testing.T) {
	needRedis(t)
	needVersityGW(t)
	t.Setenv("CONFMEDIA_SERVICES_CHILD", "1")
	dir := t.TempDir()
	code, err := Run(t.Context(), dir, testLogger(t), []string{os.Args[0], "-test.run=^TestRunChild$"})
	if err != nil || code != 7 {
		t.Errorf("Run(child) = %d, %v; want 7, nil (the child's own code: it found both servers)", code, err)
	}
	for _, p := range []string{"redis/redis.pid", "s3/versitygw.pid"} {
		if _, err := os.Stat(filepath.Join(dir, p)); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("after Run, %s: %v; want it removed", p, err)
		}
	}

	tests := []struct {
		name     string
		cmd      []string
		wantCode int
		wantErr  bool
	}{
		{"success", []string{"true"}, 0, false},
		{"failure", []string{"sh", "-c", "exit 3"}, 3, false},
		{"killed by a signal", []string{"sh", "-c", "kill -TERM $$"}, 128 + 15, false},
		{"not found", []string{filepath.Join(dir, "no-such-command")}, 127, true},
		{"no command", nil, 2, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, err := Run(t.Context(), dir, nil, tt.cmd)
			if code != tt.wantCode || (err != nil) != tt.wantErr {
				t.Errorf("Run(%q) = %d, %v; want %d, error: %v", tt.cmd, code, err, tt.wantCode, tt.wantErr)
			}
		})
	}
}

func TestRandomKey(t *testing.T) {
	a, b := randomKey(40, secretChars), randomKey(40, secretChars)
	if len(a) != 40 || a == b {
		t.Errorf("randomKey = %q, %q; want two different 40-character keys", a, b)
	}
	for _, r := range a + randomKey(20, upperAlnum) {
		if !strings.ContainsRune(secretChars, r) {
			t.Errorf("randomKey made %q, outside its alphabet", r)
		}
	}
}

func TestStartPostgres(t *testing.T) {
	if _, err := findPostgres(); err != nil {
		t.Skipf("PostgreSQL not installed: %v", err)
	}
	dir, err := os.MkdirTemp("", "cm-pg-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if os.Geteuid() == 0 {
		_ = os.Chmod(dir, 0o711)
	}
	ctx := t.Context()
	for round := range 2 { // the second start reuses the cluster initdb made
		pg, err := StartPostgres(ctx, filepath.Join(dir, "pg"), nil)
		if err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		c, err := pgx.Connect(ctx, pg.URL())
		if err != nil {
			t.Fatalf("round %d: connect: %v", round, err)
		}
		if round == 0 {
			_, err = c.Exec(ctx, "CREATE TABLE kept (v text); INSERT INTO kept VALUES ('still here')")
		} else {
			var v string
			err = c.QueryRow(ctx, "SELECT v FROM kept").Scan(&v)
			if v != "still here" {
				t.Errorf("after a restart: %q", v)
			}
		}
		c.Close(ctx)
		if err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		if err := pg.Stop(); err != nil {
			t.Fatalf("round %d: stop: %v", round, err)
		}
	}
}
