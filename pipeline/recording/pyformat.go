package recording

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"unicode/utf8"
)

// pyvideo/data keeps its files as Python's json.dump(indent=2,
// sort_keys=True) writes them, with a newline at the end: two-space
// indentation, ", " never used inside a line, "key": value, non-ASCII
// characters escaped as \uXXXX (though files edited by hand keep some
// unescaped). The functions here write that layout, and keep the bytes of
// every value a record already has, so that an export of an unchanged
// record is the file that was imported.

// FormatVideo lays a JSON object out as pyvideo/data does: two-space
// indentation and a newline at the end. The text of strings and numbers is
// kept as it is, escapes included.
func FormatVideo(raw []byte) ([]byte, error) {
	var compact bytes.Buffer
	if err := json.Compact(&compact, raw); err != nil {
		return nil, err
	}
	var out bytes.Buffer
	if err := json.Indent(&out, compact.Bytes(), "", "  "); err != nil {
		return nil, err
	}
	out.WriteByte('\n')
	return out.Bytes(), nil
}

// ParseCategory reads a pyvideo category.json and returns its title. name
// is the file's name, for errors.
func ParseCategory(name string, data []byte) (string, error) {
	var c struct {
		Title *string `json:"title"`
	}
	if err := json.Unmarshal(data, &c); err != nil {
		return "", wrapf(err, name, "line 1", "not a pyvideo category.json: %v", err)
	}
	if c.Title == nil || *c.Title == "" {
		return "", failf(name, "line 1", "category.json has no title")
	}
	return *c.Title, nil
}

// CategoryJSON returns a pyvideo category.json naming title.
func CategoryJSON(title string) []byte {
	out, err := FormatVideo([]byte(`{"title":` + string(pyQuote(title)) + `}`))
	if err != nil {
		panic(err) // a quoted string always makes a valid object
	}
	return out
}

// pyQuote quotes s as Python's json module does: ASCII only, with \n, \r,
// \t, \b, \f, \" and \\ escapes and \uXXXX (lower-case hex, surrogate pairs
// above U+FFFF) for every other character outside space to tilde.
func pyQuote(s string) []byte {
	const hex = "0123456789abcdef"
	b := []byte{'"'}
	u := func(r rune) {
		b = append(b, '\\', 'u', hex[r>>12&0xf], hex[r>>8&0xf], hex[r>>4&0xf], hex[r&0xf])
	}
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b = append(b, '\\', byte(r))
		case r == '\n':
			b = append(b, '\\', 'n')
		case r == '\r':
			b = append(b, '\\', 'r')
		case r == '\t':
			b = append(b, '\\', 't')
		case r == '\b':
			b = append(b, '\\', 'b')
		case r == '\f':
			b = append(b, '\\', 'f')
		case r >= ' ' && r <= '~':
			b = append(b, byte(r))
		case r > 0xffff:
			r -= 0x10000
			u(0xd800 + r>>10)
			u(0xdc00 + r&0x3ff)
		default:
			if r == utf8.RuneError {
				r = 0xfffd
			}
			u(r)
		}
	}
	return append(b, '"')
}

// pyMarshal encodes v as Python's json module would (see pyQuote), compact.
func pyMarshal(v any) (json.RawMessage, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	// Re-quote every string of Go's output the Python way.
	var out bytes.Buffer
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var walk func() error
	walk = func() error {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case json.Delim:
			out.WriteByte(byte(t))
			close := byte(']')
			if t == '{' {
				close = '}'
			}
			for first := true; dec.More(); first = false {
				if !first {
					out.WriteByte(',')
				}
				if t == '{' {
					k, err := dec.Token()
					if err != nil {
						return err
					}
					out.Write(pyQuote(k.(string)))
					out.WriteByte(':')
				}
				if err := walk(); err != nil {
					return err
				}
			}
			if _, err := dec.Token(); err != nil {
				return err
			}
			out.WriteByte(close)
		case string:
			out.Write(pyQuote(t))
		case json.Number:
			out.WriteString(t.String())
		case bool:
			fmt.Fprint(&out, t)
		case nil:
			out.WriteString("null")
		}
		return nil
	}
	if err := walk(); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// objectKeys returns the keys of a JSON object in the order written.
func objectKeys(raw []byte) ([]string, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil, errors.New("not a JSON object")
	}
	var keys []string
	for dec.More() {
		k, err := dec.Token()
		if err != nil {
			return nil, err
		}
		keys = append(keys, k.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return nil, err
		}
	}
	return keys, nil
}

// sameJSON reports whether two JSON texts hold the same value.
func sameJSON(a, b []byte) bool {
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	xa, _ := json.Marshal(x)
	ya, _ := json.Marshal(y)
	return bytes.Equal(xa, ya)
}

// writeObject lays out rec as pyvideo/data does, its keys in the order of
// order (the imported record's) and the keys it lacks after them; when
// order is sorted, as pyvideo's files are, every key goes in sorted order.
func writeObject(rec map[string]json.RawMessage, order []string) ([]byte, error) {
	keys := make([]string, 0, len(rec))
	for _, k := range order {
		if _, ok := rec[k]; ok && !slices.Contains(keys, k) {
			keys = append(keys, k)
		}
	}
	var extra []string
	for k := range rec {
		if !slices.Contains(keys, k) {
			extra = append(extra, k)
		}
	}
	slices.Sort(extra)
	if slices.IsSorted(keys) {
		keys = append(keys, extra...)
		slices.Sort(keys)
	} else {
		keys = append(keys, extra...)
	}
	var b bytes.Buffer
	b.WriteByte('{')
	for i, k := range keys {
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(pyQuote(k))
		b.WriteByte(':')
		b.Write(rec[k])
	}
	b.WriteByte('}')
	return FormatVideo(b.Bytes())
}
