package sqlstore

import (
	"context"
	"database/sql"
	"errors"

	"github.com/confmedia/confmedia/catalog"
)

// PutToken stores t, replacing any token with the same hash. An empty hash
// is Invalid.
func (s *Store) PutToken(ctx context.Context, t catalog.Token) error {
	const op = "sqlstore.PutToken"
	if t.Hash == "" {
		return catalog.E(catalog.Invalid, op, nil, "token %q has no hash", t.Name)
	}
	_, err := s.w.ExecContext(ctx, `INSERT INTO tokens (hash, role, name, created, expires, speaker_id) VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (hash) DO UPDATE SET role = excluded.role, name = excluded.name,
			created = excluded.created, expires = excluded.expires, speaker_id = excluded.speaker_id`,
		t.Hash, string(t.Role), t.Name, s.d.timeArg(t.Created), s.d.timeArg(t.Expires), t.SpeakerID)
	if err != nil {
		return s.fail(op, err)
	}
	return nil
}

// TokenByHash returns the token with that hash, or a NotFound error. It
// does not look at the expiry.
func (s *Store) TokenByHash(ctx context.Context, hash string) (catalog.Token, error) {
	const op = "sqlstore.TokenByHash"
	var (
		t    catalog.Token
		role string
	)
	err := s.r.QueryRowContext(ctx, "SELECT hash, role, name, created, expires, speaker_id FROM tokens WHERE hash = $1", hash).
		Scan(&t.Hash, &role, &t.Name, timeCol{&t.Created}, timeCol{&t.Expires}, &t.SpeakerID)
	if errors.Is(err, sql.ErrNoRows) {
		return catalog.Token{}, catalog.E(catalog.NotFound, op, nil, "no such token")
	}
	if err != nil {
		return catalog.Token{}, s.fail(op, err)
	}
	t.Role = catalog.Role(role)
	return t, nil
}

// DeleteToken removes the token with that hash, or returns a NotFound error
// when there is none.
func (s *Store) DeleteToken(ctx context.Context, hash string) error {
	const op = "sqlstore.DeleteToken"
	res, err := s.w.ExecContext(ctx, "DELETE FROM tokens WHERE hash = $1", hash)
	if err != nil {
		return s.fail(op, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return s.fail(op, err)
	}
	if n == 0 {
		return catalog.E(catalog.NotFound, op, nil, "no such token")
	}
	return nil
}

// Tokens lists every token, newest first (then by hash).
func (s *Store) Tokens(ctx context.Context) ([]catalog.Token, error) {
	const op = "sqlstore.Tokens"
	rows, err := s.r.QueryContext(ctx, "SELECT hash, role, name, created, expires, speaker_id FROM tokens ORDER BY created DESC, hash")
	if err != nil {
		return nil, s.fail(op, err)
	}
	defer rows.Close()
	var out []catalog.Token
	for rows.Next() {
		var (
			t    catalog.Token
			role string
		)
		if err := rows.Scan(&t.Hash, &role, &t.Name, timeCol{&t.Created}, timeCol{&t.Expires}, &t.SpeakerID); err != nil {
			return nil, s.fail(op, err)
		}
		t.Role = catalog.Role(role)
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, s.fail(op, err)
	}
	return out, nil
}
