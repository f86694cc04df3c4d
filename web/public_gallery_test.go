package web

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/confmedia/confmedia/catalog"
)

// A small headshot makes several renditions of the same pixels: each size
// is offered once, named by its pixels, smallest first.
func TestDistinctSizes(t *testing.T) {
	rd := func(w, h int) catalog.DocRendition { return catalog.DocRendition{URL: "u", Width: w, Height: h} }
	m := catalog.DocMedia{ID: "m1", Renditions: map[string]catalog.DocRendition{
		"square": rd(400, 400), "square-large": rd(517, 517), "medium": rd(517, 606), "large": rd(517, 606),
	}}
	got := distinctSizes(m, headshotSizes, func(m catalog.DocMedia, n string) string { return n + ".jpg" })
	var labels []string
	for _, d := range got {
		labels = append(labels, d.Rendition+" "+d.Label)
	}
	want := []string{"square 400×400 square", "square-large 517×517 square", "large 517×606"}
	if !slices.Equal(labels, want) {
		t.Errorf("distinctSizes = %q, want %q", labels, want)
	}
}

func TestScheduleGrid(t *testing.T) {
	talk := func(id, start, end string) talkLink { return talkLink{ID: id, Start: start, End: end} }
	rooms := []roomView{
		{Name: "Hall", Talks: []talkLink{talk("a", "09:00", "10:00"), talk("b", "10:00", "10:30")}},
		{Name: "Side", Talks: []talkLink{talk("c", "09:30", "10:00"), talk("d", "09:45", "10:30")}},
	}
	g := scheduleGrid(rooms)
	// Rows 09:00, 09:30, 09:45, 10:00 (10:30 ends the day).
	var got []string
	for _, r := range g.Rows {
		var cells []string
		for _, c := range r.Cells {
			switch {
			case c.Covered:
				cells = append(cells, "^")
			case len(c.Talks) == 0:
				cells = append(cells, ".")
			default:
				var ids []string
				for _, t := range c.Talks {
					ids = append(ids, t.ID)
				}
				cells = append(cells, fmt.Sprintf("%s/%d", strings.Join(ids, "+"), c.Span))
			}
		}
		got = append(got, r.Time+" "+strings.Join(cells, " "))
	}
	want := []string{"09:00 a/3 .", "09:30 ^ c+d/3", "09:45 ^ ^", "10:00 b/1 ^"}
	if !slices.Equal(got, want) || !slices.Equal(g.Rooms, []string{"Hall", "Side"}) {
		t.Errorf("grid rooms %q rows\n%q\nwant\n%q", g.Rooms, got, want)
	}
	if g := scheduleGrid([]roomView{{Talks: []talkLink{talk("x", "", "")}}}); g != nil {
		t.Errorf("talks without a time make a grid: %+v", g)
	}
}

// The meta line separates its parts and leaves out pretalx's "no track".
func TestTalkLabels(t *testing.T) {
	s := &Server{}
	tests := []struct {
		typ, track string
		want       []string
	}{
		{"Talk", "~None of the above", []string{"Talk"}},
		{"Talk", "Web", []string{"Talk", "Web"}},
		{"", " ", nil},
	}
	for _, tt := range tests {
		got := s.talkLinkOf(catalog.DocTalk{ID: "t", Type: tt.typ, Track: tt.track}, nil).Labels
		if !slices.Equal(got, tt.want) {
			t.Errorf("labels of %q, %q = %q, want %q", tt.typ, tt.track, got, tt.want)
		}
	}
}

func TestHomeRecentPhotosAndDayCounts(t *testing.T) {
	_, h := newPublicServer(t)
	_, _, body := get(t, h, "/")
	for _, s := range []string{`data-testid="home-recent"`, renditionURL(pubPhotoA, "square"), `href="/talks/2026%2Fkeynote`, "photos ·"} {
		if !strings.Contains(body, s) {
			t.Errorf("home page lacks %s", s)
		}
	}
	if strings.Contains(body, pubHidden) {
		t.Errorf("home page shows a hidden photo")
	}
	_, _, sched := get(t, h, "/schedule")
	if !strings.Contains(sched, `data-testid="schedule-grid"`) || !strings.Contains(sched, `data-testid="photo-marker"`) {
		t.Errorf("/schedule has no grid or no photo marker")
	}
}

// A large page goes gzipped to a browser that takes gzip, and plain to one
// that does not.
func TestPagesGzipped(t *testing.T) {
	_, h := newPublicServer(t)
	for _, tt := range []struct {
		accept string
		want   string
	}{{"gzip, deflate, br", "gzip"}, {"", ""}, {"gzip;q=0", ""}} {
		r := httptest.NewRequest("GET", "/schedule", nil)
		if tt.accept != "" {
			r.Header.Set("Accept-Encoding", tt.accept)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if got := w.Header().Get("Content-Encoding"); got != tt.want {
			t.Errorf("Accept-Encoding %q: Content-Encoding %q, want %q", tt.accept, got, tt.want)
		}
		body := w.Body.Bytes()
		if tt.want == "gzip" {
			zr, err := gzip.NewReader(bytes.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			body, _ = io.ReadAll(zr)
		}
		if !bytes.Contains(body, []byte("Packaging in Anger")) {
			t.Errorf("Accept-Encoding %q: the page does not read back", tt.accept)
		}
	}
}

// The video page's talk fields take an id, a picked option, or words of a
// title or a speaker's name that only one talk holds.
func TestTalkFromQuery(t *testing.T) {
	s, _ := newAccessServer(t)
	tests := []struct {
		q, want, err string
	}{
		{"t2", "t2", ""},
		{"Keynote — Ana Lima · Fri 15 May 09:00 · Hall A [t1]", "t1", ""},
		{"keynote", "t1", ""},
		{"ANA lim", "t1", ""},
		{"pan", "t2", ""},
		{"a", "", "talks match"},
		{"nothing like it", "", "no talk's title"},
		{" ", "", "name a talk"},
	}
	for _, tt := range tests {
		got, err := s.talkFromQuery(t.Context(), tt.q)
		if got != tt.want || (tt.err == "") != (err == nil) || (err != nil && !strings.Contains(catalog.ErrorMessage(err), tt.err)) {
			t.Errorf("talkFromQuery(%q) = %q, %v; want %q, error with %q", tt.q, got, err, tt.want, tt.err)
		}
	}
}
