package fold

import "testing"

func TestLetter(t *testing.T) {
	for r, want := range map[rune]string{'ß': "ss", 'ø': "o", 'ŀ': "l", 'ſ': "s", 'þ': "th", 'a': "", 'é': ""} {
		if got := Letter(r); got != want {
			t.Errorf("Letter(%q) = %q, want %q", r, got, want)
		}
	}
}
