package catalog_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/confmedia/confmedia/catalog"
	"github.com/confmedia/confmedia/catalog/catalogtest"
)

// exportFixture is a catalog with a photo in each status, a headshot, an
// attached and an unmatched recording.
func exportFixture(t *testing.T) *catalogtest.MemStore {
	t.Helper()
	ctx := context.Background()
	store := catalogtest.NewMemStore()
	dublin, err := time.LoadLocation("Europe/Dublin")
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 5, 15, 9, 0, 0, 0, dublin)
	if _, err := store.ReplaceSchedule(ctx, catalog.Schedule{
		Conference: catalog.Conference{Title: "Conf", Acronym: "conf26", Timezone: "Europe/Dublin", URL: "https://conf.example/2026/"},
		Talks: []catalog.Talk{
			{ID: "t1", Title: "Keynote", Room: "A", Start: at, End: at.Add(time.Hour), SpeakerIDs: []string{"ana"}, Track: "Main", Type: "Keynote",
				URL: "https://conf.example/t1", Abstract: "<p>Opening &amp; welcome</p>", Language: "en"},
			{ID: "t2", Title: "Second", Room: "B", Start: at.Add(24 * time.Hour), End: at.Add(25 * time.Hour), SpeakerIDs: []string{"ana", "bo"}, DoNotRecord: true},
		},
		Speakers: []catalog.Speaker{{ID: "ana", Name: "Ana", AvatarURL: "https://conf.example/avatars/ana.png"},
			{ID: "bo", Name: "Bo", AvatarURL: "https://conf.example/avatars/bo.png"}},
	}); err != nil {
		t.Fatal(err)
	}
	statuses := []catalog.Status{catalog.Tagged, catalog.Untagged, catalog.NeedsReview, catalog.Hidden, catalog.Pending, catalog.Failed}
	for i, st := range statuses {
		id := fmt.Sprintf("%064x", i+1)
		m := &catalog.Media{ID: id, Kind: catalog.Photo, OriginalKey: catalog.OriginalKey(id), Status: st, SourceName: fmt.Sprintf("p%d.jpg", i),
			TakenAt: at.Add(time.Duration(i) * time.Minute), Width: 40, Height: 30, Photographer: "Cy", License: "CC-BY-4.0",
			Reason: "why " + string(st), Candidates: []string{"t1", "t2"}, Camera: "cam",
			Renditions: []catalog.Rendition{{Name: "large", Key: catalog.RenditionKey(id, "large"), Width: 40, Height: 30}}}
		if st == catalog.Tagged {
			m.TalkIDs, m.SpeakerIDs = []string{"t1"}, []string{"ana"}
		}
		if _, err := store.CreateMedia(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	hs := fmt.Sprintf("%064x", 99)
	if _, err := store.CreateMedia(ctx, &catalog.Media{ID: hs, Kind: catalog.Headshot, OriginalKey: catalog.OriginalKey(hs), Status: catalog.Tagged,
		SourceName: "bo.jpg", SpeakerIDs: []string{"bo"},
		Renditions: []catalog.Rendition{{Name: "square", Key: catalog.RenditionKey(hs, "square"), Width: 8, Height: 8}}}); err != nil {
		t.Fatal(err)
	}
	for _, r := range []*catalog.Recording{
		{ID: "r1", URL: "https://v.example/1", State: catalog.RecordingAttached, TalkID: "t1", Duration: 60},
		{ID: "r2", URL: "https://v.example/2", State: catalog.RecordingUnmatched, Reason: "no talk", Candidates: []string{"t1"}},
	} {
		if _, err := store.PutRecording(ctx, r); err != nil {
			t.Fatal(err)
		}
		if r.State != catalog.RecordingPending {
			want := *r
			if err := store.UpdateRecording(ctx, r.ID, func(x *catalog.Recording) error {
				x.State, x.TalkID, x.Reason, x.Candidates = want.State, want.TalkID, want.Reason, want.Candidates
				return nil
			}); err != nil {
				t.Fatal(err)
			}
		}
	}
	return store
}

// TestWriteDocumentIsBuildDocument: the streamed document reads back as the
// one BuildDocument builds in memory, in every view.
func TestWriteDocumentIsBuildDocument(t *testing.T) {
	ctx := context.Background()
	store := exportFixture(t)
	now := time.Date(2026, 5, 16, 12, 0, 0, 0, time.UTC)
	url := func(k string) string { return "https://m.example/" + k }
	sched, _ := store.Schedule(ctx)
	media, _ := store.ListMedia(ctx, catalog.MediaFilter{})
	recs, _ := store.ListRecordings(ctx)
	for _, tc := range []struct {
		name            string
		public, private bool
	}{{"staff", false, false}, {"public", true, false}, {"public without speaker pages", true, true}} {
		t.Run(tc.name, func(t *testing.T) {
			want := catalog.BuildDocument(catalog.DocumentInput{Schedule: sched, Media: media, Recordings: recs, Now: now, URL: url, Public: tc.public})
			if tc.private {
				want = catalog.WithoutSpeakerPages(want)
			}
			var buf bytes.Buffer
			if err := catalog.WriteDocument(ctx, &buf, store, catalog.ExportOptions{Now: now, URL: url, Public: tc.public, WithoutSpeakerPages: tc.private}); err != nil {
				t.Fatal(err)
			}
			// Byte for byte the document encoded whole, in the order
			// WriteDocument writes its fields.
			wantBytes, err := json.MarshalIndent(struct {
				FormatVersion       int                    `json:"format_version"`
				Conference          catalog.DocConference  `json:"conference"`
				GeneratedAt         string                 `json:"generated_at"`
				Media               []catalog.DocMedia     `json:"media"`
				Talks               []catalog.DocTalk      `json:"talks"`
				Speakers            []catalog.DocSpeaker   `json:"speakers"`
				UnmatchedRecordings []catalog.DocUnmatched `json:"unmatched_recordings"`
			}{want.FormatVersion, want.Conference, want.GeneratedAt, want.Media, want.Talks, want.Speakers, want.UnmatchedRecordings}, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			if got := buf.String(); got != string(wantBytes)+"\n" {
				t.Errorf("streamed document\n%s\nis not the whole document encoded\n%s", got, wantBytes)
			}
			catalogtest.CheckDocument(t, buf.Bytes())
			var got catalog.Document
			dec := json.NewDecoder(&buf)
			dec.DisallowUnknownFields()
			if err := dec.Decode(&got); err != nil {
				t.Fatalf("streamed document does not decode: %v", err)
			}
			if len(want.Media) == 0 || len(want.Talks[0].PhotoIDs) == 0 {
				t.Fatalf("fixture too thin: %+v", want)
			}
			if !reflect.DeepEqual(got, want) {
				gb, _ := json.Marshal(got)
				wb, _ := json.Marshal(want)
				t.Errorf("streamed document\n%s\nwant\n%s", gb, wb)
			}
		})
	}
}

// TestDocumentForWebsites: the document carries what a website shows
// without the schedule beside it.
func TestDocumentForWebsites(t *testing.T) {
	ctx := context.Background()
	store := exportFixture(t)
	var buf bytes.Buffer
	if err := catalog.WriteDocument(ctx, &buf, store, catalog.ExportOptions{Now: time.Now(), URL: func(k string) string { return k }, Public: true}); err != nil {
		t.Fatal(err)
	}
	catalogtest.CheckDocument(t, buf.Bytes())
	var d catalog.Document
	if err := json.Unmarshal(buf.Bytes(), &d); err != nil {
		t.Fatal(err)
	}
	if got, want := d.FormatVersion, catalog.FormatVersion; got != want || want < 2 {
		t.Errorf("format_version %d, want %d", got, want)
	}
	wantConf := catalog.DocConference{Title: "Conf", Acronym: "conf26", Timezone: "Europe/Dublin", URL: "https://conf.example/2026/",
		Days: []string{"2026-05-15", "2026-05-16"}}
	if !reflect.DeepEqual(d.Conference, wantConf) {
		t.Errorf("conference %+v, want %+v", d.Conference, wantConf)
	}
	t1 := d.Talks[0]
	if t1.ID != "t1" || t1.Abstract != "<p>Opening &amp; welcome</p>" || t1.Language != "en" || t1.Track != "Main" ||
		t1.Type != "Keynote" || t1.URL != "https://conf.example/t1" {
		t.Errorf("talk t1 %+v: want its abstract, language, track, type and URL", t1)
	}
	if !d.Talks[1].DoNotRecord {
		t.Errorf("talk t2 lost do_not_record")
	}
	avatars := map[string]string{}
	for _, s := range d.Speakers {
		avatars[s.ID] = s.AvatarURL
	}
	// Bo has a published headshot, so the schedule's avatar is not needed.
	if want := map[string]string{"ana": "https://conf.example/avatars/ana.png", "bo": ""}; !reflect.DeepEqual(avatars, want) {
		t.Errorf("avatar URLs %v, want %v", avatars, want)
	}
}

// TestSchemaRejects: catalog.schema.json refuses what breaks the contract.
func TestSchemaRejects(t *testing.T) {
	var buf bytes.Buffer
	if err := catalog.WriteDocument(context.Background(), &buf, exportFixture(t), catalog.ExportOptions{Now: time.Now(), URL: func(k string) string { return k }}); err != nil {
		t.Fatal(err)
	}
	if err := catalogtest.ValidateDocument(buf.Bytes()); err != nil {
		t.Fatalf("the fixture's document: %v", err)
	}
	for _, tc := range []struct {
		name   string
		change func(d map[string]any)
	}{
		{"no talks", func(d map[string]any) { delete(d, "talks") }},
		{"no format version", func(d map[string]any) { delete(d, "format_version") }},
		{"generated_at not a time", func(d map[string]any) { d["generated_at"] = "yesterday" }},
		{"a day not a date", func(d map[string]any) { d["conference"].(map[string]any)["days"] = []any{"Saturday"} }},
		{"null speaker ids", func(d map[string]any) { d["talks"].([]any)[0].(map[string]any)["speaker_ids"] = nil }},
		{"media id not a sha256", func(d map[string]any) { d["media"].([]any)[0].(map[string]any)["id"] = "IMG_1.jpg" }},
		{"unknown status", func(d map[string]any) { d["media"].([]any)[0].(map[string]any)["status"] = "maybe" }},
		{"rendition without width", func(d map[string]any) {
			delete(d["media"].([]any)[0].(map[string]any)["renditions"].(map[string]any)["large"].(map[string]any), "width")
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var d map[string]any
			if err := json.Unmarshal(buf.Bytes(), &d); err != nil {
				t.Fatal(err)
			}
			tc.change(d)
			b, _ := json.Marshal(d)
			if err := catalogtest.ValidateDocument(b); err == nil {
				t.Errorf("catalog.schema.json accepts a document with %s", tc.name)
			}
		})
	}
}

// growingStore is an ExportStore of n media items that it makes as it
// yields them, keeping none: 90% photos tagged to one of three talks and
// its speaker, 10% headshots of one of two speakers. It calls sample
// every 500 items a walk yields and at the end of every walk.
type growingStore struct {
	n      int
	sample func()
}

func (s growingStore) Schedule(context.Context) (catalog.Schedule, error) {
	at := time.Date(2026, 5, 15, 9, 0, 0, 0, time.UTC)
	sc := catalog.Schedule{Conference: catalog.Conference{Title: "Conf", Timezone: "UTC"},
		Speakers: []catalog.Speaker{{ID: "s0", Name: "Ana"}, {ID: "s1", Name: "Bo"}}}
	for i := range 3 {
		sc.Talks = append(sc.Talks, catalog.Talk{ID: fmt.Sprintf("t%d", i), Title: "Talk", Room: "A",
			Start: at.Add(time.Duration(i) * time.Hour), End: at.Add(time.Duration(i+1) * time.Hour), SpeakerIDs: []string{fmt.Sprintf("s%d", i%2)}})
	}
	return sc, nil
}

func (growingStore) ListRecordings(context.Context) ([]*catalog.Recording, error) { return nil, nil }

func (s growingStore) WalkMedia(_ context.Context, f catalog.MediaFilter, fn func(*catalog.Media) error) error {
	start := time.Date(2026, 5, 15, 9, 0, 0, 0, time.UTC)
	for i := range s.n {
		id := fmt.Sprintf("%064x", i+1)
		m := &catalog.Media{ID: id, Kind: catalog.Photo, Status: catalog.Tagged, SourceName: "p.jpg", TakenAt: start.Add(time.Duration(i) * time.Second),
			Renditions: []catalog.Rendition{{Name: "large", Key: catalog.RenditionKey(id, "large"), Width: 40, Height: 30}}}
		if i%10 == 9 {
			m.Kind, m.SpeakerIDs = catalog.Headshot, []string{fmt.Sprintf("s%d", i%2)}
		} else {
			m.TalkIDs, m.SpeakerIDs = []string{fmt.Sprintf("t%d", i%3)}, []string{fmt.Sprintf("s%d", i%3%2)}
		}
		if len(f.Status) > 0 && !slices.Contains(f.Status, m.Status) || f.Kind != "" && m.Kind != f.Kind ||
			f.TalkID != "" && !slices.Contains(m.TalkIDs, f.TalkID) || f.SpeakerID != "" && !slices.Contains(m.SpeakerIDs, f.SpeakerID) {
			continue
		}
		if err := fn(m); err != nil {
			return err
		}
		if i%500 == 0 {
			s.sample()
		}
	}
	s.sample()
	return nil
}

// TestWriteDocumentMemoryFlat: what WriteDocument holds while it runs does
// not grow with the items. The live heap (after a collection), sampled as
// the store yields items, is compared between 2,000 and 40,000 items on
// the same three talks: holding each listed photo's id until its talk is
// written, as the export once did, holds about 3 MB more at 40,000.
func TestWriteDocumentMemoryFlat(t *testing.T) {
	ctx := context.Background()
	peak := func(n int) uint64 {
		var max uint64
		var ms runtime.MemStats
		sample := func() {
			runtime.GC()
			runtime.ReadMemStats(&ms)
			if ms.HeapAlloc > max {
				max = ms.HeapAlloc
			}
		}
		var count countingWriter
		if err := catalog.WriteDocument(ctx, &count, growingStore{n: n, sample: sample}, catalog.ExportOptions{Now: time.Now(), URL: func(k string) string { return k }}); err != nil {
			t.Fatal(err)
		}
		// Every item is listed, and every tagged one again under its
		// talk or speaker: the fake store is read as intended.
		if want := int64(n) * 2 * 67; count.n < want {
			t.Fatalf("%d items: a document of %d bytes, want at least %d", n, count.n, want)
		}
		return max
	}
	peak(2000) // warm up: what the first run allocates once
	small, large := peak(2000), peak(40000)
	t.Logf("peak live heap: %d KB at 2,000 items, %d KB at 40,000", small>>10, large>>10)
	if large > small+1<<20 {
		t.Errorf("the export holds %d KB more at 40,000 items than at 2,000: it keeps something per item", (large-small)>>10)
	}
}

// countingWriter counts the bytes written to it and keeps none.
type countingWriter struct{ n int64 }

func (w *countingWriter) Write(p []byte) (int, error) {
	w.n += int64(len(p))
	return len(p), nil
}
