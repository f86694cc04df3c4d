package match

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The partial-title layer. It runs only for a record the layers of
// MatchRecording leave unmatched, and attaches it when a person would at a
// glance: the schedule's title with a subtitle, the event's name, a
// speaker's name or a day added ("Keynote: The road ahead", "Welcome —
// PyNorth Dublin", "Lightning Talks - Friday"), a title an archive cut short
// (with an ellipsis, or mid-word by a length limit), or a title contained in
// the other. Such a likeness alone decides nothing; it attaches only when
// the speakers agree (or the title names the talk's speaker), or, for a
// generic title, the rest of the title only names the event or the talk's
// day; a day the title names must be the talk's; and no other talk may
// remain. The record's own date only breaks a tie.

// partialScore is the confidence of a partial-title attachment.
const partialScore = 0.8

// partial kinds, from the strongest.
const (
	partSegment   = iota + 1 // the schedule title is whole segments of the record's
	partCut                  // the record's title cut short, mid-word (marked with an ellipsis, or not)
	partContained            // one title's words run inside the other's
)

// partialMatch is how a record's title holds a talk's title.
type partialMatch struct {
	kind     int
	marked   bool     // for partCut: the cut is marked with an ellipsis
	words    int      // schedule title words matched
	leftover []string // for partSegment: the record's other segments, as written
}

// ellipsisCut returns title without a trailing "…" or "...", and whether it
// had one.
func ellipsisCut(title string) (string, bool) {
	t := strings.TrimSpace(title)
	for _, e := range []string{"…", "..."} {
		if strings.HasSuffix(t, e) {
			return strings.TrimSpace(strings.TrimSuffix(t, e)), true
		}
	}
	return t, false
}

// weekdays names the days of the week as titles write them ("Thursday's
// Lightning Talks" folds to "thursdays").
var weekdays = map[string]time.Weekday{
	"monday": time.Monday, "tuesday": time.Tuesday, "wednesday": time.Wednesday, "thursday": time.Thursday,
	"friday": time.Friday, "saturday": time.Saturday, "sunday": time.Sunday,
}

func weekdayWord(w string) (time.Weekday, bool) {
	d, ok := weekdays[w]
	if !ok {
		d, ok = weekdays[strings.TrimSuffix(w, "s")]
	}
	return d, ok
}

// dayHint returns the schedule days the record can be on, or nil when
// nothing says: a weekday named in its title, else its room tag or start
// day. The record's own date (Recorded) is often wrong, so it only breaks
// ties (see partial).
func (x *Index) dayHint(rec record) map[string]bool {
	days := make(map[string]bool)
	for _, k := range x.talks {
		if k.day != "" {
			days[k.day] = true
		}
	}
	var named []time.Weekday
	for _, w := range words(rec.Title) {
		if d, ok := weekdayWord(w); ok && !slices.Contains(named, d) {
			named = append(named, d)
		}
	}
	if on := datesNamed(words(rec.Title), days); len(on) > 0 {
		return on
	}
	if len(named) == 1 {
		out := make(map[string]bool)
		for d := range days {
			if t, err := time.Parse(time.DateOnly, d); err == nil && t.Weekday() == named[0] {
				out[d] = true
			}
		}
		if len(out) > 0 {
			return out
		}
	}
	if rec.day != "" && days[rec.day] {
		return map[string]bool{rec.day: true}
	}
	return nil
}

// months names the months as titles write them, in full or cut to three
// letters.
var months = map[string]time.Month{
	"january": time.January, "jan": time.January, "february": time.February, "feb": time.February,
	"march": time.March, "mar": time.March, "april": time.April, "apr": time.April, "may": time.May,
	"june": time.June, "jun": time.June, "july": time.July, "jul": time.July, "august": time.August,
	"aug": time.August, "september": time.September, "sep": time.September, "sept": time.September,
	"october": time.October, "oct": time.October, "november": time.November, "nov": time.November,
	"december": time.December, "dec": time.December,
}

// datesNamed returns the schedule days (of days) that the title words name
// as a month and a day of it, in either order ("May 18th", "18 May").
func datesNamed(w []string, days map[string]bool) map[string]bool {
	dayOf := func(s string) int {
		for _, suf := range []string{"st", "nd", "rd", "th"} {
			s = strings.TrimSuffix(s, suf)
		}
		if n, err := strconv.Atoi(s); err == nil && n >= 1 && n <= 31 {
			return n
		}
		return 0
	}
	out := make(map[string]bool)
	for i, s := range w {
		m, ok := months[s]
		if !ok {
			continue
		}
		for _, j := range []int{i + 1, i - 1} {
			if j < 0 || j >= len(w) {
				continue
			}
			if n := dayOf(w[j]); n > 0 {
				for d := range days {
					if t, err := time.Parse(time.DateOnly, d); err == nil && t.Month() == m && t.Day() == n {
						out[d] = true
					}
				}
			}
		}
	}
	return out
}

