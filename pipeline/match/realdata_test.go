package match

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/confmedia/confmedia/catalog"
	"github.com/confmedia/confmedia/catalog/catalogtest"
	"github.com/confmedia/confmedia/pipeline/recording"
	"github.com/confmedia/confmedia/pipeline/schedule"
)

// loadRecordings parses every *.json file of a pyvideo videos folder,
// keyed by file name.
func loadRecordings(t *testing.T, dir string) map[string]catalog.Recording {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no recordings in %s: %v", dir, err)
	}
	out := make(map[string]catalog.Recording, len(files))
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		recs, err := recording.Parse(filepath.Base(f), data)
		if err != nil {
			t.Fatalf("parse %s: %v", f, err)
		}
		if len(recs) != 1 {
			t.Fatalf("%s: %d records", f, len(recs))
		}
		out[filepath.Base(f)] = recs[0]
	}
	return out
}

// tally matches recs against x and counts them against the answer key
// (file → talk id; files missing from it should stay unmatched).
type tally struct{ right, wrong, unmatched, missed int }

func matchAll(t *testing.T, x *Index, recs map[string]catalog.Recording, answers map[string]string) tally {
	t.Helper()
	var n tally
	names := make([]string, 0, len(recs))
	for name := range recs {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		d := x.MatchRecording(recs[name])
		want := answers[name]
		switch {
		case d.TalkID == want && want != "":
			n.right++
		case d.TalkID == "" && want == "":
			n.unmatched++
		case d.TalkID == "":
			n.missed++
			t.Logf("unmatched %s (want %s): %s; candidates %q", name, want, d.Reason, d.Candidates)
		default:
			n.wrong++
			t.Errorf("%s: attached to %s (%s), want %q", name, d.TalkID, d.Reason, want)
		}
	}
	return n
}

