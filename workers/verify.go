package workers

import (
	"context"

	"github.com/confmedia/confmedia/catalog"
	"github.com/confmedia/confmedia/pipeline/accept"
)

// checkOriginal checks the original of m as read from the bucket with the
// check every upload passes — browsers send originals straight to the
// bucket, so what arrived is checked again before it is processed, and a
// client that lied about the bytes cannot make other uploads of the true
// bytes look like duplicates of something else (accept.Check): its SHA-256 against its id, its
// size against the one recorded at upload, its type and its pixel count by
// its header. When a check fails m ends failed with the reason, and the
// returned error is permanent; an error recording that is returned as it
// is, to be retried.
func (h *Handlers) checkOriginal(ctx context.Context, m *catalog.Media, data []byte) error {
	size := m.Bytes
	if size <= 0 {
		size = -1
	}
	_, err := accept.Bytes(accept.File{Name: m.SourceName, Size: size, ID: m.ID}, data,
		accept.Limits{MaxBytes: h.MaxBytes, MaxPixels: h.Render.MaxPixels})
	if err == nil {
		return nil
	}
	return h.fail(ctx, m, err)
}