// parts is a record's title taken apart for holds, once for all talks.
type parts struct {
	cut         bool       // it ends in an ellipsis
	segs        []string   // its segments (splitTitle), without the ellipsis
	segWords    [][]string // each segment's folded words
	cutVariants [][]string // titleVariantsIn of the title without the ellipsis
}

func (x *Index) partsOf(rec record) parts {
	title, cut := ellipsisCut(rec.Title)
	p := parts{cut: cut, segs: splitTitle(title), cutVariants: x.titleVariantsIn(title, rec.Event)}
	for _, s := range p.segs {
		p.segWords = append(p.segWords, words(s))
	}
	return p
}

// holds compares the record's title with talk k's and says how the one
// holds the other, if it does.
func (x *Index) holds(rec record, p parts, k *talk) (partialMatch, bool) {
	t := k.title
	if len(t) == 0 {
		return partialMatch{}, false
	}
	cut, segs, sw := p.cut, p.segs, p.segWords
	// The schedule title as a run of whole segments, with others left over.
	for i := range segs {
		var run []string
		for j := i; j < len(segs); j++ {
			run = append(run, sw[j]...)
			if len(run) > len(t) {
				break
			}
			if slices.Equal(run, t) && j-i+1 < len(segs) && !(cut && j == len(segs)-1) {
				left := slices.Concat(segs[:i:i], segs[j+1:])
				for n := range left {
					left[n] = strings.TrimSpace(left[n])
				}
				return partialMatch{kind: partSegment, words: len(t), leftover: left}, true
			}
		}
	}
	// Cut short: every word but the last is the talk's, and the last
	// begins the talk's next word. An archive marks the cut with an
	// ellipsis, or (a length limit) not at all.
	for _, v := range p.cutVariants {
		n := len(v)
		if n < 2 || n > len(t) || !slices.Equal(v[:n-1], t[:n-1]) || !strings.HasPrefix(t[n-1], v[n-1]) {
			continue
		}
		if n == len(t) && v[n-1] == t[n-1] {
			continue // not cut at all; the other layers judged it
		}
		if !cut && v[n-1] == t[n-1] {
			continue // cut at a word: the other layers judged it
		}
		return partialMatch{kind: partCut, marked: cut, words: n - 1}, true
	}
	// Containment: the talk's title runs inside the record's, or the
	// record's inside the talk's.
	for _, v := range rec.titles {
		if len(t) >= 2 && len(v) > len(t) && containsRun(v, t) {
			return partialMatch{kind: partContained, words: len(t)}, true
		}
		if len(v) >= 3 && len(t) > len(v) && containsRun(t, v) {
			return partialMatch{kind: partContained, words: len(v)}, true
		}
	}
	return partialMatch{}, false
}

// containsRun reports whether run occurs as consecutive words in w.
func containsRun(w, run []string) bool {
	for i := 0; i+len(run) <= len(w); i++ {
		if slices.Equal(w[i:i+len(run)], run) {
			return true
		}
	}
	return false
}

// eventLike reports whether a leftover title segment only names the event or
// the talk's day: conference-name words, years and numbers, the weekday of
// day, the month and day of day, and "day".
func (x *Index) eventLike(seg, event, day string) bool {
	w := words(seg)
	if len(w) == 0 {
		return false
	}
	if x.isConfName(seg) || event != "" && Fold(seg) == Fold(event) {
		return true
	}
	// The event named with a place or edition: "PyNorth Dublin 2031".
	if len(w) <= 4 && slices.ContainsFunc(w, func(s string) bool { return x.confName[s] && !isNumber(s) && len(s) >= 4 }) {
		return true
	}
	named := false
	dated := len(datesNamed(w, map[string]bool{day: true})) > 0
	for _, s := range w {
		_, isMonth := months[s]
		switch d, isDay := weekdayWord(s); {
		case x.confName[s] && !isNumber(s):
			named = true
		case isMonth:
			if !dated {
				return false
			}
			named = true
		case isNumber(s), s == "day", dated && isOrdinal(s):
		case isDay:
			t, err := time.Parse(time.DateOnly, day)
			if err != nil || t.Weekday() != d {
				return false
			}
			named = true
		default:
			return false
		}
	}
	return named
}

// isOrdinal reports whether s is a day's ordinal as titles write it ("11th").
func isOrdinal(s string) bool {
	for _, suf := range []string{"st", "nd", "rd", "th"} {
		if n, ok := strings.CutSuffix(s, suf); ok && isNumber(n) {
			return true
		}
	}
	return false
}

// namesSpeaker reports whether a leftover segment is the name of one of k's
// speakers ("Keynote — Jane Doe").
func namesSpeaker(seg string, k *talk) bool {
	p := personWords(seg)
	if len(p) < 2 {
		return false
	}
	for _, b := range k.people {
		if samePerson(p, b) {
			return true
		}
	}
	return false
}

// partialPass is a talk that passed the partial-title layer.
type partialPass struct {
	k   *talk
	m   partialMatch
	why string
}

