// Package recording reads the metadata of conference recordings: pyvideo
// video JSON (one videos/*.json object, or an array of them) and CSV.
//
// The package is pure: it takes bytes and never reads the clock.
package recording

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"path"
	"strings"
	"time"

	"github.com/confmedia/confmedia/catalog"
	"github.com/confmedia/confmedia/pipeline/internal/nesting"
)

const op = "recording.Parse"

// The formats Sniff names.
const (
	FormatPyvideo      = "pyvideo-json"       // one pyvideo video object
	FormatPyvideoArray = "pyvideo-json-array" // a JSON array of them
	FormatCSV          = "csv"
)

// Limits on a recordings file, checked before anything is built from it. A
// pyvideo video record is a few kilobytes nesting 3 levels deep; a whole
// conference's records in one array or CSV stay well under a megabyte.
const (
	MaxBytes = 16 << 20 // 16 MiB
	MaxDepth = 64       // JSON objects and arrays inside one another
)

// Parse reads recording metadata: one pyvideo video JSON object (a
// videos/*.json file), a JSON array of them, or CSV; the format is sniffed
// from the content (see Sniff). name is the file name: it is used in errors,
// and its base name without ".json" is the SourceID of a single pyvideo
// record.
//
// A recording's ID is the record's own "id" when it has one, else "url-"
// and the first 16 hex digits of the SHA-256 of its URL. Its URL is the
// first video's, or, when there are several, the first YouTube, else Vimeo,
// else MP4 one. Recordings come back in file order, with State pending.
//
// Every error is a catalog.Invalid *catalog.Error whose message names the
// file, the record (pyvideo) or line (CSV) and the reason: a syntax error, a
// record with no video URL, a bad date, time or duration, a duplicate id, or
// a file with no record, a JSON value nested deeper than MaxDepth — except a
// file over MaxBytes, which is a catalog.TooLarge error. Nothing is returned
// with an error.
func Parse(name string, data []byte) ([]catalog.Recording, error) {
	if err := checkLimits(data); err != nil {
		return nil, catalog.E(catalog.ErrorKind(err), op, err, "%s", name)
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	format, err := sniff(data)
	if err != nil {
		return nil, catalog.E(catalog.Invalid, op, err, "%s", name)
	}
	var items []item
	switch format {
	case FormatPyvideo, FormatPyvideoArray:
		items, err = readPyvideo(name, data)
	case FormatCSV:
		items, err = readCSV(name, data)
	}
	if err != nil {
		return nil, err
	}
	if len(items) == 0 {
		return nil, catalog.E(catalog.Invalid, op, nil, "%s: no recordings in the file", name)
	}
	seen := make(map[string]string, len(items))
	recs := make([]catalog.Recording, len(items))
	for i, it := range items {
		if first, dup := seen[it.rec.ID]; dup {
			return nil, failf(name, it.where, "duplicate recording id %q (first at %s)", it.rec.ID, first)
		}
		seen[it.rec.ID] = it.where
		recs[i] = it.rec
		recs[i].State = catalog.RecordingPending
	}
	return recs, nil
}

// item is one parsed record and its place in the file, for errors.
type item struct {
	rec   catalog.Recording
	where string
}

// failf builds the error for a bad place in file name.
func failf(name, where, format string, args ...any) error {
	return wrapf(nil, name, where, format, args...)
}

// wrapf is failf with the underlying cause wrapped (for errors.As); the
// user-facing message is the formatted text alone.
func wrapf(cause error, name, where, format string, args ...any) error {
	return catalog.E(catalog.Invalid, op, cause, "%s: %s: %s", name, where, fmt.Sprintf(format, args...))
}

// Sniff names the format of recording metadata: FormatPyvideo,
// FormatPyvideoArray or FormatCSV. It returns a catalog.Invalid error for
// empty content, content that is none of them or JSON nested deeper than
// MaxDepth, and a catalog.TooLarge error for content over MaxBytes.
func Sniff(data []byte) (string, error) {
	if err := checkLimits(data); err != nil {
		return "", err
	}
	return sniff(data)
}

// checkLimits refuses data over MaxBytes, or JSON nesting deeper than
// MaxDepth, before any parser builds values from it.
func checkLimits(data []byte) error {
	const op = "recording.Sniff"
	if len(data) > MaxBytes {
		return catalog.E(catalog.TooLarge, op, nil, "the file is %d bytes, over the %d MiB limit for recording metadata", len(data), MaxBytes>>20)
	}
	b := bytes.TrimLeft(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")), " \t\r\n")
	if len(b) > 0 && (b[0] == '{' || b[0] == '[') {
		if off, over := nesting.JSON(data, MaxDepth); over {
			line := 1 + bytes.Count(data[:off], []byte{'\n'})
			return catalog.E(catalog.Invalid, op, nil, "line %d: JSON nested more than %d levels deep", line, MaxDepth)
		}
	}
	return nil
}

func sniff(data []byte) (string, error) {
	b := bytes.TrimLeft(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")), " \t\r\n")
	if len(b) == 0 {
		return "", catalog.E(catalog.Invalid, "recording.Sniff", nil, "the file is empty")
	}
	switch b[0] {
	case '{':
		return FormatPyvideo, nil
	case '[':
		return FormatPyvideoArray, nil
	}
	first, _, _ := bytes.Cut(b, []byte{'\n'})
	if bytes.ContainsAny(first, ",\t") && !bytes.ContainsAny(first, "<>{}") {
		return FormatCSV, nil
	}
	return "", catalog.E(catalog.Invalid, "recording.Sniff", nil,
		"not recording metadata: want pyvideo video JSON or CSV with a header row naming title and url")
}

// DerivedID is the id of a recording that has none of its own: "url-" and
// the first 16 hex digits of the SHA-256 of its URL.
func DerivedID(url string) string {
	sum := sha256.Sum256([]byte(url))
	return "url-" + hex.EncodeToString(sum[:8])
}

// sourceBase is the base name of a file without its .json or .csv suffix.
func sourceBase(name string) string {
	base := path.Base(strings.ReplaceAll(name, "\\", "/"))
	for _, ext := range []string{".json", ".JSON", ".csv", ".CSV"} {
		base = strings.TrimSuffix(base, ext)
	}
	return base
}

// checkDate reads a calendar date "YYYY-MM-DD".
func checkDate(s string) error {
	if _, err := time.Parse("2006-01-02", s); err != nil {
		return fmt.Errorf("bad date %q: want YYYY-MM-DD", s)
	}
	return nil
}
