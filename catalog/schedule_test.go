package catalog

import (
	"slices"
	"strings"
	"testing"
	"time"
)

func TestReplaceReasons(t *testing.T) {
	at := time.Date(2031, 6, 10, 9, 0, 0, 0, time.UTC)
	talks := func(ids ...string) []Talk {
		var out []Talk
		for _, id := range ids {
			out = append(out, Talk{ID: id, Title: "Talk " + id, Room: "Hall", Start: at, End: at.Add(time.Hour)})
		}
		return out
	}
	conf := func(title, acronym string) Conference {
		return Conference{Title: title, Acronym: acronym, Timezone: "UTC"}
	}
	old := Schedule{Conference: conf("PyNorth 2031", "pynorth31"), Talks: talks("a", "b", "c", "d")}
	tests := []struct {
		name string
		old  Schedule
		new  Schedule
		want []string // parts of each reason, in order
	}{
		{"first import", Schedule{}, Schedule{Conference: conf("Other", "o"), Talks: talks("x")}, nil},
		{"same conference, half removed", old, Schedule{Conference: conf("PyNorth 2031", "pynorth31"), Talks: talks("a", "b")}, nil},
		{"same conference, spaces and case differ", old, Schedule{Conference: conf("pynorth  2031", "PyNorth31"), Talks: talks("a", "b", "c", "d")}, nil},
		{"most talks removed", old, Schedule{Conference: conf("PyNorth 2031", "pynorth31"), Talks: talks("a", "e", "f")}, []string{"remove 3 of the 4 talks"}},
		{"another title", old, Schedule{Conference: conf("PySouth 2031", ""), Talks: talks("a", "b", "c", "d")}, []string{`the file's is "PySouth 2031"`}},
		{"another acronym", old, Schedule{Conference: conf("PyNorth 2031", "pn31"), Talks: talks("a", "b", "c", "d")}, []string{`acronym is "pynorth31", the file's is "pn31"`}},
		{"another conference altogether", old, Schedule{Conference: conf("FOSS Days", "fd"), Talks: talks("x")}, []string{"FOSS Days", "acronym", "remove 4 of the 4"}},
	}
	for _, tt := range tests {
		old := map[string]Talk{}
		for _, k := range tt.old.Talks {
			old[k.ID] = k
		}
		got := tt.new.ReplaceReasons(tt.old, tt.new.Diff(old))
		if len(got) != len(tt.want) {
			t.Errorf("%s: ReplaceReasons = %q, want %d reasons", tt.name, got, len(tt.want))
			continue
		}
		for i := range got {
			if !strings.Contains(got[i], tt.want[i]) {
				t.Errorf("%s: reason %q, want …%s…", tt.name, got[i], tt.want[i])
			}
		}
	}
}

func TestDiffMoved(t *testing.T) {
	at := time.Date(2031, 6, 10, 9, 0, 0, 0, time.UTC)
	a := Talk{ID: "a", Title: "A", Room: "Hall", Start: at, End: at.Add(time.Hour), SpeakerIDs: []string{"s1"}}
	renamed, moved, retimed, restaffed := a, a, a, a
	renamed.ID, renamed.Title = "r", "Renamed"
	moved.ID, moved.Room = "m", "Annex"
	retimed.ID, retimed.Start = "t", at.Add(time.Hour)
	restaffed.ID, restaffed.SpeakerIDs = "s", []string{"s2"}
	old := map[string]Talk{}
	for _, k := range []Talk{a, renamed, moved, retimed, restaffed} {
		k.Title, k.Room, k.Start, k.SpeakerIDs = a.Title, a.Room, a.Start, a.SpeakerIDs
		old[k.ID] = k
	}
	d := Schedule{Talks: []Talk{a, renamed, moved, retimed, restaffed}}.Diff(old)
	if want := []string{"m", "r", "s", "t"}; !slices.Equal(d.Changed, want) {
		t.Errorf("Changed = %q, want %q", d.Changed, want)
	}
	if want := []string{"m", "t"}; !slices.Equal(d.Moved, want) {
		t.Errorf("Moved = %q, want %q", d.Moved, want)
	}
}
