package sqlstore

import (
	"context"
	"database/sql"
	"errors"

	"github.com/confmedia/confmedia/catalog"
)

const talkColumns = "id, title, start_at, end_at, room, speaker_ids, track, type, guid, code, slug, url, do_not_record, abstract, language"

func scanTalk(row scanner) (catalog.Talk, error) {
	var t catalog.Talk
	err := row.Scan(&t.ID, &t.Title, timeCol{&t.Start}, timeCol{&t.End}, &t.Room, jsonCol{&t.SpeakerIDs},
		&t.Track, &t.Type, &t.GUID, &t.Code, &t.Slug, &t.URL, &t.DoNotRecord, &t.Abstract, &t.Language)
	return t, err
}

// ReplaceSchedule makes sc the schedule, authoritatively: talks and speakers
// missing from sc are removed. It reports the talks added, changed (title,
// start, end, room, speakers or do-not-record) and removed, each sorted by
// id, in one transaction. A schedule without a known time zone, or with an
// empty or repeated talk or speaker id, is Invalid and changes nothing.
func (s *Store) ReplaceSchedule(ctx context.Context, sc catalog.Schedule) (catalog.ScheduleDiff, error) {
	const op = "sqlstore.ReplaceSchedule"
	if err := sc.Validate(op); err != nil {
		return catalog.ScheduleDiff{}, err
	}
	var diff catalog.ScheduleDiff
	err := s.write(ctx, op, func(tx *sql.Tx) error {
		// Writing the conference row first also serialises concurrent
		// imports in PostgreSQL: the second waits for the row's lock.
		if _, err := tx.ExecContext(ctx, `INSERT INTO conference (id, title, timezone, acronym, url) VALUES (1, $1, $2, $3, $4)
			ON CONFLICT (id) DO UPDATE SET title = excluded.title, timezone = excluded.timezone, acronym = excluded.acronym, url = excluded.url`,
			sc.Conference.Title, sc.Conference.Timezone, sc.Conference.Acronym, sc.Conference.URL); err != nil {
			return s.fail(op, err)
		}
		old, err := s.talks(ctx, tx)
		if err != nil {
			return s.fail(op, err)
		}
		diff = sc.Diff(old)
		for _, q := range []string{"DELETE FROM talks", "DELETE FROM speakers"} {
			if _, err := tx.ExecContext(ctx, q); err != nil {
				return s.fail(op, err)
			}
		}
		ins, err := tx.PrepareContext(ctx, "INSERT INTO talks ("+talkColumns+") VALUES ("+placeholders(1, 15)+")")
		if err != nil {
			return s.fail(op, err)
		}
		defer ins.Close()
		for _, t := range sc.Talks {
			if _, err := ins.ExecContext(ctx, t.ID, t.Title, s.d.timeArg(t.Start), s.d.timeArg(t.End), t.Room,
				jsonList(t.SpeakerIDs), t.Track, t.Type, t.GUID, t.Code, t.Slug, t.URL, t.DoNotRecord, t.Abstract, t.Language); err != nil {
				return s.fail(op, err)
			}
		}
		insSpeaker, err := tx.PrepareContext(ctx, "INSERT INTO speakers (id, name, avatar_url) VALUES ($1, $2, $3)")
		if err != nil {
			return s.fail(op, err)
		}
		defer insSpeaker.Close()
		for _, sp := range sc.Speakers {
			if _, err := insSpeaker.ExecContext(ctx, sp.ID, sp.Name, sp.AvatarURL); err != nil {
				return s.fail(op, err)
			}
		}
		return s.bumpPart(ctx, tx, op, "schedule")
	})
	if err != nil {
		return catalog.ScheduleDiff{}, err
	}
	return diff, nil
}

func (s *Store) talks(ctx context.Context, q interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}) (map[string]catalog.Talk, error) {
	rows, err := q.QueryContext(ctx, "SELECT "+talkColumns+" FROM talks")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	talks := map[string]catalog.Talk{}
	for rows.Next() {
		t, err := scanTalk(rows)
		if err != nil {
			return nil, err
		}
		talks[t.ID] = t
	}
	return talks, rows.Err()
}

// Schedule returns the current schedule: talks ordered by start then id,
// their times in the venue's zone, and speakers ordered by id. With no
// schedule imported it returns an empty Schedule and no error.
func (s *Store) Schedule(ctx context.Context) (catalog.Schedule, error) {
	const op = "sqlstore.Schedule"
	tx, err := s.r.BeginTx(ctx, s.d.readTx)
	if err != nil {
		return catalog.Schedule{}, s.fail(op, err)
	}
	defer tx.Rollback()
	var sc catalog.Schedule
	err = tx.QueryRowContext(ctx, "SELECT title, timezone, acronym, url FROM conference WHERE id = 1").
		Scan(&sc.Conference.Title, &sc.Conference.Timezone, &sc.Conference.Acronym, &sc.Conference.URL)
	if errors.Is(err, sql.ErrNoRows) {
		return catalog.Schedule{}, nil
	}
	if err != nil {
		return catalog.Schedule{}, s.fail(op, err)
	}
	loc, err := sc.Conference.Location()
	if err != nil {
		return catalog.Schedule{}, err
	}
	rows, err := tx.QueryContext(ctx, "SELECT "+talkColumns+" FROM talks ORDER BY (start_at IS NULL), start_at, id"+s.d.binary)
	if err != nil {
		return catalog.Schedule{}, s.fail(op, err)
	}
	defer rows.Close()
	for rows.Next() {
		t, err := scanTalk(rows)
		if err != nil {
			return catalog.Schedule{}, s.fail(op, err)
		}
		if !t.Start.IsZero() {
			t.Start = t.Start.In(loc)
		}
		if !t.End.IsZero() {
			t.End = t.End.In(loc)
		}
		sc.Talks = append(sc.Talks, t)
	}
	if err := rows.Err(); err != nil {
		return catalog.Schedule{}, s.fail(op, err)
	}
	rows, err = tx.QueryContext(ctx, "SELECT id, name, avatar_url FROM speakers ORDER BY id"+s.d.binary)
	if err != nil {
		return catalog.Schedule{}, s.fail(op, err)
	}
	defer rows.Close()
	for rows.Next() {
		var sp catalog.Speaker
		if err := rows.Scan(&sp.ID, &sp.Name, &sp.AvatarURL); err != nil {
			return catalog.Schedule{}, s.fail(op, err)
		}
		sc.Speakers = append(sc.Speakers, sp)
	}
	if err := rows.Err(); err != nil {
		return catalog.Schedule{}, s.fail(op, err)
	}
	return sc, nil
}
