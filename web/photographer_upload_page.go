package web

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/confmedia/confmedia/catalog"
	"github.com/confmedia/confmedia/pipeline/accept"
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

// uploadMeta is a batch's settings, checked and resolved.
type uploadMeta struct {
	kind                        catalog.MediaKind
	room, speaker, photographer string
	license                     string
	offset                      time.Duration
	hasOffset                   bool
}

func (s *Server) resolveSettings(r *http.Request, set UploadSettings) (uploadMeta, error) {
	const op = "web.resolveSettings"
	m := uploadMeta{kind: set.Kind, photographer: strings.TrimSpace(set.Photographer), license: strings.TrimSpace(set.License)}
	if m.kind == "" {
		m.kind = catalog.Photo
	}
	if !m.kind.Valid() {
		return m, catalog.E(catalog.Invalid, op, nil, "unknown kind %q: want photo or headshot", set.Kind)
	}
	if off := strings.TrimSpace(set.ClockOffset); off != "" {
		d, err := time.ParseDuration(off)
		if err != nil {
			return m, catalog.E(catalog.Invalid, op, err, "bad clock offset %q: want a duration like +1h or -7m30s", set.ClockOffset)
		}
		m.offset, m.hasOffset = d, true
	}
	var err error
	m.room, m.speaker, err = s.resolveRoomSpeaker(r.Context(), strings.TrimSpace(set.Room), strings.TrimSpace(set.Speaker))
	return m, err
}

// inspectFile checks one file's name, size and first bytes (accept.Head)
// and returns its content type.
func (s *Server) inspectFile(name string, size int64, head string) (string, error) {
	const op = "web.inspectFile"
	if err := s.checkSize(name, size); err != nil {
		return "", err
	}
	b, err := base64.StdEncoding.DecodeString(head)
	if err != nil {
		return "", catalog.E(catalog.Invalid, op, err, "%s: the first bytes are not base64", name)
	}
	if len(b) == 0 {
		return "", catalog.E(catalog.Invalid, op, nil, "%s: the file's first bytes are missing", name)
	}
	return accept.Head(name, size, b, s.acceptLimits())
}

// checkSize refuses an empty file and one over MaxBytes (accept.Size); a
// browser always knows a file's size, so an unknown one is empty.
func (s *Server) checkSize(name string, size int64) error {
	return accept.Size(name, max(size, 0), s.acceptLimits())
}

// baseName is the last element of a browser's file name or relative path.
func baseName(name string) string {
	name = path.Base(strings.ReplaceAll(name, "\\", "/"))
	if name == "." || name == "/" {
		return ""
	}
	return name
}

// reason is err's message without the leading file name.
func reason(name string, err error) string {
	return strings.TrimPrefix(catalog.ErrorMessage(err), name+": ")
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
	if len(req.Files) > maxInspect {
		s.writeError(w, r, catalog.E(catalog.TooLarge, "web.inspect", nil, "%d files in one request; send at most %d", len(req.Files), maxInspect))
		return
	}
	meta, err := s.resolveSettings(r, req.UploadSettings)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	resp := InspectResponse{Room: meta.room, Speaker: meta.speaker, Files: make([]InspectResult, 0, len(req.Files))}
	for _, f := range req.Files {
		name := baseName(f.Name)
		res := InspectResult{Name: f.Name}
		if ct, err := s.inspectFile(name, f.Size, f.Head); err != nil {
			res.Error = reason(name, err)
		} else {
			res.ContentType = ct
		}
		resp.Files = append(resp.Files, res)
	}
	writeJSON(w, http.StatusOK, resp)
}

// checkUpload validates an UploadRequest and returns the resolved settings,
// the file's base name and its id as bytes.
func (s *Server) checkUpload(r *http.Request, req *UploadRequest) (uploadMeta, string, []byte, error) {
	const op = "web.checkUpload"
	name := baseName(req.Name)
	if name == "" {
		name = req.ID
	}
	if !sha256Hex.MatchString(req.ID) {
		return uploadMeta{}, name, nil, catalog.E(catalog.Invalid, op, nil, "%s: %q is not a lowercase sha256 hex id", name, req.ID)
	}
	sum, _ := hex.DecodeString(req.ID)
	meta, err := s.resolveSettings(r, req.UploadSettings)
	return meta, name, sum, err
}

// duplicate answers for a file the server has: it queues an item whose
// processing was never queued (see requeue), and abandons a multipart
// upload the browser had begun. It reports whether the item is queued.
func (s *Server) duplicate(ctx context.Context, m *catalog.Media, uploadID string) (queued bool) {
	if uploadID != "" && s.Presigner != nil {
		if err := s.Presigner.AbortMultipart(ctx, m.OriginalKey, uploadID); err != nil {
			s.Logger.Warn("abandon upload", "media", m.ID, "err", err)
		}
	}
	return s.requeue(ctx, m)
}

