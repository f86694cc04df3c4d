package match

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/confmedia/confmedia/catalog"
)

// RecordingDecision is where a recording belongs.
type RecordingDecision struct {
	TalkID     string   // "" when the recording is left unmatched
	Reason     string   // how it was matched, or why not
	Candidates []string // when unmatched: the likeliest talks, best first, at most 3
	Score      float64  // confidence in [0, 1] for TalkID, or for the best candidate
}

// maxCandidates bounds the candidates an unmatched recording lists.
const maxCandidates = 3

// Title scores. A title that is the same after folding scores 1; the same
// but for an abbreviation ("JWST" for "James Webb Space Telescope"),
// scoreAcronym; one title cut short, scorePrefix; and otherwise titles
// score their word overlap (2·LCS/(len a + len b)), counting as nearly the
// same from nearTitle on.
const (
	scoreAcronym = 0.97
	scorePrefix  = 0.9
	nearTitle    = 0.75
	nearScore    = nearTitle * 0.95 // the least score of a title nearly the same
	weakTitle    = 0.5              // enough when speakers agree and room and day are known
	margin       = 0.04             // how far the best must lead the next
	minCandidate = 0.3              // below this a title is not worth showing a reviewer
)

// MatchRecording decides which talk a recording is of. The evidence is
// used in layers, the first that decides wins:
//
//  1. An explicit reference: TalkRef, the record's URL or a URL in its
//     description equal to a talk's id, guid, code, slug or URL.
//  2. Room and time: the record's Room and Start (a wall-clock time in the
//     venue's zone) fall in one talk, by the same windows as photos, and its
//     title does not contradict it.
//  3. Room and day: the record's Room (or a "[Room on 2006-01-02]" tag in
//     its description) and date narrow the talks, and the title, or the
//     speakers with a title alike, pick one of them.
//  4. Title and speakers over the whole schedule: the same folded title
//     (after dropping a leading or trailing conference name such as
//     "EuroPython 2022: …", or a leading talk type such as "Keynote: …")
//     attaches; a title cut short, a changed word or phrase, or an
//     abbreviation attaches only when the speakers agree.
//  5. Partial titles, for a record still unmatched: the schedule's title
//     with a subtitle or the event's name added, cut short with an
//     ellipsis, or contained in the record's, when the speakers, the day
//     and the title all point to one talk and no other comes close (see
//     partial). When two talks remain, both are candidates.
//
// Speakers are compared folded and without honorifics, and a first name or
// surname alone or initials match the full name. The record's own date
// (Recorded), often wrong, only breaks ties between talks that match equally
// and is ignored when no such talk is on that date.
//
// When no talk stands out, TalkID is "" and Reason and Candidates say why.
// A talk marked DoNotRecord never gets a recording: a record that matches
// it is left unmatched with reason "talk … is marked do not record" and that
// talk as its candidate.
func (x *Index) MatchRecording(r catalog.Recording) RecordingDecision {
	if k := x.byReference(r); k != nil {
		return x.attach(k, 1, "explicit reference to talk "+k.ID)
	}
	rec := x.prepare(r)
	if rec.room != "" && !rec.at.IsZero() {
		if k := x.byRoomTime(rec); k != nil {
			return x.attach(k, 0.95, fmt.Sprintf("room and time: %s at %s", x.rooms[rec.room], rec.at.Format("15:04 on 2006-01-02")))
		}
	}
	if rec.room != "" && rec.day != "" {
		var in []*talk
		for _, k := range x.talks {
			if k.room == rec.room && k.day == rec.day {
				in = append(in, k)
			}
		}
		if d, ok := x.pick(rec, in, true); ok {
			return d
		}
	}
	d, _ := x.pick(rec, x.talks, false)
	if d.TalkID == "" {
		d = x.partial(rec, d)
	}
	return d
}

// record is a recording prepared for matching.
type record struct {
	catalog.Recording
	titles   [][]string      // folded title variants
	acronyms map[string]bool // folded words written in capitals in the title
	people   [][]string
	room     string    // folded, known to the schedule; "" if none
	day      string    // "2006-01-02" from Start or the description; "" if none
	at       time.Time // from Start; zero if none
	recorded string    // "2006-01-02" from Recorded; "" if none
}

// prepare folds what matching compares in r.
func (x *Index) prepare(r catalog.Recording) record {
	rec := record{Recording: r, acronyms: capitals(r.Title)}
	for _, s := range r.Speakers {
		if w := personWords(s); len(w) > 0 {
			rec.people = append(rec.people, w)
		}
	}
	rec.titles = x.titleVariantsIn(r.Title, r.Event)
	if room := Fold(r.Room); room != "" {
		if _, ok := x.rooms[room]; ok {
			rec.room = room
		}
	}
	if s := strings.TrimSpace(r.Start); s != "" {
		rec.at, rec.day = x.parseStart(s)
	}
	if rec.room == "" || rec.day == "" {
		if room, day := x.placeTag(r.Description); room != "" {
			if rec.room == "" {
				rec.room = room
			}
			if rec.day == "" {
				rec.day = day
			}
		}
	}
	if len(r.Recorded) >= len(time.DateOnly) {
		if d, err := time.Parse(time.DateOnly, r.Recorded[:len(time.DateOnly)]); err == nil {
			rec.recorded = d.Format(time.DateOnly)
		}
	}
	return rec
}

