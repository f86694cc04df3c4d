package schedule

import (
	"crypto/sha256"
	"encoding/hex"
	"github.com/confmedia/confmedia/pipeline/internal/fold"
	"sort"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/confmedia/confmedia/catalog"
)

// people collects the speakers of a schedule, one per id.
type people struct {
	byID map[string]*catalog.Speaker
}

func newPeople() *people { return &people{byID: make(map[string]*catalog.Speaker)} }

// add records p and returns its speaker id: the pretalx person code, else
// the schedule's person id, else a slug of the folded name. A person with
// none of them yields "".
func (ps *people) add(p rawPerson) string {
	name := strings.TrimSpace(p.name)
	id := strings.TrimSpace(p.code)
	if id == "" {
		id = strings.TrimSpace(p.id)
	}
	if id == "" {
		id = SpeakerSlug(name)
	}
	if id == "" {
		return ""
	}
	avatar := strings.TrimSpace(p.avatar)
	if s, ok := ps.byID[id]; ok {
		if s.Name == "" {
			s.Name = name
		}
		if s.AvatarURL == "" {
			s.AvatarURL = avatar
		}
		return id
	}
	ps.byID[id] = &catalog.Speaker{ID: id, Name: name, AvatarURL: avatar}
	return id
}

// sorted returns the speakers ordered by id.
func (ps *people) sorted() []catalog.Speaker {
	out := make([]catalog.Speaker, 0, len(ps.byID))
	for _, s := range ps.byID {
		out = append(out, *s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// SpeakerSlug is the speaker id made from a name when the schedule gives no
// code or id: the name folded to lowercase ASCII (accents removed), every
// run of other characters turned into one '-'. A name with no letter or
// digit that folds to ASCII (e.g. one written in CJK) gets "person-" and the
// first 12 hex digits of the SHA-256 of its trimmed text. An empty name
// yields "".
func SpeakerSlug(name string) string {
	name = strings.TrimSpace(name)
	if name == "" {
		return ""
	}
	var b strings.Builder
	dash := false
	emit := func(r rune) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(r)
		default:
			dash = true
		}
	}
	for _, r := range norm.NFKD.String(name) {
		if unicode.Is(unicode.Mn, r) {
			continue
		}
		r = unicode.ToLower(r)
		if s := fold.Letter(r); s != "" {
			for _, c := range s {
				emit(c)
			}
			continue
		}
		emit(r)
	}
	if b.Len() == 0 {
		sum := sha256.Sum256([]byte(name))
		return "person-" + hex.EncodeToString(sum[:6])
	}
	return b.String()
}
