package catalog

import (
	"context"
	"slices"
)

// Face recognition (CONFMEDIA_FACE_RECOGNITION, off by default) is
// biometric processing: what it keeps lives here and in the store, and
// never in the catalog document, the published JSON or any anonymous API.
//
// A speaker's face is known by the descriptor of the largest face of one
// of their own headshots. What a descriptor may be used for, and when it is
// deleted, is one rule (DescriptorUse), which the store applies in the same
// transaction as every write of the headshot and of the opt-outs, so that no
// caller can forget to: it recognises its speaker while the headshot is
// Tagged with them; once the speaker opted out of photos it only protects
// them (a photo showing that face goes to review), and is deleted when the
// headshot stops showing them (deleted, failed, reclassified, re-tagged to
// another or no speaker, or hidden while they have no opt-out).

// FaceVector is the 128 numbers that describe a face (the values of
// pipeline/face.Descriptor, which the catalog does not import).
type FaceVector [128]float32

// KnownFace is a speaker's face as one of their tagged headshots shows it.
type KnownFace struct {
	MediaID   string // the headshot
	SpeakerID string
	Vector    FaceVector
	// Protects says that the speaker opted out of photos: the descriptor
	// only sends photos showing that face to review (DescriptorProtects),
	// it never names them or lists photos of them.
	Protects bool
}

// DescriptorStore keeps the face descriptors of speakers' headshots.
type DescriptorStore interface {
	// PutFaceDescriptor stores v as the face of speakerID that headshot
	// mediaID shows, replacing what was stored for mediaID. A missing item
	// is NotFound; an item that is not a headshot Tagged with speakerID
	// (DescriptorUse gives DescriptorNone) is a Conflict error, and
	// nothing is stored.
	PutFaceDescriptor(ctx context.Context, mediaID, speakerID string, v FaceVector) error
	// FaceDescriptors returns the descriptors DescriptorUse keeps, each
	// with Protects set when it only protects, ordered by speaker id, then
	// media id.
	FaceDescriptors(ctx context.Context) ([]KnownFace, error)
	// DeleteFaceDescriptors removes every descriptor (recognition turned
	// off for good: `confmedia faces forget`) and reports how many there
	// were.
	DeleteFaceDescriptors(ctx context.Context) (int, error)
}

// DescriptorUsage is what a stored face descriptor may be used for.
type DescriptorUsage int

const (
	// DescriptorNone: the descriptor may not be kept; the store deletes it.
	DescriptorNone DescriptorUsage = iota
	// DescriptorRecognizes: it names its speaker in photos (speaker ids,
	// Recognized, "photos of you").
	DescriptorRecognizes
	// DescriptorProtects: its speaker opted out of photos; it only sends a
	// photo that shows the face to review ("a face looks like NAME, who
	// opted out of photos"), and never names them or lists photos of them.
	DescriptorProtects
)

// DescriptorUse is the one rule of when a descriptor of speakerID taken
// from item m exists and what it is for (optedOut: an opt-out names
// speakerID, catalog.OptOut.SpeakerID). m must be a headshot whose
// SpeakerIDs hold the speaker; then it recognises them while m is Tagged
// and they have no opt-out, and protects them while they have one and m
// is Tagged or Hidden (an opt-out hides its speaker's headshots). Else
// (deleted, pending, failed, in review, reclassified, re-tagged, or
// hidden without an opt-out, a takedown) it is DescriptorNone. Both
// stores apply it in every write of m and of the opt-outs.
func DescriptorUse(m *Media, speakerID string, optedOut bool) DescriptorUsage {
	if m == nil || m.Kind != Headshot || speakerID == "" || !slices.Contains(m.SpeakerIDs, speakerID) {
		return DescriptorNone
	}
	switch {
	case optedOut && (m.Status == Tagged || m.Status == Hidden):
		return DescriptorProtects
	case !optedOut && m.Status == Tagged:
		return DescriptorRecognizes
	}
	return DescriptorNone
}

// SpeakerOptedOut reports whether one of optouts names speaker id.
func SpeakerOptedOut(optouts []OptOut, id string) bool {
	return id != "" && slices.ContainsFunc(optouts, func(o OptOut) bool { return o.SpeakerID == id })
}

// ForgetFaces deletes every face descriptor and clears every item's
// Recognized: what turning recognition off for good leaves behind is
// nothing of it. It reports how many descriptors and items it cleared.
// The public catalog never held either, so nothing is republished.
func ForgetFaces(ctx context.Context, store interface {
	DescriptorStore
	MediaStore
}) (descriptors, items int, err error) {
	if descriptors, err = store.DeleteFaceDescriptors(ctx); err != nil {
		return 0, 0, err
	}
	var ids []string
	err = store.WalkMedia(ctx, MediaFilter{}, func(m *Media) error {
		if len(m.Recognized) > 0 {
			ids = append(ids, m.ID)
		}
		return nil
	})
	if err != nil {
		return descriptors, 0, err
	}
	for _, id := range ids {
		err := store.UpdateMedia(ctx, id, func(m *Media) error {
			m.Recognized = nil
			return nil
		})
		if err != nil && !IsNotFound(err) {
			return descriptors, items, err
		}
		if err == nil {
			items++
		}
	}
	return descriptors, items, nil
}
