package web

import (
	"context"
	"net/http"
	"regexp"

	"github.com/confmedia/confmedia/catalog"
	"github.com/confmedia/confmedia/web/api"
)

// CheckRequest is api.CheckRequest.
type CheckRequest = api.CheckRequest

// CheckResponse is api.CheckResponse.
type CheckResponse = api.CheckResponse

// UploadResponse is api.UploadResponse.
type UploadResponse = api.UploadResponse

// The statuses of an UploadResponse.
const (
	UploadCreated   = "created"   // stored, recorded and queued (201)
	UploadStored    = "stored"    // stored and recorded, waiting for the queue (202)
	UploadDuplicate = "duplicate" // the server had the file already (200)
)

var sha256Hex = regexp.MustCompile(`^[0-9a-f]{64}$`)

func (s *Server) handleCheck(w http.ResponseWriter, r *http.Request) {
	var req CheckRequest
	if err := decodeJSON(r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	resp, err := s.uploads().CheckMedia(r.Context(), req)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, resp)
}

// queueNew queues the processing of m, which was just stored and recorded,
// and answers the upload. A queue that cannot take the task does not undo
// the upload: the item stays pending, is queued when the queue is back (by
// the reconciler, or by the next check or upload of the same file), and the
// answer says so with UploadStored.
func (s *Server) queueNew(ctx context.Context, m *catalog.Media, direct bool) (UploadResponse, int) {
	if err := s.enqueueMedia(ctx, m); err != nil {
		s.Logger.Warn("media stored, waiting for the queue", "media", m.ID, "file", m.SourceName, "kind", m.Kind,
			"bytes", m.Bytes, "direct", direct, "err", err)
		return UploadResponse{ID: m.ID, Status: UploadStored}, http.StatusAccepted
	}
	s.Logger.Info("media received", "media", m.ID, "file", m.SourceName, "kind", m.Kind, "bytes", m.Bytes, "direct", direct)
	return UploadResponse{ID: m.ID, Status: UploadCreated, Queued: true}, http.StatusCreated
}

// duplicateOf answers an upload of a file the server has: it re-reads the
// stored item and queues it if it is still pending.
func (s *Server) duplicateOf(ctx context.Context, id string) (UploadResponse, int, error) {
	m, err := s.Store.Media(ctx, id)
	if err != nil {
		return UploadResponse{}, 0, err
	}
	k := knownMedia(m)
	return UploadResponse{ID: id, Status: UploadDuplicate, Queued: s.requeue(ctx, m), Existing: &k}, http.StatusOK, nil
}

// handleUpload receives one original. The body is streamed to a temporary
// file while it is hashed, so no file is held in memory; the id in the path
// must be the sha256 of the bytes. Files that are empty, not JPEG or PNG,
// over MaxBytes or over MaxPixels by their header are refused with the
// reason.
func (s *Server) handleUpload(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	meta := api.UploadMeta{Name: q.Get("name"), Kind: catalog.MediaKind(q.Get("kind")), Room: q.Get("room"),
		Photographer: q.Get("photographer"), ClockOffset: q.Get("clock_offset"), Speaker: q.Get("speaker"), License: q.Get("license")}
	resp, err := s.uploads().UploadMedia(r.Context(), r.PathValue("id"), meta, r.Body, r.ContentLength)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, uploadStatus(resp), resp)
}

// uploadStatus is the HTTP status of an upload's answer: 201 for a file
// stored and queued, 202 for one stored and waiting for the queue, 200 for
// a duplicate.
func uploadStatus(resp UploadResponse) int {
	switch resp.Status {
	case UploadCreated:
		return http.StatusCreated
	case UploadStored:
		return http.StatusAccepted
	}
	return http.StatusOK
}

// QueueResponse is api.QueueResponse.
type QueueResponse = api.QueueResponse

// FailedItem is api.FailedItem.
type FailedItem = api.FailedItem

func (s *Server) handleQueue(w http.ResponseWriter, r *http.Request) {
	resp, err := s.uploads().QueueStats(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, resp)
}
