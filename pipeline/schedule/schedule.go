// Package schedule reads conference schedules into catalog values.
//
// It understands frab/pentabarf schedule.xml, the c3voc "schedule 1" JSON
// that frab and pretalx export (schedule.json), the c3voc "schedule 2" JSON
// of the hub, lists of pretalx submissions as pretalx-derived sites keep
// them, and a simple CSV. The format is sniffed from the content.
//
// The package is pure: it takes bytes and a zone name and never reads the
// clock or the machine's zone.
package schedule

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"strings"
	"time"

	"github.com/confmedia/confmedia/catalog"
	"github.com/confmedia/confmedia/pipeline/internal/nesting"
)

// The formats Sniff names.
const (
	FormatFrabXML            = "frab-xml"            // frab/pentabarf/pretalx schedule.xml
	FormatPretalxJSON        = "pretalx-json"        // c3voc "schedule 1" JSON (frab, pretalx schedule.json)
	FormatSchedule2JSON      = "schedule2-json"      // c3voc "schedule 2" JSON (hub)
	FormatPretalxSubmissions = "pretalx-submissions" // pretalx API submissions with their slots
	FormatCSV                = "csv"
)

const op = "schedule.Parse"

// Limits on a schedule file, checked before anything is built from it. The
// largest real schedule known to the tests, FOSDEM 2025's schedule.xml, is
// 2.3 MB and nests 6 elements deep; c3voc and pretalx JSON nest at most 8
// levels.
const (
	MaxBytes = 16 << 20 // 16 MiB
	MaxDepth = 64       // elements (XML) or objects and arrays (JSON) inside one another
)

// Parse reads a schedule: frab/pentabarf schedule.xml, pretalx / c3voc
// "schedule 1" JSON (schedule.json), c3voc "schedule 2" JSON, pretalx
// submissions or CSV; the format is sniffed from the content (see Sniff).
//
// name is the file name, used in errors. zone is the IANA zone to use when
// the file names none, and it overrides the file's zone when both are given
// ("" = none given). Talk times come back in that zone.
//
// Every error is a catalog.Invalid *catalog.Error whose message names the
// file, the place (a line, and for JSON the path of the value) and the
// reason: an unknown format, a syntax error, an event with no id, duplicate
// talk ids, an unparseable start or duration, an end before the start, no
// or an unknown time zone (the message then says to pass --timezone), a
// schedule with no talks, or one nesting deeper than MaxDepth — except a file
// over MaxBytes, which is a catalog.TooLarge error. Nothing is returned with
// an error.
func Parse(name string, data []byte, zone string) (catalog.Schedule, error) {
	if err := checkLimits(data); err != nil {
		return catalog.Schedule{}, catalog.E(catalog.ErrorKind(err), op, err, "%s", name)
	}
	format, err := sniff(data)
	if err != nil {
		return catalog.Schedule{}, catalog.E(catalog.Invalid, op, err, "%s", name)
	}
	data = trimBOM(data)
	var doc *document
	switch format {
	case FormatFrabXML:
		doc, err = readFrabXML(name, data)
	case FormatPretalxJSON:
		doc, err = readPretalxJSON(name, data)
	case FormatSchedule2JSON:
		doc, err = readSchedule2JSON(name, data)
	case FormatPretalxSubmissions:
		doc, err = readSubmissions(name, data)
	case FormatCSV:
		doc, err = readCSV(name, data)
	}
	if err != nil {
		return catalog.Schedule{}, err
	}
	return doc.resolve(name, zone)
}

// Sniff names the format of a schedule from its content: FormatFrabXML,
// FormatPretalxJSON, FormatSchedule2JSON, FormatPretalxSubmissions or
// FormatCSV. It returns a catalog.Invalid error when the content is none of
// them (the message says what was found instead) or nests deeper than
// MaxDepth, and a catalog.TooLarge error when it is over MaxBytes.
func Sniff(data []byte) (string, error) {
	if err := checkLimits(data); err != nil {
		return "", err
	}
	return sniff(data)
}

func sniff(data []byte) (string, error) {
	b := bytes.TrimLeft(trimBOM(data), " \t\r\n")
	if len(b) == 0 {
		return "", catalog.E(catalog.Invalid, "schedule.Sniff", nil, "the file is empty")
	}
	switch b[0] {
	case '<':
		return FormatFrabXML, nil
	case '{', '[':
		return sniffJSON(b)
	}
	if looksLikeCSV(b) {
		return FormatCSV, nil
	}
	return "", catalog.E(catalog.Invalid, "schedule.Sniff", nil,
		"not a schedule: expected schedule.xml, schedule.json or CSV with a header row naming id, title, room and start")
}

// checkLimits refuses data over MaxBytes or nesting deeper than MaxDepth,
// before any parser builds values from it.
func checkLimits(data []byte) error {
	const op = "schedule.Sniff"
	if len(data) > MaxBytes {
		return catalog.E(catalog.TooLarge, op, nil, "the file is %d bytes, over the %d MiB limit for a schedule", len(data), MaxBytes>>20)
	}
	b := bytes.TrimLeft(trimBOM(data), " \t\r\n")
	if len(b) == 0 {
		return nil
	}
	switch b[0] {
	case '{', '[':
		if off, over := nesting.JSON(data, MaxDepth); over {
			return catalog.E(catalog.Invalid, op, nil, "line %d: JSON nested more than %d levels deep", lineAt(data, off), MaxDepth)
		}
	case '<':
		if line, over := xmlDepth(data, MaxDepth); over {
			return catalog.E(catalog.Invalid, op, nil, "line %d: XML elements nested more than %d levels deep", line, MaxDepth)
		}
	}
	return nil
}

