package catalog

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestBuildDocumentRecordings(t *testing.T) {
	dublin, _ := time.LoadLocation("Europe/Dublin")
	at := time.Date(2026, 5, 15, 9, 0, 0, 0, dublin)
	sched := Schedule{
		Conference: Conference{Title: "C", Timezone: "Europe/Dublin"},
		Talks: []Talk{
			{ID: "a", Title: "A", Start: at, End: at.Add(time.Hour), Room: "R"},
			{ID: "b", Title: "B", Start: at, End: at.Add(time.Hour), Room: "S", DoNotRecord: true},
		},
	}
	recs := []*Recording{
		{ID: "r1", URL: "u1", State: RecordingAttached, TalkID: "a"},
		{ID: "r2", URL: "u2", State: RecordingAttached, TalkID: "b"},
		{ID: "r3", URL: "u3", State: RecordingAttached, TalkID: "gone"},
		{ID: "r4", URL: "u4", State: RecordingDismissed, Reason: "dismissed"},
		{ID: "r5", URL: "u5", State: RecordingUnmatched, Reason: "no talk with that title", Candidates: []string{"a"}},
		{ID: "r6", URL: "u6", State: RecordingPending},
	}
	doc := BuildDocument(DocumentInput{Schedule: sched, Recordings: recs, Now: at, URL: func(k string) string { return k }})
	if got := doc.Talks[0].Recordings; len(got) != 1 || got[0].ID != "r1" {
		t.Errorf("talk a recordings %+v, want r1", got)
	}
	if got := doc.Talks[1].Recordings; len(got) != 0 {
		t.Errorf("do-not-record talk has recordings %+v", got)
	}
	want := map[string]string{"r2": "do not record", "r3": "left the schedule", "r5": "no talk with that title", "r6": "not matched yet"}
	if len(doc.UnmatchedRecordings) != len(want) {
		t.Errorf("unmatched %+v, want %v", doc.UnmatchedRecordings, want)
	}
	for _, u := range doc.UnmatchedRecordings {
		if !strings.Contains(u.Reason, want[u.ID]) || want[u.ID] == "" {
			t.Errorf("unmatched %s reason %q, want %q", u.ID, u.Reason, want[u.ID])
		}
	}
	if doc.Talks[0].Start != "2026-05-15T09:00:00+01:00" || !strings.HasSuffix(doc.GeneratedAt, "Z") {
		t.Errorf("times %q %q: want the venue's offset and UTC generated_at", doc.Talks[0].Start, doc.GeneratedAt)
	}
	pub := BuildDocument(DocumentInput{Schedule: sched, Recordings: recs, Now: at, URL: func(k string) string { return k }, Public: true})
	b, _ := json.Marshal(pub)
	if len(pub.UnmatchedRecordings) != 0 || strings.Contains(string(b), "null") {
		t.Errorf("public document: %s", b)
	}
}

// TestDocumentHasNoFaces: face boxes are staff data: no catalog document,
// public or the organizers', carries them.
func TestDocumentHasNoFaces(t *testing.T) {
	at := time.Date(2026, 5, 15, 9, 0, 0, 0, time.UTC)
	m := &Media{ID: "m1", Kind: Photo, Status: Tagged, Width: 4000, Height: 3000,
		Renditions: []Rendition{{Name: "square", Key: RenditionKey("m1", "square"), Width: 400, Height: 400}},
		Faces:      []FaceBox{{X: 1234, Y: 567, W: 890, H: 912, Score: 0.987654}}}
	for _, public := range []bool{true, false} {
		doc := BuildDocument(DocumentInput{Schedule: Schedule{Conference: Conference{Title: "C", Timezone: "UTC"}},
			Media: []*Media{m}, Now: at, URL: func(k string) string { return k }, Public: public})
		b, err := json.Marshal(doc)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(b), `"m1"`) {
			t.Fatalf("public %v: the item is not in the document: %s", public, b)
		}
		for _, leak := range []string{"face", "1234", "0.987654"} {
			if strings.Contains(strings.ToLower(string(b)), leak) {
				t.Errorf("public %v: the document carries %q: %s", public, leak, b)
			}
		}
	}
}
