package web

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/confmedia/confmedia/catalog"
	"github.com/confmedia/confmedia/web/api"
)

// KnownMedia is api.KnownMedia.
type KnownMedia = api.KnownMedia

// knownMedia describes m for an uploader of the same bytes.
func knownMedia(m *catalog.Media) KnownMedia {
	return KnownMedia{ID: m.ID, Kind: m.Kind, Speaker: m.SpeakerHint, SourceName: m.SourceName,
		Photographer: m.Photographer, UploadedAt: m.UploadedAt, Status: string(m.Status)}
}

// SetKindRequest is api.SetKindRequest.
type SetKindRequest = api.SetKindRequest

// SetKindResponse is api.SetKindResponse.
type SetKindResponse = api.SetKindResponse

func (s *Server) handleSetKind(w http.ResponseWriter, r *http.Request) {
	var req SetKindRequest
	if err := decodeJSON(r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	resp, err := s.SetKind(r.Context(), r.PathValue("id"), req)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, resp)
}

func (s *Server) handleSetKindForm(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if id == "" {
		id = r.PostFormValue("id")
	}
	req := SetKindRequest{Kind: strings.TrimSpace(r.PostFormValue("kind")), Speaker: strings.TrimSpace(r.PostFormValue("speaker"))}
	if req.Kind == string(catalog.Photo) {
		req.Speaker = "" // the form's speaker field is for headshots
	}
	resp, err := s.SetKind(r.Context(), id, req)
	if err != nil {
		s.done(w, r, "/review", err, "")
		return
	}
	s.done(w, r, "/review", nil, "%s is now %s; it is processed again and comes back here if it needs a decision.",
		resp.SourceName, kindPhrase(resp.Kind, req.Speaker))
}

// SetKind changes media item id (a full id or a unique prefix) to kind
// req.Kind, showing speaker req.Speaker when it is a headshot, as the
// caller's decision (catalog.Reclassify): the item becomes pending, its
// public renditions are removed (and a published catalog published again
// without it), and it is queued to be processed again from its original,
// so that a headshot gets headshot renditions and is matched to the
// speaker. It returns NotFound for an unknown id; Invalid for an unknown
// kind or speaker, a speaker on a photo, a hidden item or no change;
// Conflict for an item still being processed.
func (s *Server) SetKind(ctx context.Context, id string, req SetKindRequest) (SetKindResponse, error) {
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

// kindPhrase says what an item of kind showing speaker is: "an event
// photo", "a headshot of Ana Lima".
func kindPhrase(kind catalog.MediaKind, speaker string) string {
	if kind != catalog.Headshot {
		return "an event photo"
	}
	if speaker == "" {
		return "a headshot"
	}
	return fmt.Sprintf("a headshot of %s", speaker)
}
