package workers

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/confmedia/confmedia/catalog"
	"github.com/confmedia/confmedia/catalog/catalogtest"
	"github.com/confmedia/confmedia/catalog/s3store"
	"github.com/confmedia/confmedia/pipeline/exif/exiftest"
)

// TestTagHideRepublishes: a photo published in the catalog and then hidden
// by the worker (its speaker opted out, and a re-tag decided it) leaves the
// published catalog.json, its talk's and its speaker's JSON at once,
// without an organizer publishing again. It runs on the in-memory bucket
// always, and on a real S3 server when CONFMEDIA_TEST_S3_ENDPOINT is set.
func TestTagHideRepublishes(t *testing.T) {
	t.Run("memblobs", func(t *testing.T) { testTagHideRepublishes(t, catalogtest.NewMemBlobs()) })
	t.Run("s3", func(t *testing.T) { testTagHideRepublishes(t, s3Blobs(t)) })
}

func testTagHideRepublishes(t *testing.T, blobs catalog.Blobs) {
	ctx := context.Background()
	store := catalogtest.NewMemStore()
	if _, err := store.ReplaceSchedule(ctx, testSchedule()); err != nil {
		t.Fatal(err)
	}
	pub := &catalog.Publisher{Store: store, Blobs: blobs, URL: func(k string) string { return "https://media.example/" + k }}
	f := &fixture{store: store}
	f.h = &Handlers{Store: store, Blobs: blobs, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Publisher: pub,
		Now: func() time.Time { return time.Date(2026, 5, 15, 12, 0, 0, 0, time.UTC) }}
	m := uploadTo(t, f, blobs, exiftest.MustJPEG(t, exiftest.Spec{DateTimeOriginal: "2026:05:15 09:10:00"}), catalog.Media{SourceName: "a.jpg", Room: "Hall A"})
	if got, err := f.process(t, m); err != nil || got.Status != catalog.Tagged {
		t.Fatalf("processed: %v, %s (%s), want tagged", err, got.Status, got.Reason)
	}
	if _, err := pub.Publish(ctx); err != nil {
		t.Fatal(err)
	}
	published := func() (doc, talk, speaker string) {
		return blobText(t, blobs, catalog.CatalogKey), blobText(t, blobs, catalog.TalkKey("t1")), blobText(t, blobs, catalog.SpeakerKey("ana"))
	}
	doc, talk, speaker := published()
	if !strings.Contains(doc, m.ID) || !strings.Contains(talk, m.ID) || !strings.Contains(speaker, m.ID) {
		t.Fatalf("published before the hide: photo %s missing from catalog.json, t1.json or ana.json", m.ID)
	}

	if err := store.PutOptOut(ctx, catalog.OptOut{Name: "Ana Lima", SpeakerID: "ana"}); err != nil {
		t.Fatal(err)
	}
	if err := catalog.Transition(ctx, store, m.ID, catalog.Retag()); err != nil {
		t.Fatal(err)
	}
	task, _ := NewMediaTagTask(m.ID, 2)
	if err := f.h.TagMedia(ctx, task); err != nil {
		t.Fatal(err)
	}
	if got, _ := store.Media(ctx, m.ID); got.Status != catalog.Hidden {
		t.Fatalf("re-tagged: %s (%s), want hidden", got.Status, got.Reason)
	}
	doc, talk, speaker = published()
	for name, text := range map[string]string{"catalog.json": doc, "talks/t1.json": talk, "speakers/ana.json": speaker} {
		if strings.Contains(text, m.ID) {
			t.Errorf("%s still lists the hidden photo %s after the worker hid it", name, m.ID)
		}
	}
	var d catalog.Document
	if err := json.Unmarshal([]byte(doc), &d); err != nil || len(d.Talks) != 2 {
		t.Errorf("catalog.json after the hide: %v, %d talks, want the whole catalog", err, len(d.Talks))
	}
	for _, r := range m.Renditions {
		if _, err := blobs.Stat(ctx, r.Key); !catalog.IsNotFound(err) {
			t.Errorf("rendition %s: %v, want it deleted", r.Key, err)
		}
	}
}

// TestTagHideUnpublishedStaysUnpublished: a hide republishes only a
// catalog that was published before.
func TestTagHideUnpublishedStaysUnpublished(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	f.h.Publisher = &catalog.Publisher{Store: f.store, Blobs: f.blobs, URL: func(k string) string { return k }}
	m := f.upload(t, exiftest.MustJPEG(t, exiftest.Spec{DateTimeOriginal: "2026:05:15 09:10:00"}), catalog.Media{SourceName: "a.jpg", Room: "Hall A"})
	if _, err := f.process(t, m); err != nil {
		t.Fatal(err)
	}
	if err := f.store.PutOptOut(ctx, catalog.OptOut{Name: "Ana Lima", SpeakerID: "ana"}); err != nil {
		t.Fatal(err)
	}
	if err := catalog.Transition(ctx, f.store, m.ID, catalog.Retag()); err != nil {
		t.Fatal(err)
	}
	task, _ := NewMediaTagTask(m.ID, 2)
	if err := f.h.TagMedia(ctx, task); err != nil {
		t.Fatal(err)
	}
	if keys := f.blobs.Keys(catalog.PublicPrefix); len(keys) != 0 {
		t.Errorf("public blobs after hiding in an unpublished catalog: %v, want none", keys)
	}
}

// uploadTo stores data in blobs as the server would and records the new
// item in f's store.
func uploadTo(t *testing.T, f *fixture, blobs catalog.Blobs, data []byte, m catalog.Media) *catalog.Media {
	t.Helper()
	sum := sha256.Sum256(data)
	m.ID = hex.EncodeToString(sum[:])
	m.OriginalKey = catalog.OriginalKey(m.ID)
	m.Status, m.Generation, m.Kind = catalog.Pending, 1, catalog.Photo
	ctx := context.Background()
	if err := blobs.Put(ctx, m.OriginalKey, bytes.NewReader(data), int64(len(data)), "image/jpeg"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.store.CreateMedia(ctx, &m); err != nil {
		t.Fatal(err)
	}
	return &m
}

func blobText(t *testing.T, blobs catalog.Blobs, key string) string {
	t.Helper()
	rc, _, err := blobs.Get(context.Background(), key)
	if err != nil {
		t.Fatalf("Get(%s): %v", key, err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// s3Blobs returns a bucket of the S3 server the tests run against, emptied
// when the test ends, or skips.
func s3Blobs(t *testing.T) catalog.Blobs {
	t.Helper()
	endpoint := os.Getenv("CONFMEDIA_TEST_S3_ENDPOINT")
	if endpoint == "" {
		t.Skip("no S3 server: set CONFMEDIA_TEST_S3_ENDPOINT (and _ACCESS_KEY, _SECRET_KEY, _REGION), or run through `confmedia services -- go test`")
	}
	sum := sha256.Sum256([]byte(t.Name() + time.Now().String()))
	s, err := s3store.New(t.Context(), s3store.Config{
		Endpoint: endpoint, Region: os.Getenv("CONFMEDIA_TEST_S3_REGION"), PathStyle: true,
		Bucket:      "confmedia-workers-" + hex.EncodeToString(sum[:6]),
		AccessKeyID: os.Getenv("CONFMEDIA_TEST_S3_ACCESS_KEY"), SecretAccessKey: os.Getenv("CONFMEDIA_TEST_S3_SECRET_KEY"),
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.EnsureBucket(t.Context()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		keys, _ := s.List(context.Background(), "")
		for _, k := range keys {
			_ = s.Delete(context.Background(), k)
		}
	})
	return s
}
