package match

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"github.com/confmedia/confmedia/catalog"
)

// Index is a schedule prepared for matching. It is immutable once built and
// safe for concurrent use.
type Index struct {
	conf     catalog.Conference
	zone     *time.Location
	talks    []*talk // ordered by start (unscheduled last), then id
	byID     map[string]*talk
	rooms    map[string]string // folded name → canonical spelling
	roomList []string
	speakers map[string]catalog.Speaker // by id
	byName   map[string][]string        // folded full name → speaker ids
	byPerson map[string][]*talk         // speaker id → talks
	confName map[string]bool            // folded words of the conference title
	types    map[string]bool            // folded talk types ("keynote")
	// first and last are the conference's first and last day (midnight in
	// zone), from the timed talks; zero when none has a time.
	first, last time.Time
}

// talk is a schedule talk with what matching needs precomputed.
type talk struct {
	catalog.Talk
	room      string   // folded
	day       string   // start date in the venue's zone, "2006-01-02"; "" if unscheduled
	title     []string // folded words
	caps      map[string]bool
	people    [][]string
	refs      []string // id, guid, code, slug, URL, normalised by normRef
	scheduled bool     // has a start and a room
}

// NewIndex prepares s for matching. It returns an Invalid error when the
// schedule names no time zone or an unknown one.
func NewIndex(s catalog.Schedule) (*Index, error) {
	zone, err := s.Conference.Location()
	if err != nil {
		return nil, err
	}
	x := &Index{
		conf:     s.Conference,
		zone:     zone,
		byID:     make(map[string]*talk, len(s.Talks)),
		rooms:    make(map[string]string),
		speakers: make(map[string]catalog.Speaker, len(s.Speakers)),
		byName:   make(map[string][]string, len(s.Speakers)),
		byPerson: make(map[string][]*talk),
		confName: make(map[string]bool),
		types:    make(map[string]bool),
	}
	for _, sp := range s.Speakers {
		if _, dup := x.speakers[sp.ID]; dup {
			continue
		}
		x.speakers[sp.ID] = sp
		if f := Fold(sp.Name); f != "" {
			x.byName[f] = append(x.byName[f], sp.ID)
		}
	}
	for _, ids := range x.byName {
		slices.Sort(ids)
	}
	for _, t := range s.Talks {
		if _, dup := x.byID[t.ID]; dup {
			continue
		}
		k := &talk{Talk: t, room: Fold(t.Room), title: words(t.Title), caps: capitals(t.Title)}
		k.scheduled = !t.Start.IsZero() && k.room != ""
		if !t.Start.IsZero() {
			k.day = t.Start.In(zone).Format(time.DateOnly)
		}
		for _, id := range t.SpeakerIDs {
			if sp, ok := x.speakers[id]; ok {
				k.people = append(k.people, personWords(sp.Name))
			}
		}
		for _, r := range []string{t.ID, t.GUID, t.Code, t.Slug, t.URL} {
			if n := normRef(r); n != "" {
				k.refs = append(k.refs, n)
			}
		}
		if f := Fold(t.Type); f != "" {
			x.types[f] = true
		}
		x.talks = append(x.talks, k)
		x.byID[t.ID] = k
	}
	slices.SortStableFunc(x.talks, func(a, b *talk) int {
		switch {
		case a.Start.IsZero() != b.Start.IsZero():
			if a.Start.IsZero() {
				return 1
			}
			return -1
		case !a.Start.Equal(b.Start):
			return a.Start.Compare(b.Start)
		}
		return cmp.Compare(a.ID, b.ID)
	})
	for _, k := range x.talks {
		if k.room != "" {
			if _, ok := x.rooms[k.room]; !ok {
				x.rooms[k.room] = strings.Join(strings.Fields(k.Room), " ")
				x.roomList = append(x.roomList, x.rooms[k.room])
			}
		}
		for _, id := range k.SpeakerIDs {
			x.byPerson[id] = append(x.byPerson[id], k)
		}
	}
	slices.Sort(x.roomList)
	x.conferenceDays()
	for _, w := range words(s.Conference.Title) {
		x.confName[w] = true
	}
	// "Py Con" is often written "PyCon": accept adjacent words joined.
	cw := words(s.Conference.Title)
	for i := 0; i+1 < len(cw); i++ {
		x.confName[cw[i]+cw[i+1]] = true
	}
	return x, nil
}

// Zone returns the venue's time zone.
func (x *Index) Zone() *time.Location { return x.zone }

// Room returns the schedule's spelling of the room called name, comparing
// names folded (case, accents, punctuation), and whether there is one.
func (x *Index) Room(name string) (string, bool) {
	r, ok := x.rooms[Fold(name)]
	return r, ok
}

// Rooms returns the schedule's rooms, sorted.
func (x *Index) Rooms() []string { return slices.Clone(x.roomList) }

// SpeakerByName returns the speaker whose full name folds to the same string
// as name. It returns false when no speaker, or more than one, has that name.
func (x *Index) SpeakerByName(name string) (catalog.Speaker, bool) {
	ids := x.byName[Fold(name)]
	if len(ids) != 1 {
		return catalog.Speaker{}, false
	}
	return x.speakers[ids[0]], true
}

// speakersNamed returns the ids of the speakers that names (people tags or
// keywords) name by their exact folded full name, sorted and without
// repeats. Names shared by several speakers name none of them.
func (x *Index) speakersNamed(names []string) []string {
	var ids []string
	for _, n := range names {
		if s, ok := x.SpeakerByName(n); ok && !slices.Contains(ids, s.ID) {
			ids = append(ids, s.ID)
		}
	}
	slices.Sort(ids)
	return ids
}

// talkIDs returns the ids of talks, sorted.
func talkIDs(talks []*talk) []string {
	ids := make([]string, 0, len(talks))
	for _, k := range talks {
		ids = append(ids, k.ID)
	}
	slices.Sort(ids)
	return slices.Compact(ids)
}

// normRef normalises a talk reference (id, guid, code, slug or URL) for
// comparison: URLs lose their scheme, "www.", fragment and trailing slash;
// everything is lower-cased.
func normRef(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	if i := strings.Index(s, "://"); i >= 0 {
		s = strings.TrimPrefix(s[i+3:], "www.")
		if j := strings.IndexByte(s, '#'); j >= 0 {
			s = s[:j]
		}
	}
	return strings.TrimRight(s, "/")
}

// HasTalk reports whether the schedule has a talk with that id.
func (x *Index) HasTalk(id string) bool {
	_, ok := x.byID[id]
	return ok
}

// Talk returns the talk with that id.
func (x *Index) Talk(id string) (catalog.Talk, bool) {
	k, ok := x.byID[id]
	if !ok {
		return catalog.Talk{}, false
	}
	return k.Talk, true
}
