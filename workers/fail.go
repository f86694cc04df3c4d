package workers

import (
	"context"
	"errors"
	"time"

	"github.com/confmedia/confmedia/catalog"
)

// ItemStore is what marking an item failed needs of the catalog.
type ItemStore interface {
	catalog.MediaStore
	catalog.RecordingStore
}

// errUnchanged stops an update that has nothing to do.
var errUnchanged = errors.New("unchanged")

// failItem ends the item a task of type typ works on, at the generation p
// names, with reason: a media item becomes failed; a recording, which has
// no failed state, becomes unmatched with the reason, where a person can
// still attach it to its talk. It reports whether it changed anything: an
// item that moved on meanwhile (a newer generation, a person's decision, a
// final status) is left alone, and so is one that no longer exists.
//
// This is the one place the reconciler and the crash guard end an item.
func failItem(ctx context.Context, store ItemStore, typ string, p Payload, reason string, now time.Time) (bool, error) {
	var err error
	switch typ {
	case TypeMediaProcess, TypeMediaTag:
		err = store.UpdateMedia(ctx, p.ID, func(m *catalog.Media) error {
			if m.Generation != p.Generation || m.Status == catalog.Failed || m.Status == catalog.Hidden {
				return errUnchanged
			}
			if typ == TypeMediaProcess && m.Status != catalog.Pending {
				return errUnchanged // processed meanwhile
			}
			m.Status, m.Reason, m.ProcessedAt = catalog.Failed, reason, now.UTC()
			return nil
		})
	case TypeRecordingMatch:
		err = store.UpdateRecording(ctx, p.ID, func(r *catalog.Recording) error {
			if r.Generation != p.Generation || r.Decided || r.State != catalog.RecordingPending {
				return errUnchanged
			}
			r.State, r.TalkID, r.Reason, r.Candidates = catalog.RecordingUnmatched, "", reason, nil
			return nil
		})
	default:
		return false, nil
	}
	if errors.Is(err, errUnchanged) || catalog.IsNotFound(err) {
		return false, nil
	}
	return err == nil, err
}
