package recording

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/confmedia/confmedia/catalog"
)

// Export writes one pyvideo video JSON object for recording r attached to
// talk t, whose speakers are named speakerNames (in the talk's order).
//
// The record starts from r.Raw when there is one, so fields confmedia does
// not know survive; otherwise from r's fields. The schedule then corrects
// it: title and recorded (the talk's date in the venue's zone) come from t,
// speakers from speakerNames when there are any, and t.URL is added to
// related_urls. A zero t (no talk) changes nothing. The record is laid out
// as pyvideo/data keeps its files (see FormatVideo): its keys in the
// imported order (sorted, in pyvideo's files), new keys in sorted place,
// and every value it had and still has written with the imported bytes, so
// that an unchanged record exports as the file imported and a pull request
// touches only what changed. The result passes ValidateVideo. Export returns an error when r.Raw is not a JSON object or
// w fails.
func Export(w io.Writer, r catalog.Recording, t catalog.Talk, speakerNames []string) error {
	rec := make(map[string]json.RawMessage)
	var order []string
	if len(bytes.TrimSpace(r.Raw)) > 0 {
		if err := json.Unmarshal(r.Raw, &rec); err != nil {
			return fmt.Errorf("export recording %s: its imported record is not a JSON object: %w", r.ID, err)
		}
		order, _ = objectKeys(r.Raw)
	}
	set := func(key string, v any) error {
		b, err := marshal(v)
		if err != nil {
			return fmt.Errorf("export recording %s: %s: %w", r.ID, key, err)
		}
		if old, ok := rec[key]; ok && sameJSON(old, b) {
			return nil // the value as the file wrote it
		}
		rec[key] = b
		return nil
	}
	setIfMissing := func(key string, v any) error {
		if _, ok := rec[key]; ok {
			return nil
		}
		return set(key, v)
	}

	// What the record lacks comes from the parsed fields.
	if err := setIfMissing("title", r.Title); err != nil {
		return err
	}
	if err := setIfMissing("description", r.Description); err != nil {
		return err
	}
	if err := setIfMissing("speakers", nonNil(r.Speakers)); err != nil {
		return err
	}
	var recorded any
	if r.Recorded != "" {
		recorded = r.Recorded
	}
	if err := setIfMissing("recorded", recorded); err != nil {
		return err
	}
	if _, ok := rec["videos"]; !ok || isNull(rec["videos"]) {
		typ := videoKind("", r.URL)
		if typ == "" {
			typ = "url"
		}
		if err := set("videos", []map[string]string{{"type": typ, "url": r.URL}}); err != nil {
			return err
		}
	}
	if r.Duration > 0 {
		if err := setIfMissing("duration", r.Duration); err != nil {
			return err
		}
	}
	if r.Thumbnail != "" {
		if err := setIfMissing("thumbnail_url", r.Thumbnail); err != nil {
			return err
		}
	}

	// The schedule corrects what the video team often gets wrong.
	if t.ID != "" {
		if t.Title != "" {
			if err := set("title", t.Title); err != nil {
				return err
			}
		}
		if !t.Start.IsZero() {
			if err := set("recorded", t.Start.Format(time.DateOnly)); err != nil {
				return err
			}
		}
		if len(speakerNames) > 0 {
			if err := set("speakers", uniq(speakerNames)); err != nil {
				return err
			}
		}
		if t.URL != "" {
			if err := addRelated(rec, t.URL); err != nil {
				return fmt.Errorf("export recording %s: %w", r.ID, err)
			}
		}
	}

	out, err := writeObject(rec, order)
	if err == nil && len(r.Raw) > 0 && !bytes.HasSuffix(r.Raw, []byte("\n")) {
		out = bytes.TrimSuffix(out, []byte("\n")) // the file had no newline at its end: keep it so
	}
	if err != nil {
		return fmt.Errorf("export recording %s: %w", r.ID, err)
	}
	if err := ValidateVideo(out); err != nil {
		return fmt.Errorf("export recording %s: %w", r.ID, err)
	}
	_, err = w.Write(out)
	return err
}

func marshal(v any) (json.RawMessage, error) { return pyMarshal(v) }

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return uniq(s)
}

