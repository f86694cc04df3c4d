package web

// The review use case (api.ReviewService) over the catalog: what needs a
// person's decision, the decisions, takedowns and opt-outs. No HTTP here:
// organizer_review.go decodes, calls these and encodes.

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/confmedia/confmedia/catalog"
	"github.com/confmedia/confmedia/pipeline/match"
	"github.com/confmedia/confmedia/web/api"
)

// reviewService implements api.ReviewService over the server's catalog,
// bucket and queues. The caller's role and name come from the context
// (roleOf, tokenName): a video token decides recordings only.
type reviewService struct{ *Server }

var _ api.ReviewService = reviewService{}

// reviews returns the server's review use case.
func (s *Server) reviews() reviewService { return reviewService{s} }

// Reasons and defaults a person's decisions record.
const (
	reasonReviewerHid   = "hidden by reviewer"
	defaultHideReason   = catalog.ReasonHidden
	minPrefix           = 6  // the shortest id prefix review resolve accepts
	maxListedMatches    = 10 // ids an ambiguous prefix error names
	reviewTypeMedia     = "media"
	reviewTypeRecording = "recording"
)

// optOutRemovedNote is what removing an opt-out says about what it hid.
const optOutRemovedNote = "items hidden because of this opt-out stay hidden; their public renditions were deleted, so upload them again to publish them"

// ReviewQueue returns the review queue of the caller: with media items
// unless they hold a video token (see reviewQueue).
func (s reviewService) ReviewQueue(ctx context.Context) (ReviewList, error) {
	return s.reviewQueue(ctx, roleOf(ctx) != catalog.RoleVideo)
}

// reviewQueue returns every needs_review and failed media item (when
// withMedia), ordered by capture time (unknown last) then id, followed by
// every unmatched or pending recording, ordered by id, each with its reason
// and its candidates resolved against the schedule.
func (s reviewService) reviewQueue(ctx context.Context, withMedia bool) (ReviewList, error) {
	sched, err := s.Store.Schedule(ctx)
	if err != nil {
		return ReviewList{}, err
	}
	sx := newSchedIndex(sched)
	list := ReviewList{Items: []ReviewItem{}}
	if withMedia {
		media, err := s.Store.ListMedia(ctx, catalog.MediaFilter{Status: []catalog.Status{catalog.NeedsReview, catalog.Failed}})
		if err != nil {
			return ReviewList{}, err
		}
		slices.SortStableFunc(media, func(a, b *catalog.Media) int {
			if a.TakenAt.IsZero() != b.TakenAt.IsZero() {
				if a.TakenAt.IsZero() {
					return 1
				}
				return -1
			}
			if c := a.TakenAt.Compare(b.TakenAt); c != 0 {
				return c
			}
			return cmp.Compare(a.ID, b.ID)
		})
		for _, m := range media {
			it := ReviewItem{
				Type: reviewTypeMedia, ID: m.ID, Kind: m.Kind, SourceName: m.SourceName, Status: string(m.Status),
				Reason: m.Reason, Room: m.Room, Camera: m.Camera, Candidates: sx.candidates(m.Candidates, m.Kind == catalog.Headshot),
				Photographer: m.Photographer,
			}
			if !m.TakenAt.IsZero() {
				it.TakenAt = sx.stamp(m.TakenAt)
			}
			if _, ok := m.Rendition("square"); ok {
				it.Thumbnail = s.StaffRenditionURL(m.ID, "square")
			}
			for _, name := range []string{"medium", "large"} {
				if _, ok := m.Rendition(name); ok && it.Preview == "" {
					it.Preview = s.StaffRenditionURL(m.ID, name)
				}
			}
			list.Items = append(list.Items, it)
		}
	}
	recs, err := s.Store.ListRecordings(ctx)
	if err != nil {
		return ReviewList{}, err
	}
	slices.SortStableFunc(recs, func(a, b *catalog.Recording) int { return cmp.Compare(a.ID, b.ID) })
	for _, rec := range recs {
		pending := rec.State == catalog.RecordingPending || rec.State == ""
		if rec.State != catalog.RecordingUnmatched && !pending {
			continue
		}
		it := ReviewItem{
			Type: reviewTypeRecording, ID: rec.ID, Status: string(catalog.RecordingUnmatched), Title: rec.Title, URL: rec.URL,
			Reason: rec.Reason, Pending: pending, Candidates: sx.candidates(rec.Candidates, false),
		}
		if pending {
			it.Status = string(catalog.RecordingPending)
			if it.Reason == "" {
				it.Reason = "not matched yet"
			}
		}
		list.Items = append(list.Items, it)
	}
	return list, nil
}

