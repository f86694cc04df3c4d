package catalog_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"sync"
	"testing"
	"time"

	"github.com/confmedia/confmedia/catalog"
	"github.com/confmedia/confmedia/catalog/catalogtest"
)

// publishFixture is a catalog of one talk with one public photo.
func publishFixture(t *testing.T) (*catalogtest.MemStore, string) {
	t.Helper()
	ctx := context.Background()
	store := catalogtest.NewMemStore()
	start := time.Date(2026, 5, 15, 9, 0, 0, 0, time.UTC)
	if _, err := store.ReplaceSchedule(ctx, catalog.Schedule{
		Conference: catalog.Conference{Title: "Conf", Timezone: "UTC"},
		Talks:      []catalog.Talk{{ID: "t1", Title: "Keynote", Room: "A", Start: start, End: start.Add(time.Hour), SpeakerIDs: []string{"ana"}}},
		Speakers:   []catalog.Speaker{{ID: "ana", Name: "Ana"}},
	}); err != nil {
		t.Fatal(err)
	}
	id := "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	m := &catalog.Media{ID: id, Kind: catalog.Photo, OriginalKey: catalog.OriginalKey(id), Status: catalog.Tagged,
		TalkIDs: []string{"t1"}, SpeakerIDs: []string{"ana"}, SourceName: "a.jpg",
		Renditions: []catalog.Rendition{{Name: "large", Key: catalog.RenditionKey(id, "large"), Width: 10, Height: 10}}}
	if _, err := store.CreateMedia(ctx, m); err != nil {
		t.Fatal(err)
	}
	return store, id
}

func publishedMedia(t *testing.T, blobs *catalogtest.MemBlobs) []string {
	t.Helper()
	b, ok := blobs.Bytes(catalog.CatalogKey)
	if !ok {
		t.Fatal("no catalog.json")
	}
	catalogtest.CheckDocument(t, b)
	var d catalog.Document
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatal(err)
	}
	ids := []string{}
	for _, m := range d.Media {
		ids = append(ids, m.ID)
	}
	return ids
}

func hide(t *testing.T, store catalog.Store, id string) {
	t.Helper()
	if err := catalog.Transition(context.Background(), store, id, catalog.Hiding("taken down", "org", time.Now())); err != nil {
		t.Fatal(err)
	}
}

// hookBlobs runs before once, before the first Put of key.
type hookBlobs struct {
	*catalogtest.MemBlobs
	key    string
	once   sync.Once
	before func()
}

func (h *hookBlobs) Put(ctx context.Context, key string, body io.ReadSeeker, size int64, ctype string) error {
	if key == h.key {
		h.once.Do(h.before)
	}
	return h.MemBlobs.Put(ctx, key, body, size, ctype)
}

// TestPublishStaleWriterLosesNothing: publisher A builds its document, then
// the photo is hidden and publisher B (another process) publishes the
// newer catalog; A's older document lands after B's. A notices the
// catalog changed while it wrote and publishes again, so the hide is what
// is left in the bucket.
func TestPublishStaleWriterLosesNothing(t *testing.T) {
	ctx := context.Background()
	store, id := publishFixture(t)
	mem := catalogtest.NewMemBlobs()
	url := func(k string) string { return "https://m.example/" + k }
	b := &catalog.Publisher{Store: store, Blobs: mem, URL: url}
	hooked := &hookBlobs{MemBlobs: mem, key: catalog.CatalogKey}
	hooked.before = func() {
		hide(t, store, id)
		if _, err := b.Publish(ctx); err != nil {
			t.Error(err)
		}
		if got := publishedMedia(t, mem); len(got) != 0 {
			t.Errorf("B published %v, want nothing", got)
		}
	}
	a := &catalog.Publisher{Store: store, Blobs: hooked, URL: url}
	res, err := a.Publish(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got := publishedMedia(t, mem); len(got) != 0 {
		t.Errorf("catalog.json lists %v after both publishes, want the hidden photo gone", got)
	}
	if p, _ := mem.Bytes(catalog.TalkKey("t1")); bytes.Contains(p, []byte(id)) {
		t.Errorf("t1.json lists the hidden photo after both publishes")
	}
	if res.Rounds != 2 {
		t.Errorf("A wrote the catalog %d times, want 2 (once stale, once fresh)", res.Rounds)
	}
}

// TestRepublish: Republish leaves a catalog never published unpublished,
// and republishes one that was.
func TestRepublish(t *testing.T) {
	ctx := context.Background()
	store, id := publishFixture(t)
	mem := catalogtest.NewMemBlobs()
	p := &catalog.Publisher{Store: store, Blobs: mem, URL: func(k string) string { return k }}
	if published, err := p.Republish(ctx); err != nil || published {
		t.Fatalf("Republish of an unpublished catalog = %v, %v; want false, nil", published, err)
	}
	if keys := mem.Keys(catalog.PublicPrefix); len(keys) != 0 {
		t.Fatalf("Republish of an unpublished catalog wrote %v", keys)
	}
	if _, err := p.Publish(ctx); err != nil {
		t.Fatal(err)
	}
	if got := publishedMedia(t, mem); len(got) != 1 {
		t.Fatalf("published %v, want the photo", got)
	}
	hide(t, store, id)
	// Concurrent republishes in one process share publishes, and each
	// returns once one that started after it has ended.
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if published, err := p.Republish(ctx); err != nil || !published {
				t.Errorf("Republish = %v, %v; want true, nil", published, err)
			}
		})
	}
	wg.Wait()
	if got := publishedMedia(t, mem); len(got) != 0 {
		t.Errorf("after the hide, catalog.json lists %v", got)
	}
}

