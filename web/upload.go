package web

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/confmedia/confmedia/catalog"
	"github.com/confmedia/confmedia/pipeline/accept"
	"github.com/confmedia/confmedia/pipeline/match"
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
	resp, err := s.check(r, req)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, resp)
}

func (s *Server) check(r *http.Request, req CheckRequest) (CheckResponse, error) {
	const op = "web.check"
	ctx := r.Context()
	resp := CheckResponse{Known: []string{}}
	room, speaker, err := s.resolveRoomSpeaker(r, req.Room, req.Speaker)
	if err != nil {
		return resp, err
	}
	resp.Room, resp.Speaker = room, speaker
	for _, id := range req.IDs {
		if !sha256Hex.MatchString(id) {
			return resp, catalog.E(catalog.Invalid, op, nil, "%q is not a lowercase sha256 hex id", id)
		}
	}
	known, err := s.Store.KnownMedia(ctx, req.IDs)
	if err != nil {
		return resp, err
	}
	queueUp := true
	for _, id := range req.IDs {
		if !known[id] {
			continue
		}
		m, err := s.Store.Media(ctx, id)
		if err != nil {
			if catalog.IsNotFound(err) {
				continue // deleted meanwhile
			}
			return resp, err
		}
		resp.Known = append(resp.Known, id)
		resp.Items = append(resp.Items, knownMedia(m))
		// An item whose processing was never queued (the queue was down when
		// it arrived) is queued now; its task id makes this idempotent. A
		// queue still down does not fail the check, and is not asked again
		// for the other items of this check.
		if queueUp {
			queueUp = s.requeue(ctx, m)
		}
	}
	return resp, nil
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

// requeue queues the processing of m, an item the server has, when it is
// pending (its task may never have been queued); the task id makes this
// idempotent. It reports whether the item is queued or past the queue; a
// queue that cannot take the task is logged, not an error.
func (s *Server) requeue(ctx context.Context, m *catalog.Media) (queued bool) {
	if m.Status != catalog.Pending {
		return true
	}
	if err := s.enqueueMedia(ctx, m); err != nil {
		s.Logger.Warn("media still waiting for the queue", "media", m.ID, "file", m.SourceName, "err", err)
		return false
	}
	return true
}

// enqueueWait bounds how long an upload waits for the queue to take a task
// (a Redis host that does not answer can hold a connection attempt for
// long); the item is stored by then, so the answer need not wait.
const enqueueWait = 5 * time.Second

func (s *Server) enqueueMedia(ctx context.Context, m *catalog.Media) error {
	ctx, cancel := context.WithTimeout(ctx, enqueueWait)
	defer cancel()
	return s.Queue.EnqueueMedia(ctx, m)
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

// resolveRoomSpeaker returns the schedule's spelling of room and speaker, or
// an Invalid error listing the known ones.
func (s *Server) resolveRoomSpeaker(r *http.Request, room, speaker string) (string, string, error) {
	const op = "web.resolveRoomSpeaker"
	if room == "" && speaker == "" {
		return "", "", nil
	}
	sched, err := s.Store.Schedule(r.Context())
	if err != nil {
		return "", "", err
	}
	if room != "" {
		var rooms []string
		found := ""
		for _, t := range sched.Talks {
			if !slices.Contains(rooms, t.Room) {
				rooms = append(rooms, t.Room)
			}
			if match.Fold(t.Room) == match.Fold(room) {
				found = t.Room
			}
		}
		if found == "" {
			return "", "", catalog.E(catalog.Invalid, op, nil, "unknown room %q; %s", room, closestNames("rooms", room, rooms))
		}
		room = found
	}
	if speaker != "" {
		var names []string
		found := ""
		for _, sp := range sched.Speakers {
			names = append(names, sp.Name)
			if match.Fold(sp.Name) == match.Fold(speaker) {
				found = sp.Name
			}
		}
		if found == "" {
			return "", "", catalog.E(catalog.Invalid, op, nil, "unknown speaker %q; %s", speaker, closestNames("speakers", speaker, names))
		}
		speaker = found
	}
	return room, speaker, nil
}

// closestNames says which of the schedule's names are closest to an
// unknown one: a few, not all of them, and never an empty list.
func closestNames(many, name string, names []string) string {
	names = slices.DeleteFunc(slices.Clone(names), func(s string) bool { return strings.TrimSpace(s) == "" })
	if len(names) == 0 {
		return fmt.Sprintf("the schedule has no %s (import a schedule first)", many)
	}
	near := match.Closest(name, names, 3)
	msg := fmt.Sprintf("did you mean %s?", quotedList(near))
	if len(names) > len(near) {
		msg += fmt.Sprintf(" (%d %s in the schedule)", len(names), many)
	}
	return msg
}

func quotedList(s []string) string {
	q := make([]string, len(s))
	for i, v := range s {
		q[i] = strconv.Quote(v)
	}
	switch len(q) {
	case 1:
		return q[0]
	case 2:
		return q[0] + " or " + q[1]
	}
	return strings.Join(q[:len(q)-1], ", ") + " or " + q[len(q)-1]
}

// handleUpload receives one original. The body is streamed to a temporary
// file while it is hashed, so no file is held in memory; the id in the path
// must be the sha256 of the bytes. Files that are empty, not JPEG or PNG,
// over MaxBytes or over MaxPixels by their header are refused with the
// reason.
func (s *Server) handleUpload(w http.ResponseWriter, r *http.Request) {
	resp, status, err := s.upload(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, status, resp)
}

func (s *Server) upload(r *http.Request) (UploadResponse, int, error) {
	const op = "web.upload"
	ctx := r.Context()
	id := r.PathValue("id")
	q := r.URL.Query()
	name := filepath.Base(q.Get("name"))
	if name == "." || name == "/" || name == "" {
		name = id
	}
	if !sha256Hex.MatchString(id) {
		return UploadResponse{}, 0, catalog.E(catalog.Invalid, op, nil, "%s: %q is not a lowercase sha256 hex id", name, id)
	}
	kind := catalog.MediaKind(q.Get("kind"))
	if kind == "" {
		kind = catalog.Photo
	}
	if !kind.Valid() {
		return UploadResponse{}, 0, catalog.E(catalog.Invalid, op, nil, "unknown kind %q: want photo or headshot", kind)
	}
	var offset time.Duration
	hasOffset := q.Get("clock_offset") != ""
	if hasOffset {
		var err error
		if offset, err = time.ParseDuration(q.Get("clock_offset")); err != nil {
			return UploadResponse{}, 0, catalog.E(catalog.Invalid, op, err, "bad clock offset %q", q.Get("clock_offset"))
		}
	}
	room, speaker, err := s.resolveRoomSpeaker(r, q.Get("room"), q.Get("speaker"))
	if err != nil {
		return UploadResponse{}, 0, err
	}

	if m, err := s.Store.Media(ctx, id); err == nil {
		k := knownMedia(m)
		return UploadResponse{ID: id, Status: UploadDuplicate, Queued: s.requeue(ctx, m), Existing: &k}, http.StatusOK, nil
	} else if !catalog.IsNotFound(err) {
		return UploadResponse{}, 0, err
	}

	f, size, ctype, err := s.receive(r, name, id)
	if err != nil {
		return UploadResponse{}, 0, err
	}
	defer os.Remove(f.Name())
	defer f.Close()

	m := &catalog.Media{
		ID: id, Kind: kind, SourceName: name, ContentType: ctype, Bytes: size,
		OriginalKey: catalog.OriginalKey(id), Photographer: uploadCredit(ctx, q.Get("photographer")),
		Room: room, SpeakerHint: speaker, ClockOffset: offset, HasOffset: hasOffset,
		License: strings.TrimSpace(q.Get("license")),
	}
	if err := catalog.Apply(m, catalog.Received(s.now().UTC())); err != nil {
		return UploadResponse{}, 0, err
	}
	if err := s.Blobs.Put(ctx, m.OriginalKey, f, size, ctype); err != nil {
		return UploadResponse{}, 0, err
	}
	created, err := s.Store.CreateMedia(ctx, m)
	if err != nil {
		return UploadResponse{}, 0, err
	}
	if !created {
		return s.duplicateOf(ctx, id)
	}
	resp, status := s.queueNew(ctx, m, false)
	return resp, status, nil
}

// receive streams the request body to a temporary file through the check
// every upload passes (accept.Check: size, SHA-256 = id, type, pixel count
// by the header). The caller closes and removes the file.
func (s *Server) receive(r *http.Request, name, id string) (_ *os.File, size int64, ctype string, err error) {
	const op = "web.receive"
	lim := s.acceptLimits()
	if r.ContentLength > 0 {
		if err := accept.Size(name, r.ContentLength, lim); err != nil {
			return nil, 0, "", err
		}
	}
	f, err := os.CreateTemp(s.TempDir, "upload-*")
	if err != nil {
		return nil, 0, "", fmt.Errorf("%s: %w", op, err)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	res, err := accept.Check(accept.File{Name: name, Size: -1, ID: id}, io.TeeReader(r.Body, f), lim)
	var re *accept.ReadError
	if errors.As(err, &re) {
		return nil, 0, "", catalog.E(catalog.Invalid, op, re.Err, "%s: upload interrupted", name)
	}
	if err != nil {
		// Read what the client is still sending (as far as the byte limit)
		// so that it reads the refusal instead of a reset connection.
		_, _ = io.Copy(io.Discard, io.LimitReader(r.Body, max(lim.MaxBytes, 0)))
		return nil, 0, "", err
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, 0, "", fmt.Errorf("%s: %w", op, err)
	}
	return f, res.Size, res.ContentType, nil
}

// acceptLimits are the limits every upload is checked against.
func (s *Server) acceptLimits() accept.Limits {
	return accept.Limits{MaxBytes: s.MaxBytes, MaxPixels: s.MaxPixels}
}
