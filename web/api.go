package web

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/confmedia/confmedia/catalog"
	"github.com/confmedia/confmedia/pipeline/recording"
	"github.com/confmedia/confmedia/pipeline/schedule"
	"github.com/confmedia/confmedia/web/api"
	"golang.org/x/sync/singleflight"
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
	ctx := r.Context()
	name, data, err := readImport(r, schedule.MaxBytes)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	q := r.URL.Query()
	format, err := schedule.Sniff(data)
	if err != nil {
		s.writeError(w, r, catalog.E(catalog.Invalid, "web.scheduleImport", err, "%s", name))
		return
	}
	sched, err := schedule.Parse(name, data, q.Get("timezone"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := sched.CheckURLs(); err != nil {
		s.writeError(w, r, catalog.E(catalog.Invalid, "web.scheduleImport", err, "%s: nothing imported", name))
		return
	}
	// The conference is the file's: its title, acronym and days. A file
	// that names no title takes the title given, else keeps the current
	// one when it updates this conference's schedule, else is named after
	// the file.
	if sched.Conference.Title == "" {
		sched.Conference.Title = q.Get("title")
	}
	named := sched.Conference.Title != ""
	old, err := s.Store.Schedule(ctx)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if !named {
		sched.Conference.Title = old.Conference.Title
	}
	plan, err := s.planScheduleImport(ctx, old, sched)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if !named && (sched.Conference.Title == "" || len(plan.ReplaceNeeded) > 0) {
		sched.Conference.Title = strings.TrimSuffix(name, filepath.Ext(name))
		plan.Title = sched.Conference.Title
	}
	plan.File, plan.Format = name, format
	if q.Get("dry_run") == "true" {
		plan.DryRun = true
		writeJSON(w, http.StatusOK, plan)
		return
	}
	if len(plan.ReplaceNeeded) > 0 && q.Get("replace") != "true" {
		s.writeError(w, r, catalog.E(catalog.Conflict, "web.scheduleImport", nil,
			"%s: nothing imported: %s; see the changes with a dry run (--dry-run), and import with replace (--replace) to replace the schedule",
			name, strings.Join(plan.ReplaceNeeded, "; ")))
		return
	}
	diff, err := s.Store.ReplaceSchedule(ctx, sched)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	resp := ScheduleImportResponse{
		File: name, Format: format, Title: sched.Conference.Title, Acronym: sched.Conference.Acronym, Timezone: sched.Conference.Timezone,
		Talks: len(sched.Talks), Speakers: len(sched.Speakers), Rooms: rooms(sched),
		Added: len(diff.Added), Changed: len(diff.Changed), Moved: len(diff.Moved), Removed: len(diff.Removed),
		Replaced: len(plan.ReplaceNeeded) > 0, PreviousTitle: plan.PreviousTitle, ReplaceNeeded: plan.ReplaceNeeded,
	}
	if !diff.Empty() {
		if resp.Retagged, err = s.retagAll(ctx); err != nil {
			s.writeError(w, r, err)
			return
		}
	}
	s.Logger.Info("schedule imported", "file", name, "talks", resp.Talks, "added", resp.Added, "changed", resp.Changed, "removed", resp.Removed, "retagged", resp.Retagged)
	writeJSON(w, http.StatusOK, resp)
}

func rooms(s catalog.Schedule) []string {
	seen := map[string]bool{}
	out := []string{}
	for _, t := range s.Talks {
		if !seen[t.Room] {
			seen[t.Room] = true
			out = append(out, t.Room)
		}
	}
	return out
}

// retagAll queues a new tagging generation for every processed media item
// and a new matching generation for every recording, after the schedule
// changed. Tasks are idempotent by generation, and a task for an older
// generation does nothing.
func (s *Server) retagAll(ctx context.Context) (int, error) {
	n, err := s.retag(ctx, catalog.MediaFilter{})
	if err != nil {
		return n, err
	}
	recs, err := s.Store.ListRecordings(ctx)
	if err != nil {
		return n, err
	}
	for _, rec := range recs {
		if rec.Decided {
			continue
		}
		if err := s.rematch(ctx, rec.ID); err != nil {
			return n, err
		}
	}
	return n, nil
}

func (s *Server) rematch(ctx context.Context, id string) error {
	var gen int
	if err := s.Store.UpdateRecording(ctx, id, func(r *catalog.Recording) error {
		r.Generation++
		gen = r.Generation
		return nil
	}); err != nil {
		return err
	}
	return s.Queue.EnqueueRecording(ctx, id, gen)
}

// RecordingsImportResponse is api.RecordingsImportResponse.
type RecordingsImportResponse = api.RecordingsImportResponse

func (s *Server) handleRecordingsImport(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	name, data, err := readImport(r, recording.MaxBytes)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	recs, err := recording.Parse(name, data)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	// The event the archive files the records under (a pyvideo folder's
	// category.json title).
	if ev := strings.TrimSpace(r.URL.Query().Get("category")); ev != "" {
		for i := range recs {
			recs[i].Event = ev
		}
	}
	for i := range recs {
		if err := recs[i].CheckURLs(); err != nil {
			s.writeError(w, r, catalog.E(catalog.Invalid, "web.recordingsImport", err, "%s: record %d: nothing imported", name, i+1))
			return
		}
	}
	resp := RecordingsImportResponse{File: name, Records: len(recs)}
	for i := range recs {
		rec := &recs[i]
		changed, err := s.Store.PutRecording(ctx, rec)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		if !changed {
			resp.Unchanged++
			continue
		}
		resp.Changed++
		stored, err := s.Store.Recording(ctx, rec.ID)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		if err := s.Queue.EnqueueRecording(ctx, stored.ID, stored.Generation); err != nil {
			s.writeError(w, r, err)
			return
		}
	}
	writeJSON(w, http.StatusOK, resp)
}

// QueueResponse is api.QueueResponse.
type QueueResponse = api.QueueResponse

// FailedItem is api.FailedItem.
type FailedItem = api.FailedItem

func (s *Server) handleQueue(w http.ResponseWriter, r *http.Request) {
	resp, err := s.queueState(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, resp)
}

// queueState reads the queues and the catalog. A queue that cannot be read
// is reported in QueueDown, not as an error: the catalog still says what
// is pending and what failed. A photographer's view holds their own
// uploads only (see ownUploadsOnly): no one else's files, failures or
// recordings, so that their `confmedia wait` answers for their work.
func (s *Server) queueState(ctx context.Context) (QueueResponse, error) {
	resp := QueueResponse{Ended: []FailedItem{}}
	st, err := s.Queue.Stats(ctx)
	if err != nil {
		if catalog.ErrorKind(err) != catalog.Unavailable {
			return resp, err
		}
		resp.QueueDown = catalog.ErrorMessage(err)
		st = catalog.QueueStats{}
	}
	if st.Queues == nil {
		st.Queues = []catalog.QueueDepth{}
	}
	if st.Failed == nil {
		st.Failed = []catalog.FailedTask{}
	}
	resp.QueueStats = st
	// The last error of a task the queue gave up on, by the item it was for.
	gaveUp := map[string]string{}
	for _, f := range st.Failed {
		if f.Subject != "" {
			gaveUp[f.Subject] = f.Error
		}
	}
	media, err := s.Store.ListMedia(ctx, catalog.MediaFilter{Status: []catalog.Status{catalog.Pending, catalog.Failed}})
	if err != nil {
		return resp, err
	}
	name, only := ownUploadsOnly(ctx)
	if only {
		resp.QueueStats.Failed = ownFailedTasks(st.Failed, media, name)
	}
	for _, m := range media {
		if only && m.Photographer != name {
			continue
		}
		reason, archived := gaveUp[m.ID]
		switch {
		case m.Status == catalog.Failed:
			if m.Reason != "" {
				reason = m.Reason
			}
		case !archived:
			resp.PendingMedia++
			continue
		}
		if reason == "" {
			reason = "failed (no reason recorded)"
		}
		resp.Ended = append(resp.Ended, FailedItem{Kind: string(m.Kind), ID: m.ID, File: m.SourceName, Reason: reason})
	}
	if only {
		return resp, nil
	}
	recs, err := s.Store.ListRecordings(ctx)
	if err != nil {
		return resp, err
	}
	for _, rec := range recs {
		if rec.State != catalog.RecordingPending {
			continue
		}
		reason, archived := gaveUp[rec.ID]
		if !archived {
			resp.PendingRecordings++
			continue
		}
		file := rec.Title
		if file == "" {
			file = rec.URL
		}
		resp.Ended = append(resp.Ended, FailedItem{Kind: "recording", ID: rec.ID, File: file, Reason: reason})
	}
	return resp, nil
}

func (s *Server) handleMedia(w http.ResponseWriter, r *http.Request) {
	m, err := s.Store.Media(r.Context(), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, m)
}

// handleSchedule answers GET /api/schedule from the cached public view
// (publicView): the body is encoded once per catalog change, and a client
// that has it already gets 304.
func (s *Server) handleSchedule(w http.ResponseWriter, r *http.Request) {
	v, err := s.publicView(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	body, etag := v.schedule()
	h := w.Header()
	h.Set("Cache-Control", "public, no-cache")
	h.Set("ETag", etag)
	if notModified(r, catalog.BlobInfo{ETag: etag}) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", itoa(int64(len(body))))
	_, _ = w.Write(body)
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
	err := catalog.WriteDocument(r.Context(), cw, s.Store, catalog.ExportOptions{
		Now: s.now(), URL: s.docURL, Public: public, WithoutSpeakerPages: public && s.PrivateSpeakers,
	})
	switch {
	case err != nil && !cw.begun:
		s.writeError(w, r, err)
	case err != nil:
		panic(http.ErrAbortHandler)
	}
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

// publicView is the published view of the catalog, built once and shared
// by every public read until the catalog changes: its index (pages, JSON)
// and, made on first use, the /api/schedule body.
type publicView struct {
	idx     *catalog.Index
	version int64 // the catalog Version it was built from
	// open says the schedule body carries speakers' names and ids only
	// (Server.PrivateSpeakers).
	open bool

	schedOnce sync.Once
	sched     []byte // the /api/schedule body
	schedETag string
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

// publicIndex returns the published view of the catalog, indexed.
func (s *Server) publicIndex(ctx context.Context) (*catalog.Index, error) {
	v, err := s.publicView(ctx)
	if err != nil {
		return nil, err
	}
	return v.idx, nil
}

// publicView returns the published view of the catalog. It is built once
// per catalog change, not per read: at once after a change made through
// this server (invalidate, called only for requests a role may make), and
// after a change made elsewhere (another web node, a worker) when the first
// read more than publicTTL after the last check finds a new catalog
// Version: that read is still answered from the old view while a new one
// is built in the background. Concurrent builds of one generation are
// shared; an unchanged catalog is never rebuilt.
func (s *Server) publicView(ctx context.Context) (*publicView, error) {
	s.cache.mu.Lock()
	v, checked, gen := s.cache.view, s.cache.checked, s.cache.gen
	due := v != nil && s.now().Sub(checked) >= publicTTL
	if due {
		s.cache.checked = s.now() // one check per publicTTL, whatever the reads
	}
	s.cache.mu.Unlock()
	if v != nil {
		if due {
			s.refreshIfChanged(context.WithoutCancel(ctx), v, gen)
		}
		return v, nil
	}
	res, err, _ := s.cache.group.Do(viewKey(gen), func() (any, error) { return s.buildView(context.WithoutCancel(ctx), gen) })
	if err != nil {
		return nil, err
	}
	return res.(*publicView), nil
}

// refreshIfChanged starts a background build of generation gen when the
// catalog's Version moved on from view v's. A Version that cannot be read
// counts as a change: the build then reports the error to no one and the
// old view is kept.
func (s *Server) refreshIfChanged(ctx context.Context, v *publicView, gen uint64) {
	if n, err := s.Store.Version(ctx); err == nil && n == v.version {
		return
	}
	s.cache.group.DoChan(viewKey(gen), func() (any, error) { return s.buildView(ctx, gen) })
}

func viewKey(gen uint64) string { return "public " + catalog.Itoa(int64(gen)) }

// buildView builds the view and keeps it, unless the catalog changed
// (invalidate) since generation gen began. The catalog Version is read
// before the catalog, so that a change committed during the build shows as
// a new Version at the next check.
func (s *Server) buildView(ctx context.Context, gen uint64) (*publicView, error) {
	start := s.now()
	version, err := s.Store.Version(ctx)
	if err != nil {
		return nil, err
	}
	doc, err := s.Document(ctx, true)
	if err != nil {
		return nil, err
	}
	v := &publicView{idx: catalog.NewIndex(&doc), version: version, open: s.PrivateSpeakers}
	s.cache.mu.Lock()
	if s.cache.gen == gen {
		s.cache.view, s.cache.checked = v, start
	}
	s.cache.mu.Unlock()
	return v, nil
}

// publicTTL is how often a server checks the catalog Version for changes
// made through other processes (another web node, a worker tagging or
// hiding a photo): such a change shows within publicTTL and one build.
const publicTTL = 2 * time.Second

// docCache holds the last public view.
type docCache struct {
	mu      sync.Mutex
	view    *publicView
	checked time.Time // when the view's Version was last compared with the catalog's
	gen     uint64    // changes made through this server
	group   singleflight.Group
}

// invalidate drops the cached public view after a change made here.
func (s *Server) invalidate() {
	s.cache.mu.Lock()
	s.cache.view = nil
	s.cache.gen++
	s.cache.mu.Unlock()
}

func (s *Server) handleTalk(w http.ResponseWriter, r *http.Request) {
	idx, err := s.openIndex(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	p, ok := idx.TalkPage(r.PathValue("id"))
	if !ok {
		s.writeError(w, r, catalog.E(catalog.NotFound, "web.talk", nil, "no talk %q", r.PathValue("id")))
		return
	}
	writeJSON(w, http.StatusOK, p)
}

func (s *Server) handleSpeaker(w http.ResponseWriter, r *http.Request) {
	idx, err := s.publicIndex(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	p, ok := idx.SpeakerPage(r.PathValue("id"))
	if !ok {
		s.writeError(w, r, catalog.E(catalog.NotFound, "web.speaker", nil, "no speaker %q", r.PathValue("id")))
		return
	}
	writeJSON(w, http.StatusOK, p)
}

// handlePublic serves a public blob (a rendition or published JSON) from
// the bucket. Nothing outside the public prefix is reachable. It sends the
// blob's cache policy (catalog.CacheControl: renditions fresh for a few
// minutes, then revalidated, so that a takedown reaches caches) with its
// ETag and Last-Modified, and answers a revalidation that matches with 304.
func (s *Server) handlePublic(w http.ResponseWriter, r *http.Request) {
	p := r.PathValue("path")
	if p == "" || strings.Contains(p, "..") || strings.Contains(p, "//") || strings.HasPrefix(p, "/") {
		http.NotFound(w, r)
		return
	}
	key := catalog.PublicPrefix + p
	rc, info, err := s.Blobs.Get(r.Context(), key)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	defer rc.Close()
	h := w.Header()
	h.Set("Cache-Control", catalog.CacheControl(key))
	if strings.HasSuffix(p, ".json") {
		h.Set("Access-Control-Allow-Origin", "*")
	}
	if info.ETag != "" {
		h.Set("ETag", info.ETag)
	}
	if !info.Modified.IsZero() {
		h.Set("Last-Modified", info.Modified.UTC().Format(http.TimeFormat))
	}
	if notModified(r, info) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	ctype := info.ContentType
	if ctype == "" || ctype == "application/octet-stream" {
		ctype = mime.TypeByExtension(path.Ext(p))
	}
	h.Set("Content-Type", ctype)
	if info.Size > 0 {
		h.Set("Content-Length", itoa(info.Size))
	}
	_, _ = io.Copy(w, rc)
}

// notModified reports whether r's validators match the blob (RFC 9110
// 13.1.2, 13.1.3): If-None-Match when sent, else If-Modified-Since.
func notModified(r *http.Request, info catalog.BlobInfo) bool {
	if inm := r.Header.Get("If-None-Match"); inm != "" {
		if info.ETag == "" {
			return false
		}
		for _, tag := range strings.Split(inm, ",") {
			tag = strings.TrimSpace(tag)
			if tag == "*" || strings.TrimPrefix(tag, "W/") == strings.TrimPrefix(info.ETag, "W/") {
				return true
			}
		}
		return false
	}
	ims, err := http.ParseTime(r.Header.Get("If-Modified-Since"))
	return err == nil && !info.Modified.IsZero() && !info.Modified.Truncate(time.Second).After(ims)
}

func itoa(n int64) string { return catalog.Itoa(n) }
