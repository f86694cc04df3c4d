package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/confmedia/confmedia/catalog"
	"github.com/confmedia/confmedia/catalog/catalogtest"
	"github.com/confmedia/confmedia/pipeline/exif/exiftest"
	"github.com/confmedia/confmedia/web"
)

// clockSchedule has gaps between talks, so that a camera an hour behind
// puts most photos outside them.
const clockSchedule = `id,title,room,start,end,speakers
m1,Opening,Main,2026-05-15 09:00,2026-05-15 09:45,Ana Lima
m2,Second,Main,2026-05-15 10:00,2026-05-15 10:30,Bob Stone
m3,Third,Main,2026-05-15 11:00,2026-05-15 11:30,Cy Young
m4,Afternoon,Main,2026-05-15 14:00,2026-05-15 15:00,Di Wu
s1,Side talk,Side,2026-05-15 10:00,2026-05-15 11:00,Ed Park
`

func TestCamerasEndToEnd(t *testing.T) {
	in := startDev(t)
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "schedule.csv"), []byte(clockSchedule))
	in.mustCLI("schedule", "import", "--timezone", "Europe/Dublin", filepath.Join(dir, "schedule.csv"))

	// A camera left on standard time: its clock is an hour behind.
	const key = "serial:Canon:SN-DST"
	canon := func(name, at string) {
		writeFile(t, filepath.Join(dir, "canon", name), exiftest.MustJPEG(t, exiftest.Spec{
			DateTimeOriginal: "2026:05:15 " + at, Make: "Canon", Model: "Canon EOS R6", Serial: "SN-DST"}))
	}
	canon("c1.jpg", "08:10:00") // really 09:10, m1
	canon("c2.jpg", "08:30:00") // 09:30, m1
	canon("c3.jpg", "09:15:00") // 10:15, m2 (by its clock, m1)
	canon("c4.jpg", "13:20:00") // 14:20, m4
	canon("c5.jpg", "13:40:00") // 14:40, m4
	in.mustCLI("upload", "--room", "Main", "--photographer", "Pat", filepath.Join(dir, "canon"))
	in.mustCLI("wait", "--timeout", "1m")
	statuses := func() map[string]catalog.DocMedia { return mediaBySource(in.export()) }
	untagged := 0
	for _, m := range statuses() {
		if m.Status == catalog.Untagged {
			untagged++
		}
	}
	if untagged != 4 {
		t.Errorf("%d of 5 photos untagged with the camera's own clock, want 4", untagged)
	}

	// The camera list suggests +1h, and changes nothing by itself.
	var list []web.CameraInfo
	if err := json.Unmarshal([]byte(in.mustCLI("cameras", "--json")), &list); err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(list, func(c web.CameraInfo) bool { return c.Key == key })
	if i < 0 {
		t.Fatalf("cameras = %+v, want %s", list, key)
	}
	if c := list[i]; c.Photos != 5 || c.HasOffset || c.Offset != "0s" || c.Photographer != "Pat" || c.Suggestion == nil ||
		c.Suggestion.Offset != "+1h0m0s" || c.Suggestion.Inside != 5 || c.Suggestion.CurrentInside != 1 || c.Suggestion.Total != 5 {
		t.Errorf("camera = %+v (suggestion %+v); want 5 photos, no offset, +1h suggested with 5 of 5 against 1", c, c.Suggestion)
	}
	table := in.mustCLI("cameras")
	if !strings.Contains(table, "Canon EOS R6 #SN-DST") || !strings.Contains(table, "suggested offset +1h0m0s") ||
		!strings.Contains(table, "confmedia cameras set "+key+" +1h0m0s") {
		t.Errorf("cameras table:\n%s", table)
	}

	// Usage errors: a bad offset, a key that is not one.
	if code, _, errs := in.cli("cameras", "set", key, "an hour"); code != exitUsage || !strings.Contains(errs, "an hour") {
		t.Errorf("cameras set with a bad offset: exit %d, %q", code, errs)
	}
	if code, _, errs := in.cli("cameras", "set", "Canon EOS R6", "+1h"); code != exitUsage || !strings.Contains(errs, "not a camera key") {
		t.Errorf("cameras set with a bad key: exit %d, %q", code, errs)
	}

	out := in.mustCLI("cameras", "set", key, "+1h")
	if !strings.Contains(out, "clock offset +1h0m0s; 5 of its 5 items queued for re-tagging") {
		t.Errorf("cameras set: %q", out)
	}
	in.mustCLI("wait", "--timeout", "1m")
	want := map[string]string{"c1.jpg": "m1", "c2.jpg": "m1", "c3.jpg": "m2", "c4.jpg": "m4", "c5.jpg": "m4"}
	got := statuses()
	for name, talk := range want {
		if m := got[name]; m.Status != catalog.Tagged || !slices.Equal(m.TalkIDs, []string{talk}) {
			t.Errorf("%s after the offset: %s %v, want tagged %s", name, m.Status, m.TalkIDs, talk)
		}
	}
	list = nil // a fresh decode: omitted fields must not keep old values
	if err := json.Unmarshal([]byte(in.mustCLI("cameras", "--json")), &list); err != nil {
		t.Fatal(err)
	}
	if c := list[slices.IndexFunc(list, func(c web.CameraInfo) bool { return c.Key == key })]; c.Suggestion != nil || c.Offset != "+1h0m0s" {
		t.Errorf("after setting it: %+v (%+v), want +1h0m0s and no suggestion", c, c.Suggestion)
	}

	// Clock photos: a camera whose clock reset to 2000-01-01, and one that
	// runs 7m30s behind, read with HH:MM. A negative offset by hand.
	writeFile(t, filepath.Join(dir, "sony-clock.jpg"), exiftest.MustJPEG(t, exiftest.Spec{
		DateTimeOriginal: "2000:01:01 00:12:00", Make: "SONY", Model: "ILCE-7M3", Serial: "S-1"}))
	writeFile(t, filepath.Join(dir, "sony", "s1.jpg"), exiftest.MustJPEG(t, exiftest.Spec{
		DateTimeOriginal: "2000:01:01 00:20:00", Make: "SONY", Model: "ILCE-7M3", Serial: "S-1"})) // 10:13, s1
	writeFile(t, filepath.Join(dir, "fuji-clock.jpg"), exiftest.MustJPEG(t, exiftest.Spec{
		DateTimeOriginal: "2026:05:15 09:52:30", Make: "FUJIFILM", Model: "X-T4", Serial: "FX-9"}))
	writeFile(t, filepath.Join(dir, "fuji", "f1.jpg"), exiftest.MustJPEG(t, exiftest.Spec{
		DateTimeOriginal: "2026:05:15 10:45:00", Make: "FUJIFILM", Model: "X-T4", Serial: "FX-9"})) // 10:52:30, m3
	writeFile(t, filepath.Join(dir, "nocam.jpg"), exiftest.MustJPEG(t, exiftest.Spec{DateTimeOriginal: "2026:05:15 09:00:00"}))
	writeFile(t, filepath.Join(dir, "notime.jpg"), exiftest.MustJPEG(t, exiftest.Spec{Make: "FUJIFILM", Model: "X-T4"}))

	for _, tt := range []struct{ spec, errHas string }{
		{filepath.Join(dir, "nocam.jpg") + "=10:00", "nocam.jpg: the photo does not say which camera"},
		{filepath.Join(dir, "notime.jpg") + "=10:00", "notime.jpg: the photo has no capture time"},
		{filepath.Join(dir, "fuji-clock.jpg") + "=ten", `time "ten"`},
		{filepath.Join(dir, "missing.jpg") + "=10:00", "missing.jpg"},
	} {
		if code, _, errs := in.cli("upload", "--sync", tt.spec, filepath.Join(dir, "fuji")); code != exitUsage || !strings.Contains(errs, tt.errHas) {
			t.Errorf("upload --sync %s: exit %d, %q; want 2 and %q", tt.spec, code, errs, tt.errHas)
		}
	}

	out = in.mustCLI("upload", "--room", "Side", "--sync", filepath.Join(dir, "sony-clock.jpg")+"=2026-05-15T10:05:00", filepath.Join(dir, "sony"))
	if !regexp.MustCompile(`camera SONY ILCE-7M3 #S-1: clock offset \+9631d9h53m0s\n`).MatchString(out) {
		t.Errorf("upload --sync (reset clock): %q", out)
	}
	out = in.mustCLI("upload", "--room", "Main", "--sync", filepath.Join(dir, "fuji-clock.jpg")+"=10:00", filepath.Join(dir, "fuji"))
	if !strings.Contains(out, "camera FUJIFILM X-T4 #FX-9: clock offset +7m30s\n") {
		t.Errorf("upload --sync (HH:MM): %q", out)
	}
	in.mustCLI("wait", "--timeout", "1m")
	got = statuses()
	if m := got["s1.jpg"]; m.Status != catalog.Tagged || !slices.Equal(m.TalkIDs, []string{"s1"}) || m.TakenAt != "2026-05-15T10:13:00+01:00" {
		t.Errorf("s1.jpg from the reset camera: %s %v at %s, want tagged s1 at 10:13", m.Status, m.TalkIDs, m.TakenAt)
	}
	if m := got["f1.jpg"]; m.Status != catalog.Tagged || !slices.Equal(m.TalkIDs, []string{"m3"}) {
		t.Errorf("f1.jpg from the synced camera: %s %v, want tagged m3", m.Status, m.TalkIDs)
	}

	// A negative offset given by hand re-tags the Fuji's photo.
	out = in.mustCLI("cameras", "set", "serial:FUJIFILM:FX-9", "-7m30s")
	if !strings.Contains(out, "camera FUJIFILM X-T4 #FX-9: clock offset -7m30s; 1 of its 1 items") {
		t.Errorf("cameras set -7m30s: %q", out)
	}
	in.mustCLI("wait", "--timeout", "1m")
	if m := statuses()["f1.jpg"]; m.Status != catalog.Untagged {
		t.Errorf("f1.jpg at 10:37:30: %s %v, want untagged", m.Status, m.TalkIDs)
	}
}

