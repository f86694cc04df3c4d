package web

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/confmedia/confmedia/catalog"
	"github.com/confmedia/confmedia/catalog/catalogtest"
	"github.com/confmedia/confmedia/pipeline/exif/exiftest"
)

// listingStore is a MemStore that can also list its tokens.
type listingStore struct {
	*catalogtest.MemStore
	mu     sync.Mutex
	tokens map[string]catalog.Token
}

func newListingStore() *listingStore {
	return &listingStore{MemStore: catalogtest.NewMemStore(), tokens: map[string]catalog.Token{}}
}

func (s *listingStore) PutToken(ctx context.Context, t catalog.Token) error {
	if err := s.MemStore.PutToken(ctx, t); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokens[t.Hash] = t
	return nil
}

func (s *listingStore) DeleteToken(ctx context.Context, hash string) error {
	if err := s.MemStore.DeleteToken(ctx, hash); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.tokens, hash)
	return nil
}

func (s *listingStore) Tokens(context.Context) ([]catalog.Token, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []catalog.Token
	for _, t := range s.tokens {
		out = append(out, t)
	}
	return out, nil
}

// Fixture ids and secrets.
const (
	photoSecret   = "photo-secret"
	videoSecret   = "video-secret"
	speakerSecret = "speaker-secret"
	expiredSecret = "expired-admin-secret"
	revokedSecret = "revoked-admin-secret"
	recUnmatched  = "rec-1"
	recAttached   = "rec-2"
	cameraKey     = "serial:Canon:123"
	// otherCamera took another photographer's uploads.
	otherCamera = "serial:Nikon:456"
)

var (
	mediaTagged = strings.Repeat("a", 64)
	mediaReview = strings.Repeat("b", 64)
	// Headshots of the speaker token's speaker (ana-lima) and of another
	// speaker (bo-ng).
	mediaHeadAna = strings.Repeat("c", 64)
	mediaHeadBo  = strings.Repeat("d", 64)
	mediaOther   = strings.Repeat("e", 64) // another photographer's photo
)

var testNow = time.Date(2026, 5, 15, 12, 0, 0, 0, time.UTC)

// fakeDashboard stands in for the queue dashboard.
type fakeDashboard struct{}

