package workers

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"time"

	"github.com/confmedia/confmedia/catalog"
	"github.com/confmedia/confmedia/pipeline/match"
	"github.com/confmedia/confmedia/pipeline/rendition"
	"github.com/hibiken/asynq"
)

// Handlers processes confmedia's tasks. Its fields are its dependencies.
type Handlers struct {
	Store  catalog.Store
	Blobs  catalog.Blobs
	Logger *slog.Logger
	// Render holds rendition options (sizes, quality, pixel limit); the
	// per-photo fields are filled in for each photo.
	Render rendition.Options
	// MaxBytes bounds the original read back from the bucket.
	MaxBytes int64
	// Now is the clock; time.Now when nil.
	Now func() time.Time
}

// Mux routes every task type to its handler.
func (h *Handlers) Mux() *asynq.ServeMux {
	mux := asynq.NewServeMux()
	mux.HandleFunc(TypeMediaProcess, h.ProcessMedia)
	mux.HandleFunc(TypeMediaTag, h.TagMedia)
	mux.HandleFunc(TypeRecordingMatch, h.MatchRecording)
	return mux
}

func (h *Handlers) now() time.Time {
	if h.Now != nil {
		return h.Now()
	}
	return time.Now()
}

// permanent marks err as not worth retrying: asynq archives the task at once
// and `confmedia wait` lists it as failed.
func permanent(err error) error { return fmt.Errorf("%w (%w)", err, asynq.SkipRetry) }

// ProcessMedia reads a media item's metadata, renders its renditions to the
// bucket and tags it. A file that cannot be decoded ends failed with the
// reason and is not retried; S3, Redis and database errors are retried.
func (h *Handlers) ProcessMedia(ctx context.Context, t *asynq.Task) error {
	p, err := decodePayload(t)
	if err != nil {
		return err
	}
	m, err := h.Store.Media(ctx, p.ID)
	if catalog.IsNotFound(err) {
		return permanent(err)
	}
	if err != nil {
		return err
	}
	if m.Status != catalog.Pending {
		return nil // processed already (a task delivered twice) or hidden meanwhile
	}
	log := h.Logger.With("media", m.ID, "file", m.SourceName)

	data, err := h.readOriginal(ctx, m)
	if err != nil {
		return err
	}
	if err := h.checkOriginal(ctx, m, data); err != nil {
		return err
	}
	release, err := reservePixels(ctx, data, h.Render)
	if err != nil {
		return err
	}
	opts := h.Render
	if m.Kind == catalog.Headshot {
		opts.Specs = rendition.Headshot
	}
	dev, err := Develop(ctx, data, opts)
	release()
	if err != nil {
		if k := catalog.ErrorKind(err); k == catalog.Invalid || k == catalog.TooLarge {
			reason := catalog.ErrorMessage(err)
			log.Warn("media failed", "reason", reason)
			if uerr := h.Store.UpdateMedia(ctx, m.ID, func(m *catalog.Media) error {
				m.Status, m.Reason, m.ProcessedAt = catalog.Failed, reason, h.now()
				return nil
			}); uerr != nil {
				return uerr
			}
			return permanent(fmt.Errorf("%s: %s", m.SourceName, reason))
		}
		return err
	}

	renditions := make([]catalog.Rendition, 0, len(dev.Result.Renditions))
	for _, out := range dev.Result.Renditions {
		key := catalog.RenditionKey(m.ID, out.Name)
		if err := h.Blobs.Put(ctx, key, bytes.NewReader(out.Data), int64(len(out.Data)), "image/jpeg"); err != nil {
			return err
		}
		renditions = append(renditions, catalog.Rendition{Name: out.Name, Key: key, Width: out.Width, Height: out.Height, Bytes: int64(len(out.Data))})
	}

	md := dev.Metadata
	camKey := catalog.CameraKey(md.Make, md.Model, md.Serial)
	if camKey != "" {
		// The upload's --clock-offset becomes the offset of each camera in
		// it that has none yet.
		if _, err := h.Store.EnsureCamera(ctx, catalog.Camera{Key: camKey, Offset: m.ClockOffset, HasOffset: m.HasOffset, Photographer: m.Photographer}); err != nil {
			return err
		}
	}
	err = h.Store.UpdateMedia(ctx, m.ID, func(m *catalog.Media) error {
		m.Camera, m.Make, m.Model, m.Serial = camKey, md.Make, md.Model, md.Serial
		m.CameraTime = md.Taken
		m.Width, m.Height = dev.Result.Width, dev.Result.Height
		m.People, m.Subjects = md.People, md.Subjects
		m.Rating, m.HasGPS = md.Rating, md.HasGPS
		m.Artist, m.Copyright = md.Artist, md.Copyright
		m.Renditions = renditions
		m.ProcessedAt = h.now()
		return nil
	})
	if err != nil {
		return err
	}
	if err := h.tag(ctx, m.ID); err != nil {
		return err
	}
	log.Debug("media processed", "renditions", len(renditions))
	return nil
}

