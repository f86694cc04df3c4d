package schedule

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
)

// jdoc is a JSON file being walked: its bytes, to turn offsets into lines,
// and its name, for errors.
type jdoc struct {
	name  string
	data  []byte
	lines []int // offsets of the newlines of data, filled on first use
}

// jnode is one JSON value of a jdoc: its bytes, its offset in the file and
// its path from the root ("schedule.conference.days[1]").
type jnode struct {
	raw  json.RawMessage
	off  int
	path string
}

type jfield struct {
	key string
	val jnode
}

// parseJSON checks that data is one JSON value and returns the root.
func parseJSON(name string, data []byte) (*jdoc, jnode, error) {
	d := &jdoc{name: name, data: data}
	dec := json.NewDecoder(bytes.NewReader(data))
	var root json.RawMessage
	if err := dec.Decode(&root); err != nil {
		return nil, jnode{}, d.syntax(err)
	}
	if _, err := dec.Token(); err == nil {
		return nil, jnode{}, failf(name, fmt.Sprintf("line %d", d.line(int(dec.InputOffset()))),
			"JSON syntax error: more data after the top-level value")
	}
	return d, jnode{raw: root, off: int(dec.InputOffset()) - len(root)}, nil
}

func (d *jdoc) syntax(err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return wrapf(err, d.name, fmt.Sprintf("line %d", d.line(int(se.Offset))), "JSON syntax error: %s", se.Error())
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return wrapf(err, d.name, fmt.Sprintf("line %d", d.line(len(d.data))), "JSON syntax error: the file ends early")
	}
	return wrapf(err, d.name, "line 1", "bad JSON: %v", err)
}

// line is the 1-based line of byte offset off.
func (d *jdoc) line(off int) int {
	if off > len(d.data) {
		off = len(d.data)
	}
	if d.lines == nil {
		d.lines = make([]int, 0, bytes.Count(d.data, []byte{'\n'})+1)
		for i, c := range d.data {
			if c == '\n' {
				d.lines = append(d.lines, i)
			}
		}
	}
	return 1 + sort.SearchInts(d.lines, off)
}

// where names n's place for errors: its line and path.
func (d *jdoc) where(n jnode) string {
	if n.path == "" {
		return fmt.Sprintf("line %d", d.line(n.off))
	}
	return fmt.Sprintf("line %d: %s", d.line(n.off), n.path)
}

// failf builds the error for a bad value n.
func (d *jdoc) failf(n jnode, format string, args ...any) error {
	return failf(d.name, d.where(n), format, args...)
}

// kind is the first byte of n: '{', '[', '"', 't', 'f', 'n' or a digit/'-'.
func (n jnode) kind() byte {
	if len(n.raw) == 0 {
		return 0
	}
	return n.raw[0]
}

func (n jnode) isNull() bool { return len(n.raw) == 0 || n.kind() == 'n' }

func joinPath(base, key string) string {
	if base == "" {
		return key
	}
	return base + "." + key
}

// fields returns the members of object n in file order. n must be an object.
func (d *jdoc) fields(n jnode) ([]jfield, error) {
	if n.kind() != '{' {
		return nil, d.failf(n, "want an object, found %s", describe(n))
	}
	dec := json.NewDecoder(bytes.NewReader(n.raw))
	if _, err := dec.Token(); err != nil {
		return nil, d.failf(n, "bad JSON: %v", err)
	}
	var out []jfield
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, d.failf(n, "bad JSON: %v", err)
		}
		key, _ := tok.(string)
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, d.failf(n, "bad JSON: %v", err)
		}
		end := int(dec.InputOffset())
		out = append(out, jfield{key: key, val: jnode{raw: v, off: n.off + end - len(v), path: joinPath(n.path, key)}})
	}
	return out, nil
}

