package match

import (
	"fmt"
	"path"
	"slices"
	"strings"
	"unicode"

	"github.com/confmedia/confmedia/catalog"
)

// HeadshotInput is what is known about a speaker portrait.
type HeadshotInput struct {
	Speaker  string   // the speaker named at upload; "" when none
	People   []string // people tags
	FileName string   // base name as uploaded
}

// TagHeadshot decides whose portrait a headshot is, by the first of these
// that applies:
//
//  1. in.Speaker, when given: the speaker with that exact folded full name
//     (or that id). An unknown name NeedsReview (`unknown speaker "…"`), a
//     name several speakers share NeedsReview with them as Candidates.
//  2. The people tags, when they name exactly one distinct speaker by exact
//     folded full name. When they name several, the one the file name names
//     (as below), else it NeedsReview with them as Candidates.
//  3. The file name: separators (_ - . space), case, accents, digits, the
//     extension and the words headshot, portrait, photo, final, crop, edit and
//     hires are ignored, and the remaining words, in any order, must equal
//     the words of exactly one speaker's folded name. Otherwise it
//     NeedsReview: `no speaker matches "jane-doe-2.jpg"`, or `several speakers
//     match "…"` with Candidates.
//
// Names are never matched approximately. A tagged headshot's SpeakerIDs is
// that speaker and its TalkIDs are the speaker's talks.
func (x *Index) TagHeadshot(in HeadshotInput) Decision {
	if s := strings.TrimSpace(in.Speaker); s != "" {
		if sp, ok := x.speakers[s]; ok {
			return x.headshotOf(sp.ID)
		}
		ids := x.byName[Fold(s)]
		switch len(ids) {
		case 0:
			return Decision{Status: catalog.NeedsReview, Reason: fmt.Sprintf("unknown speaker %q", s)}
		case 1:
			return x.headshotOf(ids[0])
		}
		return Decision{Status: catalog.NeedsReview, Reason: fmt.Sprintf("several speakers are called %q", s), Candidates: slices.Clone(ids)}
	}
	ids := x.speakersInFileName(in.FileName)
	switch named := x.speakersNamed(in.People); len(named) {
	case 0:
	case 1:
		return x.headshotOf(named[0])
	default:
		if len(ids) == 1 && slices.Contains(named, ids[0]) {
			return x.headshotOf(ids[0])
		}
		return Decision{Status: catalog.NeedsReview, Reason: fmt.Sprintf("the people tags name %d speakers", len(named)), Candidates: named}
	}
	switch len(ids) {
	case 0:
		return Decision{Status: catalog.NeedsReview, Reason: fmt.Sprintf("no speaker matches %q", in.FileName)}
	case 1:
		return x.headshotOf(ids[0])
	}
	return Decision{Status: catalog.NeedsReview, Reason: fmt.Sprintf("several speakers match %q", in.FileName), Candidates: ids}
}

// headshotOf is the decision for a portrait of speaker id.
func (x *Index) headshotOf(id string) Decision {
	return Decision{Status: catalog.Tagged, SpeakerIDs: []string{id}, TalkIDs: talkIDs(x.byPerson[id])}
}

// speakersInFileName returns the ids of the speakers whose name's words are
// the words of the file name (see fileNameWords), sorted.
func (x *Index) speakersInFileName(name string) []string {
	want := fileNameWords(name)
	if len(want) == 0 {
		return nil
	}
	var ids []string
	for id, sp := range x.speakers {
		if got := nameWords(sp.Name); len(got) > 0 && sameSet(got, want) {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return ids
}

// fileNameWords returns the words of a file name that may name a person: the
// extension, digits and the usual portrait words are dropped.
func fileNameWords(name string) []string {
	base := path.Base(strings.ReplaceAll(name, `\`, "/"))
	if ext := path.Ext(base); ext != "" && ext != base {
		base = strings.TrimSuffix(base, ext)
	}
	var out []string
	for _, w := range nameWords(base) {
		switch w {
		case "headshot", "portrait", "photo", "final", "crop", "edit", "hires":
			continue
		}
		out = append(out, w)
	}
	return out
}

// nameWords folds a name into words with digits removed.
func nameWords(s string) []string {
	var out []string
	for _, w := range words(s) {
		w = strings.Map(func(r rune) rune {
			if unicode.IsDigit(r) {
				return -1
			}
			return r
		}, w)
		if w != "" {
			out = append(out, w)
		}
	}
	return out
}
