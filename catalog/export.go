package catalog

import (
	"bufio"
	"context"
	"encoding/json"
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
// builds it (and WithoutSpeakerPages when o says so), encoding the media
// one item at a time as the store yields them (WalkMedia): its memory does
// not grow with the items' renditions and metadata, only with the ids the
// talks and speakers list. The media come first in the object, then the
// talks and speakers that name them, so that one walk of the store serves
// both. An error after the first byte leaves w with an incomplete
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
		dm, ok := b.media(m)
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
	b.finish(&doc, recs)
	if o.WithoutSpeakerPages {
		doc = WithoutSpeakerPages(doc)
	}
	if err := field(false, "talks", doc.Talks); err != nil {
		return err
	}
	if err := field(false, "speakers", doc.Speakers); err != nil {
		return err
	}
	if err := field(false, "unmatched_recordings", doc.UnmatchedRecordings); err != nil {
		return err
	}
	bw.WriteString("\n}\n")
	return bw.Flush()
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
