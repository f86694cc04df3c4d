package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/confmedia/confmedia/catalog"
)

// mediaColumns are the columns of the media table, in the order of
// mediaArgs and scanMedia. Columns added by later migrations come last.
const mediaColumns = `id, kind, source_name, content_type, bytes, original_key, photographer,
	room, speaker_hint, clock_offset, has_offset, uploaded_at, status, reason, generation,
	camera, make, model, serial, camera_time, camera_time_source, taken_at, width, height,
	people, subjects, rating, has_gps, artist, copyright, license, talk_ids, speaker_ids,
	candidates, renditions, processed_at, decided, decided_by, decided_at, faces, recognized`

func (s *Store) mediaArgs(m *catalog.Media) []any {
	return []any{
		m.ID, string(m.Kind), m.SourceName, m.ContentType, m.Bytes, m.OriginalKey, m.Photographer,
		m.Room, m.SpeakerHint, int64(m.ClockOffset), m.HasOffset, s.d.timeArg(m.UploadedAt),
		string(m.Status), m.Reason, m.Generation,
		m.Camera, m.Make, m.Model, m.Serial, m.CameraTime.String(), m.CameraTime.Source,
		s.d.timeArg(m.TakenAt), m.Width, m.Height,
		jsonList(m.People), jsonList(m.Subjects), m.Rating, m.HasGPS, m.Artist, m.Copyright, m.License,
		jsonList(m.TalkIDs), jsonList(m.SpeakerIDs), jsonList(m.Candidates),
		encodeRenditions(m.Renditions), s.d.timeArg(m.ProcessedAt),
		m.Decided, m.DecidedBy, s.d.timeArg(m.DecidedAt),
		encodeFaces(m.Faces), jsonList(m.Recognized),
	}
}

type scanner interface{ Scan(dest ...any) error }

func scanMedia(row scanner) (*catalog.Media, error) {
	var (
		m                    catalog.Media
		kind, status         string
		offset               int64
		cameraTime, ctSource string
		rends                []rendition
		faces                []faceBox
	)
	err := row.Scan(
		&m.ID, &kind, &m.SourceName, &m.ContentType, &m.Bytes, &m.OriginalKey, &m.Photographer,
		&m.Room, &m.SpeakerHint, &offset, &m.HasOffset, timeCol{&m.UploadedAt},
		&status, &m.Reason, &m.Generation,
		&m.Camera, &m.Make, &m.Model, &m.Serial, &cameraTime, &ctSource,
		timeCol{&m.TakenAt}, &m.Width, &m.Height,
		jsonCol{&m.People}, jsonCol{&m.Subjects}, &m.Rating, &m.HasGPS, &m.Artist, &m.Copyright, &m.License,
		jsonCol{&m.TalkIDs}, jsonCol{&m.SpeakerIDs}, jsonCol{&m.Candidates},
		jsonCol{&rends}, timeCol{&m.ProcessedAt},
		&m.Decided, &m.DecidedBy, timeCol{&m.DecidedAt},
		jsonCol{&faces}, jsonCol{&m.Recognized},
	)
	if err != nil {
		return nil, err
	}
	m.Kind, m.Status = catalog.MediaKind(kind), catalog.Status(status)
	m.ClockOffset = time.Duration(offset)
	m.Renditions = decodeRenditions(rends)
	m.Faces = decodeFaces(faces)
	if m.CameraTime, err = catalog.ParseCameraTime(cameraTime); err != nil {
		return nil, fmt.Errorf("media %s: %w", m.ID, err)
	}
	m.CameraTime.Source = ctSource
	return &m, nil
}

// placeholders returns "$from, $from+1, …" for n arguments.
func placeholders(from, n int) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "$%d", from+i)
	}
	return b.String()
}

// CreateMedia records m. If an item with m.ID exists already it is left as
// it is and created is false. An empty ID or an unknown kind is Invalid.
func (s *Store) CreateMedia(ctx context.Context, m *catalog.Media) (created bool, err error) {
	const op = "sqlstore.CreateMedia"
	if m.ID == "" {
		return false, catalog.E(catalog.Invalid, op, nil, "media item %s has no id", m.SourceName)
	}
	if !m.Kind.Valid() {
		return false, catalog.E(catalog.Invalid, op, nil, "media item %s has unknown kind %q", m.SourceName, m.Kind)
	}
	args := s.mediaArgs(m)
	q := "INSERT INTO media (" + mediaColumns + ") VALUES (" + placeholders(1, len(args)) + ") ON CONFLICT (id) DO NOTHING"
	err = s.write(ctx, op, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, q, args...)
		if err != nil {
			return s.fail(op, err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return s.fail(op, err)
		}
		if created = n == 1; created {
			if err := s.writeOwners(ctx, tx, op, m); err != nil {
				return err
			}
			return s.bumpMedia(ctx, tx, op, m.ID)
		}
		return nil
	})
	return created, err
}

