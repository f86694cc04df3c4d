package sqlstore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/confmedia/confmedia/catalog"
)

// fail wraps a database error for op, classified: a database that did not
// answer, or a lock held past the busy timeout, is Unavailable (retry later);
// a broken uniqueness rule is Conflict; anything else is an internal fault.
func (s *Store) fail(op string, err error) error {
	switch kind := errorKind(err); kind {
	case catalog.Unavailable:
		return catalog.E(kind, op, err, "the catalog database did not answer")
	case catalog.Conflict:
		return catalog.E(kind, op, err, "the catalog changed meanwhile")
	default:
		return catalog.E(catalog.Other, op, err, "catalog database failure")
	}
}

func errorKind(err error) catalog.Kind {
	if errors.Is(err, context.Canceled) {
		return catalog.Other
	}
	if errors.Is(err, driver.ErrBadConn) || errors.Is(err, sql.ErrConnDone) ||
		errors.Is(err, context.DeadlineExceeded) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, io.EOF) || pgconn.Timeout(err) {
		return catalog.Unavailable
	}
	var ce *pgconn.ConnectError
	if errors.As(err, &ce) {
		return catalog.Unavailable
	}
	var ne net.Error
	if errors.As(err, &ne) {
		return catalog.Unavailable
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch {
		case pe.Code == "23505": // unique_violation
			return catalog.Conflict
		case strings.HasPrefix(pe.Code, "08"), // connection exception
			strings.HasPrefix(pe.Code, "53"),       // insufficient resources
			strings.HasPrefix(pe.Code, "57P"),      // shutdown, cannot connect now
			pe.Code == "40001", pe.Code == "40P01": // serialization failure, deadlock: retry
			return catalog.Unavailable
		}
		return catalog.Other
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff {
		case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
			return catalog.Unavailable
		case sqlite3.SQLITE_CONSTRAINT:
			if se.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY || se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE {
				return catalog.Conflict
			}
		}
	}
	return catalog.Other
}
