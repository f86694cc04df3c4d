package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/confmedia/confmedia/catalog"
	"github.com/confmedia/confmedia/web/api"
)

// The browser upload's sizes and lifetimes.
const (
	// uploadPartSize is the size of every part of a multipart upload but
	// the last.
	uploadPartSize = 16 << 20
	// multipartFrom is the size from which a file is sent in parts.
	multipartFrom = 64 << 20
	// presignTTL is how long a presigned request stays valid.
	presignTTL = 15 * time.Minute
	// maxInspect bounds the files of one inspect request.
	maxInspect = 20000
)

// Upload modes: how the browser is to send a file (UploadPlan.Mode).
const (
	ModePut       = "put"       // one presigned PUT straight to the bucket
	ModeMultipart = "multipart" // presigned parts straight to the bucket
	ModeProxy     = "proxy"     // one PUT through the web app (no direct access to the bucket)
	ModeDuplicate = "duplicate" // the server has the file already: nothing to send
)

// PutSigner signs single uploads straight to the bucket.
type PutSigner interface {
	// PresignPut signs a PUT of exactly size bytes of contentType to key
	// whose SHA-256 is sum, valid for ttl. The sender adds header to the
	// request; the store refuses a body with another length or SHA-256.
	PresignPut(ctx context.Context, key string, size int64, sum []byte, contentType string, ttl time.Duration) (string, http.Header, error)
}

// MultipartSigner runs multipart uploads whose parts browsers send straight
// to the bucket.
type MultipartSigner interface {
	// CreateMultipart starts an upload to key and returns its id.
	CreateMultipart(ctx context.Context, key, contentType string) (string, error)
	// PresignPart signs the PUT of part n (from 1) as PresignPut does.
	PresignPart(ctx context.Context, key, uploadID string, n int, size int64, sum []byte, ttl time.Duration) (string, http.Header, error)
	// UploadedParts maps the number of each part the store holds to its
	// SHA-256; an unknown upload is NotFound.
	UploadedParts(ctx context.Context, key, uploadID string) (map[int][]byte, error)
	// CompleteMultipart joins parts 1 to n; a missing part is a Conflict.
	CompleteMultipart(ctx context.Context, key, uploadID string, n int) error
	// AbortMultipart abandons an upload; one gone already is not an error.
	AbortMultipart(ctx context.Context, key, uploadID string) error
}

// ChecksumStatter reports the checksum a store verified on arrival.
type ChecksumStatter interface {
	// StoredSHA256 returns the SHA-256 of the object at key as the store
	// checked it when it was put, or nil when the store keeps none.
	StoredSHA256(ctx context.Context, key string) ([]byte, error)
}

// Presigner is what the upload page needs of the bucket to let browsers
// send originals to it directly. *s3store.Presigner implements it.
type Presigner interface {
	PutSigner
	MultipartSigner
	ChecksumStatter
}

// UploadSettings is api.UploadSettings.
type UploadSettings = api.UploadSettings

// InspectRequest is api.InspectRequest.
type InspectRequest = api.InspectRequest

// InspectFile is api.InspectFile.
type InspectFile = api.InspectFile

// InspectResponse is api.InspectResponse.
type InspectResponse = api.InspectResponse

// InspectResult is api.InspectResult.
type InspectResult = api.InspectResult

// UploadRequest is api.UploadRequest.
type UploadRequest = api.UploadRequest

// UploadPlan is api.UploadPlan.
type UploadPlan = api.UploadPlan

// PlanPart is api.PlanPart.
type PlanPart = api.PlanPart

// AbortRequest is api.AbortRequest.
type AbortRequest = api.AbortRequest

// UploadOrigins returns the origins pages of the web app at publicURL are
// served from, which the bucket's CORS rules must allow for direct uploads:
// publicURL's scheme and host and, for a loopback name, its twin
// (localhost and 127.0.0.1). A URL without scheme or host is Invalid.
func UploadOrigins(publicURL string) ([]string, error) {
	u, err := url.Parse(publicURL)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return nil, catalog.E(catalog.Invalid, "web.UploadOrigins", err, "public URL %q has no scheme or host", publicURL)
	}
	origins := []string{u.Scheme + "://" + u.Host}
	twin := map[string]string{"localhost": "127.0.0.1", "127.0.0.1": "localhost"}[u.Hostname()]
	if twin != "" {
		host := twin
		if port := u.Port(); port != "" {
			host += ":" + port
		}
		origins = append(origins, u.Scheme+"://"+host)
	}
	return origins, nil
}

// uploadPageData is what upload.html shows.
type uploadPageData struct {
	Rooms         []string
	Speakers      []string
	MaxBytes      int64
	MaxSize       string       // MaxBytes for people, "" when unlimited
	Direct        bool         // originals go straight to the bucket
	NeedsToken    bool         // no uploader's session: ask to sign in or for a token
	SignedInAs    catalog.Role // the visitor's role, "" when not signed in
	Photographer  string       // the default photographer: a photographer's own name
	PartSize      int64
	MultipartFrom int64
}

