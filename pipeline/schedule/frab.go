package schedule

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"

	"golang.org/x/text/encoding/charmap"
)

// xmlConference is the <conference> element of schedule.xml.
type xmlConference struct {
	Title        string `xml:"title"`
	Acronym      string `xml:"acronym"`
	BaseURL      string `xml:"base_url"`
	URL          string `xml:"url"`
	TimeZoneName string `xml:"time_zone_name"`
}

// xmlEvent is one <event> of schedule.xml; unknown elements are ignored.
type xmlEvent struct {
	ID        string      `xml:"id,attr"`
	GUID      string      `xml:"guid,attr"`
	Code      string      `xml:"code,attr"`
	Date      string      `xml:"date"`
	Start     string      `xml:"start"`
	End       string      `xml:"end"`
	Duration  string      `xml:"duration"`
	Room      string      `xml:"room"`
	Slug      string      `xml:"slug"`
	URL       string      `xml:"url"`
	Feedback  string      `xml:"feedback_url"`
	Title     string      `xml:"title"`
	Track     string      `xml:"track"`
	Type      string      `xml:"type"`
	Language  string      `xml:"language"`
	Abstract  string      `xml:"abstract"`
	Persons   []xmlPerson `xml:"persons>person"`
	Optout    string      `xml:"optout"`
	Recording struct {
		Optout string `xml:"optout"`
	} `xml:"recording"`
}

type xmlPerson struct {
	ID   string `xml:"id,attr"`
	GUID string `xml:"guid,attr"`
	Code string `xml:"code,attr"`
	Name string `xml:",chardata"`
}

// readFrabXML reads a frab/pentabarf schedule.xml: <schedule> holding a
// <conference> and <day>s of <room>s of <event>s.
func readFrabXML(name string, data []byte) (*document, error) {
	dec := xml.NewDecoder(bytes.NewReader(data))
	// Real exports carry HTML entities (&nbsp;) in abstracts.
	dec.Entity = xml.HTMLEntity
	dec.CharsetReader = charsetReader

	line := func() int { l, _ := dec.InputPos(); return l }
	syntax := func(err error) error {
		var se *xml.SyntaxError
		if errors.As(err, &se) {
			return wrapf(err, name, fmt.Sprintf("line %d", se.Line), "XML syntax error: %s", se.Msg)
		}
		return wrapf(err, name, fmt.Sprintf("line %d", line()), "bad XML: %v", err)
	}

	doc := &document{}
	var (
		stack    []string // open elements
		dayDate  string
		dayStart string
		room     string
		sawRoot  bool
	)
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, syntax(err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			el := t.Name.Local
			if len(stack) == 0 {
				if sawRoot {
					return nil, failf(name, fmt.Sprintf("line %d", line()), "a second root element <%s>", el)
				}
				sawRoot = true
				if el != "schedule" {
					return nil, failf(name, fmt.Sprintf("line %d", line()),
						"not a frab/pentabarf schedule.xml: the root element is <%s>, want <schedule>", el)
				}
				stack = append(stack, el)
				continue
			}
			switch {
			case el == "conference" && len(stack) == 1:
				var c xmlConference
				if err := dec.DecodeElement(&c, &t); err != nil {
					return nil, syntax(err)
				}
				doc.title = strings.TrimSpace(c.Title)
				doc.acronym = strings.TrimSpace(c.Acronym)
				doc.url = strings.TrimSpace(c.URL)
				if doc.url == "" {
					doc.url = strings.TrimSpace(c.BaseURL)
				}
				doc.zone = strings.TrimSpace(c.TimeZoneName)
			case el == "day":
				dayDate, dayStart = attr(t, "date"), attr(t, "start")
				if dayDate == "" && len(dayStart) >= 10 {
					dayDate = dayStart[:10]
				}
				stack = append(stack, el)
			case el == "room" && stack[len(stack)-1] == "day":
				room = attr(t, "name")
				stack = append(stack, el)
			case el == "event":
				where := fmt.Sprintf("line %d", line())
				var ev xmlEvent
				if err := dec.DecodeElement(&ev, &t); err != nil {
					return nil, syntax(err)
				}
				doc.talks = append(doc.talks, ev.raw(where, room, dayDate, dayStart))
			default:
				if err := dec.Skip(); err != nil {
					return nil, syntax(err)
				}
			}
		case xml.EndElement:
			if len(stack) > 0 {
				switch stack[len(stack)-1] {
				case "day":
					dayDate, dayStart = "", ""
				case "room":
					room = ""
				}
				stack = stack[:len(stack)-1]
			}
		}
	}
	if !sawRoot {
		return nil, failf(name, "line 1", "no XML element found")
	}
	return doc, nil
}

// raw turns an event into a rawTalk; room is the enclosing <room name>.
func (ev *xmlEvent) raw(where, room, dayDate, dayStart string) rawTalk {
	r := rawTalk{
		where:       where,
		id:          strings.TrimSpace(ev.ID),
		title:       strings.TrimSpace(ev.Title),
		room:        strings.TrimSpace(ev.Room),
		track:       strings.TrimSpace(ev.Track),
		typ:         strings.TrimSpace(ev.Type),
		guid:        strings.TrimSpace(ev.GUID),
		code:        strings.TrimSpace(ev.Code),
		slug:        strings.TrimSpace(ev.Slug),
		url:         strings.TrimSpace(ev.URL),
		feedbackURL: strings.TrimSpace(ev.Feedback),
		doNotRecord: isTrue(ev.Recording.Optout) || isTrue(ev.Optout),
		abstract:    ev.Abstract,
		language:    ev.Language,
		stamp:       ev.Date,
		dayDate:     dayDate,
		dayStart:    dayStart,
		clock:       ev.Start,
		duration:    ev.Duration,
	}
	if r.room == "" {
		r.room = strings.TrimSpace(room)
	}
	// A date without a clock ("2025-02-01") is the day, not the start.
	if s := strings.TrimSpace(ev.Date); len(s) == len("2006-01-02") {
		r.stamp = ""
		if r.dayDate == "" {
			r.dayDate = s
		}
	}
	// <end> is rare; honour it only when it is a full date and time.
	if e := strings.TrimSpace(ev.End); len(e) > len("2006-01-02") {
		r.end = e
	}
	for _, p := range ev.Persons {
		id := p.ID
		if id == "" {
			id = p.GUID
		}
		r.persons = append(r.persons, rawPerson{code: p.Code, id: id, name: p.Name})
	}
	return r
}

func attr(se xml.StartElement, name string) string {
	for _, a := range se.Attr {
		if a.Name.Local == name {
			return strings.TrimSpace(a.Value)
		}
	}
	return ""
}

// isTrue reads an XML boolean.
func isTrue(s string) bool {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true", "1", "yes":
		return true
	}
	return false
}

// charsetReader decodes the non-UTF-8 encodings old exports declare.
func charsetReader(label string, in io.Reader) (io.Reader, error) {
	switch strings.ToLower(strings.TrimSpace(label)) {
	case "utf-8", "utf8", "us-ascii", "ascii":
		return in, nil
	case "iso-8859-1", "iso8859-1", "latin1", "latin-1":
		return charmap.ISO8859_1.NewDecoder().Reader(in), nil
	case "iso-8859-15", "latin9":
		return charmap.ISO8859_15.NewDecoder().Reader(in), nil
	case "windows-1252", "cp1252":
		return charmap.Windows1252.NewDecoder().Reader(in), nil
	}
	return nil, fmt.Errorf("unsupported encoding %q (want UTF-8)", label)
}
