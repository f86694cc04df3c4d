package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/confmedia/confmedia/catalog"
	"github.com/confmedia/confmedia/pipeline/exif/exiftest"
	"github.com/confmedia/confmedia/web"
)

// TestSetKindEndToEnd: a file uploaded as an event photo and then as a
// speaker's headshot is never skipped silently; an organizer changes its
// kind, and it is processed again as a headshot of that speaker.
func TestSetKindEndToEnd(t *testing.T) {
	in := startDev(t)
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "schedule.csv"), []byte(clockSchedule))
	in.mustCLI("schedule", "import", "--timezone", "Europe/Dublin", filepath.Join(dir, "schedule.csv"))

	data := exiftest.MustJPEG(t, exiftest.Spec{Width: 900, Height: 1200, DateTimeOriginal: "2026:05:15 09:10:00", Make: "Canon", Model: "Canon EOS R6", Serial: "K1"})
	sum := sha256.Sum256(data)
	id := hex.EncodeToString(sum[:])
	photo := filepath.Join(dir, "ana.jpg")
	writeFile(t, photo, data)
	in.mustCLI("upload", "--room", "Main", "--photographer", "Pat", photo)
	in.mustCLI("wait", "--timeout", "1m")
	if m := mediaBySource(in.export())["ana.jpg"]; m.Kind != catalog.Photo || m.Status != catalog.Tagged {
		t.Fatalf("first upload: %+v, want a tagged photo", m)
	}

	// The same bytes as Ana Lima's headshot: refused, saying what the
	// server has and how to change it.
	code, out, errs := in.cli("upload", "--kind", "headshot", "--speaker", "ana lima", photo)
	today := time.Now().UTC().Format(time.DateOnly)
	t.Logf("upload --kind headshot of a known photo:\n%s%s", out, errs)
	if code != exitRejected || !strings.Contains(out, "1 already on the server as another kind") {
		t.Errorf("upload as headshot: exit %d, stdout %q; want exit 1 saying so", code, out)
	}
	for _, want := range []string{
		"not uploaded " + photo, "already uploaded on " + today + " as an event photo by Pat", "not as a headshot of Ana Lima",
		"confmedia media set-kind " + id[:idWidth] + " --kind headshot --speaker 'Ana Lima'",
	} {
		if !strings.Contains(errs, want) {
			t.Errorf("upload as headshot: stderr lacks %q:\n%s", want, errs)
		}
	}
	var js uploadSummary
	code, out, _ = in.cli("upload", "--json", "--kind", "headshot", "--speaker", "Ana Lima", photo)
	if err := json.Unmarshal([]byte(out), &js); err != nil || code != exitRejected || len(js.OtherKind) != 1 ||
		js.OtherKind[0].Has.Kind != catalog.Photo || js.OtherKind[0].Has.Photographer != "Pat" || js.Skipped != 0 {
		t.Errorf("upload --json as headshot: exit %d, %+v (%v)", code, js, err)
	}
	// As an event photo again it is a plain duplicate.
	if code, out, errs := in.cli("upload", "--room", "Main", photo); code != 0 || !strings.Contains(out, "1 already on the server") || strings.Contains(errs, "not uploaded") {
		t.Errorf("upload as photo again: exit %d, %q, %q", code, out, errs)
	}

	// Bad changes are usage errors and change nothing.
	if code, _, errs := in.cli("media", "set-kind", id[:idWidth], "--kind", "headshot", "--speaker", "Nobody Known"); code != exitUsage || !strings.Contains(errs, "Nobody Known") {
		t.Errorf("unknown speaker: exit %d, %q", code, errs)
	}
	if code, _, _ := in.cli("media", "set-kind", id[:idWidth], "--kind", "poster"); code != exitUsage {
		t.Errorf("unknown kind: exit %d", code)
	}

	out = in.mustCLI("media", "set-kind", id[:idWidth], "--kind", "headshot", "--speaker", "Ana Lima")
	if !strings.Contains(out, "now a headshot of Ana Lima") {
		t.Errorf("set-kind: %q", out)
	}
	in.mustCLI("wait", "--timeout", "1m")
	doc := in.export()
	ana := ""
	for _, sp := range doc.Speakers {
		if sp.Name == "Ana Lima" {
			ana = sp.ID
		}
	}
	m := mediaBySource(doc)["ana.jpg"]
	if m.Kind != catalog.Headshot || m.Status != catalog.Tagged || len(m.SpeakerIDs) != 1 || m.SpeakerIDs[0] != ana || ana == "" {
		t.Errorf("after set-kind: %+v, want a tagged headshot of %s", m, ana)
	}
	if _, ok := m.Renditions["square-large"]; !ok {
		t.Errorf("after set-kind: renditions %v, want the headshot set", m.Renditions)
	}
	// Now the headshot upload is a plain duplicate.
	if code, _, errs := in.cli("upload", "--kind", "headshot", "--speaker", "Ana Lima", photo); code != 0 {
		t.Errorf("upload as headshot after set-kind: exit %d, %q", code, errs)
	}
	// And back: the photo is a photo of talk m1 again.
	var back web.SetKindResponse
	if err := json.Unmarshal([]byte(in.mustCLI("media", "set-kind", "--json", id, "--kind", "photo")), &back); err != nil || back.Kind != catalog.Photo || back.Status != string(catalog.Pending) {
		t.Errorf("set-kind --json back to photo: %+v (%v)", back, err)
	}
	in.mustCLI("wait", "--timeout", "1m")
	if m := mediaBySource(in.export())["ana.jpg"]; m.Kind != catalog.Photo || m.Status != catalog.Tagged || len(m.TalkIDs) != 1 || m.TalkIDs[0] != "m1" {
		t.Errorf("back to photo: %+v, want tagged m1", m)
	}
}

