package match

import (
	"time"

	"github.com/confmedia/confmedia/catalog"
)

// ResolveTime turns a camera's wall-clock reading into an instant.
//
// The clock offset (what must be added to the camera's clock to get the true
// local time) is always added to the wall clock first. The corrected reading
// is then resolved with the UTC offset the camera stated when ct.HasOffset,
// else in zone, the venue's zone (a nil zone is UTC; the server's zone is
// never used). A reading that occurs twice, in the hour a DST change turns
// the clocks back, resolves to the earlier instant. A reading that never
// occurs, in the gap a DST change skips, is moved forward by the length of
// the gap: 02:30 in a one-hour spring-forward gap resolves to 03:30.
//
// The result is expressed in zone. A zero ct yields the zero time.
func ResolveTime(ct catalog.CameraTime, clockOffset time.Duration, zone *time.Location) time.Time {
	if ct.IsZero() {
		return time.Time{}
	}
	if zone == nil {
		zone = time.UTC
	}
	w := ct.Wall.Add(clockOffset) // the wall reading, carried in UTC fields
	wall := time.Date(w.Year(), w.Month(), w.Day(), w.Hour(), w.Minute(), w.Second(), w.Nanosecond(), time.UTC)
	if ct.HasOffset {
		return wall.Add(-time.Duration(ct.Offset) * time.Second).In(zone)
	}
	return resolveWall(wall, zone)
}

// resolveWall finds the instant at which clocks in zone show wall's date and
// time fields (wall is in UTC), taking the earlier instant in a fold and
// moving forward by the gap in a gap.
func resolveWall(wall time.Time, zone *time.Location) time.Time {
	offsetAt := func(t time.Time) time.Duration {
		_, off := t.In(zone).Zone()
		return time.Duration(off) * time.Second
	}
	// Any offset that may apply lies among those in force within a day or
	// so of the reading: zones change offset at most a few times a year.
	var offsets []time.Duration
	for _, d := range []time.Duration{-36 * time.Hour, -12 * time.Hour, 0, 12 * time.Hour, 36 * time.Hour} {
		off := offsetAt(wall.Add(d))
		seen := false
		for _, o := range offsets {
			seen = seen || o == off
		}
		if !seen {
			offsets = append(offsets, off)
		}
	}
	var best time.Time
	found := false
	maxOff := offsets[0]
	for _, off := range offsets {
		maxOff = max(maxOff, off)
		u := wall.Add(-off)
		if offsetAt(u) != off {
			continue // clocks did not read wall at wall-off
		}
		if !found || u.Before(best) {
			best, found = u, true
		}
	}
	if found {
		return best.In(zone)
	}
	// A gap: the clocks jumped over wall. Reading it with the offset in
	// force before the jump lands after the jump, as far past it as wall
	// is past the jump's start, which moves the reading forward by the gap.
	before := offsetAt(wall.Add(-maxOff))
	return wall.Add(-before).In(zone)
}
