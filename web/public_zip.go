package web

import (
	"archive/zip"
	"bytes"
	"cmp"
	"context"
	"fmt"
	"io"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/confmedia/confmedia/catalog"
	"github.com/confmedia/confmedia/pipeline/exif"
	"github.com/confmedia/confmedia/pipeline/rendition"
)

// originalQuality is the JPEG quality of a stripped original: high, since
// it stands in for the photographer's file.
const originalQuality = 92

// attachment is a Content-Disposition header that saves the response as
// name; names outside ASCII are encoded as RFC 2231 prescribes.
func attachment(name string) string {
	if v := mime.FormatMediaType("attachment", map[string]string{"filename": name}); v != "" {
		return v
	}
	return "attachment"
}

// handleDownload serves /download/{media}/{rendition}: one public rendition
// of a published media item, streamed from the bucket and named after its
// speaker or talk. The rendition "original" is a headshot's original
// re-rendered at full size without its metadata (no GPS, no camera serial);
// it exists only when the organizers allow originals. Anything not
// published is 404.
func (s *Server) handleDownload(w http.ResponseWriter, r *http.Request) {
	const op = "web.download"
	ctx := r.Context()
	id, name := r.PathValue("media"), r.PathValue("rendition")
	idx, err := s.publicIndex(ctx)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	doc := idx.Doc
	i := slices.IndexFunc(doc.Media, func(m catalog.DocMedia) bool { return m.ID == id })
	if i < 0 {
		s.notFound(w, r, op, "no published picture %s", id)
		return
	}
	dm := doc.Media[i]
	// The public view may be a moment old: the item's stored status has
	// the last word on whether anything of it is served.
	m, err := s.Store.Media(ctx, id)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	if !m.Status.Public() {
		s.notFound(w, r, op, "no published picture %s", id)
		return
	}
	filename := downloadName(doc, dm, name)
	if name == originalRendition {
		if !s.AllowOriginals || dm.Kind != catalog.Headshot {
			s.notFound(w, r, op, "originals are not offered for download")
			return
		}
		s.serveOriginal(w, r, id, filename)
		return
	}
	if _, ok := dm.Renditions[name]; !ok {
		s.notFound(w, r, op, "picture %s has no %q size", id, name)
		return
	}
	rd, ok := m.Rendition(name)
	if !ok {
		s.notFound(w, r, op, "picture %s has no %q size", id, name)
		return
	}
	rc, info, err := s.Blobs.Get(ctx, rd.Key)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	defer rc.Close()
	w.Header().Set("Content-Type", "image/jpeg")
	w.Header().Set("Content-Disposition", attachment(filename))
	w.Header().Set("Cache-Control", "public, max-age=3600")
	if info.Size > 0 {
		w.Header().Set("Content-Length", strconv.FormatInt(info.Size, 10))
	}
	if _, err := io.Copy(w, rc); err != nil {
		s.Logger.Warn("download interrupted", "media", id, "rendition", name, "err", err)
	}
}

// serveOriginal renders and sends the stripped original of media item id.
func (s *Server) serveOriginal(w http.ResponseWriter, r *http.Request, id, filename string) {
	m, err := s.Store.Media(r.Context(), id)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	data, err := s.strippedOriginal(r.Context(), m)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "image/jpeg")
	w.Header().Set("Content-Disposition", attachment(filename))
	w.Header().Set("Cache-Control", "private, max-age=3600")
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	if _, err := w.Write(data); err != nil {
		s.Logger.Warn("download interrupted", "media", id, "rendition", originalRendition, "err", err)
	}
}

