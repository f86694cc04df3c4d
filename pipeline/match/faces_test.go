package match

import (
	"slices"
	"testing"
	"time"

	"github.com/confmedia/confmedia/catalog"
	"github.com/confmedia/confmedia/pipeline/face"
)

// person is the synthetic face of person n: people are 10 apart.
func person(n int) *face.Descriptor {
	var d face.Descriptor
	d[0] = float32(10 * n)
	return &d
}

// near is a face at distance dist from person n's (along axis, 1..127).
func near(n int, axis int, dist float32) *face.Descriptor {
	d := *person(n)
	d[axis] += dist
	return &d
}

// faceSchedule: a panel of five (s1–s5) in Main, and at the same time a
// talk of x and oo in Side.
func faceSchedule(t *testing.T) *Index {
	t.Helper()
	zone, err := time.LoadLocation("Europe/Dublin")
	if err != nil {
		t.Fatal(err)
	}
	at := func(hm string) time.Time {
		tm, _ := time.ParseInLocation("2006-01-02 15:04", testDay+" "+hm, zone)
		return tm
	}
	x, err := NewIndex(catalog.Schedule{
		Conference: catalog.Conference{Title: "Faces", Timezone: "Europe/Dublin"},
		Talks: []catalog.Talk{
			{ID: "p1", Title: "Panel", Room: "Main", Start: at("10:00"), End: at("11:00"), SpeakerIDs: []string{"s1", "s2", "s3", "s4", "s5"}},
			{ID: "t2", Title: "Side", Room: "Side", Start: at("10:00"), End: at("11:00"), SpeakerIDs: []string{"x", "oo"}},
			{ID: "t3", Title: "Nobody's", Room: "Empty", Start: at("10:00"), End: at("11:00")},
		},
		Speakers: []catalog.Speaker{
			{ID: "s1", Name: "Ada One"}, {ID: "s2", Name: "Bo Two"}, {ID: "s3", Name: "Cy Three"},
			{ID: "s4", Name: "Di Four"}, {ID: "s5", Name: "Ed Five"}, {ID: "x", Name: "Xi Ex"}, {ID: "oo", Name: "Olive Out"},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	return x
}

// knownOf are the faces of speakers ids, speaker si being person i+1 in
// the order given.
func knownOf(ids ...string) []KnownFace {
	var out []KnownFace
	for i, id := range ids {
		out = append(out, KnownFace{SpeakerID: id, Descriptor: person(i + 1)})
	}
	return out
}

// everyone's faces: s1..s5 are persons 1..5, x is 6, oo is 7.
var everyone = knownOf("s1", "s2", "s3", "s4", "s5", "x", "oo")

func TestTagPhotoFaces(t *testing.T) {
	x := faceSchedule(t)
	zone := x.Zone()
	taken := time.Date(2031, 6, 10, 10, 20, 0, 0, zone)
	oo := []catalog.OptOut{{Name: "Olive Out", SpeakerID: "oo"}}
	stranger := func(k int) *face.Descriptor { return person(50 + k) }
	tests := []struct {
		name     string
		in       PhotoInput
		status   catalog.Status
		talks    []string
		speakers []string
		recog    []string
		reason   string
	}{
		{name: "no faces looked at: today's rule",
			in:     PhotoInput{Room: "Main", Taken: taken},
			status: catalog.Tagged, talks: []string{"p1"}, speakers: []string{"s1", "s2", "s3", "s4", "s5"}},
		{name: "no face found: today's rule",
			in:     PhotoInput{Room: "Main", Taken: taken, Faces: &Faces{Known: everyone}},
			status: catalog.Tagged, talks: []string{"p1"}, speakers: []string{"s1", "s2", "s3", "s4", "s5"}},
		{name: "panel photo, two faces of five match: those two",
			in: PhotoInput{Room: "Main", Taken: taken, Faces: &Faces{Known: everyone,
				Found: []*face.Descriptor{near(2, 1, 0.2), near(4, 3, 0.3)}}},
			status: catalog.Tagged, talks: []string{"p1"}, speakers: []string{"s2", "s4"}, recog: []string{"s2", "s4"},
			reason: "recognised 2 of the talk's 5 speakers by face"},
		{name: "panel photo, two faces match and a stranger: still those two, all speakers known",
			in: PhotoInput{Room: "Main", Taken: taken, Faces: &Faces{Known: everyone,
				Found: []*face.Descriptor{near(2, 1, 0.2), stranger(1), near(4, 3, 0.3)}}},
			status: catalog.Tagged, talks: []string{"p1"}, speakers: []string{"s2", "s4"}, recog: []string{"s2", "s4"}},
		{name: "audience photo, unknown faces, every speaker known: none named",
			in: PhotoInput{Room: "Main", Taken: taken, Faces: &Faces{Known: everyone,
				Found: []*face.Descriptor{stranger(1), stranger(2), stranger(3)}}},
			status: catalog.Tagged, talks: []string{"p1"}, reason: "3 faces found, none of them the talk's speakers"},
		{name: "speakers without a known face are kept when a face is unknown",
			in: PhotoInput{Room: "Main", Taken: taken, Faces: &Faces{Known: knownOf("s1", "s2", "s3"),
				Found: []*face.Descriptor{near(1, 1, 0.1), stranger(1)}}},
			status: catalog.Tagged, talks: []string{"p1"}, speakers: []string{"s1", "s4", "s5"}, recog: []string{"s1"}},
		{name: "and ruled out when every face is known",
			in: PhotoInput{Room: "Main", Taken: taken, Faces: &Faces{Known: knownOf("s1", "s2", "s3"),
				Found: []*face.Descriptor{near(1, 1, 0.1)}}},
			status: catalog.Tagged, talks: []string{"p1"}, speakers: []string{"s1"}, recog: []string{"s1"}},
		{name: "people tags win over faces",
			in: PhotoInput{Room: "Main", Taken: taken, People: []string{"Cy Three"}, Faces: &Faces{Known: everyone,
				Found: []*face.Descriptor{near(1, 1, 0.1)}}},
			status: catalog.Tagged, talks: []string{"p1"}, speakers: []string{"s3"}, recog: []string{"s1"}},
		{name: "a face at the threshold is no match",
			in: PhotoInput{Room: "Main", Taken: taken, Faces: &Faces{Known: everyone,
				Found: []*face.Descriptor{near(1, 1, face.Threshold)}}},
			status: catalog.Tagged, talks: []string{"p1"}, reason: "1 face found, none of them the talk's speakers"},
		{name: "just under it is",
			in: PhotoInput{Room: "Main", Taken: taken, Faces: &Faces{Known: everyone,
				Found: []*face.Descriptor{near(1, 1, face.Threshold-0.01)}}},
			status: catalog.Tagged, talks: []string{"p1"}, speakers: []string{"s1"}, recog: []string{"s1"}},
		{name: "a speaker of another talk is recognised but not tagged",
			in: PhotoInput{Room: "Main", Taken: taken, Faces: &Faces{Known: everyone,
				Found: []*face.Descriptor{near(6, 1, 0.1), near(3, 1, 0.1)}}},
			status: catalog.Tagged, talks: []string{"p1"}, speakers: []string{"s3"}, recog: []string{"s3", "x"}},
		{name: "a face like an opted-out speaker sends it to review",
			in: PhotoInput{Room: "Main", Taken: taken, Faces: &Faces{Known: everyone, OptOuts: oo,
				Found: []*face.Descriptor{near(7, 2, 0.2), near(1, 1, 0.1)}}},
			status: catalog.NeedsReview, talks: []string{"p1"}, speakers: []string{"s1"}, recog: []string{"s1"},
			reason: "a face looks like Olive Out, who opted out of photos"},
		{name: "even one with no capture time, and the reviewer is told why",
			in: PhotoInput{Room: "Main", Faces: &Faces{Known: everyone, OptOuts: oo,
				Found: []*face.Descriptor{near(7, 2, 0.2)}}},
			status: catalog.NeedsReview,
			reason: "a face looks like Olive Out, who opted out of photos"},
		{name: "a protecting descriptor never names its speaker",
			in: PhotoInput{Room: "Main", Taken: taken, Faces: &Faces{OptOuts: oo,
				Known: append(knownOf("s1"), KnownFace{SpeakerID: "oo", Descriptor: person(7), Protects: true}),
				Found: []*face.Descriptor{near(7, 2, 0.2)}}},
			status: catalog.NeedsReview, talks: []string{"p1"},
			reason: "a face looks like Olive Out, who opted out of photos"},
		{name: "an opted-out speaker of the talk is never ruled out by faces",
			in: PhotoInput{Room: "Side", Taken: taken, Faces: &Faces{Known: everyone, OptOuts: oo,
				Found: []*face.Descriptor{near(6, 1, 0.1)}}},
			status: catalog.Tagged, talks: []string{"t2"}, speakers: []string{"oo", "x"}, recog: []string{"x"}},
		{name: "without the opt-out they are",
			in: PhotoInput{Room: "Side", Taken: taken, Faces: &Faces{Known: everyone,
				Found: []*face.Descriptor{near(6, 1, 0.1)}}},
			status: catalog.Tagged, talks: []string{"t2"}, speakers: []string{"x"}, recog: []string{"x"}},
		{name: "an opted-out speaker's face not in the photo changes nothing",
			in: PhotoInput{Room: "Main", Taken: taken, Faces: &Faces{Known: everyone, OptOuts: oo,
				Found: []*face.Descriptor{near(1, 1, 0.1)}}},
			status: catalog.Tagged, talks: []string{"p1"}, speakers: []string{"s1"}, recog: []string{"s1"}},
		{name: "an untagged hallway photo is recognised too",
			in: PhotoInput{Room: "Main", Taken: taken.Add(3 * time.Hour), Faces: &Faces{Known: everyone,
				Found: []*face.Descriptor{near(5, 1, 0.1)}}},
			status: catalog.Untagged, recog: []string{"s5"}},
		{name: "a talk with no speakers",
			in: PhotoInput{Room: "Empty", Taken: taken, Faces: &Faces{Known: everyone,
				Found: []*face.Descriptor{stranger(1)}}},
			status: catalog.Tagged, talks: []string{"t3"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := x.TagPhoto(tt.in)
			if d.Status != tt.status || !slices.Equal(d.TalkIDs, tt.talks) || !slices.Equal(d.SpeakerIDs, tt.speakers) ||
				!slices.Equal(d.Recognized, tt.recog) {
				t.Errorf("TagPhoto = %s talks %v speakers %v recognized %v (%q); want %s %v %v %v",
					d.Status, d.TalkIDs, d.SpeakerIDs, d.Recognized, d.Reason, tt.status, tt.talks, tt.speakers, tt.recog)
			}
			if tt.reason != "" && d.Reason != tt.reason {
				t.Errorf("reason %q, want %q", d.Reason, tt.reason)
			}
		})
	}
}

func TestRecognize(t *testing.T) {
	// One face between two speakers' known faces goes to the nearer only.
	base := person(1)
	s1, s2 := *base, *base
	s1[2] += 0.3
	s2[3] += 0.2
	tie := *base
	tie[4] += 0.2
	two := []KnownFace{{SpeakerID: "s1", Descriptor: &s1}, {SpeakerID: "s2", Descriptor: &s2}}
	tests := []struct {
		name      string
		f         Faces
		speakers  []string
		unmatched int
	}{
		{"one face, two speakers within the threshold: the nearer",
			Faces{Known: two, Found: []*face.Descriptor{base}}, []string{"s2"}, 0},
		{"a tie goes to the smaller id, still one speaker",
			Faces{Known: []KnownFace{{SpeakerID: "s9", Descriptor: &tie}, {SpeakerID: "s2", Descriptor: &s2}}, Found: []*face.Descriptor{base}},
			[]string{"s2"}, 0},
		{"several headshots of one speaker: the nearest counts",
			Faces{Known: []KnownFace{{SpeakerID: "s1", Descriptor: person(9)}, {SpeakerID: "s1", Descriptor: &s1}}, Found: []*face.Descriptor{base}},
			[]string{"s1"}, 0},
		{"two faces like one speaker name them once",
			Faces{Known: two, Found: []*face.Descriptor{near(1, 2, 0.3), near(1, 2, 0.31)}}, []string{"s1"}, 0},
		{"no known faces: every face unmatched",
			Faces{Found: []*face.Descriptor{base, person(2)}}, nil, 2},
		{"a face without a descriptor is unmatched",
			Faces{Known: two, Found: []*face.Descriptor{nil}}, nil, 1},
	}
	for _, tt := range tests {
		r := tt.f.Recognize()
		if !slices.Equal(r.Speakers, tt.speakers) || r.Unmatched != tt.unmatched || r.Faces != len(tt.f.Found) {
			t.Errorf("%s: Recognize = %v, %d unmatched of %d; want %v, %d", tt.name, r.Speakers, r.Unmatched, r.Faces, tt.speakers, tt.unmatched)
		}
	}
}
