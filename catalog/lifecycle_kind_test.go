package catalog_test

import (
	"strings"
	"testing"

	"github.com/confmedia/confmedia/catalog"
)

// TestApplyReclassify: a person changes an item's kind or speaker; the
// item is processed again in a new generation and what was decided about
// it no longer holds.
func TestApplyReclassify(t *testing.T) {
	photo := func(s catalog.Status) catalog.Media {
		return catalog.Media{ID: "m", SourceName: "a.jpg", Kind: catalog.Photo, Status: s, Reason: "why", Generation: 3,
			TalkIDs: []string{"t1"}, SpeakerIDs: []string{"ana"}, Candidates: []string{"t2"}, Decided: true, DecidedBy: "bob", DecidedAt: at,
			Renditions: []catalog.Rendition{{Name: "large"}}}
	}
	tests := []struct {
		name    string
		from    catalog.Status
		kind    catalog.MediaKind
		speaker string
		errKind catalog.Kind // 0: accepted
		errHas  string
	}{
		{"tagged photo to headshot", catalog.Tagged, catalog.Headshot, "Ana Lima", 0, ""},
		{"untagged photo to headshot", catalog.Untagged, catalog.Headshot, "Ana Lima", 0, ""},
		{"needs review, no speaker named", catalog.NeedsReview, catalog.Headshot, "", 0, ""},
		{"failed", catalog.Failed, catalog.Headshot, "Ana Lima", 0, ""},
		{"still pending", catalog.Pending, catalog.Headshot, "Ana Lima", catalog.Conflict, "still being processed"},
		{"hidden", catalog.Hidden, catalog.Headshot, "Ana Lima", catalog.Invalid, "stays hidden"},
		{"unknown kind", catalog.Tagged, "poster", "", catalog.Invalid, "unknown kind"},
		{"a photo of a speaker", catalog.Tagged, catalog.Photo, "Ana Lima", catalog.Invalid, "only for a headshot"},
		{"no change", catalog.Tagged, catalog.Photo, "", catalog.Invalid, "is an event photo already"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := photo(tt.from)
			before := m
			err := catalog.Apply(&m, catalog.Reclassify(tt.kind, tt.speaker, "alice", at))
			if tt.errKind != 0 {
				if catalog.ErrorKind(err) != tt.errKind || !strings.Contains(catalog.ErrorMessage(err), tt.errHas) {
					t.Fatalf("err %v; want %s containing %q", err, tt.errKind, tt.errHas)
				}
				if m.Status != before.Status || m.Kind != before.Kind || m.Generation != before.Generation {
					t.Errorf("a refused change changed the item: %+v", m)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if m.Status != catalog.Pending || m.Kind != tt.kind || m.SpeakerHint != tt.speaker || m.Generation != 4 {
				t.Errorf("got %s %s %q generation %d; want pending %s %q generation 4", m.Status, m.Kind, m.SpeakerHint, m.Generation, tt.kind, tt.speaker)
			}
			if m.Decided || m.DecidedBy != "" || m.TalkIDs != nil || m.SpeakerIDs != nil || m.Candidates != nil {
				t.Errorf("the earlier decision survives: %+v", m)
			}
			if !strings.Contains(m.Reason, "changed to a headshot") || !strings.Contains(m.Reason, "by alice") {
				t.Errorf("reason %q", m.Reason)
			}
			if len(m.Renditions) != 1 {
				t.Errorf("renditions %v: kept until the item is processed again, so that their public copies are removed", m.Renditions)
			}
			if _, public := catalog.RenditionsFor(m.Status); public {
				t.Error("a reclassified item is public before it is processed again")
			}
		})
	}
	// A headshot's speaker can change alone.
	m := photo(catalog.Tagged)
	m.Kind, m.SpeakerHint = catalog.Headshot, "Ana Lima"
	if err := catalog.Apply(&m, catalog.Reclassify(catalog.Headshot, "Bo Chen", "alice", at)); err != nil || m.SpeakerHint != "Bo Chen" {
		t.Errorf("speaker change: %v, %q", err, m.SpeakerHint)
	}
}