func TestSyncOffset(t *testing.T) {
	dublin, err := time.LoadLocation("Europe/Dublin")
	if err != nil {
		t.Fatal(err)
	}
	ct := func(wall string, stated ...int) catalog.CameraTime {
		w, err := time.Parse("2006-01-02 15:04:05.000", wall)
		if err != nil {
			t.Fatal(err)
		}
		c := catalog.CameraTime{Wall: w}
		if len(stated) > 0 {
			c.HasOffset, c.Offset = true, stated[0]
		}
		return c
	}
	tests := []struct {
		name  string
		taken catalog.CameraTime
		when  string
		want  time.Duration
		bad   bool
	}{
		{"an hour behind", ct("2026-05-15 13:02:48.000"), "14:03", time.Hour + 12*time.Second, false},
		{"seconds given", ct("2026-05-15 13:02:48.000"), "14:03:00", time.Hour + 12*time.Second, false},
		{"ahead", ct("2026-05-15 10:07:30.000"), "10:00", -450 * time.Second, false},
		{"sub-second reading rounds", ct("2026-05-15 09:59:59.600"), "10:00:00", 0, false},
		{"around midnight: the day after", ct("2026-05-15 23:58:00.000"), "00:03", 5 * time.Minute, false},
		{"around midnight: the day before", ct("2026-05-16 00:02:00.000"), "23:59", -3 * time.Minute, false},
		{"reset to 2000", ct("2000-01-01 00:12:00.000"), "2026-05-15T10:05:00",
			time.Date(2026, 5, 15, 10, 5, 0, 0, time.UTC).Sub(time.Date(2000, 1, 1, 0, 12, 0, 0, time.UTC)), false},
		{"full date with a space", ct("2026-05-15 10:00:00.000"), "2026-05-15 10:30", 30 * time.Minute, false},
		{"stated offset, right clock", ct("2026-05-15 12:00:00.000", 3*3600), "10:00", 0, false},
		{"stated offset, clock 5m slow", ct("2026-05-15 11:55:00.000", 3*3600), "10:00", 5 * time.Minute, false},
		{"not a time", ct("2026-05-15 10:00:00.000"), "ten", 0, true},
		{"not a time of day", ct("2026-05-15 10:00:00.000"), "25:00", 0, true},
	}
	for _, tt := range tests {
		got, err := syncOffset(tt.taken, tt.when, dublin)
		if (err != nil) != tt.bad || got != tt.want {
			t.Errorf("%s: syncOffset = %s, %v; want %s (error %v)", tt.name, got, err, tt.want, tt.bad)
		}
	}
}

