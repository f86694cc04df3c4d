package catalog_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/confmedia/confmedia/catalog"
	"github.com/confmedia/confmedia/catalog/catalogtest"
)

// feedless is a store whose change feed cannot answer.
type feedless struct{ *catalogtest.MemStore }

func (feedless) Changes(context.Context, int64) (catalog.Changes, error) {
	return catalog.Changes{}, catalog.E(catalog.Invalid, "test", nil, "no feed")
}

// TestPublishIncremental: a publisher that keeps what it published and
// reads only the changes since writes, after each kind of change, the same
// bucket as a publisher that reads and encodes everything, and its
// catalog.json is byte for byte what encoding the whole document gives.
func TestPublishIncremental(t *testing.T) {
	for _, private := range []bool{false, true} {
		t.Run(fmt.Sprintf("private=%v", private), func(t *testing.T) { testPublishIncremental(t, private) })
	}
}

func testPublishIncremental(t *testing.T, private bool) {
	ctx := context.Background()
	store := catalogtest.NewMemStore()
	start := time.Date(2026, 5, 15, 9, 0, 0, 0, time.UTC)
	sched := catalog.Schedule{Conference: catalog.Conference{Title: "Conf", Timezone: "Europe/Brussels"}}
	for i := range 4 {
		sched.Talks = append(sched.Talks, catalog.Talk{ID: fmt.Sprintf("t%d", i), Title: fmt.Sprintf("Talk %d", i), Room: "A",
			Start: start.Add(time.Duration(i) * time.Hour), End: start.Add(time.Duration(i+1) * time.Hour),
			SpeakerIDs: []string{fmt.Sprintf("s%d", i%3)}})
	}
	for i := range 3 {
		sched.Speakers = append(sched.Speakers, catalog.Speaker{ID: fmt.Sprintf("s%d", i), Name: fmt.Sprintf("Speaker %d", i), AvatarURL: "https://a.example/" + fmt.Sprint(i)})
	}
	if _, err := store.ReplaceSchedule(ctx, sched); err != nil {
		t.Fatal(err)
	}
	item := func(i int, kind catalog.MediaKind, status catalog.Status, talk, speaker string) *catalog.Media {
		id := fmt.Sprintf("%064d", i)
		m := &catalog.Media{ID: id, Kind: kind, SourceName: id[60:] + ".jpg", OriginalKey: catalog.OriginalKey(id), Status: status,
			Renditions: []catalog.Rendition{{Name: "large", Key: catalog.RenditionKey(id, "large"), Width: 10, Height: 10}}}
		if i%4 != 0 {
			m.TakenAt = start.Add(time.Duration(i%5) * time.Minute)
		}
		if talk != "" {
			m.TalkIDs = []string{talk}
		}
		if speaker != "" {
			m.SpeakerIDs = []string{speaker}
		}
		return m
	}
	var ids []string
	for i := range 12 {
		m := item(i, catalog.Photo, catalog.Tagged, fmt.Sprintf("t%d", i%4), fmt.Sprintf("s%d", i%4%3))
		switch i {
		case 10:
			m = item(i, catalog.Headshot, catalog.Tagged, "", "s1")
		case 11:
			m = item(i, catalog.Photo, catalog.Untagged, "", "")
		}
		if _, err := store.CreateMedia(ctx, m); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, m.ID)
	}
	clock := &fixedClock{t: time.Date(2026, 5, 16, 8, 0, 0, 0, time.UTC)}
	url := func(k string) string { return "https://m.example/" + k }
	mem := catalogtest.NewMemBlobs()
	p := &catalog.Publisher{Store: store, Blobs: mem, URL: url, Now: clock.Now, PrivateSpeakers: private}

	update := func(id string, fn func(*catalog.Media)) error {
		return store.UpdateMedia(ctx, id, func(m *catalog.Media) error { fn(m); return nil })
	}
	steps := []struct {
		name    string
		change  func() error
		written int // objects the incremental publish writes (a talk's page, its speaker's, catalog.json); -1: not checked
	}{
		{"first", func() error { return nil }, -1},
		{"nothing", func() error { return nil }, 1},
		{"a photo hidden", func() error { return update(ids[1], func(m *catalog.Media) { m.Status = catalog.Hidden }) }, 3},
		{"a photo shown again", func() error { return update(ids[1], func(m *catalog.Media) { m.Status = catalog.Tagged }) }, 3},
		{"a photo moved to another talk", func() error { return update(ids[2], func(m *catalog.Media) { m.TalkIDs = []string{"t3"} }) }, -1},
		{"a capture time changed", func() error {
			return update(ids[3], func(m *catalog.Media) { m.TakenAt = start.Add(-time.Hour) })
		}, -1},
		{"a rendition changed", func() error {
			return update(ids[5], func(m *catalog.Media) { m.Renditions[0].Width = 20 })
		}, 3},
		{"a headshot hidden", func() error { return update(ids[10], func(m *catalog.Media) { m.Status = catalog.Hidden }) }, -1},
		{"a headshot shown again", func() error { return update(ids[10], func(m *catalog.Media) { m.Status = catalog.Tagged }) }, -1},
		{"an undecided item", func() error {
			_, err := store.CreateMedia(ctx, item(20, catalog.Photo, catalog.Pending, "", ""))
			return err
		}, 1},
		{"a new photo", func() error {
			_, err := store.CreateMedia(ctx, item(21, catalog.Photo, catalog.Tagged, "t0", ""))
			return err
		}, -1},
		{"an untagged item", func() error { return update(ids[11], func(m *catalog.Media) { m.SourceName = "renamed.jpg" }) }, 1},
		{"a recording attached", func() error {
			_, err := store.PutRecording(ctx, &catalog.Recording{ID: "r1", URL: "https://v.example/1", Title: "Talk 2",
				State: catalog.RecordingAttached, TalkID: "t2"})
			return err
		}, -1},
		{"a talk renamed, a speaker gone", func() error {
			s := sched
			s.Talks = append([]catalog.Talk(nil), sched.Talks...)
			s.Talks[0].Title = "Renamed"
			s.Talks[3].SpeakerIDs = []string{"s0"}
			s.Speakers = sched.Speakers[:2]
			_, err := store.ReplaceSchedule(ctx, s)
			return err
		}, -1},
		{"the zone changed", func() error {
			s, err := store.Schedule(ctx)
			if err != nil {
				return err
			}
			s.Conference.Timezone = "UTC"
			_, err = store.ReplaceSchedule(ctx, s)
			return err
		}, -1},
	}
	for _, step := range steps {
		if err := step.change(); err != nil {
			t.Fatalf("%s: %v", step.name, err)
		}
		res, err := p.Publish(ctx)
		if err != nil {
			t.Fatalf("%s: publish: %v", step.name, err)
		}
		wantN := step.written
		if private && wantN == 3 {
			wantN = 2 // no speaker page
		}
		if wantN >= 0 && res.Objects != wantN {
			t.Errorf("%s: wrote %d objects, want %d", step.name, res.Objects, wantN)
		}
		// A publisher that remembers nothing, and one whose feed cannot
		// answer, write the same.
		for _, s := range []catalog.PublishStore{store, feedless{store}} {
			fresh := catalogtest.NewMemBlobs()
			full := &catalog.Publisher{Store: s, Blobs: fresh, URL: url, Now: clock.Now, PrivateSpeakers: private}
			if _, err := full.Publish(ctx); err != nil {
				t.Fatalf("%s: full publish: %v", step.name, err)
			}
			if _, err := full.Publish(ctx); err != nil { // a second, through the feed or not
				t.Fatalf("%s: full publish: %v", step.name, err)
			}
			got, want := mem.Keys(catalog.PublicPrefix), fresh.Keys(catalog.PublicPrefix)
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("%s: incremental publish left %v, want %v", step.name, got, want)
			}
			for _, k := range want {
				g, _ := mem.Bytes(k)
				w, _ := fresh.Bytes(k)
				if !bytes.Equal(g, w) {
					t.Errorf("%s: %s after an incremental publish:\n%s\nwant:\n%s", step.name, k, g, w)
				}
			}
		}
		doc, err := p.Document(ctx)
		if err != nil {
			t.Fatal(err)
		}
		want, err := json.MarshalIndent(doc, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		got, _ := mem.Bytes(catalog.CatalogKey)
		if !bytes.Equal(got, want) {
			t.Errorf("%s: catalog.json is not the whole document encoded:\n%s\nwant:\n%s", step.name, got, want)
		}
		// Each page is the Index's page of the whole document, encoded.
		idx := catalog.NewIndex(&doc)
		pages := map[string]any{}
		for _, tk := range doc.Talks {
			pages[catalog.TalkKey(tk.ID)], _ = idx.TalkPage(tk.ID)
		}
		for _, sp := range doc.Speakers {
			if !private {
				pages[catalog.SpeakerKey(sp.ID)], _ = idx.SpeakerPage(sp.ID)
			}
		}
		for _, k := range mem.Keys(catalog.PublicPrefix) {
			if k == catalog.CatalogKey {
				continue
			}
			v, ok := pages[k]
			if !ok {
				t.Errorf("%s: %s published, not a page of the document", step.name, k)
				continue
			}
			delete(pages, k)
			want, err := json.MarshalIndent(v, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			if got, _ := mem.Bytes(k); !bytes.Equal(got, want) {
				t.Errorf("%s: %s is not the Index's page encoded:\n%s\nwant:\n%s", step.name, k, got, want)
			}
		}
		for k := range pages {
			t.Errorf("%s: page %s not published", step.name, k)
		}
		catalogtest.CheckDocument(t, got)
	}
}