// TestPublishRewritesOnlyChanged: a second publish after one talk changed
// rewrites that talk's page, its speaker's page and catalog.json, and
// leaves every other page alone; a page removed from the bucket by hand is
// written again.
func TestPublishRewritesOnlyChanged(t *testing.T) {
	ctx := context.Background()
	store, id := publishFixture(t)
	sc, err := store.Schedule(ctx)
	if err != nil {
		t.Fatal(err)
	}
	start := sc.Talks[0].Start
	for _, n := range []string{"t2", "t3"} {
		sc.Talks = append(sc.Talks, catalog.Talk{ID: n, Title: "Talk " + n, Room: "B", Start: start.Add(2 * time.Hour),
			End: start.Add(3 * time.Hour), SpeakerIDs: []string{"bo"}})
	}
	sc.Speakers = append(sc.Speakers, catalog.Speaker{ID: "bo", Name: "Bo"})
	if _, err := store.ReplaceSchedule(ctx, sc); err != nil {
		t.Fatal(err)
	}
	mem := catalogtest.NewMemBlobs()
	clock := &fixedClock{t: time.Date(2026, 5, 16, 8, 0, 0, 0, time.UTC)}
	p := &catalog.Publisher{Store: store, Blobs: mem, URL: func(k string) string { return k }, Now: clock.Now}
	first, err := p.Publish(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := first.Objects, 3+2+1; got != want {
		t.Errorf("first publish wrote %d objects, want %d (3 talks, 2 speakers, catalog.json)", got, want)
	}
	hide(t, store, id) // changes t1 and ana's pages only
	second, err := p.Publish(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := second.Objects, 1+1+1; got != want {
		t.Errorf("publish after one talk changed wrote %d objects, want %d (t1, ana, catalog.json)", got, want)
	}
	if got, want := second.Unchanged, 3; got != want {
		t.Errorf("publish after one talk changed left %d pages alone, want %d", got, want)
	}
	if b, _ := mem.Bytes(catalog.TalkKey("t1")); bytes.Contains(b, []byte(id)) {
		t.Error("t1.json still lists the hidden photo")
	}
	if err := mem.Delete(ctx, catalog.TalkKey("t2")); err != nil {
		t.Fatal(err)
	}
	third, err := p.Publish(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := third.Objects, 1+1; got != want {
		t.Errorf("publish after t2.json was removed wrote %d objects, want %d (t2, catalog.json)", got, want)
	}
	if _, ok := mem.Bytes(catalog.TalkKey("t2")); !ok {
		t.Error("t2.json removed from the bucket was not written again")
	}
	// A page overwritten behind the publisher's back (by a publisher that
	// died before its check) is set right once FullRewriteEvery has passed.
	stale := []byte(`{"stale": true}`)
	if err := mem.Put(ctx, catalog.TalkKey("t3"), bytes.NewReader(stale), int64(len(stale)), "application/json"); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Publish(ctx); err != nil {
		t.Fatal(err)
	}
	if b, _ := mem.Bytes(catalog.TalkKey("t3")); !bytes.Equal(b, stale) {
		t.Fatal("fixture: the publisher rewrote a page it had written before FullRewriteEvery passed")
	}
	clock.t = clock.t.Add(catalog.FullRewriteEvery)
	later, err := p.Publish(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := mem.Bytes(catalog.TalkKey("t3")); bytes.Equal(b, stale) || later.Unchanged != 0 {
		t.Errorf("after FullRewriteEvery the publisher left %d pages alone, t3.json %s; want every page written", later.Unchanged, b)
	}
}

// fixedClock is a clock a test moves.
type fixedClock struct{ t time.Time }

func (c *fixedClock) Now() time.Time { return c.t }
