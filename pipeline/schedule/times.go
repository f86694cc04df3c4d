package schedule

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// maxDuration bounds a talk's length; anything longer is a typo.
const maxDuration = 14 * 24 * time.Hour

// times works out a talk's start and end in loc.
func (r *rawTalk) times(loc *time.Location) (start, end time.Time, err error) {
	switch {
	case strings.TrimSpace(r.stamp) != "":
		start, err = parseStamp(r.stamp, loc)
		if err != nil {
			return start, end, fmt.Errorf("bad start %q: %w", r.stamp, err)
		}
	case strings.TrimSpace(r.clock) != "" && strings.TrimSpace(r.dayDate) != "":
		start, err = dayClock(r.dayDate, r.dayStart, r.clock, loc)
		if err != nil {
			return start, end, err
		}
	default:
		return start, end, errors.New("no start time")
	}
	switch {
	case strings.TrimSpace(r.end) != "":
		end, err = parseStamp(r.end, loc)
		if err != nil {
			return start, end, fmt.Errorf("bad end %q: %w", r.end, err)
		}
	case strings.TrimSpace(r.duration) != "":
		d, err := parseDuration(r.duration)
		if err != nil {
			return start, end, fmt.Errorf("bad duration %q: %w", r.duration, err)
		}
		end = start.Add(d)
	default:
		return start, end, errors.New("no end time or duration")
	}
	if end.Before(start) {
		return start, end, fmt.Errorf("ends (%s) before it starts (%s)",
			end.Format(time.RFC3339), start.Format(time.RFC3339))
	}
	if end.Sub(start) > maxDuration {
		return start, end, fmt.Errorf("lasts %s, longer than %s", end.Sub(start), maxDuration)
	}
	return start, end, nil
}

// parseStamp reads a date and time, with or without a UTC offset and
// fractional seconds, and returns it in loc. A time without an offset is a
// wall clock reading in loc.
func parseStamp(s string, loc *time.Location) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, errors.New("empty")
	}
	// Layouts with a zone are read as the instant they name; the others as
	// a wall clock in the venue's zone.
	zoned := [...]string{
		"2006-01-02T15:04:05Z07:00",
		"2006-01-02T15:04Z07:00",
		"2006-01-02 15:04:05Z07:00",
		"2006-01-02 15:04Z07:00",
		"2006-01-02T15:04:05Z0700",
		"2006-01-02T15:04Z0700",
		"2006-01-02 15:04:05Z0700",
		"2006-01-02 15:04Z0700",
		"2006-01-02 15:04:05 Z07:00",
		"2006-01-02 15:04 Z07:00",
	}
	local := [...]string{
		"2006-01-02T15:04:05",
		"2006-01-02T15:04",
		"2006-01-02 15:04:05",
		"2006-01-02 15:04",
	}
	for _, l := range zoned {
		if t, err := time.Parse(l, s); err == nil {
			return t.In(loc), nil
		}
	}
	for _, l := range local {
		if t, err := time.Parse(l, s); err == nil {
			return wallClock(t, loc), nil
		}
	}
	// Fractional seconds: Go accepts them after seconds in any layout above
	// that has seconds, so what is left is not a date and time.
	return time.Time{}, errors.New(`want a date and time such as "2006-01-02T15:04:05+01:00" or "2006-01-02 15:04"`)
}

// dayClock combines a schedule day's date with a clock reading "HH:MM" or
// "HH:MM:SS" in loc. When the day's own start is known and the reading falls
// before it, the event is after midnight and belongs to the next calendar
// day (frab's day_change).
func dayClock(date, dayStart, clock string, loc *time.Location) (time.Time, error) {
	day, err := time.ParseInLocation("2006-01-02", strings.TrimSpace(date), loc)
	if err != nil {
		return time.Time{}, fmt.Errorf("bad day date %q: want YYYY-MM-DD", date)
	}
	c, err := parseClock(clock)
	if err != nil {
		return time.Time{}, fmt.Errorf("bad start %q: %w", clock, err)
	}
	wall := time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, time.UTC).Add(c)
	t := wallClock(wall, loc)
	if ds, err := parseStamp(dayStart, loc); err == nil && t.Before(ds) {
		t = wallClock(wall.AddDate(0, 0, 1), loc)
	}
	return t, nil
}

