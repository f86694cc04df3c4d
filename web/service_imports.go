package web

// The imports use case (api.ImportService): a schedule and recordings
// files, over the catalog and the queues. No HTTP here: api.go reads the
// file, calls these and encodes.

import (
	"context"
	"path/filepath"
	"strings"

	"github.com/confmedia/confmedia/catalog"
	"github.com/confmedia/confmedia/pipeline/recording"
	"github.com/confmedia/confmedia/pipeline/schedule"
	"github.com/confmedia/confmedia/web/api"
)

// importService implements api.ImportService over the server's catalog
// and queues.
type importService struct{ *Server }

var _ api.ImportService = importService{}

// imports returns the server's imports use case.
func (s *Server) imports() importService { return importService{s} }

// ImportScheduleWith imports the schedule file name (frab XML, pretalx
// JSON or CSV) as o says, and queues what it changes for tagging again.
// An import that would replace another conference's schedule, or most of
// this one's, is a Conflict unless o.Replace; with o.DryRun it only says
// what it would change. A file that is not a schedule, or carries a URL
// that is not http(s), is Invalid.
func (s importService) ImportScheduleWith(ctx context.Context, name string, data []byte, o api.ScheduleImport) (ScheduleImportResponse, error) {
	format, err := schedule.Sniff(data)
	if err != nil {
		return ScheduleImportResponse{}, catalog.E(catalog.Invalid, "web.scheduleImport", err, "%s", name)
	}
	sched, err := schedule.Parse(name, data, o.Timezone)
	if err != nil {
		return ScheduleImportResponse{}, err
	}
	if err := sched.CheckURLs(); err != nil {
		return ScheduleImportResponse{}, catalog.E(catalog.Invalid, "web.scheduleImport", err, "%s: nothing imported", name)
	}
	// The conference is the file's: its title, acronym and days. A file
	// that names no title takes the title given, else keeps the current
	// one when it updates this conference's schedule, else is named after
	// the file.
	if sched.Conference.Title == "" {
		sched.Conference.Title = o.Title
	}
	named := sched.Conference.Title != ""
	old, err := s.Store.Schedule(ctx)
	if err != nil {
		return ScheduleImportResponse{}, err
	}
	if !named {
		sched.Conference.Title = old.Conference.Title
	}
	plan, err := s.planScheduleImport(ctx, old, sched)
	if err != nil {
		return ScheduleImportResponse{}, err
	}
	if !named && (sched.Conference.Title == "" || len(plan.ReplaceNeeded) > 0) {
		sched.Conference.Title = strings.TrimSuffix(name, filepath.Ext(name))
		plan.Title = sched.Conference.Title
	}
	plan.File, plan.Format = name, format
	if o.DryRun {
		plan.DryRun = true
		return plan, nil
	}
	if len(plan.ReplaceNeeded) > 0 && !o.Replace {
		return ScheduleImportResponse{}, catalog.E(catalog.Conflict, "web.scheduleImport", nil,
			"%s: nothing imported: %s; see the changes with a dry run (--dry-run), and import with replace (--replace) to replace the schedule",
			name, strings.Join(plan.ReplaceNeeded, "; "))
	}
	diff, err := s.Store.ReplaceSchedule(ctx, sched)
	if err != nil {
		return ScheduleImportResponse{}, err
	}
	resp := ScheduleImportResponse{
		File: name, Format: format, Title: sched.Conference.Title, Acronym: sched.Conference.Acronym, Timezone: sched.Conference.Timezone,
		Talks: len(sched.Talks), Speakers: len(sched.Speakers), Rooms: rooms(sched),
		Added: len(diff.Added), Changed: len(diff.Changed), Moved: len(diff.Moved), Removed: len(diff.Removed),
		Replaced: len(plan.ReplaceNeeded) > 0, PreviousTitle: plan.PreviousTitle, ReplaceNeeded: plan.ReplaceNeeded,
	}
	if !diff.Empty() {
		if resp.Retagged, err = s.retagAll(ctx); err != nil {
			return ScheduleImportResponse{}, err
		}
	}
	s.Logger.Info("schedule imported", "file", name, "talks", resp.Talks, "added", resp.Added, "changed", resp.Changed, "removed", resp.Removed, "retagged", resp.Retagged)
	return resp, nil
}

// ImportRecordingsOf imports the recordings file name (pyvideo JSON or
// CSV), filing its records under the archive's event category when
// given, and queues each new or changed record for matching. A file that
// is not a recordings file, or a record with a URL that is not http(s),
// is Invalid and imports nothing.
func (s importService) ImportRecordingsOf(ctx context.Context, name string, data []byte, category string) (RecordingsImportResponse, error) {
	recs, err := recording.Parse(name, data)
	if err != nil {
		return RecordingsImportResponse{}, err
	}
	// The event the archive files the records under (a pyvideo folder's
	// category.json title).
	if ev := strings.TrimSpace(category); ev != "" {
		for i := range recs {
			recs[i].Event = ev
		}
	}
	for i := range recs {
		if err := recs[i].CheckURLs(); err != nil {
			return RecordingsImportResponse{}, catalog.E(catalog.Invalid, "web.recordingsImport", err, "%s: record %d: nothing imported", name, i+1)
		}
	}
	resp := RecordingsImportResponse{File: name, Records: len(recs)}
	for i := range recs {
		rec := &recs[i]
		changed, err := s.Store.PutRecording(ctx, rec)
		if err != nil {
			return RecordingsImportResponse{}, err
		}
		if !changed {
			resp.Unchanged++
			continue
		}
		resp.Changed++
		stored, err := s.Store.Recording(ctx, rec.ID)
		if err != nil {
			return RecordingsImportResponse{}, err
		}
		if err := s.Queue.EnqueueRecording(ctx, stored.ID, stored.Generation); err != nil {
			return RecordingsImportResponse{}, err
		}
	}
	return resp, nil
}

func rooms(s catalog.Schedule) []string {
	seen := map[string]bool{}
	out := []string{}
	for _, t := range s.Talks {
		if !seen[t.Room] {
			seen[t.Room] = true
			out = append(out, t.Room)
		}
	}
	return out
}

// retagAll queues a new tagging generation for every processed media item
// and a new matching generation for every recording, after the schedule
// changed. Tasks are idempotent by generation, and a task for an older
// generation does nothing.
func (s *Server) retagAll(ctx context.Context) (int, error) {
	n, err := s.retag(ctx, catalog.MediaFilter{})
	if err != nil {
		return n, err
	}
	recs, err := s.Store.ListRecordings(ctx)
	if err != nil {
		return n, err
	}
	for _, rec := range recs {
		if rec.Decided {
			continue
		}
		if err := s.rematch(ctx, rec.ID); err != nil {
			return n, err
		}
	}
	return n, nil
}

func (s *Server) rematch(ctx context.Context, id string) error {
	var gen int
	if err := s.Store.UpdateRecording(ctx, id, func(r *catalog.Recording) error {
		r.Generation++
		gen = r.Generation
		return nil
	}); err != nil {
		return err
	}
	return s.Queue.EnqueueRecording(ctx, id, gen)
}