func (h *Handlers) readOriginal(ctx context.Context, m *catalog.Media) ([]byte, error) {
	rc, info, err := h.Blobs.Get(ctx, m.OriginalKey)
	if err != nil {
		if catalog.IsNotFound(err) {
			return nil, permanent(err)
		}
		return nil, err
	}
	defer rc.Close()
	limit := h.MaxBytes
	if limit <= 0 {
		limit = 1 << 30
	}
	buf := bytes.NewBuffer(make([]byte, 0, min(max(info.Size, 0), limit)+1))
	n, err := io.Copy(buf, io.LimitReader(rc, limit+1))
	if err != nil {
		return nil, catalog.E(catalog.Unavailable, "workers.readOriginal", err, "cannot read the original of %s", m.SourceName)
	}
	if n > limit {
		return nil, permanent(catalog.E(catalog.TooLarge, "workers.readOriginal", nil, "%s is over %d bytes", m.SourceName, limit))
	}
	return buf.Bytes(), nil
}

// TagMedia tags a processed media item again from its stored metadata, after
// a schedule or camera clock change.
func (h *Handlers) TagMedia(ctx context.Context, t *asynq.Task) error {
	p, err := decodePayload(t)
	if err != nil {
		return err
	}
	m, err := h.Store.Media(ctx, p.ID)
	if catalog.IsNotFound(err) {
		return nil // deleted meanwhile
	}
	if err != nil {
		return err
	}
	if m.Generation > p.Generation {
		return nil // a newer re-tag is queued
	}
	if m.Status == catalog.Pending {
		// Its processing task tags it with the current schedule.
		return nil
	}
	return h.tag(ctx, p.ID)
}

// tag decides a processed item's talk and speakers and stores the decision.
// An item the decision hides loses its public renditions.
func (h *Handlers) tag(ctx context.Context, id string) error {
	sched, err := h.Store.Schedule(ctx)
	if err != nil {
		return err
	}
	var idx *match.Index
	if len(sched.Talks) > 0 {
		if idx, err = match.NewIndex(sched); err != nil {
			h.Logger.Error("schedule unusable for tagging", "err", err)
			idx = nil
		}
	}
	optouts, err := h.Store.OptOuts(ctx)
	if err != nil {
		return err
	}
	m, err := h.Store.Media(ctx, id)
	if err != nil {
		return err
	}
	var offset time.Duration
	if m.Camera != "" {
		cam, err := h.Store.Camera(ctx, m.Camera)
		switch {
		case err == nil:
			offset = cam.Offset
		case !catalog.IsNotFound(err):
			return err
		}
	} else if m.HasOffset {
		offset = m.ClockOffset
	}
	var hidden []catalog.Rendition
	err = h.Store.UpdateMedia(ctx, id, func(m *catalog.Media) error {
		Decide(m, idx, offset, optouts)
		hidden = nil
		if m.Status == catalog.Hidden {
			hidden, m.Renditions = m.Renditions, nil
		}
		return nil
	})
	if err != nil {
		return err
	}
	return DeleteRenditions(ctx, h.Blobs, hidden)
}

// DeleteRenditions removes renditions from the bucket.
func DeleteRenditions(ctx context.Context, blobs catalog.BlobDeleter, rs []catalog.Rendition) error {
	for _, r := range rs {
		if err := blobs.Delete(ctx, r.Key); err != nil {
			return err
		}
	}
	return nil
}

