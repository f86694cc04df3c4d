package match

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/confmedia/confmedia/catalog"
	"github.com/confmedia/confmedia/catalog/catalogtest"
	"github.com/confmedia/confmedia/pipeline/exif"
)

// clockSchedule is a day in Dublin (summer time, UTC+1) with gaps between
// talks, so that a wrong clock moves photos out of them. On testDay:
//
//	Main  m1 09:00–09:45  m2 10:00–10:30  m3 11:00–11:30  m4 14:00–15:00  m5 16:00–16:30
//	Side  s1 10:00–11:00  s2 15:00–15:45
//
// With BeforeStart and AfterEnd, photos land in Main from 08:50 to 10:35,
// 10:50 to 11:35, 13:50 to 15:05 and 15:50 to 16:35; in Side from 09:50 to
// 11:05 and 14:50 to 15:50.
func clockIndex(t testing.TB) *Index {
	t.Helper()
	zone, err := time.LoadLocation("Europe/Dublin")
	if err != nil {
		t.Fatal(err)
	}
	at := func(hm string) time.Time {
		tm, err := time.ParseInLocation("2006-01-02 15:04", testDay+" "+hm, zone)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	talk := func(id, room, from, to string) catalog.Talk {
		return catalog.Talk{ID: id, Title: "Talk " + id, Room: room, Start: at(from), End: at(to)}
	}
	x, err := NewIndex(catalog.Schedule{
		Conference: catalog.Conference{Title: "ClockConf", Timezone: "Europe/Dublin"},
		Talks: []catalog.Talk{
			talk("m1", "Main", "09:00", "09:45"), talk("m2", "Main", "10:00", "10:30"),
			talk("m3", "Main", "11:00", "11:30"), talk("m4", "Main", "14:00", "15:00"),
			talk("m5", "Main", "16:00", "16:30"),
			talk("s1", "Side", "10:00", "11:00"), talk("s2", "Side", "15:00", "15:45"),
			{ID: "u1", Title: "Unscheduled"},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	return x
}

// shot is a photo in room at the camera's reading hh:mm[:ss] on testDay;
// "name@" before the room names it.
func shot(t testing.TB, spec string) ClockSample {
	t.Helper()
	name, rest, ok := strings.Cut(spec, "@")
	if !ok {
		name, rest = spec, spec
	}
	room, hm, _ := strings.Cut(rest, " ")
	if len(hm) == 5 {
		hm += ":00"
	}
	w, err := time.Parse("2006-01-02 15:04:05", testDay+" "+hm)
	if err != nil {
		t.Fatal(err)
	}
	return ClockSample{MediaID: name, Room: room, Wall: catalog.CameraTime{Wall: w, Source: "exif"}}
}

func shots(t testing.TB, specs ...string) []ClockSample {
	var out []ClockSample
	for _, s := range specs {
		out = append(out, shot(t, s))
	}
	return out
}

// dstCamera took these photos with its clock an hour behind: in Main at
// 09:10, 09:30, 10:15, 11:10, 14:20, 14:40 and 16:10, in Side at 10:30 and
// 15:20. With its clock, 2 of the 9 fall in a talk; an hour later, all.
var dstCamera = []string{"Main 08:10", "Main 08:30", "Main 09:15", "Main 10:10", "Main 13:20",
	"Main 13:40", "Main 15:10", "Side 09:30", "Side 14:20"}

// driftCamera runs 37 minutes behind: photos in Main at 09:20, 11:15,
// 14:30 and 16:15, in Side at 10:40. Every offset from +12m to +57m lands
// all five; no whole hour does.
var driftCamera = []string{"Main 08:43", "Main 10:38", "Main 13:53", "Main 15:38", "Side 10:03"}

func TestSuggestOffset(t *testing.T) {
	x := clockIndex(t)
	tests := []struct {
		name     string
		photos   []string
		current  time.Duration
		want     time.Duration
		ok       bool
		in, cur  int
		total    int
		inReason string
	}{
		{name: "camera left on standard time", photos: dstCamera, want: time.Hour, ok: true, in: 9, cur: 2, total: 9,
			inReason: "an hour off"},
		{name: "already corrected", photos: dstCamera, current: time.Hour},
		{name: "a whole hour wins over a slightly better fine offset",
			// The tenth photo, at 10:40 in the gap, lands only from +1h10m.
			photos: append([]string{"Main 09:40"}, dstCamera...), want: time.Hour, ok: true, in: 9, cur: 3, total: 10},
		{name: "minutes of drift: the roundest offset nearest the middle of +12m..+57m",
			photos: driftCamera, want: 30 * time.Minute, ok: true, in: 5, cur: 2, total: 5},
		{name: "too few photos", photos: []string{"Main 08:10", "Main 08:30"}},
		{name: "unknown rooms and missing times do not count",
			photos: []string{"Main 08:10", "Nowhere 08:30", "Main 08:35", "Nowhere 13:40"}},
		{name: "mostly in talks already", photos: []string{"Main 09:10", "Main 10:15", "Main 14:20", "Main 12:30"}},
		{name: "no offset lands most", photos: []string{"Side 00:00", "Side 02:00", "Side 04:00", "Side 06:00"}},
		{name: "two hours behind", want: 2 * time.Hour, ok: true, in: 4, cur: 0, total: 4, inReason: "another time zone",
			photos: []string{"Main 07:10", "Main 08:15", "Main 12:20", "Side 13:10"}},
		{name: "a negative correction kept relative to the current one", current: 30 * time.Minute,
			want: -30 * time.Minute, ok: true, in: 4, cur: 0, total: 4, inReason: "an hour off",
			photos: []string{"Main 11:40", "Main 14:50", "Side 15:40", "Main 16:30"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := x.SuggestOffset(shots(t, tt.photos...), tt.current)
			if ok != tt.ok {
				t.Fatalf("SuggestOffset = %+v, %v; want ok %v", got, ok, tt.ok)
			}
			if !ok {
				return
			}
			if got.Offset != tt.want || got.Inside != tt.in || got.CurrentInside != tt.cur || got.Total != tt.total {
				t.Errorf("SuggestOffset = %+v; want offset %s, %d/%d inside against %d", got, tt.want, tt.in, tt.total, tt.cur)
			}
			if !strings.Contains(got.Reason, tt.inReason) || !strings.Contains(got.Reason, FormatOffset(tt.want)) {
				t.Errorf("reason %q: want it to name %s and say %q", got.Reason, FormatOffset(tt.want), tt.inReason)
			}
		})
	}
}

func TestSuggestOffsetStatedZone(t *testing.T) {
	x := clockIndex(t)
	// A phone that states +03:00 while its clock shows Dublin time: it is
	// two hours off in instants, and the correction must say so.
	var samples []ClockSample
	for _, s := range shots(t, "Main 09:10", "Main 10:15", "Main 14:20", "Side 15:20") {
		s.Wall.HasOffset, s.Wall.Offset = true, 3*3600
		samples = append(samples, s)
	}
	got, ok := x.SuggestOffset(samples, 0)
	if !ok || got.Offset != 2*time.Hour || got.Inside != 4 {
		t.Errorf("SuggestOffset = %+v, %v; want +2h with all 4 inside", got, ok)
	}
}

func TestDeriveOffset(t *testing.T) {
	x := clockIndex(t)
	noTime := ClockSample{MediaID: "x", Room: "Main"}
	tests := []struct {
		name    string
		sample  ClockSample
		talk    string
		others  []string
		current time.Duration
		want    time.Duration
		kind    catalog.Kind // of the error; Other for none
	}{
		{name: "camera left on standard time", sample: shot(t, "p@Main 09:15"), talk: "m2", others: dstCamera, want: time.Hour},
		{name: "already in the talk", sample: shot(t, "p@Main 10:10"), talk: "m2", others: dstCamera, want: 0},
		{name: "already in the talk with the current offset", sample: shot(t, "p@Main 09:15"), talk: "m2",
			current: 50 * time.Minute, others: dstCamera, want: 50 * time.Minute},
		{name: "drift: the others narrow +22m..+52m to +12m..+57m; nearest current, roundest",
			sample: shot(t, "Main 10:38"), talk: "m3", others: driftCamera, want: 30 * time.Minute},
		{name: "drift seen from the other side", sample: shot(t, "Main 10:38"), talk: "m3", others: driftCamera,
			current: time.Hour, want: 45 * time.Minute},
		{name: "no others: nearest current", sample: shot(t, "Main 10:40"), talk: "m2", want: -15 * time.Minute},
		{name: "no others, another current", sample: shot(t, "Main 10:40"), talk: "m2", current: -time.Hour,
			want: -30 * time.Minute},
		{name: "the others outweigh nearness",
			// The talk allows -40m..-10m; the other photo lands in Main only
			// up to -25m, so -30m wins over the nearer -15m.
			sample: shot(t, "Main 10:40"), talk: "m2", others: []string{"Main 12:00"}, want: -30 * time.Minute},
		{name: "a whole hour in the run wins over a nearer quarter hour",
			sample: shot(t, "Main 10:29:59.5"), talk: "m1", want: -time.Hour},
		{name: "a talk in another room: as many others as can be",
			// +2h lands 3 of the others, +2h20m 4.
			sample: shot(t, "Main 08:10"), talk: "s1", others: dstCamera, want: 2*time.Hour + 20*time.Minute},
		{name: "no capture time", sample: noTime, talk: "m2", kind: catalog.Invalid},
		{name: "unknown talk", sample: shot(t, "Main 09:15"), talk: "zz", kind: catalog.NotFound},
		{name: "unscheduled talk", sample: shot(t, "Main 09:15"), talk: "u1", kind: catalog.Invalid},
		{name: "camera reset to 2000: the person's word is the evidence", talk: "m2", sample: ClockSample{MediaID: "r", Room: "Main",
			Wall: catalog.CameraTime{Wall: time.Date(2000, 1, 1, 0, 3, 0, 0, time.UTC)}}, want: 11483*24*time.Hour + 10*time.Hour},
		{name: "a day before the conference is no reset: plausible offsets only", kind: catalog.Invalid, talk: "m2",
			sample: ClockSample{MediaID: "r", Room: "Main", Wall: catalog.CameraTime{Wall: time.Date(2031, 6, 9, 0, 3, 0, 0, time.UTC)}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := x.DeriveOffset(tt.sample, tt.talk, shots(t, tt.others...), tt.current)
			if tt.kind != catalog.Other {
				if k := catalog.ErrorKind(err); k != tt.kind {
					t.Errorf("DeriveOffset = %s, %v; want a %s error", got, err, tt.kind)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("DeriveOffset = %s, %v; want %s", got, err, tt.want)
			}
		})
	}
}

func TestDeriveOffsetSkipsItself(t *testing.T) {
	x := clockIndex(t)
	// The photo itself, in Main at 10:40 by its clock, would land only with
	// -5m..+10m; were it counted, the offset for m2 (-40m..-10m) would
	// have no run better than the others.
	p := shot(t, "p@Main 10:40")
	got, err := x.DeriveOffset(p, "m2", []ClockSample{p}, 0)
	if err != nil || got != -15*time.Minute {
		t.Errorf("DeriveOffset = %s, %v; want -15m0s", got, err)
	}
}

func TestFormatOffset(t *testing.T) {
	tests := []struct {
		in   time.Duration
		want string
	}{
		{time.Hour, "+1h0m0s"}, {0, "0s"}, {-7*time.Minute - 30*time.Second, "-7m30s"}, {12 * time.Second, "+12s"},
	}
	for _, tt := range tests {
		if got := FormatOffset(tt.in); got != tt.want {
			t.Errorf("FormatOffset(%s) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestRoundest(t *testing.T) {
	m := time.Minute
	tests := []struct {
		lo, hi, target, want time.Duration
	}{
		{48 * m, 78 * m, 0, time.Hour},
		{-40 * m, -10 * m, 0, -15 * m},
		{-40 * m, -10 * m, -time.Hour, -30 * m},
		{12 * m, 58 * m, 35 * m, 30 * m},
		{7 * m, 9 * m, 0, 7 * m},
		{7*m + 10*time.Second, 7*m + 20*time.Second, 0, 7*m + 10*time.Second},
		{-10 * m, 10 * m, 3 * m, 0},
		{20 * m, 40 * m, 30*m - 1, 30 * m},
		{100 * time.Millisecond, 600 * time.Millisecond, 0, 100 * time.Millisecond},
	}
	for _, tt := range tests {
		if got := roundest(segment{tt.lo, tt.hi, 0}, tt.target); got != tt.want {
			t.Errorf("roundest([%s, %s), %s) = %s, want %s", tt.lo, tt.hi, tt.target, got, tt.want)
		}
	}
}

// TestCountAtAgreesWithTagPhoto checks the fast count against the rule
// TagPhoto applies, over a day of offsets.
func TestCountAtAgreesWithTagPhoto(t *testing.T) {
	x := clockIndex(t)
	ps := x.newClockLines().place(shots(t, append(dstCamera, driftCamera...)...), "", false)
	for o := -14 * time.Hour; o <= 14*time.Hour; o += 150 * time.Second {
		if got, want := countAt(ps, o), x.landed(ps, o); got != want {
			t.Fatalf("countAt(%s) = %d, landed = %d", o, got, want)
		}
	}
}

// TestSuggestOffsetRealBurst reads four real photos a Nikon COOLPIX P6000
// took between 16:28 and 17:00 on 2008-10-22 in Tuscany, and a schedule
// whose only talk runs from 17:20 to 18:10: the camera must be an hour
// behind.
func TestSuggestOffsetRealBurst(t *testing.T) {
	dir := catalogtest.SharedData(t, "photos", "cameras", "gps")
	var samples []ClockSample
	for _, name := range []string{"DSCN0010.jpg", "DSCN0021.jpg", "DSCN0029.jpg", "DSCN0042.jpg"} {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		md, err := exif.Read(data)
		if err != nil || md.Taken.IsZero() {
			t.Fatalf("%s: %v, no capture time", name, err)
		}
		samples = append(samples, ClockSample{MediaID: name, Room: "Sala Grande", Wall: md.Taken})
	}
	zone, err := time.LoadLocation("Europe/Rome")
	if err != nil {
		t.Fatal(err)
	}
	x, err := NewIndex(catalog.Schedule{
		Conference: catalog.Conference{Title: "Toscana 2008", Timezone: "Europe/Rome"},
		Talks: []catalog.Talk{{ID: "k", Title: "Keynote", Room: "Sala Grande",
			Start: time.Date(2008, 10, 22, 17, 20, 0, 0, zone), End: time.Date(2008, 10, 22, 18, 10, 0, 0, zone)}},
	})
	if err != nil {
		t.Fatal(err)
	}
	got, ok := x.SuggestOffset(samples, 0)
	if !ok || got.Offset != time.Hour || got.Inside != 4 || got.CurrentInside != 0 {
		t.Errorf("SuggestOffset = %+v, %v; want +1h with 4 of 4 inside against 0", got, ok)
	}
	// A person says the first photo shows the keynote.
	off, err := x.DeriveOffset(samples[0], "k", samples, 0)
	if err != nil || off != time.Hour {
		t.Errorf("DeriveOffset = %s, %v; want +1h0m0s", off, err)
	}
}

func BenchmarkSuggestOffset(b *testing.B) {
	x := clockIndex(b)
	var samples []ClockSample
	for i := range 1000 {
		s := shot(b, dstCamera[i%len(dstCamera)])
		s.Wall.Wall = s.Wall.Wall.Add(time.Duration(i%7) * time.Minute)
		samples = append(samples, s)
	}
	for b.Loop() {
		x.SuggestOffset(samples, 0)
	}
}
