package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"github.com/confmedia/confmedia/catalog"
)

// Store is the catalog kept in SQLite or PostgreSQL. It is safe for
// concurrent use, and several processes may share one database.
type Store struct {
	w, r   *sql.DB // writes and reads; the same pool for PostgreSQL
	d      dialect
	logger *slog.Logger
}

var _ catalog.Store = (*Store)(nil)

// sqliteBusyTimeout is how long, in milliseconds, a SQLite connection waits
// for a lock another connection or process holds before giving up.
const sqliteBusyTimeout = 10000

// Open connects to the catalog database named by url and applies the
// migrations it lacks:
//
//   - "postgres://…" or "postgresql://…" is a PostgreSQL connection string
//     (pgx syntax; a search_path parameter selects the schema);
//   - "sqlite:PATH", "file:PATH" or a plain PATH is a SQLite file, created
//     with its folder if missing. After "sqlite:" or "file:", query
//     parameters following PATH ("?_pragma=cache_size(-8000)") are passed
//     to the driver.
//
// A malformed or unsupported url is an Invalid error; a database that does
// not answer is an Unavailable error. A nil logger discards logs.
func Open(ctx context.Context, url string, logger *slog.Logger) (*Store, error) {
	const op = "sqlstore.Open"
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	var s *Store
	var err error
	switch {
	case url == "":
		return nil, catalog.E(catalog.Invalid, op, nil, "no catalog database given")
	case strings.HasPrefix(url, "postgres://"), strings.HasPrefix(url, "postgresql://"):
		s, err = openPostgres(ctx, url)
	case strings.Contains(url, "://") && !strings.HasPrefix(url, "sqlite://") && !strings.HasPrefix(url, "file://"):
		scheme, _, _ := strings.Cut(url, "://")
		return nil, catalog.E(catalog.Invalid, op, nil, "unsupported catalog database %q: use postgres://… or a SQLite file path", scheme+"://…")
	default:
		s, err = openSQLite(ctx, url)
	}
	if err != nil {
		return nil, err
	}
	s.logger = logger
	if err := s.migrate(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

func openPostgres(ctx context.Context, conn string) (*Store, error) {
	const op = "sqlstore.Open"
	cfg, err := pgx.ParseConfig(conn)
	if err != nil {
		// The parser's message may quote the password; say only what is wrong.
		return nil, catalog.E(catalog.Invalid, op, errors.New("unparsable connection string"), "bad PostgreSQL connection string")
	}
	db := stdlib.OpenDB(*cfg)
	db.SetMaxOpenConns(16)
	db.SetMaxIdleConns(4)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, catalog.E(catalog.Unavailable, op, err, "the catalog database at %s:%d did not answer", cfg.Host, cfg.Port)
	}
	return &Store{w: db, r: db, d: postgresDialect()}, nil
}

func openSQLite(ctx context.Context, u string) (*Store, error) {
	const op = "sqlstore.Open"
	path, query, err := sqlitePath(u)
	if err != nil {
		return nil, catalog.E(catalog.Invalid, op, err, "bad SQLite catalog database %q", u)
	}
	if dir := filepath.Dir(path); dir != "." {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, catalog.E(catalog.Invalid, op, err, "cannot create the folder of the catalog database %s", path)
		}
	}
	// dsn adds the given pragmas to the caller's parameters, unless the
	// caller set them.
	dsn := func(txlock string, pragmas ...string) string {
		q := queryValues(query)
		for _, v := range pragmas {
			name, _, _ := strings.Cut(v, "(")
			if !hasPragma(q, name) {
				q.Add("_pragma", v)
			}
		}
		if txlock != "" && !q.Has("_txlock") {
			q.Set("_txlock", txlock)
		}
		return "file:" + escapeSQLitePath(path) + "?" + q.Encode()
	}
	busy := fmt.Sprintf("busy_timeout(%d)", sqliteBusyTimeout)
	w, err := sql.Open("sqlite", dsn("immediate", busy, "foreign_keys(1)", "journal_mode(WAL)", "synchronous(NORMAL)"))
	if err != nil {
		return nil, catalog.E(catalog.Invalid, op, err, "bad SQLite catalog database %s", path)
	}
	// One writer per process: writers queue here instead of polling the
	// file lock, and other processes wait on it for busy_timeout.
	w.SetMaxOpenConns(1)
	if err := w.PingContext(ctx); err != nil {
		w.Close()
		return nil, catalog.E(catalog.Unavailable, op, err, "cannot open the catalog database %s", path)
	}
	r, err := sql.Open("sqlite", dsn("", busy, "foreign_keys(1)", "query_only(1)"))
	if err != nil {
		w.Close()
		return nil, catalog.E(catalog.Invalid, op, err, "bad SQLite catalog database %s", path)
	}
	r.SetMaxOpenConns(max(4, runtime.GOMAXPROCS(0)))
	return &Store{w: w, r: r, d: sqliteDialect()}, nil
}

// queryValues parses the query part of a SQLite url; a bad one was refused
// by sqlitePath already.
func queryValues(query string) url.Values {
	q, _ := url.ParseQuery(query)
	if q == nil {
		q = url.Values{}
	}
	return q
}

func hasPragma(q url.Values, name string) bool {
	for _, v := range q["_pragma"] {
		if strings.HasPrefix(strings.ToLower(strings.TrimSpace(v)), name) {
			return true
		}
	}
	return false
}

