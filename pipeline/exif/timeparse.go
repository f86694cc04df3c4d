package exif

import (
	"errors"
	"strings"
	"time"

	"github.com/confmedia/confmedia/catalog"
)

// Reasons a time value is not used; they read after the quoted value.
var (
	errBlank     = errors.New("is blank")
	errMalformed = errors.New("is malformed")
	errInvalid   = errors.New("is not a valid date and time")
	errNoTime    = errors.New("has no time of day")
)

// exifTime reads EXIF DateTimeOriginal with SubSecTimeOriginal and
// OffsetTimeOriginal. It reports false, with a warning, when
// DateTimeOriginal is unusable; a bad sub-second or offset tag is dropped
// with a warning and the time kept.
func (r *reader) exifTime(e exifData) (catalog.CameraTime, bool) {
	v := e.dateTimeOriginal.val
	wall, err := parseEXIFDateTime(v)
	if err != nil {
		r.warn("exif", "DateTimeOriginal %q %s; ignored", v, err)
		return catalog.CameraTime{}, false
	}
	if e.subSec.present {
		if ns, err := parseSubSec(e.subSec.val); err != nil {
			r.warn("exif", "SubSecTimeOriginal %q %s; ignored", e.subSec.val, err)
		} else {
			wall = wall.Add(ns)
		}
	}
	ct := catalog.CameraTime{Wall: wall, Source: "exif"}
	if e.offsetOrigin.present {
		off, ok, err := parseEXIFOffset(e.offsetOrigin.val)
		switch {
		case err != nil:
			r.warn("exif", "OffsetTimeOriginal %q %s; ignored", e.offsetOrigin.val, err)
		case ok:
			ct.HasOffset, ct.Offset = true, off
		}
	}
	return ct, true
}

// parseEXIFDateTime parses "YYYY:MM:DD HH:MM:SS" (dashes are accepted in the
// date and a T between date and time) as a wall-clock reading in UTC.
func parseEXIFDateTime(s string) (time.Time, error) {
	s = strings.Trim(s, " \x00")
	if strings.Trim(s, " :-0") == "" {
		return time.Time{}, errBlank
	}
	if len(s) != 19 || !strings.ContainsRune(":-", rune(s[4])) || s[7] != s[4] ||
		(s[10] != ' ' && s[10] != 'T') || s[13] != ':' || s[16] != ':' {
		return time.Time{}, errMalformed
	}
	var f [6]int
	for i, at := range []int{0, 5, 8, 11, 14, 17} {
		w := 2
		if i == 0 {
			w = 4
		}
		n, ok := atoi(s[at : at+w])
		if !ok {
			return time.Time{}, errMalformed
		}
		f[i] = n
	}
	return civil(f[0], f[1], f[2], f[3], f[4], f[5], 0)
}

// parseSubSec reads the digits of a SubSecTime tag as a fraction of a
// second.
func parseSubSec(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, errBlank
	}
	ns, ok := fraction(s)
	if !ok {
		return 0, errMalformed
	}
	return ns, nil
}

// parseEXIFOffset reads an OffsetTime tag, "+HH:MM" or "-HH:MM", as seconds
// east of UTC. A blank tag ("   :  ") is reported as absent.
func parseEXIFOffset(s string) (int, bool, error) {
	s = strings.TrimSpace(s)
	if strings.Trim(s, " :") == "" {
		return 0, false, nil
	}
	off, rest, err := zone(s)
	if err != nil || rest != "" || off == nil {
		return 0, false, errMalformed
	}
	return *off, true, nil
}

// parseISOTime parses an XMP date (ISO 8601 as XMP profiles it:
// YYYY-MM-DDThh:mm[:ss[.s…]][Z|±hh:mm]). A date without a time of day is
// not a capture time. Colons are accepted in the date, and a space for the
// T, as some writers use them.
func parseISOTime(s string) (catalog.CameraTime, error) {
	s = strings.TrimSpace(s)
	if strings.Trim(s, " :-T0") == "" {
		return catalog.CameraTime{}, errBlank
	}
	var ymd [3]int
	rest := s
	for i := range ymd {
		w := 2
		if i == 0 {
			w = 4
		} else {
			if rest == "" {
				return catalog.CameraTime{}, errNoTime
			}
			if rest[0] != '-' && rest[0] != ':' {
				return catalog.CameraTime{}, errMalformed
			}
			rest = rest[1:]
		}
		n, ok := fixed(rest, w)
		if !ok {
			return catalog.CameraTime{}, errMalformed
		}
		ymd[i], rest = n, rest[w:]
	}
	if rest == "" {
		return catalog.CameraTime{}, errNoTime
	}
	if rest[0] != 'T' && rest[0] != ' ' {
		return catalog.CameraTime{}, errMalformed
	}
	rest = rest[1:]
	var hms [3]int
	var ns time.Duration
	for i := range hms {
		if i > 0 {
			if rest == "" || rest[0] != ':' {
				if i == 2 { // seconds are optional
					break
				}
				return catalog.CameraTime{}, errMalformed
			}
			rest = rest[1:]
		}
		n, ok := fixed(rest, 2)
		if !ok {
			return catalog.CameraTime{}, errMalformed
		}
		hms[i], rest = n, rest[2:]
	}
	if strings.HasPrefix(rest, ".") || strings.HasPrefix(rest, ",") {
		end := 1
		for end < len(rest) && rest[end] >= '0' && rest[end] <= '9' {
			end++
		}
		f, ok := fraction(rest[1:end])
		if !ok {
			return catalog.CameraTime{}, errMalformed
		}
		ns, rest = f, rest[end:]
	}
	off, rest, err := zone(rest)
	if err != nil || rest != "" {
		return catalog.CameraTime{}, errMalformed
	}
	wall, err := civil(ymd[0], ymd[1], ymd[2], hms[0], hms[1], hms[2], ns)
	if err != nil {
		return catalog.CameraTime{}, err
	}
	ct := catalog.CameraTime{Wall: wall}
	if off != nil {
		ct.HasOffset, ct.Offset = true, *off
	}
	return ct, nil
}

