package sqlstore

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/confmedia/confmedia/catalog"
)

const recordingColumns = `id, url, title, speakers, description, recorded, room, start_wall, duration,
	source_id, talk_ref, thumbnail, raw, state, talk_id, reason, candidates, generation,
	decided, decided_by, event`

func recordingArgs(r *catalog.Recording) []any {
	var raw any // NULL for no record
	if len(r.Raw) > 0 {
		raw = r.Raw
	}
	return []any{
		r.ID, r.URL, r.Title, jsonList(r.Speakers), r.Description, r.Recorded, r.Room, r.Start, r.Duration,
		r.SourceID, r.TalkRef, r.Thumbnail, raw, string(r.State), r.TalkID, r.Reason, jsonList(r.Candidates),
		r.Generation, r.Decided, r.DecidedBy, r.Event,
	}
}

func scanRecording(row scanner) (*catalog.Recording, error) {
	var (
		r     catalog.Recording
		state string
	)
	err := row.Scan(&r.ID, &r.URL, &r.Title, jsonCol{&r.Speakers}, &r.Description, &r.Recorded, &r.Room,
		&r.Start, &r.Duration, &r.SourceID, &r.TalkRef, &r.Thumbnail, &r.Raw, &state, &r.TalkID, &r.Reason,
		jsonCol{&r.Candidates}, &r.Generation, &r.Decided, &r.DecidedBy, &r.Event)
	if err != nil {
		return nil, err
	}
	if len(r.Raw) == 0 {
		r.Raw = nil
	}
	r.State = catalog.RecordingState(state)
	return &r, nil
}

// sameMetadata reports whether two recordings carry the same metadata, as
// the video team supplied it; the match state is not compared.
func sameMetadata(a, b *catalog.Recording) bool {
	return a.URL == b.URL && a.Title == b.Title && slices.Equal(a.Speakers, b.Speakers) &&
		a.Description == b.Description && a.Recorded == b.Recorded && a.Room == b.Room &&
		a.Start == b.Start && a.Duration == b.Duration && a.SourceID == b.SourceID &&
		a.TalkRef == b.TalkRef && a.Thumbnail == b.Thumbnail && a.Event == b.Event && bytes.Equal(a.Raw, b.Raw)
}

// PutRecording stores r by its ID. A new record is stored as given, with
// state pending and not decided: an import never decides. A record whose
// metadata changed replaces the stored one, with the stored Generation plus
// one, so that it is matched again under a new task id; its state becomes
// pending unless the stored recording is Decided, in which case the
// person's decision (State, TalkID, Reason, Decided, DecidedBy) is kept and
// only the metadata, Candidates and Generation change. An identical
// re-import (the same metadata, whatever the match state) changes nothing
// and changed is false. r itself is not modified. An empty ID is Invalid.
func (s *Store) PutRecording(ctx context.Context, r *catalog.Recording) (changed bool, err error) {
	const op = "sqlstore.PutRecording"
	if r.ID == "" {
		return false, catalog.E(catalog.Invalid, op, nil, "recording %q has no id", r.URL)
	}
	put := *r
	put.State, put.Decided, put.DecidedBy = catalog.RecordingPending, false, ""
	err = s.write(ctx, op, func(tx *sql.Tx) error {
		// In PostgreSQL a concurrent import of the same new id can win
		// the insert; the second round then finds its row.
		for range 2 {
			old, err := scanRecording(tx.QueryRowContext(ctx,
				"SELECT "+recordingColumns+" FROM recordings WHERE id = $1"+s.d.forUpdate, r.ID))
			switch {
			case errors.Is(err, sql.ErrNoRows):
				args := recordingArgs(&put)
				res, err := tx.ExecContext(ctx, "INSERT INTO recordings ("+recordingColumns+") VALUES ("+
					placeholders(1, len(args))+") ON CONFLICT (id) DO NOTHING", args...)
				if err != nil {
					return s.fail(op, err)
				}
				if n, err := res.RowsAffected(); err != nil {
					return s.fail(op, err)
				} else if n == 1 {
					changed = true
					return s.bumpPart(ctx, tx, op, "recordings")
				}
				continue
			case err != nil:
				return s.fail(op, err)
			case sameMetadata(old, r):
				return nil
			}
			keepDecision(&put, old)
			changed = true
			if err := s.updateRecording(ctx, tx, op, &put); err != nil {
				return err
			}
			return s.bumpPart(ctx, tx, op, "recordings")
		}
		return catalog.E(catalog.Conflict, op, nil, "recording %s changed meanwhile", r.ID)
	})
	return changed, err
}

