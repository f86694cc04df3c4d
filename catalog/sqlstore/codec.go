package sqlstore

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/confmedia/confmedia/catalog"
)

// timeCol scans a stored time: NULL is the zero time; text (SQLite) is
// parsed; a native value (PostgreSQL) is taken as it is. The result is UTC.
type timeCol struct{ t *time.Time }

func (c timeCol) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*c.t = time.Time{}
	case time.Time:
		*c.t = v.UTC()
	case string:
		return c.parse(v)
	case []byte:
		return c.parse(string(v))
	default:
		return fmt.Errorf("cannot read a time from %T", src)
	}
	return nil
}

func (c timeCol) parse(s string) error {
	if s == "" {
		*c.t = time.Time{}
		return nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return fmt.Errorf("bad stored time %q: %w", s, err)
	}
	*c.t = t.UTC()
	return nil
}

// jsonCol scans a JSON column into v. An empty list comes back nil.
type jsonCol struct{ v any }

func (c jsonCol) Scan(src any) error {
	var b []byte
	switch s := src.(type) {
	case nil:
		return nil
	case string:
		b = []byte(s)
	case []byte:
		b = s
	default:
		return fmt.Errorf("cannot read JSON from %T", src)
	}
	if len(b) == 0 {
		return nil
	}
	if err := json.Unmarshal(b, c.v); err != nil {
		return fmt.Errorf("bad stored JSON: %w", err)
	}
	switch p := c.v.(type) {
	case *[]string:
		if len(*p) == 0 {
			*p = nil
		}
	case *[]rendition:
		if len(*p) == 0 {
			*p = nil
		}
	}
	return nil
}

// jsonList encodes a list; nil is stored as [].
func jsonList(s []string) string {
	if len(s) == 0 {
		return "[]"
	}
	b, _ := json.Marshal(s) // a list of strings always marshals
	return string(b)
}

// rendition is the stored form of a catalog.Rendition, with names of its
// own so that renaming a Go field does not orphan stored data.
type rendition struct {
	Name   string `json:"name"`
	Key    string `json:"key"`
	Width  int    `json:"width"`
	Height int    `json:"height"`
	Bytes  int64  `json:"bytes"`
}

func encodeRenditions(rs []catalog.Rendition) string {
	if len(rs) == 0 {
		return "[]"
	}
	out := make([]rendition, len(rs))
	for i, r := range rs {
		out[i] = rendition(r)
	}
	b, _ := json.Marshal(out) // strings and numbers always marshal
	return string(b)
}

func decodeRenditions(rs []rendition) []catalog.Rendition {
	if len(rs) == 0 {
		return nil
	}
	out := make([]catalog.Rendition, len(rs))
	for i, r := range rs {
		out[i] = catalog.Rendition(r)
	}
	return out
}

// faceBox is a catalog.FaceBox as the faces column stores it.
type faceBox struct {
	X     int     `json:"x"`
	Y     int     `json:"y"`
	W     int     `json:"w"`
	H     int     `json:"h"`
	Score float64 `json:"score"`
}

func encodeFaces(fs []catalog.FaceBox) string {
	if len(fs) == 0 {
		return "[]"
	}
	out := make([]faceBox, len(fs))
	for i, f := range fs {
		out[i] = faceBox(f)
	}
	b, _ := json.Marshal(out) // numbers always marshal (a score is never NaN)
	return string(b)
}

func decodeFaces(fs []faceBox) []catalog.FaceBox {
	if len(fs) == 0 {
		return nil
	}
	out := make([]catalog.FaceBox, len(fs))
	for i, f := range fs {
		out[i] = catalog.FaceBox(f)
	}
	return out
}