func TestReadSync(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		writeFile(t, p, data)
		return p
	}
	good := write("clock.jpg", exiftest.MustJPEG(t, exiftest.Spec{DateTimeOriginal: "2026:05:15 13:02:48", Make: "Canon", Model: "Canon EOS R6", Serial: "1234"}))
	model := write("model.jpg", exiftest.MustJPEG(t, exiftest.Spec{DateTimeOriginal: "2026:05:15 13:02:48", Make: "NIKON CORPORATION", Model: "NIKON D70"}))
	noCam := write("nocam.jpg", exiftest.MustJPEG(t, exiftest.Spec{DateTimeOriginal: "2026:05:15 13:02:48"}))
	noTime := write("notime.jpg", exiftest.MustJPEG(t, exiftest.Spec{Make: "Canon", Model: "Canon EOS R6"}))
	text := write("notes.txt", []byte("not a photo"))
	tests := []struct {
		spec, key, label, errHas string
	}{
		{good + "=14:03", "serial:Canon:1234", "Canon EOS R6 #1234", ""},
		{model + "=14:03", "model:NIKON CORPORATION:NIKON D70", "NIKON D70", ""},
		{noCam + "=14:03", "", "", "nocam.jpg: the photo does not say which camera took it"},
		{noTime + "=14:03", "", "", "notime.jpg: the photo has no capture time"},
		{text + "=14:03", "", "", "notes.txt: not a JPEG, PNG or HEIC"},
		{filepath.Join(dir, "gone.jpg") + "=14:03", "", "", "gone.jpg"},
		{good, "", "", "want FILE=TIME"},
		{good + "=", "", "", "want FILE=TIME"},
	}
	for _, tt := range tests {
		s, err := readSync(tt.spec)
		if tt.errHas != "" {
			var ee *exitError
			if err == nil || !strings.Contains(err.Error(), tt.errHas) || !asExit(err, &ee) || ee.code != exitUsage {
				t.Errorf("readSync(%q) = %v; want a usage error containing %q", tt.spec, err, tt.errHas)
			}
			continue
		}
		if err != nil || s.key != tt.key || s.label != tt.label || s.when != "14:03" || s.taken.IsZero() {
			t.Errorf("readSync(%q) = %+v, %v; want key %q label %q", tt.spec, s, err, tt.key, tt.label)
		}
	}
}

