package main

import (
	"encoding/json"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/confmedia/confmedia/catalog"
	"github.com/confmedia/confmedia/pipeline/exif/exiftest"
	"github.com/confmedia/confmedia/web"
)

// TestReviewEndToEnd drives the review queue, takedown and opt-out through
// the CLI against a real `confmedia dev`: decisions stick across a schedule
// re-import, hidden items lose their public renditions and leave the public
// catalog, and opt-outs hide speakers' headshots, their talks' photos and
// photos whose people tags name an attendee.
func TestReviewEndToEnd(t *testing.T) {
	in := startDev(t)
	dir := t.TempDir()
	sched := filepath.Join(dir, "schedule.csv")
	writeFile(t, sched, []byte(testSchedule))
	in.mustCLI("schedule", "import", "--timezone", "Europe/Dublin", "--title", "TestConf", sched)

	photos := filepath.Join(dir, "photos")
	writeFile(t, filepath.Join(photos, "notime-keynote.jpg"), exiftest.MustJPEG(t, exiftest.Spec{Width: 320, Height: 240, Artist: "A"}))
	writeFile(t, filepath.Join(photos, "notime-blurry.jpg"), exiftest.MustJPEG(t, exiftest.Spec{Width: 330, Height: 240, Artist: "B"}))
	writeFile(t, filepath.Join(photos, "keynote.jpg"), exiftest.MustJPEG(t, exiftest.Spec{DateTimeOriginal: "2026:05:15 09:10:00"}))
	writeFile(t, filepath.Join(photos, "keynote-2.jpg"), exiftest.MustJPEG(t, exiftest.Spec{DateTimeOriginal: "2026:05:15 09:20:00"}))
	writeFile(t, filepath.Join(photos, "packaging.jpg"), exiftest.MustJPEG(t, exiftest.Spec{DateTimeOriginal: "2026:05:15 10:10:00"}))
	writeFile(t, filepath.Join(photos, "hallway.jpg"), exiftest.MustJPEG(t, exiftest.Spec{
		DateTimeOriginal: "2026:05:15 12:30:00", People: []string{"Sam Attendee"}}))
	in.mustCLI("upload", "--room", "Ballroom A", photos)
	heads := filepath.Join(dir, "heads")
	writeFile(t, filepath.Join(heads, "Patel_Raj.jpg"), exiftest.MustJPEG(t, exiftest.Spec{Width: 200, Height: 300}))
	writeFile(t, filepath.Join(heads, "mystery.jpg"), exiftest.MustJPEG(t, exiftest.Spec{Width: 210, Height: 300}))
	in.mustCLI("upload", "--kind", "headshot", heads)
	recs := filepath.Join(dir, "recordings.csv")
	writeFile(t, recs, []byte("title,speakers,date,room,start,url,duration\n"+
		"A Talk Nobody Gave,Nobody Known,2026-05-15,,,https://video.example/v/9,600\n"))
	in.mustCLI("videos", "import", recs)
	in.mustCLI("wait", "--timeout", "1m")

	// The queue: the two photos without a capture time, the headshot that
	// matched nobody and the unmatched recording.
	var list web.ReviewList
	if err := json.Unmarshal([]byte(in.mustCLI("review", "list", "--json")), &list); err != nil {
		t.Fatal(err)
	}
	ids := map[string]string{}
	for _, it := range list.Items {
		name := it.SourceName
		if it.Type == "recording" {
			name = it.Title
		}
		ids[name] = it.ID
		switch name {
		case "notime-keynote.jpg", "notime-blurry.jpg":
			if it.Status != "needs_review" || it.Reason != "no capture time" || !strings.HasPrefix(it.Thumbnail, "http") {
				t.Errorf("%s in the queue: %+v", name, it)
			}
		case "mystery.jpg":
			if it.Kind != catalog.Headshot || it.Status != "needs_review" {
				t.Errorf("%s in the queue: %+v", name, it)
			}
		case "A Talk Nobody Gave":
			if it.Type != "recording" || it.Status != "unmatched" || it.Reason == "" || it.URL != "https://video.example/v/9" {
				t.Errorf("recording in the queue: %+v", it)
			}
		default:
			t.Errorf("unexpected item in the queue: %+v", it)
		}
	}
	if len(ids) != 4 {
		t.Fatalf("queue has %v, want 4 items", ids)
	}
	keynoteID, blurryID, mysteryID, recID := ids["notime-keynote.jpg"], ids["notime-blurry.jpg"], ids["mystery.jpg"], ids["A Talk Nobody Gave"]
	if out := in.mustCLI("review", "list"); !strings.Contains(out, keynoteID[:12]+" ") || strings.Contains(out, keynoteID[:13]) ||
		!strings.Contains(out, "recording") || !strings.Contains(out, "no capture time") {
		t.Errorf("review list:\n%s", out)
	}

	// Usage errors exit 2; a decision that does not fit exits 1.
	for _, args := range [][]string{
		{"review", "resolve", keynoteID},
		{"review", "resolve", keynoteID, "--talk", "t1", "--hide"},
		{"review", "resolve", "--untagged"},
	} {
		if code, _, errs := in.cli(args...); code != exitUsage {
			t.Errorf("confmedia %s: exit %d (%s), want 2", strings.Join(args, " "), code, errs)
		}
	}
	if code, _, errs := in.cli("review", "resolve", keynoteID[:8], "--talk", "nope"); code != exitRejected || !strings.Contains(errs, `unknown talk "nope"`) {
		t.Errorf("unknown talk: exit %d, stderr %q", code, errs)
	}
	if code, _, errs := in.cli("review", "resolve", keynoteID, "--speaker", "Jane Doe"); code != exitRejected || !strings.Contains(errs, "is a photo") {
		t.Errorf("speaker on a photo: exit %d, stderr %q", code, errs)
	}

	// Decisions.
	if out := in.mustCLI("review", "resolve", keynoteID[:10], "--talk", "t1"); !strings.Contains(out, "tagged, talks t1, speakers zoe-muller") {
		t.Errorf("resolve --talk: %q", out)
	}
	in.mustCLI("review", "resolve", mysteryID, "--speaker", "ana lima")
	in.mustCLI("review", "resolve", recID, "--talk", "t3")
	doc := in.export()
	keynoteSquare := mediaBySource(doc)["keynote.jpg"].Renditions["square"].URL
	// Still needs_review: nothing of it is public, whoever has the URL.
	blurrySquare := strings.Replace(keynoteSquare, mediaBySource(doc)["keynote.jpg"].ID, blurryID, 1)
	if code := httpStatus(t, keynoteSquare); code != http.StatusOK {
		t.Fatalf("GET %s of a tagged photo before takedown: %d", keynoteSquare, code)
	}
	if code := httpStatus(t, blurrySquare); code != http.StatusNotFound {
		t.Errorf("GET %s of a needs_review photo: %d, want 404", blurrySquare, code)
	}
	if out := in.mustCLI("review", "resolve", blurryID, "--hide"); !strings.Contains(out, "hidden (hidden by reviewer)") {
		t.Errorf("resolve --hide: %q", out)
	}
	for range 2 { // a takedown is idempotent
		if out := in.mustCLI("media", "hide", mediaBySource(doc)["keynote.jpg"].ID, "--reason", "asked by the speaker"); !strings.Contains(out, "keynote.jpg: hidden") || !strings.Contains(out, "(asked by the speaker)") {
			t.Errorf("media hide: %q", out)
		}
	}
	if err := json.Unmarshal([]byte(in.mustCLI("review", "list", "--json")), &list); err != nil || len(list.Items) != 0 {
		t.Errorf("queue after the decisions: %+v (%v), want empty", list.Items, err)
	}

	// A schedule re-import that moves the keynote and renames t3 re-tags
	// everything, and every decision stands.
	moved := strings.Replace(testSchedule, "t1,Opening Keynote,Ballroom A", "t1,Opening Keynote,Ballroom B", 1)
	moved = strings.Replace(moved, "Async All the Way", "Async All the Way Down", 1)
	writeFile(t, sched, []byte(moved))
	if out := in.mustCLI("schedule", "import", "--timezone", "Europe/Dublin", sched); !strings.Contains(out, "2 changed") {
		t.Errorf("schedule re-import: %q, want 2 talks changed", out)
	}
	in.mustCLI("wait", "--timeout", "1m")
	doc = in.export()
	byName := mediaBySource(doc)
	expect := func(name string, status catalog.Status, talks, speakers []string, reasonHas string) {
		t.Helper()
		m := byName[name]
		if m.Status != status || !slices.Equal(m.TalkIDs, talks) || !slices.Equal(m.SpeakerIDs, speakers) || !strings.Contains(m.Reason, reasonHas) {
			t.Errorf("%s: %s talks %v speakers %v reason %q; want %s %v %v %q", name, m.Status, m.TalkIDs, m.SpeakerIDs, m.Reason, status, talks, speakers, reasonHas)
		}
	}
	expect("notime-keynote.jpg", catalog.Tagged, []string{"t1"}, []string{"zoe-muller"}, "")
	expect("keynote-2.jpg", catalog.Untagged, []string{}, []string{}, "no talk in Ballroom A") // re-tagged: the keynote moved
	expect("mystery.jpg", catalog.Tagged, []string{"t3"}, []string{"ana-lima"}, "")
	expect("notime-blurry.jpg", catalog.Hidden, []string{}, []string{}, "hidden by reviewer")
	expect("keynote.jpg", catalog.Hidden, []string{"t1"}, []string{"zoe-muller"}, "asked by the speaker")
	expect("packaging.jpg", catalog.Tagged, []string{"t2"}, []string{"jane-doe", "raj-patel"}, "")
	for _, tk := range doc.Talks {
		if tk.ID == "t3" && (len(tk.Recordings) != 1 || tk.Recordings[0].URL != "https://video.example/v/9") {
			t.Errorf("t3 recordings after the re-import: %+v, want the resolved one", tk.Recordings)
		}
	}
	if len(doc.UnmatchedRecordings) != 0 {
		t.Errorf("unmatched recordings: %+v", doc.UnmatchedRecordings)
	}
	for _, u := range []string{blurrySquare, keynoteSquare} {
		if code := httpStatus(t, u); code != http.StatusNotFound {
			t.Errorf("GET %s after takedown: %d, want 404", u, code)
		}
	}
	var public catalog.Document
	if err := json.Unmarshal([]byte(in.mustCLI("catalog", "export", "--public")), &public); err != nil {
		t.Fatal(err)
	}
	for _, m := range public.Media {
		if m.SourceName == "notime-blurry.jpg" || m.SourceName == "keynote.jpg" {
			t.Errorf("%s (hidden) is in the public catalog", m.SourceName)
		}
	}

	// Opt-outs: a speaker and an attendee.
	if out := in.mustCLI("optout", "add", "Raj", "Patel", "--reason", "asked by email"); !strings.Contains(out, "(speaker raj-patel)") {
		t.Errorf("optout add: %q", out)
	}
	in.mustCLI("optout", "add", "sam attendee")
	in.mustCLI("wait", "--timeout", "1m")
	patelSquare := byName["Patel_Raj.jpg"].Renditions["square"].URL
	doc = in.export()
	byName = mediaBySource(doc)
	expect("Patel_Raj.jpg", catalog.Hidden, []string{"t2"}, []string{"raj-patel"}, "Raj Patel opted out")
	expect("packaging.jpg", catalog.Hidden, []string{"t2"}, []string{"jane-doe", "raj-patel"}, "Raj Patel opted out")
	expect("hallway.jpg", catalog.Hidden, []string{}, []string{}, "sam attendee opted out")
	expect("notime-keynote.jpg", catalog.Tagged, []string{"t1"}, []string{"zoe-muller"}, "")
	if code := httpStatus(t, patelSquare); code != http.StatusNotFound {
		t.Errorf("opted-out speaker's headshot at %s: %d, want 404", patelSquare, code)
	}
	if out := in.mustCLI("optout", "list"); !strings.Contains(out, "Raj Patel") || !strings.Contains(out, "raj-patel") || !strings.Contains(out, "sam attendee") {
		t.Errorf("optout list:\n%s", out)
	}
	if out := in.mustCLI("optout", "remove", "Sam Attendee"); !strings.Contains(out, "stay hidden") {
		t.Errorf("optout remove: %q", out)
	}
	if code, _, errs := in.cli("optout", "remove", "Sam Attendee"); code != exitRejected || !strings.Contains(errs, "no opt-out") {
		t.Errorf("optout remove again: exit %d, %q", code, errs)
	}
	if code, _, _ := in.cli("optout", "frobnicate"); code != exitUsage {
		t.Errorf("optout frobnicate: exit %d, want 2", code)
	}
	in.mustCLI("wait", "--timeout", "1m")
	if m := mediaBySource(in.export())["hallway.jpg"]; m.Status != catalog.Hidden {
		t.Errorf("hallway.jpg after the opt-out was removed: %s, want it to stay hidden", m.Status)
	}
}

// httpStatus GETs u and returns the status code.
func httpStatus(t *testing.T, u string) int {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	resp.Body.Close()
	return resp.StatusCode
}
