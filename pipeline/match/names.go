package match

import (
	"github.com/confmedia/confmedia/pipeline/internal/fold"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Fold folds a name or title for comparison: it applies Unicode NFKD, drops
// accents and other combining marks, spells letters that have no
// decomposition in ASCII (ł → l, ø → o, ß → ss, æ → ae…), lowers the case,
// removes apostrophes and quotation marks of every style, turns all other
// punctuation and symbols into spaces and collapses runs of white space.
// "Zoë  O’Brien" and "zoe obrien" fold to the same string, and so do
// "Jean-Luc" and "jean luc".
func Fold(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false // a separator is pending
	for _, r := range norm.NFKD.String(s) {
		switch {
		case isQuote(r), unicode.Is(unicode.Mn, r), unicode.Is(unicode.Me, r), unicode.Is(unicode.Mc, r):
			continue
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			l := unicode.ToLower(r)
			if t := fold.Letter(l); t != "" {
				b.WriteString(t)
				continue
			}
			b.WriteRune(l)
		default:
			space = true
		}
	}
	return b.String()
}

// isQuote reports whether r is an apostrophe or quotation mark. They are
// dropped rather than turned into a space, so that "O’Brien" folds to
// "obrien" and "Python's" to "pythons".
func isQuote(r rune) bool {
	switch r {
	case '\'', '"', '`', '´', 'ʹ', 'ʺ', 'ʻ', 'ʼ', 'ʽ', 'ˈ',
		'‘', '’', '‚', '‛', '“', '”', '„', '‟', '′', '″', '‹', '›', '«', '»',
		'＇', '＂':
		return true
	}
	return false
}

// words folds s and splits it into words.
func words(s string) []string { return strings.Fields(Fold(s)) }

// isHonorific reports whether a folded word is a title or degree that is
// dropped from speaker names before they are compared.
func isHonorific(w string) bool {
	switch w {
	case "dr", "prof", "professor", "mr", "mrs", "ms", "mx", "miss", "sir", "dame", "phd", "msc":
		return true
	}
	return false
}

// personWords folds a person's name into words without honorifics. A name
// made only of honorifics keeps them.
func personWords(name string) []string {
	w := words(name)
	out := w[:0:0]
	for _, s := range w {
		if !isHonorific(s) {
			out = append(out, s)
		}
	}
	if len(out) == 0 {
		return w
	}
	return out
}

// samePerson reports whether two folded person names (see personWords) may
// name the same person. It tolerates what recording metadata does to names:
// a first name or surname alone ("Mauro" for "Mauro Pelucchi"), initials
// ("E. Leblond", "Anthony I. Joseph"), hyphens and spaces joined differently
// ("Marc-André" and "Marcandre"), and surname-first order. It never accepts a
// name that merely looks alike.
func samePerson(a, b []string) bool {
	if len(a) == 0 || len(b) == 0 {
		return false
	}
	if strings.Join(a, "") == strings.Join(b, "") {
		return true
	}
	if sameSet(a, b) {
		return true
	}
	if len(a) == 1 || len(b) == 1 {
		one, many := a, b
		if len(b) == 1 {
			one, many = b, a
		}
		w := one[0]
		return len([]rune(w)) >= 3 && (w == many[0] || w == many[len(many)-1])
	}
	if a[len(a)-1] != b[len(b)-1] {
		return false
	}
	fa, fb := a[0], b[0]
	switch {
	case fa == fb:
		return true
	case len(fa) == 1:
		return strings.HasPrefix(fb, fa)
	case len(fb) == 1:
		return strings.HasPrefix(fa, fb)
	}
	return false
}

// sameSet reports whether a and b hold the same words, ignoring order and
// repetition.
func sameSet(a, b []string) bool {
	in := func(x []string, w string) bool {
		for _, s := range x {
			if s == w {
				return true
			}
		}
		return false
	}
	for _, w := range a {
		if !in(b, w) {
			return false
		}
	}
	for _, w := range b {
		if !in(a, w) {
			return false
		}
	}
	return true
}
