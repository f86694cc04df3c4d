package web

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/confmedia/confmedia/catalog"
	"github.com/confmedia/confmedia/catalog/catalogtest"
	"github.com/confmedia/confmedia/pipeline/exif/exiftest"
)

type fakeQueue struct {
	mu       sync.Mutex
	media    []string
	tags     []string
	recs     []string
	pingErr  error
	enqueErr error
}

func (q *fakeQueue) EnqueueMedia(_ context.Context, m *catalog.Media) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.enqueErr != nil {
		return q.enqueErr
	}
	q.media = append(q.media, m.ID)
	return nil
}

func (q *fakeQueue) EnqueueTag(_ context.Context, id string, gen int) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.tags = append(q.tags, id)
	return nil
}

func (q *fakeQueue) EnqueueRecording(_ context.Context, id string, gen int) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.recs = append(q.recs, id)
	return nil
}

func (q *fakeQueue) Stats(context.Context) (catalog.QueueStats, error) {
	return catalog.QueueStats{}, nil
}
func (q *fakeQueue) Ping(context.Context) error { return q.pingErr }

const adminToken = "admin-secret"

func newTestServer(t *testing.T) (*Server, *fakeQueue, http.Handler) {
	t.Helper()
	q := &fakeQueue{}
	s := &Server{
		Store: catalogtest.NewMemStore(), Blobs: catalogtest.NewMemBlobs(), Queue: q,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), AdminTokenHash: HashToken(adminToken),
		PublicURL: "http://example.test", MaxBytes: 1 << 20, MaxPixels: 10_000_000, TempDir: t.TempDir(),
		Now: func() time.Time { return time.Date(2026, 5, 15, 12, 0, 0, 0, time.UTC) },
	}
	if err := s.Store.PutToken(context.Background(), catalog.Token{Hash: HashToken("photo-secret"), Role: catalog.RolePhotographer, Name: "Pat"}); err != nil {
		t.Fatal(err)
	}
	if err := s.Store.PutToken(context.Background(), catalog.Token{Hash: HashToken("old-secret"), Role: catalog.RolePhotographer, Name: "Old",
		Expires: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}); err != nil {
		t.Fatal(err)
	}
	return s, q, s.Handler()
}

func do(t *testing.T, h http.Handler, method, path, token string, body []byte) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(method, path, bytes.NewReader(body))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func TestAuth(t *testing.T) {
	_, _, h := newTestServer(t)
	tests := []struct {
		method, path, token string
		want                int
	}{
		{"GET", "/healthz", "", 200},
		{"GET", "/api/catalog", "", 401},
		{"GET", "/api/catalog", "wrong", 401},
		{"GET", "/api/catalog", "old-secret", 401},
		{"GET", "/api/catalog", "photo-secret", 403},
		{"GET", "/api/catalog", adminToken, 200},
		{"GET", "/api/queue", "photo-secret", 200},
		{"POST", "/api/publish", "photo-secret", 403},
		{"POST", "/api/schedule", "photo-secret", 403},
		{"POST", "/api/recordings", "photo-secret", 403},
		{"GET", "/api/talks/nope", "", 404},
	}
	for _, tt := range tests {
		rec := do(t, h, tt.method, tt.path, tt.token, nil)
		if rec.Code != tt.want {
			t.Errorf("%s %s with %q: %d, want %d (%s)", tt.method, tt.path, tt.token, rec.Code, tt.want, rec.Body)
		}
	}
}