// strippedOriginal reads the original of m from the bucket and renders it
// again at its own size, upright, keeping only Artist, Copyright and the
// colour profile: GPS, serial numbers and every other tag are gone.
//
// Errors: NotFound when the original is missing from the bucket; TooLarge
// when it is over s.MaxBytes or s.MaxPixels; Invalid when it cannot be
// decoded; the bucket's errors otherwise.
func (s *Server) strippedOriginal(ctx context.Context, m *catalog.Media) ([]byte, error) {
	const op = "web.strippedOriginal"
	// Full-size renders are the most expensive thing a public request can
	// ask for: a couple at a time, the rest wait (or give up with their
	// request).
	select {
	case s.originalSlots <- struct{}{}:
		defer func() { <-s.originalSlots }()
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	rc, info, err := s.Blobs.Get(ctx, m.OriginalKey)
	if catalog.IsNotFound(err) {
		return nil, catalog.E(catalog.NotFound, op, nil, "%s: the original is not available", m.SourceName)
	}
	if err != nil {
		return nil, fmt.Errorf("original of %s: %w", m.SourceName, err)
	}
	defer rc.Close()
	limit := s.MaxBytes
	if limit <= 0 {
		limit = max(info.Size, m.Bytes)
	}
	data, err := io.ReadAll(io.LimitReader(rc, limit+1))
	if err != nil {
		return nil, catalog.E(catalog.Unavailable, op, err, "%s: reading the original failed", m.SourceName)
	}
	if int64(len(data)) > limit {
		return nil, catalog.E(catalog.TooLarge, op, nil, "%s: the original is over %d bytes", m.SourceName, limit)
	}
	_, width, height, err := rendition.CheckConfig(bytes.NewReader(data), s.MaxPixels)
	if err != nil {
		return nil, catalog.E(catalog.ErrorKind(err), op, err, "%s", m.SourceName)
	}
	md, err := exif.Read(data)
	if err != nil {
		return nil, catalog.E(catalog.Invalid, op, err, "%s", m.SourceName)
	}
	res, err := rendition.Render(ctx, data, rendition.Options{
		Specs:       []rendition.Spec{{Name: originalRendition, Size: max(width, height)}},
		Quality:     originalQuality,
		MaxPixels:   s.MaxPixels,
		Orientation: md.Orientation,
		Artist:      m.Artist,
		Copyright:   m.Copyright,
	})
	if err != nil {
		return nil, catalog.E(catalog.ErrorKind(err), op, err, "%s", m.SourceName)
	}
	return res.Renditions[0].Data, nil
}

// zipEntry is one file of a photo zip: its name in the archive and the
// blob it is copied from.
type zipEntry struct {
	Name     string
	Key      string
	Modified time.Time
}

// zipTime dates a photo's zip entry with its local capture time: the time
// it was taken as the catalog has it, in the venue's zone (zip entries carry
// a wall-clock date). A photo with no capture time a zip date can hold
// (1980 on) is dated by its talk's start, else by its upload in the venue's
// zone, never with the zip format's zero "1980-00-00".
func zipTime(p catalog.DocMedia, m *catalog.Media, t catalog.DocTalk) time.Time {
	dosEpoch := time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)
	ok := func(tm time.Time) bool { return !tm.IsZero() && !tm.Before(dosEpoch) }
	if taken, found := docTime(p.TakenAt); found && ok(taken) {
		return taken
	}
	start, found := docTime(t.Start)
	if found && ok(start) {
		return start
	}
	for _, tm := range []time.Time{m.UploadedAt, m.ProcessedAt} {
		if ok(tm) {
			if found {
				return tm.In(start.Location())
			}
			return tm
		}
	}
	return dosEpoch
}

// zipRendition is the rendition photo zips hold.
const zipRendition = "large"

// photoEntries lists the zip entries of a talk's photos, named after the
// talk and numbered from 1. Photos without a large rendition, and those in
// seen, are left out; the photos listed are added to seen.
func (s *Server) photoEntries(ctx context.Context, t catalog.DocTalk, photos []catalog.DocMedia, seen map[string]bool) ([]zipEntry, error) {
	var out []zipEntry
	prefix := talkSlug(t)
	for _, p := range photos {
		if seen[p.ID] || !slices.Contains(t.PhotoIDs, p.ID) {
			continue
		}
		if _, ok := p.Renditions[zipRendition]; !ok {
			continue
		}
		m, err := s.Store.Media(ctx, p.ID)
		if catalog.IsNotFound(err) {
			continue // removed meanwhile
		}
		if err != nil {
			return nil, err
		}
		rd, ok := m.Rendition(zipRendition)
		if !ok {
			continue
		}
		seen[p.ID] = true
		e := zipEntry{Name: fmt.Sprintf("%s-%03d.jpg", prefix, len(out)+1), Key: rd.Key, Modified: zipTime(p, m, t)}
		out = append(out, e)
	}
	return out, nil
}

