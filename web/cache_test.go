package web

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/confmedia/confmedia/catalog"
	"github.com/confmedia/confmedia/catalog/catalogtest"
	"github.com/confmedia/confmedia/pipeline/schedule"
)

// fosdemSchedule is FOSDEM 2025's schedule (1,074 talks) from the shared
// test data; it skips when that is absent.
func fosdemSchedule(tb testing.TB) catalog.Schedule {
	tb.Helper()
	data, err := os.ReadFile(catalogtest.SharedData(tb, "fosdem-2025", "schedule.xml"))
	if err != nil {
		tb.Fatal(err)
	}
	s, err := schedule.Parse("schedule.xml", data, "")
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// generatedSchedule is a schedule of n talks in rooms of 40, one speaker
// each.
func generatedSchedule(n int) catalog.Schedule {
	s := catalog.Schedule{Conference: catalog.Conference{Title: "Generated", Timezone: "Europe/Brussels"}}
	start := time.Date(2025, 2, 1, 9, 0, 0, 0, time.UTC)
	for i := range n {
		sp := catalog.Speaker{ID: "s" + catalog.Itoa(int64(i)), Name: "Speaker " + catalog.Itoa(int64(i))}
		s.Speakers = append(s.Speakers, sp)
		at := start.Add(time.Duration(i%40) * 20 * time.Minute)
		s.Talks = append(s.Talks, catalog.Talk{ID: "t" + catalog.Itoa(int64(i)), Title: "Talk " + catalog.Itoa(int64(i)),
			Room: "Room " + catalog.Itoa(int64(i/40)), Start: at, End: at.Add(20 * time.Minute), SpeakerIDs: []string{sp.ID}})
	}
	return s
}

// countingStore counts the catalog walks that build a public view.
type countingStore struct {
	catalog.Store
	lists atomic.Int64
}

func (c *countingStore) ListMedia(ctx context.Context, f catalog.MediaFilter) ([]*catalog.Media, error) {
	c.lists.Add(1)
	return c.Store.ListMedia(ctx, f)
}

// testClock is a clock tests move.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *testClock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func scheduleServer(tb testing.TB, sched catalog.Schedule) (*Server, http.Handler) {
	tb.Helper()
	s := &Server{
		Store: &countingStore{Store: catalogtest.NewMemStore()}, Blobs: catalogtest.NewMemBlobs(), Queue: &fakeQueue{},
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), AdminTokenHash: HashToken(adminToken),
		PublicURL: "http://example.test",
	}
	if _, err := s.Store.ReplaceSchedule(context.Background(), sched); err != nil {
		tb.Fatal(err)
	}
	return s, s.Handler()
}

// BenchmarkSchedule measures an anonymous GET /api/schedule of FOSDEM
// 2025's schedule (1,074 talks, when the shared data is present) and of a
// generated one of the same size.
func BenchmarkSchedule(b *testing.B) {
	for _, bc := range []struct {
		name  string
		sched func(testing.TB) catalog.Schedule
	}{
		{"fosdem-2025", fosdemSchedule},
		{"generated-1074", func(testing.TB) catalog.Schedule { return generatedSchedule(1074) }},
	} {
		b.Run(bc.name, func(b *testing.B) {
			_, h := scheduleServer(b, bc.sched(b))
			for b.Loop() {
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, httptest.NewRequest("GET", "/api/schedule", nil))
				if rec.Code != http.StatusOK {
					b.Fatalf("status %d", rec.Code)
				}
			}
		})
	}
}

