package web

// The video team's use case (api.VideoService): attaching, detaching and
// adding recordings, and the pyvideo export. No HTTP here: videoteam.go and
// videoteam_export.go decode, call these and encode.

import (
	"bytes"
	"cmp"
	"context"
	"github.com/confmedia/confmedia/pipeline/schedule"
	"github.com/confmedia/confmedia/web/api"
	"sort"
	"strings"

	"github.com/confmedia/confmedia/catalog"
	"github.com/confmedia/confmedia/pipeline/recording"
)

func recordingInfo(r *catalog.Recording) RecordingInfo {
	return RecordingInfo{ID: r.ID, URL: r.URL, Title: r.Title, State: cmp.Or(r.State, catalog.RecordingPending), TalkID: r.TalkID,
		Reason: r.Reason, Candidates: emptyIfNil(r.Candidates), Decided: r.Decided, DecidedBy: r.DecidedBy}
}

// videoService implements api.VideoService over the server's catalog.
type videoService struct{ *Server }

var _ api.VideoService = videoService{}

// videos returns the server's video team use case.
func (s *Server) videos() videoService { return videoService{s} }

// AttachRecording attaches recording id (a full id or unique prefix) to
// talk talkID as a person's decision, whatever it was attached to before.
// It returns NotFound for an unknown recording and Invalid for an unknown
// talk or one marked do not record.
func (s videoService) AttachRecording(ctx context.Context, id, talkID string) (RecordingInfo, error) {
	if strings.TrimSpace(talkID) == "" {
		return RecordingInfo{}, catalog.E(catalog.Invalid, "web.AttachRecording", nil, "which talk? give its id")
	}
	_, rec, err := s.findItem(ctx, id, false, true)
	if err != nil {
		return RecordingInfo{}, err
	}
	if _, err := s.resolveRecording(ctx, rec, ResolveRequest{Talk: strings.TrimSpace(talkID)}); err != nil {
		return RecordingInfo{}, err
	}
	return s.recordingInfo(ctx, rec.ID)
}

// DetachRecording takes recording id off its talk as a person's decision:
// it becomes unmatched, is listed for the video team with its other
// candidates, and matching never attaches it again by itself. A recording
// not attached is Invalid; an unknown one NotFound.
func (s videoService) DetachRecording(ctx context.Context, id string) (RecordingInfo, error) {
	_, rec, err := s.findItem(ctx, id, false, true)
	if err != nil {
		return RecordingInfo{}, err
	}
	by := tokenName(ctx)
	err = s.Store.UpdateRecording(ctx, rec.ID, func(r *catalog.Recording) error {
		return catalog.DetachRecording(r, by)
	})
	if err != nil {
		return RecordingInfo{}, err
	}
	s.Logger.Info("recording detached", "recording", rec.ID, "talk", rec.TalkID, "by", by)
	return s.recordingInfo(ctx, rec.ID)
}

