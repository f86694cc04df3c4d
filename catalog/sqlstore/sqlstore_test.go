package sqlstore

import (
	"context"
	"crypto/rand"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/confmedia/confmedia/catalog"
	"github.com/confmedia/confmedia/catalog/catalogtest"
)

// postgresEnv names the variable that enables the PostgreSQL tests.
const postgresEnv = "CONFMEDIA_TEST_DATABASE_URL"

func testLogger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
}

func openSQLiteTest(t *testing.T, path string) *Store {
	t.Helper()
	s, err := Open(t.Context(), path, testLogger(t))
	if err != nil {
		t.Fatalf("Open(%s): %v", path, err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestSQLite(t *testing.T) {
	catalogtest.TestStore(t, func(t *testing.T) catalog.Store {
		return openSQLiteTest(t, filepath.Join(t.TempDir(), "catalog.db"))
	})
}

// postgresURL returns the test database's URL, or skips t.
func postgresURL(t *testing.T) string {
	t.Helper()
	u := os.Getenv(postgresEnv)
	if u == "" {
		t.Skipf("PostgreSQL tests skipped: set %s to a database URL, e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable", postgresEnv)
	}
	return u
}

// openPostgresTest opens a store in a schema of its own, dropped when t
// ends, so that tests never see each other's data.
func openPostgresTest(t *testing.T) *Store {
	t.Helper()
	base := postgresURL(t)
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("%s: %v", postgresEnv, err)
	}
	schema := "sqlstore_test_" + strings.ToLower(rand.Text()[:12])
	if _, err := admin.ExecContext(t.Context(), "CREATE SCHEMA "+schema); err != nil {
		admin.Close()
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := admin.ExecContext(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
		admin.Close()
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("%s: %v", postgresEnv, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	s, err := Open(t.Context(), u.String(), testLogger(t))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestPostgres(t *testing.T) {
	postgresURL(t)
	catalogtest.TestStore(t, func(t *testing.T) catalog.Store { return openPostgresTest(t) })
}

func TestPostgresSchemaIsolated(t *testing.T) {
	a, b := openPostgresTest(t), openPostgresTest(t)
	m := &catalog.Media{ID: "a", Kind: catalog.Photo}
	if _, err := a.CreateMedia(t.Context(), m); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Media(t.Context(), "a"); !catalog.IsNotFound(err) {
		t.Errorf("a store in another schema sees the item (err %v)", err)
	}
}

func TestOpenURLs(t *testing.T) {
	dir := t.TempDir()
	tests := []struct{ url, file string }{
		{filepath.Join(dir, "plain.db"), filepath.Join(dir, "plain.db")},
		{"sqlite:" + filepath.Join(dir, "a", "scheme.db"), filepath.Join(dir, "a", "scheme.db")},
		{"sqlite://" + filepath.Join(dir, "slashes.db"), filepath.Join(dir, "slashes.db")},
		{"file:" + filepath.Join(dir, "file.db") + "?_pragma=cache_size(-4000)", filepath.Join(dir, "file.db")},
		{filepath.Join(dir, "odd #name?.db"), filepath.Join(dir, "odd #name?.db")},
	}
	for _, tt := range tests {
		s, err := Open(t.Context(), tt.url, nil)
		if err != nil {
			t.Errorf("Open(%q): %v", tt.url, err)
			continue
		}
		if err := s.Ping(t.Context()); err != nil {
			t.Errorf("Open(%q): Ping: %v", tt.url, err)
		}
		s.Close()
		if _, err := os.Stat(tt.file); err != nil {
			t.Errorf("Open(%q) did not create %s: %v", tt.url, tt.file, err)
		}
	}
}

func TestOpenInvalid(t *testing.T) {
	for _, u := range []string{"", "mysql://user@host/db", "sqlite:", "sqlite::memory:", ":memory:", "postgres://host:notaport/db"} {
		_, err := Open(t.Context(), u, nil)
		if got := catalog.ErrorKind(err); got != catalog.Invalid {
			t.Errorf("Open(%q) = %v (kind %q), want an Invalid error", u, err, got)
		}
	}
}

func TestOpenUnavailable(t *testing.T) {
	// Nothing listens on port 1: the connection is refused at once.
	_, err := Open(t.Context(), "postgres://postgres@127.0.0.1:1/x?sslmode=disable&connect_timeout=5", nil)
	if got := catalog.ErrorKind(err); got != catalog.Unavailable {
		t.Errorf("Open of a database nobody serves = %v (kind %q), want Unavailable", err, got)
	}
	if msg := catalog.ErrorMessage(err); !strings.Contains(msg, "did not answer") {
		t.Errorf("message %q does not say the database did not answer", msg)
	}
}

func TestSQLitePragmas(t *testing.T) {
	s := openSQLiteTest(t, filepath.Join(t.TempDir(), "catalog.db"))
	tests := []struct {
		db     *sql.DB
		pragma string
		want   string
	}{
		{s.w, "journal_mode", "wal"},
		{s.w, "busy_timeout", "10000"},
		{s.w, "foreign_keys", "1"},
		{s.w, "synchronous", "1"}, // NORMAL
		{s.r, "busy_timeout", "10000"},
		{s.r, "query_only", "1"},
	}
	for _, tt := range tests {
		var got string
		if err := tt.db.QueryRowContext(t.Context(), "PRAGMA "+tt.pragma).Scan(&got); err != nil {
			t.Fatalf("PRAGMA %s: %v", tt.pragma, err)
		}
		if got != tt.want {
			t.Errorf("PRAGMA %s = %s, want %s", tt.pragma, got, tt.want)
		}
	}
}

func TestMigrateTwice(t *testing.T) {
	path := filepath.Join(t.TempDir(), "catalog.db")
	s := openSQLiteTest(t, path)
	if _, err := s.SetCameraOffset(t.Context(), "model:X:Y", time.Minute); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s = openSQLiteTest(t, path)
	if c, err := s.Camera(t.Context(), "model:X:Y"); err != nil || c.Offset != time.Minute {
		t.Errorf("after reopening: Camera = %+v, %v", c, err)
	}
	all, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	var n int
	if err := s.r.QueryRowContext(t.Context(), "SELECT count(*) FROM schema_migrations").Scan(&n); err != nil || n != len(all) {
		t.Errorf("schema_migrations holds %d rows (%v), want %d", n, err, len(all))
	}
}

func TestStatements(t *testing.T) {
	body := "-- comment\nCREATE TABLE a (\n\tx TEXT -- inline\n);\n\nCREATE INDEX b ON a (x);\nSELECT 1"
	got := statements(body)
	want := []string{"CREATE TABLE a (\n\tx TEXT -- inline\n);", "CREATE INDEX b ON a (x);", "SELECT 1"}
	if !slices.Equal(got, want) {
		t.Errorf("statements = %q, want %q", got, want)
	}
}

func TestErrorKind(t *testing.T) {
	tests := []struct {
		err  error
		want catalog.Kind
	}{
		{errors.New("x"), catalog.Other},
		{driver.ErrBadConn, catalog.Unavailable},
		{fmt.Errorf("query: %w", context.DeadlineExceeded), catalog.Unavailable},
		{context.Canceled, catalog.Other},
		{&pgconn.PgError{Code: "08006"}, catalog.Unavailable},
		{&pgconn.PgError{Code: "57P01"}, catalog.Unavailable},
		{&pgconn.PgError{Code: "40P01"}, catalog.Unavailable},
		{&pgconn.PgError{Code: "23505"}, catalog.Conflict},
		{&pgconn.PgError{Code: "42P01"}, catalog.Other},
	}
	for _, tt := range tests {
		if got := errorKind(tt.err); got != tt.want {
			t.Errorf("errorKind(%v) = %q, want %q", tt.err, got, tt.want)
		}
	}
}

// childEnv hands TestSQLiteChild the database it works on.
const childEnv = "CONFMEDIA_SQLSTORE_CHILD_DB"

const childUpdates = 25

// TestSQLiteChild is one of the processes TestSQLiteProcesses starts.
func TestSQLiteChild(t *testing.T) {
	path := os.Getenv(childEnv)
	if path == "" {
		t.Skip("a helper process of TestSQLiteProcesses")
	}
	s := openSQLiteTest(t, path)
	concurrentWrites(t, s, os.Getpid())
}

// concurrentWrites updates the shared item childUpdates times and puts
// recordings of its own, from several goroutines.
func concurrentWrites(t *testing.T, s *Store, who int) {
	var wg sync.WaitGroup
	for g := range 5 {
		wg.Go(func() {
			for i := range childUpdates / 5 {
				err := s.UpdateMedia(t.Context(), "shared", func(m *catalog.Media) error { m.Generation++; return nil })
				if err != nil {
					t.Errorf("UpdateMedia: %v", err)
				}
				r := &catalog.Recording{ID: fmt.Sprintf("%d-%d-%d", who, g, i), URL: "u"}
				if _, err := s.PutRecording(t.Context(), r); err != nil {
					t.Errorf("PutRecording: %v", err)
				}
			}
		})
	}
	wg.Wait()
}

// TestSQLiteProcesses has processes write to one database at once, as the
// web server and the workers do: none may fail with SQLITE_BUSY.
func TestSQLiteProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	path := filepath.Join(t.TempDir(), "catalog.db")
	s := openSQLiteTest(t, path)
	if _, err := s.CreateMedia(t.Context(), &catalog.Media{ID: "shared", Kind: catalog.Photo}); err != nil {
		t.Fatal(err)
	}
	const children = 2
	var cmds []*exec.Cmd
	outs := make([]strings.Builder, children)
	for i := range children {
		cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run=^TestSQLiteChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), childEnv+"="+path)
		cmd.Stdout, cmd.Stderr = &outs[i], &outs[i]
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmds = append(cmds, cmd)
	}
	concurrentWrites(t, s, os.Getpid())
	for i, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			t.Errorf("process %d: %v\n%s", i, err, outs[i].String())
		}
	}
	m, err := s.Media(t.Context(), "shared")
	if err != nil {
		t.Fatal(err)
	}
	if want := (children + 1) * childUpdates; m.Generation != want {
		t.Errorf("Generation = %d after %d updates", m.Generation, want)
	}
	recs, err := s.ListRecordings(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if want := (children + 1) * childUpdates; len(recs) != want {
		t.Errorf("%d recordings after %d puts", len(recs), want)
	}
}
