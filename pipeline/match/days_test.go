package match

import (
	"github.com/confmedia/confmedia/catalog/catalogtest"
	"github.com/confmedia/confmedia/pipeline/exif"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/confmedia/confmedia/catalog"
)

func TestDaysOff(t *testing.T) {
	x := testIndex(t) // one day, testDay, in Dublin
	at := func(s string) time.Time {
		tm, err := time.ParseInLocation("2006-01-02 15:04", s, x.Zone())
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	tests := []struct {
		at   string
		want int
		out  bool
	}{
		{"2031-06-10 12:00", 0, false},
		{"2031-06-09 00:00", 0, false}, // the day before is the margin
		{"2031-06-11 23:59", 0, false}, // and the day after
		{"2031-06-08 23:59", -2, true},
		{"2031-06-12 00:00", 2, true},
		{"2031-05-10 10:00", -31, true},
		{"2031-07-10 10:00", 30, true},
		{"2000-09-30 10:59", -11210, true},
	}
	for _, tt := range tests {
		got, out := x.DaysOff(at(tt.at))
		if got != tt.want || out != tt.out {
			t.Errorf("DaysOff(%s) = %d, %v; want %d, %v", tt.at, got, out, tt.want, tt.out)
		}
	}
	if _, out := x.DaysOff(time.Time{}); out {
		t.Error("DaysOff(zero) is out")
	}
	first, last, ok := x.Days()
	if !ok || first.Format(time.DateOnly) != testDay || !last.Equal(first) {
		t.Errorf("Days() = %s, %s, %v; want %s twice", first, last, ok, testDay)
	}
	empty, err := NewIndex(catalog.Schedule{Conference: catalog.Conference{Timezone: "UTC"}, Talks: []catalog.Talk{{ID: "u"}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, out := empty.DaysOff(at("2000-01-01 10:00")); out {
		t.Error("a schedule without timed talks puts a photo out of its days")
	}
}

// TestTagPhotoOutsideConference: a photo dated outside the conference's
// days is never published by itself, whatever its room and people tags.
func TestTagPhotoOutsideConference(t *testing.T) {
	x := testIndex(t)
	at := func(s string) time.Time {
		tm, err := time.ParseInLocation("2006-01-02 15:04", s, x.Zone())
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	tests := []struct {
		name   string
		in     PhotoInput
		status catalog.Status
		reason []string // the reason holds each
	}{
		{"years before, in a room, at a talk's time of day", PhotoInput{Room: "Liffey A", Taken: at("2000-09-30 10:10")},
			catalog.NeedsReview, []string{"taken 2000-09-30", "11,210 days before the conference", "confmedia cameras set", "--sync"}},
		{"years before, speaker named", PhotoInput{Room: "Liffey A", Taken: at("2000-09-30 10:10"), People: []string{"Zoë O'Brien"}},
			catalog.NeedsReview, []string{"days before"}},
		{"a month after, no room, speaker named", PhotoInput{Taken: at("2031-07-10 10:10"), People: []string{"Bob Stone"}},
			catalog.NeedsReview, []string{"taken 2031-07-10", "30 days after the conference"}},
		{"a month after, no room, nobody", PhotoInput{Taken: at("2031-07-10 03:00")},
			catalog.NeedsReview, []string{"30 days after"}},
		{"two days after, unknown room", PhotoInput{Room: "Cellar", Taken: at("2031-06-12 10:10")},
			catalog.NeedsReview, []string{"2 days after"}},
		{"the evening before: hallway", PhotoInput{Room: "Liffey A", Taken: at("2031-06-09 20:00")}, catalog.Untagged, nil},
		{"the day after: hallway", PhotoInput{Taken: at("2031-06-11 09:00")}, catalog.Untagged, nil},
		{"during the conference", PhotoInput{Room: "Liffey A", Taken: at("2031-06-10 10:10")}, catalog.Tagged, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := x.TagPhoto(tt.in)
			if got.Status != tt.status {
				t.Fatalf("TagPhoto = %+v; want %s", got, tt.status)
			}
			for _, want := range tt.reason {
				if !strings.Contains(got.Reason, want) {
					t.Errorf("reason %q lacks %q", got.Reason, want)
				}
			}
			if tt.status == catalog.NeedsReview && (len(got.TalkIDs) > 0 || len(got.Candidates) > 0) {
				t.Errorf("TagPhoto = %+v; want no talks", got)
			}
		})
	}
}

// resetCamera is dstCamera's photos as a camera whose clock restarted at
// 2000-01-01 took them: its readings are the true times less shift.
func resetCamera(t *testing.T, specs []string, shift time.Duration) []ClockSample {
	ss := shots(t, specs...)
	for i := range ss {
		ss[i].Wall.Wall = ss[i].Wall.Wall.Add(-shift)
	}
	return ss
}

func TestSuggestOffsetFar(t *testing.T) {
	x := clockIndex(t)
	// dstCamera is an hour behind; reset further back by 11,483 days,
	// 9h57m, it read 2000-01-01 around midnight.
	shift := 11483*24*time.Hour + 9*time.Hour + 57*time.Minute
	tests := []struct {
		name    string
		samples []ClockSample
		ok      bool
		inside  int
		reason  []string
	}{
		{"camera reset to 2000", resetCamera(t, dstCamera, shift), true, 9,
			[]string{"9 of 9 photos dated 1999-12-31 to 2000-01-01", "outside the conference (" + testDay + ")", "puts 9 of them inside talks in their rooms", "against 0"}},
		{"a phone a month ahead, no room given", resetCamera(t, []string{"p1@- 09:10", "p2@- 09:20", "p3@- 14:10", "p4@- 15:20"}, -30*24*time.Hour), true, 4,
			[]string{"4 of 4 photos dated 2031-07-10", "no room was given"}},
		{"an archive: years apart", []ClockSample{
			shot(t, "a@Main 09:10"), shot(t, "b@Main 10:10"), shot(t, "c@Main 14:10")}, false, 0, nil},
		{"too few", resetCamera(t, dstCamera[:2], shift), false, 0, nil},
	}
	// The archive's photos lie years apart: no one offset brings them in.
	for i, y := range []int{2001, 2005, 2010} {
		w := &tests[2].samples[i].Wall.Wall
		*w = time.Date(y, w.Month(), w.Day(), w.Hour(), w.Minute(), 0, 0, time.UTC)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := x.SuggestOffset(tt.samples, 0)
			if ok != tt.ok {
				t.Fatalf("SuggestOffset = %+v, %v; want ok %v", got, ok, tt.ok)
			}
			if !ok {
				return
			}
			if got.Inside != tt.inside || got.Total != len(tt.samples) || got.CurrentInside != 0 {
				t.Errorf("SuggestOffset = %+v; want %d of %d inside", got, tt.inside, len(tt.samples))
			}
			for _, want := range tt.reason {
				if !strings.Contains(got.Reason, want) {
					t.Errorf("reason %q lacks %q", got.Reason, want)
				}
			}
			t.Logf("%s: %s", FormatOffset(got.Offset), got.Reason)
			// With the offset, TagPhoto publishes no photo as out of the
			// conference, and tags those with a room.
			for _, s := range tt.samples {
				room := s.Room
				if room == "-" {
					room = ""
				}
				d := x.TagPhoto(PhotoInput{Room: room, Taken: ResolveTime(s.Wall, got.Offset, x.Zone())})
				if strings.Contains(d.Reason, "the conference") || room != "" && d.Status != catalog.Tagged {
					t.Errorf("%s with %s: %+v", s.MediaID, FormatOffset(got.Offset), d)
				}
			}
		})
	}
}

func TestParseOffset(t *testing.T) {
	day := 24 * time.Hour
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"+1h", time.Hour, true}, {"-7m30s", -450 * time.Second, true}, {"0", 0, true}, {"0s", 0, true},
		{"+7955d3h", 7955*day + 3*time.Hour, true}, {"-30d", -30 * day, true}, {"2d0h0m0s", 2 * day, true},
		{"", 0, false}, {"+-1h", 0, false}, {"++1h", 0, false}, {"1x", 0, false}, {"d3h", 0, false}, {"3d-1h", 0, false},
	}
	for _, tt := range tests {
		got, err := ParseOffset(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParseOffset(%q) = %s, %v; want %s, ok %v", tt.in, got, err, tt.want, tt.ok)
		}
		if err != nil && catalog.ErrorKind(err) != catalog.Invalid {
			t.Errorf("ParseOffset(%q): %v is not Invalid", tt.in, err)
		}
		if err == nil {
			if back, err := ParseOffset(FormatOffset(got)); err != nil || back != got {
				t.Errorf("ParseOffset(FormatOffset(%s)) = %s, %v", got, back, err)
			}
		}
	}
	if got := FormatOffset(-(7955*day + 3*time.Hour)); got != "-7955d3h0m0s" {
		t.Errorf("FormatOffset = %q", got)
	}
}

