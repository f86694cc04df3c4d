package schedule

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/confmedia/confmedia/catalog"
)

const frabFixture = `<?xml version="1.0" encoding="UTF-8"?>
<schedule>
  <version>1</version>
  <conference>
    <title>TinyConf</title>
    <acronym>tiny25</acronym>
    <base_url>https://tiny.example/2025/</base_url>
    <time_zone_name>Europe/Brussels</time_zone_name>
  </conference>
  <day index="1" date="2025-02-01" start="2025-02-01T09:00:00+01:00" end="2025-02-02T03:00:00+01:00">
    <room name="Janson">
      <event guid="11111111-1111-4111-8111-111111111111" id="101" code="ABC123">
        <date>2025-02-01T09:30:00+01:00</date>
        <start>09:30</start>
        <duration>00:20</duration>
        <room>Janson</room>
        <slug>welcome</slug>
        <url>https://example.org/talk/welcome/</url>
        <title> Welcome &amp; opening </title>
        <track>Keynotes</track>
        <type>keynote</type>
        <language>en</language>
        <abstract>&lt;p&gt;Hi&nbsp;there&lt;/p&gt;</abstract>
        <persons>
          <person id="2">Zoë Staff</person>
          <person id="1">Ann Other</person>
        </persons>
        <recording><license>CC-BY</license><optout>false</optout></recording>
      </event>
    </room>
    <room name="H.1302">
      <event guid="22222222-2222-4222-8222-222222222222" id="102">
        <start>01:15</start>
        <duration>01:00:00</duration>
        <title>Late night hacking</title>
        <track>Hacks</track>
        <type>workshop</type>
        <persons><person id="1">Ann Other</person></persons>
        <recording><optout>true</optout></recording>
      </event>
    </room>
  </day>
</schedule>
`

const pretalxFixture = `{
  "$schema": "https://c3voc.de/schedule/schema.json",
  "generator": {"name": "pretalx", "version": "2024.1"},
  "schedule": {
    "version": "0.1",
    "conference": {
      "acronym": "tiny",
      "title": "TinyCon",
      "time_zone_name": "Europe/Berlin", "url": "https://pretalx.example/tiny/",
      "days": [
        {
          "index": 1,
          "date": "2024-03-30",
          "day_start": "2024-03-30T04:00:00+01:00",
          "day_end": "2024-03-31T03:59:00+02:00",
          "rooms": {
            "Saal 1": [
              {
                "id": 7, "guid": "33333333-3333-4333-8333-333333333333",
                "date": "2024-03-30T10:00:00+01:00", "start": "10:00", "duration": "00:45",
                "room": "Saal 1", "slug": "tiny-7-opening", "url": "https://pretalx.example/tiny/talk/QWE789/",
                "title": "Opening", "track": "Main", "type": "Talk", "do_not_record": false,
                "language": "de", "abstract": "Wir *eröffnen*.",
                "persons": [
                  {"id": 70, "code": "PERS01", "public_name": "Jürgen Müller", "avatar": "https://pretalx.example/media/avatars/jm.png", "answers": []},
                  {"id": 71, "code": "PERS02", "public_name": "Ann Other"}
                ],
                "answers": []
              }
            ],
            "Saal 2": [
              {
                "id": "x-8", "guid": "44444444-4444-4444-8444-444444444444",
                "date": "2024-03-30T11:00:00+01:00", "start": "11:00", "duration": "01:30",
                "room": "Saal 2", "slug": "tiny-8-secret", "url": "",
                "title": "Off the record", "track": null, "type": "Workshop", "do_not_record": true,
                "persons": [{"id": 71, "code": "PERS02", "public_name": "Ann Other"}]
              }
            ]
          }
        }
      ]
    }
  }
}
`

const csvFixture = "ID,Title,Room,Start,Duration,Speakers,Track,do_not_record\n" +
	"t1,Intro to Go,Room A,2024-06-01 10:00,30,Ann Other; Bob Smith,Go,\n" +
	"t2,\"Quotes, commas\",Room B,2024-06-01T11:00:00+02:00,1h15m,Bob Smith,,yes\n"

