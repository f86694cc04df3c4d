package catalog

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"time"
)

// ExportStore is what a streamed export reads of the catalog.
type ExportStore interface {
	Schedule(ctx context.Context) (Schedule, error)
	WalkMedia(ctx context.Context, f MediaFilter, fn func(*Media) error) error
	ListRecordings(ctx context.Context) ([]*Recording, error)
}

// ExportOptions are BuildDocument's DocumentInput without the catalog.
type ExportOptions struct {
	Now    time.Time
	URL    func(key string) string
	Public bool
	// WithoutSpeakerPages writes the document as WithoutSpeakerPages
	// returns it.
	WithoutSpeakerPages bool
}

// WriteDocument writes the catalog document of s to w as BuildDocument
// builds it (and WithoutSpeakerPages when o says so), holding no more than
// one media item at a time: its memory does not grow with the items. The
// media come first in the object, encoded one at a time as the store
// yields them (WalkMedia); then the talks and speakers, each talk's photo
// ids and each speaker's headshot ids read by a walk of that talk's or
// speaker's tagged items (MediaFilter.TalkID, SpeakerID) and written as
// they come. The walks are separate reads of the store: an item tagged or
// untagged while the export runs can be listed under a talk and not among
// the media, or the other way round, as a document read a moment later
// would show it. An error after the first byte leaves w with an incomplete
// document, which no JSON reader accepts.
func WriteDocument(ctx context.Context, w io.Writer, s ExportStore, o ExportOptions) error {
	sched, err := s.Schedule(ctx)
	if err != nil {
		return err
	}
	recs, err := s.ListRecordings(ctx)
	if err != nil {
		return err
	}
	b := newDocBuilder(DocumentInput{Schedule: sched, Now: o.Now, URL: o.URL, Public: o.Public})
	doc := b.head()
	bw := bufio.NewWriterSize(w, 64<<10)
	field := func(first bool, name string, v any) error {
		sep := ",\n  "
		if first {
			sep = "{\n  "
		}
		bw.WriteString(sep + `"` + name + `": `)
		return encodeIndented(bw, v, "  ")
	}
	if err := field(true, "format_version", doc.FormatVersion); err != nil {
		return err
	}
	if err := field(false, "conference", doc.Conference); err != nil {
		return err
	}
	if err := field(false, "generated_at", doc.GeneratedAt); err != nil {
		return err
	}
	bw.WriteString(",\n  \"media\": [")
	n := 0
	err = s.WalkMedia(ctx, MediaFilter{}, func(m *Media) error {
		dm, ok := b.docMedia(m)
		if !ok || o.WithoutSpeakerPages && dm.Kind == Headshot {
			return nil
		}
		if n > 0 {
			bw.WriteByte(',')
		}
		n++
		bw.WriteString("\n    ")
		return encodeIndented(bw, dm, "    ")
	})
	if err != nil {
		return err
	}
	if n > 0 {
		bw.WriteString("\n  ")
	}
	bw.WriteString("]")
	// The talks and speakers without their media ids, which the walks
	// below write.
	b.finish(&doc, recs)
	if o.WithoutSpeakerPages {
		doc = WithoutSpeakerPages(doc)
	}
	tagged := []Status{Tagged}
	bw.WriteString(",\n  \"talks\": [")
	for i, t := range doc.Talks {
		if i > 0 {
			bw.WriteByte(',')
		}
		bw.WriteString("\n    ")
		err := writeWithIDs(bw, t, t, "photo_ids", func(yield func(string)) error {
			return s.WalkMedia(ctx, MediaFilter{TalkID: t.ID, Kind: Photo, Status: tagged}, func(m *Media) error {
				yield(m.ID)
				return nil
			})
		})
		if err != nil {
			return err
		}
	}
	if len(doc.Talks) > 0 {
		bw.WriteString("\n  ")
	}
	bw.WriteString("]")
	bw.WriteString(",\n  \"speakers\": [")
	for i, sp := range doc.Speakers {
		if i > 0 {
			bw.WriteByte(',')
		}
		bw.WriteString("\n    ")
		if o.WithoutSpeakerPages {
			if err := encodeIndented(bw, sp, "    "); err != nil {
				return err
			}
			continue
		}
		// The schedule's avatar stands only for a speaker without a
		// headshot (finish gave every speaker theirs: it saw none).
		withHeadshots := sp
		withHeadshots.AvatarURL = ""
		err := writeWithIDs(bw, sp, withHeadshots, "headshot_ids", func(yield func(string)) error {
			return s.WalkMedia(ctx, MediaFilter{SpeakerID: sp.ID, Kind: Headshot, Status: tagged}, func(m *Media) error {
				yield(m.ID)
				return nil
			})
		})
		if err != nil {
			return err
		}
	}
	if len(doc.Speakers) > 0 {
		bw.WriteString("\n  ")
	}
	bw.WriteString("]")
	if err := field(false, "unmatched_recordings", doc.UnmatchedRecordings); err != nil {
		return err
	}
	bw.WriteString("\n}\n")
	return bw.Flush()
}

// writeWithIDs writes an element of a top-level list of the document as
// encodeIndented does: none when walk yields no id, else some, with the
// ids walk yields in its list key, which is empty in both. none and some
// must encode alike up to the end of that list.
func writeWithIDs(w *bufio.Writer, none, some any, key string, walk func(yield func(id string)) error) error {
	noneJSON, err := json.MarshalIndent(none, "    ", "  ")
	if err != nil {
		return err
	}
	open := []byte(`"` + key + `": [`)
	// A quote inside a string is escaped, so the key is found only as
	// the key.
	i := bytes.Index(noneJSON, open)
	if i < 0 || !bytes.HasPrefix(noneJSON[i+len(open):], []byte("]")) {
		return fmt.Errorf("catalog: %s is not an empty list in %s", key, noneJSON)
	}
	indent := noneJSON[bytes.LastIndexByte(noneJSON[:i], '\n')+1 : i]
	w.Write(noneJSON[:i+len(open)])
	n := 0
	err = walk(func(id string) {
		if n > 0 {
			w.WriteByte(',')
		}
		n++
		w.WriteByte('\n')
		w.Write(indent)
		w.WriteString("  ")
		q, _ := json.Marshal(id) // a string always encodes
		w.Write(q)
	})
	if err != nil {
		return err
	}
	if n == 0 {
		_, err := w.Write(noneJSON[i+len(open):])
		return err
	}
	someJSON, err := json.MarshalIndent(some, "    ", "  ")
	if err != nil {
		return err
	}
	j := bytes.Index(someJSON, open)
	if j < 0 || !bytes.Equal(someJSON[:j], noneJSON[:i]) {
		return fmt.Errorf("catalog: %s does not start as %s", someJSON, noneJSON[:i])
	}
	w.WriteByte('\n')
	w.Write(indent)
	_, err = w.Write(someJSON[j+len(open):])
	return err
}

// encodeIndented writes v as indented JSON, every line after the first
// prefixed, with no trailing newline.
func encodeIndented(w *bufio.Writer, v any, prefix string) error {
	b, err := json.MarshalIndent(v, prefix, "  ")
	if err != nil {
		return err
	}
	_, err = w.Write(b)
	return err
}
