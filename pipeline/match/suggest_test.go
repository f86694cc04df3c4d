package match

import (
	"slices"
	"testing"
)

func TestClosest(t *testing.T) {
	speakers := []string{"Ana Lima", "Anna Karenina", "Jane Doe", "Raj Patel", "Zoë Müller", "Žan Novak", "Joan Doe", "Lima Bean"}
	rooms := []string{"Ballroom A", "Ballroom B", "Liffey Hall 1", "Liffey Hall 2", "Wicklow"}
	tests := []struct {
		query string
		names []string
		n     int
		want  []string
	}{
		{"ana", speakers, 3, []string{"Ana Lima", "Anna Karenina", "Jane Doe"}},
		{"zoe", speakers, 3, []string{"Zoë Müller", "Jane Doe", "Joan Doe"}},
		{"Jane Do", speakers, 2, []string{"Jane Doe", "Joan Doe"}},
		{"Jnae Doe", speakers, 2, []string{"Jane Doe", "Joan Doe"}},
		{"lima", speakers, 2, []string{"Lima Bean", "Ana Lima"}},
		{"muller", speakers, 1, []string{"Zoë Müller"}},
		{"liffey hall", rooms, 2, []string{"Liffey Hall 1", "Liffey Hall 2"}},
		{"ballrom b", rooms, 2, []string{"Ballroom B", "Ballroom A"}},
		{"x", []string{"Only"}, 3, []string{"Only"}},
		{"x", nil, 3, []string{}},
	}
	for _, tt := range tests {
		got := Closest(tt.query, tt.names, tt.n)
		if !slices.Equal(got, tt.want) {
			t.Errorf("Closest(%q, %d) = %q, want %q", tt.query, tt.n, got, tt.want)
		}
	}
	// Nothing alike still lists the few nearest, never none.
	if got := Closest("nothing like it", rooms, 3); len(got) != 3 {
		t.Errorf("Closest of an unlike name = %q, want 3 names", got)
	}
}
