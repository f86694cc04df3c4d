package schedule

import (
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/confmedia/confmedia/catalog"
	"github.com/confmedia/confmedia/catalog/catalogtest"
)

func parseShared(t *testing.T, zone string, elem ...string) catalog.Schedule {
	t.Helper()
	p := catalogtest.SharedData(t, elem...)
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	s, err := Parse(p, data, zone)
	if err != nil {
		t.Fatal(err)
	}
	again, err := Parse(p, data, zone)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(s, again) {
		t.Errorf("parsing %s twice gave different results", p)
	}
	checkInvariants(t, s)
	return s
}

// checkInvariants holds for every parsed schedule.
func checkInvariants(t *testing.T, s catalog.Schedule) {
	t.Helper()
	ids := make(map[string]bool)
	speakers := make(map[string]bool)
	for i, sp := range s.Speakers {
		if sp.ID == "" {
			t.Errorf("speaker %d has no id", i)
		}
		if i > 0 && s.Speakers[i-1].ID >= sp.ID {
			t.Errorf("speakers not sorted by id at %d: %q, %q", i, s.Speakers[i-1].ID, sp.ID)
		}
		speakers[sp.ID] = true
	}
	for _, tk := range s.Talks {
		if tk.ID == "" || ids[tk.ID] {
			t.Errorf("talk id %q empty or repeated", tk.ID)
		}
		ids[tk.ID] = true
		if tk.End.Before(tk.Start) {
			t.Errorf("talk %s ends before it starts", tk.ID)
		}
		if tk.Start.Location().String() != s.Conference.Timezone {
			t.Errorf("talk %s start in %v, want %s", tk.ID, tk.Start.Location(), s.Conference.Timezone)
		}
		for _, id := range tk.SpeakerIDs {
			if !speakers[id] {
				t.Errorf("talk %s names speaker %q not in Speakers", tk.ID, id)
			}
		}
	}
}

func TestSharedFOSDEM(t *testing.T) {
	s := parseShared(t, "", "fosdem-2025", "schedule.xml")
	if got, want := len(s.Talks), 1074; got != want {
		t.Fatalf("got %d talks, want %d", got, want)
	}
	if want := (catalog.Conference{Title: "FOSDEM 2025", Acronym: "fosdem-2025", Timezone: "Europe/Brussels",
		URL: "https://fosdem.org/2025/schedule/"}); s.Conference != want {
		t.Errorf("conference = %+v, want %+v", s.Conference, want)
	}
	first := s.Talks[0]
	if first.ID != "6712" || !strings.HasPrefix(first.GUID, "fdbc5919-") || first.Title != "Welcome to FOSDEM 2025" ||
		first.Room != "Janson" || first.Start.Format(time.RFC3339) != "2025-02-01T09:30:00+01:00" ||
		first.End.Sub(first.Start) != 20*time.Minute {
		t.Errorf("first talk = %+v", first)
	}
	if first.Language != "en" || !strings.Contains(first.Abstract, "Join us for the opening of our 25th event.") {
		t.Errorf("first talk language %q, abstract %q: want en and the schedule's abstract", first.Language, first.Abstract)
	}
	if first.Code != "XWNGQL" {
		t.Errorf("first talk code = %q, want XWNGQL (from its pretalx feedback URL)", first.Code)
	}
	days := make(map[string]bool)
	python := 0
	for _, tk := range s.Talks {
		days[tk.Start.Format("2006-01-02")] = true
		if tk.Track == "Python" {
			python++
		}
	}
	if len(days) != 2 {
		t.Errorf("talks on %d days, want 2: %v", len(days), days)
	}
	if python != 16 {
		t.Errorf("%d talks in track Python, want 16", python)
	}
}

