package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/confmedia/confmedia/catalog"
)

// frabSchedule writes a schedule.xml of a conference with one event per
// line of events: "id|title|room|HH:MM".
func frabSchedule(title, acronym string, events ...string) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "<schedule>\n<conference><title>%s</title><acronym>%s</acronym><time_zone_name>Europe/Dublin</time_zone_name></conference>\n<day date=\"2031-06-10\">\n", title, acronym)
	for _, e := range events {
		f := strings.Split(e, "|")
		fmt.Fprintf(&b, "<room name=%q><event id=%q><date>2031-06-10T%s:00+01:00</date><duration>00:30</duration><room>%s</room><title>%s</title></event></room>\n",
			f[2], f[0], f[3], f[2], f[1])
	}
	b.WriteString("</day>\n</schedule>\n")
	return []byte(b.String())
}

func importSchedule(t *testing.T, h http.Handler, query string, body []byte) (int, ScheduleImportResponse, string) {
	t.Helper()
	rec := do(t, h, "POST", "/api/schedule?name=schedule.xml"+query, adminToken, body)
	var resp ScheduleImportResponse
	if rec.Code == http.StatusOK {
		if err := json.Unmarshal(rec.Body.Bytes(), &resp); err != nil {
			t.Fatalf("%s: %v", rec.Body, err)
		}
	}
	return rec.Code, resp, rec.Body.String()
}

func TestScheduleImportDryRunAndReplace(t *testing.T) {
	s, q, h := newTestServer(t)
	ctx := context.Background()
	first := frabSchedule("Alpha Conf 2031", "alpha31",
		"a1|Opening|Hall|09:00", "a2|Data at scale|Hall|10:00", "a3|Typing Python|Annex|10:00", "a4|Closing|Hall|17:00")
	if code, resp, body := importSchedule(t, h, "", first); code != 200 || resp.Title != "Alpha Conf 2031" || resp.Acronym != "alpha31" || resp.Added != 4 {
		t.Fatalf("first import: %d %s", code, body)
	}

	// A dry run says what would change and changes nothing.
	update := frabSchedule("Alpha Conf 2031", "alpha31",
		"a1|Opening|Hall|09:00", "a2|Data at scale|Annex|11:00", "a3|Typing Python, again|Annex|10:00", "a5|Sprints|Hall|17:00")
	code, resp, body := importSchedule(t, h, "&dry_run=true", update)
	if code != 200 || !resp.DryRun {
		t.Fatalf("dry run: %d %s", code, body)
	}
	var got []string
	for _, d := range resp.Diff {
		got = append(got, d.Change+" "+d.ID)
	}
	if want := []string{"added a5", "moved a2", "changed a3", "removed a4"}; !slices.Equal(got, want) {
		t.Errorf("dry run diff %q, want %q", got, want)
	}
	if resp.Added != 1 || resp.Changed != 2 || resp.Moved != 1 || resp.Removed != 1 || len(resp.ReplaceNeeded) != 0 {
		t.Errorf("dry run counts %+v", resp)
	}
	if d := resp.Diff[1].Detail; d != "room Hall → Annex; time Tue 2031-06-10 10:00 → Tue 2031-06-10 11:00" {
		t.Errorf("moved detail %q", d)
	}
	if sc, _ := s.Store.Schedule(ctx); len(sc.Talks) != 4 || !slices.ContainsFunc(sc.Talks, func(k catalog.Talk) bool { return k.ID == "a4" }) {
		t.Errorf("the dry run changed the schedule: %+v", sc.Talks)
	}

	// An ordinary update imports without --replace.
	if code, resp, body := importSchedule(t, h, "", update); code != 200 || resp.Replaced || resp.Removed != 1 {
		t.Errorf("update: %d %s", code, body)
	}

	// Another conference's schedule is refused without replace, and
	// changes nothing.
	other := frabSchedule("Beta Fest", "beta", "b1|Hello|Main|09:00", "a1|Opening|Hall|09:00", "a2|Data at scale|Annex|11:00", "a3|Typing Python, again|Annex|10:00", "a5|Sprints|Hall|17:00")
	tags := len(q.tags)
	code, _, body = importSchedule(t, h, "", other)
	if code != http.StatusConflict || !strings.Contains(body, `the conference is \"Alpha Conf 2031\", the file's is \"Beta Fest\"`) ||
		!strings.Contains(body, "acronym") || !strings.Contains(body, "--replace") || !strings.Contains(body, "nothing imported") {
		t.Errorf("other conference: %d %s, want 409 naming both and --replace", code, body)
	}
	if sc, _ := s.Store.Schedule(ctx); sc.Conference.Title != "Alpha Conf 2031" || len(sc.Talks) != 4 {
		t.Errorf("refused import changed the schedule: %+v", sc.Conference)
	}
	// A dry run of it says it needs replace.
	if code, resp, _ := importSchedule(t, h, "&dry_run=true", other); code != 200 || len(resp.ReplaceNeeded) != 2 || resp.PreviousTitle != "Alpha Conf 2031" {
		t.Errorf("dry run of another conference: %d %+v", code, resp)
	}

	// Removing more than half of the talks needs replace too.
	most := frabSchedule("Alpha Conf 2031", "alpha31", "a1|Opening|Hall|09:00")
	if code, _, body := importSchedule(t, h, "", most); code != http.StatusConflict || !strings.Contains(body, "remove 3 of the 4 talks") {
		t.Errorf("removing 3 of 4: %d %s", code, body)
	}
	if len(q.tags) != tags {
		t.Errorf("refused imports queued re-tagging")
	}

	// With replace, the conference is the file's.
	code, resp, body = importSchedule(t, h, "&replace=true", other)
	if code != 200 || !resp.Replaced || resp.PreviousTitle != "Alpha Conf 2031" {
		t.Fatalf("replace: %d %s", code, body)
	}
	if sc, _ := s.Store.Schedule(ctx); sc.Conference.Title != "Beta Fest" || sc.Conference.Acronym != "beta" || len(sc.Talks) != 5 {
		t.Errorf("after replace: %+v, %d talks", sc.Conference, len(sc.Talks))
	}
}

