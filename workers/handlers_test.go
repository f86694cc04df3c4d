package workers

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"log/slog"
	"slices"
	"testing"
	"time"

	"github.com/confmedia/confmedia/catalog"
	"github.com/confmedia/confmedia/catalog/catalogtest"
	"github.com/confmedia/confmedia/pipeline/exif/exiftest"
	"github.com/confmedia/confmedia/pipeline/match"
	"github.com/hibiken/asynq"
)

var dublin = mustZone("Europe/Dublin")

func mustZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

func testSchedule() catalog.Schedule {
	at := func(h, m int) time.Time { return time.Date(2026, 5, 15, h, m, 0, 0, dublin) }
	return catalog.Schedule{
		Conference: catalog.Conference{Title: "TestConf", Timezone: "Europe/Dublin"},
		Talks: []catalog.Talk{
			{ID: "t1", Title: "Keynote", Room: "Hall A", Start: at(9, 0), End: at(10, 0), SpeakerIDs: []string{"ana"}},
			{ID: "t2", Title: "Async", Room: "Hall B", Start: at(9, 0), End: at(10, 0), SpeakerIDs: []string{"bo"}},
		},
		Speakers: []catalog.Speaker{{ID: "ana", Name: "Ana Lima"}, {ID: "bo", Name: "Bo Chen"}},
	}
}

type fixture struct {
	h     *Handlers
	store *catalogtest.MemStore
	blobs *catalogtest.MemBlobs
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{store: catalogtest.NewMemStore(), blobs: catalogtest.NewMemBlobs()}
	f.h = &Handlers{Store: f.store, Blobs: f.blobs, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Now: func() time.Time { return time.Date(2026, 5, 15, 12, 0, 0, 0, time.UTC) }}
	if _, err := f.store.ReplaceSchedule(context.Background(), testSchedule()); err != nil {
		t.Fatal(err)
	}
	return f
}

