package web

import (
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
	resp, err := s.kinds().SetMediaKind(r.Context(), r.PathValue("id"), req)
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
	resp, err := s.kinds().SetMediaKind(r.Context(), id, req)
	if err != nil {
		s.done(w, r, "/review", err, "")
		return
	}
	s.done(w, r, "/review", nil, "%s is now %s; it is processed again and comes back here if it needs a decision.",
		resp.SourceName, kindPhrase(resp.Kind, req.Speaker))
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
