package web

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/confmedia/confmedia/catalog"
	"github.com/confmedia/confmedia/web/api"
)

// ScheduleTalkDiff is api.ScheduleTalkDiff.
type ScheduleTalkDiff = api.ScheduleTalkDiff

// planScheduleImport says what importing sched over old would do: the
// talks added, changed, moved and removed, the media that would be tagged
// again, and why the import would need the importer's consent to replace.
func (s *Server) planScheduleImport(ctx context.Context, old, sched catalog.Schedule) (ScheduleImportResponse, error) {
	byID := make(map[string]catalog.Talk, len(old.Talks))
	for _, t := range old.Talks {
		byID[t.ID] = t
	}
	diff := sched.Diff(byID)
	p := ScheduleImportResponse{
		Title: sched.Conference.Title, Acronym: sched.Conference.Acronym, Timezone: sched.Conference.Timezone,
		Talks: len(sched.Talks), Speakers: len(sched.Speakers), Rooms: rooms(sched),
		Added: len(diff.Added), Changed: len(diff.Changed), Moved: len(diff.Moved), Removed: len(diff.Removed),
		PreviousTitle: old.Conference.Title, ReplaceNeeded: sched.ReplaceReasons(old, diff),
	}
	newByID := make(map[string]catalog.Talk, len(sched.Talks))
	for _, t := range sched.Talks {
		newByID[t.ID] = t
	}
	for _, id := range diff.Added {
		p.Diff = append(p.Diff, ScheduleTalkDiff{Change: "added", ID: id, Title: newByID[id].Title})
	}
	for _, id := range diff.Changed {
		change := "changed"
		if slices.Contains(diff.Moved, id) {
			change = "moved"
		}
		p.Diff = append(p.Diff, ScheduleTalkDiff{Change: change, ID: id, Title: newByID[id].Title, Detail: talkChange(byID[id], newByID[id], sched.Conference)})
	}
	for _, id := range diff.Removed {
		p.Diff = append(p.Diff, ScheduleTalkDiff{Change: "removed", ID: id, Title: byID[id].Title})
	}
	if diff.Empty() {
		return p, nil
	}
	media, err := s.Store.ListMedia(ctx, catalog.MediaFilter{Status: retagStatuses})
	if err != nil {
		return p, err
	}
	touched := make(map[string]bool, len(diff.Changed)+len(diff.Removed))
	for _, id := range slices.Concat(diff.Changed, diff.Removed) {
		touched[id] = true
	}
	p.Retagged = len(media)
	for _, m := range media {
		if slices.ContainsFunc(m.TalkIDs, func(id string) bool { return touched[id] }) {
			p.MediaOnTalks++
		}
	}
	return p, nil
}

// talkChange says how a talk differs between two schedules, in the new
// schedule's zone.
func talkChange(a, b catalog.Talk, conf catalog.Conference) string {
	var out []string
	if a.Title != b.Title {
		out = append(out, fmt.Sprintf("title was %q", a.Title))
	}
	if a.Room != b.Room {
		out = append(out, fmt.Sprintf("room %s → %s", a.Room, b.Room))
	}
	if !a.Start.Equal(b.Start) || !a.End.Equal(b.End) {
		loc, err := conf.Location()
		if err != nil {
			loc = time.UTC
		}
		f := func(t time.Time) string { return t.In(loc).Format("Mon 2006-01-02 15:04") }
		out = append(out, fmt.Sprintf("time %s → %s", f(a.Start), f(b.Start)))
	}
	if !catalog.TalkMoved(a, b) && a.Title == b.Title {
		out = append(out, "speakers or do-not-record changed")
	}
	return strings.Join(out, "; ")
}