// parseStart reads a record's start: a wall-clock time in the venue's zone
// ("2006-01-02T15:04", with optional seconds, or with a space), an RFC 3339
// instant, or a bare date.
func (x *Index) parseStart(s string) (time.Time, string) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		t = t.In(x.zone)
		return t, t.Format(time.DateOnly)
	}
	for _, layout := range []string{"2006-01-02T15:04", "2006-01-02T15:04:05", "2006-01-02 15:04", "2006-01-02 15:04:05"} {
		if w, err := time.Parse(layout, s); err == nil {
			return resolveWall(w, x.zone), w.Format(time.DateOnly)
		}
	}
	if len(s) >= len(time.DateOnly) {
		if d, err := time.Parse(time.DateOnly, s[:len(time.DateOnly)]); err == nil {
			return time.Time{}, d.Format(time.DateOnly)
		}
	}
	return time.Time{}, ""
}

// placeTag finds a "[Room on 2006-01-02]" tag naming a known room in a
// description, as video teams write them, and returns the folded room and
// the date.
func (x *Index) placeTag(desc string) (room, day string) {
	for rest := desc; ; {
		i := strings.IndexByte(rest, '[')
		if i < 0 {
			return "", ""
		}
		rest = rest[i+1:]
		j := strings.IndexAny(rest, "[]\n")
		if j < 0 {
			return "", ""
		}
		tag := rest[:j]
		k := strings.LastIndex(tag, " on ")
		if k < 0 {
			continue
		}
		f := Fold(tag[:k])
		if _, ok := x.rooms[f]; !ok {
			continue
		}
		if d, err := time.Parse(time.DateOnly, strings.TrimSpace(tag[k+4:])); err == nil {
			return f, d.Format(time.DateOnly)
		}
	}
}

// titleVariants returns the folded words of title, and of title without a
// leading or trailing conference name or a leading talk type.
func (x *Index) titleVariants(title string) [][]string { return x.titleVariantsIn(title, "") }

// titleVariantsIn is titleVariants for a record the archive files under
// event (a pyvideo category's title), which names the conference too.
func (x *Index) titleVariantsIn(title, event string) [][]string {
	out := [][]string{words(title)}
	segs := splitTitle(title)
	if len(segs) < 2 {
		return out
	}
	ev := Fold(event)
	conf := func(seg string) bool { return x.isConfName(seg) || ev != "" && Fold(seg) == ev }
	first, last := 0, len(segs)
	if conf(segs[0]) || x.types[Fold(segs[0])] {
		first = 1
	}
	if last-first >= 2 && conf(segs[last-1]) {
		last--
	}
	if first > 0 || last < len(segs) {
		out = append(out, words(strings.Join(segs[first:last], " ")))
	}
	// A leading type after a conference name: "EuroPython 2022 - Keynote: …".
	if first == 1 && last-first >= 2 && x.types[Fold(segs[1])] {
		out = append(out, words(strings.Join(segs[2:last], " ")))
	}
	return out
}

// splitTitle splits a title at the separators that set off a prefix or
// suffix: colons, vertical bars and dashes with spaces around them.
func splitTitle(s string) []string {
	for _, sep := range []string{" - ", " – ", " — ", " | ", "|"} {
		s = strings.ReplaceAll(s, sep, "\x00")
	}
	s = strings.ReplaceAll(s, ":", "\x00")
	var out []string
	for _, seg := range strings.Split(s, "\x00") {
		if strings.TrimSpace(seg) != "" {
			out = append(out, seg)
		}
	}
	return out
}

// isConfName reports whether a title segment names the conference: all its
// words are words of the conference's title or years, and one is not a
// number.
func (x *Index) isConfName(seg string) bool {
	w := words(seg)
	named := false
	for _, s := range w {
		switch {
		case isYear(s):
		case x.confName[s]:
			named = named || !isNumber(s)
		case len(s) > 4 && isYear(s[len(s)-4:]) && x.confName[s[:len(s)-4]]:
			named = true // "pycon2009"
		default:
			return false
		}
	}
	return named
}

