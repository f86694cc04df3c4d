package web

// The photographers' uploads use case (api.UploadService) over the
// catalog, the bucket and the queues. No HTTP here: photographer_upload.go
// decodes, calls these and encodes.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/confmedia/confmedia/catalog"
	"github.com/confmedia/confmedia/pipeline/accept"
	"github.com/confmedia/confmedia/pipeline/match"
	"github.com/confmedia/confmedia/web/api"
)

// uploadService implements api.UploadService over the server's catalog,
// bucket and queues. An upload is credited as its caller may be credited
// (uploadCredit), and a photographer's queue holds their own uploads
// (ownUploadsOnly).
type uploadService struct{ *Server }

var _ api.UploadService = uploadService{}

// uploads returns the server's uploads use case.
func (s *Server) uploads() uploadService { return uploadService{s} }

// CheckMedia says which of req.IDs the server has (queueing any of them
// still waiting for the queue) and the schedule's spelling of req.Room and
// req.Speaker. An id that is not a lowercase sha256 hex, or an unknown
// room or speaker, is Invalid.
func (s uploadService) CheckMedia(ctx context.Context, req CheckRequest) (CheckResponse, error) {
	const op = "web.check"
	resp := CheckResponse{Known: []string{}}
	room, speaker, err := s.resolveRoomSpeaker(ctx, req.Room, req.Speaker)
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

// resolveRoomSpeaker returns the schedule's spelling of room and speaker, or
// an Invalid error listing the known ones.
func (s *Server) resolveRoomSpeaker(ctx context.Context, room, speaker string) (string, string, error) {
	const op = "web.resolveRoomSpeaker"
	if room == "" && speaker == "" {
		return "", "", nil
	}
	sched, err := s.Store.Schedule(ctx)
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

// UploadMedia receives size bytes of body (-1: unknown) as media item id,
// which must be their sha256, through the check every upload passes (see
// receive), stores the original, records the item credited as the caller
// may be (uploadCredit) and queues its processing. A file the server has
// already is answered as a duplicate (queued again when still pending).
func (s uploadService) UploadMedia(ctx context.Context, id string, meta api.UploadMeta, body io.Reader, contentLength int64) (UploadResponse, error) {
	const op = "web.upload"
	name := filepath.Base(meta.Name)
	if name == "." || name == "/" || name == "" {
		name = id
	}
	if !sha256Hex.MatchString(id) {
		return UploadResponse{}, catalog.E(catalog.Invalid, op, nil, "%s: %q is not a lowercase sha256 hex id", name, id)
	}
	kind := meta.Kind
	if kind == "" {
		kind = catalog.Photo
	}
	if !kind.Valid() {
		return UploadResponse{}, catalog.E(catalog.Invalid, op, nil, "unknown kind %q: want photo or headshot", kind)
	}
	var offset time.Duration
	hasOffset := meta.ClockOffset != ""
	if hasOffset {
		var err error
		if offset, err = time.ParseDuration(meta.ClockOffset); err != nil {
			return UploadResponse{}, catalog.E(catalog.Invalid, op, err, "bad clock offset %q", meta.ClockOffset)
		}
	}
	room, speaker, err := s.resolveRoomSpeaker(ctx, meta.Room, meta.Speaker)
	if err != nil {
		return UploadResponse{}, err
	}

	if m, err := s.Store.Media(ctx, id); err == nil {
		k := knownMedia(m)
		return UploadResponse{ID: id, Status: UploadDuplicate, Queued: s.requeue(ctx, m), Existing: &k}, nil
	} else if !catalog.IsNotFound(err) {
		return UploadResponse{}, err
	}

	f, size, ctype, err := s.receive(body, contentLength, name, id)
	if err != nil {
		return UploadResponse{}, err
	}
	defer os.Remove(f.Name())
	defer f.Close()

	m := &catalog.Media{
		ID: id, Kind: kind, SourceName: name, ContentType: ctype, Bytes: size,
		OriginalKey: catalog.OriginalKey(id), Photographer: uploadCredit(ctx, meta.Photographer),
		Room: room, SpeakerHint: speaker, ClockOffset: offset, HasOffset: hasOffset,
		License: strings.TrimSpace(meta.License),
	}
	if err := catalog.Apply(m, catalog.Received(s.now().UTC())); err != nil {
		return UploadResponse{}, err
	}
	if err := s.Blobs.Put(ctx, m.OriginalKey, f, size, ctype); err != nil {
		return UploadResponse{}, err
	}
	created, err := s.Store.CreateMedia(ctx, m)
	if err != nil {
		return UploadResponse{}, err
	}
	if !created {
		resp, _, err := s.duplicateOf(ctx, id)
		return resp, err
	}
	resp, _ := s.queueNew(ctx, m, false)
	return resp, nil
}

// receive streams body, of contentLength bytes (-1 or 0: unknown), to a
// temporary file through the check every upload passes (accept.Check:
// size, SHA-256 = id, type, pixel count by the header). The caller closes
// and removes the file.
func (s *Server) receive(body io.Reader, contentLength int64, name, id string) (_ *os.File, size int64, ctype string, err error) {
	const op = "web.receive"
	lim := s.acceptLimits()
	if contentLength > 0 {
		if err := accept.Size(name, contentLength, lim); err != nil {
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
	res, err := accept.Check(accept.File{Name: name, Size: -1, ID: id}, io.TeeReader(body, f), lim)
	var re *accept.ReadError
	if errors.As(err, &re) {
		return nil, 0, "", catalog.E(catalog.Invalid, op, re.Err, "%s: upload interrupted", name)
	}
	if err != nil {
		// Read what the client is still sending (as far as the byte limit)
		// so that it reads the refusal instead of a reset connection.
		_, _ = io.Copy(io.Discard, io.LimitReader(body, max(lim.MaxBytes, 0)))
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

// QueueStats reads the queues and the catalog. A queue that cannot be read
// is reported in QueueDown, not as an error: the catalog still says what
// is pending and what failed. A photographer's view holds their own
// uploads only (see ownUploadsOnly): no one else's files, failures or
// recordings, so that their `confmedia wait` answers for their work.
func (s uploadService) QueueStats(ctx context.Context) (QueueResponse, error) {
	resp := QueueResponse{Ended: []FailedItem{}}
	st, err := s.Queue.Stats(ctx)
	if err != nil {
		if catalog.ErrorKind(err) != catalog.Unavailable {
			return resp, err
		}
		resp.QueueDown = catalog.ErrorMessage(err)
		st = catalog.QueueStats{}
	}
	if st.Queues == nil {
		st.Queues = []catalog.QueueDepth{}
	}
	if st.Failed == nil {
		st.Failed = []catalog.FailedTask{}
	}
	resp.QueueStats = st
	// The last error of a task the queue gave up on, by the item it was for.
	gaveUp := map[string]string{}
	for _, f := range st.Failed {
		if f.Subject != "" {
			gaveUp[f.Subject] = f.Error
		}
	}
	media, err := s.Store.ListMedia(ctx, catalog.MediaFilter{Status: []catalog.Status{catalog.Pending, catalog.Failed}})
	if err != nil {
		return resp, err
	}
	name, only := ownUploadsOnly(ctx)
	if only {
		resp.QueueStats.Failed = ownFailedTasks(st.Failed, media, name)
	}
	for _, m := range media {
		if only && m.Photographer != name {
			continue
		}
		reason, archived := gaveUp[m.ID]
		switch {
		case m.Status == catalog.Failed:
			if m.Reason != "" {
				reason = m.Reason
			}
		case !archived:
			resp.PendingMedia++
			continue
		}
		if reason == "" {
			reason = "failed (no reason recorded)"
		}
		resp.Ended = append(resp.Ended, FailedItem{Kind: string(m.Kind), ID: m.ID, File: m.SourceName, Reason: reason})
	}
	if only {
		return resp, nil
	}
	recs, err := s.Store.ListRecordings(ctx)
	if err != nil {
		return resp, err
	}
	for _, rec := range recs {
		if rec.State != catalog.RecordingPending {
			continue
		}
		reason, archived := gaveUp[rec.ID]
		if !archived {
			resp.PendingRecordings++
			continue
		}
		file := rec.Title
		if file == "" {
			file = rec.URL
		}
		resp.Ended = append(resp.Ended, FailedItem{Kind: "recording", ID: rec.ID, File: file, Reason: reason})
	}
	return resp, nil
}
