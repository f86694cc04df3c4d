package workers

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/confmedia/confmedia/catalog"
	"github.com/confmedia/confmedia/pipeline/develop"
	"github.com/confmedia/confmedia/pipeline/face"
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
	// Faces finds faces in rendered items (the media:faces task, queued
	// through Queue after rendering); nil turns faces off: squares keep
	// the rule without faces.
	Faces FaceFinder
	// Recognition turns on speaker recognition (CONFMEDIA_FACE_RECOGNITION):
	// faces are described, and an event photo stays pending after
	// rendering until its faces task decides it. Needs Faces.
	Recognition bool
	// Queue queues the faces task after rendering; nil queues none.
	Queue Enqueuer
	// Publisher republishes the public catalog when tagging takes down an
	// item that was public (an opt-out, a rejection, a re-tag), so that
	// the hide reaches the published JSON; nil publishes nothing.
	Publisher Republisher
}

// Republisher publishes the public catalog again if it was published
// before (catalog.Publisher).
type Republisher interface {
	Republish(ctx context.Context) (published bool, err error)
}

// Mux routes every task type to its handler.
func (h *Handlers) Mux() *asynq.ServeMux {
	mux := asynq.NewServeMux()
	mux.HandleFunc(TypeMediaProcess, h.ProcessMedia)
	mux.HandleFunc(TypeMediaTag, h.TagMedia)
	mux.HandleFunc(TypeRecordingMatch, h.MatchRecording)
	mux.HandleFunc(TypeMediaFaces, h.FindFaces)
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
// staff prefix of the bucket, queues its faces task (when Faces is set),
// tags it and then publishes the renditions if the decision made it public
// (catalog.SyncRenditions): nothing is public before it is decided. With
// Recognition, an event photo is left pending for its faces task to decide. A file that cannot be decoded ends failed with the
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
		// Processed already (a task delivered again after a crash between
		// deciding and publishing) or hidden meanwhile: finish publishing.
		return catalog.SyncRenditions(ctx, h.Store, h.Blobs, m.ID)
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
	opts := h.renderOptions(m)
	start := time.Now()
	dev, err := develop.Develop(ctx, data, opts)
	noteRender(ctx, time.Since(start))
	release()
	if err != nil {
		if k := catalog.ErrorKind(err); k == catalog.Invalid || k == catalog.TooLarge {
			return h.fail(ctx, m, err)
		}
		return err
	}

	// Renditions go to the staff prefix: reviewers see them whatever the
	// decision, the public sees them once SyncRenditions publishes them.
	renditions := make([]catalog.Rendition, 0, len(dev.Result.Renditions))
	for _, out := range dev.Result.Renditions {
		key := catalog.StaffRenditionKey(m.ID, out.Name)
		if err := h.Blobs.Put(ctx, key, bytes.NewReader(out.Data), int64(len(out.Data)), "image/jpeg"); err != nil {
			return err
		}
		renditions = append(renditions, catalog.Rendition{Name: out.Name, Key: catalog.RenditionKey(m.ID, out.Name),
			Width: out.Width, Height: out.Height, Bytes: int64(len(out.Data))})
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
		if m.Status != catalog.Pending {
			return errStale // hidden meanwhile: SyncRenditions below removes what was rendered
		}
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
	if err != nil && !errors.Is(err, errStale) {
		return err
	}
	if err == nil {
		// The faces task is queued before the item is decided: a queue
		// error is retried while the item is still pending, so that no
		// rendered item misses its faces.
		if h.Faces != nil && h.Queue != nil {
			if err := h.Queue.EnqueueFaces(ctx, m.ID, m.Generation); err != nil {
				return err
			}
		}
		// With recognition on, an event photo is decided by its faces
		// task, once its faces were checked: it stays pending until then.
		if !h.decidesAfterFaces(m) {
			if _, err := h.tag(ctx, m.ID); err != nil {
				return err
			}
			// A headshot its speaker's opt-out hid keeps a descriptor to
			// protect them: taken now, before its renditions go.
			if err := h.protectHeadshot(ctx, m.ID); err != nil {
				return err
			}
		}
	}
	if err := catalog.SyncRenditions(ctx, h.Store, h.Blobs, m.ID); err != nil {
		return err
	}
	log.Debug("media processed", "renditions", len(renditions))
	return nil
}

// fail ends pending item m failed with the reason err gives, through the
// lifecycle, and returns a permanent error. An error recording that is
// returned as it is, to be retried; an item decided or hidden meanwhile is
// left as it is.
func (h *Handlers) fail(ctx context.Context, m *catalog.Media, err error) error {
	reason := catalog.ErrorMessage(err)
	h.Logger.Warn("media failed", "media", m.ID, "file", m.SourceName, "reason", reason)
	if ferr := catalog.Fail(ctx, h.Store, m.ID, reason, h.now()); ferr != nil && catalog.ErrorKind(ferr) != catalog.Conflict {
		return ferr
	}
	if serr := catalog.SyncRenditions(ctx, h.Store, h.Blobs, m.ID); serr != nil {
		return serr
	}
	return permanent(fmt.Errorf("%s: %s", m.SourceName, reason))
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
// a schedule, camera clock or opt-out change. An event photo the faces task
// decides (decidesAfterFaces: recognition on) is decided again by its faces
// task, queued at the item's generation, so that what its faces showed
// holds; meanwhile a decision from its metadata that takes it out of the
// public catalog (an opt-out, a talk gone, a clock far off) is stored at
// once, since its faces can only add a review to it.
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
	wasPublic := m.Status.Public()
	byFaces := h.decidesAfterFaces(m)
	status, err := h.tagWith(ctx, p.ID, nil, byFaces)
	if err != nil {
		return err
	}
	if err := h.protectHeadshot(ctx, p.ID); err != nil {
		return err
	}
	if err := catalog.SyncRenditions(ctx, h.Store, h.Blobs, p.ID); err != nil {
		return err
	}
	if byFaces && status != catalog.Hidden && status != catalog.Failed {
		if err := h.Queue.EnqueueFaces(ctx, p.ID, p.Generation); err != nil {
			return err
		}
	}
	// A public item taken down leaves the published catalog now, not at the
	// next publish. A task delivered again (after a crash between deciding
	// and publishing) finds the item hidden already: it publishes too.
	retried, _ := asynq.GetRetryCount(ctx)
	if !status.Public() && (wasPublic || retried > 0) {
		return h.republish(ctx, p.ID)
	}
	return nil
}

// republish publishes the catalog again, if it was published, after item
// id left it.
func (h *Handlers) republish(ctx context.Context, id string) error {
	if h.Publisher == nil {
		return nil
	}
	published, err := h.Publisher.Republish(ctx)
	if err != nil {
		return fmt.Errorf("republish without %s: %w", id, err)
	}
	if published {
		h.Logger.Info("catalog republished", "media", id, "reason", "hidden by tagging")
	}
	return nil
}

// tag decides a processed item's talk and speakers and stores the decision;
// the caller makes the bytes match it (catalog.SyncRenditions). It returns
// the item's status after the decision.
func (h *Handlers) tag(ctx context.Context, id string) (catalog.Status, error) {
	return h.tagWith(ctx, id, nil, false)
}

// tagWith is tag with the faces found in the item (found: nil when they
// were not looked at), recognised against the speakers' known faces. With
// hideOnly, the decision is stored only when it hides the item or takes a
// public one out of the public catalog (its faces task decides the rest).
func (h *Handlers) tagWith(ctx context.Context, id string, found *[]*face.Descriptor, hideOnly bool) (catalog.Status, error) {
	sched, err := h.Store.Schedule(ctx)
	if err != nil {
		return "", err
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
		return "", err
	}
	m, err := h.Store.Media(ctx, id)
	if err != nil {
		return "", err
	}
	var offset time.Duration
	if m.Camera != "" {
		cam, err := h.Store.Camera(ctx, m.Camera)
		switch {
		case err == nil:
			offset = cam.Offset
		case !catalog.IsNotFound(err):
			return "", err
		}
	} else if m.HasOffset {
		offset = m.ClockOffset
	}
	var faces *match.Faces
	if found != nil {
		if faces, err = h.knownFaces(ctx, *found); err != nil {
			return "", err
		}
	}
	var status catalog.Status
	err = h.Store.UpdateMedia(ctx, id, func(m *catalog.Media) error {
		c := *m
		Decide(&c, idx, offset, optouts, faces)
		if hideOnly && c.Status != catalog.Hidden && (c.Status.Public() || !m.Status.Public()) {
			status = m.Status
			return errUnchanged
		}
		*m = c
		status = m.Status
		return nil
	})
	if errors.Is(err, errUnchanged) {
		err = nil
	}
	return status, err
}

// Decide sets m's corrected capture time, and moves it through the
// lifecycle (catalog.Processed for a pending item, catalog.Retagged for a
// processed one) by what tagging decides from its stored metadata, the
// schedule index (nil when no schedule is imported), its camera's clock
// offset, the people who opted out of photos (match.OptedOut) and, for a
// photo, the faces found in it (nil: not looked at; see match.TagPhoto),
// which also set its Recognized. Hidden and failed items keep their
// status; an item a person decided keeps its talks and speakers unless its
// talk left the schedule. An item with no status yet is taken as pending.
func Decide(m *catalog.Media, idx *match.Index, offset time.Duration, optouts []catalog.OptOut, faces *match.Faces) {
	if m.Status == catalog.Hidden || m.Status == catalog.Failed {
		return
	}
	if m.Kind != catalog.Photo {
		faces = nil
	}
	if faces != nil {
		f := *faces
		f.OptOuts = optouts // the one list of opt-outs tagging uses
		faces = &f
		m.Recognized = faces.Recognize().Speakers
	}
	if m.Status == "" {
		m.Status = catalog.Pending
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
	d, ok := decide(m, idx, optouts, faces)
	if !ok {
		return // a person's decision stands
	}
	ev := catalog.Retagged(d)
	if m.Status == catalog.Pending {
		ev = catalog.Processed(d)
	}
	// Hidden and failed items returned above, so the event is legal.
	_ = catalog.Apply(m, ev)
}

// decide is what tagging makes of m, or false when a person's decision
// about m stands as it is.
func decide(m *catalog.Media, idx *match.Index, optouts []catalog.OptOut, faces *match.Faces) (catalog.Decision, bool) {
	people := append(append([]string(nil), m.People...), m.Subjects...)
	var shown []string
	if m.Decided {
		shown = m.SpeakerIDs
	}
	if who := match.OptedOut(people, shown, optouts); who != "" {
		return catalog.Decision{Status: catalog.Hidden, Reason: who + " opted out of photos",
			TalkIDs: m.TalkIDs, SpeakerIDs: m.SpeakerIDs, Candidates: m.Candidates}, true
	}
	if m.Decided {
		if idx != nil {
			for _, t := range m.TalkIDs {
				if !idx.HasTalk(t) {
					return catalog.Decision{Status: catalog.NeedsReview, Reason: "talk " + t + " left the schedule"}, true
				}
			}
		}
		return catalog.Decision{}, false
	}
	if m.Rating < 0 {
		return catalog.Decision{Status: catalog.Hidden, Reason: "rejected by photographer"}, true
	}
	if idx == nil {
		return catalog.Decision{Status: catalog.NeedsReview, Reason: "no schedule imported"}, true
	}
	var md match.Decision
	switch m.Kind {
	case catalog.Headshot:
		md = idx.TagHeadshot(match.HeadshotInput{Speaker: m.SpeakerHint, People: m.People, FileName: m.SourceName})
	default:
		md = idx.TagPhoto(match.PhotoInput{Room: m.Room, Taken: m.TakenAt, People: people, Faces: faces})
	}
	d := catalog.Decision{Status: md.Status, Reason: md.Reason, TalkIDs: md.TalkIDs, SpeakerIDs: md.SpeakerIDs, Candidates: md.Candidates}
	if who := match.OptedOut(nil, d.SpeakerIDs, optouts); who != "" {
		d.Status, d.Reason = catalog.Hidden, who+" opted out of photos"
	}
	return d, true
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
			return catalog.MatchRecording(r, catalog.RecordingDecision{Reason: "no schedule imported"})
		}
		d := idx.MatchRecording(*r)
		return catalog.MatchRecording(r, catalog.RecordingDecision{TalkID: d.TalkID, Reason: d.Reason, Candidates: d.Candidates})
	})
	if errors.Is(err, errStale) || catalog.IsNotFound(err) {
		return nil
	}
	return err
}

var errStale = errors.New("a newer generation is queued")
