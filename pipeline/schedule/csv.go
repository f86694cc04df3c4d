package schedule

import (
	"bytes"
	"errors"
	"fmt"
	"github.com/confmedia/confmedia/pipeline/internal/csvtable"
	"strings"
)

// looksLikeCSV reports whether the first line of b reads as a CSV header.
func looksLikeCSV(b []byte) bool {
	first, _, _ := bytes.Cut(b, []byte{'\n'})
	return bytes.ContainsAny(first, ",\t") && !bytes.ContainsAny(first, "{}<>")
}

// csvColumns maps the accepted header names to the column they fill.
func csvColumn(h string) string {
	switch h = csvtable.Canon(h); h {
	case "id", "title", "room", "start", "end", "duration", "track", "type", "guid", "url", "slug", "code", "abstract", "language":
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
// speakers (separated by ';'), track, type, guid, url, slug, code,
// abstract, language and do_not_record. Columns are separated by commas, or by tabs when the
// header has tabs and no comma. Times without an offset are in the venue's
// zone; durations are minutes, "HH:MM" or a Go duration.
func readCSV(name string, data []byte) (*document, error) {
	tab, err := csvtable.Read(data, csvColumn)
	if e := (*csvtable.Error)(nil); errors.As(err, &e) {
		return nil, wrapf(e.Err, name, e.Where(), "%s", e.Msg)
	}
	missing := tab.Missing("id", "title", "start")
	if !tab.Has("end") && !tab.Has("duration") {
		missing = append(missing, "end or duration")
	}
	if len(missing) > 0 {
		return nil, failf(name, "line 1", "the header row lacks column %s (it has: %s)",
			strings.Join(missing, ", "), strings.Join(tab.Header, ", "))
	}

	doc := &document{}
	for _, row := range tab.Rows {
		get := row.Get
		r := rawTalk{
			where:       fmt.Sprintf("line %d", row.Line),
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
			abstract:    get("abstract"),
			language:    get("language"),
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
