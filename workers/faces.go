package workers

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"io"
	"math"
	"time"

	"github.com/confmedia/confmedia/catalog"
	"github.com/confmedia/confmedia/pipeline/face"
	"github.com/confmedia/confmedia/pipeline/rendition"
	"github.com/hibiken/asynq"
)

// FaceFinder finds the faces in an image, largest first (pipeline/face's
// Model).
type FaceFinder interface {
	Find(ctx context.Context, img image.Image, opt face.Options) ([]face.Face, error)
}

// Enqueuer queues the tasks a handler leaves for later (Queue).
type Enqueuer interface {
	EnqueueFaces(ctx context.Context, id string, gen int) error
}

// maxLargeBytes bounds the large rendition read back to find faces in.
const maxLargeBytes = 64 << 20

// errNoFaces marks why faces could not be looked for in an item: it keeps
// the squares it has, and is decided without faces.
var errNoFaces = errors.New("faces not looked for")

// decidesAfterFaces reports whether the faces task, not ProcessMedia or
// TagMedia, decides item m: with recognition on, an event photo stays
// pending after rendering until its faces were checked (against opted-out
// people), and a re-tag of a processed one goes through its faces task
// again, so that its face-based speakers and reviews hold. Not without a
// finder and a queue for the task: nothing would decide it.
func (h *Handlers) decidesAfterFaces(m *catalog.Media) bool {
	return h.Recognition && h.Faces != nil && h.Queue != nil && m.Kind == catalog.Photo
}

// FindFaces finds the faces in a rendered item's large rendition (its staff
// copy), stores their boxes on the item (Media.Faces, in its display
// pixels), cuts its square renditions again around them and publishes them
// if the item is public (catalog.ReplacedRenditions). With recognition on
// it hands the faces to recognition and decides a pending event photo.
//
// An item that cannot be looked at (no large rendition, one that does not
// decode, a finder error) keeps its squares and, when it is pending for
// this task, is decided without faces: never left pending. So is one whose
// errors outlast the task's retries. Store and bucket errors are retried.
func (h *Handlers) FindFaces(ctx context.Context, t *asynq.Task) error {
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
	if m.Generation != p.Generation || m.Status == catalog.Failed || m.Status == catalog.Hidden || len(m.Renditions) == 0 {
		return nil // processed again since, or its renditions are gone
	}
	log := h.Logger.With("media", m.ID, "file", m.SourceName)
	decides := h.decidesAfterFaces(m)

	var faces []face.Face
	if h.Faces == nil {
		err = fmt.Errorf("%w: no face finder", errNoFaces)
	} else {
		start := time.Now()
		faces, err = h.findFaces(ctx, m)
		noteFaces(ctx, time.Since(start), len(faces), err == nil)
	}
	if errors.Is(err, errStale) {
		// Hidden or processed again meanwhile: its bytes follow its
		// status, and a new processing queues its own faces task.
		return catalog.SyncRenditions(ctx, h.Store, h.Blobs, m.ID)
	}
	if err != nil {
		retried, ok1 := asynq.GetRetryCount(ctx)
		most, ok2 := asynq.GetMaxRetry(ctx)
		lastTry := ok1 && ok2 && retried >= most
		if !errors.Is(err, errNoFaces) && !lastTry {
			return err
		}
		log.Warn("faces not found: the item keeps its squares", "reason", err)
		faces = nil
		if !decides {
			return nil
		}
	}
	if h.Recognition {
		// Recognition (workers/recognize.go) stores a headshot's
		// descriptor and decides a pending event photo with its faces.
		if err := h.recognize(ctx, m, faces, err == nil); err != nil {
			return err
		}
	}
	return catalog.SyncRenditions(ctx, h.Store, h.Blobs, m.ID)
}

// recognize hands the faces found in m to recognition (looked: they were
// looked for, and faces holds them, each with its Descriptor; else they
// could not be): a tagged headshot's largest face becomes its speaker's
// known face (LearnHeadshot), after which the photos decided before it was
// known are looked at again (LookAgain); an event photo the faces task
// decides (decidesAfterFaces: pending, or queued by a re-tag) is decided
// with its faces (RecognizePhoto), or by today's rule when they could not
// be looked for (DecideWithoutFaces). The caller then publishes by the new
// status.
func (h *Handlers) recognize(ctx context.Context, m *catalog.Media, faces []face.Face, looked bool) error {
	var err error
	switch {
	case m.Kind == catalog.Headshot && looked:
		var stored bool
		if stored, err = h.LearnHeadshot(ctx, m.ID, faces); err == nil && stored && len(m.SpeakerIDs) == 1 {
			_, err = h.LookAgain(ctx, m.SpeakerIDs[0])
		}
	case !h.decidesAfterFaces(m):
	case looked:
		_, err = h.RecognizePhoto(ctx, m.ID, faces)
	default:
		_, err = h.DecideWithoutFaces(ctx, m.ID)
	}
	return err
}