// AddRecording attaches the recording at req.URL to talk talkID as a
// person's decision: the recording with that URL when there is one (its
// metadata kept), else a new one titled req.Title, else the talk's title;
// created says which. It
// returns Invalid for a URL that is not http(s), an unknown talk or one
// marked do not record.
func (s videoService) AddRecording(ctx context.Context, talkID string, req AddRecordingRequest) (info RecordingInfo, created bool, err error) {
	const op = "web.AddRecording"
	raw := strings.TrimSpace(req.URL)
	if err := catalog.CheckURL("recording URL", raw); err != nil {
		return RecordingInfo{}, false, err
	}
	sched, err := s.Store.Schedule(ctx)
	if err != nil {
		return RecordingInfo{}, false, err
	}
	t, ok := newSchedIndex(sched).talks[talkID]
	if !ok {
		return RecordingInfo{}, false, catalog.E(catalog.Invalid, op, nil, "unknown talk %q", talkID)
	}
	all, err := s.Store.ListRecordings(ctx)
	if err != nil {
		return RecordingInfo{}, false, err
	}
	var rec *catalog.Recording
	for _, r := range all {
		if r.URL == raw {
			rec = r
			break
		}
	}
	if rec == nil {
		if t.DoNotRecord {
			return RecordingInfo{}, false, catalog.E(catalog.Invalid, op, nil, "talk %s (%s) is marked do not record: no recording is attached to it", t.ID, t.Title)
		}
		rec = &catalog.Recording{ID: recording.DerivedID(raw), URL: raw, Title: cmp.Or(strings.TrimSpace(req.Title), t.Title),
			State: catalog.RecordingPending}
		if _, err := s.Store.PutRecording(ctx, rec); err != nil {
			return RecordingInfo{}, false, err
		}
		created = true
	}
	if _, err := s.resolveRecording(ctx, rec, ResolveRequest{Talk: talkID}); err != nil {
		return RecordingInfo{}, created, err
	}
	info, err = s.recordingInfo(ctx, rec.ID)
	return info, created, err
}

func (s *Server) recordingInfo(ctx context.Context, id string) (RecordingInfo, error) {
	rec, err := s.Store.Recording(ctx, id)
	if err != nil {
		return RecordingInfo{}, err
	}
	return recordingInfo(rec), nil
}

// ExportVideos returns the pyvideo records of every attached recording,
// ordered by file name. Talks marked do not record are never exported.
func (s videoService) ExportVideos(ctx context.Context) (VideosExport, error) {
	sched, err := s.Store.Schedule(ctx)
	if err != nil {
		return VideosExport{}, err
	}
	recs, err := s.Store.ListRecordings(ctx)
	if err != nil {
		return VideosExport{}, err
	}
	talks := make(map[string]catalog.Talk, len(sched.Talks))
	for _, t := range sched.Talks {
		talks[t.ID] = t
	}
	names := make(map[string]string, len(sched.Speakers))
	for _, sp := range sched.Speakers {
		names[sp.ID] = sp.Name
	}
	var out VideosExport
	out.Category.Title = exportCategory(sched.Conference.Title, recs)
	out.Videos = []ExportedVideo{}
	used := map[string]bool{}
	for _, rec := range recs {
		t, ok := talks[rec.TalkID]
		if rec.State != catalog.RecordingAttached || !ok || t.DoNotRecord {
			continue
		}
		var speakers []string
		for _, id := range t.SpeakerIDs {
			if n := names[id]; n != "" {
				speakers = append(speakers, n)
			}
		}
		var buf bytes.Buffer
		if err := recording.Export(&buf, *rec, t, speakers); err != nil {
			return VideosExport{}, catalog.E(catalog.Invalid, "web.videosExport", err, "recording %s", rec.ID)
		}
		base := rec.SourceID
		if base == "" || strings.ContainsAny(base, `/\#`) {
			base = schedule.SpeakerSlug(t.Title)
		}
		file := base + ".json"
		for i := 2; used[file]; i++ {
			file = base + "-" + catalog.Itoa(int64(i)) + ".json"
		}
		used[file] = true
		out.Videos = append(out.Videos, ExportedVideo{File: file, TalkID: t.ID, Video: buf.Bytes()})
	}
	sort.Slice(out.Videos, func(i, j int) bool { return out.Videos[i].File < out.Videos[j].File })
	return out, nil
}

// exportCategory is the title of the exported category: the event most of
// the attached recordings were imported under, else the conference's.
func exportCategory(conference string, recs []*catalog.Recording) string {
	count := map[string]int{}
	best := ""
	for _, r := range recs {
		if r.State != catalog.RecordingAttached || r.Event == "" {
			continue
		}
		count[r.Event]++
		if n := count[r.Event]; n > count[best] || n == count[best] && r.Event < best {
			best = r.Event
		}
	}
	if best == "" {
		return conference
	}
	return best
}
