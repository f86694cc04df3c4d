package web

// The video team's page and the JSON routes its work needs: attaching,
// detaching and adding recordings. The page is plain HTML forms posting to
// page routes, as the organizers' pages are (see organizer_pages.go).

import (
	"cmp"
	"net/http"
	"net/url"
	"strings"

	"github.com/confmedia/confmedia/catalog"
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
	v := videoView{Flash: takeFlash(w, r), Options: talkOptions(sched, loc), OnlyMissing: r.URL.Query().Get("missing") == "1"}
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
	info, err := s.videos().AttachRecording(r.Context(), r.PathValue("id"), r.PostFormValue("talk"))
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
	talk := strings.TrimSpace(r.PostFormValue("talk"))
	info, created, err := s.videos().AddRecording(r.Context(), talk, AddRecordingRequest{URL: r.PostFormValue("url"), Title: r.PostFormValue("title")})
	what := "attached"
	if created {
		what = "added and attached"
	}
	s.done(w, r, "/video", err, "%s is %s to talk %s.", cmp.Or(info.Title, info.URL), what, talk)
}
