package recording

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/confmedia/confmedia/catalog"
	"github.com/confmedia/confmedia/catalog/catalogtest"
)

// handWritten is a pyvideo file as people leave them: keys not sorted, some
// characters escaped and some not, markup in the description.
const handWritten = `{
  "title": "Accueil / Welcome",
  "description": "Caf\u00e9 & <b>croissants</b> \u2014 ensuite les confs\nEmoji \ud83d\ude00",
  "duration": 900,
  "recorded": "2031-11-02",
  "speakers": [
    "Léa Martin"
  ],
  "videos": [
    {
      "type": "youtube",
      "url": "https://www.youtube.com/watch?v=abcdefghijk"
    }
  ],
  "related_urls": [],
  "thumbnail_url": "https://i.ytimg.com/vi/abcdefghijk/hqdefault.jpg"
}
`

func exportOf(t *testing.T, name string, data []byte, k catalog.Talk, speakers []string) string {
	t.Helper()
	recs, err := Parse(name, data)
	if err != nil || len(recs) != 1 {
		t.Fatalf("parse %s: %v (%d records)", name, err, len(recs))
	}
	var b bytes.Buffer
	if err := Export(&b, recs[0], k, speakers); err != nil {
		t.Fatalf("export %s: %v", name, err)
	}
	return b.String()
}

func TestExportUnchangedIsIdentical(t *testing.T) {
	if got := exportOf(t, "welcome.json", []byte(handWritten), catalog.Talk{}, nil); got != handWritten {
		t.Errorf("export of an unchanged record:\n%s\nwant the file as imported:\n%s", got, handWritten)
	}
	// The schedule agreeing with the record changes nothing either.
	day := time.Date(2031, 11, 2, 9, 0, 0, 0, time.UTC)
	k := catalog.Talk{ID: "W", Title: "Accueil / Welcome", Start: day}
	if got := exportOf(t, "welcome.json", []byte(handWritten), k, []string{"Léa Martin"}); got != handWritten {
		t.Errorf("export with an agreeing talk:\n%s", got)
	}
}

func TestExportTouchesOnlyWhatChanged(t *testing.T) {
	day := time.Date(2031, 11, 3, 9, 0, 0, 0, time.UTC)
	k := catalog.Talk{ID: "W", Title: "Accueil — Welcome", Start: day}
	got := exportOf(t, "welcome.json", []byte(handWritten), k, []string{"Léa Martin"})
	want := strings.NewReplacer(
		`"title": "Accueil / Welcome"`, `"title": "Accueil \u2014 Welcome"`,
		`"recorded": "2031-11-02"`, `"recorded": "2031-11-03"`).Replace(handWritten)
	if got != want {
		t.Errorf("export:\n%s\nwant:\n%s", got, want)
	}
}

func TestExportNewRecordLayout(t *testing.T) {
	r := catalog.Recording{ID: "r1", URL: "https://www.youtube.com/watch?v=abcdefghijk", Title: "Zoë's talk", Speakers: []string{"Zoë"}}
	var b bytes.Buffer
	if err := Export(&b, r, catalog.Talk{}, nil); err != nil {
		t.Fatal(err)
	}
	want := `{
  "description": "",
  "recorded": null,
  "speakers": [
    "Zo\u00eb"
  ],
  "title": "Zo\u00eb's talk",
  "videos": [
    {
      "type": "youtube",
      "url": "https://www.youtube.com/watch?v=abcdefghijk"
    }
  ]
}
`
	if b.String() != want {
		t.Errorf("new record:\n%s\nwant:\n%s", b.String(), want)
	}
}

func TestPyQuote(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain", `"plain"`},
		{"a\"b\\c\n\t\r\b\f", `"a\"b\\c\n\t\r\b\f"`},
		{"<&>/", `"<&>/"`},
		{"é—", `"\u00e9\u2014"`},
		{"😀", `"\ud83d\ude00"`},
		{"\x01\x7f", `"\u0001\u007f"`},
	}
	for _, tt := range tests {
		if got := string(pyQuote(tt.in)); got != tt.want {
			t.Errorf("pyQuote(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

func TestCategory(t *testing.T) {
	if got, want := string(CategoryJSON("PyCon Zoë 2031")), "{\n  \"title\": \"PyCon Zo\\u00eb 2031\"\n}\n"; got != want {
		t.Errorf("CategoryJSON = %q, want %q", got, want)
	}
	if title, err := ParseCategory("category.json", CategoryJSON("PyNorth 2031")); err != nil || title != "PyNorth 2031" {
		t.Errorf("ParseCategory = %q, %v", title, err)
	}
	if _, err := ParseCategory("category.json", []byte(`{"description": "x"}`)); err == nil || !strings.Contains(err.Error(), "category.json") {
		t.Errorf("ParseCategory without a title: %v", err)
	}
}

// TestRealPyvideoRoundTrip imports every real pyvideo file and exports it
// unchanged: the bytes must be the file's.
func TestRealPyvideoRoundTrip(t *testing.T) {
	var dirs []string
	for _, d := range [][]string{
		{"europython-2022", "pyvideo", "europython-2022"},
		{"pycon-fr-2024", "pyvideo", "pycon-fr-2024"},
		{"pyvideo", "pycon-us-2009"},
	} {
		dirs = append(dirs, catalogtest.SharedData(t, d...))
	}
	n := 0
	for _, dir := range dirs {
		data, err := os.ReadFile(filepath.Join(dir, "category.json"))
		if err != nil {
			t.Fatal(err)
		}
		if title, err := ParseCategory("category.json", data); err != nil || title == "" {
			t.Errorf("%s/category.json: %q, %v", dir, title, err)
		}
		files, _ := filepath.Glob(filepath.Join(dir, "videos", "*.json"))
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			if got := exportOf(t, filepath.Base(f), data, catalog.Talk{}, nil); got != string(data) {
				t.Errorf("%s: export differs from the file", f)
			}
			n++
		}
	}
	t.Logf("%d real pyvideo files exported byte-identical", n)
	if n != 122+50+100 {
		t.Errorf("%d files, want 272", n)
	}
}
