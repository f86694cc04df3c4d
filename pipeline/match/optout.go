package match

import (
	"slices"
	"strings"

	"github.com/confmedia/confmedia/catalog"
)

// SameName reports whether two person names name the same person for an
// exact decision (an opt-out, a reviewer's choice of speaker, the speakers
// a people tag names): equal once folded (see Fold), with honorifics
// dropped, and in any word order ("Dr. Raj Patel", "raj patel", "Patel
// Raj"). A name that folds to nothing matches nothing. Unlike the matching
// of recording metadata it never accepts a first name or initials alone.
func SameName(a, b string) bool {
	wa, wb := personWords(a), personWords(b)
	if len(wa) == 0 || len(wb) == 0 {
		return false
	}
	return strings.Join(wa, "") == strings.Join(wb, "") || sameSet(wa, wb)
}

// OptedOut returns the name of the first of optouts (in their order) that
// names a person of people (people tags and keywords, by SameName) or is
// the speaker of one of speakerIDs, or "" when none does. It is the one
// rule deciding whether a media item shows someone who asked not to appear
// in published photos: the workers apply it when tagging and the web app
// when a person decides an item.
func OptedOut(people, speakerIDs []string, optouts []catalog.OptOut) string {
	for _, o := range optouts {
		for _, p := range people {
			if SameName(p, o.Name) {
				return o.Name
			}
		}
		if o.SpeakerID != "" && slices.Contains(speakerIDs, o.SpeakerID) {
			return o.Name
		}
	}
	return ""
}
