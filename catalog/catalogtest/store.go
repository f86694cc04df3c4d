package catalogtest

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/confmedia/confmedia/catalog"
)

// TestStore runs the conformance suite of catalog.Store, one subtest per
// rule, each against a store of its own: open must return a new, empty
// store on every call and close it when t ends (t.Cleanup).
//
// Beyond the contract in catalog/store.go the suite pins down what every
// implementation must agree on: times are kept to at least the microsecond
// (the suite compares them at that resolution); talk times come back in
// the venue's zone; empty lists come back nil; ReplaceSchedule refuses a
// schedule without a known time zone or with an empty or repeated id;
// PutRecording stores a new or changed record with state pending and not
// decided, a changed one with the stored Generation plus one — except that a
// changed re-import of a Decided recording (a person attached or dismissed
// it) keeps its State, TalkID, Reason, Decided and DecidedBy while taking
// the new metadata and Candidates and the next Generation: a person's
// decision sticks; CreateMedia and UpdateMedia store Decided, DecidedBy and
// DecidedAt as given; PutOptOut trims the name and compares it exactly
// (case matters), an empty one being Invalid; OptOuts orders by name byte
// by byte; DeleteToken and DeleteOptOut of a missing one and every lookup of
// a missing item are NotFound, while DeleteSession of a missing session is
// no error; DeleteExpiredSessions removes the sessions whose Expires is not
// after now; fn may not change the id it is given; a face descriptor is
// given back only while catalog.DescriptorUse keeps it (its headshot Tagged
// with its speaker; or, once an opt-out names the speaker, Tagged or Hidden,
// marked Protects), and is gone for good once the headshot is deleted or
// written in a state, or the opt-outs changed so, that the rule does not
// keep it; putting one does not move Version.
func TestStore(t *testing.T, open func(t *testing.T) catalog.Store) {
	tests := []struct {
		name string
		run  func(t *testing.T, s catalog.Store)
	}{
		{"Ping", storePing},
		{"ScheduleEmpty", storeScheduleEmpty},
		{"ScheduleRoundTrip", storeScheduleRoundTrip},
		{"ScheduleZone", storeScheduleZone},
		{"ScheduleDiff", storeScheduleDiff},
		{"ScheduleReimport", storeScheduleReimport},
		{"ScheduleInvalid", storeScheduleInvalid},
		{"ScheduleRemoveAll", storeScheduleRemoveAll},
		{"MediaRoundTrip", storeMediaRoundTrip},
		{"MediaDuplicate", storeMediaDuplicate},
		{"MediaNotFound", storeMediaNotFound},
		{"MediaInvalid", storeMediaInvalid},
		{"MediaUpdate", storeMediaUpdate},
		{"MediaDelete", storeMediaDelete},
		{"MediaUpdateRefused", storeMediaUpdateRefused},
		{"MediaCopies", storeMediaCopies},
		{"MediaConcurrentUpdate", storeMediaConcurrentUpdate},
		{"MediaDecided", storeMediaDecided},
		{"KnownMedia", storeKnownMedia},
		{"ListMedia", storeListMedia},
		{"Cameras", storeCameras},
		{"RecordingPut", storeRecordingPut},
		{"RecordingReimport", storeRecordingReimport},
		{"RecordingUpdate", storeRecordingUpdate},
		{"RecordingConcurrentPut", storeRecordingConcurrentPut},
		{"RecordingDecided", storeRecordingDecided},
		{"RecordingDecidedReimport", storeRecordingDecidedReimport},
		{"ListRecordings", storeListRecordings},
		{"Tokens", storeTokens},
		{"Sessions", storeSessions},
		{"OptOuts", storeOptOuts},
		{"FaceDescriptors", storeFaceDescriptors},
		{"FaceDescriptorsDropped", storeFaceDescriptorsDropped},
		{"FaceDescriptorsOptOut", storeFaceDescriptorsOptOut},
		{"ListRecognized", storeListRecognized},
		{"Version", storeVersion},
		{"Changes", storeChanges},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.run(t, open(t)) })
	}
}

// storeWantKind fails t unless err has kind want.
func storeWantKind(t *testing.T, what string, err error, want catalog.Kind) {
	t.Helper()
	if got := catalog.ErrorKind(err); got != want {
		t.Errorf("%s: error %v has kind %q, want %q", what, err, got, want)
	}
}

// storeDiff lists the fields in which two values of one struct type differ.
func storeDiff(got, want any) []string {
	g, w := reflect.ValueOf(got), reflect.ValueOf(want)
	if g.Kind() == reflect.Pointer {
		g, w = g.Elem(), w.Elem()
	}
	var out []string
	for i := range g.NumField() {
		if gf, wf := g.Field(i).Interface(), w.Field(i).Interface(); !reflect.DeepEqual(gf, wf) {
			out = append(out, fmt.Sprintf("%s = %+v, want %+v", g.Type().Field(i).Name, gf, wf))
		}
	}
	return out
}

// storeTime is t as the suite compares times: UTC, to the microsecond.
func storeTime(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.UTC().Truncate(time.Microsecond)
}

func storeList(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return s
}

// storeNormMedia is m as a store gives it back.
func storeNormMedia(m *catalog.Media) *catalog.Media {
	c := *m
	c.UploadedAt, c.TakenAt, c.ProcessedAt = storeTime(m.UploadedAt), storeTime(m.TakenAt), storeTime(m.ProcessedAt)
	c.DecidedAt = storeTime(m.DecidedAt)
	c.CameraTime.Wall = m.CameraTime.Wall.UTC().Truncate(time.Millisecond)
	if !c.CameraTime.HasOffset {
		c.CameraTime.Offset = 0
	}
	c.People, c.Subjects = storeList(m.People), storeList(m.Subjects)
	c.TalkIDs, c.SpeakerIDs, c.Candidates = storeList(m.TalkIDs), storeList(m.SpeakerIDs), storeList(m.Candidates)
	c.Recognized = storeList(m.Recognized)
	c.Renditions = slices.Clone(m.Renditions)
	if len(c.Renditions) == 0 {
		c.Renditions = nil
	}
	c.Faces = slices.Clone(m.Faces)
	if len(c.Faces) == 0 {
		c.Faces = nil
	}
	return &c
}

func storeCheckMedia(t *testing.T, what string, got, want *catalog.Media) {
	t.Helper()
	g, w := storeNormMedia(got), storeNormMedia(want)
	for _, d := range storeDiff(g, w) {
		t.Errorf("%s: %s", what, d)
	}
}

func storeGetMedia(t *testing.T, s catalog.Store, id string) *catalog.Media {
	t.Helper()
	m, err := s.Media(t.Context(), id)
	if err != nil {
		t.Fatalf("Media(%s): %v", id, err)
	}
	return m
}

func storeCreate(t *testing.T, s catalog.Store, m *catalog.Media) {
	t.Helper()
	created, err := s.CreateMedia(t.Context(), m)
	if err != nil || !created {
		t.Fatalf("CreateMedia(%s) = %v, %v; want true, nil", m.ID, created, err)
	}
}

func storeReplace(t *testing.T, s catalog.Store, sc catalog.Schedule) catalog.ScheduleDiff {
	t.Helper()
	d, err := s.ReplaceSchedule(t.Context(), sc)
	if err != nil {
		t.Fatalf("ReplaceSchedule: %v", err)
	}
	return d
}

func storeSchedule(t *testing.T, s catalog.Store) catalog.Schedule {
	t.Helper()
	sc, err := s.Schedule(t.Context())
	if err != nil {
		t.Fatalf("Schedule: %v", err)
	}
	return sc
}

// storeZone loads a zone the suite needs.
func storeZone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatalf("zone %s: %v", name, err)
	}
	return loc
}

func storePing(t *testing.T, s catalog.Store) {
	if err := s.Ping(t.Context()); err != nil {
		t.Fatalf("Ping: %v", err)
	}
}

func storeScheduleEmpty(t *testing.T, s catalog.Store) {
	sc := storeSchedule(t, s)
	if sc.Conference != (catalog.Conference{}) || len(sc.Talks) != 0 || len(sc.Speakers) != 0 {
		t.Errorf("Schedule of an empty store = %+v, want an empty Schedule", sc)
	}
}

func storeIDs[T any](items []T, id func(T) string) []string {
	var out []string
	for _, it := range items {
		out = append(out, id(it))
	}
	return out
}

func storeTalkID(t catalog.Talk) string       { return t.ID }
func storeSpeakerID(s catalog.Speaker) string { return s.ID }