// silentFeed is a store whose change feed misses every change, as one
// made by a program older than the feed would be.
type silentFeed struct{ *catalogtest.MemStore }

func (s silentFeed) Changes(ctx context.Context, since int64) (catalog.Changes, error) {
	v, err := s.Version(ctx)
	return catalog.Changes{Version: v}, err
}

// TestPublishUnrecordedChange: a change the store counts (Version) but its
// feed does not report makes the publisher read the whole catalog, so a
// hide still reaches the bucket.
func TestPublishUnrecordedChange(t *testing.T) {
	ctx := context.Background()
	store, id := publishFixture(t)
	mem := catalogtest.NewMemBlobs()
	p := &catalog.Publisher{Store: silentFeed{store}, Blobs: mem, URL: func(k string) string { return k }}
	if _, err := p.Publish(ctx); err != nil {
		t.Fatal(err)
	}
	if got := publishedMedia(t, mem); len(got) != 1 {
		t.Fatalf("published %v, want the photo", got)
	}
	hide(t, store, id)
	if _, err := p.Publish(ctx); err != nil {
		t.Fatal(err)
	}
	if got := publishedMedia(t, mem); len(got) != 0 {
		t.Errorf("after a hide the feed did not report, catalog.json lists %v", got)
	}
	if b, _ := mem.Bytes(catalog.TalkKey("t1")); bytes.Contains(b, []byte(id)) {
		t.Error("after a hide the feed did not report, t1.json lists the hidden photo")
	}
}
