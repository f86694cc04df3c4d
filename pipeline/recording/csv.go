package recording

import (
	"errors"
	"fmt"
	"github.com/confmedia/confmedia/pipeline/internal/csvtable"
	"strconv"
	"strings"
	"time"

	"github.com/confmedia/confmedia/catalog"
)

// csvColumn maps an accepted header name to the field it fills, or "".
func csvColumn(h string) string {
	switch h = csvtable.Canon(h); h {
	case "title", "date", "room", "start", "url", "duration", "id", "description":
		return h
	case "speakers", "speaker":
		return "speakers"
	case "talk_id", "talk", "talkref", "talk_ref":
		return "talk_id"
	case "source_id", "source", "file", "filename":
		return "source_id"
	case "thumbnail", "thumbnail_url":
		return "thumbnail"
	}
	return ""
}

// readCSV reads recordings as CSV: a header row naming the columns (any
// case, any order) title and url, and optionally speakers (separated by
// ';'), date ("YYYY-MM-DD"), room, start ("HH:MM" on date, or a full date
// and time), duration (seconds, "HH:MM:SS" or a Go duration), talk_id,
// source_id, id, description and thumbnail. Columns are separated by commas,
// or by tabs when the header has tabs and no comma.
func readCSV(name string, data []byte) ([]item, error) {
	tab, err := csvtable.Read(data, csvColumn)
	if e := (*csvtable.Error)(nil); errors.As(err, &e) {
		return nil, wrapf(e.Err, name, e.Where(), "%s", e.Msg)
	}
	if missing := tab.Missing("title", "url"); len(missing) > 0 {
		return nil, failf(name, "line 1", "the header row lacks column %s (it has: %s)",
			strings.Join(missing, ", "), strings.Join(tab.Header, ", "))
	}

	var out []item
	for _, row := range tab.Rows {
		where := fmt.Sprintf("line %d", row.Line)
		get := row.Get
		r := catalog.Recording{
			ID:          get("id"),
			URL:         get("url"),
			Title:       get("title"),
			Description: get("description"),
			Room:        get("room"),
			SourceID:    get("source_id"),
			TalkRef:     get("talk_id"),
			Thumbnail:   get("thumbnail"),
		}
		if r.URL == "" {
			return nil, failf(name, where, "recording %q has no url", r.Title)
		}
		if r.ID == "" {
			r.ID = DerivedID(r.URL)
		}
		for _, s := range strings.Split(get("speakers"), ";") {
			if s = strings.TrimSpace(s); s != "" {
				r.Speakers = append(r.Speakers, s)
			}
		}
		if r.Recorded = get("date"); r.Recorded != "" {
			if err := checkDate(r.Recorded); err != nil {
				return nil, failf(name, where, "%v", err)
			}
		}
		if s := get("start"); s != "" {
			if r.Start, err = wallStart(r.Recorded, s); err != nil {
				return nil, failf(name, where, "%v", err)
			}
			if r.Recorded == "" {
				r.Recorded = r.Start[:len("2006-01-02")]
			}
		}
		if s := get("duration"); s != "" {
			if r.Duration, err = parseSeconds(s); err != nil {
				return nil, failf(name, where, "bad duration %q: %v", s, err)
			}
		}
		out = append(out, item{rec: r, where: where})
	}
	return out, nil
}

// wallStart turns a start column into a wall clock "2006-01-02T15:04": a
// time of day "HH:MM[:SS]" on date, or a full date and time (any offset is
// dropped: the wall clock is kept as written).
func wallStart(date, s string) (string, error) {
	if !strings.ContainsAny(s, "-/") || len(s) <= len("15:04:05") {
		c, err := parseClock(s)
		if err != nil {
			return "", fmt.Errorf("bad start %q: want HH:MM or a date and time", s)
		}
		if date == "" {
			return "", fmt.Errorf("start %q is a time of day but the row has no date", s)
		}
		return date + "T" + hhmm(c), nil
	}
	layouts := [...]string{
		"2006-01-02T15:04:05Z07:00", "2006-01-02T15:04Z07:00", "2006-01-02 15:04:05Z07:00", "2006-01-02 15:04Z07:00",
		"2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02 15:04:05", "2006-01-02 15:04",
	}
	for _, l := range layouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.Format("2006-01-02T15:04"), nil
		}
	}
	return "", fmt.Errorf("bad start %q: want HH:MM or a date and time such as 2006-01-02 15:04", s)
}

// parseClock reads a time of day "HH:MM" or "HH:MM:SS" (two-digit hours).
func parseClock(s string) (time.Duration, error) {
	for _, l := range []string{"15:04", "15:04:05"} {
		if t, err := time.Parse(l, s); err == nil {
			return time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute +
				time.Duration(t.Second())*time.Second, nil
		}
	}
	return 0, errors.New("want HH:MM")
}

// hhmm formats a time of day as "15:04".
func hhmm(c time.Duration) string {
	return fmt.Sprintf("%02d:%02d", int(c/time.Hour), int(c%time.Hour/time.Minute))
}

// parseSeconds reads a duration: whole seconds, "HH:MM:SS", or a Go
// duration ("45m").
func parseSeconds(s string) (int, error) {
	if n, err := strconv.Atoi(s); err == nil {
		if n < 0 {
			return 0, errors.New("negative")
		}
		return n, nil
	}
	if parts := strings.Split(s, ":"); len(parts) > 1 {
		if len(parts) != 3 {
			return 0, errors.New("want seconds or HH:MM:SS")
		}
		var n [3]int
		for i, p := range parts {
			v, err := strconv.Atoi(p)
			if err != nil || v < 0 || (i > 0 && v > 59) {
				return 0, errors.New("want seconds or HH:MM:SS")
			}
			n[i] = v
		}
		if n[0] > 1000 {
			return 0, errors.New("too long")
		}
		return n[0]*3600 + n[1]*60 + n[2], nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 || d > 1000*time.Hour {
		return 0, errors.New("want seconds, HH:MM:SS or a duration like 45m")
	}
	return int(d / time.Second), nil
}