// storeCheckTalk compares a talk read back with the one imported: the same
// instants, in zone loc, and the same everything else.
func storeCheckTalk(t *testing.T, got, want catalog.Talk, loc *time.Location) {
	t.Helper()
	for _, tm := range []struct {
		name      string
		got, want time.Time
	}{{"Start", got.Start, want.Start}, {"End", got.End, want.End}} {
		if !storeTime(tm.got).Equal(storeTime(tm.want)) {
			t.Errorf("talk %s: %s = %v, want %v", want.ID, tm.name, tm.got, tm.want)
		}
		if !tm.got.IsZero() && tm.got.Location().String() != loc.String() {
			t.Errorf("talk %s: %s in zone %s, want the venue's %s", want.ID, tm.name, tm.got.Location(), loc)
		}
	}
	got.Start, got.End, want.Start, want.End = time.Time{}, time.Time{}, time.Time{}, time.Time{}
	want.SpeakerIDs = storeList(want.SpeakerIDs)
	for _, d := range storeDiff(got, want) {
		t.Errorf("talk %s: %s", want.ID, d)
	}
}

func storeScheduleRoundTrip(t *testing.T, s catalog.Store) {
	dublin := storeZone(t, "Europe/Dublin")
	at := func(h, m int) time.Time { return time.Date(2024, 7, 8, h, m, 0, 0, dublin) }
	in := catalog.Schedule{
		Conference: catalog.Conference{Title: "EuroConf 2024", Acronym: "euroconf24", Timezone: "Europe/Dublin", URL: "https://euroconf.example/2024/"},
		Talks: []catalog.Talk{
			{ID: "b2", Title: "Second at ten", Start: at(10, 0), End: at(10, 30), Room: "Liffey A", SpeakerIDs: []string{"s3", "s1"}},
			{ID: "a1", Title: "First at ten", Start: at(10, 0), End: at(10, 45), Room: "Liffey B", SpeakerIDs: []string{"s2"},
				Track: "Data", Type: "Talk", GUID: "0f9c4c2e-3b1a-4a57-9a36-6c1b6b7a7f10", Code: "ABC123",
				Slug: "first-at-ten", URL: "https://example.org/talk/ABC123", DoNotRecord: true,
				Abstract: "<p>Data, <em>first</em>.</p>", Language: "ga"},
			// Given in UTC: it must come back in the venue's zone.
			{ID: "d4", Title: "Closing, Ünïcödé ✓", Start: at(16, 0).UTC(), End: at(16, 30).Add(123456 * time.Microsecond).UTC(), Room: "Liffey A"},
			{ID: "z9", Title: "Opening", Start: at(9, 0), End: at(9, 30), Room: "Auditorium", SpeakerIDs: []string{"s1", "s2", "s3"}},
		},
		Speakers: []catalog.Speaker{{ID: "s3", Name: "Zoë Ó Briain"}, {ID: "s1", Name: "Ada", AvatarURL: "https://euroconf.example/media/ada.png"}, {ID: "s2", Name: "Grace"}},
	}
	d := storeReplace(t, s, in)
	want := catalog.ScheduleDiff{Added: []string{"a1", "b2", "d4", "z9"}, Speakers: 3}
	if !reflect.DeepEqual(d, want) {
		t.Errorf("first import diff = %+v, want %+v", d, want)
	}

	got := storeSchedule(t, s)
	if got.Conference != in.Conference {
		t.Errorf("Conference = %+v, want %+v", got.Conference, in.Conference)
	}
	if ids, want := storeIDs(got.Talks, storeTalkID), []string{"z9", "a1", "b2", "d4"}; !slices.Equal(ids, want) {
		t.Fatalf("talks in order %v, want %v (start, then id)", ids, want)
	}
	byID := map[string]catalog.Talk{}
	for _, tk := range in.Talks {
		byID[tk.ID] = tk
	}
	for _, tk := range got.Talks {
		storeCheckTalk(t, tk, byID[tk.ID], dublin)
	}
	wantSpeakers := []catalog.Speaker{{ID: "s1", Name: "Ada", AvatarURL: "https://euroconf.example/media/ada.png"}, {ID: "s2", Name: "Grace"}, {ID: "s3", Name: "Zoë Ó Briain"}}
	if !reflect.DeepEqual(got.Speakers, wantSpeakers) {
		t.Errorf("Speakers = %+v, want %+v", got.Speakers, wantSpeakers)
	}
}

func storeScheduleZone(t *testing.T, s catalog.Store) {
	ny := storeZone(t, "America/New_York")
	// The night clocks went forward: 01:30 EST, then 03:30 EDT an hour later.
	before := time.Date(2024, 3, 10, 6, 30, 0, 0, time.UTC)
	after := time.Date(2024, 3, 10, 7, 30, 0, 0, time.UTC)
	sc := catalog.Schedule{
		Conference: catalog.Conference{Title: "Night owls", Timezone: "America/New_York"},
		Talks: []catalog.Talk{
			{ID: "1", Title: "Before", Start: before, End: before.Add(30 * time.Minute), Room: "R"},
			{ID: "2", Title: "After", Start: after, End: after.Add(30 * time.Minute), Room: "R"},
		},
	}
	storeReplace(t, s, sc)
	got := storeSchedule(t, s)
	if len(got.Talks) != 2 {
		t.Fatalf("got %d talks, want 2", len(got.Talks))
	}
	for i, want := range []struct {
		instant time.Time
		clock   string
	}{{before, "01:30 EST"}, {after, "03:30 EDT"}} {
		tk := got.Talks[i]
		if !tk.Start.Equal(want.instant) {
			t.Errorf("talk %s starts at %v, want %v", tk.ID, tk.Start, want.instant)
		}
		if c := tk.Start.Format("15:04 MST"); c != want.clock || tk.Start.Location().String() != ny.String() {
			t.Errorf("talk %s starts at %s in %s, want %s in %s", tk.ID, c, tk.Start.Location(), want.clock, ny)
		}
	}
	// The same instants written in the venue's zone are no change.
	for i := range sc.Talks {
		sc.Talks[i].Start, sc.Talks[i].End = sc.Talks[i].Start.In(ny), sc.Talks[i].End.In(ny)
	}
	if d := storeReplace(t, s, sc); !d.Empty() {
		t.Errorf("re-import in another zone: diff %+v, want none", d)
	}
}

func storeDiffBase() catalog.Schedule {
	at := func(h int) time.Time { return time.Date(2024, 9, 20, h, 0, 0, 0, time.UTC) }
	talk := func(id string, h int) catalog.Talk {
		return catalog.Talk{ID: id, Title: "Talk " + id, Start: at(h), End: at(h).Add(45 * time.Minute), Room: "Main",
			SpeakerIDs: []string{"s1", "s2"}, Track: "Core", Type: "Talk"}
	}
	return catalog.Schedule{
		Conference: catalog.Conference{Title: "Conf", Timezone: "Europe/Berlin"},
		Talks: []catalog.Talk{
			talk("t0", 8), talk("t1", 9), talk("t2", 10), talk("t3", 11), talk("t4", 12),
			talk("t5", 13), talk("t6", 14), talk("t7", 15), talk("t8", 16),
		},
		Speakers: []catalog.Speaker{{ID: "s1", Name: "One"}, {ID: "s2", Name: "Two"}, {ID: "s9", Name: "Nine"}},
	}
}

func storeScheduleDiff(t *testing.T, s catalog.Store) {
	storeReplace(t, s, storeDiffBase())
	next := storeDiffBase()
	tk := next.Talks
	tk[1].SpeakerIDs = []string{"s2", "s1"}                                           // t1: only reordered: unchanged
	tk[2].Title = "Renamed"                                                           // t2
	tk[3].Room = "Annex"                                                              // t3
	tk[4].Start = tk[4].Start.Add(-90 * time.Minute)                                  // t4
	tk[5].End = tk[5].End.Add(time.Second)                                            // t5
	tk[6].SpeakerIDs = []string{"s1"}                                                 // t6
	tk[7].DoNotRecord = true                                                          // t7
	tk[8].Track, tk[8].Type, tk[8].URL = "Other", "Keynote", "https://example.org/t8" // t8: stored, not a change
	next.Talks = append(tk[1:], catalog.Talk{ID: "t9", Title: "New", Start: tk[8].End, End: tk[8].End.Add(time.Hour), Room: "Main"})
	next.Speakers = next.Speakers[:2]

	d := storeReplace(t, s, next)
	want := catalog.ScheduleDiff{
		Added:    []string{"t9"},
		Changed:  []string{"t2", "t3", "t4", "t5", "t6", "t7"},
		Removed:  []string{"t0"},
		Moved:    []string{"t3", "t4", "t5"},
		Speakers: 2,
	}
	if !reflect.DeepEqual(d, want) {
		t.Errorf("diff = %+v, want %+v", d, want)
	}

	got := storeSchedule(t, s)
	if ids, want := storeIDs(got.Talks, storeTalkID), []string{"t1", "t2", "t4", "t3", "t5", "t6", "t7", "t8", "t9"}; !slices.Equal(ids, want) {
		t.Fatalf("talks after the import %v, want %v", ids, want)
	}
	berlin := storeZone(t, "Europe/Berlin")
	byID := map[string]catalog.Talk{}
	for _, tk := range next.Talks {
		byID[tk.ID] = tk
	}
	for _, tk := range got.Talks {
		storeCheckTalk(t, tk, byID[tk.ID], berlin)
	}
	if ids := storeIDs(got.Speakers, storeSpeakerID); !slices.Equal(ids, []string{"s1", "s2"}) {
		t.Errorf("speakers after the import %v, want [s1 s2]", ids)
	}
}

