package web

// The video team's page and the JSON routes its work needs: attaching,
// detaching and adding recordings. The page is plain HTML forms posting to
// page routes, as the organizers' pages are (see organizer_pages.go).

import (
	"cmp"
	"context"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/confmedia/confmedia/catalog"
	"github.com/confmedia/confmedia/pipeline/match"
	"github.com/confmedia/confmedia/web/api"
)

// RecordingInfo is api.RecordingInfo.
type RecordingInfo = api.RecordingInfo

// AttachRequest is api.AttachRequest.
type AttachRequest = api.AttachRequest

// AddRecordingRequest is api.AddRecordingRequest.
type AddRecordingRequest = api.AddRecordingRequest

func (s *Server) handleAttachRecording(w http.ResponseWriter, r *http.Request) {
	var req AttachRequest
	if err := decodeJSON(r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	info, err := s.videos().AttachRecording(r.Context(), r.PathValue("id"), req.Talk)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, info)
}

func (s *Server) handleDetachRecording(w http.ResponseWriter, r *http.Request) {
	info, err := s.videos().DetachRecording(r.Context(), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, info)
}

func (s *Server) handleAddRecording(w http.ResponseWriter, r *http.Request) {
	var req AddRecordingRequest
	if err := decodeJSON(r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	info, created, err := s.videos().AddRecording(r.Context(), r.PathValue("id"), req)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	writeJSON(w, status, info)
}

type videoRec struct {
	RecordingInfo
	PathID   string
	Speakers string
	Recorded string
	Room     string
	Pending  bool
	Choices  []option
}

type videoTalk struct {
	ID          string
	PathID      string
	Title       string
	When        string
	Room        string
	DoNotRecord bool
	Recordings  []videoRec
}

type videoView struct {
	Flash       *flash
	Unmatched   []videoRec
	Dismissed   []videoRec
	Talks       []videoTalk
	Options     []option
	Attached    int
	Missing     int // talks without a recording, not marked do not record
	OnlyMissing bool
}

func (s *Server) handleVideoPage(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	sched, loc, err := s.scheduleAndZone(ctx)
	if err != nil {
		s.accessError(w, r, err, identity{}, nil)
		return
	}
	recs, err := s.Store.ListRecordings(ctx)
	if err != nil {
		s.accessError(w, r, err, identity{}, nil)
		return
	}
	sx := newSchedIndex(sched)
	v := videoView{Flash: takeFlash(w, r), Options: talkSearchOptions(sched, loc), OnlyMissing: r.URL.Query().Get("missing") == "1"}
	byTalk := map[string][]videoRec{}
	for _, rec := range recs {
		vr := videoRec{RecordingInfo: recordingInfo(rec), PathID: url.PathEscape(rec.ID), Speakers: strings.Join(rec.Speakers, ", "),
			Recorded: strings.TrimSpace(rec.Recorded + " " + rec.Start), Room: rec.Room}
		switch vr.State {
		case catalog.RecordingAttached:
			byTalk[rec.TalkID] = append(byTalk[rec.TalkID], vr)
			v.Attached++
		case catalog.RecordingDismissed:
			v.Dismissed = append(v.Dismissed, vr)
		default:
			vr.Pending = vr.State == catalog.RecordingPending
			for _, id := range rec.Candidates {
				if t, ok := sx.talks[id]; ok {
					vr.Choices = append(vr.Choices, option{ID: id, Label: talkLabel(t, loc)})
				}
			}
			v.Unmatched = append(v.Unmatched, vr)
		}
	}
	for _, t := range sched.Talks {
		vt := videoTalk{ID: t.ID, PathID: url.PathEscape(t.ID), Title: t.Title, When: venue(loc, t.Start), Room: t.Room, DoNotRecord: t.DoNotRecord, Recordings: byTalk[t.ID]}
		delete(byTalk, t.ID)
		if len(vt.Recordings) == 0 && !t.DoNotRecord {
			v.Missing++
		}
		if v.OnlyMissing && (len(vt.Recordings) > 0 || t.DoNotRecord) {
			continue
		}
		v.Talks = append(v.Talks, vt)
	}
	// Recordings attached to talks the schedule no longer has.
	for id, rs := range byTalk {
		v.Talks = append(v.Talks, videoTalk{ID: id, PathID: url.PathEscape(id), Title: "(talk " + id + " is no longer in the schedule)", Recordings: rs})
	}
	s.render(w, r, http.StatusOK, "video.html", s.staffPage(r, "Recordings", sched.Conference, v))
}

func (s *Server) handleAttachForm(w http.ResponseWriter, r *http.Request) {
	talk, err := s.talkFromQuery(r.Context(), r.PostFormValue("talk"))
	var info RecordingInfo
	if err == nil {
		info, err = s.videos().AttachRecording(r.Context(), r.PathValue("id"), talk)
	}
	s.done(w, r, "/video", err, "%s is attached to talk %s.", cmp.Or(info.Title, info.URL), info.TalkID)
}

func (s *Server) handleDetachForm(w http.ResponseWriter, r *http.Request) {
	info, err := s.videos().DetachRecording(r.Context(), r.PathValue("id"))
	s.done(w, r, "/video", err, "%s is detached; it is listed with the unmatched recordings.", cmp.Or(info.Title, info.URL))
}

func (s *Server) handleDismissForm(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	_, rec, err := s.findItem(ctx, r.PathValue("id"), false, true)
	if err == nil {
		_, err = s.resolveRecording(ctx, rec, ResolveRequest{Untagged: true})
	}
	name := ""
	if rec != nil {
		name = cmp.Or(rec.Title, rec.URL)
	}
	s.done(w, r, "/video", err, "%s is dismissed: it belongs to no talk.", name)
}

func (s *Server) handleAddRecordingForm(w http.ResponseWriter, r *http.Request) {
	talk, err := s.talkFromQuery(r.Context(), r.PostFormValue("talk"))
	var info RecordingInfo
	var created bool
	if err == nil {
		info, created, err = s.videos().AddRecording(r.Context(), talk, AddRecordingRequest{URL: r.PostFormValue("url"), Title: r.PostFormValue("title")})
	}
	what := "attached"
	if created {
		what = "added and attached"
	}
	s.done(w, r, "/video", err, "%s is %s to talk %s.", cmp.Or(info.Title, info.URL), what, talk)
}

// talkSearchOptions lists the schedule's talks for the video page's talk
// fields: each option's value names the talk by title, speakers, time and
// room, ending with its id in brackets, so that typing a word of the title
// or a speaker's name finds it (see talkFromQuery).
func talkSearchOptions(sched catalog.Schedule, loc *time.Location) []option {
	names := make(map[string]string, len(sched.Speakers))
	for _, sp := range sched.Speakers {
		names[sp.ID] = sp.Name
	}
	out := make([]option, 0, len(sched.Talks))
	for _, t := range sched.Talks {
		label := t.Title
		var who []string
		for _, id := range t.SpeakerIDs {
			if n := names[id]; n != "" {
				who = append(who, n)
			}
		}
		if len(who) > 0 {
			label += " — " + strings.Join(who, ", ")
		}
		if rest := strings.TrimPrefix(talkLabel(t, loc), t.Title); rest != "" {
			label += rest
		}
		out = append(out, option{ID: label + " [" + t.ID + "]", Label: label})
	}
	return out
}

// talkFromQuery finds the talk a person named in a talk field: its id, an
// option of talkSearchOptions (ending "[id]"), or words of its title or of
// a speaker's name (compared folded) that only one talk holds. It returns
// Invalid when no talk or several match, naming some of them.
func (s *Server) talkFromQuery(ctx context.Context, q string) (string, error) {
	const op = "web.talkFromQuery"
	q = strings.TrimSpace(q)
	sched, err := s.Store.Schedule(ctx)
	if err != nil {
		return "", err
	}
	if q == "" {
		return "", catalog.E(catalog.Invalid, op, nil, "name a talk: a word of its title or a speaker's name")
	}
	if strings.HasSuffix(q, "]") {
		if i := strings.LastIndex(q, "["); i >= 0 {
			q = q[i+1 : len(q)-1]
		}
	}
	names := make(map[string]string, len(sched.Speakers))
	for _, sp := range sched.Speakers {
		names[sp.ID] = sp.Name
	}
	words := strings.Fields(match.Fold(q))
	var found []catalog.Talk
	for _, t := range sched.Talks {
		if t.ID == q {
			return t.ID, nil
		}
		text := t.Title
		for _, id := range t.SpeakerIDs {
			text += " " + names[id]
		}
		if len(words) > 0 && matchesAll(match.Fold(text), words) {
			found = append(found, t)
		}
	}
	switch len(found) {
	case 1:
		return found[0].ID, nil
	case 0:
		return "", catalog.E(catalog.Invalid, op, nil, "no talk's title or speakers match %q", q)
	}
	var titles []string
	for _, t := range found[:min(len(found), 4)] {
		titles = append(titles, "“"+t.Title+"”")
	}
	return "", catalog.E(catalog.Invalid, op, nil, "%d talks match %q (%s…): add a word", len(found), q, strings.Join(titles, ", "))
}
