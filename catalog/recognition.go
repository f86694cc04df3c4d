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
// of their own headshots. It is usable only while that headshot is Tagged
// with that speaker (DescriptorUsable): the store deletes it in the same
// transaction that deletes the headshot or moves it out of that state
// (hidden, failed, reclassified, re-tagged to another or no speaker), so
// that no caller can forget to.

// FaceVector is the 128 numbers that describe a face (the values of
// pipeline/face.Descriptor, which the catalog does not import).
type FaceVector [128]float32

// KnownFace is a speaker's face as one of their tagged headshots shows it.
type KnownFace struct {
	MediaID   string // the headshot
	SpeakerID string
	Vector    FaceVector
}

// DescriptorStore keeps the face descriptors of speakers' headshots.
type DescriptorStore interface {
	// PutFaceDescriptor stores v as the face of speakerID that headshot
	// mediaID shows, replacing what was stored for mediaID. A missing item
	// is NotFound; an item that is not a headshot Tagged with speakerID
	// (DescriptorUsable) is a Conflict error, and nothing is stored.
	PutFaceDescriptor(ctx context.Context, mediaID, speakerID string, v FaceVector) error
	// FaceDescriptors returns the usable descriptors (DescriptorUsable),
	// ordered by speaker id, then media id.
	FaceDescriptors(ctx context.Context) ([]KnownFace, error)
	// DeleteFaceDescriptors removes every descriptor (recognition turned
	// off for good: `confmedia faces forget`) and reports how many there
	// were.
	DeleteFaceDescriptors(ctx context.Context) (int, error)
}

// DescriptorUsable reports whether a descriptor of speakerID taken from
// item m may be kept and used: m is a headshot Tagged with that speaker.
// Both stores apply it on every write of m; it is the one rule of when a
// descriptor exists.
func DescriptorUsable(m *Media, speakerID string) bool {
	return m != nil && m.Kind == Headshot && m.Status == Tagged && speakerID != "" &&
		slices.Contains(m.SpeakerIDs, speakerID)
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