// handlePlan answers how the browser is to send one file: presigned
// request(s) straight to the bucket, through the web app when no presigner
// is configured, or nothing when the server has the file. The file's name,
// size and first bytes are checked first; a refused file is an Invalid or
// TooLarge error naming it.
func (s *Server) handlePlan(w http.ResponseWriter, r *http.Request) {
	plan, err := s.plan(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, plan)
}

func (s *Server) plan(r *http.Request) (UploadPlan, error) {
	const op = "web.plan"
	ctx := r.Context()
	var req UploadRequest
	if err := decodeJSON(r, &req); err != nil {
		return UploadPlan{}, err
	}
	meta, name, sum, err := s.checkUpload(r, &req)
	if err != nil {
		return UploadPlan{}, err
	}
	ctype, err := s.inspectFile(name, req.Size, req.Head)
	if err != nil {
		return UploadPlan{}, err
	}
	plan := UploadPlan{ID: req.ID, Room: meta.room, Speaker: meta.speaker, ContentType: ctype}
	if m, err := s.Store.Media(ctx, req.ID); err == nil {
		plan.Mode = ModeDuplicate
		s.duplicate(ctx, m, req.UploadID)
		return plan, nil
	} else if !catalog.IsNotFound(err) {
		return UploadPlan{}, err
	}

	if s.Presigner == nil || req.Proxy {
		if req.UploadID != "" && s.Presigner != nil {
			if err := s.Presigner.AbortMultipart(ctx, catalog.OriginalKey(req.ID), req.UploadID); err != nil {
				s.Logger.Warn("abandon upload", "media", req.ID, "err", err)
			}
		}
		plan.Mode, plan.URL = ModeProxy, proxyURL(req, name, meta)
		return plan, nil
	}
	key := catalog.OriginalKey(req.ID)
	plan.Expires = s.now().Add(presignTTL).UTC()
	if req.Size < multipartFrom {
		u, h, err := s.Presigner.PresignPut(ctx, key, req.Size, sum, ctype, presignTTL)
		if err != nil {
			return UploadPlan{}, err
		}
		plan.Mode, plan.URL, plan.Header = ModePut, u, flatHeader(h)
		return plan, nil
	}

	n := partCount(req.Size)
	if len(req.PartSHA256) != n {
		return UploadPlan{}, catalog.E(catalog.Invalid, op, nil, "%s: %d bytes go in %d parts of %d bytes; got %d part checksums",
			name, req.Size, n, uploadPartSize, len(req.PartSHA256))
	}
	sums := make([][]byte, n)
	for i, b64 := range req.PartSHA256 {
		if sums[i], err = base64.StdEncoding.DecodeString(b64); err != nil || len(sums[i]) != sha256.Size {
			return UploadPlan{}, catalog.E(catalog.Invalid, op, err, "%s: the checksum of part %d is not a base64 SHA-256", name, i+1)
		}
	}
	have := map[int][]byte{}
	uploadID := req.UploadID
	if uploadID != "" {
		have, err = s.Presigner.UploadedParts(ctx, key, uploadID)
		if catalog.IsNotFound(err) {
			uploadID, have = "", map[int][]byte{} // expired or abandoned: start again
		} else if err != nil {
			return UploadPlan{}, err
		}
	}
	if uploadID == "" {
		if uploadID, err = s.Presigner.CreateMultipart(ctx, key, ctype); err != nil {
			return UploadPlan{}, err
		}
	}
	plan.Mode, plan.UploadID, plan.PartSize = ModeMultipart, uploadID, uploadPartSize
	for i := 1; i <= n; i++ {
		part := PlanPart{N: i, Size: partSize(req.Size, i)}
		if got, ok := have[i]; ok && bytes.Equal(got, sums[i-1]) {
			part.Done = true
		} else {
			u, h, err := s.Presigner.PresignPart(ctx, key, uploadID, i, part.Size, sums[i-1], presignTTL)
			if err != nil {
				return UploadPlan{}, err
			}
			part.URL, part.Header = u, flatHeader(h)
		}
		plan.Parts = append(plan.Parts, part)
	}
	return plan, nil
}

// partCount is the number of parts a file of size bytes is sent in.
func partCount(size int64) int { return int((size + uploadPartSize - 1) / uploadPartSize) }

// partSize is the size of part n (from 1) of a file of size bytes.
func partSize(size int64, n int) int64 {
	return min(uploadPartSize, size-int64(n-1)*uploadPartSize)
}

// proxyURL is where the browser PUTs a file through the web app.
func proxyURL(req UploadRequest, name string, meta uploadMeta) string {
	q := url.Values{}
	q.Set("name", name)
	q.Set("kind", string(meta.kind))
	for k, v := range map[string]string{"room": meta.room, "speaker": meta.speaker, "photographer": meta.photographer, "license": meta.license} {
		if v != "" {
			q.Set(k, v)
		}
	}
	if meta.hasOffset {
		q.Set("clock_offset", meta.offset.String())
	}
	return "/api/media/" + req.ID + "?" + q.Encode()
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
	resp, status, err := s.complete(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, status, resp)
}

