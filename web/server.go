package web

import (
	"context"
	"encoding/json"
	"html/template"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/confmedia/confmedia/catalog"
	"github.com/confmedia/confmedia/web/api"
)

// Queue is what the server needs of the work queues.
type Queue interface {
	EnqueueMedia(ctx context.Context, m *catalog.Media) error
	EnqueueTag(ctx context.Context, id string, gen int) error
	EnqueueRecording(ctx context.Context, id string, gen int) error
	Stats(ctx context.Context) (catalog.QueueStats, error)
	Ping(ctx context.Context) error
}

// Server serves the API. Its fields are its dependencies and settings; set
// them before calling Handler.
type Server struct {
	Store  catalog.Store
	Blobs  catalog.Blobs
	Queue  Queue
	Logger *slog.Logger

	// AdminTokenHash is the sha256 hex of the admin token.
	AdminTokenHash string
	// PublicURL is the web app's public base URL, e.g. http://localhost:8080.
	PublicURL string
	// S3PublicURL, when set, is a public base URL for the bucket; rendition
	// URLs then point there instead of at the web app.
	S3PublicURL string
	// MaxBytes bounds an uploaded file; MaxPixels an image's pixel count.
	MaxBytes  int64
	MaxPixels int64
	// TempDir holds uploads while they are checked ("" = the system's).
	TempDir string
	// AllowOriginals offers each headshot's original for download, as a
	// copy re-rendered at full size without GPS, serial or other metadata.
	AllowOriginals bool
	// Presigner, when set, lets browsers send originals straight to the
	// bucket (the upload page); when nil they go through the web app.
	Presigner Presigner
	// Now is the clock; time.Now when nil.
	Now func() time.Time

	// SessionKey signs login sessions and CSRF tokens; web nodes serving
	// the same users share it. Empty: derived from AdminTokenHash (else
	// random, and logins end with the process).
	SessionKey []byte
	// PrivateSpeakers keeps each speaker's page, photo zip, headshots and
	// JSON for that speaker's own token and the organizers (the route
	// table's ownSpeaker, ownHeadshot and ownPublicFile rules); everyone
	// else sees speakers' names and ids only (catalog.WithoutSpeakerPages).
	// By default speaker pages are public.
	PrivateSpeakers bool
	// FaceRecognition (CONFMEDIA_FACE_RECOGNITION) shows each speaker the
	// public photos their face was recognised in, on their own "photos of
	// you" page (the route table's ownFaces rule: that speaker's token and
	// the organizers only). Off, the page lists nothing.
	FaceRecognition bool
	// QueueDashboard, when set, is served to admins under /admin/queues/
	// (asynqmon with RootPath "/admin/queues").
	QueueDashboard http.Handler
	// Publisher publishes the catalog; nil: one over Store and Blobs.
	// Share one with the workers of the same process.
	Publisher *catalog.Publisher
	// Metrics, when set, is told of every request and serves GET /metrics
	// to organizers (see observe.go).
	Metrics Metrics

	tmpl    map[string]*template.Template
	sessKey []byte
	cache   docCache
	pubOnce sync.Once
	pub     *catalog.Publisher
	open    openCache
	csp     cspCache
	// originalSlots bounds the full-size original renders run at once.
	originalSlots chan struct{}
}

// Handler returns the server's routes: those of the route table (see
// routes.go). It panics if the embedded templates
// do not parse, which a test catches.
func (s *Server) Handler() http.Handler {
	tmpl, err := parseTemplates()
	if err != nil {
		panic(err)
	}
	s.tmpl = tmpl
	s.originalSlots = make(chan struct{}, 2)
	s.initSessionKey()
	mux := http.NewServeMux()
	for _, rt := range s.routes() {
		mux.Handle(rt.pattern, answeredAs(rt.refusal, s.guard(rt)))
	}
	return s.observe(s.secureRequests(mux))
}

func (s *Server) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// HashToken returns the stored form of a token: its sha256 in hex (see
// api.HashToken).
func HashToken(token string) string { return api.HashToken(token) }

type ctxKey struct{}

// require admits requests made with a token that grants one of roles: a
// bearer token, or a login session (see access.go), which must also carry
// its CSRF token on requests that change state. It answers 401 without
// valid credentials and 403 for another role or a missing CSRF token.
func (s *Server) require(roles ...catalog.Role) func(http.HandlerFunc) http.HandlerFunc {
	return func(next http.HandlerFunc) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			id, err := s.authenticate(r)
			if err == nil {
				err = s.checkCSRF(r, id)
			}
			if err == nil {
				err = id.allowed(roles)
			}
			if err != nil {
				s.writeError(w, r, err)
				return
			}
			s.serveChange(next, w, r.WithContext(id.context(r.Context())))
		}
	}
}

// serveChange serves an authorized request. When it changes state and
// succeeds, the cached public view is dropped so that public reads see the
// change at once: only requests a role may make do that, never an
// anonymous one (logging in or out changes no catalog).
func (s *Server) serveChange(next http.HandlerFunc, w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		next(w, r)
		return
	}
	rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
	next(rec, r)
	if rec.status < 400 {
		s.invalidate()
	}
}

// statusOf maps an error kind to its HTTP status: the one place that does.
func statusOf(k catalog.Kind) int {
	switch k {
	case catalog.Invalid:
		return http.StatusBadRequest
	case catalog.NotFound:
		return http.StatusNotFound
	case catalog.Conflict:
		return http.StatusConflict
	case catalog.TooLarge:
		return http.StatusRequestEntityTooLarge
	case catalog.Unauthorized:
		return http.StatusUnauthorized
	case catalog.Forbidden:
		return http.StatusForbidden
	case catalog.Unavailable:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

// ErrorBody is api.ErrorBody.
type ErrorBody = api.ErrorBody

// writeError is the one error writer: it answers err as the route that
// failed answers (see answeredAs) — an HTML error page for a page route,
// else the JSON ErrorBody — with the status err's kind maps to. Internal
// errors are logged and shown as "internal error".
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	noteError(r.Context(), err)
	if answerOf(r.Context()) == pageAnswer {
		s.pageError(w, r, err)
		return
	}
	s.jsonError(w, r, err)
}

// jsonError writes err as an ErrorBody.
func (s *Server) jsonError(w http.ResponseWriter, r *http.Request, err error) {
	kind := catalog.ErrorKind(err)
	msg := catalog.ErrorMessage(err)
	if kind == catalog.Other {
		s.Logger.ErrorContext(r.Context(), "request failed", "method", r.Method, "path", r.URL.Path, "err", err)
		msg = "internal error"
	} else if kind == catalog.Unavailable {
		s.Logger.WarnContext(r.Context(), "dependency unavailable", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	writeJSON(w, statusOf(kind), ErrorBody{Error: msg, Kind: kindName(kind)})
}

func kindName(k catalog.Kind) string { return strings.ReplaceAll(k.String(), " ", "_") }

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

func decodeJSON(r *http.Request, v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(nil, r.Body, 32<<20))
	if err := dec.Decode(v); err != nil {
		return catalog.E(catalog.Invalid, "web.decodeJSON", err, "bad request body")
	}
	return nil
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }
