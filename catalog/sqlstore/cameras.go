package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/confmedia/confmedia/catalog"
)

const cameraColumns = "key, clock_offset, has_offset, photographer"

func scanCamera(row scanner) (catalog.Camera, error) {
	var (
		c      catalog.Camera
		offset int64
	)
	if err := row.Scan(&c.Key, &offset, &c.HasOffset, &c.Photographer); err != nil {
		return catalog.Camera{}, err
	}
	c.Offset = time.Duration(offset)
	return c, nil
}

// Camera returns one camera, or a NotFound error.
func (s *Store) Camera(ctx context.Context, key string) (catalog.Camera, error) {
	const op = "sqlstore.Camera"
	c, err := scanCamera(s.r.QueryRowContext(ctx, "SELECT "+cameraColumns+" FROM cameras WHERE key = $1", key))
	if errors.Is(err, sql.ErrNoRows) {
		return catalog.Camera{}, catalog.E(catalog.NotFound, op, nil, "camera %s not found", key)
	}
	if err != nil {
		return catalog.Camera{}, s.fail(op, err)
	}
	return c, nil
}

// EnsureCamera records c if no camera with c.Key exists and returns the
// stored camera. An existing camera without an offset takes c's offset when
// c has one; an existing offset, and an existing camera's photographer, are
// never changed. An empty key is Invalid.
func (s *Store) EnsureCamera(ctx context.Context, c catalog.Camera) (catalog.Camera, error) {
	const op = "sqlstore.EnsureCamera"
	if c.Key == "" {
		return catalog.Camera{}, catalog.E(catalog.Invalid, op, nil, "the camera has no key")
	}
	if !c.HasOffset {
		c.Offset = 0
	}
	got, err := scanCamera(s.w.QueryRowContext(ctx, `INSERT INTO cameras (`+cameraColumns+`) VALUES ($1, $2, $3, $4)
		ON CONFLICT (key) DO UPDATE SET
			clock_offset = CASE WHEN cameras.has_offset THEN cameras.clock_offset ELSE excluded.clock_offset END,
			has_offset = (cameras.has_offset OR excluded.has_offset)
		RETURNING `+cameraColumns,
		c.Key, int64(c.Offset), c.HasOffset, c.Photographer))
	if err != nil {
		return catalog.Camera{}, s.fail(op, err)
	}
	return got, nil
}

// SetCameraOffset sets a camera's offset, creating the camera if needed. An
// empty key is Invalid.
func (s *Store) SetCameraOffset(ctx context.Context, key string, offset time.Duration) (catalog.Camera, error) {
	const op = "sqlstore.SetCameraOffset"
	if key == "" {
		return catalog.Camera{}, catalog.E(catalog.Invalid, op, nil, "the camera has no key")
	}
	got, err := scanCamera(s.w.QueryRowContext(ctx, `INSERT INTO cameras (`+cameraColumns+`) VALUES ($1, $2, TRUE, '')
		ON CONFLICT (key) DO UPDATE SET clock_offset = excluded.clock_offset, has_offset = TRUE
		RETURNING `+cameraColumns,
		key, int64(offset)))
	if err != nil {
		return catalog.Camera{}, s.fail(op, err)
	}
	return got, nil
}

// Cameras lists all cameras ordered by key.
func (s *Store) Cameras(ctx context.Context) ([]catalog.Camera, error) {
	const op = "sqlstore.Cameras"
	rows, err := s.r.QueryContext(ctx, "SELECT "+cameraColumns+" FROM cameras ORDER BY key"+s.d.binary)
	if err != nil {
		return nil, s.fail(op, err)
	}
	defer rows.Close()
	var out []catalog.Camera
	for rows.Next() {
		c, err := scanCamera(rows)
		if err != nil {
			return nil, s.fail(op, err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, s.fail(op, err)
	}
	return out, nil
}