// wallClock returns the instant that reads as wall's date and time (its
// location is ignored) in loc. A reading that happens twice, when clocks
// go back, is the first one; a reading skipped when clocks go forward moves
// forward by the gap, as time.Date does.
func wallClock(wall time.Time, loc *time.Location) time.Time {
	y, mo, d := wall.Date()
	h, mi, s := wall.Clock()
	t := time.Date(y, mo, d, h, mi, s, wall.Nanosecond(), loc)
	// Clocks went back within the last day: the same reading may exist
	// earlier, at the offset in force before the change.
	_, now := t.Zone()
	_, before := t.Add(-24 * time.Hour).Zone()
	if before > now {
		e := t.Add(-time.Duration(before-now) * time.Second)
		ey, emo, ed := e.Date()
		eh, emi, es := e.Clock()
		if ey == y && emo == mo && ed == d && eh == h && emi == mi && es == s {
			return e
		}
	}
	return t
}

// parseClock reads a time of day "HH:MM" or "HH:MM:SS".
func parseClock(s string) (time.Duration, error) {
	parts := strings.Split(strings.TrimSpace(s), ":")
	if len(parts) < 2 || len(parts) > 3 {
		return 0, errors.New(`want a time of day "HH:MM"`)
	}
	n, err := numbers(parts)
	if err != nil || n[0] > 23 || n[1] > 59 || (len(n) == 3 && n[2] > 59) {
		return 0, errors.New(`want a time of day "HH:MM"`)
	}
	d := time.Duration(n[0])*time.Hour + time.Duration(n[1])*time.Minute
	if len(n) == 3 {
		d += time.Duration(n[2]) * time.Second
	}
	return d, nil
}

// parseDuration reads a talk's length as schedules spell it: "HH:MM",
// "HH:MM:SS", "D:HH:MM:SS", Python's "1 day, 2:00:00", a whole number of
// minutes, or a Go duration ("1h30m").
//
// Three fields are read as hours, minutes and seconds, as pentabarf and
// c3voc tools write them; "D:HH:MM" cannot be told apart from that and is
// not accepted.
func parseDuration(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, errors.New("empty")
	}
	var days int64
	if i := strings.Index(s, "day"); i > 0 {
		// Python timedelta: "1 day, 2:00:00", "2 days, 0:30:00".
		n, err := strconv.ParseInt(strings.TrimSpace(s[:i]), 10, 32)
		if err != nil || n < 0 {
			return 0, errors.New("bad day count")
		}
		days = n
		s = strings.TrimLeft(strings.TrimPrefix(strings.TrimPrefix(s[i:], "days"), "day"), ", ")
	}
	var d time.Duration
	switch {
	case strings.Contains(s, ":"):
		parts := strings.Split(s, ":")
		n, err := numbers(parts)
		if err != nil {
			return 0, errors.New(`want "HH:MM"`)
		}
		switch len(n) {
		case 2:
			if n[1] > 59 {
				return 0, errors.New("minutes over 59")
			}
			d = time.Duration(n[0])*time.Hour + time.Duration(n[1])*time.Minute
		case 3:
			if n[1] > 59 || n[2] > 59 {
				return 0, errors.New("minutes or seconds over 59")
			}
			d = time.Duration(n[0])*time.Hour + time.Duration(n[1])*time.Minute + time.Duration(n[2])*time.Second
		case 4:
			if n[2] > 59 || n[3] > 59 {
				return 0, errors.New("minutes or seconds over 59")
			}
			d = time.Duration(n[0])*24*time.Hour + time.Duration(n[1])*time.Hour +
				time.Duration(n[2])*time.Minute + time.Duration(n[3])*time.Second
		default:
			return 0, errors.New(`want "HH:MM"`)
		}
	case isDigits(s):
		n, err := strconv.ParseInt(s, 10, 32)
		if err != nil {
			return 0, errors.New("too long")
		}
		d = time.Duration(n) * time.Minute
	default:
		var err error
		d, err = time.ParseDuration(s)
		if err != nil {
			return 0, errors.New(`want "HH:MM", minutes, or a duration like "1h30m"`)
		}
	}
	d += time.Duration(days) * 24 * time.Hour
	if d < 0 {
		return 0, errors.New("negative")
	}
	if d > maxDuration {
		return 0, fmt.Errorf("longer than %s", maxDuration)
	}
	return d, nil
}

// numbers parses each part as a small non-negative decimal number.
func numbers(parts []string) ([]int64, error) {
	n := make([]int64, len(parts))
	for i, p := range parts {
		if p == "" || len(p) > 6 || !isDigits(p) {
			return nil, errors.New("not a number")
		}
		n[i], _ = strconv.ParseInt(p, 10, 64)
	}
	return n, nil
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
