package match

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/confmedia/confmedia/catalog"
)

// recordingSchedule is a two-day conference in Dublin with titles that
// recordings tend to mangle.
func recordingSchedule(t testing.TB) catalog.Schedule {
	t.Helper()
	zone, err := time.LoadLocation("Europe/Dublin")
	if err != nil {
		t.Fatal(err)
	}
	at := func(s string) time.Time {
		tm, err := time.ParseInLocation("2006-01-02 15:04", s, zone)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	talk := func(id, room, start string, minutes int, title string, speakers ...string) catalog.Talk {
		st := at(start)
		return catalog.Talk{ID: id, Code: id, GUID: "guid-" + id, Slug: "slug-" + id, URL: "https://pynorth.example/2031/talk/" + id + "/",
			Title: title, Room: room, Start: st, End: st.Add(time.Duration(minutes) * time.Minute), SpeakerIDs: speakers, Type: "Talk"}
	}
	keynote := talk("KEY", "Hall A", "2031-06-10 09:00", 45, "Python's role in unlocking the secrets of the Universe with the James Webb Space Telescope", "pk")
	keynote.Type = "Keynote"
	private := talk("PRIV", "Hall B", "2031-06-11 11:00", 30, "Off the record", "jd")
	private.DoNotRecord = true
	return catalog.Schedule{
		Conference: catalog.Conference{Title: "PyNorth 2031", Timezone: "Europe/Dublin"},
		Talks: []catalog.Talk{
			keynote,
			talk("SCALE", "Hall A", "2031-06-10 10:00", 30, "Scaling scikit-learn: introducing new sets of computational routines", "jj"),
			talk("NEWS", "Hall A", "2031-06-10 10:35", 30, "Is the news media polarized? Or are we being conditioned to think it is?", "ar"),
			talk("WIP", "Hall B", "2031-06-10 10:00", 30, "Work in Progress: Implementing PEP 458 to Secure PyPI downloads", "kd", "lp"),
			talk("DATA", "Hall B", "2031-06-10 10:35", 30, "Data Warehouses Meet Data Lakes", "mauro"),
			talk("LT1", "Hall A", "2031-06-10 17:00", 45, "Lightning Talks"),
			talk("LT2", "Hall A", "2031-06-11 17:00", 45, "Lightning Talks"),
			talk("ASYNC", "Hall A", "2031-06-11 10:00", 30, "Async Django", "id"),
			talk("ASYNC2", "Hall B", "2031-06-11 10:00", 30, "Async Django in production", "id"),
			talk("TESTS", "Hall B", "2031-06-11 14:00", 30, "Comment et pourquoi (bien) tester en Python", "lea"),
			private,
		},
		Speakers: []catalog.Speaker{
			{ID: "pk", Name: "Patrick Kavanagh"},
			{ID: "jj", Name: "Julien Jerphanion"},
			{ID: "ar", Name: "Aroma Rodrigues"},
			{ID: "kd", Name: "Kairo de Araujo"},
			{ID: "lp", Name: "Lukas Pühringer"},
			{ID: "mauro", Name: "Mauro"},
			{ID: "id", Name: "Ivaylo Donchev"},
			{ID: "lea", Name: "Léa"},
			{ID: "jd", Name: "Jane Doe"},
		},
	}
}

func TestMatchRecording(t *testing.T) {
	x, err := NewIndex(recordingSchedule(t))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name       string
		r          catalog.Recording
		want       string   // talk id, "" for unmatched
		reason     string   // a part of the reason
		candidates []string // when unmatched
	}{
		// Explicit references.
		{"talk ref is a code", catalog.Recording{TalkRef: "scale", Title: "Something else entirely"}, "SCALE", "explicit reference", nil},
		{"talk ref is a guid", catalog.Recording{TalkRef: "guid-NEWS"}, "NEWS", "explicit reference", nil},
		{"talk ref is the talk URL", catalog.Recording{TalkRef: "http://www.pynorth.example/2031/talk/DATA"}, "DATA", "explicit reference", nil},
		{"talk ref URL ends in a code", catalog.Recording{TalkRef: "https://cfp.example/pynorth/talk/ASYNC/"}, "ASYNC", "explicit reference", nil},
		{"talk URL in the description", catalog.Recording{Title: "Lightning Talks", Description: "Slides and more: <https://pynorth.example/2031/talk/LT2/>."}, "LT2", "explicit reference", nil},
		{"unknown ref falls through to the title", catalog.Recording{TalkRef: "NOPE", Title: "Async Django"}, "ASYNC", "same title", nil},

		// Room and time.
		{"room and time", catalog.Recording{Room: "hall b", Start: "2031-06-10T10:36"}, "DATA", "room and time", nil},
		{"room and time a little early", catalog.Recording{Room: "Hall A", Start: "2031-06-10T09:55", Title: "Scaling scikit-learn"}, "SCALE", "room and time", nil},
		{"room and time, title contradicts", catalog.Recording{Room: "Hall A", Start: "2031-06-11T10:05", Title: "Comment et pourquoi (bien) tester en Python"}, "TESTS", "same title", nil},
		{"room and time in a break, title decides", catalog.Recording{Room: "Hall A", Start: "2031-06-10T13:00", Title: "Async Django"}, "ASYNC", "same title", nil},

		// Room and day from a description tag.
		{"room and day tag with a cut title", catalog.Recording{Title: "Async Django", Description: "PyNorth 2031 - Async Django in production\n\n[Hall B on 2031-06-11]"}, "ASYNC2", "room and day (Hall B on 2031-06-11)", nil},
		{"room and day tag picks the day", catalog.Recording{Title: "Lightning Talks", Description: "[Hall A on 2031-06-11]"}, "LT2", "room and day", nil},
		{"room and day tag with no such talk", catalog.Recording{Title: "Async Django", Description: "[Hall B on 2031-06-10]"}, "ASYNC", "same title", nil},

		// Titles.
		{"same title folded", catalog.Recording{Title: "COMMENT ET POURQUOI « BIEN » TESTER EN PYTHON ?"}, "TESTS", "same title", nil},
		{"conference name before", catalog.Recording{Title: "PyNorth 2031: Data Warehouses Meet Data Lakes"}, "DATA", "same title", nil},
		{"conference name after", catalog.Recording{Title: "Data Warehouses Meet Data Lakes - PyNorth 2031"}, "DATA", "same title", nil},
		{"conference name glued", catalog.Recording{Title: "Data Warehouses Meet Data Lakes | PyNorth2031"}, "DATA", "same title", nil},
		{"talk type before", catalog.Recording{Title: "Keynote: Python’s role in unlocking the secrets of the Universe with the JWST", Speakers: []string{"Dr. Patrick Kavanagh"}}, "KEY", "abbreviation", nil},
		{"abbreviation with initials", catalog.Recording{Title: "WIP: Implementing PEP 458 to Secure PyPI downloads", Speakers: []string{"K. de Araujo"}}, "WIP", "abbreviation", nil},
		{"cut short, speakers agree", catalog.Recording{Title: "Scaling scikit-learn", Speakers: []string{"Julien Jerphanion"}}, "SCALE", "title cut short; speakers agree", nil},
		{"cut short, no speakers", catalog.Recording{Title: "Scaling scikit-learn"}, "", "do not confirm", []string{"SCALE"}},
		{"cut short, other speakers", catalog.Recording{Title: "Scaling scikit-learn", Speakers: []string{"Jane Doe"}}, "", "do not confirm", []string{"SCALE", "PRIV"}},
		{"a phrase changed, speakers agree", catalog.Recording{Title: "Is the news media polarized? Or are we conditioned to think it is?", Speakers: []string{"Aroma Rodrigues"}}, "NEWS", "nearly the same", nil},
		{"first name only in the schedule", catalog.Recording{Title: "Data Warehouses meet data lakes!", Speakers: []string{"Mauro Pelucchi"}}, "DATA", "same title; speakers agree", nil},
		{"same title, other speakers", catalog.Recording{Title: "Data Warehouses Meet Data Lakes", Speakers: []string{"Someone Else"}}, "DATA", "same title; speakers differ", nil},
		{"speakers alone are not enough", catalog.Recording{Title: "Something completely different", Speakers: []string{"Ivaylo Donchev"}}, "", "closely enough", []string{"ASYNC", "ASYNC2"}},
		{"unknown title", catalog.Recording{Title: "Nothing like it"}, "", `no talk matches "Nothing like it"`, nil},
		{"no title at all", catalog.Recording{}, "", "no talk matches", nil},

		// Dates.
		{"repeated title, recorded date decides", catalog.Recording{Title: "Lightning Talks", Recorded: "2031-06-11"}, "LT2", "same title", nil},
		{"repeated title, date off the schedule", catalog.Recording{Title: "Lightning Talks", Recorded: "2031-02-17"}, "", "several talks match", []string{"LT1", "LT2"}},
		{"repeated title, no date", catalog.Recording{Title: "Lightning Talks"}, "", "several talks match", []string{"LT1", "LT2"}},
		{"wrong date never excludes the only match", catalog.Recording{Title: "Async Django", Recorded: "2031-06-10"}, "ASYNC", "same title", nil},

		// Do not record.
		{"do not record by title", catalog.Recording{Title: "Off the record"}, "", `talk PRIV "Off the record" is marked do not record`, []string{"PRIV"}},
		{"do not record by reference", catalog.Recording{TalkRef: "PRIV"}, "", "is marked do not record", []string{"PRIV"}},
		{"do not record by room and time", catalog.Recording{Room: "Hall B", Start: "2031-06-11T11:00"}, "", "is marked do not record", []string{"PRIV"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := x.MatchRecording(tt.r)
			if got.TalkID != tt.want || !strings.Contains(got.Reason, tt.reason) {
				t.Errorf("MatchRecording(%+v)\n got %q (%s)\nwant %q (…%s…)", tt.r, got.TalkID, got.Reason, tt.want, tt.reason)
			}
			if tt.want == "" && !slices.Equal(got.Candidates, tt.candidates) {
				t.Errorf("candidates = %q, want %q", got.Candidates, tt.candidates)
			}
			if tt.want != "" && len(got.Candidates) != 0 {
				t.Errorf("attached with candidates %q", got.Candidates)
			}
			if got.Score < 0 || got.Score > 1 || tt.want != "" && got.Score < 0.7 {
				t.Errorf("score %v", got.Score)
			}
		})
	}
}

