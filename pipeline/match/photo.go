package match

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/confmedia/confmedia/catalog"
)

// The windows around a talk in which a photo taken in its room still
// belongs to it: people settle in before it starts and linger after it ends.
const (
	BeforeStart = 10 * time.Minute
	AfterEnd    = 5 * time.Minute
)

// Decision is what a media item is tagged with.
type Decision struct {
	Status     catalog.Status // Tagged, Untagged or NeedsReview
	Reason     string         // why, for people; empty when Tagged plainly
	TalkIDs    []string       // sorted
	SpeakerIDs []string       // sorted
	Candidates []string       // talk or speaker ids a reviewer can choose from, sorted
	// Recognized are the speakers (of any talk) a face was recognised as,
	// sorted; nil when none was, or faces were not looked at.
	Recognized []string
}

// PhotoInput is what is known about an event photo.
type PhotoInput struct {
	Room   string    // as given at upload; "" when unknown
	Taken  time.Time // corrected capture time; zero when unknown
	People []string  // people tags and keywords; only exact speaker names count
	// Faces is what face recognition found; nil when it is off or the
	// photo's faces could not be looked at.
	Faces *Faces
}

// TagPhoto decides which talk a photo shows.
//
// With a room, the photo belongs to the talk in that room (rooms compared
// folded) whose [start, end) holds Taken. When none is running there, it
// belongs to a talk starting within BeforeStart, else to one that ended
// within AfterEnd; when both windows hold Taken the coming talk wins, since
// the photo was taken after the previous talk had ended. With no talk in the
// room then, the photo is Untagged ("no talk in Liffey A at 12:03 on
// 2022-07-14"); a room the schedule does not know is Untagged too.
//
// Without a room, the talks that the same rule gives for any room are
// considered. If exactly one of them has a speaker named in People, the
// photo shows that talk. If several do, or none does, the photo NeedsReview
// with those talks as Candidates (even when only one talk is running, for
// the photo may not have been taken in its room). With no talk running it is
// Untagged.
//
// A photo without a capture time NeedsReview with reason "no capture time".
// A photo taken outside the conference's days, with a day's margin either
// side (see DaysOff), NeedsReview whatever its room and people tags, with
// a reason that says how far off it is and how to correct the camera's
// clock: it was most likely taken with a clock that was never set, and is
// never published as a photo of the conference by itself.
// A tagged photo's SpeakerIDs are the talk's speakers named in People, or
// all its speakers when People names none of them.
//
// With Faces (recognition on), people tags naming the talk's speakers still
// decide; else, when faces were found, SpeakerIDs are the talk's speakers
// recognised in them (Faces.Recognize), plus, when some face is of no known
// speaker, the talk's speakers without a known face, who cannot be ruled
// out, and the talk's speakers who opted out of photos, whom faces never
// rule out; with no face found it is the rule above. Recognized lists every
// speaker recognised, of any talk, except those who opted out. A face that
// looks like a speaker who opted out of photos (OptedOut, by speaker id;
// KnownFace.Protects) sends the photo to review, whatever else was
// decided, with its talks as Candidates.
func (x *Index) TagPhoto(in PhotoInput) Decision {
	if in.Faces == nil {
		return x.tagPhoto(in, nil)
	}
	r := in.Faces.Recognize()
	return withFaces(x.tagPhoto(in, &r), r, in.Faces.OptOuts)
}