// Resolve records the caller's decision about the media item or recording
// id (a full id or a unique prefix of at least 6 characters); a video
// token decides recordings only (see resolve).
func (s reviewService) Resolve(ctx context.Context, id string, req ResolveRequest) (DecidedItem, error) {
	return s.resolve(ctx, id, req, roleOf(ctx) != catalog.RoleVideo)
}

// resolve records a person's decision about the media item or recording
// id (a full id or a unique prefix of at least 6 characters); withMedia
// false restricts it to recordings (the video role). The decision is
// marked Decided, so re-tagging never overrides it:
//
//   - a photo with Talk is tagged with that talk and the talk's speakers
//     its people tags name (all of them when they name none), and its
//     camera's clock offset is derived from it (when no plausible offset
//     puts the photo in the talk, the answer's CameraNote says so and the
//     offset stays);
//   - a headshot with Speaker (an id or an exact folded name) is tagged
//     with that speaker and the speaker's talks;
//   - Untagged makes a media item public with no talk or speaker;
//   - Hide takes a media item down (renditions deleted);
//   - a recording with Talk is attached to it; Untagged or Hide dismisses it.
//
// A decision that names a person who opted out of photos hides the item.
// It returns an Invalid error when req does not hold exactly one decision,
// names an unknown talk or speaker, a talk on a headshot or a speaker on a
// photo, a talk marked do not record for a recording, or a prefix that is
// too short or ambiguous; NotFound when nothing has that id; Forbidden for
// a media item when withMedia is false; Conflict for an item still being
// processed. Failed and hidden items can only be hidden.
func (s reviewService) resolve(ctx context.Context, id string, req ResolveRequest, withMedia bool) (DecidedItem, error) {
	const op = "web.Resolve"
	n := 0
	for _, set := range []bool{req.Talk != "", req.Speaker != "", req.Untagged, req.Hide} {
		if set {
			n++
		}
	}
	if n != 1 {
		return DecidedItem{}, catalog.E(catalog.Invalid, op, nil, "give exactly one of talk, speaker, untagged or hide")
	}
	m, rec, err := s.findItem(ctx, id, true, true)
	if err != nil {
		return DecidedItem{}, err
	}
	if rec != nil {
		return s.resolveRecording(ctx, rec, req)
	}
	if !withMedia {
		return DecidedItem{}, catalog.E(catalog.Forbidden, op, nil, "the video role may only decide recordings; %s is a media item", m.SourceName)
	}
	return s.resolveMedia(ctx, m, req, true)
}

