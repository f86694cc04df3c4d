package web

import (
	"bytes"
	"encoding/json"
	"net/http"
	"sort"
	"strings"

	"github.com/confmedia/confmedia/catalog"
	"github.com/confmedia/confmedia/pipeline/recording"
	"github.com/confmedia/confmedia/pipeline/schedule"
	"github.com/confmedia/confmedia/web/api"
)

// VideosExport is api.VideosExport.
type VideosExport = api.VideosExport

// ExportedVideo is api.ExportedVideo.
type ExportedVideo = api.ExportedVideo

// handleVideosExport answers the pyvideo records of every attached
// recording. Talks marked do not record are never exported.
func (s *Server) handleVideosExport(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	sched, err := s.Store.Schedule(ctx)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	recs, err := s.Store.ListRecordings(ctx)
	if err != nil {
		s.writeError(w, r, err)
		return
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
			s.writeError(w, r, catalog.E(catalog.Invalid, "web.videosExport", err, "recording %s", rec.ID))
			return
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
	// The records go as their bytes are: no HTML escaping of their strings.
	w.Header().Set("Content-Type", "application/json")
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(out)
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
