package sqlstore

import (
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	"github.com/confmedia/confmedia/catalog"
)

// descriptorBytes is the stored size of a catalog.FaceVector: 128 float32,
// little-endian.
const descriptorBytes = 4 * len(catalog.FaceVector{})

func encodeVector(v catalog.FaceVector) []byte {
	b := make([]byte, descriptorBytes)
	for i, f := range v {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(f))
	}
	return b
}

func decodeVector(b []byte) (catalog.FaceVector, error) {
	var v catalog.FaceVector
	if len(b) != descriptorBytes {
		return v, fmt.Errorf("stored face descriptor has %d bytes, want %d", len(b), descriptorBytes)
	}
	for i := range v {
		v[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return v, nil
}

// PutFaceDescriptor stores v for headshot mediaID of speakerID, in one
// transaction with a check of catalog.DescriptorUse on the stored item and
// the opt-outs.
func (s *Store) PutFaceDescriptor(ctx context.Context, mediaID, speakerID string, v catalog.FaceVector) error {
	const op = "sqlstore.PutFaceDescriptor"
	return s.write(ctx, op, func(tx *sql.Tx) error {
		m, err := scanMedia(tx.QueryRowContext(ctx, "SELECT "+mediaColumns+" FROM media WHERE id = $1"+s.d.forUpdate, mediaID))
		if errors.Is(err, sql.ErrNoRows) {
			return catalog.E(catalog.NotFound, op, nil, "media %s not found", mediaID)
		}
		if err != nil {
			return s.fail(op, err)
		}
		opted, err := s.optedOut(ctx, tx, speakerID)
		if err != nil {
			return s.fail(op, err)
		}
		if catalog.DescriptorUse(m, speakerID, opted) == catalog.DescriptorNone {
			return catalog.E(catalog.Conflict, op, nil, "%s is not a tagged headshot of speaker %s", m.SourceName, speakerID)
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO face_descriptors (media_id, speaker_id, descriptor) VALUES ($1, $2, $3)
			ON CONFLICT (media_id) DO UPDATE SET speaker_id = excluded.speaker_id, descriptor = excluded.descriptor`,
			mediaID, speakerID, encodeVector(v))
		if err != nil {
			return s.fail(op, err)
		}
		return nil
	})
}

// FaceDescriptors returns the descriptors catalog.DescriptorUse keeps, by
// speaker then media id. The rows are checked against their headshots and
// the opt-outs again as they are read.
func (s *Store) FaceDescriptors(ctx context.Context) ([]catalog.KnownFace, error) {
	const op = "sqlstore.FaceDescriptors"
	rows, err := s.r.QueryContext(ctx, `SELECT f.media_id, f.speaker_id, f.descriptor, m.kind, m.status, m.speaker_ids,
			(SELECT COUNT(*) FROM opt_outs o WHERE o.speaker_id = f.speaker_id)
		FROM face_descriptors f JOIN media m ON m.id = f.media_id
		WHERE m.kind = $1
		ORDER BY f.speaker_id`+s.d.binary+`, f.media_id`+s.d.binary,
		string(catalog.Headshot))
	if err != nil {
		return nil, s.fail(op, err)
	}
	defer rows.Close()
	var out []catalog.KnownFace
	for rows.Next() {
		var (
			k            catalog.KnownFace
			b            []byte
			kind, status string
			m            catalog.Media
			opted        int
		)
		if err := rows.Scan(&k.MediaID, &k.SpeakerID, &b, &kind, &status, jsonCol{&m.SpeakerIDs}, &opted); err != nil {
			return nil, s.fail(op, err)
		}
		m.Kind, m.Status = catalog.MediaKind(kind), catalog.Status(status)
		switch catalog.DescriptorUse(&m, k.SpeakerID, opted > 0) {
		case catalog.DescriptorNone:
			continue
		case catalog.DescriptorProtects:
			k.Protects = true
		}
		if k.Vector, err = decodeVector(b); err != nil {
			return nil, s.fail(op, fmt.Errorf("media %s: %w", k.MediaID, err))
		}
		out = append(out, k)
	}
	if err := rows.Err(); err != nil {
		return nil, s.fail(op, err)
	}
	return out, nil
}

// DeleteFaceDescriptors removes every descriptor.
func (s *Store) DeleteFaceDescriptors(ctx context.Context) (int, error) {
	const op = "sqlstore.DeleteFaceDescriptors"
	res, err := s.w.ExecContext(ctx, "DELETE FROM face_descriptors")
	if err != nil {
		return 0, s.fail(op, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, s.fail(op, err)
	}
	return int(n), nil
}

// optedOut reports, inside tx, whether an opt-out names speaker id.
func (s *Store) optedOut(ctx context.Context, tx *sql.Tx, id string) (bool, error) {
	if id == "" {
		return false, nil
	}
	var n int
	err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM opt_outs WHERE speaker_id = $1", id).Scan(&n)
	return n > 0, err
}

// pruneFaceDescriptors deletes, inside tx, the descriptor of item m unless
// catalog.DescriptorUse still keeps it: every write of a media item calls
// it, so that a headshot hidden, failed, reclassified or re-tagged loses
// its descriptor in the same transaction.
func (s *Store) pruneFaceDescriptors(ctx context.Context, tx *sql.Tx, op string, m *catalog.Media) error {
	var speaker string
	err := tx.QueryRowContext(ctx, "SELECT speaker_id FROM face_descriptors WHERE media_id = $1", m.ID).Scan(&speaker)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return s.fail(op, err)
	}
	opted, err := s.optedOut(ctx, tx, speaker)
	if err != nil {
		return s.fail(op, err)
	}
	if catalog.DescriptorUse(m, speaker, opted) != catalog.DescriptorNone {
		return nil
	}
	if _, err := tx.ExecContext(ctx, "DELETE FROM face_descriptors WHERE media_id = $1", m.ID); err != nil {
		return s.fail(op, err)
	}
	return nil
}

// pruneSpeakerDescriptors deletes, inside tx, the descriptors of speaker id
// that catalog.DescriptorUse no longer keeps: a write of the opt-outs calls
// it for the speaker whose opt-out it removed or replaced.
func (s *Store) pruneSpeakerDescriptors(ctx context.Context, tx *sql.Tx, op, id string) error {
	if id == "" {
		return nil
	}
	rows, err := tx.QueryContext(ctx, "SELECT media_id FROM face_descriptors WHERE speaker_id = $1", id)
	if err != nil {
		return s.fail(op, err)
	}
	var ids []string
	for rows.Next() {
		var mid string
		if err := rows.Scan(&mid); err != nil {
			rows.Close()
			return s.fail(op, err)
		}
		ids = append(ids, mid)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return s.fail(op, err)
	}
	for _, mid := range ids {
		m, err := scanMedia(tx.QueryRowContext(ctx, "SELECT "+mediaColumns+" FROM media WHERE id = $1", mid))
		if errors.Is(err, sql.ErrNoRows) {
			m = &catalog.Media{ID: mid}
		} else if err != nil {
			return s.fail(op, err)
		}
		if err := s.pruneFaceDescriptors(ctx, tx, op, m); err != nil {
			return err
		}
	}
	return nil
}
