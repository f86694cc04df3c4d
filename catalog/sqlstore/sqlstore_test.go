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
	u := postgresSchemaURL(t)
	s, err := Open(t.Context(), u, testLogger(t))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// postgresSchemaURL creates a schema dropped when t ends and returns the URL
// of the test database with that schema as its search path.
func postgresSchemaURL(t *testing.T) string {
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
	return u.String()
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

func TestMigrateFromFirstSQLite(t *testing.T) {
	path := filepath.Join(t.TempDir(), "catalog.db")
	testMigrateFromFirst(t, path, func() (*Store, error) { return openSQLite(t.Context(), path) })
}

func TestMigrateFromFirstPostgres(t *testing.T) {
	u := postgresSchemaURL(t)
	testMigrateFromFirst(t, u, func() (*Store, error) { return openPostgres(t.Context(), u) })
}

// testMigrateFromFirst builds a database as the first migration left it,
// with a media item and a recording written in that schema, then opens it
// with Open: the later migrations must apply, keep the rows, and let the
// fields they add round-trip.
func testMigrateFromFirst(t *testing.T, url string, openRaw func() (*Store, error)) {
	ctx := t.Context()
	all, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	if len(all) < 2 || all[0].version != 1 {
		t.Fatalf("migrations %v: want 0001 and a later one", all)
	}
	old, err := openRaw()
	if err != nil {
		t.Fatal(err)
	}
	old.logger = testLogger(t)
	if err := old.apply(ctx, all[:1]); err != nil {
		old.Close()
		t.Fatalf("applying %s: %v", all[0].name, err)
	}
	// The columns of the first schema are the leading ones: 36 of media,
	// 18 of recordings.
	insert := func(table, columns string, args []any, first int) {
		t.Helper()
		cols := strings.Split(columns, ",")[:first]
		q := "INSERT INTO " + table + " (" + strings.Join(cols, ",") + ") VALUES (" + placeholders(1, first) + ")"
		if _, err := old.w.ExecContext(ctx, q, args[:first]...); err != nil {
			t.Fatalf("insert into the first schema's %s: %v", table, err)
		}
	}
	m := &catalog.Media{ID: "m1", Kind: catalog.Photo, SourceName: "a.jpg", Status: catalog.Tagged, TalkIDs: []string{"t1"},
		SpeakerIDs: []string{"s1", "s2", "s1"}, TakenAt: time.Date(2024, 7, 8, 10, 0, 0, 0, time.UTC)}
	insert("media", mediaColumns, old.mediaArgs(m), 36)
	r := &catalog.Recording{ID: "r1", URL: "https://v/1", Title: "One", State: catalog.RecordingAttached, TalkID: "t1", Generation: 2}
	insert("recordings", recordingColumns, recordingArgs(r), 18)
	old.Close()

	for i := range 2 { // the second Open has nothing to do
		s, err := Open(ctx, url, testLogger(t))
		if err != nil {
			t.Fatalf("Open %d: %v", i+1, err)
		}
		var n int
		if err := s.r.QueryRowContext(ctx, "SELECT count(*) FROM schema_migrations").Scan(&n); err != nil || n != len(all) {
			t.Errorf("Open %d: schema_migrations holds %d rows (%v), want %d", i+1, n, err, len(all))
		}
		if i == 1 {
			s.Close()
			break
		}
		gotM, err := s.Media(ctx, "m1")
		if err != nil {
			t.Fatal(err)
		}
		if gotM.Decided || gotM.DecidedBy != "" || !gotM.DecidedAt.IsZero() || gotM.Status != catalog.Tagged || !slices.Equal(gotM.TalkIDs, m.TalkIDs) {
			t.Errorf("migrated media = %+v, want it as written and undecided", gotM)
		}
		// Migration 0012 fills media_talks and media_speakers from the
		// rows' arrays, a repeated id once.
		for _, f := range []catalog.MediaFilter{{TalkID: "t1"}, {SpeakerID: "s1"}, {SpeakerID: "s2", TalkID: "t1"}} {
			if got, err := s.ListMedia(ctx, f); err != nil || len(got) != 1 || got[0].ID != "m1" {
				t.Errorf("migrated media: ListMedia(%+v) = %d items (%v), want m1", f, len(got), err)
			}
		}
		gotR, err := s.Recording(ctx, "r1")
		if err != nil {
			t.Fatal(err)
		}
		if gotR.Decided || gotR.DecidedBy != "" || gotR.State != catalog.RecordingAttached || gotR.TalkID != "t1" || gotR.Generation != 2 {
			t.Errorf("migrated recording = %+v, want it as written and undecided", gotR)
		}
		at := time.Date(2024, 7, 9, 1, 2, 3, 4000, time.UTC)
		err = s.UpdateMedia(ctx, "m1", func(m *catalog.Media) error {
			m.Decided, m.DecidedBy, m.DecidedAt = true, "admin", at
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		err = s.UpdateRecording(ctx, "r1", func(r *catalog.Recording) error {
			r.State, r.Decided, r.DecidedBy = catalog.RecordingDismissed, true, "video"
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.PutOptOut(ctx, catalog.OptOut{Name: "Ada", Created: at}); err != nil {
			t.Fatal(err)
		}
		s.Close()
	}
	s, err := Open(ctx, url, testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if m, err := s.Media(ctx, "m1"); err != nil || !m.Decided || m.DecidedBy != "admin" || !m.DecidedAt.Equal(time.Date(2024, 7, 9, 1, 2, 3, 4000, time.UTC)) {
		t.Errorf("after reopening: media decided %v by %q at %v (%v)", m.Decided, m.DecidedBy, m.DecidedAt, err)
	}
	if r, err := s.Recording(ctx, "r1"); err != nil || !r.Decided || r.DecidedBy != "video" || r.State != catalog.RecordingDismissed {
		t.Errorf("after reopening: recording %+v (%v)", r, err)
	}
	if o, err := s.OptOuts(ctx); err != nil || len(o) != 1 || o[0].Name != "Ada" {
		t.Errorf("after reopening: OptOuts = %+v, %v", o, err)
	}
}

// TestChangesRemoved: an item deleted from media with its id left in
// media_removed (migration 0011) is reported by Changes once, after the
// version of its removal, and an id both removed and created again once.
func TestChangesRemoved(t *testing.T) {
	ctx := context.Background()
	s := openSQLiteTest(t, filepath.Join(t.TempDir(), "catalog.db"))
	for _, id := range []string{"gone", "back"} {
		if _, err := s.CreateMedia(ctx, &catalog.Media{ID: id, Kind: catalog.Photo, SourceName: id + ".jpg", OriginalKey: catalog.OriginalKey(id), Status: catalog.Pending}); err != nil {
			t.Fatal(err)
		}
	}
	v, err := s.Version(ctx)
	if err != nil {
		t.Fatal(err)
	}
	err = s.write(ctx, "test", func(tx *sql.Tx) error {
		if err := s.bump(ctx, tx, "test"); err != nil {
			return err
		}
		for _, q := range []string{
			"DELETE FROM media WHERE id = 'gone'",
			"INSERT INTO media_removed (id, changed_at) SELECT 'gone', n FROM catalog_version WHERE id = 1",
			"INSERT INTO media_removed (id, changed_at) SELECT 'back', n FROM catalog_version WHERE id = 1",
			"UPDATE media SET changed_at = (SELECT n FROM catalog_version WHERE id = 1) WHERE id = 'back'",
		} {
			if _, err := tx.ExecContext(ctx, q); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	c, err := s.Changes(ctx, v)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := c.Media, []string{"back", "gone"}; !slices.Equal(got, want) {
		t.Errorf("Changes after a removal = %q, want %q", got, want)
	}
	if c, err := s.Changes(ctx, c.Version); err != nil || len(c.Media) != 0 {
		t.Errorf("Changes after the removal's version = %q, %v; want none", c.Media, err)
	}
}