// Media returns one item, or a NotFound error.
func (s *Store) Media(ctx context.Context, id string) (*catalog.Media, error) {
	const op = "sqlstore.Media"
	m, err := scanMedia(s.r.QueryRowContext(ctx, "SELECT "+mediaColumns+" FROM media WHERE id = $1", id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, catalog.E(catalog.NotFound, op, nil, "media %s not found", id)
	}
	if err != nil {
		return nil, s.fail(op, err)
	}
	return m, nil
}

// knownChunk bounds the ids of one IN list, well below both databases'
// limits on the number of parameters.
const knownChunk = 500

// KnownMedia reports which of ids are stored: the map holds true for each
// stored id and nothing for the others.
func (s *Store) KnownMedia(ctx context.Context, ids []string) (map[string]bool, error) {
	const op = "sqlstore.KnownMedia"
	known := map[string]bool{}
	for len(ids) > 0 {
		n := min(len(ids), knownChunk)
		chunk := ids[:n]
		ids = ids[n:]
		args := make([]any, len(chunk))
		for i, id := range chunk {
			args[i] = id
		}
		rows, err := s.r.QueryContext(ctx, "SELECT id FROM media WHERE id IN ("+placeholders(1, len(args))+")", args...)
		if err != nil {
			return nil, s.fail(op, err)
		}
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return nil, s.fail(op, err)
			}
			known[id] = true
		}
		if err := rows.Close(); err != nil {
			return nil, s.fail(op, err)
		}
		if err := rows.Err(); err != nil {
			return nil, s.fail(op, err)
		}
	}
	return known, nil
}

// ListMedia returns the items f selects, ordered by capture time (items
// without one last), then id.
func (s *Store) ListMedia(ctx context.Context, f catalog.MediaFilter) ([]*catalog.Media, error) {
	var out []*catalog.Media
	err := s.walkMedia(ctx, "sqlstore.ListMedia", f, func(m *catalog.Media) error {
		out = append(out, m)
		return nil
	})
	return out, err
}

// WalkMedia calls fn with each item f selects, in ListMedia's order, one
// row at a time, from one read of the database. An error of fn stops the
// walk and is returned as it is.
func (s *Store) WalkMedia(ctx context.Context, f catalog.MediaFilter, fn func(*catalog.Media) error) error {
	return s.walkMedia(ctx, "sqlstore.WalkMedia", f, fn)
}

func (s *Store) walkMedia(ctx context.Context, op string, f catalog.MediaFilter, fn func(*catalog.Media) error) error {
	var (
		where []string
		args  []any
	)
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	// One talk's or speaker's items are few: read them through
	// media_talks or media_speakers, not the other columns' indexes.
	col := func(c string) string { return c }
	if f.TalkID != "" || f.SpeakerID != "" {
		col = func(c string) string { return s.d.unindexed + c }
	}
	if len(f.Status) > 0 {
		ps := make([]string, len(f.Status))
		for i, st := range f.Status {
			ps[i] = arg(string(st))
		}
		where = append(where, col("status")+" IN ("+strings.Join(ps, ", ")+")")
	}
	if f.Kind != "" {
		where = append(where, col("kind")+" = "+arg(string(f.Kind)))
	}
	if f.Camera != "" {
		where = append(where, col("camera")+" = "+arg(f.Camera))
	}
	if f.TalkID != "" {
		where = append(where, "media.id IN (SELECT media_id FROM media_talks WHERE talk_id = "+arg(f.TalkID)+")")
	}
	if f.SpeakerID != "" {
		where = append(where, "media.id IN (SELECT media_id FROM media_speakers WHERE speaker_id = "+arg(f.SpeakerID)+")")
	}
	if f.Recognized != "" {
		where = append(where, s.d.hasElem("recognized", arg(f.Recognized)))
	}
	q := "SELECT " + mediaColumns + " FROM media"
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY (taken_at IS NULL), taken_at, id" + s.d.binary
	rows, err := s.r.QueryContext(ctx, q, args...)
	if err != nil {
		return s.fail(op, err)
	}
	defer rows.Close()
	for rows.Next() {
		m, err := scanMedia(rows)
		if err != nil {
			return s.fail(op, err)
		}
		if err := fn(m); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return s.fail(op, err)
	}
	return nil
}