func TestMatchRecordingCandidates(t *testing.T) {
	s := recordingSchedule(t)
	for i, title := range []string{"Packaging one", "Packaging two", "Packaging three", "Packaging four"} {
		k := s.Talks[0]
		k.ID, k.Code, k.GUID, k.Slug, k.URL, k.Title, k.SpeakerIDs = "P"+string(rune('1'+i)), "", "", "", "", title, nil
		s.Talks = append(s.Talks, k)
	}
	x, err := NewIndex(s)
	if err != nil {
		t.Fatal(err)
	}
	d := x.MatchRecording(catalog.Recording{Title: "Packaging"})
	if d.TalkID != "" || len(d.Candidates) != maxCandidates || !slices.IsSorted(d.Candidates) {
		t.Errorf("got %+v, want unmatched with %d candidates, best and then by id", d, maxCandidates)
	}
}

func TestTitleVariants(t *testing.T) {
	x, err := NewIndex(recordingSchedule(t))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		in   string
		want []string
	}{
		{"Async Django", []string{"async django"}},
		{"PyNorth 2031: Async Django", []string{"pynorth 2031 async django", "async django"}},
		{"Async Django - PyNorth 2031", []string{"async django pynorth 2031", "async django"}},
		{"PyNorth 2031 - Keynote: Async Django", []string{"pynorth 2031 keynote async django", "keynote async django", "async django"}},
		{"PyNorth: the story", []string{"pynorth the story", "the story"}},
		{"2031: a space odyssey", []string{"2031 a space odyssey"}}, // a year alone is not the conference
		{"Python 2031: what is new", []string{"python 2031 what is new"}},
		{"PyNorth 2031", []string{"pynorth 2031"}},
	}
	for _, tt := range tests {
		var got []string
		for _, v := range x.titleVariants(tt.in) {
			got = append(got, strings.Join(v, " "))
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("titleVariants(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestTitleScore(t *testing.T) {
	tests := []struct {
		a, b string
		min  float64
		max  float64
	}{
		{"Async Django", "async django", 1, 1},
		{"Beyond CS", "Beyond Computer Science", scoreAcronym, scoreAcronym},
		{"Scaling scikit-learn", "Scaling scikit-learn: introducing new sets", scorePrefix, scorePrefix},
		{"Scaling", "Scaling scikit-learn", 0, nearTitle},     // one word is too short a prefix
		{"the beginners guide", "beginners guide", 0.75, 0.9}, // not a prefix
		{"Async Django", "Completely unrelated", 0, 0},
		{"", "Async Django", 0, 0},
	}
	for _, tt := range tests {
		got, _ := titleScore(words(tt.a), words(tt.b), capitals(tt.a), capitals(tt.b))
		if got < tt.min || got > tt.max {
			t.Errorf("titleScore(%q, %q) = %.3f, want in [%.2f, %.2f]", tt.a, tt.b, got, tt.min, tt.max)
		}
	}
}
