package web

// The steps several use cases share: re-tagging, hiding and the
// renditions and published catalog that follow, and who decided.

import (
	"context"

	"github.com/confmedia/confmedia/catalog"
)

// retagStatuses are the statuses of processed items that tagging may change.
var retagStatuses = []catalog.Status{catalog.Tagged, catalog.Untagged, catalog.NeedsReview}

// retag queues a new tagging generation for every processed item f selects
// (pending ones are tagged when processed; failed and hidden ones stay). It
// returns how many were queued.
func (s *Server) retag(ctx context.Context, f catalog.MediaFilter) (int, error) {
	f.Status = retagStatuses
	media, err := s.Store.ListMedia(ctx, f)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, m := range media {
		queued, err := s.retagOne(ctx, m.ID)
		if err != nil {
			return n, err
		}
		if queued {
			n++
		}
	}
	return n, nil
}

// retagOne queues a new tagging generation for one item (catalog.Retag). An
// item hidden or failed since it was listed is not re-tagged: queued is
// false.
func (s *Server) retagOne(ctx context.Context, id string) (queued bool, err error) {
	var gen int
	err = s.Store.UpdateMedia(ctx, id, func(m *catalog.Media) error {
		if err := catalog.Apply(m, catalog.Retag()); err != nil {
			return err
		}
		gen = m.Generation
		return nil
	})
	if catalog.ErrorKind(err) == catalog.Conflict {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return true, s.Queue.EnqueueTag(ctx, id, gen)
}

// hideMedia takes an item down (catalog.Hiding): it becomes hidden with
// reason, as by's decision, its renditions are deleted from the bucket,
// public and staff copies alike (catalog.SyncRenditions), and a catalog
// published earlier is published again without it. The original stays,
// private, for the organizers.
func (s *Server) hideMedia(ctx context.Context, id, reason, by string) error {
	if err := catalog.Transition(ctx, s.Store, id, catalog.Hiding(reason, by, s.now().UTC())); err != nil {
		return err
	}
	if err := s.syncRenditions(ctx, id); err != nil {
		return err
	}
	return s.republishIfPublished(ctx)
}

// syncRenditions makes item id's rendition bytes match the status just
// stored, and drops the cached public view.
func (s *Server) syncRenditions(ctx context.Context, id string) error {
	s.invalidate()
	return catalog.SyncRenditions(ctx, s.Store, s.Blobs, id)
}

// republishIfPublished publishes the catalog again when one was published
// before, so that a takedown reaches the bucket's catalog at once
// (catalog.Publisher.Republish).
func (s *Server) republishIfPublished(ctx context.Context) error {
	_, err := s.publisher().Republish(ctx)
	return err
}

// tokenName returns the name of the token that made the request, for the
// record of who decided what.
func tokenName(ctx context.Context) string {
	if n, ok := ctx.Value(nameKey{}).(string); ok && n != "" {
		return n
	}
	if r, ok := ctx.Value(ctxKey{}).(catalog.Role); ok {
		return string(r)
	}
	return ""
}

type nameKey struct{}