// handleTalkZip serves /talks/{id}/photos.zip: the large rendition of every
// published photo of the talk. A talk without photos is 404.
func (s *Server) handleTalkZip(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	idx, err := s.openIndex(r.Context())
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	p, ok := idx.TalkPage(id)
	if !ok {
		s.notFound(w, r, "web.talkZip", "no talk %q", id)
		return
	}
	entries, err := s.photoEntries(r.Context(), p.Talk, p.Photos, map[string]bool{})
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	if len(entries) == 0 {
		s.notFound(w, r, "web.talkZip", "talk %q has no published photos yet", id)
		return
	}
	s.streamZip(w, r, talkSlug(p.Talk)+"-photos.zip", entries)
}

// handleSpeakerZip serves /speakers/{id}/photos.zip: the large rendition of
// every published photo of the speaker's talks (those tagged with other
// speakers of a shared talk left out), each once. A speaker without photos
// is 404.
func (s *Server) handleSpeakerZip(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	idx, err := s.publicIndex(r.Context())
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	p, ok := idx.SpeakerPage(id)
	if !ok {
		s.notFound(w, r, "web.speakerZip", "no speaker %q", id)
		return
	}
	var entries []zipEntry
	seen := map[string]bool{}
	for _, t := range p.Talks {
		es, err := s.photoEntries(r.Context(), t, p.Photos, seen)
		if err != nil {
			s.pageError(w, r, err)
			return
		}
		entries = append(entries, es...)
	}
	if len(entries) == 0 {
		s.notFound(w, r, "web.speakerZip", "speaker %q has no published photos yet", id)
		return
	}
	name := cmp.Or(slug(p.Speaker.Name), slug(p.Speaker.ID), "speaker") + "-photos.zip"
	s.streamZip(w, r, name, entries)
}

// streamZip writes entries as a zip named filename, each blob copied from
// the bucket straight into the archive, stored uncompressed (JPEGs do not
// compress): nothing but one copy buffer is held in memory. A blob that
// cannot be opened before anything was sent gives an error page; a failure
// once the archive is under way aborts the response, so that the client
// sees a broken download rather than a zip with files missing.
func (s *Server) streamZip(w http.ResponseWriter, r *http.Request, filename string, entries []zipEntry) {
	ctx := r.Context()
	abort := func(msg string, err error) {
		s.Logger.Warn(msg, "path", r.URL.Path, "err", err)
		panic(http.ErrAbortHandler)
	}
	zw := zip.NewWriter(w)
	for i, e := range entries {
		rc, _, err := s.Blobs.Get(ctx, e.Key)
		if err != nil && i == 0 {
			s.pageError(w, r, err)
			return
		}
		if err != nil {
			abort("zip: open blob", fmt.Errorf("%s: %w", e.Key, err))
		}
		if i == 0 {
			w.Header().Set("Content-Type", "application/zip")
			w.Header().Set("Content-Disposition", attachment(filename))
			w.Header().Set("Cache-Control", "no-cache")
		}
		h := &zip.FileHeader{Name: e.Name, Method: zip.Store, Modified: e.Modified}
		f, err := zw.CreateHeader(h)
		if err == nil {
			_, err = io.Copy(f, rc)
		}
		rc.Close()
		if err != nil {
			abort("zip: copy blob", fmt.Errorf("%s: %w", e.Key, err))
		}
	}
	if err := zw.Close(); err != nil {
		abort("zip: finish", err)
	}
}