// parseIPTCTime combines IPTC DateCreated ("CCYYMMDD") and TimeCreated
// ("HHMMSS±HHMM"; the zone may be missing). Separators are tolerated.
func parseIPTCTime(date, clock string) (catalog.CameraTime, error) {
	d := strings.NewReplacer("-", "", ":", "").Replace(strings.TrimSpace(date))
	t := strings.ReplaceAll(strings.TrimSpace(clock), ":", "")
	if strings.Trim(d, "0 ") == "" {
		return catalog.CameraTime{}, errBlank
	}
	if t == "" {
		return catalog.CameraTime{}, errNoTime
	}
	y, ok1 := fixed(d, 4)
	mo, ok2 := fixed(d[min(4, len(d)):], 2)
	dd, ok3 := fixed(d[min(6, len(d)):], 2)
	if !ok1 || !ok2 || !ok3 || len(d) != 8 {
		return catalog.CameraTime{}, errMalformed
	}
	h, ok1 := fixed(t, 2)
	mi, ok2 := fixed(t[min(2, len(t)):], 2)
	sec, ok3 := fixed(t[min(4, len(t)):], 2)
	if !ok1 || !ok2 || !ok3 {
		return catalog.CameraTime{}, errMalformed
	}
	off, rest, err := zone(t[6:])
	if err != nil || rest != "" {
		return catalog.CameraTime{}, errMalformed
	}
	wall, err := civil(y, mo, dd, h, mi, sec, 0)
	if err != nil {
		return catalog.CameraTime{}, err
	}
	ct := catalog.CameraTime{Wall: wall}
	if off != nil {
		ct.HasOffset, ct.Offset = true, *off
	}
	return ct, nil
}

// zone reads an optional zone designator at the start of s: "Z", "±hh:mm",
// "±hhmm" or "±hh". It returns nil when s has none, and the rest of s.
func zone(s string) (*int, string, error) {
	if s == "" {
		return nil, s, nil
	}
	if s[0] == 'Z' {
		off := 0
		return &off, s[1:], nil
	}
	if s[0] != '+' && s[0] != '-' {
		return nil, s, nil
	}
	sign := 1
	if s[0] == '-' {
		sign = -1
	}
	h, ok := fixed(s[1:], 2)
	if !ok {
		return nil, s, errMalformed
	}
	rest, m := s[3:], 0
	if strings.HasPrefix(rest, ":") {
		rest = rest[1:]
		if m, ok = fixed(rest, 2); !ok {
			return nil, s, errMalformed
		}
		rest = rest[2:]
	} else if mm, ok := fixed(rest, 2); ok {
		m, rest = mm, rest[2:]
	}
	if h > 18 || m > 59 {
		return nil, s, errMalformed
	}
	off := sign * (h*3600 + m*60)
	return &off, rest, nil
}

// civil builds a wall-clock reading in UTC, refusing values time.Date would
// normalise (month 13, February 30, 24:00, second 60).
func civil(y, mo, d, h, mi, s int, ns time.Duration) (time.Time, error) {
	if y < 1 || mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 59 {
		return time.Time{}, errInvalid
	}
	t := time.Date(y, time.Month(mo), d, h, mi, s, int(ns), time.UTC)
	// 0001-01-01 00:00:00 is the zero time.Time, which catalog.CameraTime
	// takes for "no capture time": refused rather than kept with a Source.
	if t.Day() != d || t.IsZero() {
		return time.Time{}, errInvalid
	}
	return t, nil
}

// fixed parses exactly w leading decimal digits of s.
func fixed(s string, w int) (int, bool) {
	if len(s) < w {
		return 0, false
	}
	return atoi(s[:w])
}

// atoi parses a short string of decimal digits, no sign.
func atoi(s string) (int, bool) {
	if s == "" || len(s) > 9 {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// fraction reads the digits after a decimal point as a duration; digits
// beyond nanoseconds are dropped.
func fraction(digits string) (time.Duration, bool) {
	if digits == "" {
		return 0, false
	}
	ns := 0
	for i := 0; i < len(digits); i++ {
		c := digits[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		if i < 9 {
			ns = ns*10 + int(c-'0')
		}
	}
	for i := len(digits); i < 9; i++ {
		ns *= 10
	}
	return time.Duration(ns), true
}
