// Package nesting measures how deeply a JSON document nests, without
// parsing it: the check parsers make before building anything from a file
// that could nest thousands of levels deep.
package nesting

// JSON scans the JSON text data and returns the offset of the first '{' or
// '[' that opens a level deeper than max, and true; or 0 and false when no
// value nests deeper than max. Brackets inside strings do not count. data
// need not be valid JSON: a parser reports its syntax errors afterwards.
func JSON(data []byte, max int) (offset int, over bool) {
	depth := 0
	inString, escaped := false, false
	for i, c := range data {
		if inString {
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
			continue
		}
		switch c {
		case '"':
			inString = true
		case '{', '[':
			if depth++; depth > max {
				return i, true
			}
		case '}', ']':
			if depth > 0 {
				depth--
			}
		}
	}
	return 0, false
}