// TestScheduleImportUntitled: a file that names no conference keeps the
// current title when it updates the schedule, and is named after the file
// when it replaces it.
func TestScheduleImportUntitled(t *testing.T) {
	s, _, h := newTestServer(t)
	ctx := context.Background()
	csv := "id,title,room,start,end\nt1,Keynote,Hall A,2026-05-15 09:00,2026-05-15 10:00\nt2,Talk,Hall A,2026-05-15 10:00,2026-05-15 10:30\n"
	if rec := do(t, h, "POST", "/api/schedule?name=s.csv&timezone=Europe/Dublin&title=Gamma+Days", adminToken, []byte(csv)); rec.Code != 200 {
		t.Fatalf("import: %d %s", rec.Code, rec.Body)
	}
	csv2 := csv + "t3,Another,Hall B,2026-05-15 11:00,2026-05-15 11:30\n"
	if rec := do(t, h, "POST", "/api/schedule?name=s.csv&timezone=Europe/Dublin", adminToken, []byte(csv2)); rec.Code != 200 {
		t.Fatalf("update: %d %s", rec.Code, rec.Body)
	}
	if sc, _ := s.Store.Schedule(ctx); sc.Conference.Title != "Gamma Days" {
		t.Errorf("title after an untitled update %q, want Gamma Days", sc.Conference.Title)
	}
	other := "id,title,room,start,end\nx1,Else,Hall A,2026-05-15 09:00,2026-05-15 10:00\n"
	if rec := do(t, h, "POST", "/api/schedule?name=other.csv&timezone=Europe/Dublin", adminToken, []byte(other)); rec.Code != http.StatusConflict {
		t.Errorf("replacing untitled: %d %s, want 409", rec.Code, rec.Body)
	}
	if rec := do(t, h, "POST", "/api/schedule?name=other.csv&timezone=Europe/Dublin&replace=true", adminToken, []byte(other)); rec.Code != 200 {
		t.Errorf("replace: %d %s", rec.Code, rec.Body)
	}
	if sc, _ := s.Store.Schedule(ctx); sc.Conference.Title != "other" {
		t.Errorf("title after replacing with an untitled file %q, want the file's name", sc.Conference.Title)
	}
}

// TestUnknownRoomSpeakerSuggests: an unknown --room or --speaker lists the
// closest few names, not the whole schedule.
func TestUnknownRoomSpeakerSuggests(t *testing.T) {
	_, _, h := newTestServer(t)
	var b strings.Builder
	b.WriteString("id,title,room,start,end,speakers\n")
	for i := range 12 {
		fmt.Fprintf(&b, "t%d,Talk %d,Room %c,2026-05-15 %02d:00,2026-05-15 %02d:30,Speaker %c Person\n", i, i, 'A'+i, 8+i, 8+i, 'A'+i)
	}
	fmt.Fprintf(&b, "t99,Keynote,Liffey Hall 1,2026-05-16 09:00,2026-05-16 10:00,Ana Lima\n")
	if rec := do(t, h, "POST", "/api/schedule?name=s.csv&timezone=Europe/Dublin", adminToken, []byte(b.String())); rec.Code != 200 {
		t.Fatalf("import: %d %s", rec.Code, rec.Body)
	}
	tests := []struct{ query, want, not string }{
		{"room=liffey+hal", `unknown room \"liffey hal\"; did you mean \"Liffey Hall 1\"`, "Room F"},
		{"speaker=Ana+Lma", `unknown speaker \"Ana Lma\"; did you mean \"Ana Lima\"`, "Speaker F"},
		{"room=Nowhere", "(13 rooms in the schedule)", "Room L"},
	}
	for _, tt := range tests {
		rec := do(t, h, "PUT", "/api/media/"+id([]byte("x"))+"?name=x.jpg&kind=headshot&"+tt.query, adminToken, []byte("x"))
		body := rec.Body.String()
		if rec.Code != 400 || !strings.Contains(body, tt.want) || strings.Contains(body, tt.not) || strings.Count(body, `\"`) > 2*4 {
			t.Errorf("%s: %d %s, want 400 with %s and at most three names", tt.query, rec.Code, body, tt.want)
		}
	}
}
