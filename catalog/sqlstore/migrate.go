package sqlstore

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/confmedia/confmedia/catalog"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// migration is one numbered file of migrations/.
type migration struct {
	version int
	name    string
	body    string
}

// migrations returns the embedded migrations ordered by version. Their names
// are "NNNN_what.sql"; versions are unique.
func migrations() ([]migration, error) {
	entries, err := fs.ReadDir(migrationFiles, "migrations")
	if err != nil {
		return nil, err
	}
	var out []migration
	for _, e := range entries {
		num, _, ok := strings.Cut(e.Name(), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("migration %s: name does not start with a version number", e.Name())
		}
		b, err := migrationFiles.ReadFile(path.Join("migrations", e.Name()))
		if err != nil {
			return nil, err
		}
		out = append(out, migration{version: v, name: e.Name(), body: string(b)})
	}
	slices.SortFunc(out, func(a, b migration) int { return a.version - b.version })
	for i := 1; i < len(out); i++ {
		if out[i].version == out[i-1].version {
			return nil, fmt.Errorf("migrations %s and %s share a version", out[i-1].name, out[i].name)
		}
	}
	return out, nil
}

// statements splits a migration into its statements: each ends with a
// semicolon at the end of a line. Comment lines are dropped.
func statements(body string) []string {
	var (
		out []string
		cur strings.Builder
	)
	for line := range strings.Lines(body) {
		trimmed := strings.TrimSpace(line)
		if trimmed == "" || strings.HasPrefix(trimmed, "--") {
			continue
		}
		cur.WriteString(line)
		if strings.HasSuffix(trimmed, ";") {
			out = append(out, strings.TrimSpace(cur.String()))
			cur.Reset()
		}
	}
	if rest := strings.TrimSpace(cur.String()); rest != "" {
		out = append(out, rest)
	}
	return out
}

// migrate applies the migrations the database lacks, all in one
// transaction, and records them in schema_migrations.
func (s *Store) migrate(ctx context.Context) error {
	const op = "sqlstore.migrate"
	all, err := migrations()
	if err != nil {
		return catalog.E(catalog.Other, op, err, "the built-in database migrations are broken")
	}
	return s.apply(ctx, all)
}

// apply applies those of all, ordered by version, that the database lacks.
func (s *Store) apply(ctx context.Context, all []migration) error {
	const op = "sqlstore.migrate"
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return s.fail(op, err)
	}
	defer tx.Rollback()
	if s.d.migrateLock != "" {
		if _, err := tx.ExecContext(ctx, s.d.migrateLock); err != nil {
			return s.fail(op, err)
		}
	}
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY,
		name    TEXT NOT NULL
	)`); err != nil {
		return s.fail(op, err)
	}
	rows, err := tx.QueryContext(ctx, "SELECT version FROM schema_migrations")
	if err != nil {
		return s.fail(op, err)
	}
	applied := map[int]bool{}
	newest := 0
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			rows.Close()
			return s.fail(op, err)
		}
		applied[v] = true
		newest = max(newest, v)
	}
	if err := rows.Err(); err != nil {
		return s.fail(op, err)
	}
	rows.Close()
	if known := all[len(all)-1].version; newest > known {
		s.logger.Warn("catalog database schema is newer than this program",
			"dialect", s.d.name, "database_version", newest, "program_version", known)
	}
	var done []string
	for _, m := range all {
		if applied[m.version] {
			continue
		}
		for _, stmt := range statements(s.d.types.Replace(m.body)) {
			if _, err := tx.ExecContext(ctx, stmt); err != nil {
				return catalog.E(errorKind(err), op, err, "database migration %s failed", m.name)
			}
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", m.version, m.name); err != nil {
			return s.fail(op, err)
		}
		done = append(done, m.name)
	}
	if err := tx.Commit(); err != nil {
		return s.fail(op, err)
	}
	for _, name := range done {
		s.logger.Info("applied catalog database migration", "dialect", s.d.name, "migration", name)
	}
	return nil
}