// partial tries the partial-title layer for a record that d, the decision
// over the whole schedule, left unmatched. It returns the decision to use.
func (x *Index) partial(rec record, d RecordingDecision) RecordingDecision {
	if len(rec.titles[0]) == 0 || strings.Contains(d.Reason, "do not record") {
		return d
	}
	hint := x.dayHint(rec)
	p := x.partsOf(rec)
	var pass []partialPass
	for _, k := range x.talks {
		m, ok := x.holds(rec, p, k)
		if !ok {
			continue
		}
		if hint != nil && !hint[k.day] {
			continue
		}
		c := x.score(rec, k)
		speakers := c.speakers
		if speakers != disagree {
			for _, s := range m.leftover {
				if namesSpeaker(s, k) {
					speakers = agree
				}
			}
		}
		var why string
		switch m.kind {
		case partSegment:
			why = fmt.Sprintf("the schedule's title %q with %q added", k.Title, strings.Join(m.leftover, " / "))
		case partCut:
			why = fmt.Sprintf("the schedule's title %q cut short", k.Title)
			if m.marked {
				why += " with an ellipsis"
			}
		default:
			why = fmt.Sprintf("the schedule's title %q and the record's one inside the other", k.Title)
		}
		switch {
		case m.kind == partCut && !m.marked && (speakers != agree || m.words < 4):
			continue // an unmarked cut needs more words and the speakers
		case speakers == agree:
			why += "; speakers agree"
		case speakers == disagree:
			continue
		case m.kind == partCut && m.words >= 3:
		case m.kind == partSegment && hint != nil && allEventLike(x, m.leftover, rec.Event, k.day):
		case m.kind == partSegment && hint == nil && allEventLike(x, m.leftover, rec.Event, ""):
		case m.kind == partContained && hint != nil && m.words >= 2 && x.dayNamed(rec):
		default:
			continue
		}
		if hint != nil {
			why += "; on " + k.day
		}
		pass = append(pass, partialPass{k: k, m: m, why: why})
	}
	// A talk whose title the record holds by clearly more words, as
	// closely, outweighs the others ("Async Django in production: lessons"
	// holds "Async Django" too).
	if len(pass) > 1 {
		slices.SortStableFunc(pass, func(a, b partialPass) int {
			return cmp.Or(cmp.Compare(b.m.words, a.m.words), cmp.Compare(a.m.kind, b.m.kind))
		})
		top := pass[0]
		if !slices.ContainsFunc(pass[1:], func(p partialPass) bool { return p.m.words+2 > top.m.words || p.m.kind < top.m.kind }) {
			pass = pass[:1]
		}
	}
	// The record's own date breaks a tie when it is a day of one of them.
	if len(pass) > 1 && rec.recorded != "" {
		var on []partialPass
		for _, p := range pass {
			if p.k.day == rec.recorded {
				p.why += "; recorded on " + p.k.day
				on = append(on, p)
			}
		}
		if len(on) > 0 {
			pass = on
		}
	}
	// Nothing else may come close: a talk the whole-schedule layer found
	// nearly the same by title stays a rival.
	var rivals []string
	for _, id := range d.Candidates {
		if k := x.byID[id]; k != nil && (hint == nil || hint[k.day]) && !slices.ContainsFunc(pass, func(p partialPass) bool { return p.k == k }) {
			if c := x.score(rec, k); c.title >= nearScore && c.speakers != disagree {
				rivals = append(rivals, id)
			}
		}
	}
	switch {
	case len(pass) == 1 && len(rivals) == 0:
		return x.attach(pass[0].k, partialScore, pass[0].why)
	case len(pass)+len(rivals) >= 2 && len(pass) >= 1:
		out := RecordingDecision{Score: partialScore}
		var names []string
		for _, p := range pass {
			out.Candidates = append(out.Candidates, p.k.ID)
			names = append(names, p.k.ID)
		}
		out.Candidates = append(out.Candidates, rivals...)
		names = append(names, rivals...)
		if len(out.Candidates) > maxCandidates {
			out.Candidates = out.Candidates[:maxCandidates]
		}
		out.Reason = fmt.Sprintf("%q could be any of talks %s", rec.Title, strings.Join(names, ", "))
		return out
	}
	return d
}

func allEventLike(x *Index, segs []string, event, day string) bool {
	for _, s := range segs {
		if !x.eventLike(s, event, day) {
			return false
		}
	}
	return len(segs) > 0
}

// dayNamed reports whether the record's title names a day of the week or
// a date of the schedule.
func (x *Index) dayNamed(rec record) bool {
	w := words(rec.Title)
	for _, s := range w {
		if _, ok := weekdayWord(s); ok {
			return true
		}
	}
	days := make(map[string]bool)
	for _, k := range x.talks {
		if k.day != "" {
			days[k.day] = true
		}
	}
	return len(datesNamed(w, days)) > 0
}
