package web

import (
	"context"
	"encoding/json"
	"errors"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/confmedia/confmedia/catalog"
	"github.com/confmedia/confmedia/pipeline/recording"
)

// browser is a logged-in browser: it keeps cookies, sends the CSRF token
// its pages carry, and follows redirects itself.
type browser struct {
	t       *testing.T
	s       *Server
	h       http.Handler
	cookies map[string]*http.Cookie
}

func newBrowser(t *testing.T, s *Server, h http.Handler, secret string) *browser {
	b := &browser{t: t, s: s, h: h, cookies: map[string]*http.Cookie{}}
	b.login(secret)
	return b
}

func (b *browser) do(req *http.Request) *httptest.ResponseRecorder {
	for _, c := range b.cookies {
		req.AddCookie(c)
	}
	rec := httptest.NewRecorder()
	b.h.ServeHTTP(rec, req)
	for _, c := range rec.Result().Cookies() {
		if c.MaxAge < 0 {
			delete(b.cookies, c.Name)
		} else {
			b.cookies[c.Name] = c
		}
	}
	return rec
}

func (b *browser) get(path string) *httptest.ResponseRecorder {
	return b.do(httptest.NewRequest("GET", path, nil))
}

func (b *browser) csrf() string {
	c := b.cookies[sessionCookie]
	if c == nil {
		return ""
	}
	return b.s.csrfFor(c.Value)
}

// post submits a form as a page would, with the CSRF field, and returns
// the answer and, for a redirect, the page it leads to.
func (b *browser) post(path string, form url.Values) (*httptest.ResponseRecorder, *httptest.ResponseRecorder) {
	b.t.Helper()
	form.Set(csrfField, b.csrf())
	req := httptest.NewRequest("POST", path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := b.do(req)
	if rec.Code != http.StatusSeeOther {
		return rec, nil
	}
	return rec, b.get(rec.Header().Get("Location"))
}

// api calls the JSON API as the page's scripts do, with the CSRF header.
func (b *browser) api(method, path, body string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	req.Header.Set(csrfHeader, b.csrf())
	return b.do(req)
}

func mustContain(t *testing.T, what, body string, wants ...string) {
	t.Helper()
	body = html.UnescapeString(body)
	for _, w := range wants {
		if !strings.Contains(body, w) {
			t.Errorf("%s lacks %q", what, w)
		}
	}
}

// statsQueue is a fakeQueue with stats to show.
type statsQueue struct {
	fakeQueue
	stats catalog.QueueStats
	err   error
}

func (q *statsQueue) Stats(context.Context) (catalog.QueueStats, error) { return q.stats, q.err }

func TestStatusPage(t *testing.T) {
	s, h := newAccessServer(t)
	q := &statsQueue{stats: catalog.QueueStats{Pending: 3, Archived: 1,
		Queues: []catalog.QueueDepth{{Queue: "headshots", Pending: 1}, {Queue: "photos", Pending: 2, Archived: 1}},
		Failed: []catalog.FailedTask{{Type: "media:process", Queue: "photos", Subject: "cafe01", Error: "not a JPEG", At: testNow}},
	}}
	s.Queue = q
	b := newBrowser(t, s, h, adminToken)
	rec := b.get("/admin")
	if rec.Code != 200 {
		t.Fatalf("status page: %d %s", rec.Code, rec.Body)
	}
	body := rec.Body.String()
	mustContain(t, "status page", body,
		`name="viewport"`, `data-queue="photos"`, "not a JPEG", "cafe01",
		`id="storage-total">3.2 KiB<`, // 1000 + 2000 bytes of originals, 300 of renditions
		"originals 2.9 KiB", "renditions 300 B",
		`data-status="needs review">1<`, `data-status="tagged">1<`,
		`data-state="unmatched">1<`, `data-state="attached">1<`,
		`href="/admin/queues/"`, "Review queue (2)", `name="csrf-token"`)

	q.err = catalog.E(catalog.Unavailable, "test", nil, "redis is down")
	body = b.get("/admin").Body.String()
	mustContain(t, "status page without redis", body, `id="queue-error"`, "redis is down", `data-status="tagged">1<`)

	s.QueueDashboard = nil
	if rec := b.get("/admin/queues/"); rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/admin#queues" {
		t.Errorf("no dashboard: %d to %q, want the status page's queue table", rec.Code, rec.Header().Get("Location"))
	}
}

