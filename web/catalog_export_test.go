package web

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/confmedia/confmedia/catalog"
	"github.com/confmedia/confmedia/catalog/catalogtest"
)

// walkFailStore fails WalkMedia after yielding its first item.
type walkFailStore struct{ catalog.Store }

func (s walkFailStore) WalkMedia(ctx context.Context, f catalog.MediaFilter, fn func(*catalog.Media) error) error {
	err := s.Store.WalkMedia(ctx, f, func(m *catalog.Media) error {
		if err := fn(m); err != nil {
			return err
		}
		return fmt.Errorf("disk on fire")
	})
	return err
}

// TestCatalogExportStreamed: GET /api/catalog streams the document the
// store makes, in the schema, in every view; a store failing before the
// first byte is an error answer, not a partial document.
func TestCatalogExportStreamed(t *testing.T) {
	s, _, h := newTestServer(t)
	ctx := context.Background()
	at := time.Date(2026, 5, 15, 9, 0, 0, 0, time.UTC)
	if _, err := s.Store.ReplaceSchedule(ctx, catalog.Schedule{
		Conference: catalog.Conference{Title: "Conf", Acronym: "c26", Timezone: "UTC", URL: "https://c.example/"},
		Talks: []catalog.Talk{{ID: "t1", Title: "Hi", Room: "A", Start: at, End: at.Add(time.Hour), SpeakerIDs: []string{"ana"},
			Abstract: "Hello", Language: "en"}},
		Speakers: []catalog.Speaker{{ID: "ana", Name: "Ana", AvatarURL: "https://c.example/ana.png"}},
	}); err != nil {
		t.Fatal(err)
	}
	for i, st := range []catalog.Status{catalog.Tagged, catalog.NeedsReview} {
		id := fmt.Sprintf("%064x", i+1)
		if _, err := s.Store.CreateMedia(ctx, &catalog.Media{ID: id, Kind: catalog.Photo, OriginalKey: catalog.OriginalKey(id), Status: st,
			SourceName: "p.jpg", TalkIDs: []string{"t1"}, TakenAt: at,
			Renditions: []catalog.Rendition{{Name: "large", Key: catalog.RenditionKey(id, "large"), Width: 4, Height: 3}}}); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		path  string
		media int
	}{{"/api/catalog", 2}, {"/api/catalog?public=1", 1}} {
		rec := do(t, h, "GET", tc.path, adminToken, nil)
		if rec.Code != 200 || rec.Header().Get("Content-Type") != "application/json" {
			t.Fatalf("GET %s: %d %q", tc.path, rec.Code, rec.Header().Get("Content-Type"))
		}
		catalogtest.CheckDocument(t, rec.Body.Bytes())
		var got catalog.Document
		if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
			t.Fatal(err)
		}
		want, err := s.Document(ctx, tc.path != "/api/catalog")
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Media) != tc.media || !reflect.DeepEqual(got, want) {
			t.Errorf("GET %s = %+v\nwant %+v (%d media)", tc.path, got, want, tc.media)
		}
	}

	s2, _, _ := newTestServer(t)
	s2.Store = walkFailStore{s.Store}
	rec := do(t, s2.Handler(), "GET", "/api/catalog", adminToken, nil)
	if rec.Code == 200 && json.Valid(rec.Body.Bytes()) {
		t.Errorf("a store failing mid-walk gave a complete document: %d %s", rec.Code, rec.Body)
	}
}
