package match

import (
	"fmt"
	"slices"
	"time"
)

// suggestFar looks for the clock offset of a camera whose photos mostly
// fall outside the conference's days (out of them do, with current): a
// clock never set (it starts at 2000-01-01 or the firmware's date), set a
// year or a month wrong, or reset by a flat battery. Such a clock still
// measures the time between photos, so one offset moves them all back to
// where they were taken. It tries every offset that brings the photos into
// the conference's days and counts the photos that land in a talk window
// of their room, as TagPhoto would put them there (photos without a room
// the schedule knows count when they land in any room's talk).
//
// It suggests the offset of the best run (most photos landing, then the
// nearest current, and in it the roundest value nearest its middle) when
// at least MinClockSamples photos and at least half of those with a
// capture time land. The reason gives the evidence: how many photos, the
// dates they carry, how many land in talks with the offset and with the
// current one, and another offset that lands as many when there is one (a
// schedule whose days repeat the same slots leaves the day in doubt).
func (x *Index) suggestFar(samples []ClockSample, current time.Duration, out int) (OffsetSuggestion, bool) {
	if x.first.IsZero() {
		return OffsetSuggestion{}, false
	}
	lines := x.newClockLines()
	ps := lines.place(samples, "", true)
	total := len(ps)
	if total < MinClockSamples {
		return OffsetSuggestion{}, false
	}
	minPos, maxPos := ps[0].pos, ps[0].pos
	for _, p := range ps {
		minPos, maxPos = min(minPos, p.pos), max(maxPos, p.pos)
	}
	// Offsets that bring every photo near the conference: the slack of a
	// day covers the difference between the wall and the abs lines.
	lo, hi := x.conferenceWindow()
	r := span{lines.linePos(lo, false) - maxPos - 24*time.Hour, lines.linePos(hi, false) - minPos + 24*time.Hour}
	if r.lo > r.hi {
		// The photos span more time than the conference: count the
		// offsets that bring the first or the last of them in.
		r = span{lines.linePos(lo, false) - maxPos, lines.linePos(hi, false) - minPos}
		r.lo, r.hi = min(r.lo, r.hi), max(r.lo, r.hi)
	}
	segs := sweep(ps, r)
	if len(segs) == 0 {
		return OffsetSuggestion{}, false
	}
	slices.SortStableFunc(segs, bySupportThenNearness(current))
	best := segs[0]
	if best.n < MinClockSamples || best.n*2 < total {
		return OffsetSuggestion{}, false
	}
	o := roundest(best, best.lo+(best.hi-best.lo)/2)
	inside, cur := countAt(ps, o), countAt(ps, current)
	if inside <= cur {
		return OffsetSuggestion{}, false
	}
	// Another run as good, an hour or more away, leaves the offset in doubt.
	var alt time.Duration
	hasAlt := false
	for _, sg := range segs[1:] {
		if sg.n < best.n {
			break
		}
		if a := roundest(sg, sg.lo+(sg.hi-sg.lo)/2); (a - o).Abs() >= time.Hour {
			alt, hasAlt = a, true
			break
		}
	}

	earliest, latest := ps[0].sample.Wall.Wall, ps[0].sample.Wall.Wall
	noRoom := 0
	for _, p := range ps {
		w := p.sample.Wall.Wall
		if w.Before(earliest) {
			earliest = w
		}
		if w.After(latest) {
			latest = w
		}
		if p.room == "" {
			noRoom++
		}
	}
	dates := earliest.Format(time.DateOnly)
	if d := latest.Format(time.DateOnly); d != dates {
		dates += " to " + d
	}
	where := "inside talks in their rooms"
	if noRoom == total {
		where = "inside talks (no room was given, so any room's)"
	} else if noRoom > 0 {
		where = fmt.Sprintf("inside talks in their rooms (any room's for the %d without one)", noRoom)
	}
	reason := fmt.Sprintf("%s of %d photos dated %s, outside the conference (%s); shifting by %s puts %d of them %s, against %d with the current %s",
		thousands(out), total, dates, x.daysText(), FormatOffset(o), inside, where, cur, FormatOffset(current))
	if hasAlt {
		reason += fmt.Sprintf("; shifting by %s puts as many, so check one photo against a clock (`confmedia upload --sync`)", FormatOffset(alt))
	}
	return OffsetSuggestion{Offset: o, Inside: inside, CurrentInside: cur, Total: total, Reason: reason}, true
}
