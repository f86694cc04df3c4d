package recording

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"

	"github.com/confmedia/confmedia/catalog"
)

// readPyvideo reads one pyvideo video object or an array of them.
func readPyvideo(name string, data []byte) ([]item, error) {
	lineAt := func(off int64) int {
		if off > int64(len(data)) {
			off = int64(len(data))
		}
		return 1 + bytes.Count(data[:off], []byte{'\n'})
	}
	syntax := func(err error) error {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return wrapf(err, name, fmt.Sprintf("line %d", lineAt(se.Offset)), "JSON syntax error: %v", se)
		}
		if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
			return wrapf(err, name, fmt.Sprintf("line %d", lineAt(int64(len(data)))), "JSON syntax error: the file ends early")
		}
		return wrapf(err, name, "line 1", "bad JSON: %v", err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	trailing := func() error {
		if _, err := dec.Token(); err != io.EOF {
			return failf(name, fmt.Sprintf("line %d", lineAt(dec.InputOffset())),
				"JSON syntax error: more data after the top-level value")
		}
		return nil
	}
	b := bytes.TrimLeft(data, " \t\r\n")
	if len(b) > 0 && b[0] == '{' {
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, syntax(err)
		}
		if err := trailing(); err != nil {
			return nil, err
		}
		r, err := decodeVideo(raw)
		if err != nil {
			return nil, wrapf(err, name, "line 1", "%v", err)
		}
		r.SourceID = sourceBase(name)
		// A file of one record keeps its bytes to the end, so that an
		// export writes it back with the same ending.
		r.Raw = append([]byte(nil), b...)
		return []item{{rec: r, where: "line 1"}}, nil
	}

	if _, err := dec.Token(); err != nil {
		return nil, syntax(err)
	}
	var out []item
	for i := 1; dec.More(); i++ {
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, syntax(err)
		}
		where := fmt.Sprintf("line %d: record %d", lineAt(dec.InputOffset()-int64(len(raw))), i)
		if len(raw) == 0 || raw[0] != '{' {
			return nil, failf(name, where, "want a pyvideo video object")
		}
		r, err := decodeVideo(raw)
		if err != nil {
			return nil, wrapf(err, name, where, "%v", err)
		}
		r.SourceID = fmt.Sprintf("%s#%d", sourceBase(name), i)
		if slug, err := pyString(fieldsOf(raw), "slug"); err == nil && slug != "" {
			r.SourceID = slug
		}
		out = append(out, item{rec: r, where: where})
	}
	if _, err := dec.Token(); err != nil {
		return nil, syntax(err)
	}
	if err := trailing(); err != nil {
		return nil, err
	}
	return out, nil
}

// fieldsOf decodes the members of a JSON object; it returns nil for
// anything else.
func fieldsOf(raw json.RawMessage) map[string]json.RawMessage {
	var m map[string]json.RawMessage
	if json.Unmarshal(raw, &m) != nil {
		return nil
	}
	return m
}

// decodeVideo reads one pyvideo video object; raw is kept as the Raw of the
// recording.
func decodeVideo(raw json.RawMessage) (catalog.Recording, error) {
	m := fieldsOf(raw)
	if m == nil {
		return catalog.Recording{}, errors.New("want a pyvideo video object")
	}
	var (
		r   catalog.Recording
		err error
	)
	if r.Title, err = pyString(m, "title"); err != nil {
		return r, err
	}
	if r.Speakers, err = pyStrings(m, "speakers"); err != nil {
		return r, err
	}
	if r.Description, err = pyString(m, "description"); err != nil {
		return r, err
	}
	if r.Description == "" {
		if r.Description, err = pyString(m, "summary"); err != nil {
			return r, err
		}
	}
	recorded, err := pyString(m, "recorded")
	if err != nil {
		return r, err
	}
	if r.Recorded, r.Start, err = splitRecorded(recorded); err != nil {
		return r, err
	}
	if r.Duration, err = pyInt(m, "duration"); err != nil {
		return r, err
	}
	if r.Duration < 0 {
		return r, fmt.Errorf("negative duration %d", r.Duration)
	}
	if r.Thumbnail, err = pyString(m, "thumbnail_url"); err != nil {
		return r, err
	}
	if r.URL, err = videoURL(m); err != nil {
		return r, err
	}
	if r.ID, err = pyID(m); err != nil {
		return r, err
	}
	if r.ID == "" {
		r.ID = DerivedID(r.URL)
	}
	r.Raw = append([]byte(nil), raw...)
	return r, nil
}

// splitRecorded reads pyvideo's recorded, "YYYY-MM-DD" with an optional
// "Thh:mm:ss[±hh:mm]": the date, and the wall clock "YYYY-MM-DDThh:mm" when
// there is a time.
func splitRecorded(s string) (date, start string, err error) {
	if s == "" {
		return "", "", nil
	}
	d, t, hasTime := strings.Cut(s, "T")
	if err := checkDate(d); err != nil {
		return "", "", fmt.Errorf("recorded: %w", err)
	}
	if !hasTime {
		return d, "", nil
	}
	if len(t) < len("15:04") {
		return "", "", fmt.Errorf("recorded: bad time in %q", s)
	}
	c, err := parseClock(t[:5])
	if err != nil {
		return "", "", fmt.Errorf("recorded: bad time in %q", s)
	}
	return d, d + "T" + hhmm(c), nil
}