func id(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func TestUpload(t *testing.T) {
	s, q, h := newTestServer(t)
	photo := exiftest.MustJPEG(t, exiftest.Spec{DateTimeOriginal: "2026:05:15 09:10:00"})
	huge := exiftest.MustJPEG(t, exiftest.Spec{Width: 4000, Height: 3000})

	tests := []struct {
		name     string
		path     string
		body     []byte
		want     int
		errHas   string
		wantItem bool
	}{
		{"ok", "/api/media/" + id(photo) + "?name=a.jpg&kind=photo&clock_offset=-7m30s", photo, 201, "", true},
		{"again", "/api/media/" + id(photo) + "?name=b.jpg", photo, 200, "", true},
		{"wrong id", "/api/media/" + id([]byte("x")) + "?name=c.jpg", photo, 400, "c.jpg: content does not match", false},
		{"bad id", "/api/media/XYZ?name=d.jpg", photo, 400, "not a lowercase sha256", false},
		{"text", "/api/media/" + id([]byte("hello")) + "?name=e.txt", []byte("hello"), 400, "e.txt: not an image", false},
		{"too many pixels", "/api/media/" + id(huge) + "?name=f.jpg", huge, 413, "f.jpg", false},
		{"bad kind", "/api/media/" + id(photo) + "?kind=video", photo, 400, "unknown kind", false},
		{"unknown room", "/api/media/" + id(photo) + "?room=Nowhere", photo, 400, "unknown room", false},
	}
	s.MaxPixels = 1_000_000
	for _, tt := range tests {
		rec := do(t, h, "PUT", tt.path, "photo-secret", tt.body)
		if rec.Code != tt.want || !strings.Contains(rec.Body.String(), tt.errHas) {
			t.Errorf("%s: %d %s, want %d containing %q", tt.name, rec.Code, rec.Body, tt.want, tt.errHas)
		}
	}
	m, err := s.Store.Media(context.Background(), id(photo))
	if err != nil {
		t.Fatal(err)
	}
	if m.SourceName != "a.jpg" || m.Status != catalog.Pending || !m.HasOffset || m.ClockOffset != -450*time.Second || m.Generation != 1 {
		t.Errorf("stored media = %+v; the first upload's metadata must stand", m)
	}
	if _, err := s.Blobs.Stat(context.Background(), catalog.OriginalKey(m.ID)); err != nil {
		t.Errorf("original not in the bucket: %v", err)
	}
	if len(q.media) < 1 || q.media[0] != m.ID {
		t.Errorf("enqueued %v, want the new item", q.media)
	}

	// check answers which ids are known.
	body, _ := json.Marshal(CheckRequest{IDs: []string{id(photo), id(huge)}})
	rec := do(t, h, "POST", "/api/media/check", "photo-secret", body)
	var cr CheckResponse
	if err := json.Unmarshal(rec.Body.Bytes(), &cr); err != nil || len(cr.Known) != 1 || cr.Known[0] != id(photo) {
		t.Errorf("check = %s (%v), want only the uploaded id", rec.Body, err)
	}
}

func TestUploadOverMaxBytes(t *testing.T) {
	s, _, h := newTestServer(t)
	s.MaxBytes = 100
	photo := exiftest.MustJPEG(t, exiftest.Spec{})
	rec := do(t, h, "PUT", "/api/media/"+id(photo)+"?name=big.jpg", "photo-secret", photo)
	if rec.Code != http.StatusRequestEntityTooLarge || !strings.Contains(rec.Body.String(), "big.jpg") {
		t.Errorf("over max bytes: %d %s", rec.Code, rec.Body)
	}
}

const csvSchedule = "id,title,room,start,end,speakers\nt1,Keynote,Hall A,2026-05-15 09:00,2026-05-15 10:00,Ana Lima\n"

func TestScheduleImportRetags(t *testing.T) {
	s, q, h := newTestServer(t)
	ctx := context.Background()
	if _, err := s.Store.CreateMedia(ctx, &catalog.Media{ID: strings.Repeat("a", 64), Kind: catalog.Photo, SourceName: "x.jpg", Status: catalog.Pending, Generation: 1}); err != nil {
		t.Fatal(err)
	}
	if err := s.Store.UpdateMedia(ctx, strings.Repeat("a", 64), func(m *catalog.Media) error {
		m.Status, m.Reason = catalog.NeedsReview, "no schedule imported"
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	rec := do(t, h, "POST", "/api/schedule?name=s.csv", adminToken, []byte(csvSchedule))
	if rec.Code != 400 || !strings.Contains(rec.Body.String(), "s.csv") {
		t.Errorf("no zone: %d %s, want 400 naming the file", rec.Code, rec.Body)
	}
	rec = do(t, h, "POST", "/api/schedule?name=s.csv&timezone=Europe/Dublin", adminToken, []byte(csvSchedule))
	if rec.Code != 200 {
		t.Fatalf("import: %d %s", rec.Code, rec.Body)
	}
	if len(q.tags) != 1 {
		t.Errorf("re-tag tasks %v, want the one processed item", q.tags)
	}
	m, _ := s.Store.Media(ctx, strings.Repeat("a", 64))
	if m.Generation != 2 {
		t.Errorf("generation %d, want 2", m.Generation)
	}
	// The same file again changes nothing and re-tags nothing.
	rec = do(t, h, "POST", "/api/schedule?name=s.csv&timezone=Europe/Dublin", adminToken, []byte(csvSchedule))
	if rec.Code != 200 || len(q.tags) != 1 {
		t.Errorf("re-import: %d %s, %d re-tags", rec.Code, rec.Body, len(q.tags))
	}
}

func TestPublishAndServePublic(t *testing.T) {
	s, _, h := newTestServer(t)
	ctx := context.Background()
	if rec := do(t, h, "POST", "/api/schedule?name=s.csv&timezone=Europe/Dublin", adminToken, []byte(csvSchedule)); rec.Code != 200 {
		t.Fatalf("import: %d %s", rec.Code, rec.Body)
	}
	orig := []byte("private original bytes")
	if err := s.Blobs.Put(ctx, catalog.OriginalKey(strings.Repeat("b", 64)), bytes.NewReader(orig), int64(len(orig)), "image/jpeg"); err != nil {
		t.Fatal(err)
	}
	rec := do(t, h, "POST", "/api/publish", adminToken, nil)
	var pr PublishResponse
	if err := json.Unmarshal(rec.Body.Bytes(), &pr); err != nil || rec.Code != 200 {
		t.Fatalf("publish: %d %s", rec.Code, rec.Body)
	}
	if pr.CatalogURL != "http://example.test/public/catalog.json" || pr.Objects != 1+1+1 {
		t.Errorf("publish = %+v, want catalog + 1 talk + 1 speaker at the web app's /public/ URL", pr)
	}
	tests := []struct {
		path string
		want int
	}{
		{"/public/catalog.json", 200},
		{"/public/talks/t1.json", 200},
		{"/public/speakers/ana-lima.json", 200},
		{"/public/nothing.json", 404},
		{"/public/../originals/bb/" + strings.Repeat("b", 64), 404},
		{"/public/%2e%2e/originals/bb/" + strings.Repeat("b", 64), 404},
		{"/originals/bb/" + strings.Repeat("b", 64), 404},
	}
	for _, tt := range tests {
		rec := do(t, h, "GET", tt.path, "", nil)
		if rec.Code == http.StatusMovedPermanently || rec.Code == http.StatusTemporaryRedirect {
			rec = do(t, h, "GET", rec.Header().Get("Location"), "", nil)
		}
		if rec.Code != tt.want || bytes.Contains(rec.Body.Bytes(), orig) {
			t.Errorf("GET %s: %d, want %d (and never the original's bytes)", tt.path, rec.Code, tt.want)
		}
	}
	var doc catalog.Document
	rec = do(t, h, "GET", "/public/catalog.json", "", nil)
	if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil || len(doc.Talks) != 1 || doc.Conference.Timezone != "Europe/Dublin" {
		t.Errorf("published catalog: %v %+v", err, doc.Conference)
	}
}

func TestPublishRemovesStalePages(t *testing.T) {
	s, _, h := newTestServer(t)
	two := csvSchedule + "t2,Second,Hall B,2026-05-15 11:00,2026-05-15 12:00,Bo Chen\n"
	if rec := do(t, h, "POST", "/api/schedule?name=s.csv&timezone=Europe/Dublin", adminToken, []byte(two)); rec.Code != 200 {
		t.Fatalf("import: %d %s", rec.Code, rec.Body)
	}
	if rec := do(t, h, "POST", "/api/publish", adminToken, nil); rec.Code != 200 {
		t.Fatalf("publish: %d %s", rec.Code, rec.Body)
	}
	if _, err := s.Blobs.Stat(context.Background(), catalog.TalkKey("t2")); err != nil {
		t.Fatalf("t2 page not published: %v", err)
	}
	// t2 and its speaker leave the schedule: the next publish removes their pages.
	if rec := do(t, h, "POST", "/api/schedule?name=s.csv&timezone=Europe/Dublin", adminToken, []byte(csvSchedule)); rec.Code != 200 {
		t.Fatalf("re-import: %d %s", rec.Code, rec.Body)
	}
	rec := do(t, h, "POST", "/api/publish", adminToken, nil)
	var pr PublishResponse
	if err := json.Unmarshal(rec.Body.Bytes(), &pr); err != nil || pr.Removed != 2 {
		t.Errorf("publish = %s (%v), want 2 pages removed", rec.Body, err)
	}
	for _, k := range []string{catalog.TalkKey("t2"), catalog.SpeakerKey("bo-chen")} {
		if _, err := s.Blobs.Stat(context.Background(), k); !catalog.IsNotFound(err) {
			t.Errorf("%s still published (%v)", k, err)
		}
	}
	if _, err := s.Blobs.Stat(context.Background(), catalog.TalkKey("t1")); err != nil {
		t.Errorf("t1 page gone: %v", err)
	}
}