// field returns member key of object n, and whether it is there.
func (d *jdoc) field(n jnode, key string) (jnode, bool, error) {
	fs, err := d.fields(n)
	if err != nil {
		return jnode{}, false, err
	}
	for _, f := range fs {
		if f.key == key {
			return f.val, true, nil
		}
	}
	return jnode{}, false, nil
}

// items returns the elements of array n. n must be an array.
func (d *jdoc) items(n jnode) ([]jnode, error) {
	if n.kind() != '[' {
		return nil, d.failf(n, "want an array, found %s", describe(n))
	}
	dec := json.NewDecoder(bytes.NewReader(n.raw))
	if _, err := dec.Token(); err != nil {
		return nil, d.failf(n, "bad JSON: %v", err)
	}
	var out []jnode
	for i := 0; dec.More(); i++ {
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, d.failf(n, "bad JSON: %v", err)
		}
		end := int(dec.InputOffset())
		out = append(out, jnode{raw: v, off: n.off + end - len(v), path: n.path + "[" + strconv.Itoa(i) + "]"})
	}
	return out, nil
}

// describe names the JSON type of n for errors.
func describe(n jnode) string {
	switch n.kind() {
	case '{':
		return "an object"
	case '[':
		return "an array"
	case '"':
		return "a string"
	case 't', 'f':
		return "a boolean"
	case 'n', 0:
		return "null"
	}
	return "a number"
}

// text reads a value that should be a string. Numbers and booleans are
// taken as written, null is "", and an object of translations
// ({"en": …, "fr": …}) gives its English text, else its first.
func (d *jdoc) text(n jnode) (string, error) {
	switch n.kind() {
	case 0, 'n':
		return "", nil
	case '"':
		var s string
		if err := json.Unmarshal(n.raw, &s); err != nil {
			return "", d.failf(n, "bad string: %v", err)
		}
		return strings.TrimSpace(s), nil
	case '{':
		fs, err := d.fields(n)
		if err != nil {
			return "", err
		}
		for _, f := range fs {
			if f.key == "en" && f.val.kind() == '"' {
				return d.text(f.val)
			}
		}
		for _, f := range fs {
			if f.val.kind() == '"' {
				return d.text(f.val)
			}
		}
		return "", nil
	case '[':
		return "", d.failf(n, "want a string, found an array")
	}
	return string(n.raw), nil
}

// idText reads an id: a string as it is, an integer in decimal. Other
// numbers are an error.
func (d *jdoc) idText(n jnode) (string, error) {
	switch n.kind() {
	case 0, 'n':
		return "", nil
	case '"':
		return d.text(n)
	case '{', '[', 't', 'f':
		return "", d.failf(n, "want an id (a string or an integer), found %s", describe(n))
	}
	num := string(n.raw)
	if _, err := strconv.ParseInt(num, 10, 64); err != nil {
		if _, uerr := strconv.ParseUint(num, 10, 64); uerr != nil {
			return "", d.failf(n, "id %s is not an integer", num)
		}
	}
	return num, nil
}

// boolean reads true, false, null, or a string spelling of them.
func (d *jdoc) boolean(n jnode) (bool, error) {
	switch n.kind() {
	case 0, 'n':
		return false, nil
	case 't':
		return true, nil
	case 'f':
		return false, nil
	case '"':
		s, err := d.text(n)
		if err != nil {
			return false, err
		}
		switch strings.ToLower(s) {
		case "true", "yes", "1":
			return true, nil
		case "false", "no", "0", "":
			return false, nil
		}
		return false, d.failf(n, "want true or false, found %q", s)
	}
	if string(n.raw) == "1" {
		return true, nil
	}
	if string(n.raw) == "0" {
		return false, nil
	}
	return false, d.failf(n, "want true or false, found %s", describe(n))
}

// fieldMap indexes fields by key; for duplicate keys the last wins, as in
// encoding/json.
func fieldMap(fs []jfield) map[string]jnode {
	m := make(map[string]jnode, len(fs))
	for _, f := range fs {
		m[f.key] = f.val
	}
	return m
}