func isNumber(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

func isYear(s string) bool {
	return len(s) == 4 && isNumber(s) && (s[:2] == "19" || s[:2] == "20")
}

// capitals returns the folded form of the words written all in capitals
// (two letters or more) in s: the abbreviations a title may use.
func capitals(s string) map[string]bool {
	out := make(map[string]bool)
	for _, w := range strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		letters := 0
		for _, r := range w {
			if unicode.IsLetter(r) {
				letters++
			}
		}
		if letters >= 2 && strings.ToUpper(w) == w {
			out[Fold(w)] = true
		}
	}
	return out
}

// byReference returns the talk the record refers to explicitly, or nil.
func (x *Index) byReference(r catalog.Recording) *talk {
	refs := []string{r.TalkRef, r.URL}
	refs = append(refs, urls(r.Description)...)
	for _, ref := range refs {
		n := normRef(ref)
		if n == "" {
			continue
		}
		if k := x.refTalk(n); k != nil {
			return k
		}
	}
	// A talk reference given as a URL whose last path element is the
	// talk's id, guid or code (".../talk/KPW7X7/").
	if n := normRef(r.TalkRef); strings.Contains(n, "/") {
		if k := x.refTalk(n[strings.LastIndexByte(n, '/')+1:]); k != nil {
			return k
		}
	}
	return nil
}

// refTalk returns the one talk with the normalised reference n.
func (x *Index) refTalk(n string) *talk {
	var found *talk
	for _, k := range x.talks {
		if slices.Contains(k.refs, n) {
			if found != nil && found != k {
				return nil
			}
			found = k
		}
	}
	return found
}

// urls returns the http(s) URLs in s.
func urls(s string) []string {
	var out []string
	for {
		i := strings.Index(s, "http")
		if i < 0 {
			return out
		}
		s = s[i:]
		end := strings.IndexFunc(s, func(r rune) bool { return unicode.IsSpace(r) || strings.ContainsRune(`"'<>()[]`, r) })
		if end < 0 {
			end = len(s)
		}
		if u := s[:end]; strings.HasPrefix(u, "http://") || strings.HasPrefix(u, "https://") {
			out = append(out, strings.TrimRight(u, ".,;"))
		}
		s = s[max(end, 4):]
	}
}

// byRoomTime returns the one talk in the record's room at its start time,
// unless the record's title and speakers say it is another talk.
func (x *Index) byRoomTime(rec record) *talk {
	talks := x.inRoomAt(rec.room, rec.at)
	if len(talks) != 1 {
		return nil
	}
	k := talks[0]
	if len(rec.titles[0]) == 0 {
		return k
	}
	m := x.score(rec, k)
	if m.title < weakTitle && m.speakers != agree {
		return nil
	}
	return k
}

// speakers agreement between a record and a talk.
const (
	unknown  = iota // one side names nobody
	agree           // a person on both sides
	disagree        // nobody in common
)

// candidate is one talk scored against a record.
type candidate struct {
	k        *talk
	title    float64
	how      string // how the titles compare
	speakers int
	total    float64
}

// score compares rec with talk k.
func (x *Index) score(rec record, k *talk) candidate {
	c := candidate{k: k}
	for _, v := range rec.titles {
		if s, how := titleScore(v, k.title, rec.acronyms, k.caps); s > c.title {
			c.title, c.how = s, how
		}
	}
	switch {
	case len(rec.people) == 0 || len(k.people) == 0:
		c.speakers = unknown
	default:
		c.speakers = disagree
		for _, a := range rec.people {
			for _, b := range k.people {
				if samePerson(a, b) {
					c.speakers = agree
				}
			}
		}
	}
	c.total = c.title
	switch c.speakers {
	case agree:
		c.total += 0.05
	case disagree:
		c.total -= 0.05
	}
	return c
}

// accepted reports whether c is good enough to attach: the same title, or a
// title alike and speakers who agree. Within a room and day (narrow), a title
// alike suffices unless the speakers disagree, and a weaker likeness when
// they agree.
func (c candidate) accepted(narrow bool) bool {
	switch {
	case c.title >= scoreAcronym:
		return true
	case c.title >= nearScore && c.speakers == agree:
		return true
	case narrow && c.title >= nearScore && c.speakers == unknown:
		return true
	case narrow && c.title >= weakTitle && c.speakers == agree:
		return true
	}
	return false
}

