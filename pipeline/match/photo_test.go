package match

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/confmedia/confmedia/catalog"
)

const testDay = "2031-06-10"

// testSchedule is a small conference in Dublin. On testDay:
//
//	Liffey A        a1 10:00–10:30 (zoe)   a2 10:35–11:00 (jane, john)   a3 11:30–12:00 (ana)
//	Wicklow Hall 1  w1 10:00–11:00 (bob)
//	Écluse          e1 10:00–10:45 (nobody)
//	Overlap         o1 14:00–15:00 (sam1)  o2 14:30–15:30 (sam2)
func testSchedule(t testing.TB) catalog.Schedule {
	t.Helper()
	zone, err := time.LoadLocation("Europe/Dublin")
	if err != nil {
		t.Fatal(err)
	}
	at := func(hm string) time.Time {
		tm, err := time.ParseInLocation("2006-01-02 15:04", testDay+" "+hm, zone)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	talk := func(id, room, from, to, title string, speakers ...string) catalog.Talk {
		return catalog.Talk{ID: id, Title: title, Room: room, Start: at(from), End: at(to), SpeakerIDs: speakers}
	}
	return catalog.Schedule{
		Conference: catalog.Conference{Title: "PyNorth 2031", Timezone: "Europe/Dublin"},
		Talks: []catalog.Talk{
			talk("a2", "Liffey A", "10:35", "11:00", "Second", "jane", "john"),
			talk("a1", "Liffey A", "10:00", "10:30", "First", "zoe"),
			talk("a3", "Liffey A", "11:30", "12:00", "Third", "ana"),
			talk("w1", "Wicklow Hall 1", "10:00", "11:00", "Parallel", "bob"),
			talk("e1", "Écluse", "10:00", "10:45", "Accented room"),
			talk("o1", "Overlap", "14:00", "15:00", "Overlapping one", "sam1"),
			talk("o2", "Overlap", "14:30", "15:30", "Overlapping two", "sam2"),
			{ID: "u1", Title: "Unscheduled", SpeakerIDs: []string{"bob"}},
		},
		Speakers: []catalog.Speaker{
			{ID: "zoe", Name: "Zoë O’Brien"},
			{ID: "jane", Name: "Jane Doe"},
			{ID: "john", Name: "John Smith"},
			{ID: "ana", Name: "Ana Lima"},
			{ID: "bob", Name: "Bob Stone"},
			{ID: "sam1", Name: "Sam Lee"},
			{ID: "sam2", Name: "SAM LEE"},
		},
	}
}

func testIndex(t testing.TB) *Index {
	t.Helper()
	x, err := NewIndex(testSchedule(t))
	if err != nil {
		t.Fatal(err)
	}
	return x
}

func TestNewIndex(t *testing.T) {
	for _, tz := range []string{"", "Mars/Olympus_Mons"} {
		s := testSchedule(t)
		s.Conference.Timezone = tz
		_, err := NewIndex(s)
		if catalog.ErrorKind(err) != catalog.Invalid {
			t.Errorf("NewIndex with zone %q: err = %v, want an Invalid error", tz, err)
		}
	}
	x := testIndex(t)
	if got := x.Zone().String(); got != "Europe/Dublin" {
		t.Errorf("Zone() = %s", got)
	}
	if got, want := x.Rooms(), []string{"Liffey A", "Overlap", "Wicklow Hall 1", "Écluse"}; !slices.Equal(got, want) {
		t.Errorf("Rooms() = %q, want %q", got, want)
	}
	rooms := []struct {
		in, want string
		ok       bool
	}{
		{"Liffey A", "Liffey A", true},
		{"liffey  a", "Liffey A", true},
		{"ECLUSE", "Écluse", true},
		{"wicklow-hall-1", "Wicklow Hall 1", true},
		{"Liffey B", "", false},
		{"", "", false},
	}
	for _, tt := range rooms {
		if got, ok := x.Room(tt.in); got != tt.want || ok != tt.ok {
			t.Errorf("Room(%q) = %q, %v, want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
	speakers := []struct{ in, want string }{
		{"Zoë  O’Brien", "zoe"},
		{"zoe obrien", "zoe"},
		{"JANE DOE", "jane"},
		{"Sam Lee", ""}, // two speakers share it
		{"Jane", ""},    // never a partial name
		{"Jane Doe Smith", ""},
	}
	for _, tt := range speakers {
		sp, ok := x.SpeakerByName(tt.in)
		if sp.ID != tt.want || ok != (tt.want != "") {
			t.Errorf("SpeakerByName(%q) = %q, %v, want %q", tt.in, sp.ID, ok, tt.want)
		}
	}
}

func TestTagPhoto(t *testing.T) {
	x := testIndex(t)
	at := func(hm string) time.Time {
		tm, err := time.ParseInLocation("2006-01-02 15:04:05", testDay+" "+hm, x.Zone())
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	tests := []struct {
		name string
		in   PhotoInput
		want Decision
	}{
		{"no capture time", PhotoInput{Room: "Liffey A"},
			Decision{Status: catalog.NeedsReview, Reason: "no capture time"}},
		{"during a talk", PhotoInput{Room: "Liffey A", Taken: at("10:10:00")},
			Decision{Status: catalog.Tagged, TalkIDs: []string{"a1"}, SpeakerIDs: []string{"zoe"}}},
		{"at the start", PhotoInput{Room: "Liffey A", Taken: at("10:00:00")},
			Decision{Status: catalog.Tagged, TalkIDs: []string{"a1"}, SpeakerIDs: []string{"zoe"}}},
		{"room folded", PhotoInput{Room: " LIFFEY  a ", Taken: at("10:10:00")},
			Decision{Status: catalog.Tagged, TalkIDs: []string{"a1"}, SpeakerIDs: []string{"zoe"}}},
		{"accented room", PhotoInput{Room: "ecluse", Taken: at("10:44:59")},
			Decision{Status: catalog.Tagged, TalkIDs: []string{"e1"}}},
		{"10 minutes before, room empty", PhotoInput{Room: "Liffey A", Taken: at("09:50:00")},
			Decision{Status: catalog.Tagged, TalkIDs: []string{"a1"}, SpeakerIDs: []string{"zoe"}}},
		{"more than 10 minutes before", PhotoInput{Room: "Liffey A", Taken: at("09:49:59")},
			Decision{Status: catalog.Untagged, Reason: "no talk in Liffey A at 09:49 on 2031-06-10"}},
		{"at the end, next coming", PhotoInput{Room: "Liffey A", Taken: at("10:30:00")},
			Decision{Status: catalog.Tagged, TalkIDs: []string{"a2"}, SpeakerIDs: []string{"jane", "john"}}},
		{"both windows: the coming talk", PhotoInput{Room: "Liffey A", Taken: at("10:33:00")},
			Decision{Status: catalog.Tagged, TalkIDs: []string{"a2"}, SpeakerIDs: []string{"jane", "john"}}},
		{"5 minutes after the end", PhotoInput{Room: "Liffey A", Taken: at("11:05:00")},
			Decision{Status: catalog.Tagged, TalkIDs: []string{"a2"}, SpeakerIDs: []string{"jane", "john"}}},
		{"more than 5 minutes after", PhotoInput{Room: "Liffey A", Taken: at("11:05:01")},
			Decision{Status: catalog.Untagged, Reason: "no talk in Liffey A at 11:05 on 2031-06-10"}},
		{"in the room between talks", PhotoInput{Room: "Liffey A", Taken: at("11:15:00")},
			Decision{Status: catalog.Untagged, Reason: "no talk in Liffey A at 11:15 on 2031-06-10"}},
		{"before the next", PhotoInput{Room: "Liffey A", Taken: at("11:20:00")},
			Decision{Status: catalog.Tagged, TalkIDs: []string{"a3"}, SpeakerIDs: []string{"ana"}}},
		{"people pick the talk's speakers", PhotoInput{Room: "Liffey A", Taken: at("10:40:00"), People: []string{"python", "JOHN SMITH"}},
			Decision{Status: catalog.Tagged, TalkIDs: []string{"a2"}, SpeakerIDs: []string{"john"}}},
		{"people of another talk: all speakers", PhotoInput{Room: "Liffey A", Taken: at("10:40:00"), People: []string{"Zoe O'Brien"}},
			Decision{Status: catalog.Tagged, TalkIDs: []string{"a2"}, SpeakerIDs: []string{"jane", "john"}}},
		{"room wins over people", PhotoInput{Room: "Wicklow Hall 1", Taken: at("10:10:00"), People: []string{"Zoë O’Brien"}},
			Decision{Status: catalog.Tagged, TalkIDs: []string{"w1"}, SpeakerIDs: []string{"bob"}}},
		{"overlapping talks in a room", PhotoInput{Room: "Overlap", Taken: at("14:45:00")},
			Decision{Status: catalog.NeedsReview, Reason: "2 talks overlap in Overlap at 14:45 on 2031-06-10", Candidates: []string{"o1", "o2"}}},
		{"unknown room", PhotoInput{Room: "Room 9", Taken: at("10:10:00")},
			Decision{Status: catalog.Untagged, Reason: "no talk in Room 9 at 10:10 on 2031-06-10 (the schedule has no such room)"}},
		{"no room, one speaker named", PhotoInput{Taken: at("10:10:00"), People: []string{"Bob Stone", "keynote"}},
			Decision{Status: catalog.Tagged, TalkIDs: []string{"w1"}, SpeakerIDs: []string{"bob"}}},
		{"no room, speaker in a window", PhotoInput{Taken: at("11:22:00"), People: []string{"ana lima"}},
			Decision{Status: catalog.Tagged, TalkIDs: []string{"a3"}, SpeakerIDs: []string{"ana"}}},
		{"no room, speakers of two talks", PhotoInput{Taken: at("10:10:00"), People: []string{"Bob Stone", "Zoë O’Brien"}},
			Decision{Status: catalog.NeedsReview, Reason: "no room given and the people tags name speakers of 2 talks running at 10:10 on 2031-06-10", Candidates: []string{"a1", "w1"}}},
		{"no room, nobody named", PhotoInput{Taken: at("10:10:00"), People: []string{"crowd"}},
			Decision{Status: catalog.NeedsReview, Reason: "no room given and no speaker named; 3 talks running at 10:10 on 2031-06-10", Candidates: []string{"a1", "e1", "w1"}}},
		{"no room, one talk running, nobody named", PhotoInput{Taken: at("11:40:00")},
			Decision{Status: catalog.NeedsReview, Reason: "no room given and no speaker named; 1 talk running at 11:40 on 2031-06-10", Candidates: []string{"a3"}}},
		{"no room, a speaker of no running talk", PhotoInput{Taken: at("11:40:00"), People: []string{"Bob Stone"}},
			Decision{Status: catalog.NeedsReview, Reason: "no room given and no speaker named; 1 talk running at 11:40 on 2031-06-10", Candidates: []string{"a3"}}},
		{"no room, ambiguous name counts for nobody", PhotoInput{Taken: at("14:45:00"), People: []string{"Sam Lee"}},
			Decision{Status: catalog.NeedsReview, Reason: "no room given and no speaker named; 2 talks running at 14:45 on 2031-06-10", Candidates: []string{"o1", "o2"}}},
		{"no room, nothing running", PhotoInput{Taken: at("13:00:00"), People: []string{"Bob Stone"}},
			Decision{Status: catalog.Untagged, Reason: "no talk running at 13:00 on 2031-06-10"}},
		{"time in another zone", PhotoInput{Room: "Liffey A", Taken: at("10:10:00").UTC()},
			Decision{Status: catalog.Tagged, TalkIDs: []string{"a1"}, SpeakerIDs: []string{"zoe"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := x.TagPhoto(tt.in); !sameDecision(got, tt.want) {
				t.Errorf("TagPhoto(%+v)\n got %+v\nwant %+v", tt.in, got, tt.want)
			}
		})
	}
}

func sameDecision(a, b Decision) bool {
	return a.Status == b.Status && a.Reason == b.Reason && slices.Equal(a.TalkIDs, b.TalkIDs) &&
		slices.Equal(a.SpeakerIDs, b.SpeakerIDs) && slices.Equal(a.Candidates, b.Candidates)
}

func TestTagHeadshot(t *testing.T) {
	x := testIndex(t)
	tests := []struct {
		name string
		in   HeadshotInput
		want Decision
	}{
		{"speaker named", HeadshotInput{Speaker: "zoe obrien", FileName: "jane-doe.jpg"},
			Decision{Status: catalog.Tagged, SpeakerIDs: []string{"zoe"}, TalkIDs: []string{"a1"}}},
		{"speaker id", HeadshotInput{Speaker: "bob"},
			Decision{Status: catalog.Tagged, SpeakerIDs: []string{"bob"}, TalkIDs: []string{"u1", "w1"}}},
		{"unknown speaker", HeadshotInput{Speaker: "Zoe O Brien", FileName: "zoe-obrien.jpg"},
			Decision{Status: catalog.NeedsReview, Reason: `unknown speaker "Zoe O Brien"`}},
		{"speaker name shared", HeadshotInput{Speaker: "Sam Lee"},
			Decision{Status: catalog.NeedsReview, Reason: `several speakers are called "Sam Lee"`, Candidates: []string{"sam1", "sam2"}}},
		{"one person tagged", HeadshotInput{People: []string{"portrait", "Jane Doe", "jane doe"}, FileName: "IMG_1234.jpg"},
			Decision{Status: catalog.Tagged, SpeakerIDs: []string{"jane"}, TalkIDs: []string{"a2"}}},
		{"two people tagged", HeadshotInput{People: []string{"Jane Doe", "John Smith"}, FileName: "IMG_1234.jpg"},
			Decision{Status: catalog.NeedsReview, Reason: "the people tags name 2 speakers", Candidates: []string{"jane", "john"}}},
		{"two people tagged, file name picks one", HeadshotInput{People: []string{"Jane Doe", "John Smith"}, FileName: "john_smith.jpg"},
			Decision{Status: catalog.Tagged, SpeakerIDs: []string{"john"}, TalkIDs: []string{"a2"}}},
		{"two people tagged, file name names a third", HeadshotInput{People: []string{"Jane Doe", "John Smith"}, FileName: "bob_stone.jpg"},
			Decision{Status: catalog.NeedsReview, Reason: "the people tags name 2 speakers", Candidates: []string{"jane", "john"}}},
		{"file name", HeadshotInput{FileName: "jane-doe-2.jpg"},
			Decision{Status: catalog.Tagged, SpeakerIDs: []string{"jane"}, TalkIDs: []string{"a2"}}},
		{"file name reordered with noise words", HeadshotInput{FileName: "Doe_Jane_HEADSHOT_final-crop.02.JPG"},
			Decision{Status: catalog.Tagged, SpeakerIDs: []string{"jane"}, TalkIDs: []string{"a2"}}},
		{"file name with accents and apostrophe", HeadshotInput{FileName: "Zoe\u0308 O’Brien portrait hires.png"},
			Decision{Status: catalog.Tagged, SpeakerIDs: []string{"zoe"}, TalkIDs: []string{"a1"}}},
		{"file name in a folder", HeadshotInput{FileName: `speakers\obrien_zoe.jpeg`},
			Decision{Status: catalog.Tagged, SpeakerIDs: []string{"zoe"}, TalkIDs: []string{"a1"}}},
		{"unknown file name", HeadshotInput{FileName: "jane-roe-2.jpg"},
			Decision{Status: catalog.NeedsReview, Reason: `no speaker matches "jane-roe-2.jpg"`}},
		{"first name only is not enough", HeadshotInput{FileName: "jane.jpg"},
			Decision{Status: catalog.NeedsReview, Reason: `no speaker matches "jane.jpg"`}},
		{"extra words are not allowed", HeadshotInput{FileName: "jane-doe-smith.jpg"},
			Decision{Status: catalog.NeedsReview, Reason: `no speaker matches "jane-doe-smith.jpg"`}},
		{"no near names", HeadshotInput{FileName: "zoe-o-brien.jpg"},
			Decision{Status: catalog.NeedsReview, Reason: `no speaker matches "zoe-o-brien.jpg"`}},
		{"only noise words", HeadshotInput{FileName: "headshot-final.jpg"},
			Decision{Status: catalog.NeedsReview, Reason: `no speaker matches "headshot-final.jpg"`}},
		{"shared name in the file name", HeadshotInput{FileName: "lee_sam.jpg"},
			Decision{Status: catalog.NeedsReview, Reason: `several speakers match "lee_sam.jpg"`, Candidates: []string{"sam1", "sam2"}}},
		{"nothing at all", HeadshotInput{},
			Decision{Status: catalog.NeedsReview, Reason: `no speaker matches ""`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := x.TagHeadshot(tt.in); !sameDecision(got, tt.want) {
				t.Errorf("TagHeadshot(%+v)\n got %+v\nwant %+v", tt.in, got, tt.want)
			}
		})
	}
}

func TestDecisionsSorted(t *testing.T) {
	x := testIndex(t)
	for i := 0; i < 20; i++ { // map iteration must not show through
		d := x.TagHeadshot(HeadshotInput{FileName: "sam lee.jpg"})
		if !slices.IsSorted(d.Candidates) || len(d.Candidates) != 2 {
			t.Fatalf("candidates %q", d.Candidates)
		}
	}
	if d := x.TagPhoto(PhotoInput{Room: "nowhere", Taken: time.Date(2031, 6, 10, 9, 0, 0, 0, time.UTC)}); !strings.Contains(d.Reason, "10:00") {
		t.Errorf("reason %q does not give the venue's time", d.Reason)
	}
}