func mustZone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func TestParseFrabXML(t *testing.T) {
	got, err := Parse("tiny.xml", []byte(frabFixture), "")
	if err != nil {
		t.Fatal(err)
	}
	bru := mustZone(t, "Europe/Brussels")
	want := catalog.Schedule{
		Conference: catalog.Conference{Title: "TinyConf", Acronym: "tiny25", Timezone: "Europe/Brussels", URL: "https://tiny.example/2025/"},
		Talks: []catalog.Talk{{
			ID: "101", Title: "Welcome & opening", Room: "Janson",
			Start:      time.Date(2025, 2, 1, 9, 30, 0, 0, bru),
			End:        time.Date(2025, 2, 1, 9, 50, 0, 0, bru),
			SpeakerIDs: []string{"2", "1"}, Track: "Keynotes", Type: "keynote",
			GUID: "11111111-1111-4111-8111-111111111111", Code: "ABC123", Slug: "welcome",
			URL: "https://example.org/talk/welcome/", Abstract: "<p>Hi\u00a0there</p>", Language: "en",
		}, {
			// No <date>: the day's date plus <start>, after midnight so on
			// the next calendar day; the room comes from <room name>.
			ID: "102", Title: "Late night hacking", Room: "H.1302",
			Start:      time.Date(2025, 2, 2, 1, 15, 0, 0, bru),
			End:        time.Date(2025, 2, 2, 2, 15, 0, 0, bru),
			SpeakerIDs: []string{"1"}, Track: "Hacks", Type: "workshop",
			GUID: "22222222-2222-4222-8222-222222222222", DoNotRecord: true,
		}},
		Speakers: []catalog.Speaker{{ID: "1", Name: "Ann Other"}, {ID: "2", Name: "Zoë Staff"}},
	}
	assertSchedule(t, got, want)
}

func TestParsePretalxJSON(t *testing.T) {
	got, err := Parse("schedule.json", []byte(pretalxFixture), "")
	if err != nil {
		t.Fatal(err)
	}
	ber := mustZone(t, "Europe/Berlin")
	want := catalog.Schedule{
		Conference: catalog.Conference{Title: "TinyCon", Acronym: "tiny", Timezone: "Europe/Berlin", URL: "https://pretalx.example/tiny/"},
		Talks: []catalog.Talk{{
			ID: "7", Title: "Opening", Room: "Saal 1",
			Start:      time.Date(2024, 3, 30, 10, 0, 0, 0, ber),
			End:        time.Date(2024, 3, 30, 10, 45, 0, 0, ber),
			SpeakerIDs: []string{"PERS01", "PERS02"}, Track: "Main", Type: "Talk",
			GUID: "33333333-3333-4333-8333-333333333333", Code: "QWE789", Slug: "tiny-7-opening",
			URL: "https://pretalx.example/tiny/talk/QWE789/", Language: "de", Abstract: "Wir *eröffnen*.",
		}, {
			ID: "x-8", Title: "Off the record", Room: "Saal 2",
			Start:      time.Date(2024, 3, 30, 11, 0, 0, 0, ber),
			End:        time.Date(2024, 3, 30, 12, 30, 0, 0, ber),
			SpeakerIDs: []string{"PERS02"}, Type: "Workshop",
			GUID: "44444444-4444-4444-8444-444444444444", Slug: "tiny-8-secret", DoNotRecord: true,
		}},
		Speakers: []catalog.Speaker{{ID: "PERS01", Name: "Jürgen Müller", AvatarURL: "https://pretalx.example/media/avatars/jm.png"},
			{ID: "PERS02", Name: "Ann Other"}},
	}
	assertSchedule(t, got, want)
}

