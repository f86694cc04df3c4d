package workers

import (
	"context"
	"errors"
	"slices"

	"github.com/confmedia/confmedia/catalog"
	"github.com/confmedia/confmedia/pipeline/face"
	"github.com/confmedia/confmedia/pipeline/match"
)

// Speaker recognition (CONFMEDIA_FACE_RECOGNITION=true). The faces task
// finds the faces of an item (face.Model.Find with Options.Describe) and,
// with recognition on, calls LearnHeadshot for a headshot and
// RecognizePhoto for an event photo; when it cannot look at a photo's
// faces for good it calls DecideWithoutFaces, so that no photo is left
// undecided. With recognition off it calls none of them.

// LearnHeadshot stores, for a headshot of one speaker, the descriptor of
// its largest face (faces as Find returns them, described) as that
// speaker's known face, if catalog.DescriptorUse keeps it: the headshot
// Tagged, or hidden by the speaker's opt-out (the descriptor then only
// protects them). A headshot with no described face, or not of one speaker
// (any more), stores nothing, which is logged; the store refuses a
// headshot the rule does not keep, which is no error either. stored says
// whether a descriptor was stored: the caller may then look again at
// photos decided before it was known (LookAgain).
func (h *Handlers) LearnHeadshot(ctx context.Context, id string, faces []face.Face) (stored bool, err error) {
	m, err := h.Store.Media(ctx, id)
	if catalog.IsNotFound(err) {
		return false, nil // deleted meanwhile
	}
	if err != nil {
		return false, err
	}
	log := h.Logger.With("media", m.ID, "file", m.SourceName)
	if m.Kind != catalog.Headshot || (m.Status != catalog.Tagged && m.Status != catalog.Hidden) || len(m.SpeakerIDs) != 1 {
		log.Debug("no face descriptor: not a headshot of one speaker", "kind", m.Kind, "status", m.Status)
		return false, nil
	}
	speaker := m.SpeakerIDs[0]
	best := largestDescribed(faces)
	if best == nil {
		log.Info("no face descriptor: no face found in the headshot", "speaker", speaker, "faces", len(faces))
		return false, nil
	}
	err = h.Store.PutFaceDescriptor(ctx, m.ID, speaker, catalog.FaceVector(*best.Descriptor))
	if catalog.ErrorKind(err) == catalog.Conflict || catalog.IsNotFound(err) {
		log.Debug("no face descriptor: the headshot changed meanwhile", "err", err)
		return false, nil
	}
	if err != nil {
		return false, err
	}
	log.Info("face descriptor stored", "speaker", speaker)
	return true, nil
}

// largestDescribed returns the face of faces with the largest box that has
// a descriptor, or nil.
func largestDescribed(faces []face.Face) *face.Face {
	var best *face.Face
	for i := range faces {
		f := &faces[i]
		if f.Descriptor == nil {
			continue
		}
		if best == nil || area(f) > area(best) {
			best = f
		}
	}
	return best
}

func area(f *face.Face) int { return f.Box.Dx() * f.Box.Dy() }

// RecognizePhoto decides event photo id (pending or processed) with the
// faces found in it (as Find returns them, described; none found is an
// empty list) recognised against the speakers' known faces: the one
// tagging path (Decide, match.TagPhoto) with faces as one more input. It
// then makes the public bytes follow the decision (catalog.SyncRenditions)
// and republishes the catalog when the photo left it: call it after the
// photo's renditions are stored. Faces without a descriptor are not
// counted. It returns the photo's status after the decision.
func (h *Handlers) RecognizePhoto(ctx context.Context, id string, faces []face.Face) (catalog.Status, error) {
	found := []*face.Descriptor{}
	for _, f := range faces {
		if f.Descriptor != nil {
			found = append(found, f.Descriptor)
		}
	}
	if len(found) < len(faces) {
		h.Logger.Warn("faces without a descriptor are not recognised", "media", id, "faces", len(faces), "described", len(found))
	}
	return h.decidePhoto(ctx, id, &found)
}

// DecideWithoutFaces decides photo id by today's rule, its faces not
// looked at (the faces task failed for good: no models, undecodable
// rendition), then makes its bytes follow the decision as RecognizePhoto
// does.
func (h *Handlers) DecideWithoutFaces(ctx context.Context, id string) (catalog.Status, error) {
	return h.decidePhoto(ctx, id, nil)
}

func (h *Handlers) decidePhoto(ctx context.Context, id string, found *[]*face.Descriptor) (catalog.Status, error) {
	m, err := h.Store.Media(ctx, id)
	if catalog.IsNotFound(err) {
		return "", nil // deleted meanwhile
	}
	if err != nil {
		return "", err
	}
	wasPublic := m.Status.Public()
	status, err := h.tagWith(ctx, id, found, false)
	if err != nil {
		return "", err
	}
	if err := catalog.SyncRenditions(ctx, h.Store, h.Blobs, id); err != nil {
		return "", err
	}
	if wasPublic && !status.Public() {
		return status, h.republish(ctx, id)
	}
	return status, nil
}