func (s *Server) complete(r *http.Request) (UploadResponse, int, error) {
	const op = "web.complete"
	ctx := r.Context()
	var req UploadRequest
	if err := decodeJSON(r, &req); err != nil {
		return UploadResponse{}, 0, err
	}
	if req.ID == "" {
		req.ID = r.PathValue("id")
	}
	if req.ID != r.PathValue("id") {
		return UploadResponse{}, 0, catalog.E(catalog.Invalid, op, nil, "the body's id %q is not the path's", req.ID)
	}
	meta, name, sum, err := s.checkUpload(r, &req)
	if err != nil {
		return UploadResponse{}, 0, err
	}
	if m, err := s.Store.Media(ctx, req.ID); err == nil {
		return UploadResponse{ID: req.ID, Status: UploadDuplicate, Queued: s.duplicate(ctx, m, req.UploadID)}, http.StatusOK, nil
	} else if !catalog.IsNotFound(err) {
		return UploadResponse{}, 0, err
	}
	if s.Presigner == nil {
		return UploadResponse{}, 0, catalog.E(catalog.Invalid, op, nil, "%s: this server takes uploads through PUT /api/media/{id}", name)
	}
	if err := s.checkSize(name, req.Size); err != nil {
		return UploadResponse{}, 0, err
	}
	key := catalog.OriginalKey(req.ID)
	if req.UploadID != "" {
		if err := s.Presigner.CompleteMultipart(ctx, key, req.UploadID, partCount(req.Size)); err != nil {
			return UploadResponse{}, 0, err
		}
	}
	info, err := s.Blobs.Stat(ctx, key)
	if catalog.IsNotFound(err) {
		return UploadResponse{}, 0, catalog.E(catalog.Conflict, op, err, "%s has not arrived in storage; send it again", name)
	}
	if err != nil {
		return UploadResponse{}, 0, err
	}
	ctype, err := s.checkArrived(ctx, key, name, req.Size, info.Size, sum)
	if err != nil {
		if k := catalog.ErrorKind(err); k == catalog.Invalid || k == catalog.TooLarge {
			s.Logger.Warn("upload refused on arrival", "media", req.ID, "file", name, "reason", catalog.ErrorMessage(err))
			if derr := s.Blobs.Delete(ctx, key); derr != nil {
				s.Logger.Warn("delete refused upload", "media", req.ID, "err", derr)
			}
		}
		return UploadResponse{}, 0, err
	}

	m := &catalog.Media{
		ID: req.ID, Kind: meta.kind, SourceName: name, ContentType: ctype, Bytes: info.Size,
		OriginalKey: key, Photographer: uploadCredit(ctx, meta.photographer),
		Room: meta.room, SpeakerHint: meta.speaker, ClockOffset: meta.offset, HasOffset: meta.hasOffset,
		License: meta.license,
	}
	if err := catalog.Apply(m, catalog.Received(s.now().UTC())); err != nil {
		return UploadResponse{}, 0, err
	}
	created, err := s.Store.CreateMedia(ctx, m)
	if err != nil {
		return UploadResponse{}, 0, err
	}
	if !created {
		return s.duplicateOf(ctx, req.ID)
	}
	resp, status := s.queueNew(ctx, m, true)
	return resp, status, nil
}

// checkArrived checks the object at key with the check every upload passes
// (accept.Check): want bytes (as announced; got is what the store holds),
// a JPEG or PNG within MaxPixels by its header, and the SHA-256 sum, which
// the store checked on arrival when it says so and is computed by reading
// the object back otherwise. It returns the content type.
func (s *Server) checkArrived(ctx context.Context, key, name string, want, got int64, sum []byte) (string, error) {
	const op = "web.checkArrived"
	stored, err := s.Presigner.StoredSHA256(ctx, key)
	if err != nil {
		return "", err
	}
	rc, _, err := s.Blobs.Get(ctx, key)
	if err != nil {
		return "", err
	}
	defer rc.Close()
	f := accept.File{Name: name, Size: want, ID: hex.EncodeToString(sum), Stored: &accept.Stored{Size: got, SHA256: stored}}
	res, err := accept.Check(f, rc, s.acceptLimits())
	var re *accept.ReadError
	if errors.As(err, &re) {
		return "", catalog.E(catalog.Unavailable, op, re.Err, "cannot read %s back from storage", name)
	}
	return res.ContentType, err
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
	if s.Presigner == nil {
		// No direct uploads, so nothing to abandon.
		writeJSON(w, http.StatusOK, map[string]string{"id": id, "status": "abandoned"})
		return
	}
	if err := s.Presigner.AbortMultipart(r.Context(), catalog.OriginalKey(id), req.UploadID); err != nil {
		s.writeError(w, r, fmt.Errorf("%s: %w", op, err))
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"id": id, "status": "abandoned"})
}