func storeScheduleReimport(t *testing.T, s catalog.Store) {
	storeReplace(t, s, storeDiffBase())
	d := storeReplace(t, s, storeDiffBase())
	if want := (catalog.ScheduleDiff{Speakers: 3}); !reflect.DeepEqual(d, want) {
		t.Errorf("identical re-import diff = %+v, want %+v", d, want)
	}
}

func storeScheduleInvalid(t *testing.T, s catalog.Store) {
	base := storeDiffBase()
	storeReplace(t, s, base)
	tests := []struct {
		name   string
		change func(*catalog.Schedule)
	}{
		{"no zone", func(sc *catalog.Schedule) { sc.Conference.Timezone = "" }},
		{"unknown zone", func(sc *catalog.Schedule) { sc.Conference.Timezone = "Mars/Olympus_Mons" }},
		{"empty talk id", func(sc *catalog.Schedule) { sc.Talks[3].ID = "" }},
		{"repeated talk id", func(sc *catalog.Schedule) { sc.Talks[3].ID = sc.Talks[2].ID }},
		{"empty speaker id", func(sc *catalog.Schedule) { sc.Speakers[1].ID = "" }},
		{"repeated speaker id", func(sc *catalog.Schedule) { sc.Speakers[1].ID = sc.Speakers[0].ID }},
	}
	for _, tt := range tests {
		sc := storeDiffBase()
		sc.Talks = sc.Talks[:5] // would remove talks if it were taken
		tt.change(&sc)
		_, err := s.ReplaceSchedule(t.Context(), sc)
		storeWantKind(t, tt.name, err, catalog.Invalid)
	}
	got := storeSchedule(t, s)
	if len(got.Talks) != len(base.Talks) || got.Conference != base.Conference || len(got.Speakers) != len(base.Speakers) {
		t.Errorf("a refused import changed the schedule: %d talks, %d speakers, %+v", len(got.Talks), len(got.Speakers), got.Conference)
	}
}

func storeScheduleRemoveAll(t *testing.T, s catalog.Store) {
	storeReplace(t, s, storeDiffBase())
	empty := catalog.Schedule{Conference: catalog.Conference{Title: "Renamed", Timezone: "UTC"}}
	d := storeReplace(t, s, empty)
	if want := []string{"t0", "t1", "t2", "t3", "t4", "t5", "t6", "t7", "t8"}; !slices.Equal(d.Removed, want) || len(d.Added)+len(d.Changed) != 0 {
		t.Errorf("diff = %+v, want all nine talks removed", d)
	}
	got := storeSchedule(t, s)
	if got.Conference != empty.Conference || len(got.Talks) != 0 || len(got.Speakers) != 0 {
		t.Errorf("Schedule = %+v, want %+v with no talks or speakers", got, empty)
	}
}

// storeID makes a media id: a sha256-like hex string ending in n.
func storeID(n int) string { return fmt.Sprintf("%064x", n) }

// storeFullMedia has every field set, times in a zone other than UTC and
// with nanoseconds.
func storeFullMedia(id string) *catalog.Media {
	tokyo := time.FixedZone("JST", 9*3600)
	return &catalog.Media{
		ID: id, Kind: catalog.Photo, SourceName: "DSC_0042.JPG", ContentType: "image/jpeg", Bytes: 12_345_678,
		OriginalKey: catalog.OriginalKey(id), Photographer: "Jo Ånström", Room: "Hall 1", SpeakerHint: "s1",
		ClockOffset: -(time.Hour + 23*time.Minute + 45*time.Second + 500*time.Millisecond), HasOffset: true,
		UploadedAt: time.Date(2024, 7, 8, 18, 1, 2, 123456789, tokyo),
		Status:     catalog.NeedsReview, Reason: "two talks in the room at that time", Generation: 3,
		Camera: catalog.CameraKey("NIKON CORPORATION", "NIKON Z 6", "3001234"),
		Make:   "NIKON CORPORATION", Model: "NIKON Z 6", Serial: "3001234",
		CameraTime: catalog.CameraTime{Wall: time.Date(2024, 7, 8, 10, 15, 30, 250_000_000, time.UTC),
			HasOffset: true, Offset: -(5*3600 + 30*60), Source: "exif"},
		TakenAt: time.Date(2024, 7, 8, 17, 14, 5, 999_999_999, tokyo),
		Width:   6048, Height: 4024,
		People: []string{"Ada", "Grace"}, Subjects: []string{"keynote", "stage"}, Rating: -1, HasGPS: true,
		Artist: "Jo", Copyright: "© 2024 Jo", License: "CC-BY-4.0",
		TalkIDs: []string{"t1", "t2"}, SpeakerIDs: []string{"s1"}, Candidates: []string{"t1", "t2", "t3"},
		Recognized: []string{"s1", "s9"},
		Renditions: []catalog.Rendition{
			{Name: "large", Key: catalog.RenditionKey(id, "large"), Width: 2048, Height: 1363, Bytes: 512_000},
			{Name: "square", Key: catalog.RenditionKey(id, "square"), Width: 400, Height: 400, Bytes: 30_000},
		},
		ProcessedAt: time.Date(2024, 7, 8, 18, 1, 9, 1000, time.UTC),
		Faces:       []catalog.FaceBox{{X: 2010, Y: 800, W: 640, H: 700, Score: 0.9871234567}, {X: 0, Y: 3900, W: 90, H: 124, Score: 0.5}},
		Decided:     true, DecidedBy: "Reviewer Ö", DecidedAt: time.Date(2024, 7, 9, 8, 0, 0, 987654321, tokyo),
	}
}

func storeMediaRoundTrip(t *testing.T, s catalog.Store) {
	full := storeFullMedia(storeID(1))
	storeCreate(t, s, full)
	storeCheckMedia(t, "full item", storeGetMedia(t, s, full.ID), full)

	// The fewest fields: zero times, no lists, a camera time without an
	// offset.
	bare := &catalog.Media{ID: storeID(2), Kind: catalog.Headshot, SourceName: "ada.png", Status: catalog.Pending,
		CameraTime: catalog.CameraTime{Wall: time.Date(2023, 1, 2, 3, 4, 5, 0, time.UTC), Source: "xmp"}}
	storeCreate(t, s, bare)
	got := storeGetMedia(t, s, bare.ID)
	storeCheckMedia(t, "bare item", got, bare)
	if !got.TakenAt.IsZero() || !got.UploadedAt.IsZero() || got.People != nil || got.Renditions != nil || got.Faces != nil {
		t.Errorf("bare item came back with TakenAt %v, UploadedAt %v, People %#v, Renditions %#v, Faces %#v; want zero and nil",
			got.TakenAt, got.UploadedAt, got.People, got.Renditions, got.Faces)
	}
	if got.CameraTime.HasOffset {
		t.Errorf("bare item's camera time gained an offset: %+v", got.CameraTime)
	}
}

func storeMediaDuplicate(t *testing.T, s catalog.Store) {
	first := storeFullMedia(storeID(1))
	storeCreate(t, s, first)
	second := storeFullMedia(storeID(1))
	second.SourceName, second.Photographer, second.Status, second.Generation = "copy.jpg", "Someone else", catalog.Pending, 0
	created, err := s.CreateMedia(t.Context(), second)
	if err != nil || created {
		t.Fatalf("second CreateMedia = %v, %v; want false, nil", created, err)
	}
	storeCheckMedia(t, "after a duplicate upload", storeGetMedia(t, s, first.ID), first)
}

