package workers

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	"github.com/confmedia/confmedia/catalog"
	"github.com/confmedia/confmedia/pipeline/filetype"
)

// VerifyOriginal checks that data is the original of media item id: its
// SHA-256, in lowercase hex, must be id. Browsers send originals straight to
// the bucket, so the bytes that arrived are checked again before they are
// processed, and a client that lied about them cannot make other uploads of
// the true bytes look like duplicates of something else. A mismatch is a
// permanent Invalid error, "content does not match its id".
func VerifyOriginal(data []byte, id string) error {
	if err := verifyOriginal(data, id); err != nil {
		return permanent(err)
	}
	return nil
}

func verifyOriginal(data []byte, id string) error {
	sum := sha256.Sum256(data)
	if got := hex.EncodeToString(sum[:]); got != id {
		return catalog.E(catalog.Invalid, "workers.VerifyOriginal", nil, "content does not match its id (sha256 %s)", got)
	}
	return nil
}

// checkOriginal checks the original of m as read from the bucket: its
// SHA-256 (VerifyOriginal), its size against the one recorded at upload,
// and that it is a JPEG or PNG. When a check fails m ends failed with the
// reason, and the returned error is permanent; an error recording that is
// returned as it is, to be retried.
func (h *Handlers) checkOriginal(ctx context.Context, m *catalog.Media, data []byte) error {
	err := verifyOriginal(data, m.ID)
	if err == nil && m.Bytes > 0 && int64(len(data)) != m.Bytes {
		err = catalog.E(catalog.Invalid, "workers.checkOriginal", nil, "the stored original has %d bytes, not the %d uploaded", len(data), m.Bytes)
	}
	if err == nil {
		_, err = filetype.Sniff(m.SourceName, data[:min(len(data), filetype.HeadSize)])
	}
	if err == nil {
		return nil
	}
	reason := catalog.ErrorMessage(err)
	h.Logger.Warn("media failed", "media", m.ID, "file", m.SourceName, "reason", reason)
	if uerr := h.Store.UpdateMedia(ctx, m.ID, func(m *catalog.Media) error {
		m.Status, m.Reason, m.ProcessedAt = catalog.Failed, reason, h.now()
		return nil
	}); uerr != nil {
		return uerr
	}
	return permanent(fmt.Errorf("%s: %w", m.SourceName, err))
}