// resolveMedia applies req to media item m; with derive, a talk decision
// also derives m's camera's clock offset (a batch derives it once).
func (s reviewService) resolveMedia(ctx context.Context, m *catalog.Media, req ResolveRequest, derive bool) (DecidedItem, error) {
	const op = "web.Resolve"
	by := tokenName(ctx)
	if req.Hide {
		if err := s.hideMedia(ctx, m.ID, reasonReviewerHid, by); err != nil {
			return DecidedItem{}, err
		}
		return s.decidedMedia(ctx, m.ID, false)
	}
	// Refuse what the lifecycle refuses before looking at the decision.
	probe := *m
	if err := catalog.Apply(&probe, catalog.Reviewed(catalog.Decision{Status: catalog.Tagged}, by, time.Time{})); err != nil {
		return DecidedItem{}, err
	}
	sched, err := s.Store.Schedule(ctx)
	if err != nil {
		return DecidedItem{}, err
	}
	sx := newSchedIndex(sched)
	var talks, speakers []string
	status := catalog.Tagged
	switch {
	case req.Untagged:
		status = catalog.Untagged
	case req.Talk != "":
		if m.Kind == catalog.Headshot {
			return DecidedItem{}, catalog.E(catalog.Invalid, op, nil, "%s is a headshot: give the speaker it shows, not a talk", m.SourceName)
		}
		t, ok := sx.talks[req.Talk]
		if !ok {
			return DecidedItem{}, catalog.E(catalog.Invalid, op, nil, "unknown talk %q", req.Talk)
		}
		talks, speakers = []string{t.ID}, sx.speakersShown(t, append(slices.Clone(m.People), m.Subjects...))
	case req.Speaker != "":
		if m.Kind != catalog.Headshot {
			return DecidedItem{}, catalog.E(catalog.Invalid, op, nil, "%s is a photo: give the talk it shows, not a speaker", m.SourceName)
		}
		sp, err := sx.speaker(req.Speaker)
		if err != nil {
			return DecidedItem{}, err
		}
		speakers, talks = []string{sp.ID}, sx.talksOf(sp.ID)
	}
	optouts, err := s.Store.OptOuts(ctx)
	if err != nil {
		return DecidedItem{}, err
	}
	var decided *catalog.Media
	optedOut := ""
	err = s.Store.UpdateMedia(ctx, m.ID, func(m *catalog.Media) error {
		d := catalog.Decision{Status: status, TalkIDs: talks, SpeakerIDs: speakers}
		now := s.now().UTC()
		if err := catalog.Apply(m, catalog.Reviewed(d, by, now)); err != nil {
			return catalog.E(catalog.Conflict, op, err, "%s changed meanwhile (now %s); try again", m.SourceName, m.Status)
		}
		// A decision that shows someone who opted out hides the item in
		// the same write, so that it is never public for a moment.
		optedOut = match.OptedOut(append(slices.Clone(m.People), m.Subjects...), m.SpeakerIDs, optouts)
		if optedOut != "" {
			if err := catalog.Apply(m, catalog.Hiding(optedOut+" opted out of photos", by, now)); err != nil {
				return err
			}
		}
		c := *m
		decided = &c
		return nil
	})
	if err != nil {
		return DecidedItem{}, err
	}
	if err := s.syncRenditions(ctx, m.ID); err != nil {
		return DecidedItem{}, err
	}
	if optedOut != "" {
		if err := s.republishIfPublished(ctx); err != nil {
			return DecidedItem{}, err
		}
		return s.decidedMedia(ctx, m.ID, false)
	}
	changed, note := false, ""
	if req.Talk != "" && derive {
		changed, err = s.deriveCameraOffset(ctx, decided, req.Talk)
		switch k := catalog.ErrorKind(err); {
		case err == nil:
		case k == catalog.Invalid || k == catalog.NotFound:
			// The person's word stands; the camera keeps its offset.
			note = "camera clock offset not derived: " + catalog.ErrorMessage(err)
		default:
			return DecidedItem{}, catalog.E(k, op, err, "%s is tagged with talk %s, but its camera's clock offset could not be derived", m.SourceName, req.Talk)
		}
	}
	item, err := s.decidedMedia(ctx, m.ID, changed)
	item.CameraNote = note
	return item, err
}

// decidedMedia reads item id back as the answer to a decision.
func (s *Server) decidedMedia(ctx context.Context, id string, offsetChanged bool) (DecidedItem, error) {
	m, err := s.Store.Media(ctx, id)
	if err != nil {
		return DecidedItem{}, err
	}
	return DecidedItem{
		Type: reviewTypeMedia, ID: m.ID, Kind: m.Kind, SourceName: m.SourceName, Status: string(m.Status), Reason: m.Reason,
		TalkIDs: emptyIfNil(m.TalkIDs), SpeakerIDs: emptyIfNil(m.SpeakerIDs), DecidedBy: m.DecidedBy, CameraOffsetChanged: offsetChanged,
	}, nil
}

// resolveRecording applies req to a recording.
func (s *Server) resolveRecording(ctx context.Context, rec *catalog.Recording, req ResolveRequest) (DecidedItem, error) {
	const op = "web.Resolve"
	name := rec.Title
	if name == "" {
		name = rec.URL
	}
	if req.Speaker != "" {
		return DecidedItem{}, catalog.E(catalog.Invalid, op, nil, "recording %s (%s): give the talk it shows, not a speaker", rec.ID, name)
	}
	var talk catalog.Talk
	if req.Talk != "" {
		sched, err := s.Store.Schedule(ctx)
		if err != nil {
			return DecidedItem{}, err
		}
		t, ok := newSchedIndex(sched).talks[req.Talk]
		if !ok {
			return DecidedItem{}, catalog.E(catalog.Invalid, op, nil, "unknown talk %q", req.Talk)
		}
		if t.DoNotRecord {
			return DecidedItem{}, catalog.E(catalog.Invalid, op, nil, "talk %s (%s) is marked do not record: no recording is attached to it", t.ID, t.Title)
		}
		talk = t
	}
	by := tokenName(ctx)
	var out catalog.Recording
	err := s.Store.UpdateRecording(ctx, rec.ID, func(r *catalog.Recording) error {
		if talk.ID != "" {
			catalog.AttachRecording(r, talk.ID, by)
		} else {
			catalog.DismissRecording(r, by)
		}
		out = *r
		return nil
	})
	if err != nil {
		return DecidedItem{}, err
	}
	d := DecidedItem{
		Type: reviewTypeRecording, ID: out.ID, Title: out.Title, Status: string(out.State), Reason: out.Reason,
		TalkIDs: []string{}, SpeakerIDs: []string{}, DecidedBy: out.DecidedBy,
	}
	if out.TalkID != "" {
		d.TalkIDs = []string{out.TalkID}
	}
	return d, nil
}