func storeMediaDelete(t *testing.T, s catalog.Store) {
	keep, gone := storeFullMedia(storeID(1)), storeFullMedia(storeID(2))
	storeCreate(t, s, keep)
	storeCreate(t, s, gone)
	before, err := s.Version(t.Context())
	if err != nil {
		t.Fatalf("Version: %v", err)
	}
	if err := s.DeleteMedia(t.Context(), gone.ID); err != nil {
		t.Fatalf("DeleteMedia: %v", err)
	}
	if _, err := s.Media(t.Context(), gone.ID); catalog.ErrorKind(err) != catalog.NotFound {
		t.Errorf("Media of a deleted item: %v, want NotFound", err)
	}
	storeCheckMedia(t, "the item not deleted", storeGetMedia(t, s, keep.ID), keep)
	if after, err := s.Version(t.Context()); err != nil || after == before {
		t.Errorf("Version after DeleteMedia = %d, %v; want a change from %d", after, err, before)
	}
	// The change feed reports the removal, so that an incremental publish
	// drops the item.
	if c, err := s.Changes(t.Context(), before); err != nil || !slices.Contains(c.Media, gone.ID) || slices.Contains(c.Media, keep.ID) {
		t.Errorf("Changes after DeleteMedia = %+v, %v; want %s and not %s", c, err, gone.ID, keep.ID)
	}
	storeWantKind(t, "DeleteMedia of a deleted item", s.DeleteMedia(t.Context(), gone.ID), catalog.NotFound)
}

func storeMediaNotFound(t *testing.T, s catalog.Store) {
	_, err := s.Media(t.Context(), storeID(404))
	storeWantKind(t, "Media of a missing id", err, catalog.NotFound)
	called := false
	err = s.UpdateMedia(t.Context(), storeID(404), func(*catalog.Media) error { called = true; return nil })
	storeWantKind(t, "UpdateMedia of a missing id", err, catalog.NotFound)
	if called {
		t.Error("UpdateMedia called fn for a missing id")
	}
	if _, err := s.Media(t.Context(), storeID(404)); catalog.ErrorKind(err) != catalog.NotFound {
		t.Errorf("UpdateMedia of a missing id created it (Media: %v)", err)
	}
}

func storeMediaInvalid(t *testing.T, s catalog.Store) {
	noID := storeFullMedia("")
	_, err := s.CreateMedia(t.Context(), noID)
	storeWantKind(t, "CreateMedia without id", err, catalog.Invalid)
	badKind := storeFullMedia(storeID(1))
	badKind.Kind = "video"
	_, err = s.CreateMedia(t.Context(), badKind)
	storeWantKind(t, "CreateMedia of an unknown kind", err, catalog.Invalid)
}

func storeMediaUpdate(t *testing.T, s catalog.Store) {
	m := &catalog.Media{ID: storeID(7), Kind: catalog.Photo, SourceName: "a.jpg", Status: catalog.Pending,
		UploadedAt: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)}
	storeCreate(t, s, m)
	taken := time.Date(2024, 7, 8, 11, 0, 0, 0, time.FixedZone("", 3600))
	err := s.UpdateMedia(t.Context(), m.ID, func(m *catalog.Media) error {
		m.Status, m.TalkIDs, m.TakenAt, m.Generation = catalog.Tagged, []string{"t1"}, taken, m.Generation+1
		m.Renditions = append(m.Renditions, catalog.Rendition{Name: "medium", Key: "k", Width: 1, Height: 2, Bytes: 3})
		m.Faces = []catalog.FaceBox{{X: 1, Y: 2, W: 3, H: 4, Score: 0.75}}
		return nil
	})
	if err != nil {
		t.Fatalf("UpdateMedia: %v", err)
	}
	want := *m
	want.Status, want.TalkIDs, want.TakenAt, want.Generation = catalog.Tagged, []string{"t1"}, taken, 1
	want.Renditions = []catalog.Rendition{{Name: "medium", Key: "k", Width: 1, Height: 2, Bytes: 3}}
	want.Faces = []catalog.FaceBox{{X: 1, Y: 2, W: 3, H: 4, Score: 0.75}}
	storeCheckMedia(t, "after UpdateMedia", storeGetMedia(t, s, m.ID), &want)

	// Clearing lists and times.
	err = s.UpdateMedia(t.Context(), m.ID, func(m *catalog.Media) error {
		m.TalkIDs, m.Renditions, m.TakenAt, m.Faces = nil, nil, time.Time{}, nil
		return nil
	})
	if err != nil {
		t.Fatalf("UpdateMedia: %v", err)
	}
	want.TalkIDs, want.Renditions, want.TakenAt, want.Faces = nil, nil, time.Time{}, nil
	storeCheckMedia(t, "after clearing", storeGetMedia(t, s, m.ID), &want)
}

func storeMediaUpdateRefused(t *testing.T, s catalog.Store) {
	m := storeFullMedia(storeID(8))
	storeCreate(t, s, m)
	boom := errors.New("boom")
	err := s.UpdateMedia(t.Context(), m.ID, func(m *catalog.Media) error {
		m.Status, m.Generation = catalog.Failed, 99
		return boom
	})
	if !errors.Is(err, boom) {
		t.Errorf("UpdateMedia returned %v, want fn's error", err)
	}
	storeCheckMedia(t, "after fn failed", storeGetMedia(t, s, m.ID), m)

	err = s.UpdateMedia(t.Context(), m.ID, func(m *catalog.Media) error {
		m.ID = storeID(9)
		return nil
	})
	storeWantKind(t, "UpdateMedia changing the id", err, catalog.Invalid)
	storeCheckMedia(t, "after an id change was refused", storeGetMedia(t, s, m.ID), m)
	if _, err := s.Media(t.Context(), storeID(9)); catalog.ErrorKind(err) != catalog.NotFound {
		t.Errorf("a refused id change created %s (Media: %v)", storeID(9), err)
	}
}

func storeMediaCopies(t *testing.T, s catalog.Store) {
	m := storeFullMedia(storeID(3))
	want := storeNormMedia(storeFullMedia(storeID(3)))
	storeCreate(t, s, m)
	m.TalkIDs[0], m.Renditions[0].Key, m.People = "changed", "changed", append(m.People[:1], "x")

	got := storeGetMedia(t, s, m.ID)
	got.TalkIDs[0], got.Renditions[0].Name, got.Subjects[0], got.Faces[0].X = "changed", "changed", "changed", -1

	var kept *catalog.Media
	err := s.UpdateMedia(t.Context(), m.ID, func(m *catalog.Media) error { kept = m; return nil })
	if err != nil {
		t.Fatalf("UpdateMedia: %v", err)
	}
	kept.TalkIDs[1], kept.Candidates[0] = "changed", "changed"

	storeCheckMedia(t, "after changing copies", storeGetMedia(t, s, m.ID), want)
}

func storeMediaConcurrentUpdate(t *testing.T, s catalog.Store) {
	m := &catalog.Media{ID: storeID(5), Kind: catalog.Photo, SourceName: "a.jpg", Status: catalog.Pending}
	storeCreate(t, s, m)
	const n = 20
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Go(func() {
			errs <- s.UpdateMedia(t.Context(), m.ID, func(m *catalog.Media) error {
				m.Generation++
				m.Candidates = append(m.Candidates, fmt.Sprint(i))
				return nil
			})
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("concurrent UpdateMedia: %v", err)
		}
	}
	got := storeGetMedia(t, s, m.ID)
	if got.Generation != n || len(got.Candidates) != n {
		t.Errorf("after %d concurrent updates Generation = %d and %d candidates, want %d and %d", n, got.Generation, len(got.Candidates), n, n)
	}
}

func storeKnownMedia(t *testing.T, s catalog.Store) {
	stored := map[string]bool{}
	for i := 0; i < 2400; i += 80 {
		m := &catalog.Media{ID: storeID(i), Kind: catalog.Photo, Status: catalog.Pending}
		storeCreate(t, s, m)
		stored[m.ID] = true
	}
	var ids []string
	for i := range 2400 {
		ids = append(ids, storeID(i))
	}
	ids = append(ids, storeID(0), storeID(80)) // repeated ids
	got, err := s.KnownMedia(t.Context(), ids)
	if err != nil {
		t.Fatalf("KnownMedia: %v", err)
	}
	n := 0
	for _, id := range ids[:2400] {
		if got[id] != stored[id] {
			t.Errorf("KnownMedia[%s] = %v, want %v", id, got[id], stored[id])
		}
		if got[id] {
			n++
		}
	}
	if n != len(stored) {
		t.Errorf("KnownMedia found %d of %d ids", n, len(stored))
	}
	for _, ids := range [][]string{nil, {}} {
		got, err := s.KnownMedia(t.Context(), ids)
		if err != nil || len(got) != 0 {
			t.Errorf("KnownMedia(%#v) = %v, %v; want no ids, nil", ids, got, err)
		}
	}
}

