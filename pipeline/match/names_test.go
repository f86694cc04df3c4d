package match

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func TestFold(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Zoë  O’Brien", "zoe obrien"},
		{"zoe obrien", "zoe obrien"},
		{"ZOË O'BRIEN", "zoe obrien"},
		{"Zoe\u0308 O\u2019Brien", "zoe obrien"}, // decomposed ë, as macOS file names are
		{"  Łukasz   Taczuk ", "lukasz taczuk"},
		{"Marc-André Lemburg", "marc andre lemburg"},
		{"Jean-Luc", "jean luc"},
		{"Straße Ærø Œuvre", "strasse aero oeuvre"},
		{"Python’s role", "pythons role"},
		{"Python's role", "pythons role"},
		{"`typing.Protocol`: type hints", "typing protocol type hints"},
		{"Correlating messy data with \"correlate\"", "correlating messy data with correlate"},
		{"« Les gens ne savent pas ce qu'ils font » !", "les gens ne savent pas ce quils font"},
		{"Ｆｕｌｌ ｗｉｄｔｈ ﬁ", "full width fi"},
		{"Nicholas H.Tollervey", "nicholas h tollervey"},
		{"Slackbot(ver.2)", "slackbot ver 2"},
		{"Ｃ＋＋ & C#", "c c"},
		{"", ""},
		{" - ", ""},
	}
	for _, tt := range tests {
		if got := Fold(tt.in); got != tt.want {
			t.Errorf("Fold(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestSamePerson(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"Zoë O’Brien", "zoe obrien", true},
		{"Dr. Patrick Kavanagh", "Patrick Kavanagh", true},
		{"Mauro", "Mauro Pelucchi", true},
		{"Pelucchi", "Mauro Pelucchi", true},
		{"ABHISHEK", "Abhishek Sanwaliya", true},
		{"E. Leblond", "Emmanuel Leblond", true},
		{"Anthony I. Joseph", "Anthony Joseph", true},
		{"Nicholas H.Tollervey", "Nicholas H. Tollervey", true},
		{"Marc-André Lemburg", "Marcandre Lemburg", true},
		{"Lemburg Marc-André", "Marc-André Lemburg", true},
		{"@disconnect3d", "disconnect3d", true},
		{"Jo", "Jo Smith", false}, // too short to trust alone
		{"Daniel Koch", "Michael Segal", false},
		{"Pat Kavanagh", "Patrick Kavanagh", false}, // no near names
		{"Jane Doe", "John Doe", false},
		{"J. Doe", "Mary Doe", false},
		{"disconnect3d", "Łukasz Taczuk", false},
		{"", "Jane Doe", false},
	}
	for _, tt := range tests {
		if got := samePerson(personWords(tt.a), personWords(tt.b)); got != tt.want {
			t.Errorf("samePerson(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
		if got := samePerson(personWords(tt.b), personWords(tt.a)); got != tt.want {
			t.Errorf("samePerson(%q, %q) = %v, want %v", tt.b, tt.a, got, tt.want)
		}
	}
}

// TestPure keeps the package free of I/O and of the server's clock and zone.
func TestPure(t *testing.T) {
	forbidden := []string{"net/http", "database/sql", "os", "os/exec", "github.com/hibiken/asynq", "github.com/aws/"}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		f, err := parser.ParseFile(token.NewFileSet(), name, src, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			for _, bad := range forbidden {
				if p == bad || strings.HasSuffix(bad, "/") && strings.HasPrefix(p, bad) {
					t.Errorf("%s imports %s", name, p)
				}
			}
		}
		for _, bad := range []string{"time.Now", "time.Local", "time.Since", "time.Until"} {
			if strings.Contains(string(src), bad) {
				t.Errorf("%s uses %s", name, bad)
			}
		}
	}
}

func FuzzFold(f *testing.F) {
	for _, s := range []string{"Zoë  O’Brien", "Łukasz", "Ｆｕｌｌ", "ǅemal", "İstanbul", "a\u0308\u0301b", "\xff\xfe"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := Fold(s)
		if again := Fold(got); again != got {
			t.Errorf("Fold(%q) = %q, but Fold(%q) = %q", s, got, got, again)
		}
		if strings.TrimSpace(got) != got || strings.Contains(got, "  ") {
			t.Errorf("Fold(%q) = %q has stray spaces", s, got)
		}
	})
}