// knownFaces is the input of match.TagPhoto for the faces found, with the
// speakers' known faces from the store (Decide adds the opt-outs).
func (h *Handlers) knownFaces(ctx context.Context, found []*face.Descriptor) (*match.Faces, error) {
	known, err := h.Store.FaceDescriptors(ctx)
	if err != nil {
		return nil, err
	}
	faces := &match.Faces{Found: found, Known: make([]match.KnownFace, len(known))}
	for i, k := range known {
		d := face.Descriptor(k.Vector)
		faces.Known[i] = match.KnownFace{SpeakerID: k.SpeakerID, Descriptor: &d, Protects: k.Protects}
	}
	return faces, nil
}

// LookAgain queues the faces task again, at a new generation
// (catalog.Retag), for every processed event photo of the talks of speaker
// id, after a descriptor of the speaker became known: photos decided before
// it was are recognised with it (RecognizePhoto). Pending photos need not
// be: their faces task reads the descriptors when it runs. It does nothing
// unless the faces task decides photos (Recognition, Faces and Queue
// set), and returns how many photos it queued.
func (h *Handlers) LookAgain(ctx context.Context, id string) (int, error) {
	if !h.decidesAfterFaces(&catalog.Media{Kind: catalog.Photo}) || id == "" {
		return 0, nil
	}
	sched, err := h.Store.Schedule(ctx)
	if err != nil {
		return 0, err
	}
	seen, n := map[string]bool{}, 0
	for _, t := range sched.Talks {
		if !slices.Contains(t.SpeakerIDs, id) {
			continue
		}
		photos, err := h.Store.ListMedia(ctx, catalog.MediaFilter{TalkID: t.ID, Kind: catalog.Photo,
			Status: []catalog.Status{catalog.Tagged, catalog.Untagged, catalog.NeedsReview}})
		if err != nil {
			return n, err
		}
		for _, p := range photos {
			if seen[p.ID] {
				continue
			}
			seen[p.ID] = true
			var gen int
			err := h.Store.UpdateMedia(ctx, p.ID, func(m *catalog.Media) error {
				if err := catalog.Apply(m, catalog.Retag()); err != nil {
					return err
				}
				gen = m.Generation
				return nil
			})
			if catalog.ErrorKind(err) == catalog.Conflict || catalog.IsNotFound(err) {
				continue // hidden, failed or deleted since it was listed
			}
			if err != nil {
				return n, err
			}
			if err := h.Queue.EnqueueFaces(ctx, p.ID, gen); err != nil {
				return n, err
			}
			n++
		}
	}
	if n > 0 {
		h.Logger.Info("photos queued to be recognised again", "speaker", id, "photos", n)
	}
	return n, nil
}

// protectHeadshot describes headshot id when tagging has just hidden it for
// its speaker's opt-out and no descriptor of it is stored: its faces task
// would find it hidden and its renditions gone, and the descriptor is
// kept to protect the speaker (catalog.DescriptorProtects). Call it after
// the decision is stored and before the bytes follow it
// (catalog.SyncRenditions), while its staff renditions still exist. It
// does nothing without recognition; a rendition gone already, or that does
// not decode, is logged, not retried.
func (h *Handlers) protectHeadshot(ctx context.Context, id string) error {
	if !h.Recognition || h.Faces == nil {
		return nil
	}
	m, err := h.Store.Media(ctx, id)
	if catalog.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	if m.Kind != catalog.Headshot || m.Status != catalog.Hidden || len(m.SpeakerIDs) != 1 {
		return nil
	}
	optouts, err := h.Store.OptOuts(ctx)
	if err != nil {
		return err
	}
	speaker := m.SpeakerIDs[0]
	if catalog.DescriptorUse(m, speaker, catalog.SpeakerOptedOut(optouts, speaker)) != catalog.DescriptorProtects {
		return nil
	}
	known, err := h.Store.FaceDescriptors(ctx)
	if err != nil {
		return err
	}
	if slices.ContainsFunc(known, func(k catalog.KnownFace) bool { return k.MediaID == id }) {
		return nil
	}
	faces, err := h.describe(ctx, m)
	if errors.Is(err, errNoFaces) {
		h.Logger.Warn("no face descriptor to protect an opted-out speaker", "media", id, "speaker", speaker, "reason", err)
		return nil
	}
	if err != nil {
		return err
	}
	_, err = h.LearnHeadshot(ctx, id, faces)
	return err
}

// describe finds and describes the faces of m's large rendition (its staff
// copy), without storing anything. Errors wrapping errNoFaces are for good.
func (h *Handlers) describe(ctx context.Context, m *catalog.Media) ([]face.Face, error) {
	faces, large, err := h.facesOf(ctx, m, true)
	if err != nil {
		return nil, err
	}
	large.Close()
	return faces, nil
}