// findItem returns the media item or recording id names: a full id, else a
// unique prefix of at least minPrefix characters. Only media are searched
// when recs is false, only recordings when media is false.
func (s *Server) findItem(ctx context.Context, id string, media, recs bool) (*catalog.Media, *catalog.Recording, error) {
	const op = "web.findItem"
	id = strings.TrimSpace(id)
	if id == "" {
		return nil, nil, catalog.E(catalog.Invalid, op, nil, "no id given")
	}
	var m *catalog.Media
	var rec *catalog.Recording
	var err error
	if media {
		if m, err = s.Store.Media(ctx, strings.ToLower(id)); err != nil && !catalog.IsNotFound(err) {
			return nil, nil, err
		}
	}
	if recs {
		if rec, err = s.Store.Recording(ctx, id); err != nil && !catalog.IsNotFound(err) {
			return nil, nil, err
		}
	}
	switch {
	case m != nil && rec != nil:
		return nil, nil, catalog.E(catalog.Invalid, op, nil, "%q is both a media item and a recording", id)
	case m != nil || rec != nil:
		return m, rec, nil
	}
	what := "media item or recording"
	switch {
	case !recs:
		what = "media item"
	case !media:
		what = "recording"
	}
	if len(id) < minPrefix {
		return nil, nil, catalog.E(catalog.Invalid, op, nil, "no %s %q: give its full id or at least %d characters of it", what, id, minPrefix)
	}
	var foundM []*catalog.Media
	var foundR []*catalog.Recording
	if media {
		all, err := s.Store.ListMedia(ctx, catalog.MediaFilter{})
		if err != nil {
			return nil, nil, err
		}
		lower := strings.ToLower(id)
		for _, x := range all {
			if strings.HasPrefix(x.ID, lower) {
				foundM = append(foundM, x)
			}
		}
	}
	if recs {
		all, err := s.Store.ListRecordings(ctx)
		if err != nil {
			return nil, nil, err
		}
		for _, x := range all {
			if strings.HasPrefix(x.ID, id) {
				foundR = append(foundR, x)
			}
		}
	}
	switch len(foundM) + len(foundR) {
	case 0:
		return nil, nil, catalog.E(catalog.NotFound, op, nil, "no %s %q", what, id)
	case 1:
		if len(foundM) == 1 {
			return foundM[0], nil, nil
		}
		return nil, foundR[0], nil
	}
	slices.SortFunc(foundM, func(a, b *catalog.Media) int { return cmp.Compare(a.ID, b.ID) })
	var names []string
	for _, x := range foundM {
		names = append(names, x.ID+" ("+x.SourceName+")")
	}
	for _, x := range foundR {
		names = append(names, "recording "+x.ID+" ("+x.Title+")")
	}
	more := ""
	if len(names) > maxListedMatches {
		more = fmt.Sprintf(" and %d more", len(names)-maxListedMatches)
		names = names[:maxListedMatches]
	}
	return nil, nil, catalog.E(catalog.Invalid, op, nil, "%q matches %d items, give more of the id: %s%s",
		id, len(foundM)+len(foundR), strings.Join(names, ", "), more)
}

// HideMedia takes media item id (a full id or a unique prefix) down: it becomes
// hidden with reason ("taken down on request" when empty) as a person's
// decision, its public renditions are deleted and a published catalog is
// published again without it. Hiding a hidden item again changes only the
// reason. It returns NotFound when no item has that id and Invalid for an
// ambiguous or too short prefix.
func (s reviewService) HideMedia(ctx context.Context, id, reason string) (DecidedItem, error) {
	m, _, err := s.findItem(ctx, id, true, false)
	if err != nil {
		return DecidedItem{}, err
	}
	reason = strings.TrimSpace(reason)
	if reason == "" {
		reason = defaultHideReason
	}
	if err := s.hideMedia(ctx, m.ID, reason, tokenName(ctx)); err != nil {
		return DecidedItem{}, err
	}
	return s.decidedMedia(ctx, m.ID, false)
}

