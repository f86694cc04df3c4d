package web

import (
	"bytes"
	"context"
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
	"golang.org/x/sync/errgroup"
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

// ScheduleImportResponse says what a schedule import did, or with DryRun
// what it would do.
type ScheduleImportResponse struct {
	File     string   `json:"file"`
	Format   string   `json:"format"`
	Title    string   `json:"title"`
	Acronym  string   `json:"acronym,omitempty"`
	Timezone string   `json:"timezone"`
	Talks    int      `json:"talks"`
	Speakers int      `json:"speakers"`
	Rooms    []string `json:"rooms"`
	Added    int      `json:"added"`
	Changed  int      `json:"changed"` // Moved included
	Moved    int      `json:"moved"`
	Removed  int      `json:"removed"`
	Retagged int      `json:"retagged"` // media queued (or with DryRun, to be queued) for tagging again
	DryRun   bool     `json:"dry_run,omitempty"`

	// Filled for a dry run, and for an import that replaced another
	// conference's schedule (Replaced).
	PreviousTitle string             `json:"previous_title,omitempty"`
	Replaced      bool               `json:"replaced,omitempty"`
	ReplaceNeeded []string           `json:"replace_needed,omitempty"` // why --replace is needed
	Diff          []ScheduleTalkDiff `json:"diff,omitempty"`
	MediaOnTalks  int                `json:"media_on_talks,omitempty"` // media tagged with a changed or removed talk
}

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

// RecordingsImportResponse says what a recordings import did.
type RecordingsImportResponse struct {
	File      string `json:"file"`
	Records   int    `json:"records"`
	Changed   int    `json:"changed"`
	Unchanged int    `json:"unchanged"`
}

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

// QueueResponse answers GET /api/queue: the state of the work queues and of
// the catalog items that work is for, so that a client can tell when all
// work has ended, and how, even while the queue is unavailable.
type QueueResponse struct {
	catalog.QueueStats
	// QueueDown says why the queues cannot be read (Redis is unavailable);
	// the queue counts are then zero and mean nothing.
	QueueDown string `json:"queue_down,omitempty"`
	// PendingMedia and PendingRecordings count the catalog items whose work
	// has not ended (queued, running, or waiting for the queue), not
	// counting those in Ended.
	PendingMedia      int `json:"pending_media"`
	PendingRecordings int `json:"pending_recordings"`
	// Ended lists the items whose work ended failed: media whose status is
	// failed, and items still pending whose task the queue gave up on.
	Ended []FailedItem `json:"ended_failed"`
}

// FailedItem is a catalog item whose work ended failed.
type FailedItem struct {
	Kind   string `json:"kind"` // "photo", "headshot" or "recording"
	ID     string `json:"id"`
	File   string `json:"file"` // the file name as uploaded, or the recording's title or URL
	Reason string `json:"reason"`
}

// Done reports whether no work is queued, running or waiting for the
// queue.
func (q QueueResponse) Done() bool {
	return q.QueueDown == "" && !q.Busy() && q.PendingMedia == 0 && q.PendingRecordings == 0
}

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
// is pending and what failed.
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
	for _, m := range media {
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

func (s *Server) handleSchedule(w http.ResponseWriter, r *http.Request) {
	doc, err := s.Document(r.Context(), true)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, struct {
		Conference catalog.DocConference `json:"conference"`
		Talks      []catalog.DocTalk     `json:"talks"`
		Speakers   []catalog.DocSpeaker  `json:"speakers"`
	}{doc.Conference, doc.Talks, doc.Speakers})
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
	base := s.PublicURL
	if s.S3PublicURL != "" {
		base = s.S3PublicURL
	}
	return strings.TrimRight(base, "/") + "/" + key
}

func (s *Server) handleCatalog(w http.ResponseWriter, r *http.Request) {
	doc, err := s.Document(r.Context(), r.URL.Query().Get("public") == "1")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, doc)
}

// PublishResponse says what publish wrote.
type PublishResponse struct {
	Objects    int    `json:"objects"`
	Bytes      int64  `json:"bytes"`
	CatalogURL string `json:"catalog_url"`
	Talks      int    `json:"talks"`
	Speakers   int    `json:"speakers"`
	Media      int    `json:"media"`
	Removed    int    `json:"removed"` // pages of talks and speakers no longer in the catalog
}

func (s *Server) handlePublish(w http.ResponseWriter, r *http.Request) {
	resp, err := s.Publish(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, resp)
}

