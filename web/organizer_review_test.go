package web

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/confmedia/confmedia/catalog"
	"github.com/confmedia/confmedia/pipeline/match"
	"github.com/confmedia/confmedia/workers"
)

// Ids of the review fixtures: two share the prefix "abcdef".
var (
	idNoTime   = "abcdef01" + strings.Repeat("1", 56) // photo, needs review, no capture time
	idOverlap  = "abcdef02" + strings.Repeat("2", 56) // photo, needs review, two talk candidates
	idHeadshot = "cc" + strings.Repeat("3", 62)       // headshot, needs review, speaker candidates
	idFailed   = "dd" + strings.Repeat("4", 62)       // failed
	idTagged   = "ee" + strings.Repeat("5", 62)       // tagged: not in the queue
	idPending  = "ff" + strings.Repeat("6", 62)       // still being processed
	idPeople   = "99" + strings.Repeat("7", 62)       // photo whose people tags name a speaker and an attendee
)

const videoToken = "video-secret"

func dublin(h, m int) time.Time {
	loc, _ := time.LoadLocation("Europe/Dublin")
	return time.Date(2026, 5, 15, h, m, 0, 0, loc)
}

// newReviewServer is a test server with a schedule, media items in every
// state and recordings, and a video token.
func newReviewServer(t *testing.T) (*Server, *fakeQueue, http.Handler) {
	t.Helper()
	s, q, h := newTestServer(t)
	ctx := context.Background()
	if err := s.Store.PutToken(ctx, catalog.Token{Hash: HashToken(videoToken), Role: catalog.RoleVideo, Name: "Vid"}); err != nil {
		t.Fatal(err)
	}
	sched := catalog.Schedule{
		Conference: catalog.Conference{Title: "TestConf", Timezone: "Europe/Dublin"},
		Talks: []catalog.Talk{
			{ID: "t1", Title: "Opening Keynote", Room: "Hall A", Start: dublin(9, 0), End: dublin(9, 45), SpeakerIDs: []string{"zoe-muller"}},
			{ID: "t2", Title: "Packaging in Anger", Room: "Hall A", Start: dublin(10, 0), End: dublin(10, 30), SpeakerIDs: []string{"jane-doe", "raj-patel"}},
			{ID: "t3", Title: "Off the Record", Room: "Hall B", Start: dublin(10, 0), End: dublin(10, 30), SpeakerIDs: []string{"ana-lima"}, DoNotRecord: true},
		},
		Speakers: []catalog.Speaker{{ID: "zoe-muller", Name: "Zoë Müller"}, {ID: "jane-doe", Name: "Jane Doe"}, {ID: "raj-patel", Name: "Raj Patel"}, {ID: "ana-lima", Name: "Ana Lima"}},
	}
	if _, err := s.Store.ReplaceSchedule(ctx, sched); err != nil {
		t.Fatal(err)
	}
	square := func(id string) []catalog.Rendition {
		key := catalog.RenditionKey(id, "square")
		if err := s.Blobs.Put(ctx, key, bytes.NewReader([]byte("jpeg")), 4, "image/jpeg"); err != nil {
			t.Fatal(err)
		}
		return []catalog.Rendition{{Name: "square", Key: key, Width: 1, Height: 1, Bytes: 4}}
	}
	media := []catalog.Media{
		{ID: idNoTime, Kind: catalog.Photo, SourceName: "notime.jpg", Status: catalog.NeedsReview, Reason: "no capture time",
			People: []string{"raj patel"}, Renditions: square(idNoTime)},
		{ID: idOverlap, Kind: catalog.Photo, SourceName: "overlap.jpg", Status: catalog.NeedsReview, Reason: "no room given",
			TakenAt: dublin(10, 10), Candidates: []string{"t2", "t3"}, Camera: "serial:Canon:1", Renditions: square(idOverlap)},
		{ID: idHeadshot, Kind: catalog.Headshot, SourceName: "mystery.jpg", Status: catalog.NeedsReview, Reason: "several speakers match",
			Candidates: []string{"jane-doe", "raj-patel"}, Renditions: square(idHeadshot)},
		{ID: idFailed, Kind: catalog.Photo, SourceName: "broken.jpg", Status: catalog.Failed, Reason: "image data cut short", TakenAt: dublin(9, 30)},
		{ID: idTagged, Kind: catalog.Photo, SourceName: "keynote.jpg", Status: catalog.Tagged, TakenAt: dublin(9, 10),
			TalkIDs: []string{"t1"}, SpeakerIDs: []string{"zoe-muller"}, Renditions: square(idTagged)},
		{ID: idPending, Kind: catalog.Photo, SourceName: "new.jpg", Status: catalog.Pending},
		{ID: idPeople, Kind: catalog.Photo, SourceName: "crowd.jpg", Status: catalog.Untagged, TakenAt: dublin(12, 30),
			People: []string{"Sam Attendee"}, Subjects: []string{"Ana Lima"}, Renditions: square(idPeople)},
	}
	for i := range media {
		if _, err := s.Store.CreateMedia(ctx, &media[i]); err != nil {
			t.Fatal(err)
		}
	}
	recs := []struct {
		rec   catalog.Recording
		state catalog.RecordingState
	}{
		{catalog.Recording{ID: "rec-b", URL: "https://video.example/b", Title: "A Talk Nobody Gave", Reason: "no talk alike", Candidates: []string{"t2"}}, catalog.RecordingUnmatched},
		{catalog.Recording{ID: "rec-a", URL: "https://video.example/a", Title: "Fresh"}, catalog.RecordingPending},
		{catalog.Recording{ID: "rec-c", URL: "https://video.example/c", Title: "Opening Keynote", TalkID: "t1"}, catalog.RecordingAttached},
	}
	for _, r := range recs {
		if _, err := s.Store.PutRecording(ctx, &r.rec); err != nil {
			t.Fatal(err)
		}
		if err := s.Store.UpdateRecording(ctx, r.rec.ID, func(x *catalog.Recording) error {
			x.State, x.TalkID, x.Reason, x.Candidates = r.state, r.rec.TalkID, r.rec.Reason, r.rec.Candidates
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	return s, q, h
}

func postJSON(t *testing.T, h http.Handler, path, token string, v any) *answer {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	rec := do(t, h, "POST", path, token, b)
	return &answer{Code: rec.Code, Body: rec.Body.String()}
}

// answer is a response's status and body.
type answer struct {
	Code int
	Body string
}

func TestReviewRoles(t *testing.T) {
	_, _, h := newReviewServer(t)
	tests := []struct {
		method, path, token string
		body                any
		want                int
	}{
		{"GET", "/api/review", "", nil, 401},
		{"GET", "/api/review", "photo-secret", nil, 403},
		{"GET", "/api/review", videoToken, nil, 200},
		{"GET", "/api/review", adminToken, nil, 200},
		{"POST", "/api/review/rec-b/resolve", "photo-secret", ResolveRequest{Hide: true}, 403},
		{"POST", "/api/review/" + idNoTime + "/resolve", videoToken, ResolveRequest{Untagged: true}, 403},
		{"POST", "/api/review/rec-b/resolve", videoToken, ResolveRequest{Talk: "t2"}, 200},
		{"POST", "/api/review/" + idNoTime + "/resolve", adminToken, ResolveRequest{Untagged: true}, 200},
		{"POST", "/api/media/" + idTagged + "/hide", "photo-secret", HideRequest{}, 403},
		{"POST", "/api/media/" + idTagged + "/hide", videoToken, HideRequest{}, 403},
		{"POST", "/api/optouts", "photo-secret", OptOutRequest{Name: "Jane Doe"}, 403},
		{"POST", "/api/optouts", videoToken, OptOutRequest{Name: "Jane Doe"}, 403},
		{"GET", "/api/optouts", videoToken, nil, 403},
		{"GET", "/api/optouts", adminToken, nil, 200},
		{"DELETE", "/api/optouts/Jane%20Doe", "photo-secret", nil, 403},
	}
	for _, tt := range tests {
		var body []byte
		if tt.body != nil {
			body, _ = json.Marshal(tt.body)
		}
		rec := do(t, h, tt.method, tt.path, tt.token, body)
		if rec.Code != tt.want {
			t.Errorf("%s %s with %q: %d, want %d (%s)", tt.method, tt.path, tt.token, rec.Code, tt.want, rec.Body)
		}
	}
}

func reviewList(t *testing.T, h http.Handler, token string) ReviewList {
	t.Helper()
	rec := do(t, h, "GET", "/api/review", token, nil)
	var list ReviewList
	if err := json.Unmarshal(rec.Body.Bytes(), &list); err != nil || rec.Code != 200 {
		t.Fatalf("review list: %d %s (%v)", rec.Code, rec.Body, err)
	}
	return list
}

func TestReviewList(t *testing.T) {
	_, _, h := newReviewServer(t)
	list := reviewList(t, h, adminToken)
	var got []string
	for _, it := range list.Items {
		got = append(got, it.Type+":"+it.ID+":"+it.Status)
	}
	// Media by capture time (unknown last) then id, then recordings by id;
	// tagged, untagged, pending media and attached recordings are not listed.
	want := []string{
		"media:" + idFailed + ":failed",
		"media:" + idOverlap + ":needs_review",
		"media:" + idNoTime + ":needs_review",
		"media:" + idHeadshot + ":needs_review",
		"recording:rec-a:pending",
		"recording:rec-b:unmatched",
	}
	if !slices.Equal(got, want) {
		t.Fatalf("queue = %v\nwant %v", got, want)
	}
	overlap, head, pending, unmatched := list.Items[1], list.Items[3], list.Items[4], list.Items[5]
	if overlap.TakenAt != "2026-05-15T10:10:00+01:00" || overlap.Kind != catalog.Photo || overlap.SourceName != "overlap.jpg" ||
		overlap.Reason != "no room given" || overlap.Camera != "serial:Canon:1" ||
		overlap.Thumbnail != "http://example.test/api/media/"+idOverlap+"/renditions/square" {
		t.Errorf("overlap.jpg = %+v", overlap)
	}
	wantTalks := []ReviewCandidate{
		{ID: "t2", Title: "Packaging in Anger", Start: "2026-05-15T10:00:00+01:00", Room: "Hall A"},
		{ID: "t3", Title: "Off the Record", Start: "2026-05-15T10:00:00+01:00", Room: "Hall B"},
	}
	if !slices.Equal(overlap.Candidates, wantTalks) {
		t.Errorf("overlap.jpg candidates = %+v, want %+v", overlap.Candidates, wantTalks)
	}
	if wantSp := []ReviewCandidate{{ID: "jane-doe", Name: "Jane Doe"}, {ID: "raj-patel", Name: "Raj Patel"}}; !slices.Equal(head.Candidates, wantSp) {
		t.Errorf("headshot candidates = %+v, want %+v", head.Candidates, wantSp)
	}
	if !pending.Pending || pending.Reason != "not matched yet" || pending.URL != "https://video.example/a" {
		t.Errorf("pending recording = %+v", pending)
	}
	if unmatched.Pending || unmatched.Title != "A Talk Nobody Gave" || unmatched.Reason != "no talk alike" || len(unmatched.Candidates) != 1 || unmatched.Candidates[0].Title != "Packaging in Anger" {
		t.Errorf("unmatched recording = %+v", unmatched)
	}
	if f := list.Items[0]; f.Thumbnail != "" || f.Candidates == nil {
		t.Errorf("failed item = %+v, want no thumbnail and an empty candidate list", f)
	}

	// The video role sees only recordings.
	got = nil
	for _, it := range reviewList(t, h, videoToken).Items {
		got = append(got, it.Type+":"+it.ID)
	}
	if want := []string{"recording:rec-a", "recording:rec-b"}; !slices.Equal(got, want) {
		t.Errorf("video queue = %v, want %v", got, want)
	}
}

func TestResolveMedia(t *testing.T) {
	tests := []struct {
		name     string
		id       string
		req      ResolveRequest
		optout   string // a name opted out before the decision
		code     int
		errHas   string
		status   catalog.Status
		talks    []string
		speakers []string
		reason   string
	}{
		{name: "photo talk, people tags name a speaker", id: idNoTime, req: ResolveRequest{Talk: "t2"},
			code: 200, status: catalog.Tagged, talks: []string{"t2"}, speakers: []string{"raj-patel"}},
		{name: "photo talk, nobody named", id: idOverlap, req: ResolveRequest{Talk: "t2"},
			code: 200, status: catalog.Tagged, talks: []string{"t2"}, speakers: []string{"jane-doe", "raj-patel"}},
		{name: "correct a tagged photo", id: idTagged, req: ResolveRequest{Talk: "t2"},
			code: 200, status: catalog.Tagged, talks: []string{"t2"}, speakers: []string{"jane-doe", "raj-patel"}},
		{name: "photo unknown talk", id: idNoTime, req: ResolveRequest{Talk: "nope"}, code: 400, errHas: `unknown talk \"nope\"`},
		{name: "photo speaker", id: idNoTime, req: ResolveRequest{Speaker: "jane-doe"}, code: 400, errHas: "notime.jpg is a photo"},
		{name: "headshot speaker by folded name", id: idHeadshot, req: ResolveRequest{Speaker: "zoe MULLER"},
			code: 200, status: catalog.Tagged, talks: []string{"t1"}, speakers: []string{"zoe-muller"}},
		{name: "headshot speaker by id", id: idHeadshot, req: ResolveRequest{Speaker: "raj-patel"},
			code: 200, status: catalog.Tagged, talks: []string{"t2"}, speakers: []string{"raj-patel"}},
		{name: "headshot unknown speaker", id: idHeadshot, req: ResolveRequest{Speaker: "Nobody"}, code: 400, errHas: `unknown speaker \"Nobody\"`},
		{name: "headshot talk", id: idHeadshot, req: ResolveRequest{Talk: "t1"}, code: 400, errHas: "mystery.jpg is a headshot"},
		{name: "untagged", id: idOverlap, req: ResolveRequest{Untagged: true}, code: 200, status: catalog.Untagged, talks: []string{}, speakers: []string{}},
		{name: "headshot untagged", id: idHeadshot, req: ResolveRequest{Untagged: true}, code: 200, status: catalog.Untagged, talks: []string{}, speakers: []string{}},
		{name: "hide", id: idNoTime, req: ResolveRequest{Hide: true}, code: 200, status: catalog.Hidden, reason: "hidden by reviewer", talks: []string{}, speakers: []string{}},
		{name: "failed can be hidden", id: idFailed, req: ResolveRequest{Hide: true}, code: 200, status: catalog.Hidden, reason: "hidden by reviewer", talks: []string{}, speakers: []string{}},
		{name: "failed cannot be tagged", id: idFailed, req: ResolveRequest{Talk: "t1"}, code: 400, errHas: "broken.jpg failed (image data cut short)"},
		{name: "pending", id: idPending, req: ResolveRequest{Talk: "t1"}, code: 409, errHas: "new.jpg is still being processed"},
		{name: "no decision", id: idNoTime, req: ResolveRequest{}, code: 400, errHas: "exactly one of"},
		{name: "two decisions", id: idNoTime, req: ResolveRequest{Talk: "t1", Hide: true}, code: 400, errHas: "exactly one of"},
		{name: "unique prefix", id: idNoTime[:8], req: ResolveRequest{Talk: "t1"},
			code: 200, status: catalog.Tagged, talks: []string{"t1"}, speakers: []string{"zoe-muller"}},
		{name: "upper-case prefix", id: strings.ToUpper(idHeadshot[:10]), req: ResolveRequest{Speaker: "Jane Doe"},
			code: 200, status: catalog.Tagged, talks: []string{"t2"}, speakers: []string{"jane-doe"}},
		{name: "ambiguous prefix", id: "abcdef", req: ResolveRequest{Talk: "t1"}, code: 400, errHas: idNoTime + " (notime.jpg), " + idOverlap + " (overlap.jpg)"},
		{name: "short prefix", id: "abcde", req: ResolveRequest{Talk: "t1"}, code: 400, errHas: "at least 6 characters"},
		{name: "unknown id", id: "0123456789", req: ResolveRequest{Talk: "t1"}, code: 404, errHas: `no media item or recording \"0123456789\"`},
		{name: "talk of an opted-out speaker hides", id: idOverlap, req: ResolveRequest{Talk: "t1"}, optout: "Zoe Muller",
			code: 200, status: catalog.Hidden, reason: "Zoe Muller opted out of photos", talks: []string{"t1"}, speakers: []string{"zoe-muller"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _, h := newReviewServer(t)
			ctx := context.Background()
			if tt.optout != "" {
				if err := s.Store.PutOptOut(ctx, catalog.OptOut{Name: tt.optout, SpeakerID: "zoe-muller"}); err != nil {
					t.Fatal(err)
				}
			}
			before, _ := s.Store.Media(ctx, strings.ToLower(tt.id))
			resp := postJSON(t, h, "/api/review/"+tt.id+"/resolve", adminToken, tt.req)
			if resp.Code != tt.code || !strings.Contains(resp.Body, tt.errHas) {
				t.Fatalf("%d %s, want %d containing %q", resp.Code, resp.Body, tt.code, tt.errHas)
			}
			if tt.code != 200 {
				if before != nil {
					after, _ := s.Store.Media(ctx, before.ID)
					if after.Status != before.Status || after.Decided {
						t.Errorf("a refused decision changed the item: %s decided=%v", after.Status, after.Decided)
					}
				}
				return
			}
			var got DecidedItem
			if err := json.Unmarshal([]byte(resp.Body), &got); err != nil {
				t.Fatal(err)
			}
			if got.Type != "media" || got.Status != string(tt.status) || !slices.Equal(got.TalkIDs, tt.talks) ||
				!slices.Equal(got.SpeakerIDs, tt.speakers) || got.Reason != tt.reason || got.DecidedBy != "admin" {
				t.Errorf("answer = %+v, want %s talks %v speakers %v reason %q by admin", got, tt.status, tt.talks, tt.speakers, tt.reason)
			}
			m, err := s.Store.Media(ctx, got.ID)
			if err != nil {
				t.Fatal(err)
			}
			if !m.Decided || m.DecidedBy != "admin" || !m.DecidedAt.Equal(s.now()) || m.Status != tt.status || len(m.Candidates) != 0 {
				t.Errorf("stored = status %s decided %v by %q at %v candidates %v", m.Status, m.Decided, m.DecidedBy, m.DecidedAt, m.Candidates)
			}
			_, blobErr := s.Blobs.Stat(ctx, catalog.RenditionKey(m.ID, "square"))
			if tt.status == catalog.Hidden {
				if len(m.Renditions) != 0 || before.Renditions != nil && !catalog.IsNotFound(blobErr) {
					t.Errorf("hidden item keeps renditions %v (bucket: %v)", m.Renditions, blobErr)
				}
			} else if blobErr != nil {
				t.Errorf("rendition gone from the bucket: %v", blobErr)
			}
		})
	}
}

func TestResolveRecording(t *testing.T) {
	tests := []struct {
		name   string
		id     string
		token  string
		req    ResolveRequest
		code   int
		errHas string
		state  catalog.RecordingState
		talk   string
		by     string
	}{
		{name: "attach", id: "rec-b", token: adminToken, req: ResolveRequest{Talk: "t2"}, code: 200, state: catalog.RecordingAttached, talk: "t2", by: "admin"},
		{name: "attach by the video role", id: "rec-b", token: videoToken, req: ResolveRequest{Talk: "t1"}, code: 200, state: catalog.RecordingAttached, talk: "t1", by: "Vid"},
		{name: "attach a pending one", id: "rec-a", token: adminToken, req: ResolveRequest{Talk: "t1"}, code: 200, state: catalog.RecordingAttached, talk: "t1", by: "admin"},
		{name: "move an attached one", id: "rec-c", token: adminToken, req: ResolveRequest{Talk: "t2"}, code: 200, state: catalog.RecordingAttached, talk: "t2", by: "admin"},
		{name: "do not record", id: "rec-b", token: adminToken, req: ResolveRequest{Talk: "t3"}, code: 400, errHas: "talk t3 (Off the Record) is marked do not record"},
		{name: "unknown talk", id: "rec-b", token: adminToken, req: ResolveRequest{Talk: "t9"}, code: 400, errHas: `unknown talk \"t9\"`},
		{name: "speaker", id: "rec-b", token: adminToken, req: ResolveRequest{Speaker: "jane-doe"}, code: 400, errHas: "give the talk it shows, not a speaker"},
		{name: "hide dismisses", id: "rec-b", token: adminToken, req: ResolveRequest{Hide: true}, code: 200, state: catalog.RecordingDismissed, by: "admin"},
		{name: "untagged dismisses", id: "rec-c", token: videoToken, req: ResolveRequest{Untagged: true}, code: 200, state: catalog.RecordingDismissed, by: "Vid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _, h := newReviewServer(t)
			resp := postJSON(t, h, "/api/review/"+tt.id+"/resolve", tt.token, tt.req)
			if resp.Code != tt.code || !strings.Contains(resp.Body, tt.errHas) {
				t.Fatalf("%d %s, want %d containing %q", resp.Code, resp.Body, tt.code, tt.errHas)
			}
			r, err := s.Store.Recording(context.Background(), tt.id)
			if err != nil {
				t.Fatal(err)
			}
			if tt.code != 200 {
				if r.Decided {
					t.Errorf("a refused decision was stored: %+v", r)
				}
				return
			}
			var got DecidedItem
			if err := json.Unmarshal([]byte(resp.Body), &got); err != nil {
				t.Fatal(err)
			}
			wantTalks := []string{}
			if tt.talk != "" {
				wantTalks = []string{tt.talk}
			}
			if got.Type != "recording" || got.Status != string(tt.state) || !slices.Equal(got.TalkIDs, wantTalks) || got.DecidedBy != tt.by {
				t.Errorf("answer = %+v, want %s %v by %s", got, tt.state, wantTalks, tt.by)
			}
			if !r.Decided || r.DecidedBy != tt.by || r.State != tt.state || r.TalkID != tt.talk || len(r.Candidates) != 0 {
				t.Errorf("stored = %+v", r)
			}
			if tt.talk != "" && r.Reason != "" {
				t.Errorf("attached recording keeps reason %q", r.Reason)
			}
		})
	}
}

// TestDecisionSticks re-tags decided items with a schedule that would tag
// them otherwise: the workers' rule keeps a person's decision.
func TestDecisionSticks(t *testing.T) {
	s, _, h := newReviewServer(t)
	ctx := context.Background()
	for id, req := range map[string]ResolveRequest{
		idOverlap:  {Talk: "t1"},
		idHeadshot: {Speaker: "Jane Doe"},
		idPeople:   {Untagged: true},
	} {
		if resp := postJSON(t, h, "/api/review/"+id+"/resolve", adminToken, req); resp.Code != 200 {
			t.Fatalf("resolve %s: %d %s", id, resp.Code, resp.Body)
		}
	}
	sched, err := s.Store.Schedule(ctx)
	if err != nil {
		t.Fatal(err)
	}
	idx, err := match.NewIndex(sched)
	if err != nil {
		t.Fatal(err)
	}
	for id, want := range map[string][]string{idOverlap: {"t1"}, idHeadshot: {"t2"}, idPeople: nil} {
		m, _ := s.Store.Media(ctx, id)
		status := m.Status
		workers.Decide(m, idx, 0, nil, nil)
		if m.Status != status || !slices.Equal(m.TalkIDs, want) {
			t.Errorf("%s after re-tagging: %s %v, want %s %v", m.SourceName, m.Status, m.TalkIDs, status, want)
		}
	}
}

func TestHide(t *testing.T) {
	s, _, h := newReviewServer(t)
	ctx := context.Background()
	if rec := do(t, h, "POST", "/api/publish", adminToken, nil); rec.Code != 200 {
		t.Fatalf("publish: %d %s", rec.Code, rec.Body)
	}
	tests := []struct {
		name   string
		id     string
		body   string
		code   int
		reason string
	}{
		{"default reason, no body", idTagged, "", 200, "taken down on request"},
		{"again, with a reason", idTagged, `{"reason": "asked by the speaker"}`, 200, "asked by the speaker"},
		{"by prefix", idPeople[:7], `{}`, 200, "taken down on request"},
		{"pending item", idPending, `{"reason":"wrong event"}`, 200, "wrong event"},
		{"unknown", strings.Repeat("0", 64), "", 404, ""},
		{"bad body", idTagged, `{"reason":`, 400, ""},
	}
	for _, tt := range tests {
		rec := do(t, h, "POST", "/api/media/"+tt.id+"/hide", adminToken, []byte(tt.body))
		if rec.Code != tt.code {
			t.Errorf("%s: %d %s, want %d", tt.name, rec.Code, rec.Body, tt.code)
			continue
		}
		if tt.code != 200 {
			continue
		}
		var got DecidedItem
		if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil || got.Status != "hidden" || got.Reason != tt.reason {
			t.Errorf("%s: answer %s (%v), want hidden with reason %q", tt.name, rec.Body, err, tt.reason)
		}
	}
	m, _ := s.Store.Media(ctx, idTagged)
	if m.Status != catalog.Hidden || !m.Decided || len(m.Renditions) != 0 {
		t.Errorf("hidden item stored as %s decided=%v renditions %v", m.Status, m.Decided, m.Renditions)
	}
	if _, err := s.Blobs.Stat(ctx, catalog.RenditionKey(idTagged, "square")); !catalog.IsNotFound(err) {
		t.Errorf("rendition still in the bucket: %v", err)
	}
	if rec := do(t, h, "GET", "/public/media/"+idTagged+"/square.jpg", "", nil); rec.Code != 404 {
		t.Errorf("rendition URL answers %d, want 404", rec.Code)
	}
	rec := do(t, h, "GET", "/public/catalog.json", "", nil)
	if strings.Contains(rec.Body.String(), idTagged) || strings.Contains(rec.Body.String(), idPeople) {
		t.Errorf("the published catalog still lists a hidden item")
	}
}

func TestOptOuts(t *testing.T) {
	s, q, h := newReviewServer(t)
	ctx := context.Background()
	tests := []struct {
		name    string
		req     OptOutRequest
		code    int
		errHas  string
		speaker string
	}{
		{"speaker by folded name", OptOutRequest{Name: "  raj   PATEL ", Reason: "asked by email"}, 200, "", "raj-patel"},
		{"attendee", OptOutRequest{Name: "Sam Attendee"}, 200, "", ""},
		{"empty", OptOutRequest{Name: " - "}, 400, "needs the person's name", ""},
	}
	for _, tt := range tests {
		resp := postJSON(t, h, "/api/optouts", adminToken, tt.req)
		if resp.Code != tt.code || !strings.Contains(resp.Body, tt.errHas) {
			t.Errorf("%s: %d %s, want %d containing %q", tt.name, resp.Code, resp.Body, tt.code, tt.errHas)
			continue
		}
		if tt.code != 200 {
			continue
		}
		var got OptOutResponse
		if err := json.Unmarshal([]byte(resp.Body), &got); err != nil {
			t.Fatal(err)
		}
		// Every processed item that tagging may change is queued: the
		// tagged, untagged and needs_review ones (not failed or pending).
		if got.OptOut.SpeakerID != tt.speaker || got.Retagged != 5 || got.OptOut.Created.IsZero() {
			t.Errorf("%s: %+v, want speaker %q and 5 items re-tagged", tt.name, got, tt.speaker)
		}
	}
	if len(q.tags) != 10 {
		t.Errorf("%d re-tag tasks, want 10", len(q.tags))
	}

	rec := do(t, h, "GET", "/api/optouts", adminToken, nil)
	var list OptOutList
	if err := json.Unmarshal(rec.Body.Bytes(), &list); err != nil || len(list.OptOuts) != 2 ||
		list.OptOuts[0].Name != "Sam Attendee" || list.OptOuts[1].Name != "raj PATEL" || list.OptOuts[1].Reason != "asked by email" {
		t.Errorf("list = %s (%v)", rec.Body, err)
	}

	// What the workers do with them: the speaker's headshot, photos tagged
	// with the speaker and photos naming the attendee are hidden.
	optouts, _ := s.Store.OptOuts(ctx)
	sched, _ := s.Store.Schedule(ctx)
	idx, err := match.NewIndex(sched)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		m    catalog.Media
		want catalog.Status
	}{
		{catalog.Media{Kind: catalog.Headshot, SourceName: "Patel_Raj.jpg", Status: catalog.NeedsReview}, catalog.Hidden},
		{catalog.Media{Kind: catalog.Headshot, SourceName: "x.jpg", Status: catalog.Tagged, SpeakerIDs: []string{"raj-patel"}, Decided: true}, catalog.Hidden},
		{catalog.Media{Kind: catalog.Photo, SourceName: "t2.jpg", Status: catalog.Tagged, Room: "Hall A", TakenAt: dublin(10, 5),
			CameraTime: catalog.CameraTime{Wall: time.Date(2026, 5, 15, 10, 5, 0, 0, time.UTC)}}, catalog.Hidden},
		{catalog.Media{Kind: catalog.Photo, SourceName: "crowd.jpg", Status: catalog.Untagged, People: []string{"sam attendee"}}, catalog.Hidden},
		{catalog.Media{Kind: catalog.Headshot, SourceName: "Doe_Jane.jpg", Status: catalog.NeedsReview}, catalog.Tagged},
	} {
		m := tt.m
		workers.Decide(&m, idx, 0, optouts, nil)
		if m.Status != tt.want {
			t.Errorf("%s with the opt-outs: %s (%s), want %s", m.SourceName, m.Status, m.Reason, tt.want)
		}
	}

	// Removing an opt-out: by folded name; what it hid stays hidden.
	rec = do(t, h, "DELETE", "/api/optouts/Raj%20Patel", adminToken, nil)
	var rm OptOutRemoved
	if err := json.Unmarshal(rec.Body.Bytes(), &rm); err != nil || rec.Code != 200 || rm.Name != "raj PATEL" || !strings.Contains(rm.Note, "stay hidden") {
		t.Errorf("remove: %d %s", rec.Code, rec.Body)
	}
	if rec := do(t, h, "DELETE", "/api/optouts/Raj%20Patel", adminToken, nil); rec.Code != 404 {
		t.Errorf("remove again: %d %s, want 404", rec.Code, rec.Body)
	}
}

func TestOptOutSharedSpeakerName(t *testing.T) {
	s, _, h := newReviewServer(t)
	sched, _ := s.Store.Schedule(context.Background())
	sched.Speakers = append(sched.Speakers, catalog.Speaker{ID: "jane-doe-2", Name: "Jane Doe"})
	sched.Talks[0].SpeakerIDs = append(sched.Talks[0].SpeakerIDs, "jane-doe-2")
	if _, err := s.Store.ReplaceSchedule(context.Background(), sched); err != nil {
		t.Fatal(err)
	}
	resp := postJSON(t, h, "/api/optouts", adminToken, OptOutRequest{Name: "Jane Doe"})
	if resp.Code != 400 || !strings.Contains(resp.Body, "jane-doe, jane-doe-2") {
		t.Errorf("shared name: %d %s, want 400 naming both speakers", resp.Code, resp.Body)
	}
}

// TestResolveDerivesCameraOffset resolves photos with a camera to a talk:
// the camera's offset is derived when one is plausible, and the decision
// stands with a note when none is.
func TestResolveDerivesCameraOffset(t *testing.T) {
	tests := []struct {
		name    string
		wall    time.Time
		changed bool
		offset  time.Duration
		noteHas string
	}{
		{"an hour behind", time.Date(2026, 5, 15, 9, 10, 0, 0, time.UTC), true, time.Hour, ""},
		{"already right", time.Date(2026, 5, 15, 10, 10, 0, 0, time.UTC), false, 0, ""},
		{"a day off, inside the conference's margin", time.Date(2026, 5, 14, 10, 10, 0, 0, time.UTC), false, 0, "camera clock offset not derived: no clock offset within"},
		{"days off: a clock never set", time.Date(2026, 5, 12, 10, 10, 0, 0, time.UTC), true, 72 * time.Hour, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, q, h := newReviewServer(t)
			ctx := context.Background()
			if err := s.Store.UpdateMedia(ctx, idOverlap, func(m *catalog.Media) error {
				m.Room, m.CameraTime = "Hall A", catalog.CameraTime{Wall: tt.wall, Source: "exif"}
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			resp := postJSON(t, h, "/api/review/"+idOverlap+"/resolve", adminToken, ResolveRequest{Talk: "t2"})
			var got DecidedItem
			if err := json.Unmarshal([]byte(resp.Body), &got); err != nil || resp.Code != 200 {
				t.Fatalf("%d %s (%v)", resp.Code, resp.Body, err)
			}
			if got.Status != "tagged" || got.CameraOffsetChanged != tt.changed || !strings.Contains(got.CameraNote, tt.noteHas) || (tt.noteHas == "") != (got.CameraNote == "") {
				t.Errorf("answer %+v, want tagged, offset changed %v, note containing %q", got, tt.changed, tt.noteHas)
			}
			cam, err := s.Store.Camera(ctx, "serial:Canon:1")
			if tt.changed {
				if err != nil || cam.Offset != tt.offset {
					t.Errorf("camera = %+v (%v), want offset %s", cam, err, tt.offset)
				}
				if !slices.Contains(q.tags, idOverlap) {
					t.Errorf("the camera's photos were not re-tagged: %v", q.tags)
				}
			} else if err == nil && cam.Offset != 0 {
				t.Errorf("camera offset changed to %s", cam.Offset)
			}
		})
	}
}
