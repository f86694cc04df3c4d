package exif

import (
	"bytes"
	"strings"
	"unicode"
	"unicode/utf8"
)

// oneLine folds a message onto one line and bounds its length.
func oneLine(s string) string {
	return bounded(strings.Join(strings.Fields(s), " "))
}

// bounded cuts a message at 300 bytes.
func bounded(s string) string {
	const max = 300
	if len(s) > max {
		i := max
		for i > 0 && !utf8.RuneStart(s[i]) {
			i--
		}
		s = s[:i] + "…"
	}
	return s
}

// text turns the bytes of a metadata string into clean text: it stops at the
// first NUL, reads bytes that are not UTF-8 as Latin-1 (what older cameras
// and IPTC writers use), replaces control characters with spaces and trims.
func text(b []byte) string {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	var s string
	if utf8.Valid(b) {
		s = string(b)
	} else {
		s = latin1(b)
	}
	return cleanText(s)
}

// cleanText replaces control characters with spaces and trims.
func cleanText(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
	return strings.TrimSpace(s)
}

// latin1 decodes ISO 8859-1 bytes.
func latin1(b []byte) string {
	rs := make([]rune, len(b))
	for i, c := range b {
		rs[i] = rune(c)
	}
	return string(rs)
}
