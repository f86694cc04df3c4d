package match

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/confmedia/confmedia/catalog"
)

// MaxClockOffset bounds the clock offsets SuggestOffset and DeriveOffset
// consider plausible: at most this far from zero (a camera set to any time
// zone on earth) or from the camera's current offset. Larger corrections,
// such as for a camera whose clock reset to 2000-01-01, are set by hand or
// from a photo of a clock.
const MaxClockOffset = 14 * time.Hour

// MinClockSamples is the fewest photos, with a capture time and a room the
// schedule knows, on which SuggestOffset bases a suggestion.
const MinClockSamples = 3

// SuggestOffset's thresholds, in percent of the photos it counts.
const (
	suggestMinInside = 60 // the suggested offset lands at least this many
	suggestMinGain   = 30 // and this many more than the current one
	hourSlack        = 10 // a whole-hour shift wins when it lands at most this many fewer than the best offset
)

// ClockSample is one photo of a camera: its capture time as the camera
// recorded it and the room given at upload.
type ClockSample struct {
	MediaID, Room string
	Wall          catalog.CameraTime
}

// OffsetSuggestion is a clock offset SuggestOffset proposes for a camera:
// with Offset, Inside of its Total photos land in a talk of their room,
// against CurrentInside with its current offset. Reason says so in words.
type OffsetSuggestion struct {
	Offset                       time.Duration
	Inside, CurrentInside, Total int
	Reason                       string
}

// FormatOffset spells a clock offset the way the CLI and API show it:
// "+1h0m0s", "-7m30s", "0s".
// Offsets of a day or more lead with whole days: "+7955d3h0m0s".
// ParseOffset reads every form back.
func FormatOffset(d time.Duration) string {
	sign := ""
	switch {
	case d > 0:
		sign = "+"
	case d < 0:
		sign = "-"
	}
	a := d.Abs()
	const day = 24 * time.Hour
	if a < day {
		return sign + a.String()
	}
	s := sign + strconv.FormatInt(int64(a/day), 10) + "d"
	if r := a % day; r != 0 {
		s += r.String()
	}
	return s
}

// ParseOffset reads a clock offset: a Go duration with an optional sign,
// optionally led by whole days ("+1h", "-7m30s", "0", "+7955d3h"). Anything
// else is an Invalid error.
func ParseOffset(v string) (time.Duration, error) {
	bad := catalog.E(catalog.Invalid, "match.ParseOffset", nil, "clock offset %q: want a duration like +1h, -7m30s or +400d2h", v)
	s := strings.TrimSpace(v)
	neg := false
	switch {
	case strings.HasPrefix(s, "+"):
		s = s[1:]
	case strings.HasPrefix(s, "-"):
		s, neg = s[1:], true
	}
	if s == "" || s[0] == '+' || s[0] == '-' {
		return 0, bad
	}
	var d time.Duration
	if i := strings.IndexByte(s, 'd'); i >= 0 {
		n, err := strconv.ParseInt(s[:i], 10, 64)
		if err != nil || n < 0 || n > 100*366 {
			return 0, bad
		}
		d, s = time.Duration(n)*24*time.Hour, s[i+1:]
	}
	if s != "" {
		r, err := time.ParseDuration(s)
		if err != nil || r < 0 {
			return 0, bad
		}
		d += r
	}
	if neg {
		d = -d
	}
	return d, nil
}

// SuggestOffset looks for a clock offset under which a camera's photos fall
// in the talks of their rooms, when they mostly do not with its current one
// (a camera left on standard time after a DST switch is an hour off; others
// drift by minutes or were never set). A photo lands in a talk by the rule
// TagPhoto applies: in its room, from BeforeStart before a talk's start to
// AfterEnd after its end. Photos without a capture time or a room the
// schedule knows are not counted.
//
// Shifts of the current offset by whole hours (±1h, ±2h… up to
// MaxClockOffset) are tried first; then every offset within MaxClockOffset
// of zero or of current. Among the offsets that land the most photos, the
// run nearest current is taken and in it the roundest value (a whole hour,
// else a quarter hour, a minute, a second) nearest the run's middle. The
// best whole-hour shift is preferred when it lands at most 10% of the
// photos fewer.
//
// It suggests only when that is clearly better: at least MinClockSamples
// photos are counted, the offset lands at least 60% of them and at least 30
// percentage points more than current. Otherwise it returns false. It never
// changes anything.
//
// A camera whose photos mostly fall outside the conference's days (at least
// MinClockSamples of them and more than half of those with a capture time;
// see DaysOff) has a clock that was never set or reset itself: then
// SuggestOffset first looks further, see suggestFar.
func (x *Index) SuggestOffset(samples []ClockSample, current time.Duration) (OffsetSuggestion, bool) {
	dated, out := 0, 0
	for _, s := range samples {
		if s.Wall.IsZero() {
			continue
		}
		dated++
		if _, off := x.DaysOff(ResolveTime(s.Wall, current, x.zone)); off {
			out++
		}
	}
	if out >= MinClockSamples && out*2 > dated {
		if sg, ok := x.suggestFar(samples, current, out); ok {
			return sg, true
		}
	}
	return x.suggestNear(samples, current)
}

