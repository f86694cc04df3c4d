package schedule

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
)

// looksLikeCSV reports whether the first line of b reads as a CSV header.
func looksLikeCSV(b []byte) bool {
	first, _, _ := bytes.Cut(b, []byte{'\n'})
	return bytes.ContainsAny(first, ",\t") && !bytes.ContainsAny(first, "{}<>")
}

// csvColumns maps the accepted header names to the column they fill.
func csvColumn(h string) string {
	h = strings.ToLower(strings.TrimSpace(h))
	h = strings.NewReplacer(" ", "_", "-", "_").Replace(h)
	switch h {
	case "id", "title", "room", "start", "end", "duration", "track", "type", "guid", "url", "slug", "code":
		return h
	case "speakers", "speaker", "persons":
		return "speakers"
	case "do_not_record", "donotrecord", "optout":
		return "do_not_record"
	}
	return ""
}

// readCSV reads a schedule as CSV: a header row naming the columns (any
// case, any order) id, title, start, end or duration, and optionally room,
// speakers (separated by ';'), track, type, guid, url, slug, code and
// do_not_record. Columns are separated by commas, or by tabs when the
// header has tabs and no comma. Times without an offset are in the venue's
// zone; durations are minutes, "HH:MM" or a Go duration.
func readCSV(name string, data []byte) (*document, error) {
	first, _, _ := bytes.Cut(data, []byte{'\n'})
	cr := csv.NewReader(bytes.NewReader(data))
	if bytes.IndexByte(first, '\t') >= 0 && bytes.IndexByte(first, ',') < 0 {
		cr.Comma = '\t'
	}
	cr.TrimLeadingSpace = true
	cr.FieldsPerRecord = 0

	rowErr := func(err error) error {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return wrapf(err, name, fmt.Sprintf("line %d", pe.Line), "CSV: %v", pe.Err)
		}
		return wrapf(err, name, "line 1", "CSV: %v", err)
	}
	header, err := cr.Read()
	if err != nil {
		if err == io.EOF {
			return nil, failf(name, "line 1", "no header row")
		}
		return nil, rowErr(err)
	}
	col := make(map[string]int)
	for i, h := range header {
		c := csvColumn(h)
		if c == "" {
			continue
		}
		if _, dup := col[c]; dup {
			return nil, failf(name, "line 1", "column %q appears twice", c)
		}
		col[c] = i
	}
	var missing []string
	for _, c := range []string{"id", "title", "start"} {
		if _, ok := col[c]; !ok {
			missing = append(missing, c)
		}
	}
	_, hasEnd := col["end"]
	_, hasDur := col["duration"]
	if !hasEnd && !hasDur {
		missing = append(missing, "end or duration")
	}
	if len(missing) > 0 {
		return nil, failf(name, "line 1", "the header row lacks column %s (it has: %s)",
			strings.Join(missing, ", "), strings.Join(header, ", "))
	}

	doc := &document{}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, rowErr(err)
		}
		line, _ := cr.FieldPos(0)
		get := func(c string) string {
			if i, ok := col[c]; ok && i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		if isBlank(rec) {
			continue
		}
		r := rawTalk{
			where:       fmt.Sprintf("line %d", line),
			id:          get("id"),
			title:       get("title"),
			room:        get("room"),
			track:       get("track"),
			typ:         get("type"),
			guid:        get("guid"),
			code:        get("code"),
			slug:        get("slug"),
			url:         get("url"),
			doNotRecord: isTrue(get("do_not_record")) || strings.EqualFold(get("do_not_record"), "x"),
			stamp:       get("start"),
			end:         get("end"),
			duration:    get("duration"),
		}
		if r.stamp == "" {
			return nil, failf(name, r.where, "talk %q has no start", r.id)
		}
		for _, s := range strings.Split(get("speakers"), ";") {
			if s = strings.TrimSpace(s); s != "" {
				r.persons = append(r.persons, rawPerson{name: s})
			}
		}
		doc.talks = append(doc.talks, r)
	}
	return doc, nil
}

func isBlank(rec []string) bool {
	for _, f := range rec {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}
