package catalog

import (
	"slices"
	"time"
)

// Validate checks what every store needs of a schedule before it replaces
// the current one: a zone that loads, and talk and speaker ids that are
// present and unique. op names the caller in the error.
func (s Schedule) Validate(op string) error {
	if _, err := s.Conference.Location(); err != nil {
		return E(Invalid, op, err, "cannot import the schedule")
	}
	seen := map[string]bool{}
	for _, t := range s.Talks {
		if t.ID == "" {
			return E(Invalid, op, nil, "talk %q has no id", t.Title)
		}
		if seen[t.ID] {
			return E(Invalid, op, nil, "talk id %s appears twice", t.ID)
		}
		seen[t.ID] = true
	}
	clear(seen)
	for _, sp := range s.Speakers {
		if sp.ID == "" {
			return E(Invalid, op, nil, "speaker %q has no id", sp.Name)
		}
		if seen[sp.ID] {
			return E(Invalid, op, nil, "speaker id %s appears twice", sp.ID)
		}
		seen[sp.ID] = true
	}
	return nil
}

// Diff compares the talks stored now (by id) with the schedule s that
// replaces them, ids sorted in each list.
func (s Schedule) Diff(old map[string]Talk) ScheduleDiff {
	d := ScheduleDiff{Speakers: len(s.Speakers)}
	seen := make(map[string]bool, len(s.Talks))
	for _, t := range s.Talks {
		seen[t.ID] = true
		o, ok := old[t.ID]
		switch {
		case !ok:
			d.Added = append(d.Added, t.ID)
		case TalkChanged(o, t):
			d.Changed = append(d.Changed, t.ID)
		}
	}
	for id := range old {
		if !seen[id] {
			d.Removed = append(d.Removed, id)
		}
	}
	slices.Sort(d.Added)
	slices.Sort(d.Changed)
	slices.Sort(d.Removed)
	return d
}

// TalkChanged reports whether a talk moved, was retimed, renamed or
// re-staffed, or its do-not-record flag flipped: what makes its photos and
// recordings worth re-evaluating. Times are compared to the microsecond, as
// stores keep them; speakers as a set; a track or type change alone is not a
// change.
func TalkChanged(a, b Talk) bool {
	same := func(x, y time.Time) bool {
		return x.Truncate(time.Microsecond).Equal(y.Truncate(time.Microsecond))
	}
	sorted := func(s []string) []string {
		s = slices.Clone(s)
		slices.Sort(s)
		return s
	}
	return a.Title != b.Title || a.Room != b.Room || a.DoNotRecord != b.DoNotRecord ||
		!same(a.Start, b.Start) || !same(a.End, b.End) ||
		!slices.Equal(sorted(a.SpeakerIDs), sorted(b.SpeakerIDs))
}