// AddOptOut records that a person (a speaker of the schedule, by folded
// full name, or anyone named in people tags) is not to be shown in
// published photos, and queues every processed media item to be tagged
// again: the workers hide the photos whose people tags name the person or
// that are tagged with that speaker, and the speaker's headshots. Adding
// the same name again replaces the reason. It returns an Invalid error for
// an empty name or one that several speakers share.
func (s reviewService) AddOptOut(ctx context.Context, name, reason string) (OptOutResponse, error) {
	const op = "web.AddOptOut"
	name = strings.Join(strings.Fields(name), " ")
	if match.Fold(name) == "" {
		return OptOutResponse{}, catalog.E(catalog.Invalid, op, nil, "an opt-out needs the person's name")
	}
	sched, err := s.Store.Schedule(ctx)
	if err != nil {
		return OptOutResponse{}, err
	}
	var ids []string
	for _, sp := range sched.Speakers {
		if match.SameName(sp.Name, name) && !slices.Contains(ids, sp.ID) {
			ids = append(ids, sp.ID)
		}
	}
	if len(ids) > 1 {
		slices.Sort(ids)
		return OptOutResponse{}, catalog.E(catalog.Invalid, op, nil, "several speakers are called %q (%s): opt-outs name one person", name, strings.Join(ids, ", "))
	}
	o := catalog.OptOut{Name: name, Reason: strings.TrimSpace(reason), Created: s.now().UTC()}
	if len(ids) == 1 {
		o.SpeakerID = ids[0]
	}
	if err := s.Store.PutOptOut(ctx, o); err != nil {
		return OptOutResponse{}, err
	}
	n, err := s.retag(ctx, catalog.MediaFilter{})
	if err != nil {
		return OptOutResponse{}, fmt.Errorf("opt-out of %s recorded, but re-tagging failed after %d items: %w", name, n, err)
	}
	s.Logger.Info("opt-out recorded", "name", name, "speaker", o.SpeakerID, "retagged", n)
	return OptOutResponse{OptOut: optOutItem(o), Retagged: n}, nil
}

// OptOuts lists the opt-outs, ordered by name.
func (s reviewService) OptOuts(ctx context.Context) ([]OptOutItem, error) {
	list, err := s.Store.OptOuts(ctx)
	if err != nil {
		return nil, err
	}
	out := []OptOutItem{}
	for _, o := range list {
		out = append(out, optOutItem(o))
	}
	return out, nil
}

// RemoveOptOut removes the opt-out whose name folds to the same string as
// name. Items it hid stay hidden (their renditions are gone); the answer
// says so. It returns NotFound when no opt-out has that name.
func (s reviewService) RemoveOptOut(ctx context.Context, name string) (OptOutRemoved, error) {
	const op = "web.RemoveOptOut"
	list, err := s.Store.OptOuts(ctx)
	if err != nil {
		return OptOutRemoved{}, err
	}
	for _, o := range list {
		if o.Name == name || match.SameName(o.Name, name) {
			if err := s.Store.DeleteOptOut(ctx, o.Name); err != nil {
				return OptOutRemoved{}, err
			}
			s.Logger.Info("opt-out removed", "name", o.Name)
			return OptOutRemoved{Name: o.Name, Note: optOutRemovedNote}, nil
		}
	}
	return OptOutRemoved{}, catalog.E(catalog.NotFound, op, nil, "no opt-out for %q", name)
}

func optOutItem(o catalog.OptOut) OptOutItem {
	return OptOutItem{Name: o.Name, SpeakerID: o.SpeakerID, Reason: o.Reason, Created: o.Created}
}

// roleOf returns the role of the request's token.
func roleOf(ctx context.Context) catalog.Role {
	r, _ := ctx.Value(ctxKey{}).(catalog.Role)
	return r
}

func emptyIfNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// schedIndex is the schedule looked up by talk and speaker.
type schedIndex struct {
	loc      *time.Location
	talks    map[string]catalog.Talk
	speakers map[string]catalog.Speaker
	order    []catalog.Talk
}

