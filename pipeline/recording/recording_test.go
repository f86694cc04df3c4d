package recording

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/confmedia/confmedia/catalog"
	"github.com/confmedia/confmedia/catalog/catalogtest"
)

const videoFixture = `{
  "description": "EuroPython 2022 - A Tale - presented by Ann\n\n[Liffey A on 2022-07-14]",
  "duration": 1438,
  "language": "eng",
  "recorded": "2022-07-11",
  "related_urls": [{"label": "Conference Website", "url": "https://ep2022.europython.eu/"}],
  "speakers": ["Ann Other", "  "],
  "tags": [],
  "thumbnail_url": "https://i.ytimg.com/vi/uwmQgCrCh2s/maxresdefault.jpg",
  "title": "A Tale of two Kitchens",
  "videos": [{"type": "youtube", "url": "https://www.youtube.com/watch?v=uwmQgCrCh2s"}]
}`

func TestParsePyvideo(t *testing.T) {
	got, err := Parse("videos/a-tale-of-two-kitchens.json", []byte("\n"+videoFixture+"\n"))
	if err != nil {
		t.Fatal(err)
	}
	url := "https://www.youtube.com/watch?v=uwmQgCrCh2s"
	want := []catalog.Recording{{
		ID:          DerivedID(url),
		URL:         url,
		Title:       "A Tale of two Kitchens",
		Speakers:    []string{"Ann Other"},
		Description: "EuroPython 2022 - A Tale - presented by Ann\n\n[Liffey A on 2022-07-14]",
		Recorded:    "2022-07-11",
		Duration:    1438,
		SourceID:    "a-tale-of-two-kitchens",
		Thumbnail:   "https://i.ytimg.com/vi/uwmQgCrCh2s/maxresdefault.jpg",
		Raw:         []byte(videoFixture + "\n"), // a one-record file's bytes, to its end
		State:       catalog.RecordingPending,
	}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
	if !regexp.MustCompile(`^url-[0-9a-f]{16}$`).MatchString(got[0].ID) {
		t.Errorf("derived id %q is not url- and 16 hex digits", got[0].ID)
	}
}

func TestParsePyvideoFields(t *testing.T) {
	video := func(extra string) string {
		return `{"title": "T", "speakers": [], "description": null, "recorded": "2009-02-17", ` + extra + `}`
	}
	yt := `{"type": "youtube", "url": "https://youtu.be/abc"}`
	vimeo := `{"type": "vimeo", "url": "https://vimeo.com/1"}`
	mp4 := `{"type": "mp4", "url": "https://dl.example/a.mp4"}`
	archive := `{"type": "archive.org", "url": "https://archive.org/details/x"}`
	peertube := `{"type": "peertube", "url": "https://tube.example/w/1"}`
	tests := []struct {
		name, doc string
		check     func(r catalog.Recording) bool
	}{
		{"one video", video(`"videos": [` + archive + `]`), func(r catalog.Recording) bool {
			return r.URL == "https://archive.org/details/x"
		}},
		{"mp4 over archive", video(`"videos": [` + archive + `,` + mp4 + `]`), func(r catalog.Recording) bool {
			return r.URL == "https://dl.example/a.mp4"
		}},
		{"youtube over mp4", video(`"videos": [` + mp4 + `,` + yt + `]`), func(r catalog.Recording) bool {
			return r.URL == "https://youtu.be/abc"
		}},
		{"vimeo over mp4", video(`"videos": [` + peertube + `,` + mp4 + `,` + vimeo + `]`), func(r catalog.Recording) bool {
			return r.URL == "https://vimeo.com/1"
		}},
		{"first of unknown kinds", video(`"videos": [` + peertube + `,` + archive + `]`), func(r catalog.Recording) bool {
			return r.URL == "https://tube.example/w/1"
		}},
		{"kind from url", video(`"videos": [{"type": "", "url": "https://x/a"}, {"type": "", "url": "https://www.youtube.com/watch?v=1"}]`),
			func(r catalog.Recording) bool { return r.URL == "https://www.youtube.com/watch?v=1" }},
		{"integer id", video(`"id": 169, "videos": [` + archive + `]`), func(r catalog.Recording) bool { return r.ID == "169" }},
		{"string id", video(`"id": "ep-7", "videos": [` + archive + `]`), func(r catalog.Recording) bool { return r.ID == "ep-7" }},
		{"null id", video(`"id": null, "videos": [` + archive + `]`), func(r catalog.Recording) bool {
			return r.ID == DerivedID("https://archive.org/details/x")
		}},
		{"summary stands in for description", video(`"summary": "S", "videos": [` + archive + `]`), func(r catalog.Recording) bool {
			return r.Description == "S"
		}},
		{"null duration", video(`"duration": null, "videos": [` + archive + `]`), func(r catalog.Recording) bool { return r.Duration == 0 }},
		{"recorded with time", `{"title": "T", "recorded": "2022-07-14T10:05:00+01:00", "videos": [` + yt + `]}`,
			func(r catalog.Recording) bool { return r.Recorded == "2022-07-14" && r.Start == "2022-07-14T10:05" }},
		{"no recorded", `{"title": "T", "videos": [` + yt + `]}`, func(r catalog.Recording) bool { return r.Recorded == "" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse("v.json", []byte(tt.doc))
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 1 || !tt.check(got[0]) {
				t.Errorf("got %+v", got)
			}
		})
	}
}

func TestParsePyvideoArray(t *testing.T) {
	doc := `[
  {"title": "A", "slug": "a-talk", "speakers": [], "description": "", "recorded": "2024-11-02",
   "videos": [{"type": "mp4", "url": "https://dl.example/a.mp4"}]},
  {"title": "B", "speakers": ["Bo"], "description": "", "recorded": "2024-11-03",
   "videos": [{"type": "mp4", "url": "https://dl.example/b.mp4"}]}
]`
	got, err := Parse("dump/all.json", []byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("got %d recordings, want 2", len(got))
	}
	if got[0].SourceID != "a-talk" || got[1].SourceID != "all#2" {
		t.Errorf("source ids %q, %q; want a-talk, all#2", got[0].SourceID, got[1].SourceID)
	}
	if got[1].Title != "B" || got[1].Recorded != "2024-11-03" || !reflect.DeepEqual(got[1].Speakers, []string{"Bo"}) {
		t.Errorf("second = %+v", got[1])
	}
	var back map[string]any
	if err := json.Unmarshal(got[1].Raw, &back); err != nil || back["title"] != "B" {
		t.Errorf("Raw of the second record = %s", got[1].Raw)
	}
}

const csvFixture = "Title,Speakers,Date,Room,Start,URL,Duration,talk_id,source_id,id\n" +
	"Intro to Go,Ann Other; Bob Smith,2024-06-01,Room A,10:00,https://youtu.be/1,1800,t1,cam1-0001.mp4,\n" +
	"\"Quotes, commas\",,,Room B,2024-06-01 11:15,https://youtu.be/2,01:02:03,,,rec-2\n"

func TestParseCSV(t *testing.T) {
	got, err := Parse("recordings.csv", []byte(csvFixture))
	if err != nil {
		t.Fatal(err)
	}
	want := []catalog.Recording{{
		ID: DerivedID("https://youtu.be/1"), URL: "https://youtu.be/1", Title: "Intro to Go",
		Speakers: []string{"Ann Other", "Bob Smith"}, Recorded: "2024-06-01", Room: "Room A",
		Start: "2024-06-01T10:00", Duration: 1800, TalkRef: "t1", SourceID: "cam1-0001.mp4",
		State: catalog.RecordingPending,
	}, {
		ID: "rec-2", URL: "https://youtu.be/2", Title: "Quotes, commas", Recorded: "2024-06-01",
		Room: "Room B", Start: "2024-06-01T11:15", Duration: 3723, State: catalog.RecordingPending,
	}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
}

func TestParseCSVVariants(t *testing.T) {
	tests := []struct {
		name, doc   string
		start       string
		duration    int
		recordedWas string
	}{
		{"tabs", "title\turl\tdate\tstart\tduration\nA\thttps://x/1\t2024-06-01\t09:30\t60\n", "2024-06-01T09:30", 60, "2024-06-01"},
		{"offset kept as wall clock", "title,url,start\nA,https://x/1,2024-06-01T09:30:00+02:00\n", "2024-06-01T09:30", 0, "2024-06-01"},
		{"go duration, BOM, CRLF", "\ufeffTITLE,URL,DURATION\r\nA,https://x/1,45m\r\n", "", 2700, ""},
		{"seconds clock", "title,url,date,start\nA,https://x/1,2024-06-01,09:30:15\n", "2024-06-01T09:30", 0, "2024-06-01"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse("r.csv", []byte(tt.doc))
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 1 || got[0].Start != tt.start || got[0].Duration != tt.duration || got[0].Recorded != tt.recordedWas {
				t.Errorf("got %+v; want start %q, duration %d, recorded %q", got, tt.start, tt.duration, tt.recordedWas)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	okVideo := `{"title": "T", "videos": [{"type": "mp4", "url": "https://x/a.mp4"}]}`
	tests := []struct {
		name, file, doc string
		want            []string
	}{
		{"no videos", "v/x.json", `{"title": "T", "speakers": []}`, []string{"v/x.json", "no videos"}},
		{"empty url", "x.json", `{"title": "T", "videos": [{"type": "mp4", "url": ""}]}`, []string{"x.json", "no video URL"}},
		{"bad recorded", "x.json", `{"title": "T", "recorded": "last week", "videos": [{"type": "mp4", "url": "u"}]}`,
			[]string{"x.json", `recorded: bad date "last week"`}},
		{"speakers not a list", "x.json", `{"title": "T", "speakers": "Ann", "videos": [{"type": "mp4", "url": "u"}]}`,
			[]string{"x.json", "speakers: want a list of strings"}},
		{"fractional duration", "x.json", `{"title": "T", "duration": 1.5, "videos": [{"type": "mp4", "url": "u"}]}`,
			[]string{"x.json", "duration: want a whole number"}},
		{"syntax", "x.json", "{\n\"title\": \"T\",\n}", []string{"x.json", "line 3", "JSON syntax error"}},
		{"truncated", "x.json", "{\n\"title\": ", []string{"x.json", "ends early"}},
		{"trailing data", "x.json", okVideo + "\n" + okVideo, []string{"x.json", "line 2", "more data"}},
		{"array element", "all.json", "[\n" + okVideo + ",\n42\n]", []string{"all.json", "line 3: record 2", "want a pyvideo video object"}},
		{"array bad record", "all.json", "[\n" + okVideo + ",\n{\"title\": \"U\"}\n]", []string{"all.json", "line 3: record 2", "no videos"}},
		{"array duplicate", "all.json", "[\n" + okVideo + ",\n" + okVideo + "\n]",
			[]string{"all.json", "line 3: record 2", "duplicate recording id", "first at line 2: record 1"}},
		{"empty array", "all.json", "[]", []string{"all.json", "no recordings"}},
		{"csv no url", "r.csv", "title,url\nA,https://x/1\nB,\n", []string{"r.csv", "line 3", `recording "B" has no url`}},
		{"csv missing column", "r.csv", "title,link\nA,https://x/1\n", []string{"r.csv", "line 1", "lacks column url"}},
		{"csv bad date", "r.csv", "title,url,date\nA,https://x/1,01/06/2024\n", []string{"r.csv", "line 2", `bad date "01/06/2024"`}},
		{"csv clock without date", "r.csv", "title,url,start\nA,https://x/1,10:00\n", []string{"r.csv", "line 2", "no date"}},
		{"csv bad duration", "r.csv", "title,url,duration\nA,https://x/1,12:30\n", []string{"r.csv", "line 2", `bad duration "12:30"`}},
		{"csv duplicate", "r.csv", "title,url\nA,https://x/1\nB,https://x/1\n", []string{"r.csv", "line 3", "duplicate recording id", "first at line 2"}},
		{"csv ragged", "r.csv", "title,url\nA,https://x/1,extra\n", []string{"r.csv", "line 2", "wrong number of fields"}},
		{"empty", "x.json", " \n", []string{"x.json", "empty"}},
		{"prose", "x.txt", "hello", []string{"x.txt", "not recording metadata"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(tt.file, []byte(tt.doc))
			if got != nil {
				t.Errorf("got recordings with the error: %+v", got)
			}
			assertInvalid(t, err, tt.want...)
		})
	}
}

func TestExport(t *testing.T) {
	recs, err := Parse("a-tale.json", []byte(videoFixture))
	if err != nil {
		t.Fatal(err)
	}
	dub, err := time.LoadLocation("Europe/Dublin")
	if err != nil {
		t.Fatal(err)
	}
	talk := catalog.Talk{
		ID: "39YWUH", Title: "A Tale of two Kitchens, hyper modernizing your codebase",
		Start: time.Date(2022, 7, 14, 0, 30, 0, 0, dub), URL: "https://ep2022.europython.eu/session/a-tale",
	}
	var buf bytes.Buffer
	if err := Export(&buf, recs[0], talk, []string{"Ann Other", "Bob Smith"}); err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatalf("export is not JSON: %v\n%s", err, buf.Bytes())
	}
	checks := map[string]any{
		"title":         talk.Title,
		"recorded":      "2022-07-14", // the venue's date, not UTC's 2022-07-13
		"speakers":      []any{"Ann Other", "Bob Smith"},
		"duration":      1438.0,
		"language":      "eng", // kept from the imported record
		"thumbnail_url": "https://i.ytimg.com/vi/uwmQgCrCh2s/maxresdefault.jpg",
		"videos":        []any{map[string]any{"type": "youtube", "url": "https://www.youtube.com/watch?v=uwmQgCrCh2s"}},
		"related_urls": []any{
			map[string]any{"label": "Conference Website", "url": "https://ep2022.europython.eu/"},
			map[string]any{"label": "Talk", "url": talk.URL},
		},
	}
	for k, want := range checks {
		if !reflect.DeepEqual(got[k], want) {
			t.Errorf("%s = %#v, want %#v", k, got[k], want)
		}
	}

	// Exporting again from the exported record changes nothing.
	again, err := Parse("a-tale.json", buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	var buf2 bytes.Buffer
	if err := Export(&buf2, again[0], talk, []string{"Ann Other", "Bob Smith"}); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf.Bytes(), buf2.Bytes()) {
		t.Errorf("second export differs:\n%s\n%s", buf.Bytes(), buf2.Bytes())
	}

	// A CSV recording has no Raw; the record is built from its fields.
	csvRecs, err := Parse("r.csv", []byte(csvFixture))
	if err != nil {
		t.Fatal(err)
	}
	buf.Reset()
	if err := Export(&buf, csvRecs[1], catalog.Talk{}, nil); err != nil {
		t.Fatal(err)
	}
	if err := ValidateVideo(buf.Bytes()); err != nil {
		t.Errorf("export of a CSV recording: %v\n%s", err, buf.Bytes())
	}
}

func TestValidateVideo(t *testing.T) {
	tests := []struct {
		doc  string
		want string // "" = valid
	}{
		{`{"title": "T", "speakers": [], "description": null, "recorded": "2009-02-17", "videos": [{"type": "a", "url": "u"}]}`, ""},
		{`{"title": "T", "speakers": [], "description": "", "recorded": "2009-02-17T10:00:00+01:00", "videos": [{"type": "a", "url": "u"}]}`, ""},
		{`{"title": "T", "speakers": [], "description": "", "recorded": "2009-02-17", "videos": []}`, "videos"},
		{`{"title": "T", "speakers": [], "description": "", "videos": [{"type": "a", "url": "u"}]}`, `"recorded" missing`},
		{`{"title": "T", "speakers": ["A", "A"], "description": "", "recorded": null, "videos": [{"type": "a", "url": "u"}]}`, "appears twice"},
		{`{"title": "T", "speakers": [], "description": "", "recorded": "17/02/2009", "videos": [{"type": "a", "url": "u"}]}`, "recorded"},
		{`{"title": "T", "speakers": [], "description": "", "recorded": null, "videos": [{"url": "u"}]}`, "videos[0].type"},
		{`{"title": "T", "speakers": [], "description": "", "recorded": null, "duration": "1h", "videos": [{"type": "a", "url": "u"}]}`, "duration"},
		{`[]`, "not a JSON object"},
	}
	for _, tt := range tests {
		err := ValidateVideo([]byte(tt.doc))
		if (tt.want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tt.want)) {
			t.Errorf("ValidateVideo(%s) = %v, want %q", tt.doc, err, tt.want)
		}
	}
}

func TestShared(t *testing.T) {
	tests := []struct {
		dir   []string
		count int
		check func(t *testing.T, r catalog.Recording)
	}{
		{[]string{"europython-2022", "pyvideo", "europython-2022", "videos"}, 122, func(t *testing.T, r catalog.Recording) {
			if !strings.Contains(r.URL, "youtube.com/") || r.Duration < 1066 || r.Duration > 3822 || r.Recorded != "2022-07-11" {
				t.Errorf("%s: url %s, duration %d, recorded %s", r.SourceID, r.URL, r.Duration, r.Recorded)
			}
		}},
		{[]string{"pycon-fr-2024", "pyvideo", "pycon-fr-2024", "videos"}, 50, func(t *testing.T, r catalog.Recording) {
			if r.URL == "" || r.Duration <= 0 {
				t.Errorf("%s: url %q, duration %d", r.SourceID, r.URL, r.Duration)
			}
		}},
		{[]string{"pyvideo", "pycon-us-2009", "videos"}, 100, func(t *testing.T, r catalog.Recording) {
			if r.Duration != 0 || r.Recorded != "2009-02-17" || !regexp.MustCompile(`^[0-9]+$`).MatchString(r.ID) {
				t.Errorf("%s: id %q, duration %d, recorded %s", r.SourceID, r.ID, r.Duration, r.Recorded)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.dir[0], func(t *testing.T) {
			dir := catalogtest.SharedData(t, tt.dir...)
			files, err := filepath.Glob(filepath.Join(dir, "*.json"))
			if err != nil {
				t.Fatal(err)
			}
			if len(files) != tt.count {
				t.Fatalf("%d files, want %d", len(files), tt.count)
			}
			ids := make(map[string]string)
			for _, f := range files {
				data, err := os.ReadFile(f)
				if err != nil {
					t.Fatal(err)
				}
				recs, err := Parse(f, data)
				if err != nil {
					t.Error(err)
					continue
				}
				if len(recs) != 1 {
					t.Errorf("%s: %d recordings, want 1", f, len(recs))
					continue
				}
				r := recs[0]
				if want := strings.TrimSuffix(filepath.Base(f), ".json"); r.SourceID != want {
					t.Errorf("source id %q, want %q", r.SourceID, want)
				}
				if other, dup := ids[r.ID]; dup {
					t.Errorf("%s and %s share id %s", f, other, r.ID)
				}
				ids[r.ID] = f
				if err := ValidateVideo(r.Raw); err != nil {
					t.Errorf("%s: imported record breaks the pyvideo schema: %v", f, err)
				}
				if r.Title == "" || r.Recorded == "" {
					t.Errorf("%s: title %q, recorded %q", f, r.Title, r.Recorded)
				}
				tt.check(t, r)
				var out bytes.Buffer
				if err := Export(&out, r, catalog.Talk{}, nil); err != nil {
					t.Errorf("%s: export: %v", f, err)
				}
			}
		})
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

func FuzzParse(f *testing.F) {
	f.Add([]byte(videoFixture))
	f.Add([]byte("[" + videoFixture + "," + strings.Replace(videoFixture, "uwmQgCrCh2s", "other", -1) + "]"))
	f.Add([]byte(csvFixture))
	f.Add([]byte("title\turl\tdate\tstart\tduration\nA\thttps://x/1\t2024-06-01\t09:30\t60\n"))
	f.Add([]byte(`{"title": "T", "id": 3, "recorded": "2022-07-14T10:05:00+01:00", "videos": [{"type": "mp4", "url": "u"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		recs, err := Parse("fuzz.in", data)
		if err != nil {
			if catalog.ErrorKind(err) != catalog.Invalid || !strings.Contains(catalog.ErrorMessage(err), "fuzz.in") {
				t.Fatalf("bad error: %v", err)
			}
			if recs != nil {
				t.Fatal("recordings returned with an error")
			}
			return
		}
		if len(recs) == 0 {
			t.Fatal("no recordings and no error")
		}
		seen := make(map[string]bool)
		for _, r := range recs {
			if r.ID == "" || r.URL == "" || seen[r.ID] {
				t.Fatalf("bad recording %+v", r)
			}
			seen[r.ID] = true
			var out bytes.Buffer
			if len(r.Raw) > 0 {
				if err := Export(&out, r, catalog.Talk{}, nil); err != nil && !strings.Contains(err.Error(), "export recording") {
					t.Fatalf("export: %v", err)
				}
			}
		}
		again, err := Parse("fuzz.in", data)
		if err != nil || !reflect.DeepEqual(recs, again) {
			t.Fatalf("second parse differs: %v", err)
		}
	})
}