// tagPhoto is TagPhoto with the faces recognised, r (nil: not looked at).
func (x *Index) tagPhoto(in PhotoInput, r *Recognition) Decision {
	if in.Taken.IsZero() {
		return Decision{Status: catalog.NeedsReview, Reason: "no capture time"}
	}
	if off, out := x.DaysOff(in.Taken); out {
		return Decision{Status: catalog.NeedsReview, Reason: x.outsideReason(in.Taken, off)}
	}
	named := x.speakersNamed(in.People)
	at := in.Taken.In(x.zone).Format("15:04 on 2006-01-02")
	if strings.TrimSpace(in.Room) != "" {
		room := strings.Join(strings.Fields(in.Room), " ")
		canon, ok := x.Room(room)
		if !ok {
			return Decision{Status: catalog.Untagged, Reason: fmt.Sprintf("no talk in %s at %s (the schedule has no such room)", room, at)}
		}
		talks := x.inRoomAt(Fold(canon), in.Taken)
		switch len(talks) {
		case 0:
			return Decision{Status: catalog.Untagged, Reason: fmt.Sprintf("no talk in %s at %s", canon, at)}
		case 1:
			return x.tagged(talks[0], named, r)
		}
		return Decision{Status: catalog.NeedsReview, Reason: fmt.Sprintf("%d talks overlap in %s at %s", len(talks), canon, at), Candidates: talkIDs(talks)}
	}
	var running, withNamed []*talk
	for _, room := range x.roomList {
		for _, k := range x.inRoomAt(Fold(room), in.Taken) {
			running = append(running, k)
			if hasAny(k.SpeakerIDs, named) {
				withNamed = append(withNamed, k)
			}
		}
	}
	switch {
	case len(withNamed) == 1:
		return x.tagged(withNamed[0], named, r)
	case len(withNamed) > 1:
		return Decision{Status: catalog.NeedsReview,
			Reason:     fmt.Sprintf("no room given and the people tags name speakers of %d talks running at %s", len(withNamed), at),
			Candidates: talkIDs(withNamed)}
	case len(running) == 0:
		return Decision{Status: catalog.Untagged, Reason: "no talk running at " + at}
	}
	return Decision{Status: catalog.NeedsReview,
		Reason:     fmt.Sprintf("no room given and no speaker named; %s running at %s", plural(len(running), "talk"), at),
		Candidates: talkIDs(running)}
}

// tagged is the decision for a photo of talk k whose people tags name the
// speakers named and whose faces are r (nil: not looked at).
func (x *Index) tagged(k *talk, named []string, r *Recognition) Decision {
	var sp []string
	for _, id := range k.SpeakerIDs {
		if slices.Contains(named, id) {
			sp = append(sp, id)
		}
	}
	var reason string
	switch {
	case len(sp) > 0:
	case r != nil && r.Faces > 0:
		sp = r.speakersOf(k.SpeakerIDs)
		reason = r.reason(k.SpeakerIDs, sp)
	default:
		sp = slices.Clone(k.SpeakerIDs)
	}
	slices.Sort(sp)
	return Decision{Status: catalog.Tagged, Reason: reason, TalkIDs: []string{k.ID}, SpeakerIDs: slices.Compact(sp)}
}

// inRoomAt returns the talks a photo taken at t in the room (folded) belongs
// to by time: those running, else the one starting within BeforeStart, else
// the one that ended within AfterEnd.
func (x *Index) inRoomAt(room string, t time.Time) []*talk {
	var running []*talk
	var coming, ended *talk
	for _, k := range x.talks {
		if !k.scheduled || k.room != room {
			continue
		}
		end := k.End
		if end.Before(k.Start) {
			end = k.Start
		}
		switch {
		case !t.Before(k.Start) && t.Before(end):
			running = append(running, k)
		case t.Before(k.Start) && !t.Before(k.Start.Add(-BeforeStart)):
			if coming == nil || k.Start.Before(coming.Start) {
				coming = k
			}
		case !t.Before(end) && !t.After(end.Add(AfterEnd)):
			if ended == nil || end.After(ended.End) {
				ended = k
			}
		}
	}
	switch {
	case len(running) > 0:
		return running
	case coming != nil:
		return []*talk{coming}
	case ended != nil:
		return []*talk{ended}
	}
	return nil
}

// hasAny reports whether ids and named share an element.
func hasAny(ids, named []string) bool {
	for _, id := range ids {
		if slices.Contains(named, id) {
			return true
		}
	}
	return false
}

// plural spells n things.
func plural(n int, thing string) string {
	if n == 1 {
		return "1 " + thing
	}
	return fmt.Sprintf("%s %ss", thousands(n), thing)
}