// keepDecision makes put, a changed re-import of old, the next generation of
// old, keeping old's match state when a person decided it.
func keepDecision(put, old *catalog.Recording) {
	put.Generation = old.Generation + 1
	if old.Decided {
		put.State, put.TalkID, put.Reason = old.State, old.TalkID, old.Reason
		put.Decided, put.DecidedBy = true, old.DecidedBy
	}
}

func (s *Store) updateRecording(ctx context.Context, tx *sql.Tx, op string, r *catalog.Recording) error {
	args := recordingArgs(r)
	cols := strings.Split(recordingColumns, ",")
	set := make([]string, 0, len(cols)-1)
	for i, c := range cols[1:] {
		set = append(set, fmt.Sprintf("%s = $%d", strings.TrimSpace(c), i+2))
	}
	if _, err := tx.ExecContext(ctx, "UPDATE recordings SET "+strings.Join(set, ", ")+" WHERE id = $1", args...); err != nil {
		return s.fail(op, err)
	}
	return nil
}

// Recording returns one recording, or a NotFound error.
func (s *Store) Recording(ctx context.Context, id string) (*catalog.Recording, error) {
	const op = "sqlstore.Recording"
	r, err := scanRecording(s.r.QueryRowContext(ctx, "SELECT "+recordingColumns+" FROM recordings WHERE id = $1", id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, catalog.E(catalog.NotFound, op, nil, "recording %s not found", id)
	}
	if err != nil {
		return nil, s.fail(op, err)
	}
	return r, nil
}

// ListRecordings returns all recordings ordered by id.
func (s *Store) ListRecordings(ctx context.Context) ([]*catalog.Recording, error) {
	const op = "sqlstore.ListRecordings"
	rows, err := s.r.QueryContext(ctx, "SELECT "+recordingColumns+" FROM recordings ORDER BY id"+s.d.binary)
	if err != nil {
		return nil, s.fail(op, err)
	}
	defer rows.Close()
	var out []*catalog.Recording
	for rows.Next() {
		r, err := scanRecording(rows)
		if err != nil {
			return nil, s.fail(op, err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, s.fail(op, err)
	}
	return out, nil
}

// UpdateRecording reads recording id, lets fn change it and writes it back
// atomically. If fn returns an error nothing is written and that error is
// returned as it is. A missing recording is a NotFound error; fn changing
// its ID is an Invalid one. As for UpdateMedia, fn must be quick and must
// not call the store.
func (s *Store) UpdateRecording(ctx context.Context, id string, fn func(*catalog.Recording) error) error {
	const op = "sqlstore.UpdateRecording"
	return s.write(ctx, op, func(tx *sql.Tx) error {
		r, err := scanRecording(tx.QueryRowContext(ctx,
			"SELECT "+recordingColumns+" FROM recordings WHERE id = $1"+s.d.forUpdate, id))
		if errors.Is(err, sql.ErrNoRows) {
			return catalog.E(catalog.NotFound, op, nil, "recording %s not found", id)
		}
		if err != nil {
			return s.fail(op, err)
		}
		if err := fn(r); err != nil {
			return err
		}
		if r.ID != id {
			return catalog.E(catalog.Invalid, op, nil, "recording %s cannot change its id to %s", id, r.ID)
		}
		if err := s.updateRecording(ctx, tx, op, r); err != nil {
			return err
		}
		return s.bumpPart(ctx, tx, op, "recordings")
	})
}
