package web

import (
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/confmedia/confmedia/catalog"
	"github.com/confmedia/confmedia/web/api"
)

// ReviewList is api.ReviewList.
type ReviewList = api.ReviewList

// ReviewItem is api.ReviewItem.
type ReviewItem = api.ReviewItem

// ReviewCandidate is api.ReviewCandidate.
type ReviewCandidate = api.ReviewCandidate

// ResolveRequest is api.ResolveRequest.
type ResolveRequest = api.ResolveRequest

// DecidedItem is api.DecidedItem.
type DecidedItem = api.DecidedItem

// HideRequest is api.HideRequest.
type HideRequest = api.HideRequest

// OptOutRequest is api.OptOutRequest.
type OptOutRequest = api.OptOutRequest

// OptOutItem is api.OptOutItem.
type OptOutItem = api.OptOutItem

// OptOutResponse is api.OptOutResponse.
type OptOutResponse = api.OptOutResponse

// OptOutList is api.OptOutList.
type OptOutList = api.OptOutList

// OptOutRemoved is api.OptOutRemoved.
type OptOutRemoved = api.OptOutRemoved

func (s *Server) handleReviewList(w http.ResponseWriter, r *http.Request) {
	list, err := s.reviews().ReviewQueue(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, list)
}

func (s *Server) handleResolve(w http.ResponseWriter, r *http.Request) {
	var req ResolveRequest
	if err := decodeJSON(r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	item, err := s.reviews().Resolve(r.Context(), r.PathValue("id"), req)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, item)
}

func (s *Server) handleHide(w http.ResponseWriter, r *http.Request) {
	var req HideRequest
	if err := decodeOptionalJSON(r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	item, err := s.reviews().HideMedia(r.Context(), r.PathValue("id"), req.Reason)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, item)
}

func (s *Server) handleOptOutAdd(w http.ResponseWriter, r *http.Request) {
	var req OptOutRequest
	if err := decodeJSON(r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	resp, err := s.reviews().AddOptOut(r.Context(), req.Name, req.Reason)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, resp)
}

func (s *Server) handleOptOutList(w http.ResponseWriter, r *http.Request) {
	list, err := s.reviews().OptOuts(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, OptOutList{OptOuts: list})
}

func (s *Server) handleOptOutRemove(w http.ResponseWriter, r *http.Request) {
	resp, err := s.reviews().RemoveOptOut(r.Context(), r.PathValue("name"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, resp)
}

// decodeOptionalJSON decodes a JSON body into v; an empty body leaves v
// as it is.
func decodeOptionalJSON(r *http.Request, v any) error {
	if r.Body == nil || r.ContentLength == 0 {
		return nil
	}
	err := decodeJSON(r, v)
	if err != nil && errors.Is(err, io.EOF) {
		return nil
	}
	return err
}

// handleStaffRendition serves the staff copy of a rendition
// (catalog.StaffRenditionKey) to organizers: the review page's thumbnails
// of items that are not public. It answers 404 for an unknown item or
// rendition, and for one whose renditions were deleted (hidden, failed).
func (s *Server) handleStaffRendition(w http.ResponseWriter, r *http.Request) {
	const op = "web.staffRendition"
	id, name := strings.ToLower(r.PathValue("id")), strings.TrimSuffix(r.PathValue("name"), ".jpg")
	if !sha256Hex.MatchString(id) {
		s.writeError(w, r, catalog.E(catalog.NotFound, op, nil, "no media item %q", id))
		return
	}
	m, err := s.Store.Media(r.Context(), id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if _, ok := m.Rendition(name); !ok {
		s.writeError(w, r, catalog.E(catalog.NotFound, op, nil, "%s has no %s rendition", m.SourceName, name))
		return
	}
	rc, info, err := s.Blobs.Get(r.Context(), catalog.StaffRenditionKey(id, name))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	defer rc.Close()
	w.Header().Set("Content-Type", "image/jpeg")
	if info.Size > 0 {
		w.Header().Set("Content-Length", itoa(info.Size))
	}
	// Private: a shared cache must not keep what only staff may see.
	w.Header().Set("Cache-Control", "private, max-age=300")
	_, _ = io.Copy(w, rc)
}

func (s *Server) handleResolveMany(w http.ResponseWriter, r *http.Request) {
	var req BulkResolveRequest
	if err := decodeJSON(r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	resp, err := s.reviews().ResolveMany(r.Context(), req)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, resp)
}

func (s *Server) handleFailedList(w http.ResponseWriter, r *http.Request) {
	list, err := s.failed().FailedMedia(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, list)
}

func (s *Server) handleRetryMedia(w http.ResponseWriter, r *http.Request) {
	var req MediaIDs
	if err := decodeJSON(r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	resp, err := s.failed().RetryMedia(r.Context(), req.IDs)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, resp)
}

func (s *Server) handleDeleteMedia(w http.ResponseWriter, r *http.Request) {
	var req MediaIDs
	if err := decodeJSON(r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	resp, err := s.failed().DeleteMedia(r.Context(), req.IDs)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, resp)
}

func (s *Server) handleOffsetPreview(w http.ResponseWriter, r *http.Request) {
	p, err := s.reviews().PreviewCameraOffset(r.Context(), r.PathValue("key"), r.URL.Query().Get("offset"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, p)
}
