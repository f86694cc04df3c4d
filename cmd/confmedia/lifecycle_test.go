package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/confmedia/confmedia/catalog"
	"github.com/confmedia/confmedia/catalog/catalogtest"
	"github.com/confmedia/confmedia/pipeline/exif/exiftest"
	"github.com/confmedia/confmedia/web"
	"github.com/confmedia/confmedia/workers"
)

// recordingQueue stands in for Redis: it remembers what the web app queued,
// and the test runs the worker's handler on it.
type recordingQueue struct{ media []*catalog.Media }

func (q *recordingQueue) EnqueueMedia(_ context.Context, m *catalog.Media) error {
	q.media = append(q.media, m)
	return nil
}
func (q *recordingQueue) EnqueueTag(context.Context, string, int) error       { return nil }
func (q *recordingQueue) EnqueueRecording(context.Context, string, int) error { return nil }
func (q *recordingQueue) Stats(context.Context) (catalog.QueueStats, error) {
	return catalog.QueueStats{}, nil
}
func (q *recordingQueue) Ping(context.Context) error { return nil }

// TestDecideThenPublish: a photo that ends needs_review has no public
// bytes, and its public rendition URL answers 404 to anyone, while staff
// see its staff copy; resolving it to a talk publishes its renditions, and
// hiding it removes them again. It runs the web app's handler and the
// worker's handler in process, on the in-memory store and bucket.
func TestDecideThenPublish(t *testing.T) {
	ctx := context.Background()
	const token = "admin-secret"
	dublin, err := time.LoadLocation("Europe/Dublin")
	if err != nil {
		t.Fatal(err)
	}
	store, blobs, queue := catalogtest.NewMemStore(), catalogtest.NewMemBlobs(), &recordingQueue{}
	if _, err := store.ReplaceSchedule(ctx, catalog.Schedule{
		Conference: catalog.Conference{Title: "TestConf", Timezone: "Europe/Dublin"},
		Talks: []catalog.Talk{{ID: "t1", Title: "Keynote", Room: "Hall A", SpeakerIDs: []string{"ana"},
			Start: time.Date(2026, 5, 15, 9, 0, 0, 0, dublin), End: time.Date(2026, 5, 15, 10, 0, 0, 0, dublin)}},
		Speakers: []catalog.Speaker{{ID: "ana", Name: "Ana Lima"}},
	}); err != nil {
		t.Fatal(err)
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv := &web.Server{Store: store, Blobs: blobs, Queue: queue, Logger: logger, AdminTokenHash: web.HashToken(token),
		PublicURL: "http://example.test", MaxBytes: 1 << 24, MaxPixels: 50_000_000, TempDir: t.TempDir()}
	h := srv.Handler()
	worker := &workers.Handlers{Store: store, Blobs: blobs, Logger: logger, MaxBytes: 1 << 24}

	do := func(method, path, auth string, body []byte) *httptest.ResponseRecorder {
		t.Helper()
		req := httptest.NewRequest(method, path, bytes.NewReader(body))
		if auth != "" {
			req.Header.Set("Authorization", "Bearer "+auth)
		}
		if method == http.MethodPost {
			req.Header.Set("Content-Type", "application/json")
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	public := func() []string {
		t.Helper()
		keys, err := blobs.List(ctx, catalog.PublicPrefix)
		if err != nil {
			t.Fatal(err)
		}
		return keys
	}

	// A photo with no capture time: it will need a person's decision.
	photo := exiftest.MustJPEG(t, exiftest.Spec{Width: 800, Height: 600})
	sum := sha256.Sum256(photo)
	id := hex.EncodeToString(sum[:])
	if rec := do(http.MethodPut, "/api/media/"+id+"?name=notime.jpg&room=Hall+A&license=CC-BY-4.0", token, photo); rec.Code != http.StatusCreated {
		t.Fatalf("upload: %d %s", rec.Code, rec.Body)
	}
	if len(queue.media) != 1 {
		t.Fatalf("queued %d items, want 1", len(queue.media))
	}
	task, _ := workers.NewMediaProcessTask(queue.media[0])
	if err := worker.ProcessMedia(ctx, task); err != nil {
		t.Fatal(err)
	}
	m, err := store.Media(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if m.Status != catalog.NeedsReview || len(m.Renditions) == 0 || m.License != "CC-BY-4.0" {
		t.Fatalf("processed: %s (%s), %d renditions, licence %q; want needs_review with renditions and its licence", m.Status, m.Reason, len(m.Renditions), m.License)
	}

	publicURL := "/" + catalog.RenditionKey(id, "large")
	staffURL := "/api/media/" + id + "/renditions/large"
	if keys := public(); len(keys) != 0 {
		t.Errorf("needs_review photo: public objects %v, want none", keys)
	}
	if rec := do(http.MethodGet, publicURL, "", nil); rec.Code != http.StatusNotFound {
		t.Errorf("anonymous GET %s of a needs_review photo = %d, want 404", publicURL, rec.Code)
	}
	if rec := do(http.MethodGet, staffURL, "", nil); rec.Code != http.StatusUnauthorized {
		t.Errorf("anonymous GET %s = %d, want 401", staffURL, rec.Code)
	}
	if rec := do(http.MethodGet, staffURL, token, nil); rec.Code != http.StatusOK || !bytes.HasPrefix(rec.Body.Bytes(), []byte{0xFF, 0xD8}) {
		t.Errorf("staff GET %s = %d (%d bytes), want 200 and a JPEG", staffURL, rec.Code, rec.Body.Len())
	}
	review := do(http.MethodGet, "/api/review", token, nil)
	if !strings.Contains(review.Body.String(), "http://example.test"+strings.Replace(staffURL, "large", "square", 1)) {
		t.Errorf("review queue does not show the staff thumbnail: %s", review.Body)
	}

	// A person decides: it is public now.
	if rec := do(http.MethodPost, "/api/review/"+id+"/resolve", token, []byte(`{"talk":"t1"}`)); rec.Code != http.StatusOK {
		t.Fatalf("resolve: %d %s", rec.Code, rec.Body)
	}
	if keys := public(); len(keys) != len(m.Renditions) {
		t.Errorf("tagged photo: public objects %v, want its %d renditions", keys, len(m.Renditions))
	}
	if rec := do(http.MethodGet, publicURL, "", nil); rec.Code != http.StatusOK || !bytes.HasPrefix(rec.Body.Bytes(), []byte{0xFF, 0xD8}) {
		t.Errorf("anonymous GET %s of a tagged photo = %d, want 200 and a JPEG", publicURL, rec.Code)
	}

	// Taken down: gone again, from the public and the staff prefix.
	if rec := do(http.MethodPost, "/api/media/"+id+"/hide", token, []byte(`{"reason":"asked by the speaker"}`)); rec.Code != http.StatusOK {
		t.Fatalf("hide: %d %s", rec.Code, rec.Body)
	}
	if keys := public(); len(keys) != 0 {
		t.Errorf("hidden photo: public objects %v, want none", keys)
	}
	if rec := do(http.MethodGet, publicURL, "", nil); rec.Code != http.StatusNotFound {
		t.Errorf("anonymous GET %s of a hidden photo = %d, want 404", publicURL, rec.Code)
	}
	if rec := do(http.MethodGet, staffURL, token, nil); rec.Code != http.StatusNotFound {
		t.Errorf("staff GET %s of a hidden photo = %d, want 404", staffURL, rec.Code)
	}
	if keys, _ := blobs.List(ctx, catalog.StaffPrefix); len(keys) != 0 {
		t.Errorf("hidden photo: staff objects %v, want none", keys)
	}
}