// suggestNear is SuggestOffset within MaxClockOffset of zero or current.
func (x *Index) suggestNear(samples []ClockSample, current time.Duration) (OffsetSuggestion, bool) {
	lines := x.newClockLines()
	ps := lines.place(samples, "", false)
	total := len(ps)
	if total < MinClockSamples {
		return OffsetSuggestion{}, false
	}
	cur := x.landed(ps, current)

	hour, hourN := current, -1
	for k := time.Hour; k <= MaxClockOffset; k += time.Hour {
		for _, o := range []time.Duration{current + k, current - k} {
			if n := countAt(ps, o); n > hourN {
				hour, hourN = o, n
			}
		}
	}
	var segs []segment
	for _, r := range plausible(current) {
		segs = append(segs, sweep(ps, r)...)
	}
	slices.SortStableFunc(segs, bySupportThenNearness(current))
	var picks []time.Duration
	if len(segs) > 0 {
		if hourN >= segs[0].n-total*hourSlack/100 {
			picks = append(picks, hour)
		}
		// Inside its run, the roundest offset nearest the middle keeps a
		// margin on both sides for photos yet to come.
		picks = append(picks, roundest(segs[0], segs[0].lo+(segs[0].hi-segs[0].lo)/2))
	}
	for _, o := range picks {
		inside := x.landed(ps, o)
		if o == current || inside*100 < suggestMinInside*total || (inside-cur)*100 < suggestMinGain*total {
			continue
		}
		return OffsetSuggestion{Offset: o, Inside: inside, CurrentInside: cur, Total: total,
			Reason: offsetReason(o, current, inside, cur, total)}, true
	}
	return OffsetSuggestion{}, false
}

// offsetReason says why offset o is suggested.
func offsetReason(o, current time.Duration, inside, cur, total int) string {
	var hint string
	switch d := o - current; {
	case d == time.Hour || d == -time.Hour:
		hint = "the clock seems an hour off (not switched to or from summer time?): "
	case d%time.Hour == 0:
		hint = "the clock seems set to another time zone: "
	}
	return fmt.Sprintf("%swith offset %s, %d of %d photos fall in a talk in their room; with the current %s, %d",
		hint, FormatOffset(o), inside, total, FormatOffset(current), cur)
}

// DeriveOffset derives a camera's clock offset from a person's word that
// sample shows talk talkID: it returns an offset within MaxClockOffset of
// zero or of current that puts the photo's capture time inside the talk's
// [start, end) (a talk without a duration counts as lasting AfterEnd).
// Among those offsets it takes the ones that land the most of others (the
// camera's other photos; sample itself is skipped by MediaID) in a talk of
// their room, as SuggestOffset counts them; among equally good runs of
// offsets the one nearest current, and in it the roundest value (a whole
// hour, else a quarter hour, a minute, a second), nearest current.
//
// A photo that falls outside the conference's days (see DaysOff) with
// current, and in the talk under no plausible offset, was taken with a
// clock that was never set: then any offset that puts it in the talk is
// considered.
//
// When the photo already falls in the talk with current, it returns
// current. The error is NotFound for a talk the schedule does not have, and
// Invalid for a photo without a capture time, a talk without a time, or when
// no plausible offset puts the photo in the talk.
func (x *Index) DeriveOffset(sample ClockSample, talkID string, others []ClockSample, current time.Duration) (time.Duration, error) {
	const op = "match.DeriveOffset"
	if sample.Wall.IsZero() {
		return current, catalog.E(catalog.Invalid, op, nil, "the photo has no capture time")
	}
	k, ok := x.byID[talkID]
	if !ok {
		return current, catalog.E(catalog.NotFound, op, nil, "no talk %q in the schedule", talkID)
	}
	if k.Start.IsZero() {
		return current, catalog.E(catalog.Invalid, op, nil, "talk %q has no time in the schedule", talkID)
	}
	start, end := k.Start, k.End
	if !end.After(start) {
		end = start.Add(AfterEnd)
	}
	in := func(o time.Duration) bool {
		t := ResolveTime(sample.Wall, o, x.zone)
		return !t.Before(start) && t.Before(end)
	}
	if in(current) {
		return current, nil
	}
	lines := x.newClockLines()
	pos, abs := clockPos(sample.Wall)
	want := span{lines.linePos(start, abs) - pos, lines.linePos(end, abs) - pos - 1}
	ps := lines.place(others, sample.MediaID, false)
	var segs []segment
	for _, r := range plausible(current) {
		if r.lo < want.lo {
			r.lo = want.lo
		}
		if r.hi > want.hi {
			r.hi = want.hi
		}
		if r.lo <= r.hi {
			segs = append(segs, sweep(ps, r)...)
		}
	}
	if _, out := x.DaysOff(ResolveTime(sample.Wall, current, x.zone)); out && len(segs) == 0 {
		// A clock never set: the photo is days or years off, and the
		// person's word is the evidence for any offset.
		segs = sweep(ps, want)
	}
	slices.SortStableFunc(segs, bySupportThenNearness(current))
	for _, sg := range segs {
		if o := roundest(sg, current); in(o) {
			return o, nil
		}
	}
	return current, catalog.E(catalog.Invalid, op, nil,
		"no clock offset within %s of zero or of the current %s puts the photo (%s by the camera's clock) in talk %q (%s to %s)",
		MaxClockOffset, FormatOffset(current), sample.Wall.Wall.Format("2006-01-02 15:04:05"), talkID,
		start.In(x.zone).Format("2006-01-02 15:04"), end.In(x.zone).Format("15:04"))
}