func europython2022(t *testing.T) (catalog.Schedule, map[string]catalog.Recording, map[string]string) {
	t.Helper()
	derived := catalogtest.SharedData(t, "derived", "europython-2022")
	data, err := os.ReadFile(filepath.Join(derived, "schedule.xml"))
	if err != nil {
		t.Fatal(err)
	}
	s, err := schedule.Parse("schedule.xml", data, "")
	if err != nil {
		t.Fatalf("schedule: %v", err)
	}
	var key struct {
		Answers map[string]string `json:"answers"`
	}
	data, err = os.ReadFile(filepath.Join(derived, "recordings-answers.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &key); err != nil {
		t.Fatal(err)
	}
	recs := loadRecordings(t, catalogtest.SharedData(t, "europython-2022", "pyvideo", "europython-2022", "videos"))
	return s, recs, key.Answers
}

// TestEuroPython2022 measures recording matching on EuroPython 2022: 122
// pyvideo records against the schedule, whose recorded dates are all wrong.
func TestEuroPython2022(t *testing.T) {
	s, recs, answers := europython2022(t)
	if len(recs) != 122 || len(answers) != 122 {
		t.Fatalf("%d recordings, %d answers; want 122", len(recs), len(answers))
	}
	x, err := NewIndex(s)
	if err != nil {
		t.Fatal(err)
	}
	n := matchAll(t, x, recs, answers)
	t.Logf("EuroPython 2022: %d attached right, %d wrong, %d unmatched", n.right, n.wrong, n.missed)
	if n.right != 122 || n.wrong != 0 {
		t.Errorf("EuroPython 2022: %d of 122 attached right, %d wrong", n.right, n.wrong)
	}

	// Without the description's room and day, title and speakers alone
	// must still attach at least the exact titles, and nothing wrongly.
	bare := make(map[string]catalog.Recording, len(recs))
	for name, r := range recs {
		r.Description = ""
		bare[name] = r
	}
	n = matchAll(t, x, bare, answers)
	t.Logf("EuroPython 2022 by title and speakers only: %d attached right, %d wrong, %d unmatched", n.right, n.wrong, n.missed)
	if n.right < 103 || n.wrong != 0 {
		t.Errorf("by title and speakers only: %d right (want ≥ 103), %d wrong", n.right, n.wrong)
	}
}

// TestEuroPython2022DropOne removes each session from the schedule in turn:
// exactly its recording, and no other, must then be left unmatched.
func TestEuroPython2022DropOne(t *testing.T) {
	s, recs, answers := europython2022(t)
	byTalk := make(map[string]string, len(answers))
	for file, id := range answers {
		byTalk[id] = file
	}
	full, err := NewIndex(s)
	if err != nil {
		t.Fatal(err)
	}
	want := make(map[string]string, len(recs))
	for name, r := range recs {
		want[name] = full.MatchRecording(r).TalkID
	}
	dropped := 0
	for i, k := range s.Talks {
		file, recorded := byTalk[k.ID]
		if !recorded {
			continue
		}
		less := s
		less.Talks = slices.Delete(slices.Clone(s.Talks), i, i+1)
		x, err := NewIndex(less)
		if err != nil {
			t.Fatal(err)
		}
		for name, r := range recs {
			d := x.MatchRecording(r)
			switch {
			case name == file && d.TalkID != "":
				t.Errorf("without %s, %s attached to %s (%s)", k.ID, name, d.TalkID, d.Reason)
			case name != file && d.TalkID != want[name]:
				t.Errorf("without %s, %s: got %q, want %q", k.ID, name, d.TalkID, want[name])
			}
		}
		dropped++
	}
	if dropped != 122 {
		t.Errorf("dropped %d sessions, want 122", dropped)
	}
}

// TestPyConFR2024 matches PyCon FR 2024's 50 recordings. Its schedule is the
// organisers' own JSON shape, not a standard export, so the test reads it
// here; every recording must attach by title and date.
func TestPyConFR2024(t *testing.T) {
	dir := catalogtest.SharedData(t, "pycon-fr-2024")
	s := pyconFRSchedule(t, filepath.Join(dir, "schedule", "schedule.json"))
	x, err := NewIndex(s)
	if err != nil {
		t.Fatal(err)
	}
	recs := loadRecordings(t, filepath.Join(dir, "pyvideo", "pycon-fr-2024", "videos"))
	right, wrong := 0, 0
	for name, r := range recs {
		d := x.MatchRecording(r)
		k, ok := x.byID[d.TalkID]
		switch {
		case !ok:
			t.Errorf("%s unmatched: %s; candidates %q", name, d.Reason, d.Candidates)
		case Fold(k.Title) != Fold(r.Title) || k.day != r.Recorded:
			wrong++
			t.Errorf("%s %q attached to %s %q on %s", name, r.Title, k.ID, k.Title, k.day)
		default:
			right++
		}
	}
	t.Logf("PyCon FR 2024: %d of %d attached right, %d wrong", right, len(recs), wrong)
	if right != 50 {
		t.Errorf("PyCon FR 2024: %d of 50 attached right", right)
	}
}

// pyconFRSchedule reads PyCon FR 2024's schedule.json: items keyed by date,
// minute of the day and room, each with a pretalx code, title, speakers and
// slot.
func pyconFRSchedule(t *testing.T, path string) catalog.Schedule {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	type item struct {
		Code     string `json:"code"`
		Title    string `json:"title"`
		Speakers []struct {
			Code string `json:"code"`
			Name string `json:"name"`
		} `json:"speakers"`
		Slot struct {
			Room  map[string]string `json:"room"`
			Start time.Time         `json:"start"`
			End   time.Time         `json:"end"`
		} `json:"slot"`
	}
	var doc struct {
		Schedule map[string]map[string]map[string]json.RawMessage `json:"schedule"`
		Sprints  json.RawMessage                                  `json:"sprints"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	s := catalog.Schedule{Conference: catalog.Conference{Title: "PyCon FR 2024", Timezone: "Europe/Paris"}}
	seen := map[string]bool{}
	for _, minutes := range doc.Schedule {
		for _, rooms := range minutes {
			for _, raw := range rooms {
				var it item
				if json.Unmarshal(raw, &it) != nil || it.Code == "" || seen[it.Code] {
					continue
				}
				seen[it.Code] = true
				k := catalog.Talk{ID: it.Code, Code: it.Code, Title: it.Title, Room: it.Slot.Room["en"], Start: it.Slot.Start, End: it.Slot.End}
				for _, sp := range it.Speakers {
					k.SpeakerIDs = append(k.SpeakerIDs, sp.Code)
					if !seen["speaker "+sp.Code] {
						seen["speaker "+sp.Code] = true
						s.Speakers = append(s.Speakers, catalog.Speaker{ID: sp.Code, Name: sp.Name})
					}
				}
				s.Talks = append(s.Talks, k)
			}
		}
	}
	if len(s.Talks) < 60 {
		t.Fatalf("read %d talks from %s", len(s.Talks), path)
	}
	slices.SortFunc(s.Talks, func(a, b catalog.Talk) int { return strings.Compare(a.ID, b.ID) })
	return s
}

// TestPyConUS2009 has no schedule: with an empty one every recording is
// left unmatched, with a reason, and none is lost.
func TestPyConUS2009(t *testing.T) {
	recs := loadRecordings(t, catalogtest.SharedData(t, "pyvideo", "pycon-us-2009", "videos"))
	x, err := NewIndex(catalog.Schedule{Conference: catalog.Conference{Title: "PyCon US 2009", Timezone: "America/Chicago"}})
	if err != nil {
		t.Fatal(err)
	}
	decided := 0
	for name, r := range recs {
		d := x.MatchRecording(r)
		if d.TalkID != "" || d.Reason == "" || len(d.Candidates) != 0 {
			t.Errorf("%s: %+v, want unmatched with a reason", name, d)
		}
		decided++
	}
	if decided != 100 {
		t.Errorf("%d recordings decided, want 100", decided)
	}
}

// TestEuroPython2022Mangled titles EuroPython 2022's recordings with their
// talk's schedule title dressed up the way archives do (a subtitle added, the
// event's name added, cut short with an ellipsis), without their
// description's room and day: none may attach wrongly, and most must still
// attach.
// mangles are the ways archives title recordings: the schedule's title
// (and the record's first speaker) dressed up.
func mangles(event string) []struct {
	name    string
	f       func(title, speaker string) string
	atLeast int // of EuroPython 2022's 122 to attach right
} {
	return []struct {
		name    string
		f       func(title, speaker string) string
		atLeast int
	}{
		{"subtitle", func(s, _ string) string { return s + ": a look back" }, 117},
		{"event name", func(s, _ string) string { return s + " — " + event }, 120},
		{"cut short", func(s, _ string) string {
			r := []rune(s)
			if len(r) < 30 {
				return s
			}
			return string(r[:len(r)*2/3]) + "…"
		}, 120},
		{"cut at 40 characters, unmarked", func(s, _ string) string {
			if r := []rune(s); len(r) > 40 {
				return string(r[:40])
			}
			return s
		}, 120},
		{"type and speaker first", func(s, sp string) string { return "Talks - " + sp + ": " + s }, 117},
		{"speaker first, event after", func(s, sp string) string { return sp + " - " + s + " | " + event }, 117},
	}
}

func TestEuroPython2022Mangled(t *testing.T) {
	s, recs, answers := europython2022(t)
	x, err := NewIndex(s)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range mangles(strings.Fields(s.Conference.Title)[0] + " Conference") {
		mangled := mangledRecordings(t, x, recs, answers, m.f)
		n := matchAll(t, x, mangled, answers)
		t.Logf("%s: %d attached right, %d wrong, %d unmatched", m.name, n.right, n.wrong, n.missed)
		if n.wrong != 0 || n.right < m.atLeast {
			t.Errorf("%s: %d right (want ≥ %d), %d wrong", m.name, n.right, m.atLeast, n.wrong)
		}
	}
}

// mangledRecordings titles each recording with its talk's schedule title
// dressed up by f, without the description's room and day.
func mangledRecordings(t *testing.T, x *Index, recs map[string]catalog.Recording, answers map[string]string, f func(title, speaker string) string) map[string]catalog.Recording {
	t.Helper()
	out := make(map[string]catalog.Recording, len(recs))
	for name, r := range recs {
		k, ok := x.byID[answers[name]]
		if !ok {
			t.Fatalf("%s: no talk %q", name, answers[name])
		}
		sp := ""
		if len(r.Speakers) > 0 {
			sp = r.Speakers[0]
		}
		r.Description = ""
		r.Title = f(k.Title, sp)
		out[name] = r
	}
	return out
}

// TestEuroPython2022MangledDropOne removes each session in turn with the
// recordings dressed up: its recording must not attach to another talk.
func TestEuroPython2022MangledDropOne(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	s, recs, answers := europython2022(t)
	full, err := NewIndex(s)
	if err != nil {
		t.Fatal(err)
	}
	byTalk := make(map[string]string, len(answers))
	for file, id := range answers {
		byTalk[id] = file
	}
	for _, m := range mangles(strings.Fields(s.Conference.Title)[0] + " Conference") {
		mangled := mangledRecordings(t, full, recs, answers, m.f)
		for i, k := range s.Talks {
			file, recorded := byTalk[k.ID]
			if !recorded {
				continue
			}
			less := s
			less.Talks = slices.Delete(slices.Clone(s.Talks), i, i+1)
			x, err := NewIndex(less)
			if err != nil {
				t.Fatal(err)
			}
			if d := x.MatchRecording(mangled[file]); d.TalkID != "" {
				t.Errorf("%s: without %s, %q attached to %s (%s)", m.name, k.ID, mangled[file].Title, d.TalkID, d.Reason)
			}
		}
	}
}

// TestPyConFR2024Mangled dresses PyCon FR 2024's titles up as
// TestEuroPython2022Mangled does, and drops each session in turn: no
// recording may attach to a talk it is not of.
func TestPyConFR2024Mangled(t *testing.T) {
	dir := catalogtest.SharedData(t, "pycon-fr-2024")
	s := pyconFRSchedule(t, filepath.Join(dir, "schedule", "schedule.json"))
	x, err := NewIndex(s)
	if err != nil {
		t.Fatal(err)
	}
	recs := loadRecordings(t, filepath.Join(dir, "pyvideo", "pycon-fr-2024", "videos"))
	answers := make(map[string]string, len(recs))
	for name, r := range recs {
		answers[name] = x.MatchRecording(r).TalkID // all 50 right: TestPyConFR2024
	}
	byTalk := make(map[string]string, len(answers))
	for file, id := range answers {
		byTalk[id] = file
	}
	for _, m := range mangles("PyCon France") {
		mangled := mangledRecordings(t, x, recs, answers, m.f)
		n := matchAll(t, x, mangled, answers)
		t.Logf("%s: %d attached right, %d wrong, %d unmatched", m.name, n.right, n.wrong, n.missed)
		if n.wrong != 0 || n.right < 48 {
			t.Errorf("%s: %d right (want ≥ 48), %d wrong", m.name, n.right, n.wrong)
		}
		if testing.Short() {
			continue
		}
		for i, k := range s.Talks {
			file, recorded := byTalk[k.ID]
			if !recorded {
				continue
			}
			less := s
			less.Talks = slices.Delete(slices.Clone(s.Talks), i, i+1)
			y, err := NewIndex(less)
			if err != nil {
				t.Fatal(err)
			}
			if d := y.MatchRecording(mangled[file]); d.TalkID != "" {
				t.Errorf("%s: without %s, %q attached to %s (%s)", m.name, k.ID, mangled[file].Title, d.TalkID, d.Reason)
			}
		}
	}
}