func (fakeDashboard) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodGet {
		io.WriteString(w, "queue dashboard")
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// newAccessServer returns a server with a token of every role (the
// speaker token is ana-lima's), a schedule (talks t1, t2, t3; speakers
// ana-lima of t1 and bo-ng of t2), a tagged photo, a photo that needs
// review, Pat's camera, an unmatched and an attached recording, an
// opt-out and a public blob.
func newAccessServer(t testing.TB) (*Server, http.Handler) {
	t.Helper()
	ctx := context.Background()
	st := newListingStore()
	s := &Server{
		Store: st, Blobs: catalogtest.NewMemBlobs(), Queue: &fakeQueue{},
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), AdminTokenHash: HashToken(adminToken),
		PublicURL: "http://example.test", MaxBytes: 1 << 20, MaxPixels: 10_000_000, TempDir: t.TempDir(),
		Now: func() time.Time { return testNow }, QueueDashboard: fakeDashboard{},
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, tok := range []catalog.Token{
		{Hash: HashToken(photoSecret), Role: catalog.RolePhotographer, Name: "Pat", Created: testNow.Add(-time.Hour)},
		{Hash: HashToken(videoSecret), Role: catalog.RoleVideo, Name: "Vic", Created: testNow.Add(-2 * time.Hour)},
		{Hash: HashToken(speakerSecret), Role: catalog.RoleSpeaker, Name: "Ana", Created: testNow.Add(-3 * time.Hour),
			Expires: testNow.Add(time.Hour), SpeakerID: "ana-lima"},
		{Hash: HashToken(expiredSecret), Role: catalog.RoleAdmin, Name: "Old", Created: testNow.Add(-72 * time.Hour),
			Expires: testNow.Add(-time.Hour)},
	} {
		must(st.PutToken(ctx, tok))
	}
	loc, _ := time.LoadLocation("Europe/Dublin")
	_, err := st.ReplaceSchedule(ctx, catalog.Schedule{
		Conference: catalog.Conference{Title: "Test Conf", Timezone: "Europe/Dublin"},
		Talks: []catalog.Talk{
			{ID: "t1", Title: "Keynote", Room: "Hall A", Start: time.Date(2026, 5, 15, 9, 0, 0, 0, loc), End: time.Date(2026, 5, 15, 10, 0, 0, 0, loc), SpeakerIDs: []string{"ana-lima"}},
			{ID: "t2", Title: "Panel", Room: "Hall A", Start: time.Date(2026, 5, 15, 11, 0, 0, 0, loc), End: time.Date(2026, 5, 15, 12, 0, 0, 0, loc), SpeakerIDs: []string{"bo-ng"}},
			{ID: "t3", Title: "Hallway", Room: "Hall B", Start: time.Date(2026, 5, 15, 11, 0, 0, 0, loc), End: time.Date(2026, 5, 15, 12, 0, 0, 0, loc), DoNotRecord: true},
		},
		Speakers: []catalog.Speaker{{ID: "ana-lima", Name: "Ana Lima"}, {ID: "bo-ng", Name: "Bo Ng"}},
	})
	must(err)
	for _, m := range []*catalog.Media{
		{ID: mediaTagged, Kind: catalog.Photo, SourceName: "tagged.jpg", Status: catalog.Pending, Bytes: 1000, Generation: 1},
		{ID: mediaReview, Kind: catalog.Photo, SourceName: "review.jpg", Status: catalog.Pending, Bytes: 2000, Generation: 1},
	} {
		_, err := st.CreateMedia(ctx, m)
		must(err)
	}
	must(st.UpdateMedia(ctx, mediaTagged, func(m *catalog.Media) error {
		m.Status, m.TalkIDs, m.SpeakerIDs, m.Camera = catalog.Tagged, []string{"t1"}, []string{"ana-lima"}, cameraKey
		m.Recognized = []string{"ana-lima"} // face recognition found her
		m.Photographer = "Pat"              // the photographer's camera: theirs to set
		m.Renditions = []catalog.Rendition{
			{Name: "large", Key: catalog.RenditionKey(mediaTagged, "large"), Width: 2048, Height: 1536, Bytes: 200},
			{Name: "square", Key: catalog.RenditionKey(mediaTagged, "square"), Width: 400, Height: 400, Bytes: 100},
		}
		return nil
	}))
	must(st.UpdateMedia(ctx, mediaReview, func(m *catalog.Media) error {
		m.Status, m.Reason, m.Candidates, m.Camera = catalog.NeedsReview, "two talks in the room then", []string{"t1", "t2"}, cameraKey
		m.CameraTime = catalog.CameraTime{Wall: time.Date(2026, 5, 15, 10, 0, 0, 0, time.UTC)}
		m.TakenAt = time.Date(2026, 5, 15, 10, 0, 0, 0, loc)
		return nil
	}))
	_, err = st.EnsureCamera(ctx, catalog.Camera{Key: cameraKey, Photographer: "Pat"})
	must(err)
	for _, r := range []*catalog.Recording{
		{ID: recUnmatched, URL: "https://video.example/1", Title: "Keynote video"},
		{ID: recAttached, URL: "https://video.example/2", Title: "Panel video"},
	} {
		_, err := st.PutRecording(ctx, r)
		must(err)
	}
	must(st.UpdateRecording(ctx, recUnmatched, func(r *catalog.Recording) error {
		r.State, r.Reason, r.Candidates = catalog.RecordingUnmatched, "two talks fit", []string{"t1", "t2"}
		return nil
	}))
	must(st.UpdateRecording(ctx, recAttached, func(r *catalog.Recording) error {
		r.State, r.TalkID, r.Candidates = catalog.RecordingAttached, "t2", []string{"t2", "t1"}
		return nil
	}))
	must(st.PutOptOut(ctx, catalog.OptOut{Name: "Bob Example", Created: testNow}))
	body := []byte(`{"ok":true}`)
	must(s.Blobs.Put(ctx, "public/x.json", bytes.NewReader(body), int64(len(body)), "application/json"))
	must(s.Blobs.Put(ctx, catalog.StaffRenditionKey(mediaTagged, "large"), bytes.NewReader(body), int64(len(body)), "image/jpeg"))
	for _, name := range []string{"large", "square"} {
		must(s.Blobs.Put(ctx, catalog.RenditionKey(mediaTagged, name), bytes.NewReader(body), int64(len(body)), "image/jpeg"))
	}
	return s, s.Handler()
}

// addOthers adds what belongs to someone else than the fixture's
// photographer and speaker, and what belongs to its speaker: a headshot of
// ana-lima and of bo-ng, a photo by Quinn taken with otherCamera, and the
// published JSON of both speakers.
func addOthers(t testing.TB, s *Server) {
	t.Helper()
	ctx := context.Background()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, m := range []*catalog.Media{
		{ID: mediaHeadAna, Kind: catalog.Headshot, SourceName: "ana.jpg", Status: catalog.Pending, Bytes: 500, Generation: 1},
		{ID: mediaHeadBo, Kind: catalog.Headshot, SourceName: "bo.jpg", Status: catalog.Pending, Bytes: 500, Generation: 1},
		{ID: mediaOther, Kind: catalog.Photo, SourceName: "other.jpg", Status: catalog.Pending, Bytes: 500, Generation: 1},
	} {
		_, err := s.Store.CreateMedia(ctx, m)
		must(err)
	}
	for id, sp := range map[string]string{mediaHeadAna: "ana-lima", mediaHeadBo: "bo-ng"} {
		must(s.Store.UpdateMedia(ctx, id, func(m *catalog.Media) error {
			m.Status, m.SpeakerIDs = catalog.Tagged, []string{sp}
			m.Renditions = []catalog.Rendition{{Name: "square", Key: catalog.RenditionKey(id, "square"), Width: 400, Height: 400, Bytes: 100}}
			return nil
		}))
	}
	must(s.Store.UpdateMedia(ctx, mediaOther, func(m *catalog.Media) error {
		m.Status, m.Reason, m.Camera, m.Photographer = catalog.NeedsReview, "no talk then", otherCamera, "Quinn"
		return nil
	}))
	_, err := s.Store.EnsureCamera(ctx, catalog.Camera{Key: otherCamera, Photographer: "Quinn"})
	must(err)
	body := []byte(`{"ok":true}`)
	for _, key := range []string{catalog.RenditionKey(mediaHeadAna, "square"), catalog.RenditionKey(mediaHeadBo, "square"),
		catalog.SpeakerKey("ana-lima"), catalog.SpeakerKey("bo-ng")} {
		must(s.Blobs.Put(ctx, key, bytes.NewReader(body), int64(len(body)), "application/octet-stream"))
	}
}

// who is one row of the role table's columns: a role, the public, or a
// token that expired or was revoked (both were admin tokens).
type who string

const (
	asAdmin        who = "admin"
	asPhotographer who = "photographer"
	asVideo        who = "video"
	asSpeaker      who = "speaker"
	asPublic       who = "public"
	asExpired      who = "expired"
	asRevoked      who = "revoked"
)

var everyone = []who{asAdmin, asPhotographer, asVideo, asSpeaker, asPublic, asExpired, asRevoked}

func (w who) secret() string {
	switch w {
	case asAdmin:
		return adminToken
	case asPhotographer:
		return photoSecret
	case asVideo:
		return videoSecret
	case asSpeaker:
		return speakerSecret
	case asExpired:
		return expiredSecret
	case asRevoked:
		return revokedSecret
	}
	return ""
}

func (w who) role() catalog.Role {
	switch w {
	case asAdmin, asPhotographer, asVideo, asSpeaker:
		return catalog.Role(w)
	}
	return ""
}

// sessionFor returns the session cookie value a browser of w holds. The
// expired and revoked tokens' sessions are made directly: logging in with
// them is refused.
func sessionFor(s *Server, w who) string {
	if w == asPublic {
		return ""
	}
	return s.sessionValue(HashToken(w.secret()), testNow.Add(time.Hour))
}

// access says who may use a route and how it answers the others, as
// the route table says.
type access int

const (
	openRoute access = iota // anyone; every column gets ok
	apiRoute                // 401 without a working token, 403 for other roles
	pageRoute               // to the login page without one, a 403 page for other roles
)

// example is a request to one route and the answer an allowed caller gets
// ("200", "201", "303"…).
type example struct {
	method string
	path   string
	body   string
	form   bool // body is a form (else JSON or raw)
	ok     string
	page   bool // set from the route: refusals are pages
	// of says whose object a route with a per-object rule is asked for:
	// the fixture photographer's or speaker's ("own"), someone else's
	// ("other"), or one the rule does not cover ("").
	of string
}

// roleRow is one route of the route table with its example request.
type roleRow struct {
	pattern string // as registered
	example
	kind  access
	allow []catalog.Role
	own   ownRule
}

func (rt roleRow) unsafe() bool {
	return rt.method != http.MethodGet && rt.method != http.MethodHead
}

// want returns the expected answer for w, with speaker pages private or
// not: a status code, or "login" for a redirect to the login page.
func (rt roleRow) want(w who, private bool) string {
	refused := func() string {
		switch {
		case w.role() != "":
			return "403"
		case rt.page:
			return "login"
		}
		return "401"
	}
	if rt.kind != openRoute && !slices.Contains(rt.allow, w.role()) {
		return refused()
	}
	if rt.of == "" {
		return rt.ok
	}
	switch rt.own {
	case ownCamera:
		if w.role() == catalog.RolePhotographer && rt.of == "other" {
			return "403"
		}
	case ownSpeaker, ownHeadshot, ownPublicFile:
		if private && w.role() != catalog.RoleAdmin && (w.role() != catalog.RoleSpeaker || rt.of != "own") {
			return refused()
		}
	case ownFaces:
		if w.role() != catalog.RoleAdmin && (w.role() != catalog.RoleSpeaker || rt.of != "own") {
			return refused()
		}
	default:
		panic("a row says whose object it asks for, but its route has no per-object rule: " + rt.pattern)
	}
	return rt.ok
}

// roleTable returns the server's route table (routes.go), each route with
// its example request. It fails the test when a route has no example or an
// example no route.
func roleTable(t testing.TB) []roleRow {
	t.Helper()
	ex, more := routeExamples(t), moreExamples()
	var out []roleRow
	seen := map[string]bool{}
	for _, r := range (&Server{}).routes() {
		if seen[r.pattern] {
			t.Errorf("route table: %q listed twice", r.pattern)
		}
		seen[r.pattern] = true
		e, ok := ex[r.pattern]
		if !ok {
			t.Errorf("route %q has no example request in routeExamples (access_test.go): add one", r.pattern)
			continue
		}
		row := roleRow{pattern: r.pattern, example: e, allow: r.roles, own: r.own, kind: apiRoute}
		switch {
		case r.roles == nil:
			row.kind = openRoute
		case r.refusal == pageAnswer:
			row.kind = pageRoute
		}
		row.page = r.refusal == pageAnswer
		out = append(out, row)
		for _, o := range more[r.pattern] {
			o.page = row.page
			row.example = o
			out = append(out, row)
		}
	}
	for p := range more {
		if !seen[p] {
			t.Errorf("moreExamples has %q, which is not in the route table", p)
		}
	}
	for p := range ex {
		if !seen[p] {
			t.Errorf("routeExamples has %q, which is not in the route table", p)
		}
	}
	return out
}

// moreExamples are requests to routes with a per-object rule beyond the
// one of routeExamples: for someone else's object, or for the caller's own
// where routeExamples asks for one the rule does not cover.
func moreExamples() map[string][]example {
	return map[string][]example{
		"PUT /api/cameras/{key}": {{method: "PUT", path: "/api/cameras/" + otherCamera, body: `{"offset":"+1h"}`, ok: "200", of: "other"}},
		"GET /speakers/{id}":     {{method: "GET", path: "/speakers/bo-ng", ok: "200", of: "other"}},
		// bo-ng has no photos: allowed callers get 404.
		"GET /speakers/{id}/photos.zip": {{method: "GET", path: "/speakers/bo-ng/photos.zip", ok: "404", of: "other"}},
		"GET /api/speakers/{id}":        {{method: "GET", path: "/api/speakers/bo-ng", ok: "200", of: "other"}},
		// Photos of you are another speaker's whether pages are private or not.
		"GET /speakers/{id}/photos-of-you": {{method: "GET", path: "/speakers/bo-ng/photos-of-you", ok: "200", of: "other"}},
		"GET /download/{media}/{rendition}": {
			{method: "GET", path: "/download/" + mediaHeadAna + "/square", ok: "200", of: "own"},
			{method: "GET", path: "/download/" + mediaHeadBo + "/square", ok: "200", of: "other"},
		},
		"GET /public/{path...}": {
			{method: "GET", path: "/public/speakers/ana-lima.json", ok: "200", of: "own"},
			{method: "GET", path: "/public/speakers/bo-ng.json", ok: "200", of: "other"},
			{method: "GET", path: "/public/media/" + mediaHeadAna + "/square.jpg", ok: "200", of: "own"},
			{method: "GET", path: "/public/media/" + mediaHeadBo + "/square.jpg", ok: "200", of: "other"},
		},
	}
}

// routeExamples holds a request to every route of the route table and
// what an allowed caller gets.
func routeExamples(t testing.TB) map[string]example {
	photo := exiftest.MustJPEG(t, exiftest.Spec{DateTimeOriginal: "2026:05:15 09:10:00"})
	photoID := id(photo)
	const recCSV = "title,url\nLightning talks,https://video.example/3\n"
	return map[string]example{
		"GET /healthz":                          {method: "GET", path: "/healthz", ok: "200"},
		"POST /api/media/check":                 {method: "POST", path: "/api/media/check", body: `{"ids":[]}`, ok: "200"},
		"PUT /api/media/{id}":                   {method: "PUT", path: "/api/media/" + photoID + "?name=a.jpg", body: string(photo), ok: "201"},
		"GET /api/media/{id}":                   {method: "GET", path: "/api/media/" + mediaTagged, ok: "200"},
		"GET /api/media/{id}/renditions/{name}": {method: "GET", path: "/api/media/" + mediaTagged + "/renditions/large", ok: "200"},
		"POST /api/schedule":                    {method: "POST", path: "/api/schedule?name=s.csv&timezone=Europe/Dublin&replace=true", body: csvSchedule, ok: "200"},
		"GET /api/schedule":                     {method: "GET", path: "/api/schedule", ok: "200"},
		"POST /api/recordings":                  {method: "POST", path: "/api/recordings?name=r.csv", body: recCSV, ok: "200"},
		"GET /api/queue":                        {method: "GET", path: "/api/queue", ok: "200"},
		"GET /api/catalog":                      {method: "GET", path: "/api/catalog", ok: "200"},
		"POST /api/publish":                     {method: "POST", path: "/api/publish", ok: "200"},
		"GET /metrics":                          {method: "GET", path: "/metrics", ok: "404"}, // this server has no Metrics
		"GET /api/talks/{id}":                   {method: "GET", path: "/api/talks/t1", ok: "200"},
		"GET /api/speakers/{id}":                {method: "GET", path: "/api/speakers/ana-lima", of: "own", ok: "200"},
		"GET /public/{path...}":                 {method: "GET", path: "/public/x.json", ok: "200"},
		"GET /api/recordings/export":            {method: "GET", path: "/api/recordings/export", ok: "200"},
		"GET /api/cameras":                      {method: "GET", path: "/api/cameras", ok: "200"},
		"PUT /api/cameras/{key}":                {method: "PUT", path: "/api/cameras/" + cameraKey, body: `{"offset":"+1h"}`, of: "own", ok: "200"},
		"GET /api/review":                       {method: "GET", path: "/api/review", ok: "200"},
		"POST /api/review/{id}/resolve":         {method: "POST", path: "/api/review/" + recUnmatched + "/resolve", body: `{"talk":"t1"}`, ok: "200"},
		"POST /api/review/resolve":              {method: "POST", path: "/api/review/resolve", body: `{"ids":["` + recUnmatched + `"],"talk":"t1"}`, ok: "200"},
		"GET /api/cameras/{key}/preview":        {method: "GET", path: "/api/cameras/" + cameraKey + "/preview?offset=%2B1h", ok: "200"},
		"GET /api/media/failed":                 {method: "GET", path: "/api/media/failed", ok: "200"},
		"POST /api/media/retry":                 {method: "POST", path: "/api/media/retry", body: `{"ids":["` + strings.Repeat("f", 64) + `"]}`, ok: "200"},
		"POST /api/media/delete":                {method: "POST", path: "/api/media/delete", body: `{"ids":["` + strings.Repeat("f", 64) + `"]}`, ok: "200"},
		"POST /api/media/{id}/hide":             {method: "POST", path: "/api/media/" + mediaTagged + "/hide", ok: "200"},
		"POST /api/media/{id}/kind":             {method: "POST", path: "/api/media/" + mediaTagged + "/kind", body: `{"kind":"headshot"}`, ok: "200"},
		"POST /api/optouts":                     {method: "POST", path: "/api/optouts", body: `{"name":"Carol Example"}`, ok: "200"},
		"GET /api/optouts":                      {method: "GET", path: "/api/optouts", ok: "200"},
		"DELETE /api/optouts/{name}":            {method: "DELETE", path: "/api/optouts/Bob%20Example", ok: "200"},
		"GET /static/":                          {method: "GET", path: "/static/app.css", ok: "200"},
		"GET /{$}":                              {method: "GET", path: "/", ok: "200"},
		"GET /schedule":                         {method: "GET", path: "/schedule", ok: "200"},
		"GET /schedule/{day}":                   {method: "GET", path: "/schedule/2026-05-15", ok: "200"},
		"GET /talks/{id}":                       {method: "GET", path: "/talks/t1", ok: "200"},
		"GET /talks/{id}/photos.zip":            {method: "GET", path: "/talks/t1/photos.zip", ok: "200"},
		"GET /speakers":                         {method: "GET", path: "/speakers?q=ana", ok: "200"},
		"GET /speakers/{id}":                    {method: "GET", path: "/speakers/ana-lima", of: "own", ok: "200"},
		"GET /speakers/{id}/photos.zip":         {method: "GET", path: "/speakers/ana-lima/photos.zip", of: "own", ok: "200"},
		"GET /speakers/{id}/photos-of-you":      {method: "GET", path: "/speakers/ana-lima/photos-of-you", of: "own", ok: "200"},
		"POST /api/faces/forget":                {method: "POST", path: "/api/faces/forget", ok: "200"},
		"GET /download/{media}/{rendition}":     {method: "GET", path: "/download/" + mediaTagged + "/square", ok: "200"},

		// Photographers' upload page and its API: an allowed request with
		// an empty plan is refused as such, after the role check.
		"GET /upload":                     {method: "GET", path: "/upload", ok: "200"},
		"POST /api/uploads/inspect":       {method: "POST", path: "/api/uploads/inspect", body: `{"files":[]}`, ok: "200"},
		"POST /api/uploads":               {method: "POST", path: "/api/uploads", body: `{}`, ok: "400"},
		"POST /api/uploads/{id}/complete": {method: "POST", path: "/api/uploads/nope/complete", body: `{}`, ok: "400"},
		"POST /api/uploads/{id}/abort":    {method: "POST", path: "/api/uploads/nope/abort", body: `{}`, ok: "400"},

		// Access.
		"GET /login": {method: "GET", path: "/login", ok: "200"},
		// Only the login page's own form signs in (it carries a nonce
		// this request lacks).
		"POST /login":               {method: "POST", path: "/login", body: "token=" + photoSecret, form: true, ok: "403"},
		"POST /logout":              {method: "POST", path: "/logout", ok: "login"},
		"POST /api/tokens":          {method: "POST", path: "/api/tokens", body: `{"role":"photographer","name":"Sam"}`, ok: "201"},
		"GET /api/tokens":           {method: "GET", path: "/api/tokens", ok: "200"},
		"DELETE /api/tokens/{hash}": {method: "DELETE", path: "/api/tokens/" + HashToken(photoSecret)[:10], ok: "200"},

		// Organizer pages.
		"GET /admin":                {method: "GET", path: "/admin", ok: "200"},
		"POST /admin/publish":       {method: "POST", path: "/admin/publish", form: true, ok: "303"},
		"POST /admin/hide":          {method: "POST", path: "/admin/hide", body: "id=" + mediaTagged + "&reason=asked", form: true, ok: "303"},
		"POST /admin/failed":        {method: "POST", path: "/admin/failed", body: "do=delete&id=" + mediaReview, form: true, ok: "303"},
		"/admin/queues/":            {method: "GET", path: "/admin/queues/", ok: "200"},
		"GET /review":               {method: "GET", path: "/review", ok: "200"},
		"POST /review/{id}/resolve": {method: "POST", path: "/review/" + mediaReview + "/resolve", body: "talk=t1", form: true, ok: "303"},
		"POST /review/{id}/kind":    {method: "POST", path: "/review/" + mediaReview + "/kind", body: "kind=headshot", form: true, ok: "303"},
		"POST /review/kind":         {method: "POST", path: "/review/kind", body: "id=" + mediaTagged + "&kind=headshot", form: true, ok: "303"},
		"GET /cameras":              {method: "GET", path: "/cameras", ok: "200"},
		"POST /cameras/offset":      {method: "POST", path: "/cameras/offset", body: "key=" + url.QueryEscape(cameraKey) + "&offset=%2B1h", form: true, ok: "303"},
		"GET /tokens":               {method: "GET", path: "/tokens", ok: "200"},
		"POST /tokens":              {method: "POST", path: "/tokens", body: "name=Sam&role=video&expires=7d", form: true, ok: "200"},
		"POST /tokens/revoke":       {method: "POST", path: "/tokens/revoke", body: "token=" + photoSecret, form: true, ok: "303"},

		// Video team.
		"GET /video":                          {method: "GET", path: "/video", ok: "200"},
		"POST /video/recordings":              {method: "POST", path: "/video/recordings", body: "talk=t1&url=" + url.QueryEscape("https://video.example/new"), form: true, ok: "303"},
		"POST /video/recordings/{id}/attach":  {method: "POST", path: "/video/recordings/" + recUnmatched + "/attach", body: "talk=t1", form: true, ok: "303"},
		"POST /video/recordings/{id}/detach":  {method: "POST", path: "/video/recordings/" + recAttached + "/detach", form: true, ok: "303"},
		"POST /video/recordings/{id}/dismiss": {method: "POST", path: "/video/recordings/" + recUnmatched + "/dismiss", form: true, ok: "303"},
		"POST /api/recordings/{id}/attach":    {method: "POST", path: "/api/recordings/" + recUnmatched + "/attach", body: `{"talk":"t1"}`, ok: "200"},
		"POST /api/recordings/{id}/detach":    {method: "POST", path: "/api/recordings/" + recAttached + "/detach", ok: "200"},
		"POST /api/talks/{id}/recordings":     {method: "POST", path: "/api/talks/t1/recordings", body: `{"url":"https://video.example/new"}`, ok: "201"},
	}
}

// TestRoleTableComplete checks that every route of the route table has an
// example request and is served by the pattern it names.
func TestRoleTableComplete(t *testing.T) {
	rows := roleTable(t)
	if len(rows) < 60 {
		t.Errorf("route table has %d routes: want them all", len(rows))
	}
	mux := http.NewServeMux()
	for _, r := range (&Server{}).routes() {
		mux.Handle(r.pattern, http.NotFoundHandler())
	}
	for _, rt := range rows {
		_, pattern := mux.Handler(httptest.NewRequest(rt.method, rt.path, nil))
		if pattern != rt.pattern {
			t.Errorf("%s %s: served by %q, want %q", rt.method, rt.path, pattern, rt.pattern)
		}
	}
}

// call makes one request as w, by bearer token or by session cookie (with
// the session's CSRF token unless noCSRF), and returns the answer and the
// pattern that served it.
func callAs(s *Server, h http.Handler, rt roleRow, w who, cookie, noCSRF bool) (*httptest.ResponseRecorder, string) {
	body := rt.body
	req := httptest.NewRequest(rt.method, rt.path, nil)
	if cookie {
		if v := sessionFor(s, w); v != "" {
			req.AddCookie(&http.Cookie{Name: sessionCookie, Value: v})
			if rt.unsafe() && !noCSRF {
				if rt.form {
					body = strings.TrimPrefix(body+"&csrf="+url.QueryEscape(s.csrfFor(v)), "&")
				} else {
					req.Header.Set(csrfHeader, s.csrfFor(v))
				}
			}
		}
	} else if sec := w.secret(); sec != "" {
		req.Header.Set("Authorization", "Bearer "+sec)
	}
	req.Body = io.NopCloser(strings.NewReader(body))
	req.ContentLength = int64(len(body))
	if rt.form {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec, req.Pattern
}

// outcome reduces an answer to what the role table says: the status, or
// "login" for a redirect to the login page.
func outcome(rec *httptest.ResponseRecorder) string {
	if rec.Code == http.StatusSeeOther && strings.HasPrefix(rec.Header().Get("Location"), "/login") {
		return "login"
	}
	return strconv.Itoa(rec.Code)
}

// flashOf returns the one-time message an answer sets, if any.
func flashOf(rec *httptest.ResponseRecorder) *flash {
	for _, c := range rec.Result().Cookies() {
		if c.Name == flashCookie && c.MaxAge > 0 {
			b, _ := base64.RawURLEncoding.DecodeString(c.Value)
			kind, text, _ := strings.Cut(string(b), "\n")
			return &flash{Error: kind == "error", Text: text}
		}
	}
	return nil
}

// TestRoleTable runs every route of the route table as every role, the
// public, an expired and a revoked token, with bearer tokens and with
// session cookies, with speaker pages public and private; routes with a
// per-object rule also for someone else's object (another photographer's
// camera, another speaker's page and headshot); and every route that
// changes state with a session but without its CSRF token. Requests that
// are allowed and change state get a fresh server.
func TestRoleTable(t *testing.T) {
	server := func(private bool) (*Server, http.Handler) {
		s, h := newAccessServer(t)
		addOthers(t, s)
		s.PrivateSpeakers = private
		return s, h
	}
	rows := roleTable(t)
	for _, private := range []bool{false, true} {
		shared, sharedH := server(private)
		if err := shared.Store.PutToken(context.Background(), catalog.Token{Hash: HashToken(revokedSecret), Role: catalog.RoleAdmin, Name: "Gone"}); err != nil {
			t.Fatal(err)
		}
		if err := shared.Store.DeleteToken(context.Background(), HashToken(revokedSecret)); err != nil {
			t.Fatal(err)
		}
		for _, rt := range rows {
			for _, mode := range []string{"bearer", "cookie", "cookie without CSRF"} {
				cookie, noCSRF := mode != "bearer", mode == "cookie without CSRF"
				if noCSRF && (!rt.unsafe() || rt.kind == openRoute) {
					continue
				}
				for _, w := range everyone {
					want := rt.want(w, private)
					if noCSRF && w.role() != "" {
						want = "403"
					}
					s, h := shared, sharedH
					if rt.unsafe() && want == rt.ok {
						s, h = server(private)
					}
					rec, pattern := callAs(s, h, rt, w, cookie, noCSRF)
					if pattern != rt.pattern {
						t.Errorf("%s %s: served by %q, want %q", rt.method, rt.path, pattern, rt.pattern)
					}
					if got := outcome(rec); got != want {
						t.Errorf("%s %s as %s by %s (private speakers %v, rule %s): %s, want %s (%.200s)",
							rt.method, rt.path, w, mode, private, rt.own, got, want, rec.Body)
						continue
					}
					if f := flashOf(rec); want == rt.ok && f != nil && f.Error {
						t.Errorf("%s %s as %s by %s: the form failed: %s", rt.method, rt.path, w, mode, f.Text)
					}
				}
			}
		}
	}
}

// sessionValue stores a session of the token with tokenHash that ends at
// exp and returns its cookie value, as a browser that signed in holds it.
func (s *Server) sessionValue(tokenHash string, exp time.Time) string {
	if s.sessKey == nil {
		s.initSessionKey()
	}
	buf := make([]byte, 32)
	for i := range buf {
		buf[i] = byte(len(tokenHash) + i + int(exp.UnixNano()%251))
	}
	sid := base64.RawURLEncoding.EncodeToString(buf) + strconv.FormatInt(sessionSeq.Add(1), 36)
	if err := s.Store.PutSession(context.Background(), catalog.Session{Hash: HashToken(sid), TokenHash: tokenHash,
		Created: s.now(), Expires: exp}); err != nil {
		panic(err)
	}
	return sid + "." + base64.RawURLEncoding.EncodeToString(s.mac("session", sid))
}

var sessionSeq atomic.Int64

// loginPage opens a login link and returns the page, the login form's
// nonce cookie and the hidden fields of its form.
func loginPage(t *testing.T, h http.Handler, query string) (*httptest.ResponseRecorder, *http.Cookie, url.Values) {
	t.Helper()
	rec := do(t, h, "GET", "/login"+query, "", nil)
	var nonce *http.Cookie
	for _, c := range rec.Result().Cookies() {
		if c.Name == loginCookie {
			nonce = c
		}
	}
	fields := url.Values{}
	for _, m := range regexp.MustCompile(`<input type="hidden" name="([a-z]+)" value="([^"]*)">`).FindAllStringSubmatch(rec.Body.String(), -1) {
		fields.Set(m[1], html.UnescapeString(m[2]))
	}
	return rec, nonce, fields
}

// postLogin posts the login form with fields and the nonce cookie.
func postLogin(h http.Handler, nonce *http.Cookie, fields url.Values, hdr map[string]string) *httptest.ResponseRecorder {
	req := httptest.NewRequest("POST", "/login", strings.NewReader(fields.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if nonce != nil {
		req.AddCookie(nonce)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// login signs in as a browser does: opens the login link, then presses the
// button. It returns the session cookie's value.
func login(t *testing.T, h http.Handler, secret string) string {
	t.Helper()
	page, nonce, fields := loginPage(t, h, "?token="+url.QueryEscape(secret))
	rec := postLogin(h, nonce, fields, nil)
	for _, c := range rec.Result().Cookies() {
		if c.Name == sessionCookie {
			return c.Value
		}
	}
	t.Fatalf("login with %s: page %d, post %d, no session cookie (%.300s)", secret, page.Code, rec.Code, rec.Body)
	return ""
}

// login signs the browser in with secret, through the confirmation page.
func (b *browser) login(secret string) {
	b.t.Helper()
	page := b.get("/login?token=" + url.QueryEscape(secret))
	fields := url.Values{}
	for _, m := range regexp.MustCompile(`<input type="hidden" name="([a-z]+)" value="([^"]*)">`).FindAllStringSubmatch(page.Body.String(), -1) {
		fields.Set(m[1], html.UnescapeString(m[2]))
	}
	req := httptest.NewRequest("POST", "/login", strings.NewReader(fields.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if rec := b.do(req); rec.Code != http.StatusSeeOther {
		b.t.Fatalf("login: %d %s", rec.Code, rec.Body)
	}
}

func TestLoginFlow(t *testing.T) {
	_, h := newAccessServer(t)
	tests := []struct {
		name     string
		query    string
		location string // "": no sign-in
		pageHas  string
	}{
		{"admin", "?token=" + adminToken, "/admin", "signs you in as <strong>admin</strong> (admin)"},
		{"photographer", "?token=" + photoSecret, "/upload", "signs you in as <strong>Pat</strong> (photographer)"},
		{"video", "?token=" + videoSecret, "/video", "signs you in as <strong>Vic</strong> (video)"},
		{"speaker: their own page", "?token=" + speakerSecret, "/speakers/ana-lima", "signs you in as <strong>Ana</strong> (speaker)"},
		{"next", "?token=" + videoSecret + "&next=" + url.QueryEscape("/video?missing=1"), "/video?missing=1", `name="next" value="/video?missing=1"`},
		{"next elsewhere", "?token=" + videoSecret + "&next=" + url.QueryEscape("//evil.example/x"), "/video", "Vic"},
		{"next absolute", "?token=" + videoSecret + "&next=" + url.QueryEscape("https://evil.example/x"), "/video", "Vic"},
		{"pasted link", "?token=" + url.QueryEscape("http://example.test/login?token="+photoSecret), "/upload", "Pat"},
	}
	for _, tt := range tests {
		// Opening the link only shows whom it is for and a button.
		page, nonce, fields := loginPage(t, h, tt.query)
		if page.Code != 200 || !strings.Contains(page.Body.String(), tt.pageHas) || !strings.Contains(page.Body.String(), `id="login-confirm"`) {
			t.Errorf("%s: GET %d, want 200 with %q and the confirm button (%.500s)", tt.name, page.Code, tt.pageHas, page.Body)
		}
		for _, c := range page.Result().Cookies() {
			if c.Name == sessionCookie {
				t.Errorf("%s: opening the link set a session cookie: a link alone must not sign in", tt.name)
			}
		}
		if nonce == nil || nonce.SameSite != http.SameSiteStrictMode || !nonce.HttpOnly {
			t.Errorf("%s: login nonce cookie %+v, want an HttpOnly SameSite=Strict one", tt.name, nonce)
		}
		if cc := page.Header().Get("Cache-Control"); cc != "no-store" {
			t.Errorf("%s: confirm page Cache-Control %q, want no-store", tt.name, cc)
		}
		// The button signs in.
		rec := postLogin(h, nonce, fields, map[string]string{"Origin": "http://example.test"})
		if rec.Code != 303 || rec.Header().Get("Location") != tt.location {
			t.Errorf("%s: POST %d to %q, want 303 to %q (%.300s)", tt.name, rec.Code, rec.Header().Get("Location"), tt.location, rec.Body)
			continue
		}
		var c *http.Cookie
		for _, x := range rec.Result().Cookies() {
			if x.Name == sessionCookie {
				c = x
			}
		}
		if c == nil {
			t.Errorf("%s: no session cookie", tt.name)
			continue
		}
		if !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Secure || c.Path != "/" {
			t.Errorf("%s: cookie %+v, want HttpOnly, SameSite=Lax, not Secure over http, path /", tt.name, c)
		}
		for _, secret := range []string{photoSecret, adminToken, videoSecret, speakerSecret} {
			if strings.Contains(c.Value, secret) || strings.Contains(c.Value, HashToken(secret)) || strings.Contains(c.Value, HashToken(secret)[:16]) {
				t.Errorf("%s: the cookie carries a token's secret or hash: %q", tt.name, c.Value)
			}
		}
	}

	// Links that do not work say so, and offer nothing to press.
	for _, tt := range []struct{ name, query, has string }{
		{"expired", "?token=" + expiredSecret, "expired"},
		{"unknown", "?token=nope", "does not work"},
	} {
		rec := do(t, h, "GET", "/login"+tt.query, "", nil)
		if rec.Code != 401 || !strings.Contains(rec.Body.String(), tt.has) || strings.Contains(rec.Body.String(), `id="login-confirm"`) {
			t.Errorf("%s: %d %.300s, want 401 saying %q", tt.name, rec.Code, rec.Body, tt.has)
		}
	}
	if rec := do(t, h, "GET", "/login?why=ended", "", nil); rec.Code != 200 || !strings.Contains(rec.Body.String(), "has ended") ||
		!strings.Contains(rec.Body.String(), `<form method="post" action="/login" class="stack" id="login-form"`) {
		t.Errorf("ended: %d %.500s, want the paste form, posted", rec.Code, rec.Body)
	}

	// A form posted from another site, or without the login page's nonce,
	// signs nobody in: a page elsewhere cannot sign a visitor into someone
	// else's account.
	_, nonce, fields := loginPage(t, h, "?token="+photoSecret)
	other := &http.Cookie{Name: loginCookie, Value: strings.Repeat("x", 32)}
	for _, tt := range []struct {
		name   string
		nonce  *http.Cookie
		fields url.Values
		hdr    map[string]string
	}{
		{"no nonce cookie", nil, fields, nil},
		{"another nonce", other, fields, nil},
		{"no nonce field", nonce, url.Values{"token": {photoSecret}}, nil},
		{"another origin", nonce, fields, map[string]string{"Origin": "https://evil.example"}},
		{"a cross-site fetch", nonce, fields, map[string]string{"Origin": "null", "Sec-Fetch-Site": "cross-site"}},
		{"a same-site fetch", nonce, fields, map[string]string{"Sec-Fetch-Site": "same-site"}},
	} {
		rec := postLogin(h, tt.nonce, tt.fields, tt.hdr)
		for _, c := range rec.Result().Cookies() {
			if c.Name == sessionCookie {
				t.Errorf("%s: signed in", tt.name)
			}
		}
		if rec.Code != 403 || !strings.Contains(rec.Body.String(), "did not come from this site") {
			t.Errorf("%s: %d %.300s, want 403", tt.name, rec.Code, rec.Body)
		}
	}
	// The login page sends no referrer, so browsers post its form with
	// Origin: null; Sec-Fetch-Site says it is this site's.
	if rec := postLogin(h, nonce, fields, map[string]string{"Origin": "null", "Sec-Fetch-Site": "same-origin"}); rec.Code != 303 {
		t.Errorf("the login page's own form, as a browser posts it: %d %.300s, want 303", rec.Code, rec.Body)
	}
	// A GET that carries the form's fields does not sign in either.
	rec := do(t, h, "GET", "/login?"+fields.Encode(), "", nil)
	for _, c := range rec.Result().Cookies() {
		if c.Name == sessionCookie {
			t.Error("GET /login with the form's fields signed in")
		}
	}

	// The speaker token expires in an hour: so does its session.
	_, nonce, fields = loginPage(t, h, "?token="+speakerSecret)
	for _, c := range postLogin(h, nonce, fields, nil).Result().Cookies() {
		if c.Name == sessionCookie && c.MaxAge != 3600 {
			t.Errorf("speaker session lasts %ds, want the token's remaining 3600s", c.MaxAge)
		}
	}
	_, nonce, fields = loginPage(t, h, "?token="+photoSecret)
	for _, c := range postLogin(h, nonce, fields, nil).Result().Cookies() {
		if c.Name == sessionCookie && c.MaxAge != int(SessionTTL.Seconds()) {
			t.Errorf("photographer session lasts %ds, want %s", c.MaxAge, SessionTTL)
		}
	}

	// Over https (here, behind a proxy that says so) the cookie is Secure.
	_, nonce, fields = loginPage(t, h, "?token="+photoSecret)
	rr := postLogin(h, nonce, fields, map[string]string{"X-Forwarded-Proto": "https"})
	secure := false
	for _, c := range rr.Result().Cookies() {
		secure = secure || (c.Name == sessionCookie && c.Secure)
	}
	if !secure {
		t.Errorf("https login: cookies %v, want a Secure session cookie", rr.Result().Cookies())
	}
}

// withSession makes a request carrying the session cookie v.
func withSession(h http.Handler, method, path, v string, body io.Reader, hdr map[string]string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, body)
	if v != "" {
		req.AddCookie(&http.Cookie{Name: sessionCookie, Value: v})
	}
	for k, x := range hdr {
		req.Header.Set(k, x)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func TestSessions(t *testing.T) {
	s, h := newAccessServer(t)
	ctx := context.Background()
	video := login(t, h, videoSecret)
	if rec := withSession(h, "GET", "/video", video, nil, nil); rec.Code != 200 || !strings.Contains(rec.Body.String(), `name="csrf-token" content="`+s.csrfFor(video)+`"`) {
		t.Errorf("video page with a session: %d, want 200 with the CSRF token in the page", rec.Code)
	}

	// A forged, tampered or ended session does not work.
	sid, sig, _ := strings.Cut(video, ".")
	other := &Server{SessionKey: []byte("another key")}
	other.initSessionKey()
	otherSid := strings.Repeat("Q", 43)
	for name, v := range map[string]string{
		"tampered id":  strings.Repeat("A", len(sid)) + "." + sig,
		"other key":    otherSid + "." + base64.RawURLEncoding.EncodeToString(other.mac("session", otherSid)),
		"ended":        s.sessionValue(HashToken(videoSecret), testNow.Add(-time.Second)),
		"garbage":      "nonsense",
		"no signature": sid,
	} {
		if rec := withSession(h, "GET", "/api/review", v, nil, nil); rec.Code != 401 {
			t.Errorf("%s session: API %d, want 401", name, rec.Code)
		}
		rec := withSession(h, "GET", "/video", v, nil, nil)
		if outcome(rec) != "login" || !strings.Contains(rec.Header().Get("Location"), "why=ended") {
			t.Errorf("%s session: page %d to %q, want the login page saying the login ended", name, rec.Code, rec.Header().Get("Location"))
		}
	}

	// A CSRF token of another session is refused.
	admin := login(t, h, adminToken)
	rec := withSession(h, "POST", "/api/publish", admin, nil, map[string]string{csrfHeader: s.csrfFor(video)})
	if rec.Code != 403 || !strings.Contains(rec.Body.String(), "reload the page") {
		t.Errorf("publish with another session's CSRF token: %d %s, want 403", rec.Code, rec.Body)
	}
	// A second login of the same token is another session, with its own
	// CSRF token.
	admin2 := login(t, h, adminToken)
	if admin2 == admin || s.csrfFor(admin2) == s.csrfFor(admin) {
		t.Error("two logins share a session or a CSRF token")
	}
	// The queue dashboard's header name works too.
	if rec := withSession(h, "POST", "/api/publish", admin, nil, map[string]string{xsrfHeader: s.csrfFor(admin)}); rec.Code != 200 {
		t.Errorf("publish with the X-XSRF-Token header: %d %s", rec.Code, rec.Body)
	}
	// Bearer requests need no CSRF token, even with a cookie beside them.
	req := httptest.NewRequest("POST", "/api/publish", nil)
	req.Header.Set("Authorization", "Bearer "+adminToken)
	req.AddCookie(&http.Cookie{Name: sessionCookie, Value: video})
	rr := httptest.NewRecorder()
	h.ServeHTTP(rr, req)
	if rr.Code != 200 {
		t.Errorf("bearer publish beside a video session: %d, want 200 (the bearer token decides)", rr.Code)
	}

	// Revoking the token ends its sessions at once, and deletes them.
	if _, err := s.tokens().RevokeToken(ctx, videoSecret); err != nil {
		t.Fatal(err)
	}
	if rec := withSession(h, "GET", "/api/review", video, nil, nil); rec.Code != 401 {
		t.Errorf("session of a revoked token: %d, want 401", rec.Code)
	}
	if _, err := s.Store.SessionByHash(ctx, HashToken(sid)); !catalog.IsNotFound(err) {
		t.Errorf("session of a revoked token still stored: %v", err)
	}

	// Logout without the CSRF token is refused (a page elsewhere cannot
	// sign a visitor out); with it, it ends the session on the server: a
	// copy of the cookie stops working.
	if rec := withSession(h, "POST", "/logout", admin, nil, nil); rec.Code != 403 {
		t.Errorf("logout without the CSRF token: %d, want 403", rec.Code)
	}
	rec = withSession(h, "POST", "/logout", admin, strings.NewReader("csrf="+url.QueryEscape(s.csrfFor(admin))),
		map[string]string{"Content-Type": "application/x-www-form-urlencoded"})
	cleared := false
	for _, c := range rec.Result().Cookies() {
		cleared = cleared || (c.Name == sessionCookie && c.MaxAge < 0)
	}
	if rec.Code != 303 || !cleared {
		t.Errorf("logout: %d, cookies %v; want 303 clearing the session", rec.Code, rec.Result().Cookies())
	}
	if rec := withSession(h, "GET", "/api/catalog", admin, nil, nil); rec.Code != 401 {
		t.Errorf("a copy of the cookie after logout: %d, want 401", rec.Code)
	}
	if rec := withSession(h, "GET", "/api/catalog", admin2, nil, nil); rec.Code != 200 {
		t.Errorf("the other login of the same token after logout: %d, want 200 (logout ends one session)", rec.Code)
	}
	// Logout is a POST: a GET (a link, an image elsewhere) does nothing.
	if rec := withSession(h, "GET", "/logout", admin2, nil, nil); rec.Code != 405 {
		t.Errorf("GET /logout: %d, want 405", rec.Code)
	}
	if rec := withSession(h, "GET", "/api/catalog", admin2, nil, nil); rec.Code != 200 {
		t.Errorf("session after GET /logout: %d, want 200", rec.Code)
	}
}

// TestSessionForgery replays the attack on sessions signed with a key
// derived from the admin token's hash: from one admin cookie, mint a
// session that lasts till 2100. It must not work, nor may the cookie
// carry anything of the token.
func TestSessionForgery(t *testing.T) {
	s, h := newAccessServer(t)
	cookie := login(t, h, adminToken)
	if strings.Contains(cookie, HashToken(adminToken)[:16]) {
		t.Errorf("the admin's cookie %q carries the admin token's hash", cookie)
	}
	hash := HashToken(adminToken)
	m := hmac.New(sha256.New, []byte(hash))
	m.Write([]byte("confmedia session key v1"))
	key := m.Sum(nil)
	e := strconv.FormatInt(time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC).Unix(), 10)
	mac := hmac.New(sha256.New, key)
	for _, p := range []string{"session", hash, e} {
		mac.Write([]byte(p))
		mac.Write([]byte{0})
	}
	forged := hash + "." + e + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
	if rec := withSession(h, "GET", "/api/catalog", forged, nil, nil); rec.Code != 401 {
		t.Errorf("a session minted from the admin token's hash: %d, want 401", rec.Code)
	}
	// Nor does a server without a session key derive one from the admin
	// token: two such servers do not accept each other's cookies.
	other := &Server{Store: s.Store, Blobs: s.Blobs, Queue: s.Queue, Logger: s.Logger, AdminTokenHash: s.AdminTokenHash,
		PublicURL: s.PublicURL, Now: s.Now}
	if rec := withSession(other.Handler(), "GET", "/api/catalog", cookie, nil, nil); rec.Code != 401 {
		t.Errorf("another server with the same admin token and no session key accepts the cookie: %d, want 401", rec.Code)
	}
}

// TestSessionKeyShared: web nodes that share the catalog and the session
// key serve the same sessions, and logout on one ends it on the other.
func TestSessionKeyShared(t *testing.T) {
	a, _ := newAccessServer(t)
	a.SessionKey = []byte("a shared session key of 32 bytes")
	ha := a.Handler()
	b := &Server{Store: a.Store, Blobs: a.Blobs, Queue: a.Queue, Logger: a.Logger, AdminTokenHash: a.AdminTokenHash,
		PublicURL: a.PublicURL, Now: a.Now, SessionKey: a.SessionKey}
	hb := b.Handler()
	v := login(t, ha, adminToken)
	if rec := withSession(hb, "GET", "/api/catalog", v, nil, nil); rec.Code != 200 {
		t.Fatalf("the other node: %d, want 200", rec.Code)
	}
	rec := withSession(hb, "POST", "/logout", v, nil, map[string]string{csrfHeader: a.csrfFor(v)})
	if rec.Code != 303 {
		t.Fatalf("logout on the other node: %d", rec.Code)
	}
	if rec := withSession(ha, "GET", "/api/catalog", v, nil, nil); rec.Code != 401 {
		t.Errorf("after logout on the other node: %d, want 401", rec.Code)
	}
}

func TestSessionRoleAndCSRFToken(t *testing.T) {
	s, _ := newAccessServer(t)
	v, expired := sessionFor(s, asPhotographer), sessionFor(s, asExpired)
	tests := []struct {
		name     string
		cookie   string
		bearer   string
		wantRole catalog.Role
		wantCSRF string
	}{
		{"anonymous", "", "", "", ""},
		{"session", v, "", catalog.RolePhotographer, s.csrfFor(v)},
		{"bearer", "", videoSecret, catalog.RoleVideo, ""},
		{"expired token", expired, "", "", s.csrfFor(expired)},
		{"garbage", "x.y.z", "", "", ""},
	}
	for _, tt := range tests {
		req := httptest.NewRequest("GET", "/", nil)
		if tt.cookie != "" {
			req.AddCookie(&http.Cookie{Name: sessionCookie, Value: tt.cookie})
		}
		if tt.bearer != "" {
			req.Header.Set("Authorization", "Bearer "+tt.bearer)
		}
		if got := s.sessionRole(req); got != tt.wantRole {
			t.Errorf("%s: sessionRole = %q, want %q", tt.name, got, tt.wantRole)
		}
		if got := s.csrfToken(req); got != tt.wantCSRF {
			t.Errorf("%s: csrfToken = %q, want %q", tt.name, got, tt.wantCSRF)
		}
	}
}

func TestRequirePageAnswers(t *testing.T) {
	s, h := newAccessServer(t)
	// Anonymous: to the login page, coming back afterwards.
	rec := do(t, h, "GET", "/cameras?x=1", "", nil)
	if loc := rec.Header().Get("Location"); rec.Code != 303 || loc != "/login?next="+url.QueryEscape("/cameras?x=1") {
		t.Errorf("anonymous /cameras: %d to %q", rec.Code, loc)
	}
	// The wrong role: a 403 page naming the role it is for.
	rec = withSession(h, "GET", "/admin", sessionFor(s, asVideo), nil, nil)
	if body := rec.Body.String(); rec.Code != 403 || !strings.Contains(body, `data-testid="forbidden"`) || !strings.Contains(body, "admin role") || !strings.Contains(body, "Vic") {
		t.Errorf("video at /admin: %d %.500s", rec.Code, body)
	}
	if cc := rec.Header().Get("Cache-Control"); cc != "no-store" {
		t.Errorf("organizer page Cache-Control %q, want no-store", cc)
	}
	// A form posted without the CSRF token: a 403 page.
	rec = withSession(h, "POST", "/admin/publish", sessionFor(s, asAdmin), strings.NewReader("x=1"),
		map[string]string{"Content-Type": "application/x-www-form-urlencoded"})
	if rec.Code != 403 || !strings.Contains(rec.Body.String(), "reload the page") {
		t.Errorf("form without CSRF: %d %.300s", rec.Code, rec.Body)
	}
}

func TestTokenAPI(t *testing.T) {
	s, h := newAccessServer(t)
	ctx := context.Background()
	rec := do(t, h, "POST", "/api/tokens", adminToken, []byte(`{"role":"speaker","name":"  Ana   Lima ","expires":"72h","speaker":"ANA  lima"}`))
	var created TokenCreated
	if err := json.Unmarshal(rec.Body.Bytes(), &created); err != nil || rec.Code != 201 {
		t.Fatalf("create: %d %s", rec.Code, rec.Body)
	}
	if !strings.HasPrefix(created.Token, tokenPrefix) || created.Link != "http://example.test/login?token="+created.Token ||
		created.Name != "Ana Lima" || created.Role != catalog.RoleSpeaker || !created.Expires.Equal(testNow.Add(72*time.Hour)) ||
		created.Hash != HashToken(created.Token)[:shownHashPrefix] {
		t.Errorf("created = %+v", created)
	}
	stored, err := s.Store.TokenByHash(ctx, HashToken(created.Token))
	if err != nil || stored.Role != catalog.RoleSpeaker || stored.SpeakerID != "ana-lima" || created.SpeakerID != "ana-lima" {
		t.Errorf("stored token = %+v, %v; want it stored by hash, for speaker ana-lima", stored, err)
	}
	// The new token works, as a bearer token and as a login link.
	if rec := do(t, h, "GET", "/login?token="+created.Token, "", nil); rec.Code != 200 || !strings.Contains(rec.Body.String(), "Ana Lima") {
		t.Errorf("login link of the new token: %d, want its confirmation page", rec.Code)
	}
	login(t, h, created.Token)

	for _, tt := range []struct {
		body, errHas string
	}{
		{`{"role":"root","name":"x"}`, "unknown role"},
		{`{"role":"video","name":"  "}`, "needs a name"},
		{`{"role":"video","name":"x","expires":"soon"}`, "expiry"},
		{`{"role":"video","name":"x","expires":"-1h"}`, "expiry"},
		{`{"role":"video","name":"x","expires":"9999d"}`, "five years"},
		{`{"role":"speaker","name":"x"}`, "needs the speaker it belongs to"},
		{`{"role":"speaker","name":"x","speaker":"Nobody Here"}`, "no speaker"},
		{`{"role":"video","name":"x","speaker":"ana-lima"}`, "only a speaker token"},
	} {
		rec := do(t, h, "POST", "/api/tokens", adminToken, []byte(tt.body))
		if rec.Code != 400 || !strings.Contains(rec.Body.String(), tt.errHas) {
			t.Errorf("create %s: %d %s, want 400 with %q", tt.body, rec.Code, rec.Body, tt.errHas)
		}
	}

	rec = do(t, h, "GET", "/api/tokens", adminToken, nil)
	var list TokenList
	if err := json.Unmarshal(rec.Body.Bytes(), &list); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, x := range list.Tokens {
		names = append(names, x.Name)
		if len(x.Hash) != shownHashPrefix {
			t.Errorf("listed hash %q, want a %d-character prefix", x.Hash, shownHashPrefix)
		}
	}
	if got, want := strings.Join(names, ","), "Ana Lima,Pat,Vic,Ana,Old"; got != want {
		t.Errorf("listed %s, want newest first %s", got, want)
	}
	if strings.Contains(rec.Body.String(), created.Token) || strings.Contains(rec.Body.String(), HashToken(created.Token)) {
		t.Error("the token list shows a secret or a whole hash")
	}
	if !strings.Contains(rec.Body.String(), `"expired": true`) {
		t.Errorf("the expired token is not marked: %s", rec.Body)
	}

	for _, tt := range []struct {
		path string
		want int
	}{
		{"/api/tokens/abc", 400},
		{"/api/tokens/not-hex-at-all", 400},
		{"/api/tokens/" + strings.Repeat("0", 64), 404},
		{"/api/tokens/00000000", 404},
		{"/api/tokens/" + HashToken(created.Token)[:8], 200},
		{"/api/tokens/" + HashToken(created.Token), 404},
		{"/api/tokens/" + HashToken(photoSecret), 200},
	} {
		rec := do(t, h, "DELETE", tt.path, adminToken, nil)
		if rec.Code != tt.want {
			t.Errorf("DELETE %s: %d %s, want %d", tt.path, rec.Code, rec.Body, tt.want)
		}
	}
	if rec := do(t, h, "GET", "/api/queue", created.Token, nil); rec.Code != 401 {
		t.Errorf("revoked token: %d, want 401", rec.Code)
	}
}

func TestRevokeAmbiguousPrefix(t *testing.T) {
	s, _ := newAccessServer(t)
	ctx := context.Background()
	for _, h := range []string{"abcdef0011" + strings.Repeat("0", 54), "abcdef0022" + strings.Repeat("0", 54)} {
		if err := s.Store.PutToken(ctx, catalog.Token{Hash: h, Role: catalog.RoleVideo, Name: h[:10]}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.tokens().revokeHash(ctx, "abcdef00"); catalog.ErrorKind(err) != catalog.Invalid || !strings.Contains(err.Error(), "2 tokens") {
		t.Errorf("ambiguous prefix: %v, want Invalid naming 2 tokens", err)
	}
	if got, err := s.tokens().revokeHash(ctx, "ABCDEF0022"); err != nil || got.Name != "abcdef0022" {
		t.Errorf("unique prefix: %+v, %v", got, err)
	}
}

func TestTokensListAndRevokeByPrefix(t *testing.T) {
	_, _, h := newTestServer(t)
	rec := do(t, h, "GET", "/api/tokens", adminToken, nil)
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), HashToken("photo-secret")[:12]) || strings.Contains(rec.Body.String(), "photo-secret") {
		t.Errorf("list: %d %s; want hash prefixes and never a secret", rec.Code, rec.Body)
	}
	if rec := do(t, h, "DELETE", "/api/tokens/"+HashToken("old-secret")[:10], adminToken, nil); rec.Code != 200 {
		t.Errorf("revoke by prefix: %d %s", rec.Code, rec.Body)
	}
	if rec := do(t, h, "GET", "/api/queue", "old-secret", nil); rec.Code != 401 {
		t.Errorf("revoked token still answers %d", rec.Code)
	}
	if rec := do(t, h, "GET", "/tokens", adminToken, nil); rec.Code != 200 || !strings.Contains(rec.Body.String(), "Pat") {
		t.Errorf("tokens page: %d", rec.Code)
	}
}

func TestParseTokenTTL(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"", DefaultTokenTTL, true},
		{"never", 0, true},
		{"0", 0, true},
		{"72h", 72 * time.Hour, true},
		{"30d", 30 * 24 * time.Hour, true},
		{" 7D ", 7 * 24 * time.Hour, true},
		{"90m", 90 * time.Minute, true},
		{"-1h", 0, false},
		{"0d", 0, false},
		{"xd", 0, false},
		{"soon", 0, false},
		{"2000d", 0, false},
	}
	for _, tt := range tests {
		got, err := ParseTokenTTL(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParseTokenTTL(%q) = %v, %v; want %v, ok %v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

func TestLocalPath(t *testing.T) {
	tests := []struct{ in, want string }{
		{"/video", "/video"},
		{"/video?missing=1#talks", "/video?missing=1#talks"},
		{"", ""},
		{"video", ""},
		{"//evil.example", ""},
		{"/\\evil.example", ""},
		{"https://evil.example/", ""},
		{"/login?token=x", ""},
	}
	for _, tt := range tests {
		if got := localPath(tt.in); got != tt.want {
			t.Errorf("localPath(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestCacheKeptByAnonymousRequests: the cached public view is dropped by
// changes to the catalog, never by a request anyone can send (logging out,
// a refused login).
func TestCacheKeptByAnonymousRequests(t *testing.T) {
	s, h := newAccessServer(t)
	cached := func() bool {
		s.cache.mu.Lock()
		defer s.cache.mu.Unlock()
		return s.cache.view != nil
	}
	if rec := do(t, h, "GET", "/api/talks/t1", "", nil); rec.Code != 200 || !cached() {
		t.Fatalf("public read: %d, cached %v", rec.Code, cached())
	}
	for _, rq := range []struct{ method, path, body string }{
		{"POST", "/logout", ""},
		{"POST", "/login", "token=" + photoSecret},
	} {
		req := httptest.NewRequest(rq.method, rq.path, strings.NewReader(rq.body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if !cached() {
			t.Errorf("anonymous %s %s (%d) dropped the public cache", rq.method, rq.path, rec.Code)
		}
	}
	if rec := do(t, h, "POST", "/api/optouts", adminToken, []byte(`{"name":"Carol Example"}`)); rec.Code != 200 || cached() {
		t.Errorf("an organizer's change: %d, cached %v; want the cache dropped", rec.Code, cached())
	}
}
