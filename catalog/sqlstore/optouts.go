package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"github.com/confmedia/confmedia/catalog"
)

// PutOptOut records o, replacing the opt-out with the same Name. Names are
// compared exactly, after trimming surrounding space, and stored trimmed. An
// empty name is Invalid.
func (s *Store) PutOptOut(ctx context.Context, o catalog.OptOut) error {
	const op = "sqlstore.PutOptOut"
	name := strings.TrimSpace(o.Name)
	if name == "" {
		return catalog.E(catalog.Invalid, op, nil, "the opt-out names nobody")
	}
	return s.write(ctx, op, func(tx *sql.Tx) error {
		// The speaker an opt-out of this name named before loses its
		// cover: their descriptors follow catalog.DescriptorUse again.
		var old string
		err := tx.QueryRowContext(ctx, "SELECT speaker_id FROM opt_outs WHERE name = $1", name).Scan(&old)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return s.fail(op, err)
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO opt_outs (name, speaker_id, reason, created) VALUES ($1, $2, $3, $4)
			ON CONFLICT (name) DO UPDATE SET speaker_id = excluded.speaker_id, reason = excluded.reason,
				created = excluded.created`,
			name, o.SpeakerID, o.Reason, s.d.timeArg(o.Created))
		if err != nil {
			return s.fail(op, err)
		}
		return s.pruneSpeakerDescriptors(ctx, tx, op, old)
	})
}

// OptOuts lists all opt-outs ordered by name, byte by byte.
func (s *Store) OptOuts(ctx context.Context) ([]catalog.OptOut, error) {
	const op = "sqlstore.OptOuts"
	rows, err := s.r.QueryContext(ctx, "SELECT name, speaker_id, reason, created FROM opt_outs ORDER BY name"+s.d.binary)
	if err != nil {
		return nil, s.fail(op, err)
	}
	defer rows.Close()
	var out []catalog.OptOut
	for rows.Next() {
		var o catalog.OptOut
		if err := rows.Scan(&o.Name, &o.SpeakerID, &o.Reason, timeCol{&o.Created}); err != nil {
			return nil, s.fail(op, err)
		}
		out = append(out, o)
	}
	if err := rows.Err(); err != nil {
		return nil, s.fail(op, err)
	}
	return out, nil
}

// DeleteOptOut removes the opt-out of name (trimmed), or returns a NotFound
// error when there is none.
func (s *Store) DeleteOptOut(ctx context.Context, name string) error {
	const op = "sqlstore.DeleteOptOut"
	name = strings.TrimSpace(name)
	return s.write(ctx, op, func(tx *sql.Tx) error {
		var speaker string
		err := tx.QueryRowContext(ctx, "SELECT speaker_id FROM opt_outs WHERE name = $1", name).Scan(&speaker)
		if errors.Is(err, sql.ErrNoRows) {
			return catalog.E(catalog.NotFound, op, nil, "no opt-out for %q", name)
		}
		if err != nil {
			return s.fail(op, err)
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM opt_outs WHERE name = $1", name); err != nil {
			return s.fail(op, err)
		}
		// Without the opt-out, its speaker's descriptors follow the rule
		// of a speaker who did not opt out (catalog.DescriptorUse).
		return s.pruneSpeakerDescriptors(ctx, tx, op, speaker)
	})
}