func TestParseSchedule2JSON(t *testing.T) {
	const doc = `{"schedule": {"version": "1", "conference": {"title": "Hub", "time_zone_name": "Europe/Berlin",
	  "tracks": [{"name": "Art & Beauty", "slug": "art-beauty"}]},
	  "events": [{"guid": "55555555-5555-4555-8555-555555555555", "code": "HQCCYH",
	    "start": "2024-12-27T10:30:00+01:00", "end": "2024-12-27T11:00:00+01:00",
	    "room": {"name": "Saal 1", "slug": "saal-1"}, "track": {"slug": "art-beauty"}, "title": "Opening", "type": "TALK",
	    "participants": [{"guid": "66666666-6666-4666-8666-666666666666", "name": "Gabriela", "role": "SPEAKER"}]}]}}`
	got, err := Parse("hub.json", []byte(doc), "")
	if err != nil {
		t.Fatal(err)
	}
	ber := mustZone(t, "Europe/Berlin")
	want := catalog.Schedule{
		Conference: catalog.Conference{Title: "Hub", Timezone: "Europe/Berlin"},
		Talks: []catalog.Talk{{
			ID: "HQCCYH", Title: "Opening", Room: "Saal 1", Track: "Art & Beauty", Type: "TALK",
			Start:      time.Date(2024, 12, 27, 10, 30, 0, 0, ber),
			End:        time.Date(2024, 12, 27, 11, 0, 0, 0, ber),
			SpeakerIDs: []string{"66666666-6666-4666-8666-666666666666"},
			GUID:       "55555555-5555-4555-8555-555555555555", Code: "HQCCYH",
		}},
		Speakers: []catalog.Speaker{{ID: "66666666-6666-4666-8666-666666666666", Name: "Gabriela"}},
	}
	assertSchedule(t, got, want)
}

func TestParseSubmissions(t *testing.T) {
	// The shapes pretalx-derived sites keep: a flat list with start/end
	// (EuroPython), and days of slots holding submissions with a slot
	// (PyCon FR), both with translated names.
	tests := []struct {
		name, doc string
	}{
		{"list", `[
		  {"code": "39YWUH", "title": "Audio", "speakers": [{"code": "XSUHP3", "name": "Peter"}],
		   "submission_type": "Talk", "track": "Libraries", "room": "Liffey B",
		   "start": "2022-07-13T16:05:00+01:00", "end": "2022-07-13T16:35:00+01:00"},
		  {"code": "SEFCBQ", "title": "Unscheduled", "speakers": [], "room": null, "start": null, "end": null}
		]`},
		{"nested", `{"schedule": {"2022-07-13": {"965": {"1": {"code": "39YWUH", "title": "Audio",
		   "speakers": [{"code": "XSUHP3", "name": "Peter", "biography": ""}],
		   "submission_type": {"en": "Talk", "fr": "Conférence"}, "track": "Libraries", "duration": 30,
		   "slot": {"room_id": 1, "room": {"fr": "Liffey B", "en": "Liffey B"}, "start": "2022-07-13T16:05:00+01:00"}}}}},
		  "speakers": {"XSUHP3": {"code": "XSUHP3", "name": "Peter"}}}`},
	}
	dub := mustZone(t, "Europe/Dublin")
	want := catalog.Schedule{
		Conference: catalog.Conference{Timezone: "Europe/Dublin"},
		Talks: []catalog.Talk{{
			ID: "39YWUH", Code: "39YWUH", Title: "Audio", Room: "Liffey B", Track: "Libraries", Type: "Talk",
			Start:      time.Date(2022, 7, 13, 16, 5, 0, 0, dub),
			End:        time.Date(2022, 7, 13, 16, 35, 0, 0, dub),
			SpeakerIDs: []string{"XSUHP3"},
		}},
		Speakers: []catalog.Speaker{{ID: "XSUHP3", Name: "Peter"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if f, err := Sniff([]byte(tt.doc)); f != FormatPretalxSubmissions {
				t.Fatalf("Sniff = %q, %v; want %q", f, err, FormatPretalxSubmissions)
			}
			got, err := Parse("sessions.json", []byte(tt.doc), "Europe/Dublin")
			if err != nil {
				t.Fatal(err)
			}
			assertSchedule(t, got, want)
		})
	}
}