// TestSuggestOffsetRealCamerasAtEuroPython groups the real camera files by
// camera, as uploaded in one batch for a room of EuroPython 2022: every
// camera with at least MinClockSamples photos (all dated years before the
// conference) gets a suggestion with its evidence, and with it its photos
// fall inside the conference's days.
func TestSuggestOffsetRealCamerasAtEuroPython(t *testing.T) {
	s, _, _ := europython2022(t)
	root := catalogtest.SharedData(t, "photos", "cameras")
	x, err := NewIndex(s)
	if err != nil {
		t.Fatal(err)
	}
	byCamera := map[string][]ClockSample{}
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		md, err := exif.Read(data)
		if err != nil || md.Taken.IsZero() {
			return nil
		}
		key := catalog.CameraKey(md.Make, md.Model, md.Serial)
		byCamera[key] = append(byCamera[key], ClockSample{MediaID: d.Name(), Room: "Liffey Hall 1", Wall: md.Taken})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	suggested := 0
	for key, samples := range byCamera {
		sg, ok := x.SuggestOffset(samples, 0)
		if len(samples) < MinClockSamples {
			if ok {
				t.Errorf("%s: %d photos, suggestion %+v", key, len(samples), sg)
			}
			continue
		}
		if !ok {
			t.Errorf("%s: %d photos dated outside the conference, no suggestion", key, len(samples))
			continue
		}
		suggested++
		t.Logf("%s: %s", key, sg.Reason)
		if !strings.Contains(sg.Reason, "outside the conference") || !strings.Contains(sg.Reason, "shifting by "+FormatOffset(sg.Offset)) {
			t.Errorf("%s: reason %q lacks the evidence", key, sg.Reason)
		}
		for _, p := range samples {
			if _, out := x.DaysOff(ResolveTime(p.Wall, sg.Offset, x.Zone())); out {
				t.Errorf("%s: %s still outside the conference with %s", key, p.MediaID, FormatOffset(sg.Offset))
			}
		}
	}
	if suggested == 0 {
		t.Error("no camera of the data has enough photos for a suggestion")
	}
}