// Publish writes the public catalog document to the bucket as catalog.json,
// with one JSON document per talk and per speaker beside it.
func (s *Server) Publish(ctx context.Context) (PublishResponse, error) {
	doc, err := s.Document(ctx, true)
	if err != nil {
		return PublishResponse{}, err
	}
	idx := catalog.NewIndex(&doc)
	var (
		mu   sync.Mutex
		resp = PublishResponse{CatalogURL: s.BlobURL(catalog.CatalogKey), Talks: len(doc.Talks), Speakers: len(doc.Speakers), Media: len(doc.Media)}
	)
	put := func(ctx context.Context, key string, v any) error {
		b, err := json.MarshalIndent(v, "", "  ")
		if err != nil {
			return err
		}
		if err := s.Blobs.Put(ctx, key, bytes.NewReader(b), int64(len(b)), "application/json"); err != nil {
			return err
		}
		mu.Lock()
		resp.Objects++
		resp.Bytes += int64(len(b))
		mu.Unlock()
		return nil
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(8)
	for _, t := range doc.Talks {
		g.Go(func() error {
			p, _ := idx.TalkPage(t.ID)
			return put(gctx, catalog.TalkKey(t.ID), p)
		})
	}
	for _, sp := range doc.Speakers {
		g.Go(func() error {
			p, _ := idx.SpeakerPage(sp.ID)
			return put(gctx, catalog.SpeakerKey(sp.ID), p)
		})
	}
	if err := g.Wait(); err != nil {
		return resp, err
	}
	// The catalog goes last, so that it never names a page not yet written.
	if err := put(ctx, catalog.CatalogKey, doc); err != nil {
		return resp, err
	}
	// Pages of talks and speakers that left the catalog go after it.
	written := map[string]bool{}
	for _, t := range doc.Talks {
		written[catalog.TalkKey(t.ID)] = true
	}
	for _, sp := range doc.Speakers {
		written[catalog.SpeakerKey(sp.ID)] = true
	}
	for _, prefix := range []string{catalog.PublicPrefix + "talks/", catalog.PublicPrefix + "speakers/"} {
		keys, err := s.Blobs.List(ctx, prefix)
		if err != nil {
			return resp, err
		}
		for _, k := range keys {
			if written[k] {
				continue
			}
			if err := s.Blobs.Delete(ctx, k); err != nil {
				return resp, err
			}
			resp.Removed++
		}
	}
	s.Logger.Info("catalog published", "objects", resp.Objects, "bytes", resp.Bytes)
	return resp, nil
}

// publicIndex returns the published view of the catalog, indexed. It is
// built at most once per publicTTL (and at once after a change made through
// this server), so that page and JSON reads under load cost a map lookup,
// not a walk of the whole catalog; concurrent misses share one build.
func (s *Server) publicIndex(ctx context.Context) (*catalog.Index, error) {
	s.cache.mu.Lock()
	idx, fresh := s.cache.idx, s.now().Sub(s.cache.at) < publicTTL && s.cache.idx != nil
	s.cache.mu.Unlock()
	if fresh {
		return idx, nil
	}
	v, err, _ := s.cache.group.Do("public", func() (any, error) {
		start := s.now()
		doc, err := s.Document(context.WithoutCancel(ctx), true)
		if err != nil {
			return nil, err
		}
		idx := catalog.NewIndex(&doc)
		s.cache.mu.Lock()
		s.cache.idx, s.cache.at = idx, start
		s.cache.mu.Unlock()
		return idx, nil
	})
	if err != nil {
		return nil, err
	}
	return v.(*catalog.Index), nil
}

// publicTTL bounds how stale a public read may be when the change was made
// through another server process (a worker tagging a photo, say).
const publicTTL = 2 * time.Second

// docCache holds the last public index.
type docCache struct {
	mu    sync.Mutex
	idx   *catalog.Index
	at    time.Time
	group singleflight.Group
}

// invalidate drops the cached public view after a change made here.
func (s *Server) invalidate() {
	s.cache.mu.Lock()
	s.cache.idx = nil
	s.cache.mu.Unlock()
}

func (s *Server) handleTalk(w http.ResponseWriter, r *http.Request) {
	idx, err := s.publicIndex(r.Context())
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
// the bucket. Nothing outside the public prefix is reachable.
func (s *Server) handlePublic(w http.ResponseWriter, r *http.Request) {
	p := r.PathValue("path")
	if p == "" || strings.Contains(p, "..") || strings.Contains(p, "//") || strings.HasPrefix(p, "/") {
		http.NotFound(w, r)
		return
	}
	rc, info, err := s.Blobs.Get(r.Context(), catalog.PublicPrefix+p)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	defer rc.Close()
	ctype := info.ContentType
	if ctype == "" || ctype == "application/octet-stream" {
		ctype = mime.TypeByExtension(path.Ext(p))
	}
	w.Header().Set("Content-Type", ctype)
	if info.Size > 0 {
		w.Header().Set("Content-Length", itoa(info.Size))
	}
	if strings.HasSuffix(p, ".json") {
		w.Header().Set("Cache-Control", "no-cache")
		w.Header().Set("Access-Control-Allow-Origin", "*")
	} else {
		w.Header().Set("Cache-Control", "public, max-age=86400, immutable")
	}
	_, _ = io.Copy(w, rc)
}

func itoa(n int64) string { return catalog.Itoa(n) }
