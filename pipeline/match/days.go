package match

import (
	"fmt"
	"strconv"
	"time"
)

// DayMargin is how far before the conference's first day and after its
// last a photo may be taken and still be taken at the conference: the
// evening before (setting up, a speakers' dinner) and the day after.
const DayMargin = 24 * time.Hour

// Days returns the conference's first and last day, as dates in the
// venue's zone (midnight), from the schedule's timed talks; false when no
// talk has a time.
func (x *Index) Days() (first, last time.Time, ok bool) {
	if x.first.IsZero() {
		return time.Time{}, time.Time{}, false
	}
	return x.first, x.last, true
}

// conferenceDays sets x.first and x.last from the talks with a start.
func (x *Index) conferenceDays() {
	for _, k := range x.talks {
		if k.Start.IsZero() {
			continue
		}
		end := k.End
		if end.Before(k.Start) {
			end = k.Start
		}
		s, e := midnight(k.Start.In(x.zone)), midnight(end.In(x.zone))
		if x.first.IsZero() || s.Before(x.first) {
			x.first = s
		}
		if x.last.IsZero() || e.After(x.last) {
			x.last = e
		}
	}
}

// midnight returns the start of t's date in t's location.
func midnight(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, t.Location())
}

// conferenceWindow returns the instants from DayMargin before the first
// day to DayMargin after the last: [lo, hi).
func (x *Index) conferenceWindow() (lo, hi time.Time) {
	lo = x.first.Add(-DayMargin)
	hi = x.last.AddDate(0, 0, 1).Add(DayMargin)
	return lo, hi
}

// DaysOff says how far a corrected capture time t lies outside the
// conference's days, with a day's margin either side (DayMargin): the
// number of calendar days before the first day (negative) or after the
// last (positive), and true; 0 and false when t is within them, zero, or
// the schedule has no timed talk.
func (x *Index) DaysOff(t time.Time) (int, bool) {
	if t.IsZero() || x.first.IsZero() {
		return 0, false
	}
	lo, hi := x.conferenceWindow()
	if !t.Before(lo) && t.Before(hi) {
		return 0, false
	}
	day := midnight(t.In(x.zone))
	if t.Before(lo) {
		return -calendarDays(day, x.first), true
	}
	return calendarDays(x.last, day), true
}

// calendarDays counts the dates from a to b (both midnights in one zone).
func calendarDays(a, b time.Time) int {
	ua := time.Date(a.Year(), a.Month(), a.Day(), 0, 0, 0, 0, time.UTC)
	ub := time.Date(b.Year(), b.Month(), b.Day(), 0, 0, 0, 0, time.UTC)
	return int(ub.Sub(ua) / (24 * time.Hour))
}

// outsideReason is why a photo taken at t, off days from the conference
// (see DaysOff), is not published by itself.
func (x *Index) outsideReason(t time.Time, off int) string {
	when := "before"
	n := -off
	if off > 0 {
		when, n = "after", off
	}
	return fmt.Sprintf("taken %s, %s %s the conference (%s) — camera clock not set? "+
		"Set it with `confmedia cameras set` or `--sync`, or decide the photo by hand",
		t.In(x.zone).Format(time.DateOnly), plural(n, "day"), when, x.daysText())
}

// daysText spells the conference's days: "2022-07-11 to 2022-07-17".
func (x *Index) daysText() string {
	if x.first.Equal(x.last) {
		return x.first.Format(time.DateOnly)
	}
	return x.first.Format(time.DateOnly) + " to " + x.last.Format(time.DateOnly)
}

// thousands spells n with thousands separators: 7955 → "7,955".
func thousands(n int) string {
	s := strconv.Itoa(n)
	neg := n < 0
	if neg {
		s = s[1:]
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	if neg {
		return "-" + s
	}
	return s
}
