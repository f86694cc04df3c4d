package match

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// The partial-title layer. It runs only for a record the layers of
// MatchRecording leave unmatched, and attaches it when a person would at a
// glance: the schedule's title with a subtitle or the event's name added
// ("Keynote: The road ahead", "Welcome — PyNorth Dublin"), a title an archive
// cut short with an ellipsis, or a title contained in the other. Such a
// likeness alone decides nothing; it attaches only when the speakers agree
// (or the title names the talk's speaker), the day does not contradict the
// schedule, and no other talk remains.

// partialScore is the confidence of a partial-title attachment.
const partialScore = 0.8

// partial kinds, from the strongest.
const (
	partSegment   = iota + 1 // the schedule title is whole segments of the record's
	partCut                  // the record's title cut short with an ellipsis
	partContained            // one title's words run inside the other's
)

// partialMatch is how a record's title holds a talk's title.
type partialMatch struct {
	kind     int
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

// holds compares the record's title with talk k's and says how the one
// holds the other, if it does.
func (x *Index) holds(rec record, k *talk) (partialMatch, bool) {
	t := k.title
	if len(t) == 0 {
		return partialMatch{}, false
	}
	title, cut := ellipsisCut(rec.Title)
	segs := splitTitle(title)
	sw := make([][]string, len(segs))
	for i, s := range segs {
		sw[i] = words(s)
	}
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
	// Cut short with an ellipsis: every word but the last is the talk's,
	// and the last begins the talk's next word.
	if cut {
		for _, v := range x.titleVariantsIn(title, rec.Event) {
			n := len(v)
			if n < 2 || n > len(t) || !slices.Equal(v[:n-1], t[:n-1]) || !strings.HasPrefix(t[n-1], v[n-1]) {
				continue
			}
			if n == len(t) && v[n-1] == t[n-1] {
				continue // not cut at all; the other layers judged it
			}
			return partialMatch{kind: partCut, words: n - 1}, true
		}
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
// day, and "day".
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
	for _, s := range w {
		switch d, isDay := weekdayWord(s); {
		case x.confName[s] && !isNumber(s):
			named = true
		case isNumber(s), s == "day":
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
	var pass []partialPass
	for _, k := range x.talks {
		m, ok := x.holds(rec, k)
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
			why = fmt.Sprintf("the schedule's title %q cut short with an ellipsis", k.Title)
		default:
			why = fmt.Sprintf("the schedule's title %q and the record's one inside the other", k.Title)
		}
		switch {
		case speakers == agree:
			why += "; speakers agree"
		case speakers == disagree:
			continue
		case m.kind == partCut && m.words >= 3:
		case m.kind == partSegment && hint != nil && allEventLike(x, m.leftover, rec.Event, k.day):
		case m.kind == partSegment && hint == nil && allEventLike(x, m.leftover, rec.Event, ""):
		case m.kind == partContained && hint != nil && m.words >= 2 && x.weekdayNamed(rec):
		default:
			continue
		}
		if hint != nil {
			why += "; on " + k.day
		}
		pass = append(pass, partialPass{k: k, m: m, why: why})
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

// weekdayNamed reports whether the record's title names a day of the week.
func (x *Index) weekdayNamed(rec record) bool {
	for _, w := range words(rec.Title) {
		if _, ok := weekdayWord(w); ok {
			return true
		}
	}
	return false
}