// TestOutsideConferenceEndToEnd: photos from a camera whose clock was
// never set are not published; `confmedia cameras` suggests the offset
// with its evidence, and setting it tags them.
func TestOutsideConferenceEndToEnd(t *testing.T) {
	in := startDev(t)
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "schedule.csv"), []byte(clockSchedule))
	in.mustCLI("schedule", "import", "--timezone", "Europe/Dublin", filepath.Join(dir, "schedule.csv"))
	// Its clock started at 2000-01-01 00:00 when it was switched on at
	// 2026-05-15 08:55.
	for name, at := range map[string]string{"r1.jpg": "00:15:00", "r2.jpg": "00:35:00", "r3.jpg": "01:20:00", "r4.jpg": "05:25:00", "r5.jpg": "05:45:00"} {
		writeFile(t, filepath.Join(dir, "reset", name), exiftest.MustJPEG(t, exiftest.Spec{
			DateTimeOriginal: "2000:01:01 " + at, Make: "Sony", Model: "DSC-RX100", Serial: "R1"}))
	}
	// A phone with no room given, a month ahead.
	writeFile(t, filepath.Join(dir, "phone", "p1.jpg"), exiftest.MustJPEG(t, exiftest.Spec{DateTimeOriginal: "2026:06:15 10:10:00", Make: "Google", Model: "Pixel 8"}))
	in.mustCLI("upload", "--room", "Main", "--photographer", "Pat", filepath.Join(dir, "reset"))
	in.mustCLI("upload", "--photographer", "Pat", filepath.Join(dir, "phone"))
	in.mustCLI("wait", "--timeout", "1m")
	for name, m := range mediaBySource(in.export()) {
		if m.Status != catalog.NeedsReview || !strings.Contains(m.Reason, "the conference") || !strings.Contains(m.Reason, "confmedia cameras set") {
			t.Errorf("%s: %s (%s); want needs_review saying how far off it is", name, m.Status, m.Reason)
		}
		if len(m.Renditions) > 0 {
			for _, r := range m.Renditions {
				if strings.Contains(r.URL, "/public/") {
					t.Errorf("%s: public rendition %s", name, r.URL)
				}
			}
		}
	}
	var pub catalog.Document
	if err := json.Unmarshal([]byte(in.mustCLI("catalog", "export", "--public")), &pub); err != nil {
		t.Fatal(err)
	}
	if len(pub.Media) != 0 {
		t.Errorf("public catalog lists %d media items, want none", len(pub.Media))
	}

	table := in.mustCLI("cameras")
	t.Logf("confmedia cameras:\n%s", table)
	if !regexp.MustCompile(`5 of 5 photos dated 2000-01-01, outside the conference \(2026-05-15\); shifting by \+9631d9h\S* puts [45] of them inside talks in their rooms`).MatchString(table) {
		t.Errorf("cameras: no suggestion with its evidence:\n%s", table)
	}
	var list []web.CameraInfo
	if err := json.Unmarshal([]byte(in.mustCLI("cameras", "--json")), &list); err != nil {
		t.Fatal(err)
	}
	var offset string
	for _, c := range list {
		if c.Key == "serial:Sony:R1" && c.Suggestion != nil {
			offset = c.Suggestion.Offset
		}
	}
	if offset == "" {
		t.Fatalf("no suggestion for the reset camera: %+v", list)
	}
	in.mustCLI("cameras", "set", "serial:Sony:R1", offset)
	in.mustCLI("wait", "--timeout", "1m")
	tagged := 0
	for name, m := range mediaBySource(in.export()) {
		if strings.HasPrefix(name, "r") && m.Status == catalog.Tagged {
			tagged++
		}
	}
	if tagged < 4 {
		t.Errorf("%d of the reset camera's 5 photos tagged with %s, want 4 or more", tagged, offset)
	}
}