func storeListMedia(t *testing.T, s catalog.Store) {
	utc := func(h, m, s, ns int) time.Time { return time.Date(2024, 7, 8, h, m, s, ns, time.UTC) }
	items := []*catalog.Media{
		{ID: "m1", Kind: catalog.Photo, Status: catalog.Tagged, Camera: "c1", TalkIDs: []string{"t1"}, TakenAt: utc(10, 0, 0, 0)},
		{ID: "m2", Kind: catalog.Photo, Status: catalog.NeedsReview, Camera: "c2", TalkIDs: []string{"t1", "t2"}, TakenAt: utc(9, 0, 0, 0)},
		{ID: "m3", Kind: catalog.Photo, Status: catalog.Tagged, Camera: "c1", TalkIDs: []string{"t2"}, SpeakerIDs: []string{"s1", "s2"},
			Decided: true, DecidedBy: "admin", DecidedAt: utc(12, 0, 0, 1000)},
		{ID: "m4", Kind: catalog.Headshot, Status: catalog.Tagged, SpeakerIDs: []string{"s1"}},
		// The same instant as m1: ordered after it by id.
		{ID: "m5", Kind: catalog.Photo, Status: catalog.Untagged, Camera: "c1", TakenAt: utc(10, 0, 0, 0).In(time.FixedZone("", -7*3600))},
		// 10:30 at +02:00 is 08:30 UTC: the earliest.
		{ID: "m6", Kind: catalog.Photo, Status: catalog.Hidden, Camera: "c2", TakenAt: time.Date(2024, 7, 8, 10, 30, 0, 0, time.FixedZone("", 2*3600))},
		// Half a second after m2, a microsecond before m1.
		{ID: "m7", Kind: catalog.Photo, Status: catalog.Failed, TakenAt: utc(9, 0, 0, 500_000_000)},
		{ID: "m8", Kind: catalog.Photo, Status: catalog.Tagged, TakenAt: utc(9, 59, 59, 999_999_000), TalkIDs: []string{"t10"}},
	}
	// Stored out of order.
	for _, i := range []int{4, 0, 7, 2, 6, 1, 5, 3} {
		storeCreate(t, s, items[i])
	}
	tests := []struct {
		name string
		f    catalog.MediaFilter
		want []string
	}{
		{"all", catalog.MediaFilter{}, []string{"m6", "m2", "m7", "m8", "m1", "m5", "m3", "m4"}},
		{"tagged", catalog.MediaFilter{Status: []catalog.Status{catalog.Tagged}}, []string{"m8", "m1", "m3", "m4"}},
		{"public", catalog.MediaFilter{Status: []catalog.Status{catalog.Untagged, catalog.Tagged}}, []string{"m8", "m1", "m5", "m3", "m4"}},
		{"headshots", catalog.MediaFilter{Kind: catalog.Headshot}, []string{"m4"}},
		{"camera", catalog.MediaFilter{Camera: "c1"}, []string{"m1", "m5", "m3"}},
		{"talk", catalog.MediaFilter{TalkID: "t1"}, []string{"m2", "m1"}},
		{"talk, no prefix match", catalog.MediaFilter{TalkID: "t"}, nil},
		{"talk and status", catalog.MediaFilter{TalkID: "t2", Status: []catalog.Status{catalog.Tagged}}, []string{"m3"}},
		{"speaker", catalog.MediaFilter{SpeakerID: "s1"}, []string{"m3", "m4"}},
		{"speaker, no prefix match", catalog.MediaFilter{SpeakerID: "s"}, nil},
		{"speaker and kind", catalog.MediaFilter{SpeakerID: "s1", Kind: catalog.Headshot}, []string{"m4"}},
		{"talk and speaker", catalog.MediaFilter{TalkID: "t2", SpeakerID: "s2"}, []string{"m3"}},
		{"everything", catalog.MediaFilter{TalkID: "t1", Status: []catalog.Status{catalog.NeedsReview}, Kind: catalog.Photo, Camera: "c2"}, []string{"m2"}},
		{"none", catalog.MediaFilter{Status: []catalog.Status{catalog.Pending}}, nil},
	}
	for _, tt := range tests {
		got, err := s.ListMedia(t.Context(), tt.f)
		if err != nil {
			t.Errorf("%s: ListMedia: %v", tt.name, err)
			continue
		}
		if ids := storeIDs(got, func(m *catalog.Media) string { return m.ID }); !slices.Equal(ids, tt.want) {
			t.Errorf("%s: ListMedia(%+v) = %v, want %v", tt.name, tt.f, ids, tt.want)
		}
	}
	// WalkMedia yields what ListMedia lists, in its order, and stops at
	// the first error of fn, returning it as it is.
	for _, tt := range tests {
		var ids []string
		if err := s.WalkMedia(t.Context(), tt.f, func(m *catalog.Media) error {
			ids = append(ids, m.ID)
			return nil
		}); err != nil {
			t.Errorf("%s: WalkMedia: %v", tt.name, err)
		}
		if !slices.Equal(ids, tt.want) {
			t.Errorf("%s: WalkMedia(%+v) yields %v, want %v", tt.name, tt.f, ids, tt.want)
		}
	}
	stop := errors.New("enough")
	n := 0
	err := s.WalkMedia(t.Context(), catalog.MediaFilter{}, func(*catalog.Media) error {
		n++
		return stop
	})
	if err != stop || n != 1 {
		t.Errorf("WalkMedia with fn failing at once: %v after %d items, want %v after 1", err, n, stop)
	}
	all, err := s.ListMedia(t.Context(), catalog.MediaFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.WalkMedia(t.Context(), catalog.MediaFilter{}, func(m *catalog.Media) error {
		all = append(all, m) // walked items are whole, as listed ones are
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	for _, m := range all {
		for _, want := range items {
			if want.ID == m.ID {
				storeCheckMedia(t, "listed "+m.ID, m, want)
			}
		}
	}
	// The talk and speaker filters follow updates and deletions.
	if err := s.UpdateMedia(t.Context(), "m1", func(m *catalog.Media) error {
		m.TalkIDs, m.SpeakerIDs = []string{"t2", "t2"}, []string{"s1"}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteMedia(t.Context(), "m3"); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		f    catalog.MediaFilter
		want []string
	}{
		{"old talk after an update", catalog.MediaFilter{TalkID: "t1"}, []string{"m2"}},
		{"new talk after an update, listed twice", catalog.MediaFilter{TalkID: "t2"}, []string{"m2", "m1"}},
		{"speaker after an update and a deletion", catalog.MediaFilter{SpeakerID: "s1"}, []string{"m1", "m4"}},
		{"speaker of a deleted item only", catalog.MediaFilter{SpeakerID: "s2"}, nil},
	} {
		got, err := s.ListMedia(t.Context(), tt.f)
		if err != nil {
			t.Errorf("%s: ListMedia: %v", tt.name, err)
			continue
		}
		if ids := storeIDs(got, func(m *catalog.Media) string { return m.ID }); !slices.Equal(ids, tt.want) {
			t.Errorf("%s: ListMedia(%+v) = %v, want %v", tt.name, tt.f, ids, tt.want)
		}
	}
}

func storeCameras(t *testing.T, s catalog.Store) {
	ctx := t.Context()
	_, err := s.Camera(ctx, "serial:X:1")
	storeWantKind(t, "Camera of a missing key", err, catalog.NotFound)

	check := func(what string, got catalog.Camera, err error, want catalog.Camera) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if got != want {
			t.Errorf("%s = %+v, want %+v", what, got, want)
		}
		if stored, err := s.Camera(ctx, want.Key); err != nil || stored != want {
			t.Errorf("%s: Camera(%s) = %+v, %v; want %+v", what, want.Key, stored, err, want)
		}
	}
	key := catalog.CameraKey("Canon", "EOS R5", "0123")
	c, err := s.EnsureCamera(ctx, catalog.Camera{Key: key, Photographer: "Jo"})
	check("new camera", c, err, catalog.Camera{Key: key, Photographer: "Jo"})

	off := -(2*time.Hour + 3*time.Minute + 4*time.Second + 5*time.Millisecond)
	c, err = s.EnsureCamera(ctx, catalog.Camera{Key: key, Offset: off, HasOffset: true, Photographer: "Kim"})
	check("offset for a camera without one", c, err, catalog.Camera{Key: key, Offset: off, HasOffset: true, Photographer: "Jo"})

	c, err = s.EnsureCamera(ctx, catalog.Camera{Key: key, Offset: time.Hour, HasOffset: true})
	check("an offset is never replaced", c, err, catalog.Camera{Key: key, Offset: off, HasOffset: true, Photographer: "Jo"})
	c, err = s.EnsureCamera(ctx, catalog.Camera{Key: key})
	check("nor removed", c, err, catalog.Camera{Key: key, Offset: off, HasOffset: true, Photographer: "Jo"})

	c, err = s.SetCameraOffset(ctx, key, 90*time.Second)
	check("SetCameraOffset", c, err, catalog.Camera{Key: key, Offset: 90 * time.Second, HasOffset: true, Photographer: "Jo"})
	c, err = s.SetCameraOffset(ctx, key, 0)
	check("SetCameraOffset to zero", c, err, catalog.Camera{Key: key, HasOffset: true, Photographer: "Jo"})

	other := catalog.CameraKey("Apple", "iPhone 15", "")
	c, err = s.SetCameraOffset(ctx, other, 7*time.Minute)
	check("SetCameraOffset of a new camera", c, err, catalog.Camera{Key: other, Offset: 7 * time.Minute, HasOffset: true})

	third := catalog.CameraKey("Sony", "", "9")
	c, err = s.EnsureCamera(ctx, catalog.Camera{Key: third, Offset: 42 * time.Hour, HasOffset: true})
	check("new camera with an offset", c, err, catalog.Camera{Key: third, Offset: 42 * time.Hour, HasOffset: true})

	all, err := s.Cameras(ctx)
	if err != nil {
		t.Fatalf("Cameras: %v", err)
	}
	if keys, want := storeIDs(all, func(c catalog.Camera) string { return c.Key }), []string{other, key, third}; !slices.Equal(keys, want) {
		t.Errorf("Cameras in order %v, want %v", keys, want)
	}

	_, err = s.EnsureCamera(ctx, catalog.Camera{})
	storeWantKind(t, "EnsureCamera without a key", err, catalog.Invalid)
	_, err = s.SetCameraOffset(ctx, "", time.Second)
	storeWantKind(t, "SetCameraOffset without a key", err, catalog.Invalid)
}

func storeRecording(id string) *catalog.Recording {
	return &catalog.Recording{
		ID: id, URL: "https://video.example.org/" + id, Title: "Talk " + id, Speakers: []string{"Ada", "Grace"},
		Description: "Line one\nline two", Recorded: "2024-07-08", Room: "Liffey A", Start: "2024-07-08T10:00",
		Duration: 2712, SourceID: "cam2-" + id + ".mp4", TalkRef: "ABC123", Thumbnail: "https://video.example.org/" + id + ".jpg", Event: "EuroConf 2024",
		Raw: []byte(`{"title":"Talk ` + id + `","duration":2712}`),
	}
}

func storeGetRecording(t *testing.T, s catalog.Store, id string) *catalog.Recording {
	t.Helper()
	r, err := s.Recording(t.Context(), id)
	if err != nil {
		t.Fatalf("Recording(%s): %v", id, err)
	}
	return r
}

func storeCheckRecording(t *testing.T, what string, got, want *catalog.Recording) {
	t.Helper()
	w := *want
	w.Speakers, w.Candidates = storeList(w.Speakers), storeList(w.Candidates)
	if len(w.Raw) == 0 {
		w.Raw = nil
	}
	for _, d := range storeDiff(got, &w) {
		t.Errorf("%s: %s", what, d)
	}
}

func storePut(t *testing.T, s catalog.Store, r *catalog.Recording, want bool) {
	t.Helper()
	changed, err := s.PutRecording(t.Context(), r)
	if err != nil || changed != want {
		t.Fatalf("PutRecording(%s) = %v, %v; want %v, nil", r.ID, changed, err, want)
	}
}

func storeRecordingPut(t *testing.T, s catalog.Store) {
	r := storeRecording("r1")
	r.Generation = 4
	r.State = catalog.RecordingAttached // a new record is pending and undecided whatever it says
	r.Decided, r.DecidedBy = true, "someone"
	storePut(t, s, r, true)
	want := *r
	want.State, want.Decided, want.DecidedBy = catalog.RecordingPending, false, ""
	storeCheckRecording(t, "new record", storeGetRecording(t, s, "r1"), &want)
	if r.State != catalog.RecordingAttached {
		t.Errorf("PutRecording changed its argument's state to %q", r.State)
	}

	bare := &catalog.Recording{ID: "r2", URL: "https://v/2"}
	storePut(t, s, bare, true)
	storeCheckRecording(t, "bare record", storeGetRecording(t, s, "r2"), &catalog.Recording{ID: "r2", URL: "https://v/2", State: catalog.RecordingPending})

	_, err := s.PutRecording(t.Context(), &catalog.Recording{URL: "https://v/none"})
	storeWantKind(t, "PutRecording without an id", err, catalog.Invalid)
}

func storeRecordingReimport(t *testing.T, s catalog.Store) {
	storePut(t, s, storeRecording("r1"), true)
	attach := func(r *catalog.Recording) error {
		r.State, r.TalkID, r.Reason, r.Candidates = catalog.RecordingAttached, "t1", "same room and time", []string{"t1", "t2"}
		return nil
	}
	if err := s.UpdateRecording(t.Context(), "r1", attach); err != nil {
		t.Fatalf("UpdateRecording: %v", err)
	}
	attached := storeGetRecording(t, s, "r1")

	// The same metadata, whatever the match state says, changes nothing.
	again := storeRecording("r1")
	again.State, again.Generation, again.Speakers = catalog.RecordingUnmatched, 9, []string{"Ada", "Grace"}
	storePut(t, s, again, false)
	storeCheckRecording(t, "identical re-import", storeGetRecording(t, s, "r1"), attached)

	tests := []struct {
		name   string
		change func(*catalog.Recording)
	}{
		{"title", func(r *catalog.Recording) { r.Title = "Renamed" }},
		{"speakers", func(r *catalog.Recording) { r.Speakers = []string{"Grace", "Ada"} }},
		{"start", func(r *catalog.Recording) { r.Start = "2024-07-08T11:00" }},
		{"duration", func(r *catalog.Recording) { r.Duration++ }},
		{"talk ref", func(r *catalog.Recording) { r.TalkRef = "" }},
		{"raw", func(r *catalog.Recording) { r.Raw = append(r.Raw, ' ') }},
	}
	next := storeRecording("r1")
	for i, tt := range tests {
		tt.change(next)
		changed, err := s.PutRecording(t.Context(), next)
		if err != nil || !changed {
			t.Fatalf("%s changed: PutRecording = %v, %v; want true, nil", tt.name, changed, err)
		}
		want := *next
		want.State, want.Generation = catalog.RecordingPending, i+1
		storeCheckRecording(t, tt.name+" changed", storeGetRecording(t, s, "r1"), &want)
	}
}

func storeRecordingUpdate(t *testing.T, s catalog.Store) {
	ctx := t.Context()
	_, err := s.Recording(ctx, "nope")
	storeWantKind(t, "Recording of a missing id", err, catalog.NotFound)
	called := false
	err = s.UpdateRecording(ctx, "nope", func(*catalog.Recording) error { called = true; return nil })
	storeWantKind(t, "UpdateRecording of a missing id", err, catalog.NotFound)
	if called {
		t.Error("UpdateRecording called fn for a missing id")
	}

	storePut(t, s, storeRecording("r1"), true)
	before := storeGetRecording(t, s, "r1")
	boom := errors.New("boom")
	err = s.UpdateRecording(ctx, "r1", func(r *catalog.Recording) error { r.TalkID = "t9"; return boom })
	if !errors.Is(err, boom) {
		t.Errorf("UpdateRecording returned %v, want fn's error", err)
	}
	err = s.UpdateRecording(ctx, "r1", func(r *catalog.Recording) error { r.ID = "r2"; return nil })
	storeWantKind(t, "UpdateRecording changing the id", err, catalog.Invalid)
	storeCheckRecording(t, "after refused updates", storeGetRecording(t, s, "r1"), before)

	const n = 10
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			if err := s.UpdateRecording(ctx, "r1", func(r *catalog.Recording) error { r.Generation++; return nil }); err != nil {
				t.Errorf("concurrent UpdateRecording: %v", err)
			}
		})
	}
	wg.Wait()
	if got := storeGetRecording(t, s, "r1"); got.Generation != n {
		t.Errorf("after %d concurrent updates Generation = %d", n, got.Generation)
	}
}