func newSchedIndex(s catalog.Schedule) *schedIndex {
	loc, err := s.Conference.Location()
	if err != nil {
		loc = time.UTC
	}
	x := &schedIndex{loc: loc, talks: map[string]catalog.Talk{}, speakers: map[string]catalog.Speaker{}, order: s.Talks}
	for _, t := range s.Talks {
		x.talks[t.ID] = t
	}
	for _, sp := range s.Speakers {
		x.speakers[sp.ID] = sp
	}
	return x
}

// stamp formats t in the venue's zone, whole seconds.
func (x *schedIndex) stamp(t time.Time) string {
	return t.In(x.loc).Truncate(time.Second).Format(time.RFC3339)
}

// candidates resolves candidate ids: speakers first when speakers (a
// headshot's candidates), else talks first; an id the schedule no longer
// has is listed bare.
func (x *schedIndex) candidates(ids []string, speakers bool) []ReviewCandidate {
	out := make([]ReviewCandidate, 0, len(ids))
	for _, id := range ids {
		sp, isSpeaker := x.speakers[id]
		t, isTalk := x.talks[id]
		switch {
		case isSpeaker && (speakers || !isTalk):
			out = append(out, ReviewCandidate{ID: id, Name: sp.Name})
		case isTalk:
			c := ReviewCandidate{ID: id, Title: t.Title, Room: t.Room}
			if !t.Start.IsZero() {
				c.Start = x.stamp(t.Start)
			}
			out = append(out, c)
		default:
			out = append(out, ReviewCandidate{ID: id})
		}
	}
	return out
}

// speaker returns the speaker with that id, else the one whose full name
// folds to the same string. It returns an Invalid error for an unknown name
// or one several speakers share.
func (x *schedIndex) speaker(s string) (catalog.Speaker, error) {
	const op = "web.Resolve"
	if sp, ok := x.speakers[s]; ok {
		return sp, nil
	}
	var found []catalog.Speaker
	for _, sp := range x.speakers {
		if match.SameName(sp.Name, s) {
			found = append(found, sp)
		}
	}
	switch len(found) {
	case 0:
		names := make([]string, 0, len(x.speakers))
		for _, sp := range x.speakers {
			names = append(names, sp.Name)
		}
		return catalog.Speaker{}, catalog.E(catalog.Invalid, op, nil, "unknown speaker %q; %s", s, closestNames("speakers", s, names))
	case 1:
		return found[0], nil
	}
	ids := make([]string, 0, len(found))
	for _, sp := range found {
		ids = append(ids, sp.ID)
	}
	slices.Sort(ids)
	return catalog.Speaker{}, catalog.E(catalog.Invalid, op, nil, "several speakers are called %q: give one of the ids %s", s, strings.Join(ids, ", "))
}

// speakersShown returns the speakers of t that people (people tags and
// keywords) name (match.SameName, the rule opt-outs follow), else all of t's speakers;
// sorted, without repeats.
func (x *schedIndex) speakersShown(t catalog.Talk, people []string) []string {
	var named []string
	for _, id := range t.SpeakerIDs {
		sp, ok := x.speakers[id]
		if !ok {
			continue
		}
		for _, p := range people {
			if match.SameName(p, sp.Name) {
				named = append(named, id)
				break
			}
		}
	}
	if len(named) == 0 {
		named = slices.Clone(t.SpeakerIDs)
	}
	slices.Sort(named)
	return slices.Compact(named)
}

// talksOf returns the ids of speaker id's talks, sorted.
func (x *schedIndex) talksOf(id string) []string {
	var ids []string
	for _, t := range x.order {
		if slices.Contains(t.SpeakerIDs, id) {
			ids = append(ids, t.ID)
		}
	}
	slices.Sort(ids)
	return slices.Compact(ids)
}

// StaffRenditionURL is where staff (the review page) fetch rendition name
// of media item id whatever its status: the staff copy, through the web
// app, never the bucket's public prefix.
func (s *Server) StaffRenditionURL(id, name string) string {
	return strings.TrimRight(s.PublicURL, "/") + "/api/media/" + id + "/renditions/" + name
}

// docURL is the catalog document's URL of a blob key: the staff rendition
// route for a staff copy, BlobURL for everything else.
func (s *Server) docURL(key string) string {
	if rest, ok := strings.CutPrefix(key, catalog.StaffPrefix+"media/"); ok {
		if id, file, ok := strings.Cut(rest, "/"); ok {
			return s.StaffRenditionURL(id, strings.TrimSuffix(file, ".jpg"))
		}
	}
	return s.BlobURL(key)
}
