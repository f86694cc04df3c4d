package web

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"strings"

	"github.com/confmedia/confmedia/catalog"
	"github.com/confmedia/confmedia/pipeline/recording"
	"github.com/confmedia/confmedia/pipeline/schedule"
	"github.com/confmedia/confmedia/web/api"
)

// readImport reads an imported file of at most limit bytes (the parser's
// MaxBytes), refusing a longer body without reading past the limit.
func readImport(r *http.Request, limit int) (name string, data []byte, err error) {
	name = filepath.Base(r.URL.Query().Get("name"))
	if name == "." || name == "/" {
		name = "upload"
	}
	if r.ContentLength > int64(limit) {
		return name, nil, catalog.E(catalog.TooLarge, "web.readImport", nil, "%s: %d bytes, over the %d MiB limit", name, r.ContentLength, limit>>20)
	}
	data, err = io.ReadAll(io.LimitReader(r.Body, int64(limit)+1))
	if err != nil {
		return name, nil, catalog.E(catalog.Invalid, "web.readImport", err, "%s: upload interrupted", name)
	}
	if len(data) > limit {
		return name, nil, catalog.E(catalog.TooLarge, "web.readImport", nil, "%s: over the %d MiB limit", name, limit>>20)
	}
	return name, data, nil
}

// ScheduleImportResponse is api.ScheduleImportResponse.
type ScheduleImportResponse = api.ScheduleImportResponse

func (s *Server) handleScheduleImport(w http.ResponseWriter, r *http.Request) {
	name, data, err := readImport(r, schedule.MaxBytes)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	q := r.URL.Query()
	resp, err := s.imports().ImportScheduleWith(r.Context(), name, data, api.ScheduleImport{
		Timezone: q.Get("timezone"), Title: q.Get("title"), DryRun: q.Get("dry_run") == "true", Replace: q.Get("replace") == "true"})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, resp)
}

// RecordingsImportResponse is api.RecordingsImportResponse.
type RecordingsImportResponse = api.RecordingsImportResponse

func (s *Server) handleRecordingsImport(w http.ResponseWriter, r *http.Request) {
	name, data, err := readImport(r, recording.MaxBytes)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	resp, err := s.imports().ImportRecordingsOf(r.Context(), name, data, r.URL.Query().Get("category"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, resp)
}

func (s *Server) handleMedia(w http.ResponseWriter, r *http.Request) {
	m, err := s.Store.Media(r.Context(), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, m)
}

// Document builds the catalog document: the organizers' view, or with
// public the published one.
func (s *Server) Document(ctx context.Context, public bool) (catalog.Document, error) {
	sched, err := s.Store.Schedule(ctx)
	if err != nil {
		return catalog.Document{}, err
	}
	media, err := s.Store.ListMedia(ctx, catalog.MediaFilter{})
	if err != nil {
		return catalog.Document{}, err
	}
	recs, err := s.Store.ListRecordings(ctx)
	if err != nil {
		return catalog.Document{}, err
	}
	return catalog.BuildDocument(catalog.DocumentInput{
		Schedule: sched, Media: media, Recordings: recs, Now: s.now(), URL: s.docURL, Public: public,
	}), nil
}

// BlobURL returns the absolute URL a browser GETs for a public blob key:
// under S3PublicURL when the bucket is served directly, else the web app's
// own /public/ route, which serves the same keys from the bucket.
func (s *Server) BlobURL(key string) string {
	return PublicBlobURL(s.PublicURL, s.S3PublicURL)(key)
}

// PublicBlobURL returns the function that turns a public blob key into the
// URL a browser GETs: under s3PublicURL when the bucket is served
// directly, else under the web app's publicURL (its /public/ route).
func PublicBlobURL(publicURL, s3PublicURL string) func(key string) string {
	base := publicURL
	if s3PublicURL != "" {
		base = s3PublicURL
	}
	base = strings.TrimRight(base, "/") + "/"
	return func(key string) string { return base + key }
}

// handleCatalog streams the catalog document (catalog.WriteDocument): its
// memory does not grow with the media. An error after the first byte
// aborts the response, so that no client takes a partial document.
func (s *Server) handleCatalog(w http.ResponseWriter, r *http.Request) {
	public := r.URL.Query().Get("public") == "1"
	cw := &countingWriter{w: w, header: func() {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
	}}
	err := s.ExportCatalog(r.Context(), cw, public)
	switch {
	case err != nil && !cw.begun:
		s.writeError(w, r, err)
	case err != nil:
		panic(http.ErrAbortHandler)
	}
}

// ExportCatalog writes the catalog document to w as it reads the store:
// the organizers' view, or with public the published one (speakers by name
// and id only with PrivateSpeakers).
func (s *Server) ExportCatalog(ctx context.Context, w io.Writer, public bool) error {
	return catalog.WriteDocument(ctx, w, s.Store, catalog.ExportOptions{
		Now: s.now(), URL: s.docURL, Public: public, WithoutSpeakerPages: public && s.PrivateSpeakers,
	})
}

// countingWriter calls header before its first write and counts the bytes.
type countingWriter struct {
	w      io.Writer
	header func()
	n      int64
	begun  bool
}

func (c *countingWriter) Write(p []byte) (int, error) {
	if !c.begun {
		c.begun = true
		c.header()
	}
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// PublishResponse is api.PublishResponse.
type PublishResponse = api.PublishResponse

func (s *Server) handlePublish(w http.ResponseWriter, r *http.Request) {
	resp, err := s.Publish(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, resp)
}

func (s *Server) handleForgetFaces(w http.ResponseWriter, r *http.Request) {
	resp, err := s.ForgetFaces(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, resp)
}

// Publish writes the public catalog document to the bucket as catalog.json,
// with one JSON document per talk and per speaker beside it
// (catalog.Publisher).
func (s *Server) Publish(ctx context.Context) (PublishResponse, error) {
	res, err := s.publisher().Publish(ctx)
	return PublishResponse{
		Objects: res.Objects, Bytes: res.Bytes, CatalogURL: s.BlobURL(catalog.CatalogKey),
		Talks: res.Talks, Speakers: res.Speakers, Media: res.Media, Removed: res.Removed,
	}, err
}

// publisher returns the Publisher every publish of s goes through:
// s.Publisher, or one over s.Store and s.Blobs.
func (s *Server) publisher() *catalog.Publisher {
	s.pubOnce.Do(func() {
		s.pub = s.Publisher
		if s.pub == nil {
			s.pub = &catalog.Publisher{Store: s.Store, Blobs: s.Blobs, URL: s.BlobURL, Now: s.now, Logger: s.Logger,
				PrivateSpeakers: s.PrivateSpeakers}
		}
	})
	return s.pub
}

// schedule returns the /api/schedule body and its ETag.
func (v *publicView) schedule() ([]byte, string) {
	v.schedOnce.Do(func() {
		d := v.idx.Doc
		if v.open {
			od := catalog.WithoutSpeakerPages(*d)
			d = &od
		}
		b, err := json.MarshalIndent(struct {
			Conference catalog.DocConference `json:"conference"`
			Talks      []catalog.DocTalk     `json:"talks"`
			Speakers   []catalog.DocSpeaker  `json:"speakers"`
		}{d.Conference, d.Talks, d.Speakers}, "", "  ")
		if err != nil {
			panic(err) // the document is plain data
		}
		sum := sha256.Sum256(b)
		v.sched, v.schedETag = append(b, '\n'), `"`+hex.EncodeToString(sum[:12])+`"`
	})
	return v.sched, v.schedETag
}

func itoa(n int64) string { return catalog.Itoa(n) }