// sqlitePath splits a SQLite url into the file path and the driver query.
// A plain path has no query: all of it names the file.
func sqlitePath(u string) (path, query string, err error) {
	path = u
	for _, prefix := range []string{"sqlite://", "sqlite:", "file://", "file:"} {
		if strings.HasPrefix(u, prefix) {
			path, query, _ = strings.Cut(u[len(prefix):], "?")
			break
		}
	}
	if path == "" {
		return "", "", errors.New("no file path")
	}
	if path == ":memory:" || strings.HasPrefix(path, ":memory:") {
		return "", "", errors.New("an in-memory database cannot be shared by connections; give a file path")
	}
	if _, err := url.ParseQuery(query); err != nil {
		return "", "", fmt.Errorf("bad parameters: %w", err)
	}
	return path, query, nil
}

// escapeSQLitePath escapes the characters a SQLite URI gives a meaning to.
func escapeSQLitePath(p string) string {
	return strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(p)
}

// Ping checks that the database answers, or returns an Unavailable error.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.w.PingContext(ctx); err != nil {
		return catalog.E(catalog.Unavailable, "sqlstore.Ping", err, "the catalog database did not answer")
	}
	return nil
}

// Close closes the database connections.
func (s *Store) Close() error {
	err := s.w.Close()
	if s.r != s.w {
		err = errors.Join(err, s.r.Close())
	}
	return err
}

// Version returns the count of committed changes to the schedule, media
// and recordings (table catalog_version, migration 0007): each of their
// writes bumps it in its own transaction, last, so that the number is
// seen with the change it counts.
func (s *Store) Version(ctx context.Context) (int64, error) {
	var n int64
	if err := s.r.QueryRowContext(ctx, "SELECT n FROM catalog_version WHERE id = 1").Scan(&n); err != nil {
		return 0, s.fail("sqlstore.Version", err)
	}
	return n, nil
}

// bump counts a change to the catalog (see Version) in tx.
func (s *Store) bump(ctx context.Context, tx *sql.Tx, op string) error {
	if _, err := tx.ExecContext(ctx, "UPDATE catalog_version SET n = n + 1 WHERE id = 1"); err != nil {
		return s.fail(op, err)
	}
	return nil
}

// bumpMedia is bump for a change to media item id: the feed (Changes)
// reports id after every version before this one.
func (s *Store) bumpMedia(ctx context.Context, tx *sql.Tx, op, id string) error {
	if err := s.bump(ctx, tx, op); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, "UPDATE media SET changed_at = (SELECT n FROM catalog_version WHERE id = 1) WHERE id = $1", id); err != nil {
		return s.fail(op, err)
	}
	return nil
}

// bumpPart is bump for a change to part of the catalog ("schedule",
// "recordings"; table catalog_parts, migration 0011).
func (s *Store) bumpPart(ctx context.Context, tx *sql.Tx, op, part string) error {
	if err := s.bump(ctx, tx, op); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, "UPDATE catalog_parts SET changed_at = (SELECT n FROM catalog_version WHERE id = 1) WHERE part = $1", part); err != nil {
		return s.fail(op, err)
	}
	return nil
}

// Changes reports what changed after version since (migration 0011). The
// version is read first, so that every change it counts is committed and
// seen by the reads that follow; a change committed meanwhile is reported
// too, and again by the next call.
func (s *Store) Changes(ctx context.Context, since int64) (catalog.Changes, error) {
	const op = "sqlstore.Changes"
	v, err := s.Version(ctx)
	if err != nil {
		return catalog.Changes{}, err
	}
	if since < 0 || since > v {
		return catalog.Changes{}, catalog.E(catalog.Invalid, op, nil, "no changes after version %d: the catalog is at %d", since, v)
	}
	c := catalog.Changes{Version: v}
	// No ORDER BY: SQLite would then walk the whole table in id order
	// rather than search the index on changed_at.
	rows, err := s.r.QueryContext(ctx, `SELECT id FROM media WHERE changed_at > $1
		UNION ALL SELECT id FROM media_removed WHERE changed_at > $1`, since)
	if err != nil {
		return catalog.Changes{}, s.fail(op, err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return catalog.Changes{}, s.fail(op, err)
		}
		c.Media = append(c.Media, id)
	}
	if err := rows.Err(); err != nil {
		return catalog.Changes{}, s.fail(op, err)
	}
	slices.Sort(c.Media)
	c.Media = slices.Compact(c.Media)
	parts, err := s.r.QueryContext(ctx, "SELECT part FROM catalog_parts WHERE changed_at > $1", since)
	if err != nil {
		return catalog.Changes{}, s.fail(op, err)
	}
	defer parts.Close()
	for parts.Next() {
		var part string
		if err := parts.Scan(&part); err != nil {
			return catalog.Changes{}, s.fail(op, err)
		}
		switch part {
		case "schedule":
			c.Schedule = true
		case "recordings":
			c.Recordings = true
		}
	}
	if err := parts.Err(); err != nil {
		return catalog.Changes{}, s.fail(op, err)
	}
	return c, nil
}

// write runs fn in a write transaction and commits it when fn returns nil.
// fn's error is returned as it is; fn classifies its own database errors.
func (s *Store) write(ctx context.Context, op string, fn func(tx *sql.Tx) error) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return s.fail(op, err)
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return s.fail(op, err)
	}
	return nil
}