// writeOwners makes media_talks and media_speakers (migration 0012) say
// what m.TalkIDs and m.SpeakerIDs say, in tx.
func (s *Store) writeOwners(ctx context.Context, tx *sql.Tx, op string, m *catalog.Media) error {
	for _, o := range []struct {
		table, column string
		ids           []string
	}{{"media_talks", "talk_id", m.TalkIDs}, {"media_speakers", "speaker_id", m.SpeakerIDs}} {
		if _, err := tx.ExecContext(ctx, "DELETE FROM "+o.table+" WHERE media_id = $1", m.ID); err != nil {
			return s.fail(op, err)
		}
		for _, id := range o.ids {
			if _, err := tx.ExecContext(ctx, "INSERT INTO "+o.table+" ("+o.column+", media_id) VALUES ($1, $2) ON CONFLICT DO NOTHING", id, m.ID); err != nil {
				return s.fail(op, err)
			}
		}
	}
	return nil
}

// UpdateMedia reads item id, lets fn change it and writes it back
// atomically. If fn returns an error nothing is written and that error is
// returned as it is. A missing item is a NotFound error; fn changing the
// item's ID is an Invalid one. fn runs inside a transaction that holds the
// item (SQLite: the database) locked, so it must be quick and must not call
// the store.
func (s *Store) UpdateMedia(ctx context.Context, id string, fn func(*catalog.Media) error) error {
	const op = "sqlstore.UpdateMedia"
	return s.write(ctx, op, func(tx *sql.Tx) error {
		m, err := scanMedia(tx.QueryRowContext(ctx, "SELECT "+mediaColumns+" FROM media WHERE id = $1"+s.d.forUpdate, id))
		if errors.Is(err, sql.ErrNoRows) {
			return catalog.E(catalog.NotFound, op, nil, "media %s not found", id)
		}
		if err != nil {
			return s.fail(op, err)
		}
		if err := fn(m); err != nil {
			return err
		}
		if m.ID != id {
			return catalog.E(catalog.Invalid, op, nil, "media %s cannot change its id to %s", id, m.ID)
		}
		if !m.Kind.Valid() {
			return catalog.E(catalog.Invalid, op, nil, "media %s cannot take unknown kind %q", id, m.Kind)
		}
		args := s.mediaArgs(m)
		cols := strings.Split(mediaColumns, ",")
		set := make([]string, 0, len(cols)-1)
		for i, c := range cols[1:] {
			set = append(set, fmt.Sprintf("%s = $%d", strings.TrimSpace(c), i+2))
		}
		if _, err := tx.ExecContext(ctx, "UPDATE media SET "+strings.Join(set, ", ")+" WHERE id = $1", args...); err != nil {
			return s.fail(op, err)
		}
		if err := s.writeOwners(ctx, tx, op, m); err != nil {
			return err
		}
		if err := s.pruneFaceDescriptors(ctx, tx, op, m); err != nil {
			return err
		}
		return s.bumpMedia(ctx, tx, op, id)
	})
}

// DeleteMedia removes item id. A missing item is a NotFound error.
func (s *Store) DeleteMedia(ctx context.Context, id string) error {
	const op = "sqlstore.DeleteMedia"
	return s.write(ctx, op, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "DELETE FROM media WHERE id = $1", id)
		if err != nil {
			return s.fail(op, err)
		}
		if n, err := res.RowsAffected(); err == nil && n == 0 {
			return catalog.E(catalog.NotFound, op, nil, "media %s not found", id)
		}
		if err := s.writeOwners(ctx, tx, op, &catalog.Media{ID: id}); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM face_descriptors WHERE media_id = $1", id); err != nil {
			return s.fail(op, err)
		}
		if err := s.bump(ctx, tx, op); err != nil {
			return err
		}
		// The change feed reports the removal (Store.Changes).
		if _, err := tx.ExecContext(ctx, `INSERT INTO media_removed (id, changed_at) SELECT $1, n FROM catalog_version WHERE id = 1
			ON CONFLICT (id) DO UPDATE SET changed_at = excluded.changed_at`, id); err != nil {
			return s.fail(op, err)
		}
		return nil
	})
}
