package sqlstore

import (
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"

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
// transaction with a check of catalog.DescriptorUsable on the stored item.
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
		if !catalog.DescriptorUsable(m, speakerID) {
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

// FaceDescriptors returns the usable descriptors, by speaker then media id.
// The rows are checked against their headshots again as they are read.
func (s *Store) FaceDescriptors(ctx context.Context) ([]catalog.KnownFace, error) {
	const op = "sqlstore.FaceDescriptors"
	rows, err := s.r.QueryContext(ctx, `SELECT f.media_id, f.speaker_id, f.descriptor, m.kind, m.status, m.speaker_ids
		FROM face_descriptors f JOIN media m ON m.id = f.media_id
		WHERE m.kind = $1 AND m.status = $2
		ORDER BY f.speaker_id`+s.d.binary+`, f.media_id`+s.d.binary,
		string(catalog.Headshot), string(catalog.Tagged))
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
		)
		if err := rows.Scan(&k.MediaID, &k.SpeakerID, &b, &kind, &status, jsonCol{&m.SpeakerIDs}); err != nil {
			return nil, s.fail(op, err)
		}
		m.Kind, m.Status = catalog.MediaKind(kind), catalog.Status(status)
		if !catalog.DescriptorUsable(&m, k.SpeakerID) {
			continue
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

// pruneFaceDescriptors deletes, inside tx, the descriptor of item m unless
// it is still usable: every write of a media item calls it, so that a
// headshot hidden, failed, reclassified or re-tagged loses its descriptor
// in the same transaction.
func (s *Store) pruneFaceDescriptors(ctx context.Context, tx *sql.Tx, op string, m *catalog.Media) error {
	var q string
	var args []any
	switch {
	case m.Kind != catalog.Headshot || m.Status != catalog.Tagged || len(m.SpeakerIDs) == 0:
		q, args = "DELETE FROM face_descriptors WHERE media_id = $1", []any{m.ID}
	default:
		ids := slices.Clone(m.SpeakerIDs)
		args = append([]any{m.ID}, make([]any, len(ids))...)
		for i, id := range ids {
			args[i+1] = id
		}
		q = "DELETE FROM face_descriptors WHERE media_id = $1 AND speaker_id NOT IN (" + placeholders(2, len(ids)) + ")"
	}
	if _, err := tx.ExecContext(ctx, q, args...); err != nil {
		return s.fail(op, err)
	}
	return nil
}
