package match

import (
	"cmp"
	"slices"
	"strings"
)

// Closest returns at most n of names, the closest to query first: names
// that begin with it (folded, see Fold) or have a word that does, then by
// edit distance to the whole name or, plus one, to its nearest word (for a
// surname or first name alone). Ties go alphabetically. It returns fewer
// only when names has fewer, and never repeats a name.
func Closest(query string, names []string, n int) []string {
	q := Fold(query)
	type scored struct {
		name  string
		score int
	}
	var all []scored
	seen := make(map[string]bool, len(names))
	for _, name := range names {
		if seen[name] || name == "" {
			continue
		}
		seen[name] = true
		f := Fold(name)
		s := editDistance(q, f)
		for _, w := range strings.Fields(f) {
			s = min(s, editDistance(q, w)+1)
			if q != "" && strings.HasPrefix(w, q) {
				s = -1
			}
		}
		if q != "" && strings.HasPrefix(f, q) {
			s = -2
		}
		all = append(all, scored{name, s})
	}
	slices.SortFunc(all, func(a, b scored) int {
		return cmp.Or(cmp.Compare(a.score, b.score), cmp.Compare(a.name, b.name))
	})
	out := make([]string, 0, min(n, len(all)))
	for _, s := range all[:min(n, len(all))] {
		out = append(out, s.name)
	}
	return out
}

// editDistance is the Levenshtein distance between a and b, in runes.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := range ra {
		cur[0] = i + 1
		for j := range rb {
			cost := 1
			if ra[i] == rb[j] {
				cost = 0
			}
			cur[j+1] = min(prev[j+1]+1, cur[j]+1, prev[j]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
