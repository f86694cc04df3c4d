package catalog

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestWithoutSpeakerPages(t *testing.T) {
	d := Document{
		Talks:    []DocTalk{{ID: "t1", SpeakerIDs: []string{"ana"}, PhotoIDs: []string{"p1"}}},
		Speakers: []DocSpeaker{{ID: "ana", Name: "Ana Lima", TalkIDs: []string{"t1"}, HeadshotIDs: []string{"h1"}}},
		Media: []DocMedia{
			{ID: "p1", Kind: Photo, TalkIDs: []string{"t1"}, SpeakerIDs: []string{"ana"}},
			{ID: "h1", Kind: Headshot, SpeakerIDs: []string{"ana"}},
		},
	}
	got := WithoutSpeakerPages(d)
	b, err := json.Marshal(got)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), "h1") {
		t.Errorf("the headshot is still there: %s", b)
	}
	if want := (DocSpeaker{ID: "ana", Name: "Ana Lima", TalkIDs: []string{}, HeadshotIDs: []string{}}); len(got.Speakers) != 1 ||
		got.Speakers[0].ID != want.ID || got.Speakers[0].Name != want.Name || len(got.Speakers[0].TalkIDs) != 0 || len(got.Speakers[0].HeadshotIDs) != 0 {
		t.Errorf("speakers = %+v, want only %+v", got.Speakers, want)
	}
	if len(got.Media) != 1 || got.Media[0].ID != "p1" || len(got.Talks) != 1 {
		t.Errorf("media = %+v, talks = %+v: want the photo and the talk kept", got.Media, got.Talks)
	}
	if len(d.Speakers[0].HeadshotIDs) != 1 || len(d.Media) != 2 {
		t.Errorf("the input changed: %+v", d)
	}
}
