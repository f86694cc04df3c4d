package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/confmedia/confmedia/catalog"
	"github.com/confmedia/confmedia/pipeline/exif/exiftest"
	"github.com/confmedia/confmedia/web"
)

// TestBulkReviewEndToEnd decides many review items in one command
// against a real `confmedia dev` — by ids, and by a camera and a time
// range — and retries and deletes a failed item.
func TestBulkReviewEndToEnd(t *testing.T) {
	in := startDev(t)
	dir := t.TempDir()
	sched := filepath.Join(dir, "schedule.csv")
	writeFile(t, sched, []byte(testSchedule))
	in.mustCLI("schedule", "import", "--timezone", "Europe/Dublin", "--title", "TestConf", sched)

	// Eight photos without a room at 10:02–10:30, while t2 and t3 run:
	// all need review.
	photos := filepath.Join(dir, "photos")
	for i := range 8 {
		writeFile(t, filepath.Join(photos, fmt.Sprintf("p%d.jpg", i)), exiftest.MustJPEG(t, exiftest.Spec{Width: 320, Height: 240,
			DateTimeOriginal: fmt.Sprintf("2026:05:15 10:%02d:00", 2+4*i), Make: "Nikon", Model: "Z 6"}))
	}
	good := exiftest.MustJPEG(t, exiftest.Spec{DateTimeOriginal: "2026:05:15 09:30:00"})
	sos := bytes.Index(good, []byte{0xFF, 0xDA})
	writeFile(t, filepath.Join(photos, "broken.jpg"), good[:sos+20]) // header fine, image data cut short
	in.cli("upload", "--photographer", "Noor", photos)
	in.waitFailed("2m", "broken.jpg")

	ids := map[string]string{}
	for name, m := range mediaBySource(in.export()) {
		ids[name] = m.ID
		if strings.HasPrefix(name, "p") && m.Status != catalog.NeedsReview {
			t.Fatalf("seed: %s is %s (%s), want needs_review", name, m.Status, m.Reason)
		}
	}

	// Many ids in one request; one that is not there is reported and
	// makes the exit code 1, the others are decided.
	code, out, errs := in.cli("review", "resolve", ids["p0.jpg"][:10], ids["p1.jpg"], "0123456789", "--untagged")
	if code != exitRejected || !strings.Contains(out, "p0.jpg: untagged") || !strings.Contains(out, "p1.jpg: untagged") ||
		!strings.Contains(out, "0123456789: not changed: no media item or recording") || !strings.Contains(out, "2 decided, 1 not changed") {
		t.Errorf("review resolve of three ids: exit %d\n%s%s", code, out, errs)
	}

	// A camera's photos in review from 10:10 to 10:20 (venue time): p2
	// to p4.
	var resp web.BulkResponse
	raw := in.mustCLI("review", "resolve", "--camera", "model:Nikon:Z 6", "--from", "2026-05-15 10:10", "--to", "2026-05-15 10:20", "--talk", "t2", "--json")
	if err := json.Unmarshal([]byte(raw), &resp); err != nil {
		t.Fatalf("%v: %s", err, raw)
	}
	var got []string
	for _, r := range resp.Results {
		if r.Item != nil {
			got = append(got, r.Item.SourceName)
		}
	}
	if want := []string{"p2.jpg", "p3.jpg", "p4.jpg"}; !slices.Equal(got, want) || resp.Done != 3 {
		t.Errorf("camera and time range decided %v (done %d), want %v", got, resp.Done, want)
	}
	for _, args := range [][]string{
		{"review", "resolve", "--untagged"},                                          // nothing selected
		{"review", "resolve", ids["p5.jpg"], "--camera", "x", "--hide"},              // both
		{"review", "resolve", ids["p5.jpg"], "--from", "2026-05-15 10:00", "--hide"}, // a range without a camera
	} {
		if code, _, _ := in.cli(args...); code != exitUsage {
			t.Errorf("%v: exit %d, want %d", args, code, exitUsage)
		}
	}
	doc := mediaBySource(in.export())
	for name, want := range map[string]catalog.Status{"p0.jpg": catalog.Untagged, "p2.jpg": catalog.Tagged, "p4.jpg": catalog.Tagged, "p5.jpg": catalog.NeedsReview} {
		if m := doc[name]; m.Status != want {
			t.Errorf("%s is %s, want %s", name, m.Status, want)
		}
	}

	// The failed item: listed with its file and photographer, retried
	// (it fails again), then deleted.
	if out := in.mustCLI("media", "failed"); !strings.Contains(out, "broken.jpg") || !strings.Contains(out, "Noor") {
		t.Errorf("media failed:\n%s", out)
	}
	if out := in.mustCLI("media", "retry", ids["broken.jpg"]); !strings.Contains(out, "broken.jpg: pending") || !strings.Contains(out, "1 queued to be processed again") {
		t.Errorf("media retry:\n%s", out)
	}
	in.waitFailed("2m", "broken.jpg")
	if code, out, _ := in.cli("media", "retry", ids["p5.jpg"]); code != exitRejected || !strings.Contains(out, "not failed") {
		t.Errorf("media retry of an item in review: exit %d\n%s", code, out)
	}
	if out := in.mustCLI("media", "delete", ids["broken.jpg"], ids["p0.jpg"]); !strings.Contains(out, "2 deleted") {
		t.Errorf("media delete:\n%s", out)
	}
	doc = mediaBySource(in.export())
	for _, name := range []string{"broken.jpg", "p0.jpg"} {
		if _, ok := doc[name]; ok {
			t.Errorf("%s is still in the catalog after delete", name)
		}
	}
	if out := in.mustCLI("media", "failed"); !strings.Contains(out, "no failed items") {
		t.Errorf("media failed after delete:\n%s", out)
	}
	// A deleted file can be uploaded again.
	in.mustCLI("upload", filepath.Join(photos, "p0.jpg"))
	in.mustCLI("wait", "--timeout", "1m")
	if m, ok := mediaBySource(in.export())["p0.jpg"]; !ok || m.Status != catalog.NeedsReview {
		t.Errorf("p0.jpg uploaded again: %+v", m)
	}
}