func TestParseCSV(t *testing.T) {
	got, err := Parse("talks.csv", []byte(csvFixture), "Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	ber := mustZone(t, "Europe/Berlin")
	want := catalog.Schedule{
		Conference: catalog.Conference{Timezone: "Europe/Berlin"},
		Talks: []catalog.Talk{{
			ID: "t1", Title: "Intro to Go", Room: "Room A", Track: "Go",
			Start:      time.Date(2024, 6, 1, 10, 0, 0, 0, ber),
			End:        time.Date(2024, 6, 1, 10, 30, 0, 0, ber),
			SpeakerIDs: []string{"ann-other", "bob-smith"},
		}, {
			ID: "t2", Title: "Quotes, commas", Room: "Room B",
			Start:      time.Date(2024, 6, 1, 11, 0, 0, 0, ber),
			End:        time.Date(2024, 6, 1, 12, 15, 0, 0, ber),
			SpeakerIDs: []string{"bob-smith"}, DoNotRecord: true,
		}},
		Speakers: []catalog.Speaker{{ID: "ann-other", Name: "Ann Other"}, {ID: "bob-smith", Name: "Bob Smith"}},
	}
	assertSchedule(t, got, want)
}

func TestParseCSVVariants(t *testing.T) {
	ber := mustZone(t, "Europe/Berlin")
	at := func(h, m int) time.Time { return time.Date(2024, 6, 1, h, m, 0, 0, ber) }
	tests := []struct {
		name       string
		doc        string
		start, end time.Time
	}{
		{"end column", "id,title,room,start,end\n1,A,R,2024-06-01 10:00,2024-06-01 10:45\n", at(10, 0), at(10, 45)},
		{"duration HH:MM", "id,title,room,start,duration\n1,A,R,2024-06-01T10:00,01:05\n", at(10, 0), at(11, 5)},
		{"duration minutes", "id,title,room,start,duration\n1,A,R,2024-06-01T10:00:00,90\n", at(10, 0), at(11, 30)},
		{"go duration", "id,title,room,start,duration\n1,A,R,2024-06-01 10:00,45m\n", at(10, 0), at(10, 45)},
		{"offset", "id,title,room,start,end\n1,A,R,2024-06-01T08:00:00Z,2024-06-01T09:00:00Z\n", at(10, 0), at(11, 0)},
		{"upper case, tabs, BOM, CRLF", "\ufeffID\tTITLE\tROOM\tSTART\tDURATION\r\n1\tA\tR\t2024-06-01 10:00\t30\r\n", at(10, 0), at(10, 30)},
		{"columns reordered, blank line", "duration,start,title,id\n\n30,2024-06-01 10:00,A,1\n", at(10, 0), at(10, 30)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Parse("talks.csv", []byte(tt.doc), "Europe/Berlin")
			if err != nil {
				t.Fatal(err)
			}
			if len(s.Talks) != 1 {
				t.Fatalf("got %d talks, want 1", len(s.Talks))
			}
			got := s.Talks[0]
			if !got.Start.Equal(tt.start) || !got.End.Equal(tt.end) {
				t.Errorf("got %v – %v, want %v – %v", got.Start, got.End, tt.start, tt.end)
			}
			if got.Start.Location().String() != "Europe/Berlin" {
				t.Errorf("start in %v, want Europe/Berlin", got.Start.Location())
			}
		})
	}
}