// facesOf reads and decodes m's large rendition (its staff copy, which may
// be there before m lists it) and finds its faces, described when describe
// is set. The caller closes the rendition returned with the faces. Errors
// wrapping errNoFaces are for good; others are to be retried.
func (h *Handlers) facesOf(ctx context.Context, m *catalog.Media, describe bool) ([]face.Face, *rendition.Large, error) {
	data, err := h.readRendition(ctx, m, "large")
	if err != nil {
		return nil, nil, err
	}
	large, err := rendition.DecodeLarge(ctx, data)
	if err != nil {
		if ctx.Err() != nil {
			return nil, nil, err
		}
		return nil, nil, fmt.Errorf("%w: %w", errNoFaces, err)
	}
	faces, err := h.Faces.Find(ctx, large.Image(), face.Options{Describe: describe})
	if err != nil {
		large.Close()
		if ctx.Err() != nil {
			return nil, nil, err
		}
		return nil, nil, fmt.Errorf("%w: finding faces in %s: %w", errNoFaces, m.SourceName, err)
	}
	return faces, large, nil
}

// findFaces finds m's faces (facesOf), stores their boxes and cuts m's
// squares again around them.
func (h *Handlers) findFaces(ctx context.Context, m *catalog.Media) ([]face.Face, error) {
	if _, ok := m.Rendition("large"); !ok {
		return nil, fmt.Errorf("%w: %s has no large rendition", errNoFaces, m.SourceName)
	}
	faces, large, err := h.facesOf(ctx, m, h.Recognition)
	if err != nil {
		return nil, err
	}
	defer large.Close()

	// Boxes in the item's display pixels: the large rendition is the
	// whole image, scaled.
	lb := large.Bounds()
	w, h2 := m.Width, m.Height
	if w <= 0 || h2 <= 0 {
		w, h2 = lb.Dx(), lb.Dy()
	}
	sx, sy := float64(w)/float64(lb.Dx()), float64(h2)/float64(lb.Dy())
	pt := func(p image.Point) image.Point {
		return image.Pt(int(math.Round(float64(p.X)*sx)), int(math.Round(float64(p.Y)*sy)))
	}
	boxes := make([]catalog.FaceBox, 0, len(faces))
	framed := make([]rendition.Face, 0, len(faces))
	for _, f := range faces {
		r := image.Rectangle{Min: pt(f.Box.Min), Max: pt(f.Box.Max)}.Canon()
		if r.Empty() {
			continue
		}
		boxes = append(boxes, catalog.FaceBox{X: r.Min.X, Y: r.Min.Y, W: r.Dx(), H: r.Dy(), Score: f.Score})
		rf := rendition.Face{Box: r}
		if l, rr, ok := f.Eyes(); ok {
			rf.Eyes = pt(image.Pt((l.X+rr.X)/2, (l.Y+rr.Y)/2))
		}
		framed = append(framed, rf)
	}

	// The squares, cut again when there is a face to frame (without one
	// they are what Render made).
	var cut []rendition.Output
	if len(framed) > 0 {
		opts := h.renderOptions(m)
		var specs []rendition.Spec
		for _, s := range opts.Specs {
			if _, ok := m.Rendition(s.Name); ok && s.Square {
				specs = append(specs, s)
			}
		}
		opts.Artist, opts.Copyright = m.Artist, m.Copyright
		if cut, err = large.Squares(ctx, w, h2, framed, specs, opts); err != nil {
			if ctx.Err() != nil {
				return nil, err
			}
			return nil, fmt.Errorf("%w: cutting the squares of %s: %w", errNoFaces, m.SourceName, err)
		}
	}
	for _, out := range cut {
		if err := h.Blobs.Put(ctx, catalog.StaffRenditionKey(m.ID, out.Name), bytes.NewReader(out.Data), int64(len(out.Data)), "image/jpeg"); err != nil {
			return nil, err
		}
	}
	err = h.Store.UpdateMedia(ctx, m.ID, func(cur *catalog.Media) error {
		if cur.Generation != m.Generation || cur.Status == catalog.Failed || cur.Status == catalog.Hidden {
			return errStale
		}
		cur.Faces = boxes
		for _, out := range cut {
			for i := range cur.Renditions {
				if r := &cur.Renditions[i]; r.Name == out.Name {
					r.Width, r.Height, r.Bytes = out.Width, out.Height, int64(len(out.Data))
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, err // errStale included
	}
	names := make([]string, len(cut))
	for i, out := range cut {
		names[i] = out.Name
	}
	if err := catalog.ReplacedRenditions(ctx, h.Store, h.Blobs, m.ID, names); err != nil {
		return nil, err
	}
	return faces, nil
}

// renderOptions returns the rendition options of item m: h.Render with the
// renditions table of its kind.
func (h *Handlers) renderOptions(m *catalog.Media) rendition.Options {
	opts := h.Render
	if m.Kind == catalog.Headshot {
		opts.Specs = rendition.Headshot
	}
	if opts.Specs == nil {
		opts.Specs = rendition.Standard
	}
	return opts
}

// readRendition reads the staff copy of m's rendition name. A missing one
// is for good (errNoFaces); other errors are retried.
func (h *Handlers) readRendition(ctx context.Context, m *catalog.Media, name string) ([]byte, error) {
	key := catalog.StaffRenditionKey(m.ID, name)
	rc, _, err := h.Blobs.Get(ctx, key)
	if catalog.IsNotFound(err) {
		return nil, fmt.Errorf("%w: the %s rendition of %s is missing: %w", errNoFaces, name, m.SourceName, err)
	}
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, maxLargeBytes+1))
	if err != nil {
		return nil, catalog.E(catalog.Unavailable, "workers.readRendition", err, "cannot read the %s rendition of %s", name, m.SourceName)
	}
	if len(data) > maxLargeBytes {
		return nil, fmt.Errorf("%w: the %s rendition of %s is over %d bytes", errNoFaces, name, m.SourceName, maxLargeBytes)
	}
	return data, nil
}
