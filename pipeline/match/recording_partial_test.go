package match

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/confmedia/confmedia/catalog"
)

// partialSchedule is a two-day conference (a Thursday and a Friday) whose
// schedule has the short, generic and repeated titles recordings dress up.
func partialSchedule(t testing.TB) catalog.Schedule {
	t.Helper()
	zone, err := time.LoadLocation("Europe/Lisbon")
	if err != nil {
		t.Fatal(err)
	}
	talk := func(id, room, start string, minutes int, title string, speakers ...string) catalog.Talk {
		st, err := time.ParseInLocation("2006-01-02 15:04", start, zone)
		if err != nil {
			t.Fatal(err)
		}
		return catalog.Talk{ID: id, Title: title, Room: room, Start: st, End: st.Add(time.Duration(minutes) * time.Minute), SpeakerIDs: speakers, Type: "Talk"}
	}
	k1 := talk("K1", "Main", "2032-06-10 09:00", 45, "Keynote", "ada")
	k2 := talk("K2", "Main", "2032-06-11 09:00", 45, "Keynote", "grace")
	k1.Type, k2.Type = "Keynote", "Keynote"
	private := talk("PRIV", "Side", "2032-06-11 15:00", 30, "Closing the loop", "alan")
	private.DoNotRecord = true
	return catalog.Schedule{
		Conference: catalog.Conference{Title: "Riverconf 2032", Timezone: "Europe/Lisbon"},
		Talks: []catalog.Talk{
			talk("W", "Main", "2032-06-10 08:45", 15, "Welcome"),
			k1, k2,
			talk("LT1", "Main", "2032-06-10 17:00", 45, "Lightning Talks"),
			talk("LT2", "Main", "2032-06-11 17:00", 45, "Lightning Talks"),
			talk("PIPE", "Side", "2032-06-10 10:00", 30, "Building resilient data pipelines with streaming and batch processing", "alan"),
			talk("PLAT", "Side", "2032-06-11 10:00", 30, "Building resilient data platforms for small teams", "alan"),
			talk("P1", "Main", "2032-06-10 14:00", 45, "Panel", "ada", "grace"),
			talk("P2", "Main", "2032-06-11 14:00", 45, "Panel", "ada"),
			talk("CACHE", "Side", "2032-06-10 11:00", 30, "Caching", "edsger"),
			talk("DP", "Side", "2032-06-11 11:00", 30, "Data pipelines", "alan"),
			private,
		},
		Speakers: []catalog.Speaker{
			{ID: "ada", Name: "Ada Lovelace"},
			{ID: "grace", Name: "Grace Hopper"},
			{ID: "alan", Name: "Alan Turing"},
			{ID: "edsger", Name: "Edsger Dijkstra"},
		},
	}
}