func TestZoneRules(t *testing.T) {
	noZone := strings.Replace(pretalxFixture, `"time_zone_name": "Europe/Berlin",`, "", 1)
	tests := []struct {
		name, doc, zone string
		wantZone        string
		wantErr         []string
	}{
		{"file zone", pretalxFixture, "", "Europe/Berlin", nil},
		{"argument overrides file", pretalxFixture, "Europe/London", "Europe/London", nil},
		{"argument fills in", noZone, "Europe/Paris", "Europe/Paris", nil},
		{"none", noZone, "", "", []string{"x.json", "names no time zone", "--timezone"}},
		{"csv none", csvFixture, "", "", []string{"x.json", "--timezone"}},
		{"unknown", pretalxFixture, "Mars/Olympus_Mons", "", []string{"x.json", `unknown time zone "Mars/Olympus_Mons"`, "--timezone"}},
		{"local refused", pretalxFixture, "Local", "", []string{"unknown time zone", "--timezone"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Parse("x.json", []byte(tt.doc), tt.zone)
			if tt.wantErr != nil {
				assertInvalid(t, err, tt.wantErr...)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if s.Conference.Timezone != tt.wantZone {
				t.Errorf("zone = %q, want %q", s.Conference.Timezone, tt.wantZone)
			}
			for _, tk := range s.Talks {
				if got := tk.Start.Location().String(); got != tt.wantZone {
					t.Errorf("talk %s start in %s, want %s", tk.ID, got, tt.wantZone)
				}
			}
			// The instant never depends on the zone when the file gives offsets.
			if want := time.Date(2024, 3, 30, 9, 0, 0, 0, time.UTC); !s.Talks[0].Start.Equal(want) {
				t.Errorf("start = %v, want %v", s.Talks[0].Start, want)
			}
		})
	}
}

func TestDST(t *testing.T) {
	// Europe/Berlin springs forward on 2024-03-31 at 02:00 and falls back on
	// 2024-10-27 at 03:00. Durations are elapsed time; offsets follow the
	// date.
	doc := "id,title,room,start,duration\n" +
		"w,Winter,R,2024-03-30 10:00,60\n" +
		"s,Summer,R,2024-03-31 10:00,60\n" +
		"x,Across spring,R,2024-03-31 01:30,60\n" +
		"b,Across autumn,R,2024-10-27 02:30,60\n"
	s, err := Parse("dst.csv", []byte(doc), "Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		id, start, end string
	}{
		{"w", "2024-03-30T10:00:00+01:00", "2024-03-30T11:00:00+01:00"},
		{"s", "2024-03-31T10:00:00+02:00", "2024-03-31T11:00:00+02:00"},
		{"x", "2024-03-31T01:30:00+01:00", "2024-03-31T03:30:00+02:00"},
		{"b", "2024-10-27T02:30:00+02:00", "2024-10-27T02:30:00+01:00"},
	}
	for i, tt := range tests {
		tk := s.Talks[i]
		if tk.ID != tt.id {
			t.Fatalf("talk %d is %s, want %s", i, tk.ID, tt.id)
		}
		if got := tk.Start.Format(time.RFC3339); got != tt.start {
			t.Errorf("%s start = %s, want %s", tt.id, got, tt.start)
		}
		if got := tk.End.Format(time.RFC3339); got != tt.end {
			t.Errorf("%s end = %s, want %s", tt.id, got, tt.end)
		}
	}
}

func TestParseErrors(t *testing.T) {
	event := func(attrs, body string) string {
		return "<schedule>\n<conference><time_zone_name>Europe/Brussels</time_zone_name></conference>\n" +
			"<day date=\"2025-02-01\">\n<room name=\"R\">\n<event " + attrs + ">" + body + "</event>\n</room>\n</day>\n</schedule>\n"
	}
	good := "<date>2025-02-01T10:00:00+01:00</date><duration>00:30</duration><title>T</title>"
	tests := []struct {
		name, file, doc string
		want            []string
	}{
		{"xml no id", "s.xml", event(`guid="g"`, good), []string{"s.xml", "line 5", `event "T" has no id`}},
		{"xml duplicate id", "s.xml",
			strings.Replace(event(`id="1"`, good), "</room>", "<event id=\"1\">"+good+"</event>\n</room>", 1),
			[]string{"s.xml", "line 6", `duplicate talk id "1"`, "first at line 5"}},
		{"xml bad start", "s.xml", event(`id="1"`, "<date>soon</date><duration>00:30</duration>"),
			[]string{"s.xml", "line 5", "event 1", `bad start "soon"`}},
		{"xml bad duration", "s.xml", event(`id="1"`, "<date>2025-02-01T10:00:00+01:00</date><duration>half an hour</duration>"),
			[]string{"s.xml", "line 5", `bad duration "half an hour"`}},
		{"xml no duration", "s.xml", event(`id="1"`, "<date>2025-02-01T10:00:00+01:00</date>"),
			[]string{"s.xml", "line 5", "no end time or duration"}},
		{"xml syntax", "s.xml", "<schedule>\n<conference>\n</schedule>\n", []string{"s.xml", "line 3", "XML syntax error"}},
		{"xml wrong root", "s.xml", "<?xml version=\"1.0\"?>\n<html><body/></html>", []string{"s.xml", "line 2", "root element is <html>"}},
		{"xml no events", "s.xml", "<schedule><conference><time_zone_name>UTC</time_zone_name></conference></schedule>",
			[]string{"s.xml", "no talks"}},
		{"json syntax", "s.json", "{\"schedule\": {\n\"conference\": [,]}}", []string{"s.json", "line 2", "JSON syntax error"}},
		{"json truncated", "s.json", "{\"schedule\": {\n\"conference\": {", []string{"s.json", "line 2", "ends early"}},
		{"json conference not object", "s.json", "{\"schedule\": {\"conference\": {\"days\": 3}}}",
			[]string{"s.json", "line 1", "schedule.conference.days", "want an array"}},
		{"json end before start", "s.json", strings.Replace(pretalxFixture, `"duration": "00:45"`, `"end": "2024-03-30T09:00:00+01:00"`, 1),
			[]string{"s.json", "line 18", "schedule.conference.days[0].rooms.Saal 1[0]", "ends (2024-03-30T09:00:00+01:00) before it starts"}},
		{"json bad id", "s.json", strings.Replace(pretalxFixture, `"id": 7,`, `"id": 7.5,`, 1),
			[]string{"s.json", "line 19", "rooms.Saal 1[0].id", "id 7.5 is not an integer"}},
		{"json bad person code", "s.json", strings.Replace(pretalxFixture, `"PERS01"`, `"pers 1"`, 1),
			[]string{"s.json", "persons[0].code", `person code "pers 1" is not a pretalx code`}},
		{"json duplicate id", "s.json", strings.Replace(pretalxFixture, `"id": "x-8"`, `"id": 7`, 1),
			[]string{"s.json", `duplicate talk id "7"`, "Saal 2[0]"}},
		{"json not a schedule", "s.json", `{"hello": "world"}`, []string{"s.json", "JSON, but not a schedule"}},
		{"csv missing column", "s.csv", "id,title,room\n1,A,R\n", []string{"s.csv", "line 1", "lacks column start, end or duration"}},
		{"csv bad start", "s.csv", "id,title,start,duration\n1,A,2024-06-01 10:00,30\n2,B,tomorrow,30\n",
			[]string{"s.csv", "line 3", `bad start "tomorrow"`}},
		{"csv end before start", "s.csv", "id,title,start,end\n1,A,2024-06-01 10:00,2024-06-01 09:00\n",
			[]string{"s.csv", "line 2", "before it starts"}},
		{"csv ragged", "s.csv", "id,title,start,duration\n1,A,2024-06-01 10:00\n", []string{"s.csv", "line 2", "wrong number of fields"}},
		{"csv no id", "s.csv", "id,title,start,duration\n,A,2024-06-01 10:00,30\n", []string{"s.csv", "line 2", `event "A" has no id`}},
		{"csv header only", "s.csv", "id,title,start,duration\n", []string{"s.csv", "no talks"}},
		{"empty", "s.txt", "  \n", []string{"s.txt", "empty"}},
		{"prose", "s.txt", "hello world\n", []string{"s.txt", "not a schedule"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Parse(tt.file, []byte(tt.doc), "Europe/Berlin")
			assertInvalid(t, err, tt.want...)
			if !reflect.DeepEqual(s, catalog.Schedule{}) {
				t.Errorf("got a partial schedule with the error: %+v", s)
			}
		})
	}
}

func TestSniff(t *testing.T) {
	tests := []struct {
		doc, want string
	}{
		{frabFixture, FormatFrabXML},
		{"\ufeff  <schedule/>", FormatFrabXML},
		{pretalxFixture, FormatPretalxJSON},
		{`{"schedule": {"conference": {}, "events": []}}`, FormatSchedule2JSON},
		{`[{"code": "ABC", "title": "x", "start": null}]`, FormatPretalxSubmissions},
		{csvFixture, FormatCSV},
		{"{broken", FormatPretalxJSON}, // the reader reports the syntax error
	}
	for _, tt := range tests {
		got, err := Sniff([]byte(tt.doc))
		if err != nil || got != tt.want {
			t.Errorf("Sniff(%.30q) = %q, %v; want %q", tt.doc, got, err, tt.want)
		}
	}
	for _, doc := range []string{"", "plain text", `{"a": 1}`, `[1, 2]`} {
		if got, err := Sniff([]byte(doc)); err == nil {
			t.Errorf("Sniff(%q) = %q, want an error", doc, got)
		}
	}
}

func TestSpeakerSlug(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Ann Other", "ann-other"},
		{"  Jürgen  Müller ", "jurgen-muller"},
		{"Łukasz Taczuk", "lukasz-taczuk"},
		{"Straße & Søn", "strasse-son"},
		{"Richard \"RichiH\" Hartmann", "richard-richih-hartmann"},
		{"ABHISHEK", "abhishek"},
		{"Dr. O'Neil-Smith", "dr-o-neil-smith"},
		{"ﬁne ligature", "fine-ligature"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := SpeakerSlug(tt.in); got != tt.want {
			t.Errorf("SpeakerSlug(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	// Names with no foldable letter still get a stable, distinct id.
	a, b := SpeakerSlug("山田太郎"), SpeakerSlug("李小龙")
	if !strings.HasPrefix(a, "person-") || a == b || a != SpeakerSlug("山田太郎") {
		t.Errorf("SpeakerSlug of CJK names = %q, %q", a, b)
	}
}

func TestParseDuration(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"00:20", 20 * time.Minute, true},
		{"01:30", 90 * time.Minute, true},
		{"48:00", 48 * time.Hour, true},
		{"01:00:30", time.Hour + 30*time.Second, true},
		{"1:02:00:00", 26 * time.Hour, true},
		{"1 day, 2:00:00", 26 * time.Hour, true},
		{"45", 45 * time.Minute, true},
		{"1h30m", 90 * time.Minute, true},
		{"00:60", 0, false},
		{"-5m", 0, false},
		{"abc", 0, false},
		{"", 0, false},
		{"9999:00", 0, false},
		{"1:2:3:4:5", 0, false},
	}
	for _, tt := range tests {
		got, err := parseDuration(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("parseDuration(%q) = %v, %v; want %v, ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

func assertSchedule(t *testing.T, got, want catalog.Schedule) {
	t.Helper()
	if got.Conference != want.Conference {
		t.Errorf("conference = %+v, want %+v", got.Conference, want.Conference)
	}
	if len(got.Talks) != len(want.Talks) {
		t.Fatalf("got %d talks, want %d: %+v", len(got.Talks), len(want.Talks), got.Talks)
	}
	for i := range want.Talks {
		g, w := got.Talks[i], want.Talks[i]
		if !g.Start.Equal(w.Start) || !g.End.Equal(w.End) {
			t.Errorf("talk %s: %v – %v, want %v – %v", w.ID, g.Start, g.End, w.Start, w.End)
		}
		if g.Start.Location().String() != want.Conference.Timezone {
			t.Errorf("talk %s: start in %v, want %s", w.ID, g.Start.Location(), want.Conference.Timezone)
		}
		g.Start, g.End, w.Start, w.End = time.Time{}, time.Time{}, time.Time{}, time.Time{}
		if !reflect.DeepEqual(g, w) {
			t.Errorf("talk %d:\n got %+v\nwant %+v", i, g, w)
		}
	}
	if !reflect.DeepEqual(got.Speakers, want.Speakers) {
		t.Errorf("speakers:\n got %+v\nwant %+v", got.Speakers, want.Speakers)
	}
}

// assertInvalid checks that err is a catalog.Invalid error whose
// user-facing message holds every part of want.
func assertInvalid(t *testing.T, err error, want ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want one mentioning %q", want)
	}
	var ce *catalog.Error
	if !errors.As(err, &ce) || catalog.ErrorKind(err) != catalog.Invalid {
		t.Errorf("error %v is not a catalog.Invalid error", err)
	}
	msg := catalog.ErrorMessage(err)
	for _, w := range want {
		if !strings.Contains(msg, w) {
			t.Errorf("error message %q lacks %q", msg, w)
		}
	}
}