// Decide sets m's corrected capture time, status, reason, talks, speakers
// and candidates from its stored metadata, the schedule index (nil when no
// schedule is imported), its camera's clock offset and the people who opted
// out of photos. Hidden and failed items keep their status; an item a person
// decided keeps its talks and speakers unless its talk left the schedule.
func Decide(m *catalog.Media, idx *match.Index, offset time.Duration, optouts []catalog.OptOut) {
	if m.Status == catalog.Hidden || m.Status == catalog.Failed {
		return
	}
	m.TakenAt = time.Time{}
	if !m.CameraTime.IsZero() {
		switch {
		case idx != nil:
			m.TakenAt = match.ResolveTime(m.CameraTime, offset, idx.Zone())
		case m.CameraTime.HasOffset:
			m.TakenAt = match.ResolveTime(m.CameraTime, offset, time.UTC)
		}
	}
	if who := optedOut(m, optouts); who != "" {
		m.Status, m.Reason = catalog.Hidden, who+" opted out of photos"
		return
	}
	if m.Decided {
		if idx != nil {
			for _, t := range m.TalkIDs {
				if !idx.HasTalk(t) {
					m.Decided = false
					m.Status, m.Reason = catalog.NeedsReview, "talk "+t+" left the schedule"
					m.TalkIDs, m.SpeakerIDs, m.Candidates = nil, nil, nil
					return
				}
			}
		}
		return
	}
	m.TalkIDs, m.SpeakerIDs, m.Candidates = nil, nil, nil
	if m.Rating < 0 {
		m.Status, m.Reason = catalog.Hidden, "rejected by photographer"
		return
	}
	if idx == nil {
		m.Status, m.Reason = catalog.NeedsReview, "no schedule imported"
		return
	}
	var d match.Decision
	switch m.Kind {
	case catalog.Headshot:
		d = idx.TagHeadshot(match.HeadshotInput{Speaker: m.SpeakerHint, People: m.People, FileName: m.SourceName})
	default:
		people := append(append([]string(nil), m.People...), m.Subjects...)
		d = idx.TagPhoto(match.PhotoInput{Room: m.Room, Taken: m.TakenAt, People: people})
	}
	m.Status, m.Reason = d.Status, d.Reason
	m.TalkIDs, m.SpeakerIDs, m.Candidates = d.TalkIDs, d.SpeakerIDs, d.Candidates
	if who := optedOutSpeaker(m.SpeakerIDs, optouts); who != "" {
		m.Status, m.Reason = catalog.Hidden, who+" opted out of photos"
	}
}

// optedOut returns the name of an opted-out person the item's people tags
// name, or whom it was decided to show, or "".
func optedOut(m *catalog.Media, optouts []catalog.OptOut) string {
	if len(optouts) == 0 {
		return ""
	}
	for _, o := range optouts {
		f := match.Fold(o.Name)
		for _, p := range m.People {
			if match.Fold(p) == f {
				return o.Name
			}
		}
		for _, p := range m.Subjects {
			if match.Fold(p) == f {
				return o.Name
			}
		}
	}
	if m.Decided {
		return optedOutSpeaker(m.SpeakerIDs, optouts)
	}
	return ""
}

func optedOutSpeaker(ids []string, optouts []catalog.OptOut) string {
	for _, o := range optouts {
		if o.SpeakerID != "" && slices.Contains(ids, o.SpeakerID) {
			return o.Name
		}
	}
	return ""
}

// MatchRecording attaches a recording to its talk, or records why it could
// not be attached with confidence.
func (h *Handlers) MatchRecording(ctx context.Context, t *asynq.Task) error {
	p, err := decodePayload(t)
	if err != nil {
		return err
	}
	sched, err := h.Store.Schedule(ctx)
	if err != nil {
		return err
	}
	var idx *match.Index
	if len(sched.Talks) > 0 {
		if idx, err = match.NewIndex(sched); err != nil {
			return permanent(err)
		}
	}
	err = h.Store.UpdateRecording(ctx, p.ID, func(r *catalog.Recording) error {
		if r.Generation > p.Generation {
			return errStale
		}
		if r.Decided {
			return nil // a person attached or dismissed it
		}
		if idx == nil {
			r.State, r.TalkID, r.Reason, r.Candidates = catalog.RecordingUnmatched, "", "no schedule imported", nil
			return nil
		}
		d := idx.MatchRecording(*r)
		r.TalkID, r.Reason, r.Candidates = d.TalkID, d.Reason, d.Candidates
		r.State = catalog.RecordingUnmatched
		if d.TalkID != "" {
			r.State = catalog.RecordingAttached
		}
		return nil
	})
	if errors.Is(err, errStale) || catalog.IsNotFound(err) {
		return nil
	}
	return err
}

var errStale = errors.New("a newer generation is queued")