// uniq drops repeated strings, keeping the first of each (pyvideo wants
// unique speakers).
func uniq(s []string) []string {
	out := make([]string, 0, len(s))
	seen := make(map[string]bool, len(s))
	for _, v := range s {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}

// addRelated appends link to related_urls unless it is there already.
func addRelated(rec map[string]json.RawMessage, link string) error {
	var list []json.RawMessage
	if raw, ok := rec["related_urls"]; ok && !isNull(raw) {
		if err := json.Unmarshal(raw, &list); err != nil {
			return errors.New("related_urls: want a list")
		}
	}
	for _, item := range list {
		var s string
		if json.Unmarshal(item, &s) == nil && s == link {
			return nil
		}
		var o struct {
			URL string `json:"url"`
		}
		if json.Unmarshal(item, &o) == nil && o.URL == link {
			return nil
		}
	}
	b, err := marshal(map[string]string{"label": "Talk", "url": link})
	if err != nil {
		return err
	}
	list = append(list, b)
	out, err := marshal(list)
	if err != nil {
		return err
	}
	rec["related_urls"] = out
	return nil
}

// ValidateVideo checks that raw has the shape pyvideo's video schema asks
// for: an object with title, speakers, description, recorded and at least
// one of videos (each with a type and a url), and with the types the schema
// gives its known fields. It returns an error naming the first field that
// breaks it.
func ValidateVideo(raw []byte) error {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil || m == nil {
		return errors.New("not a JSON object")
	}
	for _, key := range []string{"description", "speakers", "recorded", "title", "videos"} {
		if _, ok := m[key]; !ok {
			return fmt.Errorf("required field %q missing", key)
		}
	}
	var title string
	if err := json.Unmarshal(m["title"], &title); err != nil || isNull(m["title"]) {
		return errors.New("title: want a string")
	}
	for _, key := range []string{"description", "summary", "thumbnail_url", "language", "copyright_text",
		"quality_notes", "slug", "alias", "category", "recorded"} {
		if raw, ok := m[key]; ok && !isNull(raw) {
			if _, err := asString(raw); err != nil {
				return fmt.Errorf("%s: want a string or null", key)
			}
		}
	}
	if raw := m["recorded"]; !isNull(raw) {
		s, _ := asString(raw)
		if !recordedShape(s) {
			return fmt.Errorf("recorded: %q is not YYYY-MM-DD[Thh:mm:ss[±hh:mm]]", s)
		}
	}
	for _, key := range []string{"duration", "id"} {
		if raw, ok := m[key]; ok && !isNull(raw) {
			var n int64
			if err := json.Unmarshal(raw, &n); err != nil {
				return fmt.Errorf("%s: want an integer or null", key)
			}
		}
	}
	for _, key := range []string{"speakers", "tags"} {
		raw, ok := m[key]
		if !ok {
			continue
		}
		var list []string
		if err := json.Unmarshal(raw, &list); err != nil || isNull(raw) {
			return fmt.Errorf("%s: want a list of strings", key)
		}
		seen := make(map[string]bool)
		for _, s := range list {
			if seen[s] {
				return fmt.Errorf("%s: %q appears twice", key, s)
			}
			if key == "tags" && s == "" {
				return errors.New("tags: empty tag")
			}
			seen[s] = true
		}
	}
	var videos []map[string]json.RawMessage
	if err := json.Unmarshal(m["videos"], &videos); err != nil || len(videos) == 0 {
		return errors.New("videos: want a list of at least one {type, url} object")
	}
	for i, v := range videos {
		for _, key := range []string{"type", "url"} {
			var s string
			if err := json.Unmarshal(v[key], &s); err != nil || isNull(v[key]) {
				return fmt.Errorf("videos[%d].%s: want a string", i, key)
			}
		}
	}
	if raw, ok := m["related_urls"]; ok {
		var list []json.RawMessage
		if err := json.Unmarshal(raw, &list); err != nil || isNull(raw) {
			return errors.New("related_urls: want a list")
		}
		for i, item := range list {
			if _, err := asString(item); err == nil && !isNull(item) {
				continue
			}
			var o map[string]json.RawMessage
			if json.Unmarshal(item, &o) != nil || o == nil {
				return fmt.Errorf("related_urls[%d]: want a URL or a {label, url} object", i)
			}
			for _, key := range []string{"label", "url"} {
				var s string
				if err := json.Unmarshal(o[key], &s); err != nil || isNull(o[key]) {
					return fmt.Errorf("related_urls[%d].%s: want a string", i, key)
				}
			}
		}
	}
	return nil
}

// recordedShape reports whether s has pyvideo's form for recorded:
// YYYY-MM-DD, optionally followed by Thh:mm:ss and an offset ±hh:mm.
func recordedShape(s string) bool {
	const digits = "0123456789"
	shape := "dddd-dd-dd"
	switch len(s) {
	case len("2006-01-02"):
	case len("2006-01-02T15:04:05"):
		shape += "Tdd:dd:dd"
	case len("2006-01-02T15:04:05+07:00"):
		shape += "Tdd:dd:dd?dd:dd"
	default:
		return false
	}
	for i := 0; i < len(s); i++ {
		switch shape[i] {
		case 'd':
			if !strings.ContainsRune(digits, rune(s[i])) {
				return false
			}
		case '?':
			if s[i] != '+' && s[i] != '-' {
				return false
			}
		default:
			if s[i] != shape[i] {
				return false
			}
		}
	}
	return true
}
