package catalogtest

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/confmedia/confmedia/catalog"
)

// storeVersion: Version grows with each committed change to the schedule,
// media and recordings, and with nothing else (reads, refused or empty
// changes, tokens, sessions, opt-outs, cameras).
func storeVersion(t *testing.T, s catalog.Store) {
	ctx := context.Background()
	last, err := s.Version(ctx)
	if err != nil {
		t.Fatalf("Version: %v", err)
	}
	step := func(what string, grows bool, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		v, err := s.Version(ctx)
		if err != nil {
			t.Fatalf("Version after %s: %v", what, err)
		}
		switch {
		case grows && v <= last:
			t.Errorf("Version after %s = %d, want more than %d", what, v, last)
		case !grows && v != last:
			t.Errorf("Version after %s = %d, want %d unchanged", what, v, last)
		}
		last = v
	}
	start := time.Date(2026, 5, 15, 9, 0, 0, 0, time.UTC)
	_, err = s.ReplaceSchedule(ctx, catalog.Schedule{
		Conference: catalog.Conference{Title: "Conf", Timezone: "UTC"},
		Talks:      []catalog.Talk{{ID: "t1", Title: "Keynote", Room: "A", Start: start, End: start.Add(time.Hour)}},
	})
	step("ReplaceSchedule", true, err)
	_, err = s.Schedule(ctx)
	step("Schedule", false, err)

	m := &catalog.Media{ID: "version-media", Kind: catalog.Photo, SourceName: "v.jpg", OriginalKey: catalog.OriginalKey("version-media"), Status: catalog.Pending}
	_, err = s.CreateMedia(ctx, m)
	step("CreateMedia", true, err)
	created, err := s.CreateMedia(ctx, m)
	if created {
		t.Errorf("CreateMedia of an existing id: created")
	}
	step("CreateMedia of an existing id", false, err)
	step("UpdateMedia", true, s.UpdateMedia(ctx, m.ID, func(m *catalog.Media) error { m.Status = catalog.Tagged; return nil }))
	refused := errors.New("refused")
	if err := s.UpdateMedia(ctx, m.ID, func(*catalog.Media) error { return refused }); !errors.Is(err, refused) {
		t.Errorf("UpdateMedia refused by fn: %v", err)
	}
	step("a refused UpdateMedia", false, nil)
	_, err = s.ListMedia(ctx, catalog.MediaFilter{})
	step("ListMedia", false, err)

	r := &catalog.Recording{ID: "version-rec", URL: "https://video.example/1", Title: "Keynote"}
	_, err = s.PutRecording(ctx, r)
	step("PutRecording", true, err)
	_, err = s.PutRecording(ctx, r)
	step("an identical PutRecording", false, err)
	r.Title = "Keynote, again"
	_, err = s.PutRecording(ctx, r)
	step("a changed PutRecording", true, err)
	step("UpdateRecording", true, s.UpdateRecording(ctx, r.ID, func(r *catalog.Recording) error { r.Reason = "checked"; return nil }))

	step("PutToken", false, s.PutToken(ctx, catalog.Token{Hash: "version-token", Role: catalog.RoleAdmin, Name: "v"}))
	step("PutSession", false, s.PutSession(ctx, catalog.Session{Hash: "version-session", TokenHash: "version-token", Expires: start.Add(time.Hour)}))
	step("PutOptOut", false, s.PutOptOut(ctx, catalog.OptOut{Name: "Version Person"}))
	_, err = s.SetCameraOffset(ctx, "version-camera", time.Minute)
	step("SetCameraOffset", false, err)
}

// storeChanges: Changes reports the media items, the schedule and the
// recordings changed after a version, and refuses a version the store has
// not reached.
func storeChanges(t *testing.T, s catalog.Store) {
	ctx := context.Background()
	changes := func(since int64) catalog.Changes {
		t.Helper()
		c, err := s.Changes(ctx, since)
		if err != nil {
			t.Fatalf("Changes(%d): %v", since, err)
		}
		return c
	}
	check := func(what string, got catalog.Changes, want catalog.Changes) {
		t.Helper()
		if !slices.Equal(got.Media, want.Media) || got.Schedule != want.Schedule || got.Recordings != want.Recordings {
			t.Errorf("Changes after %s = media %q schedule %v recordings %v, want media %q schedule %v recordings %v",
				what, got.Media, got.Schedule, got.Recordings, want.Media, want.Schedule, want.Recordings)
		}
		if v, err := s.Version(ctx); err != nil || got.Version != v {
			t.Errorf("Changes after %s: Version %d, want the store's %d (%v)", what, got.Version, v, err)
		}
	}
	v0, err := s.Version(ctx)
	if err != nil {
		t.Fatalf("Version: %v", err)
	}
	check("nothing", changes(v0), catalog.Changes{})

	for _, id := range []string{"feed-b", "feed-a"} {
		m := &catalog.Media{ID: id, Kind: catalog.Photo, SourceName: id + ".jpg", OriginalKey: catalog.OriginalKey(id), Status: catalog.Pending}
		if _, err := s.CreateMedia(ctx, m); err != nil {
			t.Fatalf("CreateMedia: %v", err)
		}
	}
	c1 := changes(v0)
	check("two CreateMedia", c1, catalog.Changes{Media: []string{"feed-a", "feed-b"}})
	if err := s.UpdateMedia(ctx, "feed-b", func(m *catalog.Media) error { m.Status = catalog.Tagged; return nil }); err != nil {
		t.Fatalf("UpdateMedia: %v", err)
	}
	c2 := changes(c1.Version)
	check("UpdateMedia", c2, catalog.Changes{Media: []string{"feed-b"}})
	check("UpdateMedia, from the start", changes(v0), catalog.Changes{Media: []string{"feed-a", "feed-b"}})

	start := time.Date(2026, 5, 15, 9, 0, 0, 0, time.UTC)
	if _, err := s.ReplaceSchedule(ctx, catalog.Schedule{
		Conference: catalog.Conference{Title: "Conf", Timezone: "UTC"},
		Talks:      []catalog.Talk{{ID: "t1", Title: "Keynote", Room: "A", Start: start, End: start.Add(time.Hour)}},
	}); err != nil {
		t.Fatalf("ReplaceSchedule: %v", err)
	}
	c3 := changes(c2.Version)
	check("ReplaceSchedule", c3, catalog.Changes{Schedule: true})
	if _, err := s.PutRecording(ctx, &catalog.Recording{ID: "feed-rec", URL: "https://video.example/feed", Title: "Keynote"}); err != nil {
		t.Fatalf("PutRecording: %v", err)
	}
	c4 := changes(c3.Version)
	check("PutRecording", c4, catalog.Changes{Recordings: true})
	if err := s.PutOptOut(ctx, catalog.OptOut{Name: "Feed Person"}); err != nil {
		t.Fatalf("PutOptOut: %v", err)
	}
	check("PutOptOut", changes(c4.Version), catalog.Changes{})

	for _, since := range []int64{-1, c4.Version + 1} {
		if _, err := s.Changes(ctx, since); catalog.ErrorKind(err) != catalog.Invalid {
			t.Errorf("Changes(%d) with the store at %d: %v, want Invalid", since, c4.Version, err)
		}
	}
}
