package web

// The public JSON: the schedule, a talk, a speaker (answered from a cached
// public view that catalog changes, never requests, invalidate) and the
// public files of the bucket. Anyone may read them, as the route table
// says; private speaker pages are its ownSpeaker and ownPublicFile rules.

import (
	"context"
	"io"
	"mime"
	"net/http"
	"path"
	"strings"
	"sync"
	"time"

	"github.com/confmedia/confmedia/catalog"
	"golang.org/x/sync/singleflight"
)

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
