package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/confmedia/confmedia/catalog"
)

// PutSession stores ss, replacing a session with the same hash. A session
// without a hash, a token hash or an expiry is Invalid.
func (s *Store) PutSession(ctx context.Context, ss catalog.Session) error {
	const op = "sqlstore.PutSession"
	if ss.Hash == "" || ss.TokenHash == "" || ss.Expires.IsZero() {
		return catalog.E(catalog.Invalid, op, nil, "a session needs a hash, a token and an expiry")
	}
	_, err := s.w.ExecContext(ctx, `INSERT INTO sessions (hash, token_hash, created, expires) VALUES ($1, $2, $3, $4)
		ON CONFLICT (hash) DO UPDATE SET token_hash = excluded.token_hash,
			created = excluded.created, expires = excluded.expires`,
		ss.Hash, ss.TokenHash, s.d.timeArg(ss.Created), s.d.timeArg(ss.Expires))
	if err != nil {
		return s.fail(op, err)
	}
	return nil
}

// SessionByHash returns the session with that hash, or a NotFound error. It
// does not look at the expiry.
func (s *Store) SessionByHash(ctx context.Context, hash string) (catalog.Session, error) {
	const op = "sqlstore.SessionByHash"
	var ss catalog.Session
	err := s.r.QueryRowContext(ctx, "SELECT hash, token_hash, created, expires FROM sessions WHERE hash = $1", hash).
		Scan(&ss.Hash, &ss.TokenHash, timeCol{&ss.Created}, timeCol{&ss.Expires})
	if errors.Is(err, sql.ErrNoRows) {
		return catalog.Session{}, catalog.E(catalog.NotFound, op, nil, "no such session")
	}
	if err != nil {
		return catalog.Session{}, s.fail(op, err)
	}
	return ss, nil
}

// DeleteSession removes the session with that hash; a missing one is not
// an error.
func (s *Store) DeleteSession(ctx context.Context, hash string) error {
	const op = "sqlstore.DeleteSession"
	if _, err := s.w.ExecContext(ctx, "DELETE FROM sessions WHERE hash = $1", hash); err != nil {
		return s.fail(op, err)
	}
	return nil
}

// DeleteTokenSessions removes every session of the token with tokenHash.
func (s *Store) DeleteTokenSessions(ctx context.Context, tokenHash string) (int, error) {
	return s.deleteSessions(ctx, "sqlstore.DeleteTokenSessions", "DELETE FROM sessions WHERE token_hash = $1", tokenHash)
}

// DeleteExpiredSessions removes the sessions that ended by now.
func (s *Store) DeleteExpiredSessions(ctx context.Context, now time.Time) (int, error) {
	return s.deleteSessions(ctx, "sqlstore.DeleteExpiredSessions", "DELETE FROM sessions WHERE expires <= $1", s.d.timeArg(now))
}

func (s *Store) deleteSessions(ctx context.Context, op, query string, arg any) (int, error) {
	res, err := s.w.ExecContext(ctx, query, arg)
	if err != nil {
		return 0, s.fail(op, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, s.fail(op, err)
	}
	return int(n), nil
}