// pick chooses among talks by title and speakers. It returns ok only when
// it attaches, or when narrow is false (the decision is then final).
func (x *Index) pick(rec record, talks []*talk, narrow bool) (RecordingDecision, bool) {
	var all, good []candidate
	for _, k := range talks {
		c := x.score(rec, k)
		if c.title >= minCandidate || c.speakers == agree {
			all = append(all, c)
		}
		if c.accepted(narrow) {
			good = append(good, c)
		}
	}
	byTotal := func(a, b candidate) int {
		if a.total != b.total {
			return cmp.Compare(b.total, a.total)
		}
		return cmp.Compare(a.k.ID, b.k.ID)
	}
	slices.SortFunc(all, byTotal)
	slices.SortFunc(good, byTotal)
	// The record's date only breaks ties, and only when it is one of the
	// schedule's dates for these talks.
	if len(good) > 1 && rec.recorded != "" {
		var on []candidate
		for _, c := range good {
			if c.k.day == rec.recorded {
				on = append(on, c)
			}
		}
		if len(on) > 0 {
			good = on
		}
	}
	where := ""
	if narrow {
		where = fmt.Sprintf("room and day (%s on %s); ", x.rooms[rec.room], rec.day)
	}
	switch {
	case len(good) == 1 || len(good) > 1 && good[0].total-good[1].total >= margin:
		c := good[0]
		return x.attach(c.k, min(c.total, 1), where+c.describe()), true
	case narrow:
		return RecordingDecision{}, false
	}
	d := RecordingDecision{}
	if len(good) > 1 {
		d.Reason = fmt.Sprintf("several talks match %q equally well", rec.Title)
		for _, c := range good {
			d.Candidates = append(d.Candidates, c.k.ID)
		}
	} else {
		for _, c := range all {
			d.Candidates = append(d.Candidates, c.k.ID)
		}
		switch {
		case len(rec.titles[0]) == 0 && len(all) == 0:
			d.Reason = "no talk matches: the record has no title, and no talk reference or room and time that the schedule knows"
		case len(all) == 0:
			d.Reason = fmt.Sprintf("no talk matches %q", rec.Title)
		case all[0].title >= nearScore:
			d.Reason = fmt.Sprintf("the title %q is close to talk %s but the speakers do not confirm it", rec.Title, all[0].k.ID)
		default:
			d.Reason = fmt.Sprintf("no talk matches %q closely enough", rec.Title)
		}
	}
	if len(all) > 0 {
		d.Score = max(0, min(all[0].total, 1))
	}
	if len(d.Candidates) > maxCandidates {
		d.Candidates = d.Candidates[:maxCandidates]
	}
	return d, true
}

// describe says how a candidate matched, for a decision's reason.
func (c candidate) describe() string {
	switch c.speakers {
	case agree:
		return c.how + "; speakers agree"
	case disagree:
		return c.how + "; speakers differ"
	}
	return c.how
}

// attach is the decision to attach a recording to k, unless k is not to be
// recorded.
func (x *Index) attach(k *talk, score float64, reason string) RecordingDecision {
	if k.DoNotRecord {
		return RecordingDecision{Reason: fmt.Sprintf("talk %s %q is marked do not record", k.ID, k.Title), Candidates: []string{k.ID}, Score: score}
	}
	return RecordingDecision{TalkID: k.ID, Reason: reason, Score: score}
}

// titleScore compares a record's title words a with a talk's b, given the
// words each wrote in capitals. See the score constants.
func titleScore(a, b []string, capsA, capsB map[string]bool) (float64, string) {
	if len(a) == 0 || len(b) == 0 {
		return 0, ""
	}
	if slices.Equal(a, b) {
		return 1, "same title"
	}
	a2, b2 := expandAbbrev(b, a, capsB), expandAbbrev(a, b, capsA)
	if slices.Equal(a2, b2) {
		return scoreAcronym, "same title but for an abbreviation"
	}
	short, long := a2, b2
	if len(short) > len(long) {
		short, long = long, short
	}
	if len(short) >= 2 && slices.Equal(short, long[:len(short)]) {
		return scorePrefix, "title cut short"
	}
	sim := 2 * float64(lcs(a2, b2)) / float64(len(a2)+len(b2))
	if sim >= nearTitle {
		return sim * 0.95, fmt.Sprintf("title nearly the same (%.2f)", sim)
	}
	return sim * 0.9, fmt.Sprintf("titles alike (%.2f)", sim)
}

// expandAbbrev returns other with each run of words whose initials spell a
// word of a written in capitals (caps) replaced by that word, so that "jwst"
// in a lines up with "james webb space telescope" in other. Only words absent
// from other count.
func expandAbbrev(a, other []string, caps map[string]bool) []string {
	out := other // cloned before the first change
	for _, w := range a {
		n := len(w)
		if !caps[w] || n < 2 || n > 8 || slices.Contains(other, w) {
			continue
		}
		for i := 0; i+n <= len(out); i++ {
			ok := true
			for j := 0; j < n && ok; j++ {
				ok = out[i+j] != "" && out[i+j][0] == w[j]
			}
			if ok {
				out = slices.Concat(out[:i:i], []string{w}, out[i+n:])
				break
			}
		}
	}
	return out
}

// lcs returns the length of the longest common subsequence of a and b.
func lcs(a, b []string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for i := range a {
		for j := range b {
			if a[i] == b[j] {
				cur[j+1] = prev[j] + 1
			} else {
				cur[j+1] = max(cur[j], prev[j+1])
			}
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