func storeRecordingConcurrentPut(t *testing.T, s catalog.Store) {
	const n = 8
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		changed int
	)
	for range n {
		wg.Go(func() {
			c, err := s.PutRecording(t.Context(), storeRecording("r1"))
			if err != nil {
				t.Errorf("concurrent PutRecording: %v", err)
			}
			mu.Lock()
			defer mu.Unlock()
			if c {
				changed++
			}
		})
	}
	wg.Wait()
	if changed != 1 {
		t.Errorf("%d concurrent imports of one new record reported %d changes, want 1", n, changed)
	}
}

func storeListRecordings(t *testing.T, s catalog.Store) {
	got, err := s.ListRecordings(t.Context())
	if err != nil || len(got) != 0 {
		t.Fatalf("ListRecordings of an empty store = %v, %v", got, err)
	}
	for _, id := range []string{"r10", "r2", "R3", "r1"} {
		storePut(t, s, storeRecording(id), true)
	}
	got, err = s.ListRecordings(t.Context())
	if err != nil {
		t.Fatalf("ListRecordings: %v", err)
	}
	ids := storeIDs(got, func(r *catalog.Recording) string { return r.ID })
	if want := []string{"R3", "r1", "r10", "r2"}; !slices.Equal(ids, want) {
		t.Errorf("ListRecordings in order %v, want %v", ids, want)
	}
	for _, r := range got {
		want := storeRecording(r.ID)
		want.State = catalog.RecordingPending
		storeCheckRecording(t, "listed "+r.ID, r, want)
	}
}