// span is the closed interval [lo, hi] of positions or offsets.
type span struct{ lo, hi time.Duration }

// segment is a half-open run [lo, hi) of offsets under each of which n
// photos land in a talk.
type segment struct {
	lo, hi time.Duration
	n      int
}

// plausible returns the offsets within MaxClockOffset of zero or of
// current, as one or two spans in order.
func plausible(current time.Duration) []span {
	a := span{-MaxClockOffset, MaxClockOffset}
	b := span{current - MaxClockOffset, current + MaxClockOffset}
	if b.lo < a.lo {
		a, b = b, a
	}
	if b.lo <= a.hi {
		return []span{{a.lo, max(a.hi, b.hi)}}
	}
	return []span{a, b}
}

// clockLines places capture times and talk windows on the lines along
// which a clock offset moves a photo: a reading that states its UTC offset
// is an instant (the abs line); one that does not is a wall-clock reading
// of the venue's zone (the wall line). Positions are nanoseconds since
// 1970-01-01 on either line. Each room's windows are built once.
type clockLines struct {
	x       *Index
	windows map[lineKey][]span
}

type lineKey struct {
	room string // folded
	abs  bool
}

func (x *Index) newClockLines() *clockLines {
	return &clockLines{x: x, windows: make(map[lineKey][]span)}
}

// clockPos places a camera reading on its line.
func clockPos(ct catalog.CameraTime) (pos time.Duration, abs bool) {
	w := ct.Wall
	wall := time.Date(w.Year(), w.Month(), w.Day(), w.Hour(), w.Minute(), w.Second(), w.Nanosecond(), time.UTC)
	if ct.HasOffset {
		return time.Duration(wall.UnixNano()) - time.Duration(ct.Offset)*time.Second, true
	}
	return time.Duration(wall.UnixNano()), false
}

// linePos places an instant on the abs or the wall line.
func (c *clockLines) linePos(t time.Time, abs bool) time.Duration {
	if abs {
		return time.Duration(t.UnixNano())
	}
	w := t.In(c.x.zone)
	return time.Duration(time.Date(w.Year(), w.Month(), w.Day(), w.Hour(), w.Minute(), w.Second(), w.Nanosecond(), time.UTC).UnixNano())
}

// roomWindows returns the union of the windows in which a photo taken in
// the room (folded) belongs to one of its talks by time (see inRoomAt),
// sorted and merged, on one line. Room "" stands for every room.
func (c *clockLines) roomWindows(room string, abs bool) []span {
	key := lineKey{room, abs}
	if w, ok := c.windows[key]; ok {
		return w
	}
	var ws []span
	for _, k := range c.x.talks {
		if !k.scheduled || room != "" && k.room != room {
			continue
		}
		end := k.End
		if end.Before(k.Start) {
			end = k.Start
		}
		ws = append(ws, span{c.linePos(k.Start.Add(-BeforeStart), abs), c.linePos(end.Add(AfterEnd), abs)})
	}
	slices.SortFunc(ws, func(a, b span) int { return cmp.Compare(a.lo, b.lo) })
	var merged []span
	for _, w := range ws {
		if n := len(merged); n > 0 && w.lo <= merged[n-1].hi {
			merged[n-1].hi = max(merged[n-1].hi, w.hi)
			continue
		}
		merged = append(merged, w)
	}
	c.windows[key] = merged
	return merged
}