func TestSharedJSONExamples(t *testing.T) {
	tests := []struct {
		file, zone        string
		talks, doNotRecrd int
		tz                string
	}{
		{"pretalx-rc3.json", "Europe/Berlin", 48, 3, "Europe/Berlin"}, // names no zone
		{"pretalx-democon.json", "", 36, 2, "UTC"},
		{"frab-camp2019.json", "", 79, 0, "Europe/Berlin"},
		{"hub-schedule2.json", "", 2, 0, "Europe/Berlin"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			s := parseShared(t, tt.zone, "schedule-schemas", "examples", tt.file)
			if len(s.Talks) != tt.talks {
				t.Errorf("got %d talks, want %d", len(s.Talks), tt.talks)
			}
			if s.Conference.Timezone != tt.tz {
				t.Errorf("zone %q, want %q", s.Conference.Timezone, tt.tz)
			}
			n := 0
			for _, tk := range s.Talks {
				if tk.DoNotRecord {
					n++
				}
			}
			if n != tt.doNotRecrd {
				t.Errorf("%d talks do not record, want %d", n, tt.doNotRecrd)
			}
		})
	}

	t.Run("rc3 without zone", func(t *testing.T) {
		p := catalogtest.SharedData(t, "schedule-schemas", "examples", "pretalx-rc3.json")
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		_, err = Parse("pretalx-rc3.json", data, "")
		assertInvalid(t, err, "pretalx-rc3.json", "--timezone")
	})
	t.Run("invalid example", func(t *testing.T) {
		p := catalogtest.SharedData(t, "schedule-schemas", "examples", "invalid-example.json")
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		_, err = Parse("invalid-example.json", data, "")
		assertInvalid(t, err, "invalid-example.json", "line 44", "persons[0].code", "not a pretalx code")
	})
}

func TestSharedEuroPython(t *testing.T) {
	xmlSched := parseShared(t, "", "derived", "europython-2022", "schedule.xml")
	if len(xmlSched.Talks) != 152 || xmlSched.Conference.Timezone != "Europe/Dublin" {
		t.Fatalf("got %d talks in %q, want 152 in Europe/Dublin", len(xmlSched.Talks), xmlSched.Conference.Timezone)
	}
	// The pretalx-derived sessions the XML was made from give the same
	// talks, ids, times and speakers when the zone is passed.
	sessions := parseShared(t, "Europe/Dublin", "europython-2022", "schedule", "sessions_data.json")
	if len(sessions.Talks) != 152 {
		t.Fatalf("sessions: got %d talks, want 152 (the unscheduled one left out)", len(sessions.Talks))
	}
	byID := make(map[string]catalog.Talk)
	for _, tk := range sessions.Talks {
		byID[tk.ID] = tk
	}
	for _, x := range xmlSched.Talks {
		j, ok := byID[x.ID]
		if !ok {
			t.Errorf("talk %s of schedule.xml missing from sessions_data.json", x.ID)
			continue
		}
		if !x.Start.Equal(j.Start) || !x.End.Equal(j.End) || x.Room != j.Room || x.Title != j.Title ||
			!reflect.DeepEqual(x.SpeakerIDs, j.SpeakerIDs) {
			t.Errorf("talk %s differs:\n xml  %+v\n json %+v", x.ID, x, j)
		}
	}
	if tk, ok := byID["39YWUH"]; !ok || tk.Start.Format(time.RFC3339) != "2022-07-13T16:05:00+01:00" {
		t.Errorf("talk 39YWUH = %+v", tk)
	}

	for _, file := range []string{"schedule_data.json", "speakers_data.json"} {
		p := catalogtest.SharedData(t, "europython-2022", "schedule", file)
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		_, err = Parse(file, data, "Europe/Dublin")
		assertInvalid(t, err, file, "not a schedule")
	}
}

func TestSharedPyConFR(t *testing.T) {
	s := parseShared(t, "Europe/Paris", "pycon-fr-2024", "schedule", "schedule.json")
	// 68 sessions on the two conference days plus 8 sprints the day before.
	if len(s.Talks) != 76 {
		t.Errorf("got %d talks, want 76", len(s.Talks))
	}
	if s.Talks[0].ID != "JDQLRV" || s.Talks[0].Title != "Accueil / Welcome" || s.Talks[0].Room != "GAM" ||
		s.Talks[0].Start.Format(time.RFC3339) != "2024-11-02T09:00:00+01:00" {
		t.Errorf("first talk = %+v", s.Talks[0])
	}
}

func BenchmarkParseFOSDEM(b *testing.B) {
	p := catalogtest.SharedData(b, "fosdem-2025", "schedule.xml")
	data, err := os.ReadFile(p)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := Parse("schedule.xml", data, ""); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseCamp2019JSON(b *testing.B) {
	p := catalogtest.SharedData(b, "schedule-schemas", "examples", "frab-camp2019.json")
	data, err := os.ReadFile(p)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := Parse("frab-camp2019.json", data, ""); err != nil {
			b.Fatal(err)
		}
	}
}
