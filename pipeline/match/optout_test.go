package match

import (
	"testing"

	"github.com/confmedia/confmedia/catalog"
)

// TestOptedOut is the opt-out rule's table. The workers and the web app
// used to apply two versions of it that disagreed on the rows marked
// "drift": which opt-out is named when several apply, empty names, and
// honorifics or word order in people tags.
func TestOptedOut(t *testing.T) {
	ana := catalog.OptOut{Name: "Ana Lima", SpeakerID: "ana"}
	sam := catalog.OptOut{Name: "Sam Attendee"}
	raj := catalog.OptOut{Name: "Raj Patel", SpeakerID: "raj-patel"}
	blank := catalog.OptOut{Name: " — "}
	tests := []struct {
		name     string
		people   []string
		speakers []string
		optouts  []catalog.OptOut
		want     string
	}{
		{"nobody opted out", []string{"Ana Lima"}, []string{"ana"}, nil, ""},
		{"people tag", []string{"sam attendee"}, nil, []catalog.OptOut{ana, sam}, "Sam Attendee"},
		{"people tag, accents and case", []string{"ANA LÍMA"}, nil, []catalog.OptOut{ana}, "Ana Lima"},
		{"speaker tagged", nil, []string{"ana"}, []catalog.OptOut{sam, ana}, "Ana Lima"},
		{"another speaker", nil, []string{"bo"}, []catalog.OptOut{ana, sam}, ""},
		{"drift: first opt-out in order wins", []string{"Sam Attendee"}, []string{"ana"}, []catalog.OptOut{ana, sam}, "Ana Lima"},
		{"drift: empty name matches no empty tag", []string{""}, nil, []catalog.OptOut{blank}, ""},
		{"drift: honorific in the tag", []string{"Dr. Raj Patel"}, nil, []catalog.OptOut{raj}, "Raj Patel"},
		{"drift: surname first", []string{"Patel, Raj"}, nil, []catalog.OptOut{raj}, "Raj Patel"},
		{"first name alone is not enough", []string{"Raj"}, nil, []catalog.OptOut{raj}, ""},
		{"same surname, other person", []string{"Priya Patel"}, nil, []catalog.OptOut{raj}, ""},
	}
	for _, tt := range tests {
		if got := OptedOut(tt.people, tt.speakers, tt.optouts); got != tt.want {
			t.Errorf("%s: OptedOut = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestSameName(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"Zoe Muller", "zoe MÜLLER", true},
		{"Prof. Zoe Muller", "Zoe Muller", true},
		{"Muller Zoe", "Zoe Muller", true},
		{"Marc-André Roy", "Marc André Roy", true},
		{"Zoe", "Zoe Muller", false},
		{"", "", false},
		{"Zoe Muller", "Zoe Miller", false},
	}
	for _, tt := range tests {
		if got := SameName(tt.a, tt.b); got != tt.want {
			t.Errorf("SameName(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}