// placed is a photo that can be counted: it has a capture time and a room
// the schedule knows.
type placed struct {
	sample  ClockSample
	room    string // folded schedule spelling
	pos     time.Duration
	windows []span
}

// place returns the samples that can be counted, skipping the one whose
// MediaID is skip (when skip is not ""). A sample without a room the
// schedule knows is counted against the talks of every room when anyRoom
// is set, and skipped otherwise.
func (c *clockLines) place(samples []ClockSample, skip string, anyRoom bool) []placed {
	var ps []placed
	for _, s := range samples {
		if s.Wall.IsZero() || skip != "" && s.MediaID == skip {
			continue
		}
		room := ""
		if canon, ok := c.x.Room(s.Room); ok {
			room = Fold(canon)
		} else if !anyRoom {
			continue
		}
		pos, abs := clockPos(s.Wall)
		ps = append(ps, placed{sample: s, room: room, pos: pos, windows: c.roomWindows(room, abs)})
	}
	return ps
}

// landed counts the photos that TagPhoto's rule puts in a talk of their
// room under clock offset o.
func (x *Index) landed(ps []placed, o time.Duration) int {
	n := 0
	for _, p := range ps {
		if len(x.inRoomAt(p.room, ResolveTime(p.sample.Wall, o, x.zone))) > 0 {
			n++
		}
	}
	return n
}

// countAt is landed computed on the lines: the same count except for a
// reading that falls in the hour a DST change repeats or skips.
func countAt(ps []placed, o time.Duration) int {
	n := 0
	for _, p := range ps {
		q := p.pos + o
		i, _ := slices.BinarySearchFunc(p.windows, q, func(w span, q time.Duration) int {
			if w.hi < q {
				return -1
			}
			return 1
		})
		if i < len(p.windows) && p.windows[i].lo <= q {
			n++
		}
	}
	return n
}

// sweep splits the offsets of r into runs over which the number of photos
// landing in a talk of their room (as countAt counts them) is constant, and
// returns them in order, neighbouring runs with equal counts joined.
func sweep(ps []placed, r span) []segment {
	type event struct {
		at time.Duration
		d  int
	}
	var ev []event
	for _, p := range ps {
		for _, w := range p.windows {
			lo, hi := w.lo-p.pos, w.hi-p.pos
			if hi < r.lo || lo > r.hi {
				continue
			}
			ev = append(ev, event{max(lo, r.lo), 1}, event{min(hi, r.hi) + 1, -1})
		}
	}
	slices.SortFunc(ev, func(a, b event) int { return cmp.Compare(a.at, b.at) })
	var segs []segment
	add := func(s segment) {
		if n := len(segs); n > 0 && segs[n-1].n == s.n && segs[n-1].hi == s.lo {
			segs[n-1].hi = s.hi
			return
		}
		segs = append(segs, s)
	}
	n, prev := 0, r.lo
	for _, e := range ev {
		if e.at > prev {
			add(segment{prev, e.at, n})
			prev = e.at
		}
		n += e.d
	}
	if end := r.hi + 1; end > prev {
		add(segment{prev, end, n})
	}
	return segs
}

// bySupportThenNearness orders runs by the photos they land, most first,
// then by their distance from current, then by start.
func bySupportThenNearness(current time.Duration) func(a, b segment) int {
	return func(a, b segment) int {
		if c := cmp.Compare(b.n, a.n); c != 0 {
			return c
		}
		if c := cmp.Compare(distance(a, current), distance(b, current)); c != 0 {
			return c
		}
		return cmp.Compare(a.lo, b.lo)
	}
}

// distance is how far offset o lies from the run s.
func distance(s segment, o time.Duration) time.Duration {
	switch {
	case o < s.lo:
		return s.lo - o
	case o >= s.hi:
		return o - (s.hi - 1)
	}
	return 0
}

// roundest returns the offset of s that is a whole number of hours, else
// of quarter hours, of minutes or of seconds, nearest target (the one
// nearer zero on a tie); failing all, the start of s.
func roundest(s segment, target time.Duration) time.Duration {
	c := min(max(target, s.lo), s.hi-1) // the offset of s nearest target
	for _, unit := range []time.Duration{time.Hour, 15 * time.Minute, time.Minute, time.Second} {
		r := c % unit
		if r < 0 {
			r += unit
		}
		if r == 0 {
			return c
		}
		down, up := c-r, c-r+unit
		okDown, okUp := down >= s.lo && down < s.hi, up >= s.lo && up < s.hi
		switch {
		case okDown && okUp:
			dd, du := (target - down).Abs(), (up - target).Abs()
			if du < dd || du == dd && up.Abs() < down.Abs() {
				return up
			}
			return down
		case okDown:
			return down
		case okUp:
			return up
		}
	}
	return s.lo
}
