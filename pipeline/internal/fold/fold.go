// Package fold spells in ASCII the Latin letters that Unicode decomposition
// leaves alone, so that name matching (pipeline/match) and speaker ids
// (pipeline/schedule) fold names the same way.
package fold

// Letter spells the lower-case letter r in ASCII when NFKD does not
// decompose it into a base letter and marks ('ß' → "ss", 'ø' → "o"), or
// returns "".
func Letter(r rune) string {
	switch r {
	case 'ß':
		return "ss"
	case 'æ':
		return "ae"
	case 'œ':
		return "oe"
	case 'ø':
		return "o"
	case 'ł', 'ŀ':
		return "l"
	case 'đ', 'ð':
		return "d"
	case 'þ':
		return "th"
	case 'ı':
		return "i"
	case 'ħ':
		return "h"
	case 'ŧ':
		return "t"
	case 'ŋ':
		return "n"
	case 'ſ':
		return "s"
	}
	return ""
}