func getH(t *testing.T, h http.Handler, path string, hdr ...string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest("GET", path, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// TestScheduleBuiltPerChange: anonymous reads of /api/schedule and of talk
// JSON share one build of the public view; neither time passing nor
// anonymous requests (even ones that change state, like logging out)
// rebuild or drop it; an organizer's change does, at once; a change made
// through another process (here: straight in the store) shows within
// publicTTL and one build.
func TestScheduleBuiltPerChange(t *testing.T) {
	s, _ := scheduleServer(t, generatedSchedule(200))
	clock := &testClock{t: time.Date(2026, 5, 15, 12, 0, 0, 0, time.UTC)}
	s.Now = clock.Now
	h := s.Handler()
	st := s.Store.(*countingStore)
	ctx := context.Background()
	talk := s.mustFirstTalk(t)

	first := getH(t, h, "/api/schedule")
	if first.Code != 200 || first.Header().Get("ETag") == "" {
		t.Fatalf("GET /api/schedule: %d, ETag %q", first.Code, first.Header().Get("ETag"))
	}
	for range 20 {
		if rec := getH(t, h, "/api/schedule"); rec.Code != 200 || rec.Body.String() != first.Body.String() {
			t.Fatalf("GET /api/schedule again: %d, body changed", rec.Code)
		}
		if rec := getH(t, h, "/api/talks/"+talk); rec.Code != 200 {
			t.Fatalf("GET /api/talks/%s: %d", talk, rec.Code)
		}
	}
	for _, path := range []string{"/logout", "/login"} {
		req := httptest.NewRequest("POST", path, strings.NewReader("token=nope"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		h.ServeHTTP(httptest.NewRecorder(), req)
	}
	getH(t, h, "/api/schedule")
	// Time passing rebuilds nothing while the catalog is unchanged.
	for range 3 {
		clock.Add(publicTTL)
		getH(t, h, "/api/schedule")
	}
	time.Sleep(50 * time.Millisecond) // a background build, were one started
	if n := st.lists.Load(); n != 1 {
		t.Errorf("public view built %d times for 44 anonymous reads over %v and 2 anonymous posts, with no change: want 1", n, 3*publicTTL)
	}
	if rec := getH(t, h, "/api/schedule", "If-None-Match", first.Header().Get("ETag")); rec.Code != http.StatusNotModified || rec.Body.Len() != 0 {
		t.Errorf("revalidation with the ETag: %d, %d bytes; want 304, none", rec.Code, rec.Body.Len())
	}

	// An organizer's change shows at the next read: the change is made in
	// the store, and the organizer's request (here an opt-out) drops the
	// view as any successful change does.
	sched := generatedSchedule(200)
	sched.Conference.Title = "Renamed by an organizer"
	if _, err := st.ReplaceSchedule(ctx, sched); err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest("POST", "/api/optouts", strings.NewReader(`{"name":"Carol Example"}`))
	req.Header.Set("Authorization", "Bearer "+adminToken)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != 200 {
		t.Fatalf("opt-out: %d %s", rec.Code, rec.Body)
	}
	if body := getH(t, h, "/api/schedule").Body.String(); !strings.Contains(body, "Renamed by an organizer") {
		t.Errorf("after an organizer's change, /api/schedule still has the old title")
	}

	// A change through another process shows within publicTTL.
	sched.Conference.Title = "Renamed on another node"
	if _, err := st.ReplaceSchedule(ctx, sched); err != nil {
		t.Fatal(err)
	}
	clock.Add(publicTTL / 2)
	if body := getH(t, h, "/api/schedule").Body.String(); strings.Contains(body, "Renamed on another node") {
		t.Errorf("a change elsewhere showed before publicTTL: the view was rebuilt for a read")
	}
	clock.Add(publicTTL)
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(getH(t, h, "/api/schedule").Body.String(), "Renamed on another node") {
		if time.Now().After(deadline) {
			t.Fatalf("a change elsewhere did not show after publicTTL")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func (s *Server) mustFirstTalk(t *testing.T) string {
	t.Helper()
	sched, err := s.Store.Schedule(context.Background())
	if err != nil || len(sched.Talks) == 0 {
		t.Fatalf("schedule: %v, %d talks", err, len(sched.Talks))
	}
	return sched.Talks[0].ID
}

// TestPublicRenditionRevalidates: a public rendition is cacheable for
// catalog.RenditionMaxAge and then revalidated — never immutable — so
// that a takedown ends it: 304 while it is public, 404 once it is gone.
func TestPublicRenditionRevalidates(t *testing.T) {
	s, h := scheduleServer(t, generatedSchedule(1))
	ctx := context.Background()
	key := catalog.RenditionKey("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "large")
	data := []byte("\xff\xd8 a rendition")
	if err := s.Blobs.Put(ctx, key, bytes.NewReader(data), int64(len(data)), "image/jpeg"); err != nil {
		t.Fatal(err)
	}
	path := "/" + key
	rec := getH(t, h, path)
	cc, etag, lm := rec.Header().Get("Cache-Control"), rec.Header().Get("ETag"), rec.Header().Get("Last-Modified")
	if rec.Code != 200 || rec.Body.String() != string(data) {
		t.Fatalf("GET %s: %d %q", path, rec.Code, rec.Body)
	}
	if cc != catalog.CacheControl(key) || strings.Contains(cc, "immutable") || !strings.Contains(cc, "must-revalidate") ||
		!strings.Contains(cc, "max-age="+catalog.Itoa(catalog.RenditionMaxAge)) {
		t.Errorf("Cache-Control %q, want a short max-age with must-revalidate", cc)
	}
	if etag == "" || lm == "" {
		t.Errorf("ETag %q, Last-Modified %q: want both, to revalidate with", etag, lm)
	}
	if rec := getH(t, h, path, "If-None-Match", etag); rec.Code != http.StatusNotModified || rec.Body.Len() != 0 {
		t.Errorf("If-None-Match: %d, %d bytes; want 304", rec.Code, rec.Body.Len())
	}
	if rec := getH(t, h, path, "If-Modified-Since", lm); rec.Code != http.StatusNotModified {
		t.Errorf("If-Modified-Since: %d, want 304", rec.Code)
	}
	if rec := getH(t, h, path, "If-None-Match", `"other"`); rec.Code != 200 {
		t.Errorf("If-None-Match of another version: %d, want 200", rec.Code)
	}
	// The takedown deletes the public copy: revalidation finds it gone.
	if err := s.Blobs.Delete(ctx, key); err != nil {
		t.Fatal(err)
	}
	if rec := getH(t, h, path, "If-None-Match", etag); rec.Code != http.StatusNotFound {
		t.Errorf("revalidation after the takedown: %d, want 404", rec.Code)
	}
	// Published JSON is revalidated on every use.
	jkey := catalog.TalkKey("t1")
	if err := s.Blobs.Put(ctx, jkey, strings.NewReader("{}"), 2, "application/json"); err != nil {
		t.Fatal(err)
	}
	if rec := getH(t, h, "/"+jkey); rec.Header().Get("Cache-Control") != "public, no-cache" || rec.Header().Get("ETag") == "" {
		t.Errorf("published JSON: Cache-Control %q, ETag %q; want public, no-cache with an ETag", rec.Header().Get("Cache-Control"), rec.Header().Get("ETag"))
	}
}