// handleUploadPage serves the upload page. It is open to everyone, as the
// API it calls checks each request: a photographer or organizer signed in
// with their link gets the page ready to use, with their name as the
// photographer; anyone else is asked to sign in or paste a token.
func (s *Server) handleUploadPage(w http.ResponseWriter, r *http.Request) {
	sched, err := s.Store.Schedule(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	var who identity
	if id, err := s.authenticate(r); err == nil {
		who = id
	}
	csrf := s.csrfToken(r)
	uploader := who.Role == catalog.RoleAdmin || who.Role == catalog.RolePhotographer
	data := uploadPageData{
		Rooms: roomsOf(sched), MaxBytes: s.MaxBytes, MaxSize: sizeText(s.MaxBytes), Direct: s.Presigner != nil,
		NeedsToken: !uploader || csrf == "", SignedInAs: who.Role,
		PartSize: uploadPartSize, MultipartFrom: multipartFrom,
	}
	if who.Role == catalog.RolePhotographer {
		data.Photographer = who.Name
	}
	// With private speaker pages only those who may upload see who speaks.
	for _, sp := range sched.Speakers {
		if uploader || !s.PrivateSpeakers {
			data.Speakers = append(data.Speakers, sp.Name)
		}
	}
	slices.Sort(data.Speakers)
	s.render(w, r, http.StatusOK, "upload.html", page{
		Title:      "Upload",
		Conference: catalog.DocConference{Title: sched.Conference.Title, Timezone: sched.Conference.Timezone},
		Role:       who.Role,
		CSRF:       csrf,
		Data:       data,
	})
}

// sizeText writes a byte count for people: "200 MiB".
func sizeText(n int64) string {
	const unit = 1024
	switch {
	case n <= 0:
		return ""
	case n < unit:
		return fmt.Sprintf("%d bytes", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return strings.TrimSuffix(fmt.Sprintf("%.1f", float64(n)/float64(div)), ".0") + " " + string("KMGTPE"[exp]) + "iB"
}

// roomsOf lists the schedule's rooms, sorted.
func roomsOf(sched catalog.Schedule) []string {
	var rooms []string
	for _, t := range sched.Talks {
		if t.Room != "" && !slices.Contains(rooms, t.Room) {
			rooms = append(rooms, t.Room)
		}
	}
	slices.Sort(rooms)
	return rooms
}

// handleInspect checks a batch's settings and each file's name, size and
// first bytes, so that the browser hashes only what can be uploaded. Bad
// settings are an Invalid error; a refused file is listed with its reason.
func (s *Server) handleInspect(w http.ResponseWriter, r *http.Request) {
	var req InspectRequest
	if err := decodeJSON(r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	resp, err := s.uploads().Inspect(r.Context(), req)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, resp)
}

// handlePlan answers how the browser is to send one file: presigned
// request(s) straight to the bucket, through the web app when no presigner
// is configured, or nothing when the server has the file. The file's name,
// size and first bytes are checked first; a refused file is an Invalid or
// TooLarge error naming it.
func (s *Server) handlePlan(w http.ResponseWriter, r *http.Request) {
	var req UploadRequest
	if err := decodeJSON(r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	plan, err := s.uploads().Plan(r.Context(), req)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, plan)
}

func flatHeader(h http.Header) map[string]string {
	out := make(map[string]string, len(h))
	for k, v := range h {
		out[k] = strings.Join(v, ",")
	}
	return out
}

// handleComplete records a file the browser sent straight to the bucket:
// it completes a multipart upload, checks what arrived (size, SHA-256 =
// id, an image within the pixel limit), creates the media item and queues
// it. What does not check out is deleted and refused with the reason.
func (s *Server) handleComplete(w http.ResponseWriter, r *http.Request) {
	var req UploadRequest
	if err := decodeJSON(r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	resp, err := s.uploads().Complete(r.Context(), r.PathValue("id"), req)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, uploadStatus(resp), resp)
}

// handleAbort abandons a multipart upload the browser will not finish.
func (s *Server) handleAbort(w http.ResponseWriter, r *http.Request) {
	const op = "web.abort"
	id := r.PathValue("id")
	var req AbortRequest
	if err := decodeJSON(r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	if !sha256Hex.MatchString(id) || req.UploadID == "" {
		s.writeError(w, r, catalog.E(catalog.Invalid, op, nil, "abandon %q: want a sha256 hex id and an upload_id", id))
		return
	}
	if err := s.uploads().Abort(r.Context(), id, req.UploadID); err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"id": id, "status": "abandoned"})
}
