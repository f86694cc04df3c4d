package catalog

import (
	"fmt"
	"slices"
	"strings"
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
			if TalkMoved(o, t) {
				d.Moved = append(d.Moved, t.ID)
			}
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
	slices.Sort(d.Moved)
	return d
}

// TalkMoved reports whether a talk changed room, start or end, times
// compared to the microsecond.
func TalkMoved(a, b Talk) bool {
	same := func(x, y time.Time) bool {
		return x.Truncate(time.Microsecond).Equal(y.Truncate(time.Microsecond))
	}
	return a.Room != b.Room || !same(a.Start, b.Start) || !same(a.End, b.End)
}

// ReplaceReasons says why importing s over old would destroy more than a
// schedule update does, and so needs the importer's explicit consent: the
// conference differs (another title or acronym), or the import removes
// more than half of old's talks. d is s.Diff of old's talks. It returns nil
// for an ordinary update and for a first import.
func (s Schedule) ReplaceReasons(old Schedule, d ScheduleDiff) []string {
	var why []string
	if len(old.Talks) == 0 && old.Conference.Title == "" {
		return nil
	}
	norm := func(s string) string { return strings.ToLower(strings.Join(strings.Fields(s), " ")) }
	if a, b := norm(old.Conference.Title), norm(s.Conference.Title); a != "" && b != "" && a != b {
		why = append(why, fmt.Sprintf("the conference is %q, the file's is %q", old.Conference.Title, s.Conference.Title))
	}
	if a, b := norm(old.Conference.Acronym), norm(s.Conference.Acronym); a != "" && b != "" && a != b {
		why = append(why, fmt.Sprintf("the conference's acronym is %q, the file's is %q", old.Conference.Acronym, s.Conference.Acronym))
	}
	if n := len(old.Talks); n > 0 && 2*len(d.Removed) > n {
		why = append(why, fmt.Sprintf("it would remove %d of the %d talks", len(d.Removed), n))
	}
	return why
}

// TalkChanged reports whether a talk moved, was retimed, renamed or
// re-staffed, or its do-not-record flag flipped: what makes its photos and
// recordings worth re-evaluating. Times are compared to the microsecond, as
// stores keep them; speakers as a set; a track or type change alone is not a
// change.
func TalkChanged(a, b Talk) bool {
	sorted := func(s []string) []string {
		s = slices.Clone(s)
		slices.Sort(s)
		return s
	}
	return a.Title != b.Title || a.DoNotRecord != b.DoNotRecord || TalkMoved(a, b) ||
		!slices.Equal(sorted(a.SpeakerIDs), sorted(b.SpeakerIDs))
}