// xmlDepth reads the elements of data without building them and returns the
// line of the first element nested deeper than max, and true. It stops
// quietly at a syntax error, which the parser reports.
func xmlDepth(data []byte, max int) (line int, over bool) {
	dec := xml.NewDecoder(bytes.NewReader(data))
	dec.Strict = false
	dec.CharsetReader = charsetReader
	depth := 0
	for {
		tok, err := dec.RawToken()
		if err != nil {
			return 0, false
		}
		switch tok.(type) {
		case xml.StartElement:
			if depth++; depth > max {
				line, _ := dec.InputPos()
				return line, true
			}
		case xml.EndElement:
			depth--
		}
	}
}

// lineAt is the line of byte offset off in data.
func lineAt(data []byte, off int) int {
	return 1 + bytes.Count(data[:min(off, len(data))], []byte{'\n'})
}

func trimBOM(b []byte) []byte {
	return bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
}

// document is what every format reader yields before times are resolved in
// the venue's zone.
type document struct {
	title   string
	acronym string
	url     string // the conference's own
	zone    string // as the file names it
	talks   []rawTalk
}

// rawTalk is one event as a file spells it.
type rawTalk struct {
	where       string // "line 12" or "line 12: schedule.conference.days[0]…"
	id          string
	title       string
	room        string
	track       string
	typ         string
	guid        string
	code        string
	slug        string
	url         string
	feedbackURL string // may hold the pretalx code when the event has none
	doNotRecord bool
	abstract    string
	language    string

	// Time, in order of preference: stamp (a full date and time), else
	// dayDate plus clock ("HH:MM"). dayStart, when known, is the start of
	// the schedule day, so that a clock reading before it falls on the next
	// calendar day. End is end, else start plus duration.
	stamp    string
	dayDate  string
	dayStart string
	clock    string
	end      string
	duration string

	persons []rawPerson
}

// rawPerson is one speaker reference as a file spells it.
type rawPerson struct {
	code, id, name string
	avatar         string // URL
}

// failf builds the error for a bad place in file name.
func failf(name, where, format string, args ...any) error {
	return wrapf(nil, name, where, format, args...)
}

// wrapf is failf with the underlying cause wrapped (for errors.As); the
// user-facing message is the formatted text alone.
func wrapf(cause error, name, where, format string, args ...any) error {
	return catalog.E(catalog.Invalid, op, cause, "%s: %s: %s", name, where, fmt.Sprintf(format, args...))
}

// resolve checks the talks and turns them into a catalog.Schedule in the
// venue's zone.
func (d *document) resolve(name, zoneArg string) (catalog.Schedule, error) {
	zone := d.zone
	if zoneArg != "" {
		zone = zoneArg
	}
	if zone == "" {
		return catalog.Schedule{}, catalog.E(catalog.Invalid, op, nil,
			"%s: the schedule names no time zone: pass --timezone with the venue's IANA zone (e.g. Europe/Brussels)", name)
	}
	loc, err := loadZone(zone)
	if err != nil {
		return catalog.Schedule{}, catalog.E(catalog.Invalid, op, err,
			"%s: unknown time zone %q: pass --timezone with the venue's IANA zone (e.g. Europe/Brussels)", name, zone)
	}
	if len(d.talks) == 0 {
		return catalog.Schedule{}, catalog.E(catalog.Invalid, op, nil, "%s: the schedule has no talks", name)
	}

	s := catalog.Schedule{
		Conference: catalog.Conference{Title: d.title, Acronym: d.acronym, Timezone: zone, URL: d.url},
		Talks:      make([]catalog.Talk, 0, len(d.talks)),
	}
	seen := make(map[string]string, len(d.talks))
	people := newPeople()
	for i := range d.talks {
		r := &d.talks[i]
		if r.id == "" {
			return catalog.Schedule{}, failf(name, r.where, "event %q has no id", r.title)
		}
		if first, dup := seen[r.id]; dup {
			return catalog.Schedule{}, failf(name, r.where, "duplicate talk id %q (first at %s)", r.id, first)
		}
		seen[r.id] = r.where
		start, end, err := r.times(loc)
		if err != nil {
			return catalog.Schedule{}, wrapf(err, name, r.where, "event %s: %v", r.id, err)
		}
		if r.code == "" {
			r.code = codeFromURL(r.url)
		}
		if r.code == "" {
			r.code = codeFromURL(r.feedbackURL)
		}
		t := catalog.Talk{
			ID:          r.id,
			Title:       r.title,
			Start:       start,
			End:         end,
			Room:        r.room,
			Track:       r.track,
			Type:        r.typ,
			GUID:        r.guid,
			Code:        r.code,
			Slug:        r.slug,
			URL:         r.url,
			DoNotRecord: r.doNotRecord,
			Abstract:    strings.TrimSpace(r.abstract),
			Language:    strings.TrimSpace(r.language),
		}
		for _, p := range r.persons {
			id := people.add(p)
			if id != "" && !contains(t.SpeakerIDs, id) {
				t.SpeakerIDs = append(t.SpeakerIDs, id)
			}
		}
		s.Talks = append(s.Talks, t)
	}
	s.Speakers = people.sorted()
	return s, nil
}

// codeFromURL finds a pretalx submission code in a talk or feedback URL
// (".../talk/ABC123/..."), or returns "".
func codeFromURL(u string) string {
	_, rest, ok := strings.Cut(u, "/talk/")
	if !ok {
		return ""
	}
	code, _, _ := strings.Cut(rest, "/")
	if validCode(code) {
		return code
	}
	return ""
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// loadZone loads an IANA zone. "Local" is refused: confmedia never uses the
// machine's zone.
func loadZone(zone string) (*time.Location, error) {
	if zone == "Local" {
		return nil, fmt.Errorf("the machine's local zone is not a venue zone")
	}
	return time.LoadLocation(zone)
}