func TestPublishAndTakedownForms(t *testing.T) {
	s, h := newAccessServer(t)
	b := newBrowser(t, s, h, adminToken)
	_, page := b.post("/admin/publish", url.Values{})
	mustContain(t, "after publish", page.Body.String(), `data-testid="flash"`, "Published 3 talks")
	if _, err := s.Blobs.Stat(context.Background(), catalog.CatalogKey); err != nil {
		t.Errorf("publish form: no catalog in the bucket: %v", err)
	}
	_, page = b.post("/admin/hide", url.Values{"id": {"http://example.test/public/media/" + mediaTagged + "/large.jpg"}, "reason": {"asked by the speaker"}})
	mustContain(t, "after takedown", page.Body.String(), "tagged.jpg is taken down (asked by the speaker)")
	m, _ := s.Store.Media(context.Background(), mediaTagged)
	if m.Status != catalog.Hidden || len(m.Renditions) != 0 || m.DecidedBy != "admin" {
		t.Errorf("taken down: %+v", m)
	}
	_, page = b.post("/admin/hide", url.Values{"id": {"nothing"}})
	mustContain(t, "takedown of nothing", page.Body.String(), `class="flash error"`, "no media item")
}

func TestReviewPage(t *testing.T) {
	s, h := newAccessServer(t)
	ctx := context.Background()
	if err := s.Store.UpdateMedia(ctx, mediaReview, func(m *catalog.Media) error {
		m.Renditions = []catalog.Rendition{{Name: "square", Key: catalog.RenditionKey(mediaReview, "square"), Width: 400, Height: 400}}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t, s, h, adminToken)
	body := b.get("/review").Body.String()
	mustContain(t, "review page", body,
		`data-id="`+mediaReview+`"`, `src="http://example.test/api/media/`+mediaReview+`/renditions/square"`,
		"two talks in the room then", `data-choice="t1"`, "Keynote · Fri 15 May 09:00 · Hall A",
		`data-id="`+recUnmatched+`"`, "two talks fit", `<datalist id="talk-list">`, `data-testid="hide"`)

	_, page := b.post("/review/"+mediaReview+"/resolve", url.Values{"talk": {"t2"}})
	mustContain(t, "after resolving", page.Body.String(), "review.jpg is tagged with “Panel”")
	if strings.Contains(page.Body.String(), `data-id="`+mediaReview+`"`) {
		t.Error("the decided item is still in the queue")
	}
	m, _ := s.Store.Media(ctx, mediaReview)
	if m.Status != catalog.Tagged || len(m.TalkIDs) != 1 || m.TalkIDs[0] != "t2" || !m.Decided || m.DecidedBy != "admin" {
		t.Errorf("resolved item: %+v", m)
	}

	// The recording in the queue is decided the same way.
	_, page = b.post("/review/"+recUnmatched+"/resolve", url.Values{"untagged": {"1"}})
	mustContain(t, "after dismissing", page.Body.String(), "Keynote video is dismissed")
	// A bad decision comes back as an error message.
	_, page = b.post("/review/"+mediaTagged+"/resolve", url.Values{"talk": {"nope"}})
	mustContain(t, "bad decision", page.Body.String(), `class="flash error"`, "unknown talk")
	// Hide.
	_, page = b.post("/review/"+mediaTagged+"/resolve", url.Values{"hide": {"1"}})
	mustContain(t, "after hiding", page.Body.String(), "tagged.jpg is hidden")
	// The flash is shown once.
	if strings.Contains(b.get("/review").Body.String(), `data-testid="flash"`) {
		t.Error("the message is shown again")
	}
}

func TestCamerasPage(t *testing.T) {
	s, h := newAccessServer(t)
	ctx := context.Background()
	const nikon = "serial:Nikon:9"
	// Four photos in Hall A an hour before the keynote by the camera's
	// clock: +1h puts them in it.
	for i, min := range []int{10, 20, 30, 40} {
		id := strings.Repeat(string(rune('c'+i)), 64)
		if _, err := s.Store.CreateMedia(ctx, &catalog.Media{ID: id, Kind: catalog.Photo, SourceName: "n.jpg", Room: "Hall A", Status: catalog.Pending}); err != nil {
			t.Fatal(err)
		}
		if err := s.Store.UpdateMedia(ctx, id, func(m *catalog.Media) error {
			m.Status, m.Camera, m.Make, m.Model, m.Serial = catalog.Untagged, nikon, "NIKON CORPORATION", "NIKON Z 6", "9"
			m.CameraTime = catalog.CameraTime{Wall: time.Date(2026, 5, 15, 8, min, 0, 0, time.UTC)}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.Store.EnsureCamera(ctx, catalog.Camera{Key: nikon, Photographer: "Noor"}); err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t, s, h, adminToken)
	body := b.get("/cameras").Body.String()
	mustContain(t, "cameras page", body, "NIKON Z 6 #9", "Noor", `data-key="`+nikon+`"`, `data-testid="suggestion"`,
		"With it 4 of 4 photos fall in a talk of their room, against 0 now", `href="/cameras?offset=%2B1h0m0s&preview=serial%3ANikon%3A9#camera-`,
		`data-key="`+cameraKey+`"`)
	if strings.Contains(body, `data-testid="apply-offset"`) {
		t.Error("the cameras page offers to apply before a preview")
	}
	// The preview lists what the offset would move; nothing changes yet.
	preview := b.get("/cameras?preview=" + url.QueryEscape(nikon) + "&offset=%2B1h0m0s").Body.String()
	mustContain(t, "preview", preview, "would move 4 of its 4 timed photos", "n.jpg: no talk → <strong>Keynote</strong>",
		`name="offset" value="+1h0m0s"`, "Apply +1h0m0s")
	if c, _ := s.Store.Camera(ctx, nikon); c.HasOffset {
		t.Errorf("the preview set the offset: %+v", c)
	}
	bad := b.get("/cameras?preview=" + url.QueryEscape(nikon) + "&offset=soon").Body.String()
	mustContain(t, "bad preview", bad, `data-testid="preview-error"`, `offset "soon"`)

	q := s.Queue.(*fakeQueue)
	_, page := b.post("/cameras/offset", url.Values{"key": {nikon}, "offset": {"+1h0m0s"}})
	mustContain(t, "after applying", page.Body.String(), "NIKON Z 6 #9: clock offset +1h0m0s; 4 of its items are being tagged again")
	if c, _ := s.Store.Camera(ctx, nikon); c.Offset != time.Hour || !c.HasOffset {
		t.Errorf("camera = %+v, want +1h", c)
	}
	if len(q.tags) != 4 {
		t.Errorf("re-tag tasks %v, want the camera's 4 items", q.tags)
	}
	if strings.Contains(page.Body.String(), `data-testid="suggestion"`) {
		t.Error("the suggestion is still offered once applied")
	}
	_, page = b.post("/cameras/offset", url.Values{"key": {nikon}, "offset": {"an hour"}})
	mustContain(t, "bad offset", page.Body.String(), `class="flash error"`, "want a duration")
	_, page = b.post("/cameras/offset", url.Values{"key": {"nikon"}, "offset": {"+1h"}})
	mustContain(t, "bad key", page.Body.String(), `class="flash error"`, "not a camera key")
}

func TestTokensPage(t *testing.T) {
	s, h := newAccessServer(t)
	b := newBrowser(t, s, h, adminToken)
	body := b.get("/tokens").Body.String()
	mustContain(t, "tokens page", body, `data-testid="token-row"`, "Pat", "Vic", `class="expired"`, `id="token-form"`)

	rec, _ := b.post("/tokens", url.Values{"name": {"Noor"}, "role": {"photographer"}, "expires": {"3d"}})
	body = rec.Body.String()
	if rec.Code != 200 {
		t.Fatalf("create: %d %s", rec.Code, body)
	}
	i := strings.Index(body, `id="created-link" readonly value="`)
	if i < 0 {
		t.Fatalf("no link on the page: %s", body)
	}
	link := body[i+len(`id="created-link" readonly value="`):]
	link = strings.ReplaceAll(link[:strings.Index(link, `"`)], "&amp;", "&")
	mustContain(t, "created", body, "Link for Noor (photographer)", "Mon 18 May 2026 12:00 UTC")
	u, err := url.Parse(link)
	if err != nil || u.Host != "example.test" || u.Path != "/login" {
		t.Fatalf("link %q", link)
	}
	// The link logs a photographer in.
	noor := &browser{t: t, s: s, h: h, cookies: map[string]*http.Cookie{}}
	noor.login(u.Query().Get("token"))
	// Revoke it by pasting the link: the login ends.
	_, page := b.post("/tokens/revoke", url.Values{"token": {link}})
	mustContain(t, "after revoking", page.Body.String(), "Revoked the photographer token “Noor”")
	if rec := noor.get("/cameras"); outcome(rec) != "login" {
		t.Errorf("revoked login: %d", rec.Code)
	}
	// Revoke by a listed hash prefix.
	_, page = b.post("/tokens/revoke", url.Values{"token": {HashToken(videoSecret)[:shownHashPrefix]}})
	mustContain(t, "after revoking by hash", page.Body.String(), "Revoked the video token “Vic”")
	// Mistakes come back as messages.
	_, page = b.post("/tokens/revoke", url.Values{"token": {"nothing-like-it"}})
	mustContain(t, "revoking nothing", page.Body.String(), `class="flash error"`)
	_, page = b.post("/tokens", url.Values{"name": {""}, "role": {"video"}})
	mustContain(t, "nameless token", page.Body.String(), `class="flash error"`, "needs a name")
}

func TestVideoPage(t *testing.T) {
	s, h := newAccessServer(t)
	ctx := context.Background()
	b := newBrowser(t, s, h, videoSecret)
	body := b.get("/video").Body.String()
	mustContain(t, "video page", body,
		`data-testid="unmatched"`, `data-id="`+recUnmatched+`"`, `data-choice="t1"`, "Attach to Keynote · Fri 15 May 09:00 · Hall A",
		`data-talk="t2"`, "Panel video", `data-testid="detach"`, "do not record", `data-import="/api/recordings"`,
		"1 attached, 1 waiting for a talk, 1 talks without a recording")

	_, page := b.post("/video/recordings/"+recUnmatched+"/attach", url.Values{"talk": {"t1"}})
	mustContain(t, "after attaching", page.Body.String(), "Keynote video is attached to talk t1", `id="unmatched-empty"`)
	if r, _ := s.Store.Recording(ctx, recUnmatched); r.State != catalog.RecordingAttached || r.TalkID != "t1" || !r.Decided || r.DecidedBy != "Vic" {
		t.Errorf("attached: %+v", r)
	}

	_, page = b.post("/video/recordings/"+recAttached+"/detach", url.Values{})
	mustContain(t, "after detaching", page.Body.String(), "Panel video is detached", `data-id="`+recAttached+`"`, `data-choice="t1"`)
	r, _ := s.Store.Recording(ctx, recAttached)
	if r.State != catalog.RecordingUnmatched || r.TalkID != "" || !r.Decided || strings.Join(r.Candidates, ",") != "t1" {
		t.Errorf("detached: %+v, want unmatched, decided, without the old talk among its candidates", r)
	}

	_, page = b.post("/video/recordings/"+recAttached+"/dismiss", url.Values{})
	mustContain(t, "after dismissing", page.Body.String(), "Panel video is dismissed", `id="dismissed"`)

	_, page = b.post("/video/recordings", url.Values{"talk": {"t2"}, "url": {"https://youtu.be/xyz"}, "title": {""}})
	mustContain(t, "after adding", page.Body.String(), "Panel is added and attached to talk t2", `href="https://youtu.be/xyz"`)
	r, err := s.Store.Recording(ctx, recording.DerivedID("https://youtu.be/xyz"))
	if err != nil || r.State != catalog.RecordingAttached || r.TalkID != "t2" || r.Title != "Panel" || !r.Decided {
		t.Errorf("added: %+v %v", r, err)
	}
	_, page = b.post("/video/recordings", url.Values{"talk": {"t3"}, "url": {"https://youtu.be/abc"}})
	mustContain(t, "adding to a do-not-record talk", page.Body.String(), `class="flash error"`, "do not record")

	body = b.get("/video?missing=1").Body.String()
	if strings.Contains(body, `data-talk="t1"`) || strings.Contains(body, `data-talk="t3"`) {
		t.Error("?missing=1 lists talks that have a recording or are not recorded")
	}
	// The video team has no organizer pages.
	if rec := b.get("/review"); rec.Code != 403 {
		t.Errorf("video at /review: %d, want 403", rec.Code)
	}
}

func TestRecordingAPI(t *testing.T) {
	s, h := newAccessServer(t)
	ctx := context.Background()
	tests := []struct {
		name, method, path, body string
		want                     int
		has                      string
	}{
		{"attach: unknown talk", "POST", "/api/recordings/" + recUnmatched + "/attach", `{"talk":"nope"}`, 400, "unknown talk"},
		{"attach: no talk", "POST", "/api/recordings/" + recUnmatched + "/attach", `{}`, 400, "which talk"},
		{"attach: do not record", "POST", "/api/recordings/" + recUnmatched + "/attach", `{"talk":"t3"}`, 400, "do not record"},
		{"attach: unknown recording", "POST", "/api/recordings/nothing-here/attach", `{"talk":"t1"}`, 404, "no recording"},
		{"attach: a media id", "POST", "/api/recordings/" + mediaTagged + "/attach", `{"talk":"t1"}`, 404, "no recording"},
		{"attach", "POST", "/api/recordings/" + recUnmatched + "/attach", `{"talk":"t1"}`, 200, `"state": "attached"`},
		{"attach again elsewhere", "POST", "/api/recordings/" + recUnmatched + "/attach", `{"talk":"t2"}`, 200, `"talk_id": "t2"`},
		{"detach", "POST", "/api/recordings/" + recUnmatched + "/detach", ``, 200, `"state": "unmatched"`},
		{"detach again", "POST", "/api/recordings/" + recUnmatched + "/detach", ``, 400, "not attached"},
		{"add: not a link", "POST", "/api/talks/t1/recordings", `{"url":"javascript:alert(1)"}`, 400, "http or https"},
		{"add: unknown talk", "POST", "/api/talks/nope/recordings", `{"url":"https://v.example/a"}`, 400, "unknown talk"},
		{"add", "POST", "/api/talks/t1/recordings", `{"url":"https://v.example/a","title":"Keynote (full)"}`, 201, `"title": "Keynote (full)"`},
		{"add existing", "POST", "/api/talks/t2/recordings", `{"url":"https://video.example/2"}`, 200, `"id": "rec-2"`},
	}
	for _, tt := range tests {
		rec := do(t, h, tt.method, tt.path, videoSecret, []byte(tt.body))
		if rec.Code != tt.want || !strings.Contains(rec.Body.String(), tt.has) {
			t.Errorf("%s: %d %s, want %d with %q", tt.name, rec.Code, rec.Body, tt.want, tt.has)
		}
	}
	r, _ := s.Store.Recording(ctx, recAttached)
	if r.TalkID != "t2" || r.Title != "Panel video" || !r.Decided {
		t.Errorf("adding an existing recording's URL: %+v, want it attached, its metadata kept", r)
	}
	// A schedule change re-matches recordings, but not those a person decided.
	q := s.Queue.(*fakeQueue)
	if rec := do(t, h, "POST", "/api/schedule?name=s.csv&timezone=Europe/Dublin&replace=true", adminToken, []byte(csvSchedule)); rec.Code != 200 {
		t.Fatalf("schedule: %d %s", rec.Code, rec.Body)
	}
	for _, id := range q.recs {
		if id == recUnmatched || id == recAttached {
			t.Errorf("recording %s, decided by a person, was queued for matching again", id)
		}
	}
	var info RecordingInfo
	rec := do(t, h, "POST", "/api/talks/t1/recordings", videoSecret, []byte(`{"url":"https://v.example/b"}`))
	if err := json.Unmarshal(rec.Body.Bytes(), &info); err != nil || info.Candidates == nil {
		t.Errorf("answer %s: candidates must be a list, not null (%v)", rec.Body, err)
	}
}

func TestQueueDashboardCSRF(t *testing.T) {
	s, h := newAccessServer(t)
	b := newBrowser(t, s, h, adminToken)
	rec := b.get("/admin/queues/")
	if rec.Code != 200 || rec.Body.String() != "queue dashboard" {
		t.Fatalf("dashboard: %d %s", rec.Code, rec.Body)
	}
	x := b.cookies[xsrfCookie]
	if x == nil || x.Value != b.csrf() || x.Path != "/admin/queues" || x.HttpOnly {
		t.Fatalf("XSRF cookie %+v, want the CSRF token, readable by the dashboard's scripts, for its path", x)
	}
	// The dashboard's scripts send the cookie's value back in X-XSRF-Token.
	req := httptest.NewRequest("DELETE", "/admin/queues/api/queues/photos", nil)
	req.Header.Set(xsrfHeader, x.Value)
	if rec := b.do(req); rec.Code != 204 {
		t.Errorf("dashboard action with the XSRF header: %d", rec.Code)
	}
	req = httptest.NewRequest("DELETE", "/admin/queues/api/queues/photos", nil)
	if rec := b.do(req); rec.Code != 403 {
		t.Errorf("dashboard action without it: %d, want 403", rec.Code)
	}
}

func TestAdminPagesRender(t *testing.T) {
	s, h := newAccessServer(t)
	b := newBrowser(t, s, h, adminToken)
	for _, p := range []string{"/admin", "/review", "/cameras", "/tokens", "/video", "/login"} {
		rec := b.get(p)
		if rec.Code != 200 {
			t.Errorf("%s: %d %.300s", p, rec.Code, rec.Body)
			continue
		}
		mustContain(t, p, rec.Body.String(), `<meta name="viewport" content="width=device-width, initial-scale=1">`, `href="/static/app.css"`)
	}
	// An empty catalog renders too.
	empty := &Server{Store: newListingStore(), Blobs: s.Blobs, Queue: &fakeQueue{}, Logger: s.Logger, AdminTokenHash: s.AdminTokenHash,
		PublicURL: s.PublicURL, Now: s.Now}
	eh := empty.Handler()
	for _, p := range []string{"/admin", "/review", "/cameras", "/tokens", "/video"} {
		if rec := do(t, eh, "GET", p, adminToken, nil); rec.Code != 200 {
			t.Errorf("empty catalog %s: %d %.300s", p, rec.Code, rec.Body)
		}
	}
}

// failingStore fails every schedule read.
type failingStore struct{ *listingStore }

func (failingStore) Schedule(context.Context) (catalog.Schedule, error) {
	return catalog.Schedule{}, catalog.E(catalog.Unavailable, "test", errors.New("db down"), "the catalog database does not answer")
}

func TestAdminPageStoreDown(t *testing.T) {
	s, _ := newAccessServer(t)
	s.Store = failingStore{s.Store.(*listingStore)}
	h := s.Handler()
	rec := do(t, h, "GET", "/video", videoSecret, nil)
	if rec.Code != 503 || !strings.Contains(rec.Body.String(), "does not answer") {
		t.Errorf("store down: %d %.300s", rec.Code, rec.Body)
	}
}