func storeTokens(t *testing.T, s catalog.Store) {
	ctx := t.Context()
	_, err := s.TokenByHash(ctx, "missing")
	storeWantKind(t, "TokenByHash of a missing hash", err, catalog.NotFound)

	tok := catalog.Token{Hash: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", Role: catalog.RolePhotographer,
		Name: "Jo's camera", Created: time.Date(2024, 7, 1, 9, 0, 0, 123456789, time.FixedZone("", 3600))}
	check := func(what string, want catalog.Token) {
		t.Helper()
		got, err := s.TokenByHash(ctx, want.Hash)
		if err != nil {
			t.Fatalf("%s: TokenByHash: %v", what, err)
		}
		want.Created, want.Expires = storeTime(want.Created), storeTime(want.Expires)
		got.Created, got.Expires = storeTime(got.Created), storeTime(got.Expires)
		if got != want {
			t.Errorf("%s: TokenByHash = %+v, want %+v", what, got, want)
		}
	}
	if err := s.PutToken(ctx, tok); err != nil {
		t.Fatalf("PutToken: %v", err)
	}
	check("new token", tok)

	tok.Role, tok.Name, tok.Expires = catalog.RoleAdmin, "renamed", time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	if err := s.PutToken(ctx, tok); err != nil {
		t.Fatalf("PutToken again: %v", err)
	}
	check("replaced token", tok)

	// A speaker token keeps the speaker it belongs to.
	tok.Role, tok.SpeakerID = catalog.RoleSpeaker, "zoë-müller"
	if err := s.PutToken(ctx, tok); err != nil {
		t.Fatalf("PutToken of a speaker token: %v", err)
	}
	check("speaker token", tok)
	if list, err := s.Tokens(ctx); err != nil || len(list) != 1 || list[0].SpeakerID != tok.SpeakerID {
		t.Errorf("Tokens = %+v, %v; want the speaker token with its speaker", list, err)
	}
	tok.Role, tok.SpeakerID = catalog.RoleAdmin, ""
	if err := s.PutToken(ctx, tok); err != nil {
		t.Fatalf("PutToken: %v", err)
	}
	check("speaker dropped", tok)

	older := catalog.Token{Hash: "1111", Role: catalog.RoleVideo, Name: "older", Created: tok.Created.Add(-time.Hour)}
	if err := s.PutToken(ctx, older); err != nil {
		t.Fatalf("PutToken: %v", err)
	}
	list, err := s.Tokens(ctx)
	if err != nil || len(list) != 2 || list[0].Hash != tok.Hash || list[1].Hash != older.Hash || list[1].Role != catalog.RoleVideo {
		t.Errorf("Tokens = %+v, %v; want the two tokens, newest first", list, err)
	}
	if err := s.DeleteToken(ctx, older.Hash); err != nil {
		t.Fatalf("DeleteToken: %v", err)
	}

	if err := s.DeleteToken(ctx, tok.Hash); err != nil {
		t.Fatalf("DeleteToken: %v", err)
	}
	_, err = s.TokenByHash(ctx, tok.Hash)
	storeWantKind(t, "TokenByHash after DeleteToken", err, catalog.NotFound)
	storeWantKind(t, "DeleteToken of a missing hash", s.DeleteToken(ctx, tok.Hash), catalog.NotFound)
	storeWantKind(t, "PutToken without a hash", s.PutToken(ctx, catalog.Token{Name: "x"}), catalog.Invalid)
}

func storeSessions(t *testing.T, s catalog.Store) {
	ctx := t.Context()
	_, err := s.SessionByHash(ctx, "missing")
	storeWantKind(t, "SessionByHash of a missing hash", err, catalog.NotFound)
	if err := s.DeleteSession(ctx, "missing"); err != nil {
		t.Errorf("DeleteSession of a missing hash: %v, want nil (logging out twice is fine)", err)
	}

	now := time.Date(2026, 5, 15, 12, 0, 0, 123456789, time.FixedZone("", 7200))
	tokA, tokB := strings.Repeat("a", 64), strings.Repeat("b", 64)
	sessions := []catalog.Session{
		{Hash: "s1", TokenHash: tokA, Created: now, Expires: now.Add(time.Hour)},
		{Hash: "s2", TokenHash: tokA, Created: now, Expires: now.Add(2 * time.Hour)},
		{Hash: "s3", TokenHash: tokB, Created: now.Add(-time.Hour), Expires: now.Add(-time.Microsecond)},
		{Hash: "s4", TokenHash: tokB, Created: now, Expires: now.Add(time.Minute)},
		{Hash: "s5", TokenHash: tokB, Created: now, Expires: now},
	}
	for _, ss := range sessions {
		if err := s.PutSession(ctx, ss); err != nil {
			t.Fatalf("PutSession %s: %v", ss.Hash, err)
		}
	}
	got, err := s.SessionByHash(ctx, "s1")
	if err != nil {
		t.Fatalf("SessionByHash: %v", err)
	}
	want := sessions[0]
	got.Created, got.Expires = storeTime(got.Created), storeTime(got.Expires)
	want.Created, want.Expires = storeTime(want.Created), storeTime(want.Expires)
	if got != want {
		t.Errorf("SessionByHash = %+v, want %+v", got, want)
	}

	// An expired session is still found: the caller checks the expiry.
	if _, err := s.SessionByHash(ctx, "s3"); err != nil {
		t.Errorf("SessionByHash of an expired session: %v", err)
	}
	n, err := s.DeleteExpiredSessions(ctx, now)
	if got, want := n, 2; err != nil || got != want {
		t.Errorf("DeleteExpiredSessions = %d, %v; want %d (one ended a microsecond ago, one ends now)", got, err, want)
	}
	for hash, wantKept := range map[string]bool{"s1": true, "s2": true, "s3": false, "s4": true, "s5": false} {
		_, err := s.SessionByHash(ctx, hash)
		if kept := err == nil; kept != wantKept {
			t.Errorf("after DeleteExpiredSessions, session %s kept = %v (%v), want %v", hash, kept, err, wantKept)
		}
	}

	if err := s.DeleteSession(ctx, "s4"); err != nil {
		t.Fatalf("DeleteSession: %v", err)
	}
	_, err = s.SessionByHash(ctx, "s4")
	storeWantKind(t, "SessionByHash after DeleteSession", err, catalog.NotFound)

	n, err = s.DeleteTokenSessions(ctx, tokA)
	if got, want := n, 2; err != nil || got != want {
		t.Errorf("DeleteTokenSessions = %d, %v; want %d", got, err, want)
	}
	for _, hash := range []string{"s1", "s2"} {
		_, err := s.SessionByHash(ctx, hash)
		storeWantKind(t, "SessionByHash after DeleteTokenSessions", err, catalog.NotFound)
	}
	if n, err := s.DeleteTokenSessions(ctx, tokA); n != 0 || err != nil {
		t.Errorf("DeleteTokenSessions again = %d, %v; want 0, nil", n, err)
	}

	// Replacing keeps one row.
	again := catalog.Session{Hash: "s9", TokenHash: tokA, Created: now, Expires: now.Add(time.Hour)}
	for range 2 {
		if err := s.PutSession(ctx, again); err != nil {
			t.Fatalf("PutSession: %v", err)
		}
	}
	if n, err := s.DeleteTokenSessions(ctx, tokA); n != 1 || err != nil {
		t.Errorf("DeleteTokenSessions after putting one session twice = %d, %v; want 1", n, err)
	}

	for name, bad := range map[string]catalog.Session{
		"no hash":    {TokenHash: tokA, Expires: now},
		"no token":   {Hash: "x", Expires: now},
		"no expires": {Hash: "x", TokenHash: tokA},
	} {
		storeWantKind(t, "PutSession with "+name, s.PutSession(ctx, bad), catalog.Invalid)
	}
}