func asExit(err error, target **exitError) bool {
	e, ok := err.(*exitError)
	*target = e
	return ok
}

// TestReadSyncRealCameras reads every real camera JPEG as a clock photo:
// each yields a camera key and a capture time, or a usage error that names
// the file.
func TestReadSyncRealCameras(t *testing.T) {
	root := catalogtest.SharedData(t, "photos", "cameras")
	var ok, refused int
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(strings.ToLower(path), ".jpg") {
			return err
		}
		s, err := readSync(path + "=12:00")
		switch {
		case err == nil && s.key != "" && !s.taken.IsZero():
			ok++
		case err != nil && strings.Contains(err.Error(), filepath.Base(path)):
			refused++
		default:
			t.Errorf("%s: %+v, %v", path, s, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// The README lists 8 files without a make (or without EXIF at all).
	if ok < 25 || refused < 5 {
		t.Errorf("%d usable clock photos, %d refused; want most usable and the camera-less ones refused", ok, refused)
	}
	t.Logf("%d usable, %d refused", ok, refused)
}

func TestCameraLabel(t *testing.T) {
	tests := []struct{ make, model, serial, key, want string }{
		{"Canon", "Canon EOS R6", "1234", "", "Canon EOS R6 #1234"},
		{"FUJIFILM", "X-T4", "", "", "FUJIFILM X-T4"},
		{"NIKON CORPORATION", "NIKON D70", "", "", "NIKON D70"},
		{"", "", "", "model::", "model::"},
		{"", "", "", "", "unknown camera"},
		{"Apple", "iPhone 6", "", "", "Apple iPhone 6"},
	}
	for _, tt := range tests {
		if got := cameraLabel(tt.make, tt.model, tt.serial, tt.key); got != tt.want {
			t.Errorf("cameraLabel(%q, %q, %q) = %q, want %q", tt.make, tt.model, tt.serial, got, tt.want)
		}
	}
}

func TestOffsetsPositional(t *testing.T) {
	tests := []struct{ in, want []string }{
		{[]string{"KEY", "+1h"}, []string{"KEY", "+1h"}},
		{[]string{"KEY", "-7m30s", "--server", "x"}, []string{"KEY", "--server", "x", "--", "-7m30s"}},
		{[]string{"KEY", "--", "-7m30s"}, []string{"KEY", "--", "-7m30s"}},
		{[]string{"-1h", "KEY", "--", "more"}, []string{"KEY", "--", "-1h", "more"}},
		{[]string{"--json", "KEY", "-.5h"}, []string{"--json", "KEY", "--", "-.5h"}},
	}
	for _, tt := range tests {
		if got := offsetsPositional(tt.in); !slices.Equal(got, tt.want) {
			t.Errorf("offsetsPositional(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestShellQuote(t *testing.T) {
	tests := []struct{ in, want string }{
		{"serial:Canon:1234", "serial:Canon:1234"},
		{"model:Canon:Canon EOS R6", "'model:Canon:Canon EOS R6'"},
		{"model:Joe's:X", `'model:Joe'\''s:X'`},
		{"", "''"},
	}
	for _, tt := range tests {
		if got := shellQuote(tt.in); got != tt.want {
			t.Errorf("shellQuote(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
