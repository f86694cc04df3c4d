package web

// The kind use case (api.KindService): what a media item is, photo or
// headshot, and whose. No HTTP here: organizer_kind.go decodes, calls this and
// encodes.

import (
	"context"
	"strings"

	"github.com/confmedia/confmedia/catalog"
	"github.com/confmedia/confmedia/web/api"
)

// kindService implements api.KindService over the server's catalog and
// queues.
type kindService struct{ *Server }

var _ api.KindService = kindService{}

// kinds returns the server's kind use case.
func (s *Server) kinds() kindService { return kindService{s} }

// SetMediaKind changes media item id (a full id or a unique prefix) to kind
// req.Kind, showing speaker req.Speaker when it is a headshot, as the
// caller's decision (catalog.Reclassify): the item becomes pending, its
// public renditions are removed (and a published catalog published again
// without it), and it is queued to be processed again from its original,
// so that a headshot gets headshot renditions and is matched to the
// speaker. It returns NotFound for an unknown id; Invalid for an unknown
// kind or speaker, a speaker on a photo, a hidden item or no change;
// Conflict for an item still being processed.
func (s kindService) SetMediaKind(ctx context.Context, id string, req SetKindRequest) (SetKindResponse, error) {
	const op = "web.SetKind"
	m, _, err := s.findItem(ctx, id, true, false)
	if err != nil {
		return SetKindResponse{}, err
	}
	kind := catalog.MediaKind(strings.TrimSpace(req.Kind))
	if !kind.Valid() {
		return SetKindResponse{}, catalog.E(catalog.Invalid, op, nil, "unknown kind %q: want photo or headshot", req.Kind)
	}
	speaker := strings.TrimSpace(req.Speaker)
	if speaker != "" && kind == catalog.Headshot {
		sched, err := s.Store.Schedule(ctx)
		if err != nil {
			return SetKindResponse{}, err
		}
		sp, err := newSchedIndex(sched).speaker(speaker)
		if err != nil {
			return SetKindResponse{}, err
		}
		speaker = sp.Name
	}
	ev := catalog.Reclassify(kind, speaker, tokenName(ctx), s.now().UTC())
	var changed catalog.Media
	err = s.Store.UpdateMedia(ctx, m.ID, func(m *catalog.Media) error {
		if err := catalog.Apply(m, ev); err != nil {
			return err
		}
		changed = *m
		return nil
	})
	if err != nil {
		return SetKindResponse{}, err
	}
	if err := s.syncRenditions(ctx, m.ID); err != nil {
		return SetKindResponse{}, err
	}
	if err := s.republishIfPublished(ctx); err != nil {
		return SetKindResponse{}, err
	}
	queued := true
	if err := s.enqueueMedia(ctx, &changed); err != nil {
		s.Logger.Warn("media kind changed, waiting for the queue", "media", m.ID, "err", err)
		queued = false
	}
	s.Logger.Info("media kind changed", "media", m.ID, "file", m.SourceName, "kind", kind, "speaker", speaker, "by", tokenName(ctx))
	item, err := s.decidedMedia(ctx, m.ID, false)
	if err != nil {
		return SetKindResponse{}, err
	}
	return SetKindResponse{DecidedItem: item, Queued: queued}, nil
}
