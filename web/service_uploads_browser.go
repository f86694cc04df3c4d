package web

// The browser's uploads (the upload page): inspecting a batch, planning
// how each file is sent (presigned straight to the bucket, or through the
// web app), completing what arrived, abandoning what will not. Part of
// uploadService; the browser is its only client. No HTTP here:
// photographer_upload_page.go decodes, calls these and encodes.

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"path"
	"strings"
	"time"

	"github.com/confmedia/confmedia/catalog"
	"github.com/confmedia/confmedia/pipeline/accept"
)

// uploadMeta is a batch's settings, checked and resolved.
type uploadMeta struct {
	kind                        catalog.MediaKind
	room, speaker, photographer string
	license                     string
	offset                      time.Duration
	hasOffset                   bool
}

func (s *Server) resolveSettings(ctx context.Context, set UploadSettings) (uploadMeta, error) {
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
	m.room, m.speaker, err = s.resolveRoomSpeaker(ctx, strings.TrimSpace(set.Room), strings.TrimSpace(set.Speaker))
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

// Inspect checks a batch's settings and each file's name, size and first
// bytes, so that the browser hashes only what can be uploaded. Bad
// settings, or more than maxInspect files, are an error; a refused file is
// listed with its reason.
func (s uploadService) Inspect(ctx context.Context, req InspectRequest) (InspectResponse, error) {
	if len(req.Files) > maxInspect {
		return InspectResponse{}, catalog.E(catalog.TooLarge, "web.inspect", nil, "%d files in one request; send at most %d", len(req.Files), maxInspect)
	}
	meta, err := s.resolveSettings(ctx, req.UploadSettings)
	if err != nil {
		return InspectResponse{}, err
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
	return resp, nil
}

// checkUpload validates an UploadRequest and returns the resolved settings,
// the file's base name and its id as bytes.
func (s *Server) checkUpload(ctx context.Context, req *UploadRequest) (uploadMeta, string, []byte, error) {
	const op = "web.checkUpload"
	name := baseName(req.Name)
	if name == "" {
		name = req.ID
	}
	if !sha256Hex.MatchString(req.ID) {
		return uploadMeta{}, name, nil, catalog.E(catalog.Invalid, op, nil, "%s: %q is not a lowercase sha256 hex id", name, req.ID)
	}
	sum, _ := hex.DecodeString(req.ID)
	meta, err := s.resolveSettings(ctx, req.UploadSettings)
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

// Plan says how the browser is to send the file req describes (see
// handlePlan).
func (s uploadService) Plan(ctx context.Context, req UploadRequest) (UploadPlan, error) {
	const op = "web.plan"
	meta, name, sum, err := s.checkUpload(ctx, &req)
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

// Complete records file id that the browser sent straight to the bucket
// (see handleComplete); req.ID, when given, must be id.
func (s uploadService) Complete(ctx context.Context, id string, req UploadRequest) (UploadResponse, error) {
	const op = "web.complete"
	if req.ID == "" {
		req.ID = id
	}
	if req.ID != id {
		return UploadResponse{}, catalog.E(catalog.Invalid, op, nil, "the body's id %q is not the path's", req.ID)
	}
	meta, name, sum, err := s.checkUpload(ctx, &req)
	if err != nil {
		return UploadResponse{}, err
	}
	if m, err := s.Store.Media(ctx, req.ID); err == nil {
		return UploadResponse{ID: req.ID, Status: UploadDuplicate, Queued: s.duplicate(ctx, m, req.UploadID)}, nil
	} else if !catalog.IsNotFound(err) {
		return UploadResponse{}, err
	}
	if s.Presigner == nil {
		return UploadResponse{}, catalog.E(catalog.Invalid, op, nil, "%s: this server takes uploads through PUT /api/media/{id}", name)
	}
	if err := s.checkSize(name, req.Size); err != nil {
		return UploadResponse{}, err
	}
	key := catalog.OriginalKey(req.ID)
	if req.UploadID != "" {
		if err := s.Presigner.CompleteMultipart(ctx, key, req.UploadID, partCount(req.Size)); err != nil {
			return UploadResponse{}, err
		}
	}
	info, err := s.Blobs.Stat(ctx, key)
	if catalog.IsNotFound(err) {
		return UploadResponse{}, catalog.E(catalog.Conflict, op, err, "%s has not arrived in storage; send it again", name)
	}
	if err != nil {
		return UploadResponse{}, err
	}
	ctype, err := s.checkArrived(ctx, key, name, req.Size, info.Size, sum)
	if err != nil {
		if k := catalog.ErrorKind(err); k == catalog.Invalid || k == catalog.TooLarge {
			s.Logger.Warn("upload refused on arrival", "media", req.ID, "file", name, "reason", catalog.ErrorMessage(err))
			if derr := s.Blobs.Delete(ctx, key); derr != nil {
				s.Logger.Warn("delete refused upload", "media", req.ID, "err", derr)
			}
		}
		return UploadResponse{}, err
	}

	m := &catalog.Media{
		ID: req.ID, Kind: meta.kind, SourceName: name, ContentType: ctype, Bytes: info.Size,
		OriginalKey: key, Photographer: uploadCredit(ctx, meta.photographer),
		Room: meta.room, SpeakerHint: meta.speaker, ClockOffset: meta.offset, HasOffset: meta.hasOffset,
		License: meta.license,
	}
	if err := catalog.Apply(m, catalog.Received(s.now().UTC())); err != nil {
		return UploadResponse{}, err
	}
	created, err := s.Store.CreateMedia(ctx, m)
	if err != nil {
		return UploadResponse{}, err
	}
	if !created {
		resp, _, err := s.duplicateOf(ctx, req.ID)
		return resp, err
	}
	resp, _ := s.queueNew(ctx, m, true)
	return resp, nil
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

// Abort abandons the multipart upload uploadID of file id; without direct
// uploads there is nothing to abandon.
func (s uploadService) Abort(ctx context.Context, id, uploadID string) error {
	if s.Presigner == nil {
		return nil
	}
	if err := s.Presigner.AbortMultipart(ctx, catalog.OriginalKey(id), uploadID); err != nil {
		return fmt.Errorf("web.abort: %w", err)
	}
	return nil
}
