package match

import (
	"fmt"
	"slices"

	"github.com/confmedia/confmedia/catalog"
	"github.com/confmedia/confmedia/pipeline/face"
)

// KnownFace is a speaker's face as one of their own tagged headshots shows
// it. A speaker may have several (one per headshot).
type KnownFace struct {
	SpeakerID  string
	Descriptor *face.Descriptor
	// Protects says the speaker opted out of photos
	// (catalog.DescriptorProtects): a face recognised as them sends the
	// photo to review, and never names them (not in SpeakerIDs by face,
	// not in Recognized).
	Protects bool
}

// Faces is what face recognition found in a photo (CONFMEDIA_FACE_RECOGNITION).
type Faces struct {
	// Found are the descriptors of the faces found in the photo, one per
	// face; empty when faces were looked for and none was found. (A nil
	// *Faces, not an empty Found, says they were not looked for.)
	Found []*face.Descriptor
	// Known are the speakers' faces, from their headshots.
	Known []KnownFace
	// OptOuts are the people who asked not to appear in photos: a face
	// that looks like one of them (by their SpeakerID) sends the photo to
	// review.
	OptOuts []catalog.OptOut
}

// Recognition is which speakers a photo's faces are.
type Recognition struct {
	// Faces is how many faces were found.
	Faces int
	// Speakers are the speakers some face was recognised as, sorted.
	Speakers []string
	// Protected are the speakers who opted out of photos some face looks
	// like, sorted: never named, only reviewed.
	Protected []string
	// Unmatched is how many faces were recognised as no known speaker.
	Unmatched int
	// known are the speakers with a descriptor.
	known map[string]bool
	// optedOut are the speakers an opt-out names: faces never rule them
	// out of a talk's speakers.
	optedOut map[string]bool
}

// Recognize gives each face found to the speaker of its nearest known
// descriptor, when that is nearer than face.Threshold; else the face is
// unmatched. A face counts for one speaker at most (the nearest; on a
// tie, the smaller id), so one face never names two people. A face whose
// nearest known face protects its speaker (KnownFace.Protects, or an
// opt-out in OptOuts names them) goes to Protected, not Speakers.
func (f *Faces) Recognize() Recognition {
	r := Recognition{Faces: len(f.Found), known: map[string]bool{}, optedOut: map[string]bool{}}
	protects := map[string]bool{}
	for _, o := range f.OptOuts {
		if o.SpeakerID != "" {
			r.optedOut[o.SpeakerID] = true
		}
	}
	for _, k := range f.Known {
		if k.Descriptor != nil && k.SpeakerID != "" {
			r.known[k.SpeakerID] = true
			if k.Protects || r.optedOut[k.SpeakerID] {
				protects[k.SpeakerID] = true
			}
		}
	}
	for _, d := range f.Found {
		best, bestDist := "", face.Threshold
		for _, k := range f.Known {
			if d == nil || k.Descriptor == nil || k.SpeakerID == "" {
				continue
			}
			dist := face.Distance(d, k.Descriptor)
			if dist < bestDist || (dist == bestDist && best != "" && k.SpeakerID < best) {
				best, bestDist = k.SpeakerID, dist
			}
		}
		switch {
		case best == "":
			r.Unmatched++
		case protects[best]:
			r.Protected = append(r.Protected, best)
		default:
			r.Speakers = append(r.Speakers, best)
		}
	}
	slices.Sort(r.Speakers)
	r.Speakers = slices.Compact(r.Speakers)
	slices.Sort(r.Protected)
	r.Protected = slices.Compact(r.Protected)
	return r
}

// speakersOf returns the speakers of a talk (ids) that the faces show: the
// ones recognised, and, when some face was recognised as no known speaker,
// the ones without a known face too (their face cannot rule them out).
// A speaker who opted out of photos is never ruled out by faces: the photo
// of their talk is hidden as it is without recognition, which therefore
// never publishes a photo that would not be published without it.
func (r Recognition) speakersOf(ids []string) []string {
	var out []string
	for _, id := range ids {
		if slices.Contains(r.Speakers, id) || r.optedOut[id] || (!r.known[id] && r.Unmatched > 0) {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// reason says what the faces made of a talk's speakers.
func (r Recognition) reason(talkSpeakers, shown []string) string {
	switch {
	case len(talkSpeakers) == 0:
		return ""
	case len(shown) == 0:
		return fmt.Sprintf("%s found, none of them the talk's speakers", plural(r.Faces, "face"))
	case len(shown) == len(talkSpeakers):
		return ""
	}
	return fmt.Sprintf("recognised %d of the talk's %s by face", len(shown), plural(len(talkSpeakers), "speaker"))
}

// optedOutFace is the decision's review reason when a face looks like
// someone who opted out of photos (OptedOut, by their speaker id), or "".
func optedOutFace(r Recognition, optouts []catalog.OptOut) string {
	if who := OptedOut(nil, append(slices.Clone(r.Protected), r.Speakers...), optouts); who != "" {
		return "a face looks like " + who + ", who opted out of photos"
	}
	return ""
}

// withFaces applies what the faces show to photo decision d: the speakers
// recognised, and a review when a face looks like someone who opted out.
func withFaces(d Decision, r Recognition, optouts []catalog.OptOut) Decision {
	d.Recognized = r.Speakers
	if why := optedOutFace(r, optouts); why != "" {
		d.Status, d.Reason = catalog.NeedsReview, why
		if len(d.Candidates) == 0 {
			d.Candidates = slices.Clone(d.TalkIDs)
		}
	}
	return d
}
