package catalog

import (
	"context"
	"slices"
	"time"
)

// The media lifecycle. Every change of a media item's status goes through
// Apply, so that the rules live in one table:
//
//	from                               event        to
//	(new)                              Received     pending
//	pending                            Processed    tagged | untagged | needs_review | hidden
//	tagged | untagged | needs_review   Retag        (same), generation+1
//	tagged | untagged | needs_review   Retagged     tagged | untagged | needs_review | hidden
//	tagged | untagged | needs_review   Reviewed     tagged | untagged
//	pending | failed                   Failure      failed
//	any                                Hiding       hidden
//	pending | failed                   Retry        pending, generation+1
//	tagged | untagged | needs_review   Reclassify   pending, generation+1, new kind or speaker
//	  | failed
//
// Every transition leaves a Reason a person understands, except a
// person's own decision (Reviewed), which records who decided instead. Which bytes exist
// for each status is the other half of the lifecycle: see RenditionsFor.

// EventKind names a lifecycle event.
type EventKind string

// The events of the media lifecycle.
const (
	EventReceived  EventKind = "received"  // an upload was stored
	EventProcessed EventKind = "processed" // the worker decided a pending item
	EventRetag     EventKind = "retag"     // a re-tag was asked for (schedule, camera or opt-out change)
	EventRetagged  EventKind = "retagged"  // the worker decided a processed item again
	EventReviewed  EventKind = "reviewed"  // a person decided talks and speakers
	EventFailed    EventKind = "failed"    // the item cannot be processed
	EventHidden    EventKind = "hidden"    // taken down, by a person or a rule
	EventRetry     EventKind = "retry"     // processing starts over
	// EventReclassified: a person changed the item's kind or speaker.
	EventReclassified EventKind = "reclassified"
)

// Decision is what tagging (or a person) decided about a media item.
type Decision struct {
	Status     Status // Tagged, Untagged, NeedsReview or Hidden
	Reason     string // why; a default is used for Tagged and Untagged when empty
	TalkIDs    []string
	SpeakerIDs []string
	Candidates []string
}

// Event is something that happens to a media item. Build one with
// Received, Processed, Retag, Retagged, Reviewed, Failure, Hiding or Retry.
type Event struct {
	Kind     EventKind
	Decision Decision  // Processed, Retagged, Reviewed
	Reason   string    // Failure, Hiding
	By       string    // who: Reviewed, Hiding, Reclassify (empty: a rule, not a person)
	At       time.Time // when: Received, Reviewed, Hiding, Failure, Reclassify
	// MediaKind and Speaker are the new kind and speaker (the name a
	// headshot shows, "" for a photo) of Reclassify.
	MediaKind MediaKind
	Speaker   string
}

// Received is the event of an upload being stored at at.
func Received(at time.Time) Event { return Event{Kind: EventReceived, At: at} }

// Processed is the worker's first decision about a pending item.
func Processed(d Decision) Event { return Event{Kind: EventProcessed, Decision: d} }

// Retag asks for a processed item to be tagged again: it starts a new
// generation, so that older queued re-tags are dropped.
func Retag() Event { return Event{Kind: EventRetag} }

// Retagged is the worker's decision about an item it tagged before.
func Retagged(d Decision) Event { return Event{Kind: EventRetagged, Decision: d} }

// Reviewed is a person's decision (d.Status Tagged or Untagged) by by at at.
// It sticks: re-tagging keeps it unless its talk leaves the schedule.
func Reviewed(d Decision, by string, at time.Time) Event {
	return Event{Kind: EventReviewed, Decision: d, By: by, At: at}
}

// Failure ends a pending item failed with reason.
func Failure(reason string, at time.Time) Event {
	return Event{Kind: EventFailed, Reason: reason, At: at}
}

// Hiding takes an item down with reason, as a person's decision when by is
// set.
func Hiding(reason, by string, at time.Time) Event {
	return Event{Kind: EventHidden, Reason: reason, By: by, At: at}
}