// upload stores data as the server would and returns the new item.
func (f *fixture) upload(t *testing.T, data []byte, m catalog.Media) *catalog.Media {
	t.Helper()
	sum := sha256.Sum256(data)
	m.ID = hex.EncodeToString(sum[:])
	m.OriginalKey = catalog.OriginalKey(m.ID)
	m.Status, m.Generation = catalog.Pending, 1
	if m.Kind == "" {
		m.Kind = catalog.Photo
	}
	ctx := context.Background()
	if err := f.blobs.Put(ctx, m.OriginalKey, bytes.NewReader(data), int64(len(data)), "image/jpeg"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.store.CreateMedia(ctx, &m); err != nil {
		t.Fatal(err)
	}
	return &m
}

func (f *fixture) process(t *testing.T, m *catalog.Media) (*catalog.Media, error) {
	t.Helper()
	task, _ := NewMediaProcessTask(m)
	err := f.h.ProcessMedia(context.Background(), task)
	got, gerr := f.store.Media(context.Background(), m.ID)
	if gerr != nil {
		t.Fatal(gerr)
	}
	return got, err
}

func TestProcessMedia(t *testing.T) {
	f := newFixture(t)
	data := exiftest.MustJPEG(t, exiftest.Spec{Width: 640, Height: 480, DateTimeOriginal: "2026:05:15 08:10:00",
		Make: "Canon", Model: "EOS R6", Serial: "42", GPS: &exiftest.GPS{Lat: 1, Lon: 2}})
	m := f.upload(t, data, catalog.Media{SourceName: "a.jpg", Room: "Hall A", ClockOffset: time.Hour, HasOffset: true})
	got, err := f.process(t, m)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != catalog.Tagged || !slices.Equal(got.TalkIDs, []string{"t1"}) || !slices.Equal(got.SpeakerIDs, []string{"ana"}) {
		t.Errorf("status %s talks %v speakers %v (%s), want tagged t1 ana", got.Status, got.TalkIDs, got.SpeakerIDs, got.Reason)
	}
	if want := time.Date(2026, 5, 15, 9, 10, 0, 0, dublin); !got.TakenAt.Equal(want) {
		t.Errorf("taken at %v, want %v (camera clock + 1h offset)", got.TakenAt, want)
	}
	if !got.HasGPS || got.Serial != "42" || got.Camera == "" || got.Width != 640 || got.Height != 480 {
		t.Errorf("metadata not recorded: %+v", got)
	}
	cam, err := f.store.Camera(context.Background(), got.Camera)
	if err != nil || cam.Offset != time.Hour {
		t.Errorf("camera %+v (%v): the upload's offset should become the camera's", cam, err)
	}
	if len(got.Renditions) != 3 {
		t.Fatalf("renditions %+v", got.Renditions)
	}
	for _, r := range got.Renditions {
		if _, err := f.blobs.Stat(context.Background(), r.Key); err != nil {
			t.Errorf("rendition %s not stored: %v", r.Key, err)
		}
	}
	// A task delivered twice does nothing the second time.
	if _, err := f.process(t, m); err != nil {
		t.Errorf("second delivery: %v", err)
	}
}

func TestProcessMediaUndecodable(t *testing.T) {
	f := newFixture(t)
	good := exiftest.MustJPEG(t, exiftest.Spec{DateTimeOriginal: "2026:05:15 09:10:00"})
	cut := good[:bytes.Index(good, []byte{0xFF, 0xDA})+20]
	m := f.upload(t, cut, catalog.Media{SourceName: "cut.jpg"})
	got, err := f.process(t, m)
	if !errors.Is(err, asynq.SkipRetry) {
		t.Errorf("error %v, want a SkipRetry error", err)
	}
	if got.Status != catalog.Failed || got.Reason == "" {
		t.Errorf("status %s reason %q, want failed with a reason", got.Status, got.Reason)
	}
}

func TestProcessMediaTransient(t *testing.T) {
	f := newFixture(t)
	data := exiftest.MustJPEG(t, exiftest.Spec{})
	m := f.upload(t, data, catalog.Media{SourceName: "a.jpg"})
	f.h.Blobs = failingBlobs{f.blobs}
	got, err := f.process(t, m)
	if err == nil || errors.Is(err, asynq.SkipRetry) {
		t.Errorf("error %v, want a retryable error", err)
	}
	if got.Status != catalog.Pending {
		t.Errorf("status %s, want still pending", got.Status)
	}
}

type failingBlobs struct{ catalog.Blobs }

func (failingBlobs) Get(context.Context, string) (io.ReadCloser, catalog.BlobInfo, error) {
	return nil, catalog.BlobInfo{}, catalog.E(catalog.Unavailable, "test", nil, "S3 down")
}

func TestDecide(t *testing.T) {
	idx, err := match.NewIndex(testSchedule())
	if err != nil {
		t.Fatal(err)
	}
	wall := func(s string) catalog.CameraTime {
		w, _ := time.Parse("2006-01-02 15:04", s)
		return catalog.CameraTime{Wall: w, Source: "exif"}
	}
	tests := []struct {
		name    string
		m       catalog.Media
		idx     *match.Index
		offset  time.Duration
		optouts []catalog.OptOut
		status  catalog.Status
		talks   []string
		reason  string
	}{
		{"in talk", catalog.Media{Kind: catalog.Photo, Room: "Hall B", CameraTime: wall("2026-05-15 09:30")}, idx, 0, nil, catalog.Tagged, []string{"t2"}, ""},
		{"offset moves it out", catalog.Media{Kind: catalog.Photo, Room: "Hall B", CameraTime: wall("2026-05-15 09:30")}, idx, time.Hour, nil, catalog.Untagged, nil, ""},
		{"no time", catalog.Media{Kind: catalog.Photo, Room: "Hall B"}, idx, 0, nil, catalog.NeedsReview, nil, "no capture time"},
		{"no schedule", catalog.Media{Kind: catalog.Photo, CameraTime: wall("2026-05-15 09:30")}, nil, 0, nil, catalog.NeedsReview, nil, "no schedule imported"},
		{"rejected", catalog.Media{Kind: catalog.Photo, Room: "Hall B", Rating: -1, CameraTime: wall("2026-05-15 09:30")}, idx, 0, nil, catalog.Hidden, nil, "rejected by photographer"},
		{"failed stays", catalog.Media{Kind: catalog.Photo, Status: catalog.Failed, Reason: "x"}, idx, 0, nil, catalog.Failed, nil, "x"},
		{"headshot by hint", catalog.Media{Kind: catalog.Headshot, SpeakerHint: "Bo Chen", SourceName: "IMG_1.jpg"}, idx, 0, nil, catalog.Tagged, []string{"t2"}, ""},
		{"attendee opted out", catalog.Media{Kind: catalog.Photo, Room: "Hall B", People: []string{"Kim Ng"}, CameraTime: wall("2026-05-15 09:30")}, idx, 0,
			[]catalog.OptOut{{Name: "kim ng"}}, catalog.Hidden, nil, "kim ng opted out of photos"},
		{"speaker opted out", catalog.Media{Kind: catalog.Photo, Room: "Hall B", CameraTime: wall("2026-05-15 09:30")}, idx, 0,
			[]catalog.OptOut{{Name: "Bo Chen", SpeakerID: "bo"}}, catalog.Hidden, []string{"t2"}, "Bo Chen opted out of photos"},
		{"speaker's headshot opted out", catalog.Media{Kind: catalog.Headshot, SpeakerHint: "Bo Chen"}, idx, 0,
			[]catalog.OptOut{{Name: "Bo Chen", SpeakerID: "bo"}}, catalog.Hidden, []string{"t2"}, "Bo Chen opted out of photos"},
		{"other speaker opted out", catalog.Media{Kind: catalog.Photo, Room: "Hall A", CameraTime: wall("2026-05-15 09:30")}, idx, 0,
			[]catalog.OptOut{{Name: "Bo Chen", SpeakerID: "bo"}}, catalog.Tagged, []string{"t1"}, ""},
		{"decided sticks", catalog.Media{Kind: catalog.Photo, Room: "Hall B", CameraTime: wall("2026-05-15 09:30"), Decided: true,
			Status: catalog.Tagged, TalkIDs: []string{"t1"}}, idx, 0, nil, catalog.Tagged, []string{"t1"}, ""},
		{"decided talk left the schedule", catalog.Media{Kind: catalog.Photo, Decided: true, Status: catalog.Tagged, TalkIDs: []string{"gone"}},
			idx, 0, nil, catalog.NeedsReview, nil, "talk gone left the schedule"},
		{"decided untagged sticks", catalog.Media{Kind: catalog.Photo, Room: "Hall B", CameraTime: wall("2026-05-15 09:30"), Decided: true,
			Status: catalog.Untagged}, idx, 0, nil, catalog.Untagged, nil, ""},
	}
	for _, tt := range tests {
		m := tt.m
		Decide(&m, tt.idx, tt.offset, tt.optouts, nil)
		if m.Status != tt.status || !slices.Equal(m.TalkIDs, tt.talks) || (tt.reason != "" && m.Reason != tt.reason) {
			t.Errorf("%s: %s %v %q; want %s %v %q", tt.name, m.Status, m.TalkIDs, m.Reason, tt.status, tt.talks, tt.reason)
		}
	}
}

func TestProcessMediaRejectedLeavesNoPublicFiles(t *testing.T) {
	f := newFixture(t)
	data := exiftest.MustJPEG(t, exiftest.Spec{Rating: new(-1), DateTimeOriginal: "2026:05:15 09:10:00"})
	m := f.upload(t, data, catalog.Media{SourceName: "reject.jpg", Room: "Hall A"})
	got, err := f.process(t, m)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != catalog.Hidden || got.Reason != "rejected by photographer" || len(got.Renditions) != 0 {
		t.Errorf("status %s reason %q renditions %d, want hidden, rejected by photographer, none", got.Status, got.Reason, len(got.Renditions))
	}
	if keys := f.blobs.Keys(catalog.PublicPrefix); len(keys) != 0 {
		t.Errorf("public blobs left behind: %v", keys)
	}
	if _, err := f.blobs.Stat(context.Background(), m.OriginalKey); err != nil {
		t.Errorf("the original must stay, private: %v", err)
	}
}

func TestProcessHeadshotHasLargeSquare(t *testing.T) {
	f := newFixture(t)
	data := exiftest.MustJPEG(t, exiftest.Spec{Width: 1600, Height: 2000})
	m := f.upload(t, data, catalog.Media{Kind: catalog.Headshot, SourceName: "bo-chen.jpg"})
	got, err := f.process(t, m)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][2]int{"large": {1600, 2000}, "medium": {819, 1024}, "square": {400, 400}, "square-large": {1200, 1200}}
	if len(got.Renditions) != len(want) {
		t.Fatalf("renditions %+v, want %v", got.Renditions, want)
	}
	for _, r := range got.Renditions {
		if w := want[r.Name]; r.Width != w[0] || r.Height != w[1] {
			t.Errorf("%s is %dx%d, want %dx%d", r.Name, r.Width, r.Height, w[0], w[1])
		}
	}
	if got.Status != catalog.Tagged || !slices.Equal(got.SpeakerIDs, []string{"bo"}) {
		t.Errorf("headshot %s %v (%s)", got.Status, got.SpeakerIDs, got.Reason)
	}
}

