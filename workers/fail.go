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
	case TypeMediaProcess, TypeMediaTag, TypeMediaFaces:
		err = store.UpdateMedia(ctx, p.ID, func(m *catalog.Media) error {
			if m.Generation != p.Generation || m.Status == catalog.Failed {
				return errUnchanged
			}
			// A faces task given up on (its worker crashing, the store
			// away past its retries) ends only the photo it was to decide,
			// which it could not decide without faces either.
			if typ == TypeMediaFaces && (m.Kind != catalog.Photo || len(m.Renditions) == 0) {
				return errUnchanged
			}
			// The lifecycle fails only a pending item: one processed, decided
			// or hidden meanwhile keeps its status (a re-tag given up on
			// leaves a tagged photo as it was).
			if err := catalog.Apply(m, catalog.Failure(reason, now.UTC())); err != nil {
				if catalog.ErrorKind(err) == catalog.Conflict {
					return errUnchanged
				}
				return err
			}
			return nil
		})
	case TypeRecordingMatch:
		err = store.UpdateRecording(ctx, p.ID, func(r *catalog.Recording) error {
			if r.Generation != p.Generation || r.State != catalog.RecordingPending {
				return errUnchanged
			}
			if err := catalog.MatchRecording(r, catalog.RecordingDecision{Reason: reason}); err != nil {
				if catalog.ErrorKind(err) == catalog.Conflict {
					return errUnchanged // a person decided it
				}
				return err
			}
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