// videoURL picks the recording's URL from videos[]: the first one, or when
// there are several, the first YouTube, else Vimeo, else MP4 one.
func videoURL(m map[string]json.RawMessage) (string, error) {
	raw, ok := m["videos"]
	if !ok || isNull(raw) {
		return "", errors.New("no videos: a recording needs a video URL")
	}
	var vids []struct {
		Type json.RawMessage `json:"type"`
		URL  json.RawMessage `json:"url"`
	}
	if err := json.Unmarshal(raw, &vids); err != nil {
		return "", errors.New("videos: want a list of {type, url} objects")
	}
	type cand struct{ typ, url string }
	var cands []cand
	for i, v := range vids {
		u, err := asString(v.URL)
		if err != nil {
			return "", fmt.Errorf("videos[%d].url: %w", i, err)
		}
		t, err := asString(v.Type)
		if err != nil {
			return "", fmt.Errorf("videos[%d].type: %w", i, err)
		}
		if u = strings.TrimSpace(u); u != "" {
			cands = append(cands, cand{strings.ToLower(strings.TrimSpace(t)), u})
		}
	}
	if len(cands) == 0 {
		return "", errors.New("no video URL: a recording needs one")
	}
	for _, kind := range []string{"youtube", "vimeo", "mp4"} {
		for _, c := range cands {
			if videoKind(c.typ, c.url) == kind {
				return c.url, nil
			}
		}
	}
	return cands[0].url, nil
}

// videoKind classifies a video link as "youtube", "vimeo", "mp4" or "".
func videoKind(typ, link string) string {
	host, p := "", ""
	if u, err := url.Parse(link); err == nil {
		host, p = strings.ToLower(u.Hostname()), strings.ToLower(u.Path)
	}
	switch {
	case typ == "youtube" || host == "youtu.be" || host == "youtube.com" || strings.HasSuffix(host, ".youtube.com"):
		return "youtube"
	case typ == "vimeo" || host == "vimeo.com" || strings.HasSuffix(host, ".vimeo.com"):
		return "vimeo"
	case typ == "mp4" || strings.HasSuffix(p, ".mp4"):
		return "mp4"
	}
	return ""
}

func isNull(raw json.RawMessage) bool {
	s := bytes.TrimSpace(raw)
	return len(s) == 0 || string(s) == "null"
}

// asString reads a JSON string or null.
func asString(raw json.RawMessage) (string, error) {
	if isNull(raw) {
		return "", nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", errors.New("want a string")
	}
	return s, nil
}

// pyString reads member key as a string ("" when absent or null).
func pyString(m map[string]json.RawMessage, key string) (string, error) {
	s, err := asString(m[key])
	if err != nil {
		return "", fmt.Errorf("%s: %w", key, err)
	}
	return strings.TrimSpace(s), nil
}

// pyStrings reads member key as a list of strings, dropping empty ones.
func pyStrings(m map[string]json.RawMessage, key string) ([]string, error) {
	raw := m[key]
	if isNull(raw) {
		return nil, nil
	}
	var list []json.RawMessage
	if err := json.Unmarshal(raw, &list); err != nil {
		return nil, fmt.Errorf("%s: want a list of strings", key)
	}
	var out []string
	for i, v := range list {
		s, err := asString(v)
		if err != nil {
			return nil, fmt.Errorf("%s[%d]: %w", key, i, err)
		}
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out, nil
}

// pyInt reads member key as a whole number (0 when absent or null).
func pyInt(m map[string]json.RawMessage, key string) (int, error) {
	raw := m[key]
	if isNull(raw) {
		return 0, nil
	}
	var f float64
	if err := json.Unmarshal(raw, &f); err != nil {
		return 0, fmt.Errorf("%s: want a number", key)
	}
	if f != float64(int64(f)) || f > 1<<31 || f < -(1<<31) {
		return 0, fmt.Errorf("%s: want a whole number, found %s", key, bytes.TrimSpace(raw))
	}
	return int(f), nil
}

// pyID reads the record's own id: an integer in decimal, or a string.
func pyID(m map[string]json.RawMessage) (string, error) {
	raw := m["id"]
	if isNull(raw) {
		return "", nil
	}
	s := strings.TrimSpace(string(raw))
	if s != "" && s[0] == '"' {
		v, err := asString(raw)
		return strings.TrimSpace(v), err
	}
	if _, err := strconv.ParseInt(s, 10, 64); err != nil {
		return "", fmt.Errorf("id: want an integer or a string, found %s", s)
	}
	return s, nil
}