// Retry starts processing a failed or pending item over, in a new
// generation.
func Retry() Event { return Event{Kind: EventRetry} }

// Reclassify is a person's (by's) decision at at that a processed or
// failed item is of kind, showing speaker when it is a headshot: the item
// is processed again from its original, in a new generation, as that kind
// (a headshot gets headshot renditions and is matched to speaker). What
// was decided about it before no longer holds.
func Reclassify(kind MediaKind, speaker, by string, at time.Time) Event {
	return Event{Kind: EventReclassified, MediaKind: kind, Speaker: speaker, By: by, At: at}
}

// Default reasons of the transitions.
const (
	ReasonReceived = "waiting to be processed"
	ReasonRetry    = "queued to be processed again"
	ReasonTagged   = "matched to the schedule"
	ReasonUntagged = "no talk or speaker matched"
	ReasonHidden   = "taken down on request"
	ReasonFailed   = "could not be processed"
)

// Apply moves m through the lifecycle by e, setting its status, reason,
// talks, speakers, candidates and decision marks, and dropping the
// renditions of an item that ends hidden. It changes nothing and returns a
// Conflict error when e cannot happen to an item in m's status (a pending
// item is reviewed, say), or an Invalid error when e itself is malformed (a
// decision to a status the event cannot reach). Both name the file.
func Apply(m *Media, e Event) error {
	const op = "catalog.Apply"
	illegal := func() error {
		what := string(m.Status)
		if m.Reason != "" {
			what += " (" + m.Reason + ")"
		}
		if m.Status == "" {
			what = "not stored yet"
		}
		return E(Conflict, op, nil, "%s is %s: it cannot be %s", m.SourceName, what, e.Kind)
	}
	from := m.Status
	in := func(ss ...Status) bool { return slices.Contains(ss, from) }
	processed := in(Tagged, Untagged, NeedsReview)
	d := e.Decision

	switch e.Kind {
	case EventReceived:
		if from != "" {
			return illegal()
		}
		m.Status, m.Reason, m.Generation = Pending, ReasonReceived, 1
		if !e.At.IsZero() {
			m.UploadedAt = e.At
		}
		return nil

	case EventProcessed, EventRetagged:
		if (e.Kind == EventProcessed && from != Pending) || (e.Kind == EventRetagged && !processed) {
			return illegal()
		}
		if !slices.Contains([]Status{Tagged, Untagged, NeedsReview, Hidden}, d.Status) {
			return E(Invalid, op, nil, "%s: tagging cannot make it %q", m.SourceName, d.Status)
		}
		m.Status, m.Reason = d.Status, reasonOr(d.Reason, d.Status)
		m.TalkIDs, m.SpeakerIDs, m.Candidates = d.TalkIDs, d.SpeakerIDs, d.Candidates
		if d.Status == Hidden {
			m.Renditions, m.Faces = nil, nil
		}
		if d.Status == NeedsReview {
			// What a person decided no longer holds: they decide again.
			m.Decided, m.DecidedBy, m.DecidedAt = false, "", time.Time{}
		}
		return nil

	case EventRetag:
		if !processed {
			return illegal()
		}
		m.Generation++
		return nil

	case EventReviewed:
		switch from {
		case Pending:
			return E(Conflict, op, nil, "%s is still being processed; decide it once `confmedia wait` returns", m.SourceName)
		case Failed:
			return E(Invalid, op, nil, "%s failed (%s) and has no renditions: it can only be hidden", m.SourceName, m.Reason)
		case Hidden:
			return E(Invalid, op, nil, "%s is hidden (%s) and its renditions were deleted: it can only stay hidden", m.SourceName, m.Reason)
		}
		if !processed {
			return illegal()
		}
		if d.Status != Tagged && d.Status != Untagged {
			return E(Invalid, op, nil, "%s: a review decides tagged or untagged, not %q", m.SourceName, d.Status)
		}
		// The reason stays empty: DecidedBy and DecidedAt say who decided.
		m.Status, m.Reason = d.Status, d.Reason
		m.TalkIDs, m.SpeakerIDs, m.Candidates = d.TalkIDs, d.SpeakerIDs, nil
		m.Decided, m.DecidedBy, m.DecidedAt = true, e.By, e.At
		return nil

	case EventFailed:
		if !in(Pending, Failed) {
			return illegal()
		}
		m.Status, m.Reason = Failed, nonEmpty(e.Reason, ReasonFailed)
		m.Renditions, m.Faces = nil, nil
		if !e.At.IsZero() {
			m.ProcessedAt = e.At
		}
		return nil

	case EventHidden:
		if from == "" {
			return illegal()
		}
		m.Status, m.Reason = Hidden, nonEmpty(e.Reason, ReasonHidden)
		m.Renditions, m.Faces = nil, nil
		if e.By != "" {
			m.Decided, m.DecidedBy, m.DecidedAt = true, e.By, e.At
		}
		return nil

	case EventReclassified:
		switch from {
		case Pending:
			return E(Conflict, op, nil, "%s is still being processed; change it once `confmedia wait` returns", m.SourceName)
		case Hidden:
			return E(Invalid, op, nil, "%s is hidden (%s) and its renditions were deleted: it stays hidden", m.SourceName, m.Reason)
		}
		if !processed && from != Failed {
			return illegal()
		}
		if !e.MediaKind.Valid() {
			return E(Invalid, op, nil, "%s: unknown kind %q: want photo or headshot", m.SourceName, e.MediaKind)
		}
		if e.MediaKind == Photo && e.Speaker != "" {
			return E(Invalid, op, nil, "%s: a photo shows a talk, not one speaker: name a speaker only for a headshot", m.SourceName)
		}
		if e.MediaKind == m.Kind && e.Speaker == m.SpeakerHint {
			what := "an event photo"
			if m.Kind == Headshot {
				what = "a headshot of " + nonEmpty(m.SpeakerHint, "an unnamed speaker")
			}
			return E(Invalid, op, nil, "%s is %s already", m.SourceName, what)
		}
		m.Kind, m.SpeakerHint = e.MediaKind, e.Speaker
		m.Status, m.Reason = Pending, reclassifiedReason(e)
		m.TalkIDs, m.SpeakerIDs, m.Candidates = nil, nil, nil
		m.Decided, m.DecidedBy, m.DecidedAt = false, "", time.Time{}
		m.Generation++
		return nil

	case EventRetry:
		if !in(Pending, Failed) {
			return illegal()
		}
		m.Status, m.Reason = Pending, ReasonRetry
		m.Generation++
		return nil
	}
	return E(Invalid, op, nil, "%s: unknown event %q", m.SourceName, e.Kind)
}

