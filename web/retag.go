package web

import (
	"context"

	"github.com/confmedia/confmedia/catalog"
	"github.com/confmedia/confmedia/workers"
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
	for i, m := range media {
		if err := s.retagOne(ctx, m.ID); err != nil {
			return i, err
		}
	}
	return len(media), nil
}

// retagOne queues a new tagging generation for one item.
func (s *Server) retagOne(ctx context.Context, id string) error {
	var gen int
	if err := s.Store.UpdateMedia(ctx, id, func(m *catalog.Media) error {
		m.Generation++
		gen = m.Generation
		return nil
	}); err != nil {
		return err
	}
	return s.Queue.EnqueueTag(ctx, id, gen)
}

// hideMedia takes an item down: it becomes hidden with reason, as a person's
// decision, its public renditions are deleted from the bucket, and a
// catalog published earlier is published again without it. The original
// stays, private, for the organizers.
func (s *Server) hideMedia(ctx context.Context, id, reason, by string) error {
	var gone []catalog.Rendition
	err := s.Store.UpdateMedia(ctx, id, func(m *catalog.Media) error {
		m.Status, m.Reason = catalog.Hidden, reason
		m.Decided, m.DecidedBy, m.DecidedAt = true, by, s.now().UTC()
		gone, m.Renditions = m.Renditions, nil
		return nil
	})
	if err != nil {
		return err
	}
	if err := workers.DeleteRenditions(ctx, s.Blobs, gone); err != nil {
		return err
	}
	return s.republishIfPublished(ctx)
}

// republishIfPublished publishes the catalog again when one was published
// before, so that a takedown reaches the bucket's catalog at once.
func (s *Server) republishIfPublished(ctx context.Context) error {
	if _, err := s.Blobs.Stat(ctx, catalog.CatalogKey); err != nil {
		if catalog.IsNotFound(err) {
			return nil
		}
		return err
	}
	_, err := s.Publish(ctx)
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