// TestProcessMediaDecidesThenPublishes: renditions are rendered to the
// staff prefix and copied to the public one only when the decision makes
// the item public; a crash between deciding and publishing is finished by
// the task's next delivery.
func TestProcessMediaDecidesThenPublishes(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name   string
		spec   exiftest.Spec
		status catalog.Status
		public int
	}{
		{"tagged", exiftest.Spec{DateTimeOriginal: "2026:05:15 09:10:00"}, catalog.Tagged, 3},
		{"needs review", exiftest.Spec{}, catalog.NeedsReview, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			m := f.upload(t, exiftest.MustJPEG(t, tt.spec), catalog.Media{SourceName: "a.jpg", Room: "Hall A"})
			got, err := f.process(t, m)
			if err != nil {
				t.Fatal(err)
			}
			if got.Status != tt.status {
				t.Fatalf("status %s (%s), want %s", got.Status, got.Reason, tt.status)
			}
			if keys := f.blobs.Keys(catalog.StaffPrefix + "media/" + m.ID + "/"); len(keys) != 3 {
				t.Errorf("staff copies %v, want 3", keys)
			}
			if keys := f.blobs.Keys(catalog.PublicPrefix); len(keys) != tt.public {
				t.Errorf("public copies %v, want %d", keys, tt.public)
			}
			// Lose the public copies, as a crash after deciding would:
			// the next delivery publishes them.
			for _, k := range f.blobs.Keys(catalog.PublicPrefix) {
				if err := f.blobs.Delete(ctx, k); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := f.process(t, m); err != nil {
				t.Fatal(err)
			}
			if keys := f.blobs.Keys(catalog.PublicPrefix); len(keys) != tt.public {
				t.Errorf("after a second delivery: public copies %v, want %d", keys, tt.public)
			}
		})
	}
}

// TestTagMediaUnpublishes: a re-tag that hides an item (its speaker opted
// out) removes its public and staff copies.
func TestTagMediaUnpublishes(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	m := f.upload(t, exiftest.MustJPEG(t, exiftest.Spec{DateTimeOriginal: "2026:05:15 09:10:00"}), catalog.Media{SourceName: "a.jpg", Room: "Hall A"})
	if got, err := f.process(t, m); err != nil || got.Status != catalog.Tagged || len(f.blobs.Keys(catalog.PublicPrefix)) != 3 {
		t.Fatalf("processed: %v, %s, public %v", err, got.Status, f.blobs.Keys(catalog.PublicPrefix))
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
	got, _ := f.store.Media(ctx, m.ID)
	if got.Status != catalog.Hidden || got.Reason != "Ana Lima opted out of photos" {
		t.Errorf("re-tagged: %s %q, want hidden because Ana Lima opted out", got.Status, got.Reason)
	}
	if keys := append(f.blobs.Keys(catalog.PublicPrefix), f.blobs.Keys(catalog.StaffPrefix)...); len(keys) != 0 {
		t.Errorf("renditions left: %v", keys)
	}
}