func storeMediaDecided(t *testing.T, s catalog.Store) {
	m := &catalog.Media{ID: storeID(11), Kind: catalog.Photo, SourceName: "a.jpg", Status: catalog.NeedsReview}
	storeCreate(t, s, m)
	if got := storeGetMedia(t, s, m.ID); got.Decided || got.DecidedBy != "" || !got.DecidedAt.IsZero() {
		t.Errorf("new item decided: %v, %q, %v", got.Decided, got.DecidedBy, got.DecidedAt)
	}
	at := time.Date(2024, 7, 9, 14, 2, 3, 456789123, time.FixedZone("", -4*3600))
	err := s.UpdateMedia(t.Context(), m.ID, func(m *catalog.Media) error {
		m.Status, m.TalkIDs, m.Decided, m.DecidedBy, m.DecidedAt = catalog.Hidden, []string{"t1"}, true, "admin", at
		return nil
	})
	if err != nil {
		t.Fatalf("UpdateMedia: %v", err)
	}
	want := *m
	want.Status, want.TalkIDs, want.Decided, want.DecidedBy, want.DecidedAt = catalog.Hidden, []string{"t1"}, true, "admin", at
	storeCheckMedia(t, "after a decision", storeGetMedia(t, s, m.ID), &want)
	list, err := s.ListMedia(t.Context(), catalog.MediaFilter{Status: []catalog.Status{catalog.Hidden}})
	if err != nil || len(list) != 1 {
		t.Fatalf("ListMedia of hidden items = %d items, %v; want 1", len(list), err)
	}
	storeCheckMedia(t, "listed after a decision", list[0], &want)

	// An update that leaves the decision alone keeps it.
	if err := s.UpdateMedia(t.Context(), m.ID, func(m *catalog.Media) error { m.Generation++; return nil }); err != nil {
		t.Fatalf("UpdateMedia: %v", err)
	}
	want.Generation = 1
	storeCheckMedia(t, "after another update", storeGetMedia(t, s, m.ID), &want)

	// Undoing the decision.
	err = s.UpdateMedia(t.Context(), m.ID, func(m *catalog.Media) error {
		m.Decided, m.DecidedBy, m.DecidedAt = false, "", time.Time{}
		return nil
	})
	if err != nil {
		t.Fatalf("UpdateMedia: %v", err)
	}
	want.Decided, want.DecidedBy, want.DecidedAt = false, "", time.Time{}
	storeCheckMedia(t, "after undoing the decision", storeGetMedia(t, s, m.ID), &want)
}

func storeRecordingDecided(t *testing.T, s catalog.Store) {
	ctx := t.Context()
	for _, id := range []string{"r1", "r2", "r3"} {
		storePut(t, s, storeRecording(id), true)
	}
	decide := map[string]func(*catalog.Recording) error{
		"r1": func(r *catalog.Recording) error {
			r.State, r.TalkID, r.Reason, r.Decided, r.DecidedBy = catalog.RecordingAttached, "t7", "attached by hand", true, "video team"
			return nil
		},
		"r2": func(r *catalog.Recording) error {
			r.State, r.Reason, r.Decided, r.DecidedBy = catalog.RecordingDismissed, "a test recording", true, "admin"
			return nil
		},
	}
	wants := map[string]*catalog.Recording{}
	for _, id := range []string{"r1", "r2", "r3"} {
		w := storeRecording(id)
		w.State = catalog.RecordingPending
		if fn, ok := decide[id]; ok {
			if err := s.UpdateRecording(ctx, id, fn); err != nil {
				t.Fatalf("UpdateRecording(%s): %v", id, err)
			}
			_ = fn(w)
		}
		wants[id] = w
		storeCheckRecording(t, "decided "+id, storeGetRecording(t, s, id), w)
	}
	list, err := s.ListRecordings(ctx)
	if err != nil || len(list) != 3 {
		t.Fatalf("ListRecordings = %d recordings, %v; want 3", len(list), err)
	}
	for _, r := range list {
		storeCheckRecording(t, "listed "+r.ID, r, wants[r.ID])
	}

	// Undoing a decision.
	err = s.UpdateRecording(ctx, "r2", func(r *catalog.Recording) error {
		r.State, r.Reason, r.Decided, r.DecidedBy = catalog.RecordingPending, "", false, ""
		return nil
	})
	if err != nil {
		t.Fatalf("UpdateRecording: %v", err)
	}
	w := storeRecording("r2")
	w.State = catalog.RecordingPending
	storeCheckRecording(t, "after undoing the decision", storeGetRecording(t, s, "r2"), w)
}

func storeRecordingDecidedReimport(t *testing.T, s catalog.Store) {
	ctx := t.Context()
	for _, tt := range []struct {
		id     string
		state  catalog.RecordingState
		talkID string
	}{{"r1", catalog.RecordingAttached, "t7"}, {"r2", catalog.RecordingDismissed, ""}} {
		storePut(t, s, storeRecording(tt.id), true)
		err := s.UpdateRecording(ctx, tt.id, func(r *catalog.Recording) error {
			r.State, r.TalkID, r.Reason, r.Candidates = tt.state, tt.talkID, "by hand", []string{"t7", "t8"}
			r.Decided, r.DecidedBy = true, "Jo"
			return nil
		})
		if err != nil {
			t.Fatalf("UpdateRecording: %v", err)
		}
		decided := storeGetRecording(t, s, tt.id)

		// An identical re-import changes nothing.
		storePut(t, s, storeRecording(tt.id), false)
		storeCheckRecording(t, tt.id+": identical re-import", storeGetRecording(t, s, tt.id), decided)

		// A changed one takes the metadata and the next generation but
		// keeps the person's decision.
		for gen := 1; gen <= 2; gen++ {
			next := storeRecording(tt.id)
			next.Title = fmt.Sprintf("Renamed %d", gen)
			next.Start = "2024-07-08T11:00"
			next.State, next.TalkID, next.Reason, next.Decided, next.DecidedBy = catalog.RecordingUnmatched, "t9", "import", false, "importer"
			next.Candidates = []string{"t9"}
			storePut(t, s, next, true)
			want := *next
			want.State, want.TalkID, want.Reason, want.Decided, want.DecidedBy = tt.state, tt.talkID, "by hand", true, "Jo"
			want.Generation = gen
			storeCheckRecording(t, fmt.Sprintf("%s: changed re-import %d", tt.id, gen), storeGetRecording(t, s, tt.id), &want)
		}
	}

	// Once the decision is undone, a changed re-import resets the state.
	err := s.UpdateRecording(ctx, "r1", func(r *catalog.Recording) error {
		r.Decided, r.DecidedBy = false, ""
		return nil
	})
	if err != nil {
		t.Fatalf("UpdateRecording: %v", err)
	}
	next := storeRecording("r1")
	next.Title = "Renamed once more"
	storePut(t, s, next, true)
	want := *next
	want.State, want.Generation = catalog.RecordingPending, 3
	storeCheckRecording(t, "changed re-import after undoing the decision", storeGetRecording(t, s, "r1"), &want)
}

func storeOptOuts(t *testing.T, s catalog.Store) {
	ctx := t.Context()
	list := func(what string, want ...catalog.OptOut) {
		t.Helper()
		got, err := s.OptOuts(ctx)
		if err != nil {
			t.Fatalf("%s: OptOuts: %v", what, err)
		}
		for i := range got {
			got[i].Created = storeTime(got[i].Created)
		}
		for i := range want {
			want[i].Created = storeTime(want[i].Created)
		}
		if len(want) == 0 {
			want = nil
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: OptOuts = %+v, want %+v", what, got, want)
		}
	}
	list("empty store")

	at := time.Date(2024, 7, 8, 9, 10, 11, 123456789, time.FixedZone("", 3600))
	put := func(o catalog.OptOut) {
		t.Helper()
		if err := s.PutOptOut(ctx, o); err != nil {
			t.Fatalf("PutOptOut(%q): %v", o.Name, err)
		}
	}
	zoe := catalog.OptOut{Name: "Zoë Ó Briain", SpeakerID: "s3", Reason: "asked by mail", Created: at}
	ada := catalog.OptOut{Name: "Ada", Created: at.Add(time.Hour)}
	lower := catalog.OptOut{Name: "ada", Reason: "another person: names compare exactly"}
	bob := catalog.OptOut{Name: "Bob", Reason: "at the desk"}
	put(zoe)
	put(lower)
	put(catalog.OptOut{Name: "  Ada\t", SpeakerID: "s1", Reason: "first"}) // stored trimmed
	put(bob)
	put(ada) // replaces "Ada"
	list("after puts", ada, bob, zoe, lower)

	if err := s.DeleteOptOut(ctx, " Bob "); err != nil {
		t.Fatalf("DeleteOptOut: %v", err)
	}
	list("after deleting Bob", ada, zoe, lower)
	storeWantKind(t, "DeleteOptOut of a missing name", s.DeleteOptOut(ctx, "Bob"), catalog.NotFound)
	storeWantKind(t, "DeleteOptOut of another case", s.DeleteOptOut(ctx, "ADA"), catalog.NotFound)
	storeWantKind(t, "PutOptOut without a name", s.PutOptOut(ctx, catalog.OptOut{Name: "  ", SpeakerID: "s1"}), catalog.Invalid)
	list("after refused calls", ada, zoe, lower)
}
