package web

// Headers every response carries, deadlines and body limits every request
// gets: one middleware around every route, so that no handler can forget.

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/confmedia/confmedia/catalog"
	"github.com/confmedia/confmedia/pipeline/recording"
	"github.com/confmedia/confmedia/pipeline/schedule"
)

// Request limits. A body over its limit fails its handler's read (413 via
// http.MaxBytesError); deadlines end a stalled or endless request.
const (
	// maxBodyBytes bounds a request that carries no file: forms, JSON.
	maxBodyBytes = 8 << 20
	// longRequestTime is how long a request that moves or reads a whole
	// file (an upload through the web app, a zip of photos, completing a
	// direct upload, which may read the file back) may take to be read and
	// answered; the server's ReadTimeout and WriteTimeout bound the others.
	longRequestTime = 2 * time.Hour
)

// Framing: no page of this site may be shown in a frame, anywhere.
const (
	frameOptions   = "DENY"
	frameAncestors = "frame-ancestors 'none'"
)

// videoFrames are the players a talk page embeds (see playerFor).
const videoFrames = "https://www.youtube-nocookie.com https://player.vimeo.com"

// dashboardCSP is the policy of the queue dashboard (asynqmon, organizers
// only): its page starts with inline scripts, styles itself inline and
// loads Google's fonts.
const dashboardCSP = "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline' https://fonts.googleapis.com; " +
	"font-src 'self' https://fonts.gstatic.com; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; " +
	"form-action 'self'; " + frameAncestors

// fileCSP is the policy of public blobs and downloads: nothing in them
// runs, even when opened on their own.
const fileCSP = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox; " + frameAncestors

// pageCSP returns the policy of the pages: scripts and styles only from
// /static/ (no inline script or style, no eval; WebAssembly compiles for
// the upload page's hasher), images and recordings from anywhere a
// catalog record points (thumbnails, posters, renditions under
// S3PublicURL), frames only from the video players, requests only to this
// site and the bucket browsers upload to, forms only to this site.
func (s *Server) pageCSP(ctx context.Context) string {
	s.csp.once.Do(func() {
		connect := []string{"'self'"}
		if o := s.uploadOrigin(ctx); o != "" {
			connect = append(connect, o)
		}
		s.csp.page = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; " +
			"img-src 'self' data: blob: https: http:; media-src 'self' https: http:; frame-src " + videoFrames + "; " +
			"connect-src " + strings.Join(connect, " ") + "; font-src 'self'; object-src 'none'; base-uri 'none'; " +
			"form-action 'self'; " + frameAncestors
	})
	return s.csp.page
}

// cspCache holds the page policy, settled on the first request.
type cspCache struct {
	once sync.Once
	page string
}

// uploadOrigin returns the origin browsers send originals to when they
// upload straight to the bucket (see Presigner), or "" when they upload
// through the web app. It signs a request it never sends: the signed URL's
// host is the one browsers use, whatever the bucket's addressing style.
func (s *Server) uploadOrigin(ctx context.Context) string {
	if s.Presigner == nil {
		return ""
	}
	sum := make([]byte, 32)
	u, _, err := s.Presigner.PresignPut(ctx, catalog.OriginalKey(strings.Repeat("0", 64)), 1, sum, "image/jpeg", time.Minute)
	if err != nil {
		s.Logger.Warn("cannot tell where browsers upload: the pages' policy allows this site only", "err", err)
		return ""
	}
	p, err := url.Parse(u)
	if err != nil || p.Host == "" || (p.Scheme != "http" && p.Scheme != "https") {
		return ""
	}
	return p.Scheme + "://" + p.Host
}

// secureRequests sets the security headers of every response and bounds
// every request's body and time: the outermost layer of Handler.
func (s *Server) secureRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", frameOptions)
		h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		switch p := r.URL.Path; {
		case strings.HasPrefix(p, dashboardPath+"/"):
			h.Set("Content-Security-Policy", dashboardCSP)
		case strings.HasPrefix(p, "/public/"), strings.HasPrefix(p, "/download/"):
			h.Set("Content-Security-Policy", fileCSP)
		default:
			h.Set("Content-Security-Policy", s.pageCSP(r.Context()))
		}
		limit := int64(maxBodyBytes)
		switch {
		case r.Method == http.MethodPut && strings.HasPrefix(r.URL.Path, "/api/media/"):
			limit = max(s.MaxBytes, maxBodyBytes) + 1<<20
			s.extendDeadlines(w)
		case r.Method == http.MethodPost && (r.URL.Path == "/api/schedule" || r.URL.Path == "/api/recordings"):
			limit = int64(max(schedule.MaxBytes, recording.MaxBytes)) + 1<<20
		case strings.HasSuffix(r.URL.Path, ".zip"), strings.HasPrefix(r.URL.Path, "/download/"),
			strings.HasPrefix(r.URL.Path, "/api/uploads/") && strings.HasSuffix(r.URL.Path, "/complete"):
			s.extendDeadlines(w)
		}
		if r.Body != nil && r.Body != http.NoBody {
			if r.ContentLength > limit {
				s.writeError(w, r, catalog.E(catalog.TooLarge, "web.request", nil, "request body of %d bytes: at most %d", r.ContentLength, limit))
				return
			}
			r.Body = http.MaxBytesReader(w, r.Body, limit)
		}
		next.ServeHTTP(w, r)
	})
}

// extendDeadlines gives a request that moves a whole file longRequestTime
// instead of the server's read and write timeouts.
func (s *Server) extendDeadlines(w http.ResponseWriter) {
	rc := http.NewResponseController(w)
	end := time.Now().Add(longRequestTime)
	_ = rc.SetReadDeadline(end) // not supported by test recorders: nothing to extend there
	_ = rc.SetWriteDeadline(end)
}