// reclassifiedReason says what Reclassify event e did.
func reclassifiedReason(e Event) string {
	what := "an event photo"
	if e.MediaKind == Headshot {
		what = "a headshot"
		if e.Speaker != "" {
			what += " of " + e.Speaker
		}
	}
	return "changed to " + what + " by " + nonEmpty(e.By, "a person") + "; queued to be processed again"
}

func reasonOr(reason string, s Status) string {
	if reason != "" {
		return reason
	}
	switch s {
	case Tagged:
		return ReasonTagged
	case Untagged:
		return ReasonUntagged
	case Hidden:
		return ReasonHidden
	}
	return "needs a person's decision"
}

func nonEmpty(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// RenditionsFor says which copies of an item's renditions exist in its
// status: a staff copy (StaffRenditionKey) while the item is processed and
// not taken down, a public copy (RenditionKey) only while it is public.
// Hidden and failed items have none.
func RenditionsFor(s Status) (staff, public bool) {
	switch s {
	case Tagged, Untagged:
		return true, true
	case Pending, NeedsReview:
		return true, false
	}
	return false, false
}

// MediaUpdater reads and changes media items; MediaStore implements it.
type MediaUpdater interface {
	Media(ctx context.Context, id string) (*Media, error)
	UpdateMedia(ctx context.Context, id string, fn func(*Media) error) error
}

// Fail ends media item id failed with reason (a sentence a person
// understands, naming what went wrong), as of at. An item already failed
// takes the new reason. It returns NotFound for an unknown id and a
// Conflict error, changing nothing, when the item is no longer pending: it
// was decided (tagged, untagged, needs_review) or hidden meanwhile. Public
// bytes never exist for a pending item, so there are none to remove; a
// caller that may race with a decision calls SyncRenditions afterwards.
func Fail(ctx context.Context, store MediaUpdater, id, reason string, at time.Time) error {
	return Transition(ctx, store, id, Failure(reason, at))
}

// Transition applies e to media item id in store atomically. It returns
// Apply's error when e cannot happen to the item as it is stored.
func Transition(ctx context.Context, store MediaUpdater, id string, e Event) error {
	return store.UpdateMedia(ctx, id, func(m *Media) error { return Apply(m, e) })
}

// The recording lifecycle:
//
//	from                                 event         to
//	(new) | any, not decided by a person  Imported      pending
//	pending | attached | unmatched       Matched       attached | unmatched
//	any                                  Attach        attached (decided)
//	attached                             Detach        unmatched (decided)
//	any                                  Dismiss       dismissed (decided)
//
// A recording a person decided keeps their decision when it is matched
// again.

// RecordingDecision is what matching decided about a recording.
type RecordingDecision struct {
	TalkID     string // "" when it stays unmatched
	Reason     string
	Candidates []string
}

// ReasonDismissed is why a dismissed recording is attached to no talk.
const ReasonDismissed = "dismissed by reviewer"

// MatchRecording applies matching's decision d to r. It returns a Conflict
// error, changing nothing, when a person decided r.
func MatchRecording(r *Recording, d RecordingDecision) error {
	if r.Decided {
		return E(Conflict, "catalog.MatchRecording", nil, "recording %s was %s by %s", r.ID, r.State, nonEmpty(r.DecidedBy, "a person"))
	}
	r.TalkID, r.Candidates = d.TalkID, d.Candidates
	r.State, r.Reason = RecordingUnmatched, nonEmpty(d.Reason, "no talk matched")
	if d.TalkID != "" {
		r.State, r.Reason = RecordingAttached, nonEmpty(d.Reason, "matched to talk "+d.TalkID)
	}
	return nil
}

// AttachRecording records a person's decision that r shows talk.
func AttachRecording(r *Recording, talk, by string) {
	r.State, r.TalkID, r.Reason, r.Candidates = RecordingAttached, talk, "", nil
	r.Decided, r.DecidedBy = true, by
}

// DismissRecording records a person's decision that r belongs to no talk.
func DismissRecording(r *Recording, by string) {
	r.State, r.TalkID, r.Reason, r.Candidates = RecordingDismissed, "", ReasonDismissed, nil
	r.Decided, r.DecidedBy = true, by
}

// DetachRecording records a person's decision that attached recording r
// does not show its talk: it becomes unmatched, that talk leaves its
// candidates, and matching never attaches it again by itself. A recording
// that is not attached is an Invalid error, and r is left as it is.
func DetachRecording(r *Recording, by string) error {
	if r.State != RecordingAttached {
		title := r.Title
		if title == "" {
			title = r.URL
		}
		return E(Invalid, "catalog.DetachRecording", nil, "recording %s (%s) is not attached to a talk", r.ID, title)
	}
	old := r.TalkID
	r.State, r.TalkID, r.Reason = RecordingUnmatched, "", "detached from talk "+old+" by "+nonEmpty(by, "a person")
	r.Candidates = slices.DeleteFunc(r.Candidates, func(c string) bool { return c == old })
	r.Decided, r.DecidedBy = true, by
	return nil
}
