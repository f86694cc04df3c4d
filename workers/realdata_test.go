package workers

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/confmedia/confmedia/catalog"
	"github.com/confmedia/confmedia/catalog/catalogtest"
	"github.com/confmedia/confmedia/pipeline/match"
	"github.com/confmedia/confmedia/pipeline/schedule"
)

// TestRealCameraBatchNotPublishedOutsideConference processes the real
// camera JPEGs as one photographer's batch for a room of EuroPython 2022
// (Dublin, July 2022): they were taken from 2000 to 2022 but never during
// the conference, so none may be public, and each one with a capture time
// must say how far off it is.
func TestRealCameraBatchNotPublishedOutsideConference(t *testing.T) {
	if testing.Short() {
		t.Skip("renders 38 real photos")
	}
	sched := catalogtest.SharedData(t, "derived", "europython-2022", "schedule.xml")
	root := catalogtest.SharedData(t, "photos", "cameras")
	data, err := os.ReadFile(sched)
	if err != nil {
		t.Fatal(err)
	}
	s, err := schedule.Parse("schedule.xml", data, "")
	if err != nil {
		t.Fatal(err)
	}
	f := newFixture(t)
	ctx := context.Background()
	if _, err := f.store.ReplaceSchedule(ctx, s); err != nil {
		t.Fatal(err)
	}
	idx, err := match.NewIndex(s)
	if err != nil {
		t.Fatal(err)
	}
	const room = "Liffey Hall 1"
	if _, ok := idx.Room(room); !ok {
		t.Fatalf("the schedule has no room %q", room)
	}
	var files []string
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.EqualFold(filepath.Ext(p), ".jpg") {
			files = append(files, p)
		}
		return err
	})
	if err != nil || len(files) < 30 {
		t.Fatalf("%d camera files (%v)", len(files), err)
	}
	var outside, undated, failed int
	for _, p := range files {
		name, _ := filepath.Rel(root, p)
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		m := f.upload(t, b, catalog.Media{SourceName: name, Room: room, Photographer: "Pat"})
		got, _ := f.process(t, m)
		if _, public := catalog.RenditionsFor(got.Status); public {
			t.Errorf("%s: %s (%s), taken %v: public", name, got.Status, got.Reason, got.TakenAt)
		}
		switch {
		case got.Status == catalog.Failed:
			failed++
		case got.TakenAt.IsZero():
			undated++
		default:
			if _, out := idx.DaysOff(got.TakenAt); !out {
				t.Errorf("%s: taken %v is within the conference", name, got.TakenAt)
			}
			if got.Status != catalog.NeedsReview || !strings.Contains(got.Reason, "the conference") || !strings.Contains(got.Reason, "cameras set") {
				t.Errorf("%s: %s (%s); want needs_review saying how far off it is", name, got.Status, got.Reason)
			}
			outside++
		}
		for _, r := range got.Renditions {
			if _, err := f.blobs.Stat(ctx, r.Key); err == nil {
				t.Errorf("%s: public rendition %s exists", name, r.Key)
			}
		}
	}
	t.Logf("%d files: %d dated outside the conference, %d without a capture time, %d failed", len(files), outside, undated, failed)
	if outside < 30 {
		t.Errorf("only %d files dated outside the conference; the data has at least 30", outside)
	}
}