func TestMatchRecordingPartialTitles(t *testing.T) {
	x, err := NewIndex(partialSchedule(t))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name       string
		r          catalog.Recording
		want       string   // talk id, "" for unmatched
		reason     string   // a part of the reason
		candidates []string // when unmatched; nil to not check
	}{
		// "<schedule title>: <subtitle>".
		{"generic title with a subtitle, speakers agree", catalog.Recording{Title: "Keynote: The road ahead", Speakers: []string{"Grace Hopper"}}, "K2", `"Keynote" with "The road ahead" added; speakers agree`, nil},
		{"short title with a subtitle, speakers agree", catalog.Recording{Title: "Caching: the two hard things", Speakers: []string{"E. Dijkstra"}}, "CACHE", "speakers agree", nil},
		{"generic title naming its speaker", catalog.Recording{Title: "Keynote — Ada Lovelace"}, "K1", "speakers agree", nil},
		{"generic title with a subtitle, no speakers", catalog.Recording{Title: "Keynote: The road ahead"}, "", "", nil},
		{"generic title with a subtitle, other speakers", catalog.Recording{Title: "Keynote: The road ahead", Speakers: []string{"Someone Else"}}, "", "", nil},
		{"generic title, speakers agree, recorded on the wrong day", catalog.Recording{Title: "Keynote: The road ahead", Speakers: []string{"Grace Hopper"}, Recorded: "2032-06-10"}, "K2", "speakers agree", nil},
		{"generic title, speakers agree, recorded off the schedule", catalog.Recording{Title: "Keynote: The road ahead", Speakers: []string{"Grace Hopper"}, Recorded: "2032-01-01"}, "K2", "speakers agree", nil},
		{"two talks remain", catalog.Recording{Title: "Panel: what comes next", Speakers: []string{"Ada Lovelace"}}, "", "could be any of talks P1, P2", []string{"P1", "P2"}},
		{"two talks, the day decides", catalog.Recording{Title: "Panel: what comes next", Speakers: []string{"Ada Lovelace"}, Recorded: "2032-06-11"}, "P2", "recorded on 2032-06-11", nil},

		// "<schedule title> — <event name>".
		{"generic title with the event's name", catalog.Recording{Title: "Welcome — Riverconf Lisbon 2032"}, "W", `"Welcome" with "Riverconf Lisbon 2032" added`, nil},
		{"repeated title with the weekday", catalog.Recording{Title: "Lightning Talks - Friday"}, "LT2", "on 2032-06-11", nil},
		{"repeated title with the event's name only", catalog.Recording{Title: "Lightning Talks | Riverconf Lisbon"}, "", "", nil},
		{"weekday with no such talk that day", catalog.Recording{Title: "Welcome - Friday"}, "", "", nil},

		// Cut short with an ellipsis.
		{"cut with an ellipsis, speakers agree", catalog.Recording{Title: "Building resilient data pipelines with stre…", Speakers: []string{"Alan Turing"}}, "PIPE", "cut short with an ellipsis; speakers agree", nil},
		{"cut with three dots, no speakers", catalog.Recording{Title: "Building resilient data pipelines with streaming..."}, "PIPE", "cut short with an ellipsis", nil},
		{"cut too short: two talks remain", catalog.Recording{Title: "Building resilient data…", Speakers: []string{"Alan Turing"}}, "", "could be any of talks", []string{"PIPE", "PLAT"}},
		{"cut with an ellipsis, other speakers", catalog.Recording{Title: "Building resilient data pipelines…", Speakers: []string{"Grace Hopper"}}, "", "", nil},
		{"ellipsis on a title that is not the talk's", catalog.Recording{Title: "Building resilient teams…", Speakers: []string{"Alan Turing"}}, "", "", nil},

		// Cut short by a length limit, mid-word and unmarked.
		{"cut mid-word unmarked, speakers agree", catalog.Recording{Title: "Building resilient data pipelines with stre", Speakers: []string{"Alan Turing"}}, "PIPE", "cut short; speakers agree", nil},
		{"cut mid-word unmarked, no speakers", catalog.Recording{Title: "Building resilient data pipelines with stre"}, "", "", nil},
		{"cut mid-word unmarked, too short", catalog.Recording{Title: "Building resilient da", Speakers: []string{"Alan Turing"}}, "", "", nil},

		// The speaker's name in the title.
		{"type, speaker and title", catalog.Recording{Title: "Talks - Alan Turing: Building resilient data platforms for small teams", Speakers: []string{"Alan Turing"}}, "PLAT", "speakers agree", nil},
		{"speaker, title and event, no speakers field", catalog.Recording{Title: "Edsger Dijkstra - Caching | Riverconf Lisbon 2032"}, "CACHE", "speakers agree", nil},

		// A date in the title.
		{"repeated title with a date", catalog.Recording{Title: "Lightning Talks - June 11th"}, "LT2", "on 2032-06-11", nil},
		{"repeated title with a date first", catalog.Recording{Title: "10 June: Lightning Talks"}, "LT1", "on 2032-06-10", nil},
		{"repeated title with a date not in the schedule", catalog.Recording{Title: "Lightning Talks - June 12th"}, "", "", nil},

		// The talk whose title it holds by clearly more words.
		{"longer title held outweighs a shorter one", catalog.Recording{Title: "Building resilient data pipelines with streaming and batch processing: lessons", Speakers: []string{"Alan Turing"}}, "PIPE", "speakers agree", nil},

		// Containment.
		{"schedule title inside the record's, speakers agree", catalog.Recording{Title: "An honest look at why building resilient data platforms for small teams matters to everyone", Speakers: []string{"Alan Turing"}}, "PLAT", "one inside the other; speakers agree", nil},
		{"weekday and a repeated title inside", catalog.Recording{Title: "Thursday's Lightning Talks"}, "LT1", "on 2032-06-10", nil},
		{"containment without speakers or day", catalog.Recording{Title: "An honest look at why building resilient data platforms for small teams matters to everyone"}, "", "", nil},

		// The archive's event name (a pyvideo category) is the conference's.
		{"event name from the archive before", catalog.Recording{Title: "Lisbon Python Days: Caching", Event: "Lisbon Python Days"}, "CACHE", "same title", nil},
		{"event name from the archive after a generic title", catalog.Recording{Title: "Welcome | Lisbon Python Days", Event: "Lisbon Python Days"}, "W", "same title", nil},
		{"another event's name is not stripped", catalog.Recording{Title: "Lisbon Python Days: Caching", Event: "Other Days"}, "", "", nil},

		// Do not record still wins.
		{"do not record with a subtitle", catalog.Recording{Title: "Closing the loop: a retrospective", Speakers: []string{"Alan Turing"}}, "", "do not record", []string{"PRIV"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := x.MatchRecording(tt.r)
			if got.TalkID != tt.want || !strings.Contains(got.Reason, tt.reason) {
				t.Errorf("MatchRecording(%+v)\n got %q (%s)\nwant %q (…%s…)", tt.r, got.TalkID, got.Reason, tt.want, tt.reason)
			}
			if tt.want == "" && tt.candidates != nil && !slices.Equal(got.Candidates, tt.candidates) {
				t.Errorf("candidates = %q, want %q", got.Candidates, tt.candidates)
			}
			if tt.want != "" && (len(got.Candidates) != 0 || got.Score < 0.7 || got.Score > 1) {
				t.Errorf("attached with candidates %q, score %v", got.Candidates, got.Score)
			}
		})
	}
}
